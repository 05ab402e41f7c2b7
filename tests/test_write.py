"""The write stage: bring docs/kb in line with the rendered pages, touching only what changed."""

from __future__ import annotations

import os
from pathlib import Path

from generator.write import replace_folder, sync_tree

PAGES = {
    "index.md": "# Home\n",
    "findings/a/index.md": "# A\n",
    "findings/b/index.md": "# B\n",
    "lessons/l/index.md": "# L\n",
}
OLD = 1_000_000_000_000_000_000  # a fixed past mtime in ns, so "unchanged" is provable without sleeping


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in root.rglob("*") if p.is_file()}


def _age_all(root: Path) -> None:
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(OLD, OLD))


def test_first_sync_writes_every_page(tmp_path):
    report = sync_tree(tmp_path / "kb", PAGES)
    assert _tree(tmp_path / "kb") == PAGES
    assert sorted(report.written) == sorted(PAGES)
    assert (report.removed, report.unchanged) == ([], 0)
    assert report.summary() == "4 written, 0 removed, 0 unchanged"


def test_only_changed_files_are_written(tmp_path):
    root = tmp_path / "kb"
    sync_tree(root, PAGES)
    _age_all(root)
    report = sync_tree(root, {**PAGES, "findings/a/index.md": "# A, revised\n"})
    assert report.written == ["findings/a/index.md"]
    assert report.unchanged == 3
    assert (root / "findings/a/index.md").stat().st_mtime_ns != OLD
    for rel in ("index.md", "findings/b/index.md", "lessons/l/index.md"):
        assert (root / rel).stat().st_mtime_ns == OLD, f"{rel} was rewritten though unchanged"


def test_identical_sync_touches_nothing(tmp_path):
    root = tmp_path / "kb"
    sync_tree(root, PAGES)
    _age_all(root)
    report = sync_tree(root, dict(PAGES))
    assert report.summary() == "0 written, 0 removed, 4 unchanged"
    assert all(p.stat().st_mtime_ns == OLD for p in root.rglob("*") if p.is_file())


def test_stale_files_and_their_empty_folders_are_removed(tmp_path):
    root = tmp_path / "kb"
    sync_tree(root, PAGES)
    pages = {k: v for k, v in PAGES.items() if not k.startswith("lessons/")}
    report = sync_tree(root, pages)
    assert report.removed == ["lessons/l/index.md"]
    assert _tree(root) == pages
    assert not (root / "lessons").exists()


def test_leftover_files_not_written_by_us_are_removed(tmp_path):
    root = tmp_path / "kb"
    (root / "old").mkdir(parents=True)
    (root / "old" / "page.md").write_text("stale", encoding="utf-8")
    sync_tree(root, PAGES)
    assert _tree(root) == PAGES


def test_undo_restores_written_removed_and_new_files(tmp_path):
    root = tmp_path / "kb"
    sync_tree(root, PAGES)
    before = _tree(root)
    changed = {k: v for k, v in PAGES.items() if k != "lessons/l/index.md"}
    changed["findings/a/index.md"] = "# A, revised\n"
    changed["findings/c/index.md"] = "# C\n"
    report = sync_tree(root, changed)
    assert _tree(root) == changed
    report.undo()
    assert _tree(root) == before
    assert not (root / "findings" / "c").exists()


def test_writes_leave_no_temporary_files(tmp_path):
    root = tmp_path / "kb"
    sync_tree(root, PAGES)
    sync_tree(root, {**PAGES, "index.md": "# Home, revised\n"})
    assert not [p for p in root.rglob(".tmp-*")]


def test_text_is_written_as_utf8(tmp_path):
    root = tmp_path / "kb"
    sync_tree(root, {"index.md": "Évaluation – £5m\n"})
    assert (root / "index.md").read_bytes() == "Évaluation – £5m\n".encode("utf-8")


def test_undo_restores_modification_times(tmp_path):
    root = tmp_path / "kb"
    sync_tree(root, PAGES)
    _age_all(root)
    report = sync_tree(root, {"index.md": "# Home, revised\n"})
    report.undo()
    assert _tree(root) == PAGES
    assert all(p.stat().st_mtime_ns == OLD for p in root.rglob("*") if p.is_file())


def test_undo_of_a_first_sync_removes_the_folder_it_created(tmp_path):
    root = tmp_path / "kb"
    sync_tree(root, PAGES).undo()
    assert not root.exists()


def test_a_page_can_replace_a_folder_of_stale_pages(tmp_path):
    root = tmp_path / "kb"
    sync_tree(root, {"map/index.md": "# Map\n"})
    report = sync_tree(root, {"map": "now a file\n"})
    assert _tree(root) == {"map": "now a file\n"}
    assert report.removed == ["map/index.md"]


def test_a_failed_write_undoes_the_whole_sync(tmp_path, monkeypatch):
    import generator.write as write

    root = tmp_path / "kb"
    sync_tree(root, {**PAGES, "stale.md": "# Stale\n"})
    _age_all(root)
    before = _tree(root)
    real_write = write._atomic_write

    def disk_full_on_the_last_page(path, content, **kwargs):
        if path.name == "last.md":
            raise OSError(28, "No space left on device")
        real_write(path, content, **kwargs)

    monkeypatch.setattr(write, "_atomic_write", disk_full_on_the_last_page)
    pages = {**PAGES, "index.md": "# Home, revised\n", "new/page.md": "# New\n", "last.md": "# Last\n"}
    try:
        sync_tree(root, pages)
    except OSError as exc:
        assert exc.errno == 28
    else:
        raise AssertionError("the failing write should have propagated")
    assert _tree(root) == before
    assert all(p.stat().st_mtime_ns == OLD for p in root.rglob("*") if p.is_file())
    assert not (root / "new").exists()


def test_written_files_get_the_usual_permissions(tmp_path):
    old_umask = os.umask(0o022)
    try:
        root = tmp_path / "kb"
        sync_tree(root, {"new.md": "# New\n", "data/big.json": iter(["{}", "\n"]), "changed.md": "# Old\n"})
        os.chmod(root / "changed.md", 0o600)
        sync_tree(root, {"new.md": "# New\n", "data/big.json": iter(["[]\n"]), "changed.md": "# Changed\n"})
    finally:
        os.umask(old_umask)
    modes = {p.relative_to(root).as_posix(): p.stat().st_mode & 0o777 for p in root.rglob("*") if p.is_file()}
    assert modes == {"new.md": 0o644, "data/big.json": 0o644, "changed.md": 0o644}


def test_a_new_file_that_fails_midway_is_removed(tmp_path):
    import generator.write as write

    target = tmp_path / "page.md"
    try:
        write._create(target, "not bytes")  # type: ignore[arg-type]  # the write fails after the open
    except TypeError:
        pass
    else:
        raise AssertionError("writing text to a binary file should fail")
    assert not target.exists()


def test_a_file_that_appears_during_the_sync_is_replaced(tmp_path):
    root = tmp_path / "kb"
    sync_tree(root, {"index.md": "# Home\n"})

    def pages():
        yield "index.md", "# Home\n"
        (root / "late.md").write_text("written by someone else\n", encoding="utf-8")
        yield "late.md", "# Late\n"

    report = sync_tree(root, pages())
    assert _tree(root) == {"index.md": "# Home\n", "late.md": "# Late\n"}
    assert report.written == ["late.md"]
    assert not list(root.rglob(".tmp-*"))


def test_pages_can_arrive_as_a_stream(tmp_path):
    root = tmp_path / "kb"
    sync_tree(root, {**PAGES, "stale.md": "# Stale\n"})
    _age_all(root)
    report = sync_tree(root, ((rel, text) for rel, text in {**PAGES, "index.md": "# Home, revised\n"}.items()))
    assert _tree(root) == {**PAGES, "index.md": "# Home, revised\n"}
    assert (report.written, report.removed, report.unchanged) == (["index.md"], ["stale.md"], 3)


def test_a_page_can_sit_where_a_stale_file_was_a_folder_name(tmp_path):
    root = tmp_path / "kb"
    sync_tree(root, {"map": "a file\n", "other.md": "# Other\n"})
    report = sync_tree(root, {"map/index.md": "# Map\n", "other.md": "# Other\n"})
    assert _tree(root) == {"map/index.md": "# Map\n", "other.md": "# Other\n"}
    assert report.removed == ["map"]
    report.undo()
    assert _tree(root) == {"map": "a file\n", "other.md": "# Other\n"}


def test_undo_after_a_page_replaced_a_folder_brings_the_folder_back(tmp_path):
    root = tmp_path / "kb"
    sync_tree(root, {"map/index.md": "# Map\n", "map/a.md": "# A\n"})
    report = sync_tree(root, {"map": "now a file\n"})
    assert _tree(root) == {"map": "now a file\n"}
    report.undo()
    assert _tree(root) == {"map/index.md": "# Map\n", "map/a.md": "# A\n"}


def test_a_stream_that_fails_midway_undoes_the_sync(tmp_path):
    root = tmp_path / "kb"
    sync_tree(root, {**PAGES, "stale.md": "# Stale\n"})
    _age_all(root)
    before = _tree(root)

    def pages():
        yield "index.md", "# Home, revised\n"
        yield "new/page.md", "# New\n"
        raise RuntimeError("template error")

    try:
        sync_tree(root, pages())
    except RuntimeError:
        pass
    else:
        raise AssertionError("the renderer's error should have propagated")
    assert _tree(root) == before
    assert all(p.stat().st_mtime_ns == OLD for p in root.rglob("*") if p.is_file())


def test_text_in_pieces_is_written_compared_and_undone_like_whole_text(tmp_path):
    root = tmp_path / "kb"
    report = sync_tree(root, [("data/big.json", iter(["{", '"a":', "1}\n"])), ("index.md", "# Home\n")])
    assert _tree(root) == {"data/big.json": '{"a":1}\n', "index.md": "# Home\n"}
    assert sorted(report.written) == ["data/big.json", "index.md"]
    _age_all(root)
    report = sync_tree(root, [("data/big.json", iter(['{"a":', "1}\n"])), ("index.md", "# Home\n")])
    assert (report.written, report.unchanged) == ([], 2)
    assert (root / "data/big.json").stat().st_mtime_ns == OLD
    for changed in (['{"a":', "2}\n"], ['{"a":', "1}\n", " "], ['{"a":1']):  # other text, longer, shorter
        report = sync_tree(root, [("data/big.json", iter(changed)), ("index.md", "# Home\n")])
        assert report.written == ["data/big.json"]
        assert (root / "data/big.json").read_text(encoding="utf-8") == "".join(changed)
        report.undo()
        assert (root / "data/big.json").read_text(encoding="utf-8") == '{"a":1}\n'
        assert (root / "data/big.json").stat().st_mtime_ns == OLD
    assert not list(root.rglob(".tmp-*"))


def test_a_failure_while_pieces_are_written_leaves_the_old_file(tmp_path):
    root = tmp_path / "kb"
    sync_tree(root, {"data/big.json": "old\n"})

    def pieces():
        yield "new, "
        raise RuntimeError("export failed")

    try:
        sync_tree(root, [("data/big.json", pieces())])
    except RuntimeError:
        pass
    else:
        raise AssertionError("the error should have propagated")
    assert _tree(root) == {"data/big.json": "old\n"}


def test_replace_folder_swaps_in_the_new_folder_and_deletes_the_old(tmp_path: Path) -> None:
    target, new = tmp_path / "site", tmp_path / ".site-new"
    (target / "old").mkdir(parents=True)
    (target / "old" / "page.html").write_text("old")
    (new / "kb").mkdir(parents=True)
    (new / "kb" / "page.html").write_text("new")

    replace_folder(new, target)

    assert (target / "kb" / "page.html").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_replace_folder_where_there_was_none(tmp_path: Path) -> None:
    (tmp_path / ".new").mkdir()
    (tmp_path / ".new" / "index.html").write_text("first")

    replace_folder(tmp_path / ".new", tmp_path / "site")

    assert (tmp_path / "site" / "index.html").read_text() == "first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_undo_keeps_the_old_files_on_disk_until_the_next_sync(tmp_path):
    root, undo = tmp_path / "kb", tmp_path / "undo"
    sync_tree(root, {**PAGES, "stale.md": "# Stale\n"}, undo_folder=undo)
    _age_all(root)
    report = sync_tree(root, {**PAGES, "index.md": "# Home, revised\n"}, undo_folder=undo)

    assert sorted(p.read_text(encoding="utf-8") for p in undo.iterdir()) == ["# Home\n", "# Stale\n"]
    report.undo()
    assert _tree(root) == {**PAGES, "stale.md": "# Stale\n"}
    assert all(p.stat().st_mtime_ns == OLD for p in root.rglob("*") if p.is_file())
    assert not undo.exists()

    report = sync_tree(root, {**PAGES, "index.md": "# Home, revised\n"}, undo_folder=undo)
    assert len(list(undo.iterdir())) == 2
    sync_tree(root, {**PAGES, "index.md": "# Home, revised\n"}, undo_folder=undo)  # nothing to keep this time
    assert not undo.exists() or not list(undo.iterdir())


def test_undo_without_hard_links_keeps_the_old_bytes(tmp_path, monkeypatch):
    import errno

    root = tmp_path / "kb"
    sync_tree(root, {**PAGES, "stale.md": "# Stale\n", "data/big.json": "[1]\n"})
    _age_all(root)

    def no_links(*args, **kwargs):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", no_links)
    report = sync_tree(root, {**PAGES, "index.md": "# Home, revised\n", "data/big.json": iter(["[2]\n"])})
    assert report.written == ["index.md", "data/big.json"] and report.removed == ["stale.md"]
    report.undo()
    assert _tree(root) == {**PAGES, "stale.md": "# Stale\n", "data/big.json": "[1]\n"}
    assert all(p.stat().st_mtime_ns == OLD for p in root.rglob("*") if p.is_file())
