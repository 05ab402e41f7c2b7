"""Grade changes carry their reason: the `change-log` of findings and lessons.

Every `check` holds the log to the record (entries in date order; the latest grade change ends at the
record's level). `check --against REF` (CI on a pull request, against the main branch) also compares
each record's confidence level with the one at REF: a level that changed needs a new entry saying why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import Problem
from generator.grading import LEVEL_WORDS
from generator.history import HistoryError, records_at
from generator.models import ChangeLogEntry

GRADED_KINDS = {"finding": "findings", "lesson": "lessons"}
Locate = Callable[[tuple, str, str], Problem]


class RevisionError(ValueError):
    """The revision to compare against cannot be read; the message says how to make it readable."""


def entry_example(old: str, new: str, today: str) -> str:
    return (f'add to change-log: {{date: "{today}", what: "Grade {LEVEL_WORDS[old]} → {LEVEL_WORDS[new]}", '
            f'why: "<what in the source, or in a re-reading, made the change>", grade: {{from: {old}, to: {new}}}}}')


def log_problems(record: Any, locate: Locate) -> list[Problem]:
    """The change log against the record itself: dates in order, a grade change that changes
    something, and the latest grade change ending at the record's level."""
    problems = []
    log: list[ChangeLogEntry] = record.change_log
    for index in range(1, len(log)):
        if log[index].date < log[index - 1].date:
            problems.append(locate(("change-log", index, "date"),
                                   f"change-log entry dated {log[index].date} comes after one dated {log[index - 1].date}",
                                   "keep the entries oldest first: add new ones at the end"))
    for index, entry in enumerate(log):
        if entry.grade and entry.grade.from_ == entry.grade.to:
            problems.append(locate(("change-log", index, "grade"),
                                   f"change-log grade goes from {entry.grade.from_} to itself",
                                   "record the level before and the level after, or drop `grade`"))
    graded = [(index, entry) for index, entry in enumerate(log) if entry.grade]
    if graded and graded[-1][1].grade.to != record.confidence.level:
        index, entry = graded[-1]
        problems.append(locate(("change-log", index, "grade", "to"),
                               f"the latest grade change ends at {entry.grade.to}, but the record is graded "
                               f"{record.confidence.level}",
                               "add an entry for the later change, with its reason, or correct this one"))
    return problems


@dataclass(frozen=True)
class Before:
    """What a graded record was at the revision compared against."""

    level: str | None
    log_length: int


def levels_at(root: Path, revision: str) -> dict[tuple[str, str], Before]:
    """(kind, id) -> level and change-log length of every finding and lesson at `revision` (paths
    relative to `root`, which may be a subfolder of the repository)."""
    try:
        files = records_at(root, revision)
    except HistoryError:
        raise RevisionError(f"'{revision}' is not a commit in this repository; fetch it first "
                            f"(for example `git fetch origin main`) or name another revision") from None
    found = {}
    for path, record in files.items():
        for kind, plural in GRADED_KINDS.items():
            if path.startswith(f"evidence/{plural}/"):
                found[kind, Path(path).stem] = _before(record or {})
    return found


def _before(record: dict) -> Before:
    confidence = record.get("confidence")
    level = confidence.get("level") if isinstance(confidence, dict) else None
    log = record.get("change-log")
    return Before(level if isinstance(level, str) else None, len(log) if isinstance(log, list) else 0)


def unexplained_grade_changes(validated: Any, before: dict[tuple[str, str], Before], revision: str,
                              today: str) -> list[Problem]:
    """A record whose level differs from `before` and whose change log has no new entry recording
    that change (from the old level to the new) is a problem, located at its level."""
    problems = []
    for kind in GRADED_KINDS:
        for record_id, record in validated.of_kind(kind).items():
            then = next((before[kind, old] for old in (record_id, *record.aliases) if (kind, old) in before), None)
            if then is None or then.level is None or then.level == record.confidence.level:
                continue
            now = record.confidence.level
            new_entries = record.change_log[then.log_length:]
            if any(entry.grade and entry.grade.from_ == then.level and entry.grade.to == now for entry in new_entries):
                continue
            problems.append(validated.files[kind, record_id].problem(
                ("confidence", "level"),
                f"grade changed from {LEVEL_WORDS[then.level]} to {LEVEL_WORDS[now]} since {revision}, "
                f"and the change log gives no reason", entry_example(then.level, now, today)))
    return problems


def grade_changes(records: Any) -> list[tuple[ChangeLogEntry, str, str]]:
    """Every logged grade change as (entry, kind, record id), newest first."""
    changes = [(entry, kind, record_id) for kind in GRADED_KINDS for record_id, record in records.of_kind(kind).items()
               for entry in record.change_log if entry.grade]
    return sorted(changes, key=lambda change: (-change[0].date.toordinal(), change[1], change[2]))
