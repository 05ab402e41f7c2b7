"""Stage 6, write: bring the generated folder in line with the rendered pages.

Only files whose content changed are written (so the site engine's file watcher rebuilds only what
changed), stale files are removed, every write is atomic (temp file + rename), and the whole sync can
be undone if the site build that follows fails.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class SyncReport:
    root: Path
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    created_root: bool = False
    _previous: dict[str, tuple[bytes, int] | None] = field(default_factory=dict, repr=False)
    """Relative path -> (content, mtime in ns) before this sync, or None if the file was new."""

    def undo(self) -> None:
        """Restore every file this sync wrote or removed to what it was before, modification time
        included, so a watcher sees no change."""
        for rel, previous in self._previous.items():
            path = self.root / rel
            if previous is None:
                path.unlink(missing_ok=True)
            else:
                content, mtime_ns = previous
                _atomic_write(path, content)
                os.utime(path, ns=(mtime_ns, mtime_ns))
        _remove_empty_dirs(self.root)
        if self.created_root and self.root.is_dir() and not any(self.root.iterdir()):
            self.root.rmdir()

    def summary(self) -> str:
        return f"{len(self.written)} written, {len(self.removed)} removed, {self.unchanged} unchanged"


def _atomic_write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _remove_empty_dirs(root: Path) -> None:
    if not root.exists():
        return
    for directory in sorted((p for p in root.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
        if not any(directory.iterdir()):
            directory.rmdir()


def sync_tree(root: Path, pages: dict[str, str]) -> SyncReport:
    """Write `pages` (relative path -> text) under `root`; remove every other file there.

    All or nothing: if any write fails, what this sync already did is undone before the error
    propagates."""
    report = SyncReport(root, created_root=not root.exists())
    existing = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} if root.exists() else set()
    try:
        # Stale files go first, so a page may take the place of a folder that held only stale files.
        for rel in sorted(existing - pages.keys()):
            path = root / rel
            report._previous[rel] = (path.read_bytes(), path.stat().st_mtime_ns)
            path.unlink()
            report.removed.append(rel)
        _remove_empty_dirs(root)
        for rel, text in pages.items():
            content = text.encode("utf-8")
            path = root / rel
            old = path.read_bytes() if rel in existing else None
            if old == content:
                report.unchanged += 1
                continue
            report._previous[rel] = None if old is None else (old, path.stat().st_mtime_ns)
            _atomic_write(path, content)
            report.written.append(rel)
    except BaseException:
        report.undo()
        raise
    return report
