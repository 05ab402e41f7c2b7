"""The rules that bound a lesson's own confidence (GRADE-CERQual), checked with every `check`.

Within the bounds, the level is the assessor's judgement, explained in words; the rules only stop a
grade that its own assessment, or its findings, contradict. docs/methods.md states the same rules in
prose next to the finding rubric; the tables here are the single place they are written as data.
"""

from __future__ import annotations

from generator.errors import Problem
from generator.models import CONCERNS, CONFIDENCE_LEVELS, Lesson

RANK = {level: rank for rank, level in enumerate(CONFIDENCE_LEVELS)}  # 0 = high
CONCERN_RANK = {concern: rank for rank, concern in enumerate(CONCERNS)}  # 0 = no or very minor

LEVEL_BOUNDS_BY_WORST_CONCERN: dict[str, tuple[str, str]] = {
    "no-or-very-minor": ("high", "moderate"),
    "minor": ("high", "moderate"),
    "moderate": ("moderate", "low"),
    "serious": ("low", "very-low"),
}
"""Worst concern among the four components -> (highest, lowest) level it allows."""
HIGHEST_WITH_TWO_SERIOUS = "very-low"
"""Serious concerns in two or more components allow no more than this."""
STUDIES_FOR_HIGH = 2
"""Independent studies (a source's `study`, or the source itself) that a high grade needs."""

CONCERN_WORDS = {"no-or-very-minor": "no or very minor", "minor": "minor", "moderate": "moderate",
                 "serious": "serious"}
LEVEL_WORDS = {"high": "high", "moderate": "moderate", "low": "low", "very-low": "very low"}


def level_bounds(lesson: Lesson) -> tuple[str, str, str]:
    """(highest, lowest) level the lesson's concerns allow, and the reason in words."""
    components = lesson.confidence.components()
    worst_name, worst = max(components, key=lambda item: CONCERN_RANK[item[1].concern])
    highest, lowest = LEVEL_BOUNDS_BY_WORST_CONCERN[worst.concern]
    reason = f"{CONCERN_WORDS[worst.concern]} concerns about {worst_name.replace('-', ' ')}"
    serious = [name for name, component in components if component.concern == "serious"]
    if len(serious) >= 2:
        highest = HIGHEST_WITH_TWO_SERIOUS
        reason = "serious concerns about " + " and ".join(name.replace("-", " ") for name in serious)
    return highest, lowest, reason


def finding_studies(finding, sources) -> set[str]:
    """The studies a finding's quotes come from (a report's `study`, or the report itself)."""
    studies = set()
    for item in finding.evidence:
        source = sources.get(item.source)
        studies.add(source.study or source.id if source is not None else item.source)
    return studies


def lesson_grade_problems(lesson: Lesson, findings: dict, sources: dict, locate, drift: bool = True) -> list[Problem]:
    """Every rule the lesson's grade breaks; `locate(keypath, message, hint)` makes a located Problem.
    Not judged while one of its findings failed to load (that finding's own problems are reported)."""
    own = [findings[finding_id] for finding_id in lesson.findings if finding_id in findings]
    if len(own) < len(lesson.findings):
        return []  # a finding that did not load is reported on its own; judging the grade without it misleads
    problems = []
    level = lesson.confidence.level
    at_level = ("confidence", "level")
    best = min(own, key=lambda finding: RANK[finding.confidence.level])
    if RANK[level] < RANK[best.confidence.level]:
        problems.append(locate(at_level, f"lesson graded {LEVEL_WORDS[level]}, above its best finding "
                               f"('{best.id}', {LEVEL_WORDS[best.confidence.level]})",
                               "a lesson is never graded above the best finding it rests on; lower the level"))
    if level == "high":
        studies = set().union(*(finding_studies(finding, sources) for finding in own))
        if len(studies) < STUDIES_FOR_HIGH:
            problems.append(locate(at_level, f"lesson graded high, but its findings come from one study "
                                   f"({', '.join(sorted(studies))})",
                                   "high needs findings from at least two independent studies (reports of one "
                                   "evaluation share a `study` in their source records); lower the level"))
    highest, lowest, reason = level_bounds(lesson)
    if RANK[level] < RANK[highest]:
        problems.append(locate(at_level, f"lesson graded {LEVEL_WORDS[level]}, but {reason} allow at most "
                               f"{LEVEL_WORDS[highest]}", "lower the level, or revisit the concerns "
                               "(docs/methods.md, 'How a lesson's confidence is graded')"))
    elif RANK[level] > RANK[lowest]:
        problems.append(locate(at_level, f"lesson graded {LEVEL_WORDS[level]}, but with {reason} at worst "
                               f"it is at least {LEVEL_WORDS[lowest]}", "raise the level, or say which concern "
                               "is worse (docs/methods.md, 'How a lesson's confidence is graded')"))
    return problems + (_drift(lesson, findings, locate) if drift else [])


def _drift(lesson: Lesson, findings: dict, locate) -> list[Problem]:
    """The lesson's grade is older than a change to its findings (grades, or which findings)."""
    hint = (f"re-assess the lesson's confidence against its findings, then run "
            f"`python -m generator mark-assessed {lesson.id}`")
    renamed = {alias: finding_id for finding_id in lesson.findings if finding_id in findings
               for alias in findings[finding_id].aliases if alias not in findings}
    recorded = {renamed.get(finding_id, finding_id): level for finding_id, level in lesson.finding_grades.items()}
    if not lesson.finding_grades:
        return [locate(("confidence",), "lesson's confidence does not record the findings' grades it was "
                       "assessed against", hint)]
    changes = []
    for finding_id in lesson.findings:
        if finding_id not in findings:
            continue
        now = findings[finding_id].confidence.level
        then = recorded.get(finding_id)
        if then is None:
            changes.append(f"'{finding_id}' was added")
        elif then != now:
            changes.append(f"'{finding_id}' went from {LEVEL_WORDS[then]} to {LEVEL_WORDS[now]}")
    changes += [f"'{finding_id}' was removed" for finding_id in recorded if finding_id not in lesson.findings]
    if not changes:
        return []
    return [locate(("finding-grades",), "lesson's confidence needs re-assessment: since it was assessed, "
                   + "; ".join(changes), hint)]


def current_finding_grades(lesson: Lesson, findings: dict) -> dict[str, str]:
    return {finding_id: findings[finding_id].confidence.level for finding_id in lesson.findings}
