"""Which state of the evidence a build shows, so that a citation can name it: the newest release the
build contains (a git tag vYYYY.N, generator/versions.py), whether each record is unchanged since that
release, and an exact label for the build itself (`git describe`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from generator.versions import Release, current_release, git_or_none


@dataclass(frozen=True)
class BuildVersion:
    release: Release | None = None
    """The newest release HEAD contains; None before the first release or outside git."""
    label: str | None = None
    """The build's own version: the release ('v2026.1'), or `git describe` after it
    ('v2026.1-3-gabc1234', three commits later). None before the first release or outside git."""
    commit: str | None = None
    """The commit built (short id); None outside git."""
    changed: frozenset[str] = field(default_factory=frozenset)
    """Paths (relative to the project root) changed since the release, committed or not."""
    added: frozenset[str] = field(default_factory=frozenset)
    """Those of them the release did not have."""

    def record_release(self, path: str) -> Release | None:
        """The release whose text of this record file is the one built, if any."""
        return self.release if self.release is not None and path not in self.changed else None


def _relative(paths: str, prefix: str) -> set[str]:
    """NUL-separated paths from the repository root -> those under `prefix`, relative to it."""
    return {path[len(prefix):] for path in paths.split("\0") if path and path.startswith(prefix)}


def build_version(root: Path, folder: str = "evidence") -> BuildVersion:
    """The version facts for a build of `root` (which may be a subfolder of its repository)."""
    head = (git_or_none(root, "rev-parse", "--short", "HEAD") or "").strip()
    if not head:
        return BuildVersion()
    prefix = (git_or_none(root, "rev-parse", "--show-prefix") or "").strip()
    release, exact = current_release(root)
    dirty = _relative(git_or_none(root, "status", "--porcelain=v1", "-z", "--no-renames", "--untracked-files=all",
                           "--", folder) or "", "")
    changed = _relative("\0".join(entry[3:] for entry in dirty), prefix)  # 'XY path' from the repository root
    untracked = _relative("\0".join(entry[3:] for entry in dirty if entry.startswith("??")), prefix)
    if release is None:
        return BuildVersion(commit=head, changed=frozenset(changed))
    diff = ("diff", "-z", "--no-renames", release.commit, "HEAD", "--", folder)
    changed |= _relative(git_or_none(root, diff[0], "--name-only", *diff[1:]) or "", prefix)
    added = untracked | _relative(git_or_none(root, diff[0], "--name-only", "--diff-filter=A", *diff[1:]) or "", prefix)
    label = release.version if exact and not changed else \
        (git_or_none(root, "describe", "--tags", "--match", "v[0-9]*", "--dirty") or "").strip() or f"{release.version}+"
    return BuildVersion(release=release, label=label, commit=head, changed=frozenset(changed), added=frozenset(added))
