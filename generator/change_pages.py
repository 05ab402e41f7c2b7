"""The 'what changed' page family: the Rating changes page (every grade change with its reason) and a
record's History section. Dates and edits come from git (generator/history.py), reasons from the
records' change logs (generator/changelog.py)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from generator.build_version import BuildVersion
from generator.changelog import grade_changes
from generator.citations import SECTIONS
from generator.history import EvidenceChanges, HistoryError, evidence_changes
from generator.kb import KnowledgeBase
from generator.textsafe import md_text
from generator.versions import Release, releases


def rating_changes_page(kb: KnowledgeBase, page: Callable[..., str]) -> Iterator[tuple[str, str]]:
    yield "rating-changes.md", page("rating_changes.md.j2", changes=grade_changes(kb.records))


def history_items(change_log: list, git_changes: list, commit_url: Callable[[str], str | None]) -> list[tuple[str, Markup]]:
    """A record's history, newest first, as (date, Markdown): each git change in readable terms with
    the reason its change-log entry gives, and each change-log entry no git change accounts for."""
    items: list[tuple[str, Markup]] = []
    shown = set()
    for change in git_changes:
        text = Markup("; ").join(md_text(phrase) for phrase in change.changes) or Markup("Edited")
        entry = _log_entry_for(change, change_log, shown)
        if entry is not None:
            shown.add(id(entry))
            text += Markup(". Why: ") + md_text(entry.why)
        url = commit_url(change.commit)
        if url:
            text += Markup(" ([{}](<{}>))").format(change.commit[:7], url)
        items.append((change.date, text))
    for entry in change_log:
        if id(entry) not in shown:
            items.append((entry.date.isoformat(), md_text(entry.what) + Markup(". Why: ") + md_text(entry.why)))
    items.sort(key=lambda item: item[0], reverse=True)  # stable: git's own order within a day
    return items


def _log_entry_for(change, change_log: list, shown: set[int]):
    """The change-log entry that explains a git change of grade: the one added with it, else (an entry
    written later, for an earlier change) one recording the same change."""
    if not change.grade:
        return None
    same = [e for e in change_log if e.grade and (e.grade.from_, e.grade.to) == change.grade and id(e) not in shown]
    return next((e for e in same if e.why == change.why), same[-1] if same else None)


def record_path(kind: str, record_id: str) -> str:
    """The record's file, relative to the project root (as git and the history name it)."""
    return f"evidence/{SECTIONS[kind]}/{record_id}.yaml"


def cite_this_version(version: BuildVersion, path: str, repo_url: str | None, base: str = "../../") -> Markup:
    """Which version of the evidence holds the text shown, and where that version's text stays."""
    release = version.release
    versions = Markup(f"[all versions]({base}kb/versions.md)")
    if version.commit is None:
        return Markup("This build has no version information (it was made without the project's git history).")
    if release is None:
        return Markup("No release includes this record yet (this build is commit {}). Until one does, cite the "
                      "permanent address and the date you read it ({}).").format(version.commit, versions)
    at_release = Markup(" Its text in {}: <{}/blob/{}/{}>.").format(release.version, repo_url, release.version, path) \
        if repo_url else Markup("")
    day = datetime.date.fromisoformat(release.date)
    when = f"{day.day} {day:%B %Y}"
    if version.record_release(path) is not None:
        return Markup("**Cite this version:** release {} ({}), which holds this record exactly as shown here.{} "
                      "See {}.").format(release.version, when, at_release, versions)
    return Markup("**This record has changed since release {} ({}):** the text shown here is build {} and will be "
                  "in the next release.{} See {}.").format(release.version, when, md_text(version.label),
                                                          at_release if path not in version.added else Markup(""),
                                                          versions)


@dataclass(frozen=True)
class VersionEntry:
    release: Release
    previous: Release | None
    changes: EvidenceChanges | None
    """What changed since the previous release; None for the first release (everything is new)."""


def version_entries(root: Path, found: list[Release]) -> list[VersionEntry]:
    """Each release, newest first, with what changed in the evidence since the release before it
    (from the two trees in git, written with the site's own escaping, never copied from CHANGELOG.md)."""
    entries = []
    for index, release in enumerate(found):
        previous = found[index + 1] if index + 1 < len(found) else None
        changes = evidence_changes(root, previous.commit, release.commit) if previous else None
        entries.append(VersionEntry(release, previous, changes))
    return entries


def versions_page(root: Path, page: Callable[..., str], version: BuildVersion, repo_url: str | None,
                  with_git: bool) -> Iterator[tuple[str, str]]:
    try:
        entries = version_entries(root, releases(root)) if with_git else []
    except HistoryError:
        entries = []
    yield "versions.md", page("versions.md.j2", entries=entries, build_version=version, repo_url=repo_url,
                              with_git=with_git)
