"""generator/search.py: Pagefind on a built site, the bundle swapped in only on success, and the
serve session (first build indexed at once, later rebuilds in one background thread, coalesced)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from generator import search

PAGE = """<!doctype html><html lang="en"><head><title>{title}</title></head><body>
<nav>Navigation words</nav><article data-pagefind-body><h1>{title} <a class="headerlink" href="#x">¶</a></h1>
<p>{text}</p></article><footer>Footer words</footer></body></html>"""


def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    for name, title, text in (("a", "Budget risk", "Pooled budgets spread the risk."),
                              ("b", "Clinical engagement", "Practices engaged GPs in commissioning.")):
        (root / name).mkdir(parents=True)
        (root / name / "index.html").write_text(PAGE.format(title=title, text=text), encoding="utf-8")
    return root


def test_index_site_indexes_the_article_only(tmp_path):
    root = site(tmp_path)
    assert search.index_site(root) == 2
    pages = search.indexed_pages(root)
    assert set(pages) == {"/a/", "/b/"}
    assert pages["/a/"]["meta"]["title"] == "Budget risk"
    assert "Pooled budgets" in pages["/a/"]["content"]
    for page in pages.values():
        assert "Navigation" not in page["content"] and "Footer" not in page["content"] and "¶" not in page["content"]
    assert [p.name for p in root.iterdir() if p.name.startswith(".")] == [], "staging folder left behind"


def test_a_failed_run_keeps_the_previous_bundle(tmp_path, monkeypatch):
    root = site(tmp_path)
    search.index_site(root)
    before = {p: p.read_bytes() for p in (root / "pagefind").rglob("*") if p.is_file()}
    (root / "a" / "index.html").write_text(PAGE.format(title="Changed", text="Changed."), encoding="utf-8")
    monkeypatch.setattr(search, "EXCLUDE_SELECTORS", "[[")  # Pagefind panics on it
    with pytest.raises(search.SearchIndexError, match="Pagefind exited with status"):
        search.index_site(root)
    assert {p: p.read_bytes() for p in (root / "pagefind").rglob("*") if p.is_file()} == before
    assert [p.name for p in root.iterdir() if p.name.startswith(".")] == []


def test_no_site_is_an_error(tmp_path):
    with pytest.raises(search.SearchIndexError, match="no built site"):
        search.index_site(tmp_path / "missing")


class FakeIndexer:
    """Stands in for Pagefind: records each run's thread; the first background run waits for `go`."""

    def __init__(self) -> None:
        self.runs: list[tuple[str, bool]] = []
        self.go = threading.Event()
        self.started = threading.Event()

    def __call__(self, site_dir, *, low_priority=False, started=None):
        background = threading.current_thread() is not threading.main_thread()
        self.runs.append((str(site_dir), background))
        if background and not self.go.is_set():
            self.started.set()
            self.go.wait(10)
        return 1


def test_build_session_indexes_every_build_in_the_foreground(tmp_path, monkeypatch):
    fake = FakeIndexer()
    monkeypatch.setattr(search, "index_site", fake)
    search.start_session("build")
    search.after_build(tmp_path)
    search.after_build(tmp_path)
    assert fake.runs == [(str(tmp_path), False), (str(tmp_path), False)]


def test_serve_session_indexes_rebuilds_in_the_background_and_coalesces_them(tmp_path, monkeypatch):
    fake = FakeIndexer()
    monkeypatch.setattr(search, "index_site", fake)
    search.start_session("serve")
    try:
        search.after_build(tmp_path)  # the first build: before serving starts
        assert fake.runs == [(str(tmp_path), False)]
        search.after_build(tmp_path)  # an edit: returns at once, indexing runs behind
        assert fake.started.wait(5)
        search.after_build(tmp_path)  # two more edits while it runs: one more run, not two
        search.after_build(tmp_path)
        worker = search._session.worker
        assert worker is not None and worker.is_alive()
        fake.go.set()
        worker.join(5)
        assert fake.runs == [(str(tmp_path), False), (str(tmp_path), True), (str(tmp_path), True)]
    finally:
        search.end_session()
    search.after_build(tmp_path)  # after the session, a build indexes in the foreground again
    assert fake.runs[-1] == (str(tmp_path), False)


def test_serve_session_survives_a_failed_index(tmp_path, monkeypatch, caplog):
    def fails(site_dir, **_):
        raise search.SearchIndexError("boom")

    monkeypatch.setattr(search, "index_site", fails)
    search.start_session("serve")
    try:
        search.after_build(tmp_path)  # logged, not raised: the site is served without search
    finally:
        search.end_session()
    assert "served without search: boom" in caplog.text
