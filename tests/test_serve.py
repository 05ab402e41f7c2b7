"""`serve`: regenerate docs/kb on every edit, keep the last good pages on a bad one, and serve the
site at the root of its address with live reload."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from evidence_edits import FINDING, append, replace

from generator import PROJECT_ROOT
from generator.pipeline import generate
from generator.serve import regenerate, start_watching

PAGE = Path("findings") / "alpha-budget-risk.md"
TIMEOUT = 20
CHILD_ENV = {**os.environ,
             "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))}
"""The child `serve` runs from a scratch folder, so it would import whatever `generator` the venv's
editable install points at (another checkout, from a worktree): make it import the one under test."""


def _wait_for(condition, timeout: float = TIMEOUT, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_regenerate_writes_the_edited_record(fixture_project, capsys):
    generate(fixture_project, git_dates=False)
    page = fixture_project.generated / PAGE
    assert "Edited pilots" not in page.read_text(encoding="utf-8")
    replace(fixture_project, FINDING, "statement: Pilots with", "statement: Edited pilots with")
    assert regenerate(fixture_project) is True
    assert "Edited pilots" in page.read_text(encoding="utf-8")
    out = capsys.readouterr()
    assert out.out.startswith("serve: regenerated (")
    assert out.err == ""


def test_regenerate_keeps_the_last_good_pages_on_a_bad_record(fixture_project, capsys):
    generate(fixture_project, git_dates=False)
    before = _snapshot(fixture_project.generated)
    replace(fixture_project, FINDING, "statement: Pilots with", "statement: Edited pilots with")
    replace(fixture_project, FINDING, "type: qualitative", "type: qualitive")
    assert regenerate(fixture_project) is False
    assert _snapshot(fixture_project.generated) == before
    assert capsys.readouterr().err == (
        "evidence/findings/alpha-budget-risk.yaml:11:7: 'qualitive' is not allowed in 'type'; "
        "did you mean 'qualitative'?\n"
        "serve: 1 problem; keeping the last good pages\n"
    )


def test_regenerate_survives_a_broken_template(fixture_project, tmp_path, capsys):
    import shutil
    from dataclasses import replace as with_field

    templates = tmp_path / "templates"
    shutil.copytree(fixture_project.templates, templates)
    project = with_field(fixture_project, templates=templates)
    generate(project, git_dates=False)
    before = _snapshot(project.generated)
    (templates / "finding.md.j2").write_text("{% if %}", encoding="utf-8")
    assert regenerate(project) is False
    assert _snapshot(project.generated) == before
    assert capsys.readouterr().err.startswith("serve: cannot regenerate (TemplateSyntaxError: ")


def test_watcher_regenerates_on_edit_and_keeps_good_pages_on_a_bad_one(fixture_project, capsys):
    generate(fixture_project, git_dates=False)
    page = fixture_project.generated / PAGE
    watcher, stop = start_watching(fixture_project, poll=0.05)
    try:
        replace(fixture_project, FINDING, "statement: Pilots with", "statement: Edited pilots with")
        # The message comes once every page is written.
        _wait_for(lambda: "serve: regenerated" in capsys.readouterr().out, what="the regeneration to finish")
        assert "Edited pilots" in page.read_text(encoding="utf-8")
        good = _snapshot(fixture_project.generated)

        append(fixture_project, FINDING, "broken: [\n")
        time.sleep(0.5)  # ten polls: ample time to (wrongly) write anything
        assert _snapshot(fixture_project.generated) == good

        path = fixture_project.root / FINDING
        path.write_text(path.read_text(encoding="utf-8").replace("broken: [\n", "").replace(
            "Edited pilots", "Fixed pilots"), encoding="utf-8")
        _wait_for(lambda: "Fixed pilots" in page.read_text(encoding="utf-8"), what="the fix to reach docs/kb")
        assert watcher.is_alive()
    finally:
        stop.set()
        watcher.join(timeout=5)
    assert not watcher.is_alive()


def test_watcher_does_not_react_to_its_own_output(fixture_project, capsys):
    """No reload loop: writing docs/kb must not trigger another regeneration."""
    generate(fixture_project, git_dates=False)
    watcher, stop = start_watching(fixture_project, poll=0.05)
    try:
        replace(fixture_project, FINDING, "statement: Pilots with", "statement: Edited pilots with")
        _wait_for(lambda: "serve: regenerated" in capsys.readouterr().out, what="one regeneration")
        time.sleep(0.5)
        assert capsys.readouterr().out == ""
    finally:
        stop.set()
        watcher.join(timeout=5)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


@contextlib.contextmanager
def _server(project, tmp_path: Path):
    """`serve` in a subprocess on a free port of 127.0.0.1; yields (base URL, log path)."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        # Run from outside the project: the fixture holds a generator/ folder (the MkDocs hook) that
        # would shadow the package if it were the working folder.
        server = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", "--root", str(project.root),
             "--dev-addr", f"127.0.0.1:{port}"],
            cwd=tmp_path, env=CHILD_ENV, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_for(lambda: _get(base), what=f"the server at {base}")
            yield base, log_path
            assert server.poll() is None, "the server stopped by itself"
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


@pytest.mark.slow
def test_serve_serves_at_the_root_and_live_updates(fixture_project, tmp_path):
    with _server(fixture_project, tmp_path) as (base, log):
        assert "<html" in _get(base)
        finding_url = base + "kb/findings/alpha-budget-risk/"
        assert "Pilots with larger budgets" in _get(finding_url)

        replace(fixture_project, FINDING, "statement: Pilots with", "statement: Served pilots with")
        _wait_for(lambda: "Served pilots with" in (_get(finding_url) or ""), what="the edit to be served")

        append(fixture_project, FINDING, "broken: [\n")
        time.sleep(1.5)
        assert "Served pilots with" in _get(finding_url), "the last good page must stay served"
    output = log.read_text(encoding="utf-8")
    assert f"Serving on {base}" in output
    assert "'dirty' build" not in output
    assert "serve: 1 problem; keeping the last good pages" in output
    assert "Traceback" not in output


@pytest.mark.slow
def test_serve_indexes_search_at_start_and_refreshes_it_in_the_background(fixture_project, tmp_path):
    """The first build is indexed before serving; after an edit the page reloads at once and the
    Pagefind index is rebuilt behind it (generator/search.py)."""
    with _server(fixture_project, tmp_path) as (base, log):
        entry = _get(base + "pagefind/pagefind-entry.json")
        assert entry and '"page_count"' in entry, "no search index when serving starts"
        finding_url = base + "kb/findings/alpha-budget-risk/"
        replace(fixture_project, FINDING, "statement: Pilots with", "statement: Reindexed pilots with")
        _wait_for(lambda: "Reindexed pilots with" in (_get(finding_url) or ""), what="the edit to be served")
        _wait_for(lambda: "refreshed the index" in log.read_text(encoding="utf-8"), what="the background index")
        assert _get(base + "pagefind/pagefind-entry.json") != entry, "the index did not change after the edit"
    output = log.read_text(encoding="utf-8")
    assert output.count("search: Pagefind indexed") == 1, output  # the first build only, in the foreground
    assert "in the background" in output and "Traceback" not in output


@pytest.mark.slow
def test_serve_starts_on_the_last_good_pages_when_a_record_is_broken(fixture_project, tmp_path):
    generate(fixture_project, git_dates=False)
    replace(fixture_project, FINDING, "statement: Pilots with", "statement: Unsaved pilots with")
    replace(fixture_project, FINDING, "type: qualitative", "type: qualitive")
    with _server(fixture_project, tmp_path) as (base, log):
        finding_url = base + "kb/findings/alpha-budget-risk/"
        assert "Pilots with larger budgets" in _get(finding_url)
        replace(fixture_project, FINDING, "type: qualitive", "type: qualitative")
        _wait_for(lambda: "Unsaved pilots with" in (_get(finding_url) or ""), what="the fix to be served")
    output = log.read_text(encoding="utf-8")
    assert ("evidence/findings/alpha-budget-risk.yaml:11:7: 'qualitive' is not allowed in 'type'; "
            "did you mean 'qualitative'?\n"
            "serve: 1 problem; keeping the last good pages\n"
            "serve: serving the last good pages; they update as soon as the problems are fixed\n") in output
    assert "Traceback" not in output


def test_serve_on_an_address_in_use_is_a_message(fixture_project, tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        address = f"127.0.0.1:{busy.getsockname()[1]}"
        result = subprocess.run(
            [sys.executable, "-m", "generator", "serve", "--root", str(fixture_project.root), "--dev-addr", address],
            cwd=tmp_path, env=CHILD_ENV, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.endswith(f"serve: {address} is already in use; stop the other server or choose another "
                                  "address, e.g. --dev-addr 127.0.0.1:8001\n")


def test_serve_with_bad_evidence_reports_and_exits(fixture_project, tmp_path):
    replace(fixture_project, FINDING, "type: qualitative", "type: qualitive")
    result = subprocess.run(
        [sys.executable, "-m", "generator", "serve", "--root", str(fixture_project.root),
         "--dev-addr", f"127.0.0.1:{_free_port()}"],
        cwd=tmp_path, env=CHILD_ENV, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr == (
        "evidence/findings/alpha-budget-risk.yaml:11:7: 'qualitive' is not allowed in 'type'; "
        "did you mean 'qualitative'?\n"
        "check: 1 problem in 1 file\n"
    )
