"""Stage 6, write: bring the generated folder in line with the rendered pages.

Only files whose content changed are written (so the site engine's file watcher rebuilds only what
changed), stale files are removed, a file that is replaced is replaced atomically (temp file +
rename), and the whole sync can be undone if the site build that follows fails.

Undo keeps what a sync replaced or removed on disk, not in memory: a hard link to each old file in
an undo folder (the pipeline's is `.cache/generator/undo`, outside docs/, so neither the site engine
nor its file watcher sees it). A rebuild that rewrites every page (a template change) thus holds no
old pages in memory. The links stay until the next sync starts (a report can be undone until then).
Where a hard link cannot be made (another file system, or none supported) the old bytes are kept in
memory instead.
"""

from __future__ import annotations

import os
import shutil
import threading
from dataclasses import dataclass, field
from collections.abc import Iterable, Mapping
from pathlib import Path


@dataclass
class SyncReport:
    root: Path
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    created_root: bool = False
    undo_folder: Path | None = None
    """Where the old files this sync replaced or removed are kept as hard links (None: a hidden
    folder beside `root`)."""
    _previous: dict[str, tuple[Path | bytes, int] | None] = field(default_factory=dict, repr=False)
    """Relative path -> (the old file, as a hard link in the undo folder or as its bytes; its mtime
    in ns) before this sync, or None if the file was new."""

    def __post_init__(self) -> None:
        if self.undo_folder is None:
            self.undo_folder = self.root.with_name(f".{self.root.name}-undo")

    def _save(self, rel: str, path: Path, existed: bool = True, content: bytes | None = None) -> None:
        """Remember the file at `path` as it is now (or that there was none), once per sync: the
        first state is the one undo restores. `content`, if the caller has read it already, is the
        fallback without hard links."""
        if rel in self._previous:
            return
        if not existed:
            self._previous[rel] = None
            return
        mtime_ns = path.stat().st_mtime_ns
        # a link keeps the old content because this module never changes a file in place: a
        # rewrite replaces it with a new file (rename), a removal only unlinks its name
        saved = self.undo_folder / str(len(self._previous))
        try:
            saved.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, saved)
            self._previous[rel] = (saved, mtime_ns)
        except OSError:  # no hard links on this file system
            self._previous[rel] = (path.read_bytes() if content is None else content, mtime_ns)

    def undo(self) -> None:
        """Restore every file this sync wrote or removed to what it was before, modification time
        included, so a watcher sees no change. Last change first: a page that replaced a folder goes
        before the folder's files come back."""
        for rel, previous in reversed(self._previous.items()):
            path = self.root / rel
            if previous is None:
                path.unlink(missing_ok=True)
                _remove_empty_parents(path, self.root)
            else:
                saved, mtime_ns = previous
                if isinstance(saved, Path):
                    path.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(saved, path)
                else:
                    _atomic_write(path, saved)
                os.utime(path, ns=(mtime_ns, mtime_ns))
        self._previous.clear()
        shutil.rmtree(self.undo_folder, ignore_errors=True)
        _remove_empty_dirs(self.root)
        if self.created_root and self.root.is_dir() and not any(self.root.iterdir()):
            self.root.rmdir()

    def summary(self) -> str:
        return f"{len(self.written)} written, {len(self.removed)} removed, {self.unchanged} unchanged"


def _atomic_write(path: Path, content: bytes, existed: bool = True) -> None:
    """Write `content` to `path`. A file that is already there is replaced atomically (a temporary
    file beside it, then a rename), so a reader never sees it half-written; a new file is written in
    place, which is about half the system calls (creating the 10,000 pages of a first build is the
    common case), and a failed write removes what it wrote. Files get the usual permissions (0666
    less the umask)."""
    if not existed:
        try:
            _create(path, content)
            return
        except FileExistsError:  # appeared since the sync listed the folder: replace it
            pass
    temporary = _temporary_beside(path)
    try:
        _create(temporary, content, exclusive=False)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _create(path: Path, content: bytes, exclusive: bool = True) -> None:
    """Write a file that is not there yet (with `exclusive`, fail if it is); on failure remove it."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    try:
        fd = os.open(path, flags, 0o666)
    except FileNotFoundError:  # its folder is new: made on the first file, not checked for every file
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, flags, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _temporary_beside(path: Path) -> Path:
    """A temporary name in `path`'s folder, unique to this process and thread (a leftover of a
    crashed run with the same process id is overwritten)."""
    return path.with_name(f".tmp-{os.getpid()}-{threading.get_ident()}-{path.name}")


def _remove_empty_parents(path: Path, root: Path) -> None:
    """Remove the folders above `path` that are now empty, up to (not including) `root`."""
    for parent in path.parents:
        if parent == root or not parent.is_relative_to(root) or any(parent.iterdir()):
            return
        parent.rmdir()


def _remove_empty_dirs(root: Path) -> None:
    """Remove every empty folder under `root` (not `root` itself)."""
    if not root.exists():
        return
    for directory in sorted((p for p in root.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
        if not any(directory.iterdir()):
            directory.rmdir()


def sync_tree(root: Path, pages: Mapping[str, str] | Iterable[tuple[str, str | Iterable[str]]],
              undo_folder: Path | None = None) -> SyncReport:
    """Write `pages` (relative path -> text, or a stream of (path, text) pairs) under `root`; remove
    every other file there. A large file's text may come as an iterable of pieces: it is written
    and compared piece by piece, never held whole.

    Pages are written as they arrive, so a renderer can stream them without holding them all. A page
    may take the place of a folder (or sit under a path that was a file): whatever is in its way
    cannot be a page of this sync, so it is removed first. All or nothing: if any write fails (or the
    stream raises), what this sync already did is undone before the error propagates. The old files
    are kept in `undo_folder` (emptied first; by default a hidden folder beside `root`) until the
    next sync, so the returned report can undo the sync until then."""
    report = SyncReport(root, created_root=not root.exists(), undo_folder=undo_folder)
    shutil.rmtree(report.undo_folder, ignore_errors=True)  # the previous sync can no longer be undone
    existing = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} if root.exists() else set()
    existing_dirs = {parent for rel in existing for parent in _parents(rel)}
    items = pages.items() if isinstance(pages, Mapping) else pages
    seen: set[str] = set()
    try:
        for rel, text in items:
            seen.add(rel)
            if rel in existing_dirs or any(parent in existing for parent in _parents(rel)):
                _clear_the_way(report, existing, existing_dirs, rel)
            if isinstance(text, str):
                _write_if_changed(report, rel, text.encode("utf-8"), rel in existing)
            else:
                _write_pieces_if_changed(report, rel, text, rel in existing)
        for rel in sorted(existing - seen):
            _remove(report, rel)
        _remove_empty_dirs(root)
    except BaseException:
        report.undo()
        raise
    report.removed.sort()
    return report


def _parents(rel: str) -> list[str]:
    """'a/b/c.md' -> ['a', 'a/b']"""
    parts = rel.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def _clear_the_way(report: SyncReport, existing: set[str], existing_dirs: set[str], rel: str) -> None:
    """Remove the old files where page `rel` goes: a file at one of its parent paths, or a folder at
    its path. Neither can be a page of this sync (a path cannot be both a file and a folder)."""
    in_the_way = [parent for parent in _parents(rel) if parent in existing]
    if rel in existing_dirs:
        in_the_way += sorted(old for old in existing if old.startswith(rel + "/"))
    for old in in_the_way:
        if old not in report._previous:
            _remove(report, old)
        existing.discard(old)
    if rel in existing_dirs:
        _remove_empty_dirs(report.root / rel)
        (report.root / rel).rmdir()
        existing_dirs.difference_update(d for d in list(existing_dirs) if d == rel or d.startswith(rel + "/"))


def _remove(report: SyncReport, rel: str) -> None:
    path = report.root / rel
    report._save(rel, path)
    path.unlink()
    report.removed.append(rel)


def _write_pieces_if_changed(report: SyncReport, rel: str, pieces: Iterable[str], existed: bool) -> None:
    """_write_if_changed for text in pieces: write them to a temporary file beside the target while
    comparing them with the old file; keep the old file (and drop the temporary one) if equal."""
    path = report.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary_beside(path)
    try:
        with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666), "wb") as out, \
                open(path if existed else os.devnull, "rb") as old:
            same = existed
            for piece in pieces:
                content = piece.encode("utf-8")
                out.write(content)
                same = same and old.read(len(content)) == content
            same = same and old.read(1) == b""
        if same:
            tmp.unlink()
            report.unchanged += 1
            return
        report._save(rel, path, existed)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    report.written.append(rel)


def _write_if_changed(report: SyncReport, rel: str, content: bytes, existed: bool) -> None:
    path = report.root / rel
    old = path.read_bytes() if existed else None
    if old == content:
        report.unchanged += 1
        return
    report._save(rel, path, old is not None, old)
    _atomic_write(path, content, existed=old is not None)
    report.written.append(rel)


def replace_folder(new: Path, target: Path) -> None:
    """Put the folder `new` in the place of `target` (renames, so a reader sees the old folder or the
    new one, never a half-written one); the old folder is deleted afterwards. The old folder's
    temporary name is unique to this process and thread, so concurrent swaps do not collide."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}-old-{os.getpid()}-{threading.get_ident()}")
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
    new.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
