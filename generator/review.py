"""Second-reader checks: each record carries when someone who did not write it checked it against its
source, and a digest of the fields that were checked. A later edit to any of those fields makes the
check stale ("changed since it was last checked") until a reader checks the record again.

The digest covers what a reader holds against the source (the claim, its quotes, numbers and grade),
folded for whitespace, so re-wrapping a paragraph does not expire a check; tags, links to vocabularies
and the computed `order` of a quote do not count.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from generator.models import Record

CHECKED_FIELDS: dict[str, tuple[str, ...]] = {
    "finding": ("statement", "evidence", "data", "confidence", "change-log"),
    "lesson": ("title", "summary", "findings", "origin", "caveats", "confidence", "change-log"),
    "context": ("dimension", "values", "evidence", "implication"),
    "comparison": ("title", "description", "locator", "columns"),
    "source": ("kind", "design", "setting", "sample", "limitations", "funding", "notes"),
}
"""Per record kind, the fields a second reader checks against the source (and the digest covers)."""
KINDS = tuple(CHECKED_FIELDS)
NOT_CHECKED_IN_EVIDENCE = {"order"}
"""Computed from the source text, not written by a person: not part of what is checked."""

State = Literal["current", "changed", "unchecked"]


@dataclass(frozen=True)
class ReviewStatus:
    state: State
    date: datetime.date | None = None
    by: str | None = None


def _folded(value):
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, dict):
        return {key: _folded(item) for key, item in value.items() if key not in NOT_CHECKED_IN_EVIDENCE}
    if isinstance(value, list):
        return [_folded(item) for item in value]
    return value


def _attribute(field: str) -> str:
    """The model attribute of a field as written in the YAML (change-log -> change_log)."""
    return field.replace("-", "_")


def digest(kind: str, record: Record) -> str:
    """16 hex digits of SHA-256 over the checked fields, whitespace-folded, as canonical JSON."""
    fields = record.model_dump(mode="json", by_alias=True, include={_attribute(name) for name in CHECKED_FIELDS[kind]},
                               exclude_none=True)
    if not fields.get("change-log", True):
        del fields["change-log"]  # no entries: the digest of a record without a log is as it always was
    canonical = json.dumps(_folded(fields), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def status(kind: str, record: Record) -> ReviewStatus:
    check = record.checked
    if check is None:
        return ReviewStatus("unchecked")
    state: State = "current" if check.digest == digest(kind, record) else "changed"
    return ReviewStatus(state, check.date, check.by)


def all_records(records) -> list[tuple[str, Record]]:
    """(kind, record) for every record, in kind then id order."""
    return [(kind, record) for kind in KINDS for _, record in sorted(records.of_kind(kind).items())]


@dataclass(frozen=True)
class ReviewSummary:
    current: int
    changed: list[tuple[str, str]]
    unchecked: list[tuple[str, str]]
    statuses: dict[tuple[str, str], ReviewStatus]
    """(kind, id) -> its status: each record's digest is computed once, here."""

    @property
    def total(self) -> int:
        return self.current + len(self.changed) + len(self.unchecked)

    @property
    def share_current(self) -> str:
        """'99%': rounded down, so the share never reads 100% while a record is unchecked."""
        return whole_percent(self.current, self.total)


def whole_percent(part: int, total: int) -> str:
    return f"{100 * part // total if total else 100}%"


def summarise(records) -> ReviewSummary:
    current, changed, unchecked, statuses = 0, [], [], {}
    for kind, record in all_records(records):
        found = statuses[kind, record.id] = status(kind, record)
        if found.state == "current":
            current += 1
        else:
            (changed if found.state == "changed" else unchecked).append((kind, record.id))
    return ReviewSummary(current, changed, unchecked, statuses)


# --- marking records checked -------------------------------------------------------------------

def checked_block(date: datetime.date, by: str, record_digest: str) -> str:
    return (f"checked:\n  date: \"{date.isoformat()}\"\n  by: {json.dumps(by, ensure_ascii=False)}\n"
            f"  digest: {record_digest}\n")


def with_top_level_block(text: str, key: str, block: str) -> str:
    """The file text with its top-level `key:` block replaced by `block` (appended if there is none),
    leaving every other line as the contributor wrote it."""
    if not text.endswith("\n"):
        text += "\n"
    pattern = re.compile(rf"^{re.escape(key)}:[^\n]*\n(?:[ \t]+[^\n]*\n|[ \t]*\n)*", re.M)
    if pattern.search(text):
        return pattern.sub(lambda _: block, text, count=1)
    return text + block


def with_checked_block(text: str, block: str) -> str:
    return with_top_level_block(text, "checked", block)


class MarkError(Exception):
    """A record to mark cannot be found, or is named ambiguously."""


def find_targets(records, names: list[str]) -> list[tuple[str, Record]]:
    """Records named as `id` or `kind/id` (e.g. `finding/killoran-x`)."""
    targets = []
    for name in names:
        kind, _, record_id = name.rpartition("/")
        kinds = [kind] if kind else [k for k in KINDS if name in records.of_kind(k)]
        if kind and kind not in KINDS:
            raise MarkError(f"unknown record kind '{kind}' in '{name}'; use one of: {', '.join(KINDS)}")
        found = [(k, records.of_kind(k)[record_id]) for k in kinds if record_id in records.of_kind(k)]
        if not found:
            raise MarkError(f"no record '{name}'; give a record id, e.g. killoran-tpp-definition")
        if len(found) > 1:
            raise MarkError(f"'{name}' is the id of a {found[0][0]} and a {found[1][0]}; "
                            f"write {found[0][0]}/{record_id} or {found[1][0]}/{record_id}")
        targets.append(found[0])
    return targets


def mark_checked(records, targets: list[tuple[str, Record]], by: str, date: datetime.date) -> list[Path]:
    """Write a current `checked:` block into each target's file; returns the files changed."""
    written = []
    for kind, record in targets:
        path = records.files[(kind, record.id)].path
        text = path.read_text(encoding="utf-8")
        new = with_checked_block(text, checked_block(date, by, digest(kind, record)))
        if new != text:
            path.write_text(new, encoding="utf-8")
            written.append(path)
    return written


def finding_grades_block(grades: dict[str, str]) -> str:
    return "finding-grades:\n" + "".join(f"  {finding_id}: {level}\n" for finding_id, level in grades.items())


def mark_assessed(records, lessons: list, findings: dict) -> list[Path]:
    """Record, in each lesson's file, the grades of its findings its confidence was assessed against."""
    from generator.grading import current_finding_grades

    written = []
    for lesson in lessons:
        path = records.files[("lesson", lesson.id)].path
        text = path.read_text(encoding="utf-8")
        new = with_top_level_block(text, "finding-grades", finding_grades_block(current_finding_grades(lesson, findings)))
        if new != text:
            path.write_text(new, encoding="utf-8")
            written.append(path)
    return written
