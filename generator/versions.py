"""Releases of the evidence base: git tags vYYYY.N (the year, then the release's number within that
year from 1) and their sections in CHANGELOG.md."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from generator.history import HistoryError, run_git

VERSION_PATTERN = re.compile(r"^v\d{4}\.[1-9]\d*$")
"""A release version: v2026.1, v2026.2, v2027.1."""
_SECTION_HEADING = re.compile(r"^## (v\d{4}\.[1-9]\d*)(?:\s|$)")


@dataclass(frozen=True)
class Release:
    version: str
    """The tag, e.g. v2026.1."""
    date: str
    """When it was tagged, YYYY-MM-DD."""
    commit: str
    """The full id of the commit it tags."""

    @property
    def key(self) -> tuple[int, int]:
        return version_key(self.version)


def version_key(version: str) -> tuple[int, int]:
    """(year, number) of a release version, for comparing versions: v2026.10 comes after v2026.9."""
    year, number = version[1:].split(".")
    return int(year), int(number)


def next_version(latest: str | None, year: int) -> str:
    """The version to suggest after `latest` in `year`: the next number in the same year, else .1."""
    if latest is not None:
        latest_year, number = version_key(latest)
        if latest_year >= year:
            return f"v{latest_year}.{number + 1}"
    return f"v{year}.1"


def git_or_none(root: Path, *args: str) -> str | None:
    """git's output for `args`, run in `root`; None outside git or when git fails."""
    try:
        return run_git(root, *args).decode("utf-8", "replace")
    except HistoryError:
        return None


def releases(root: Path) -> list[Release]:
    """Every release tag, newest version first. Empty outside git or before the first release."""
    fields = "%(refname:short)%00%(creatordate:short)%00%(*objectname)%00%(objectname)"
    out = git_or_none(root, "for-each-ref", f"--format={fields}", "refs/tags/v*")
    found = []
    for line in (out or "").splitlines():
        version, date, peeled, tagged = line.split("\0")
        if VERSION_PATTERN.match(version):
            found.append(Release(version, date, peeled or tagged))  # an annotated tag peels to its commit
    return sorted(found, key=lambda release: release.key, reverse=True)


def current_release(root: Path) -> tuple[Release | None, bool]:
    """The newest release that HEAD contains, and whether HEAD is exactly that release's commit.
    (None, False) outside git or before the first release."""
    merged = git_or_none(root, "tag", "--merged", "HEAD", "--list", "v*")
    head = (git_or_none(root, "rev-parse", "--verify", "--quiet", "HEAD") or "").strip()
    if merged is None or not head:
        return None, False
    contained = set(merged.split())
    release = next((release for release in releases(root) if release.version in contained), None)
    return release, release is not None and release.commit == head


def changelog_sections(path: Path) -> dict[str, str]:
    """Version -> the Markdown under its '## vYYYY.N — date' heading in CHANGELOG.md, up to the next
    '## ' heading, without the heading. Empty when the file does not exist."""
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return {}
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("## "):
            heading = _SECTION_HEADING.match(line)
            current = sections.setdefault(heading[1], []) if heading else None
        elif current is not None:
            current.append(line)
    return {version: "\n".join(lines).strip() for version, lines in sections.items()}
