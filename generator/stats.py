"""Counts for editors planning work: records by kind, stakeholder, theme and confidence, and gaps."""

from __future__ import annotations

from dataclasses import dataclass

from generator.kb import KnowledgeBase, coverage_problems
from generator.models import CONFIDENCE_LEVELS
from generator.review import summarise, whole_percent

KIND_NAMES = (("sources", "sources"), ("findings", "findings"), ("lessons", "lessons"),
              ("comparisons", "comparisons"), ("contexts", "context differences"))


@dataclass
class Stats:
    kinds: dict[str, int]
    """Record count per kind (sources, findings, ...)."""
    stakeholders: dict[str, dict[str, int]]
    """Stakeholder key -> {'lessons': n, 'findings': n}, every vocabulary term included."""
    themes: dict[str, dict[str, int]]
    """Theme key -> {'lessons': n, 'findings': n}, every vocabulary term included."""
    confidence: dict[str, dict[str, int]]
    """Confidence level -> {'findings': n, 'lessons': n}."""
    gaps: list[str]
    """Themes and stakeholders with fewer lessons than the threshold, and other coverage gaps."""
    min_lessons: int
    second_reading: dict[str, int]
    """Records whose second-reader check is current, changed since, or missing."""

    def to_dict(self) -> dict:
        return {"kinds": self.kinds, "stakeholders": self.stakeholders, "themes": self.themes,
                "confidence": self.confidence, "gaps": self.gaps, "min_lessons": self.min_lessons,
                "second_reading": self.second_reading}


def _tally(kb: KnowledgeBase, vocabulary: str) -> dict[str, dict[str, int]]:
    r = kb.records
    counts = {key: {"lessons": 0, "findings": 0} for key in getattr(r, vocabulary)}
    for group, records in (("lessons", r.lessons), ("findings", r.findings)):
        for record in records.values():
            for key in getattr(record, vocabulary):
                counts[key][group] += 1
    return counts


def collect_stats(kb: KnowledgeBase, min_lessons: int = 2) -> Stats:
    r = kb.records
    confidence = {level: {"findings": 0, "lessons": 0} for level in CONFIDENCE_LEVELS}
    for finding in r.findings.values():
        confidence[finding.confidence.level]["findings"] += 1
    for lesson in r.lessons.values():
        confidence[kb.lesson_confidence(lesson)]["lessons"] += 1
    stakeholders, themes = _tally(kb, "stakeholders"), _tally(kb, "themes")
    gaps = []
    for name, counts in (("stakeholder", stakeholders), ("theme", themes)):
        for key, count in sorted(counts.items(), key=lambda item: (item[1]["lessons"], item[0])):
            if count["lessons"] < min_lessons:
                gaps.append(f"{name} '{key}' has {count['lessons']} lesson{'s' if count['lessons'] != 1 else ''}")
    gaps += coverage_problems(kb)
    kinds = {key: len(getattr(r, key)) for key, _ in KIND_NAMES}
    review = summarise(r)
    second_reading = {"checked": review.current, "changed": len(review.changed), "unchecked": len(review.unchecked)}
    return Stats(kinds, stakeholders, themes, confidence, gaps, min_lessons, second_reading)


def _table(title: str, header: tuple[str, ...], rows: list[tuple]) -> str:
    cells = [header] + [tuple(str(c) for c in row) for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

    def line(row: tuple) -> str:
        first = row[0].ljust(widths[0])
        rest = [cell.rjust(width) for cell, width in zip(row[1:], widths[1:])]
        return "  ".join([first, *rest]).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([title, "", line(header), rule, *(line(row) for row in cells[1:])])


def _second_reading_rows(counts: dict[str, int]) -> list[tuple]:
    total = sum(counts.values())
    labels = (("checked", "checked, unchanged since"), ("changed", "changed since checked"),
              ("unchecked", "not yet checked"))
    return [(label, counts[key], whole_percent(counts[key], total)) for key, label in labels]


def format_stats(stats: Stats) -> str:
    """The statistics as plain-text tables, for a terminal."""
    by_lessons = lambda counts: sorted(counts.items(), key=lambda item: (-item[1]["lessons"], item[0]))  # noqa: E731
    parts = [
        _table("Records", ("kind", "count"), [(label, stats.kinds[key]) for key, label in KIND_NAMES]),
        _table("Stakeholders", ("stakeholder", "lessons", "findings"),
               [(key, c["lessons"], c["findings"]) for key, c in by_lessons(stats.stakeholders)]),
        _table("Themes", ("theme", "lessons", "findings"),
               [(key, c["lessons"], c["findings"]) for key, c in by_lessons(stats.themes)]),
        _table("Confidence", ("level", "findings", "lessons"),
               [(level, c["findings"], c["lessons"]) for level, c in stats.confidence.items()]),
        _table("Second reading", ("state", "records", "share"), _second_reading_rows(stats.second_reading)),
    ]
    gap_title = f"Gaps (fewer than {stats.min_lessons} lesson{'s' if stats.min_lessons != 1 else ''})"
    parts.append(gap_title + "\n\n" + ("\n".join(f"- {gap}" for gap in stats.gaps) or "none"))
    return "\n\n".join(parts) + "\n"
