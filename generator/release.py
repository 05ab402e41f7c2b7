"""Cutting a release: check the evidence, write what changed since the previous release at the top of
CHANGELOG.md, describe the release for citation (CITATION.cff) and for archiving with a DOI
(.zenodo.json), commit those three files and tag the commit vYYYY.N.

`plan_release` refuses (ReleaseError) or prepares everything without writing; `publish` writes,
commits and tags. The evidence check raises EvidenceError, the address AddressError."""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from generator.address import HOW_TO_SET, resolve
from generator.citations import mkdocs_settings
from generator.history import (EvidenceChanges, HistoryError, RecordChange, evidence_changes, require_repository,
                               run_git)
from generator.project import Project
from generator.versions import VERSION_PATTERN, Release, next_version, releases, version_key

CHANGELOG = "CHANGELOG.md"
CITATION = "CITATION.cff"
ZENODO = ".zenodo.json"
RELEASE_FILES = (CHANGELOG, CITATION, ZENODO)
LICENCE = "CC-BY-4.0"
CHANGELOG_HEADER = """\
# Changelog

What changed in the evidence in each release, newest first. A release is a git tag vYYYY.N: the year,
then the release's number within that year (v2026.1, v2026.2, v2027.1). `python -m generator release`
writes each section from the records themselves: the grades that changed (with the reason the record's
change log gives), then the records added, changed and removed since the previous release.
"""


class ReleaseError(Exception):
    """The release cannot be made as asked; the message says why and what to do."""


@dataclass(frozen=True)
class Plan:
    """A release ready to be written: nothing has been written yet."""

    version: str
    date: str
    """The release date, YYYY-MM-DD."""
    previous: Release | None
    """The release before it, if any."""
    changes: EvidenceChanges
    section: str
    """This release's CHANGELOG.md section, heading included; also the tag's message."""
    files: dict[str, str]
    """File name (at the project root) -> its new text."""


def _git(root: Path, *args: str, stdin: str | None = None) -> str:
    try:
        return run_git(root, *args, stdin=stdin.encode("utf-8") if stdin is not None else None).decode("utf-8")
    except HistoryError as exc:
        raise ReleaseError(str(exc)) from None


def _has_tag(root: Path, version: str) -> bool:
    try:
        _git(root, "rev-parse", "--verify", "--quiet", f"refs/tags/{version}")
    except ReleaseError:
        return False
    return True


def _refuse_version(root: Path, version: str, year: int) -> Release | None:
    """The latest release, after refusing a version that is malformed, taken, or not after it."""
    found = releases(root)
    latest = found[0] if found else None
    suggestion = next_version(latest.version if latest else None, year)
    if not VERSION_PATTERN.match(version):
        raise ReleaseError(f"'{version}' is not a release version: write vYYYY.N, the year and then the "
                           f"release's number within that year from 1, e.g. {suggestion}")
    try:
        require_repository(root)
    except HistoryError as exc:
        raise ReleaseError(str(exc)) from None
    if _has_tag(root, version):
        raise ReleaseError(f"{version} already exists as a tag; choose the next version, {suggestion}")
    if latest and version_key(version) <= latest.key:
        raise ReleaseError(f"{version} is not after the latest release, {latest.version}; "
                           f"choose a later version, e.g. {suggestion}")
    return latest


def _refuse_uncommitted(root: Path) -> None:
    try:
        _git(root, "rev-parse", "--verify", "--quiet", "HEAD")
    except ReleaseError:
        raise ReleaseError("the repository has no commit yet; commit the evidence first") from None
    out = _git(root, "status", "--porcelain", "-z", "--untracked-files=all", "--", "evidence")
    paths = [entry[3:] for entry in out.split("\0") if len(entry) > 3 and entry[2] == " "]
    if paths:
        shown = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
        raise ReleaseError(f"evidence/ has uncommitted changes ({shown}); commit or stash first, so that the "
                           "release describes what is committed")


def plan_release(root: Path, version: str, on: datetime.date, site_url: str | None = None) -> Plan:
    """Refuse what cannot be released, check the evidence, and prepare the files (writing nothing).

    Raises ReleaseError (a refusal), AddressError (a published address that cannot be one) or
    EvidenceError (problems in the evidence)."""
    from generator.pipeline import check

    root = Path(root)
    latest = _refuse_version(root, version, on.year)
    _refuse_uncommitted(root)
    addresses = resolve(root, site_url=site_url)
    if addresses.site_url is None:
        raise ReleaseError(f"a release needs the address the site is published at, for its links and its "
                           f"citation: {HOW_TO_SET}")
    check(Project.at(root))
    try:
        changes = evidence_changes(root, latest.version if latest else None, "HEAD")
    except HistoryError as exc:
        raise ReleaseError(str(exc)) from None
    section = changelog_section(version, on.isoformat(), changes, addresses.site_url, latest)
    settings = _site_settings(root)
    keywords = _theme_labels(root)
    files = {
        CHANGELOG: with_section(_read(root / CHANGELOG) or CHANGELOG_HEADER, version, section),
        CITATION: citation_cff(settings, version, on.isoformat(), addresses.site_url, addresses.repo_url, keywords),
        ZENODO: zenodo_json(settings, version, on.isoformat(), addresses.site_url, keywords),
    }
    return Plan(version, on.isoformat(), latest, changes, section, files)


def publish(root: Path, plan: Plan, tag: bool = True) -> str | None:
    """Write the plan's files, commit them ("Release vYYYY.N") and, with `tag`, tag the commit with the
    changelog section as the message. Returns the new commit's id, or None when the files were already
    as planned (a release made with --no-tag, now tagged). Other staged changes are not committed."""
    root = Path(root)
    for name, text in plan.files.items():
        (root / name).write_text(text, encoding="utf-8")
    _git(root, "add", "--", *plan.files)
    staged = _git(root, "diff", "--cached", "--name-only", "--", *plan.files).split()
    commit = None
    if staged:
        _git(root, "commit", "-q", "-m", f"Release {plan.version}", "--", *plan.files)
        commit = _git(root, "rev-parse", "HEAD").strip()
    if tag:
        _git(root, "tag", "-a", "--cleanup=verbatim", "-F", "-", plan.version, stdin=plan.section)
    return commit


# --- what the release writes ----------------------------------------------------------------------

def page_url(site_url: str, item: RecordChange) -> str:
    """The record's page; a context row's is its comparison's page, at the row."""
    if item.kind == "context":
        return f"{site_url}kb/comparisons/{item.comparison}/#{item.id}" if item.comparison \
            else f"{site_url}kb/comparisons/"
    return f"{site_url}kb/{item.kind}s/{item.id}/"


def changelog_section(version: str, date: str, changes: EvidenceChanges, site_url: str,
                      previous: Release | None) -> str:
    """The release's CHANGELOG.md section: '## vYYYY.N — date', then the grades changed, and the
    records added, changed and removed, each list with its count; records link to their pages."""
    lines = [f"## {version} — {date}", ""]
    if changes.empty:
        return "\n".join([*lines, f"No evidence changes since {previous.version}." if previous
                           else "No evidence changes.", ""])
    lines += [f"Changes to the evidence since {previous.version}." if previous else "The first release.", ""]
    linked = {(item.kind, item.id): item for item in changes.changed}

    def link(item: RecordChange) -> str:
        return f"{item.kind} [{item.id}]({page_url(site_url, item)})"

    def label(item: RecordChange) -> str:
        return f": {markdown_text(item.label)}" if item.label else ""

    groups = [
        ("Grades changed", [f"- {link(linked[(g.kind, g.id)])}: {g.old} → {g.new} — "
                            f"{markdown_text(g.why) if g.why else 'no reason recorded'}" for g in changes.grades]),
        ("Added", [f"- {link(item)}{label(item)}" for item in changes.added]),
        ("Changed", [f"- {link(item)}: {markdown_text('; '.join(item.changes))}" for item in changes.changed]),
        ("Removed", [f"- {item.kind} {item.id}{label(item)}" for item in changes.removed]),
    ]
    for title, entries in groups:
        if entries:
            lines += [f"### {title} ({len(entries)})", "", *entries, ""]
    return "\n".join(lines)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def markdown_text(text: str) -> str:
    """Record text shown as itself in Markdown: no link, emphasis, code or HTML tag of its own."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def with_section(text: str, version: str, section: str) -> str:
    """CHANGELOG.md's text with `section` as the newest: in place of the version's own section if it
    has one (a release re-run), else before the first section."""
    lines = text.splitlines(keepends=True)
    heading = re.compile(rf"^## {re.escape(version)}(\s|$)")
    start = next((i for i, line in enumerate(lines) if heading.match(line)), None)
    if start is None:
        start = end = next((i for i, line in enumerate(lines) if line.startswith("## ")), len(lines))
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    head, rest = "".join(lines[:start]).rstrip("\n"), "".join(lines[end:])
    return head + "\n\n" + section + ("\n" + rest if rest else "")


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def _site_settings(root: Path) -> dict[str, str]:
    """site_name and site_description from mkdocs.yml; ReleaseError without a site_name."""
    config = mkdocs_settings(root / "mkdocs.yml")
    name = " ".join(str(config.get("site_name") or "").split())
    if not name:
        raise ReleaseError("mkdocs.yml has no site_name: the release's citation needs a title; set site_name "
                           "in mkdocs.yml")
    return {"name": name, "description": " ".join(str(config.get("site_description") or "").split())}


def _theme_labels(root: Path) -> list[str]:
    """The themes' labels (evidence/themes.yaml), as the release's keywords."""
    try:
        themes = yaml.safe_load(_read(root / "evidence" / "themes.yaml") or "") or {}
    except yaml.YAMLError:
        return []
    return [" ".join(term["label"].split()) for term in (themes.values() if isinstance(themes, dict) else ())
            if isinstance(term, dict) and isinstance(term.get("label"), str)]


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is one)."""
    return json.dumps(text, ensure_ascii=False)


def citation_cff(settings: dict[str, str], version: str, date: str, site_url: str, repo_url: str | None,
                 keywords: list[str]) -> str:
    """CITATION.cff (Citation File Format 1.2.0) for the release, as a dataset."""
    lines = [
        "# How to cite this release of the evidence base. Written by `python -m generator release`.",
        "cff-version: 1.2.0",
        'message: "If you use this evidence base, please cite this release of it as below."',
        "type: dataset",
        f"title: {_quoted(settings['name'])}",
        "authors:",
        f"  - name: {_quoted(settings['name'] + ' contributors')}",
        f"version: {_quoted(version)}",
        f"date-released: {_quoted(date)}",
        f"url: {_quoted(site_url)}",
        *([f"repository-code: {_quoted(repo_url)}"] if repo_url else []),
        f"license: {LICENCE}",
        *([f"abstract: {_quoted(settings['description'])}"] if settings["description"] else []),
        *(["keywords:", *(f"  - {_quoted(keyword)}" for keyword in keywords)] if keywords else []),
    ]
    return "\n".join(lines) + "\n"


def zenodo_json(settings: dict[str, str], version: str, date: str, site_url: str, keywords: list[str]) -> str:
    """.zenodo.json: the metadata Zenodo's GitHub integration gives the deposit (and DOI) it makes of
    each GitHub release. The site is related as isSupplementTo: the deposit is the release's fixed
    copy of the records the live site presents (not isIdenticalTo: the site moves on after the
    release)."""
    metadata = {
        "title": settings["name"],
        "upload_type": "dataset",
        "description": settings["description"] or settings["name"],
        "creators": [{"name": f"{settings['name']} contributors"}],
        "access_right": "open",
        "license": LICENCE.lower(),
        "version": version,
        "publication_date": date,
        **({"keywords": keywords} if keywords else {}),
        "related_identifiers": [{"identifier": site_url, "relation": "isSupplementTo", "scheme": "url"}],
    }
    return json.dumps(metadata, indent=2, ensure_ascii=False) + "\n"
