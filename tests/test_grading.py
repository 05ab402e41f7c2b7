"""A lesson's own GRADE-CERQual grade: every rule `check` enforces, the re-assessment flow, and the pages."""

from __future__ import annotations

from click.testing import CliRunner
from evidence_edits import (FINDING, LESSON, OTHER_SOURCE, SOURCE, SOURCE_LESSON, append, problems,
                            replace)

from generator.cli import main
from generator.pipeline import check

LESSON_LEVEL = f"{LESSON}:14:10"         # pcts-pool-budget-risk: moderate; findings moderate and low
SOURCE_LESSON_LEVEL = f"{SOURCE_LESSON}:13:10"  # practices-plan-maternity: low; one finding, high
LOWER_OR_REVISIT = "lower the level, or revisit the concerns (docs/methods.md, 'How a lesson's confidence is graded')"
RAISE_OR_SAY = "raise the level, or say which concern is worse (docs/methods.md, 'How a lesson's confidence is graded')"


def set_concerns(project, rel: str, *concerns: str) -> None:
    """Give the lesson's four components these concerns, in order."""
    path = project.root / rel
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    wanted = iter(concerns)
    path.write_text("".join(f"    concern: {next(wanted)}\n" if line.startswith("    concern:") else line
                            for line in lines), encoding="utf-8")


def test_the_fixture_lessons_pass_every_rule(fixture_project):
    kb = check(fixture_project)
    assert {lesson.id: kb.lesson_confidence(lesson) for lesson in kb.records.lessons.values()} == {
        "pcts-pool-budget-risk": "moderate", "practices-plan-maternity": "low"}


def test_never_above_the_best_finding(fixture_project):
    set_concerns(fixture_project, LESSON, "minor", "minor", "minor", "minor")
    replace(fixture_project, LESSON, "  level: moderate", "  level: high")
    assert problems(fixture_project) == [
        f"{LESSON_LEVEL}: lesson graded high, above its best finding ('alpha-budget-risk', moderate); "
        "a lesson is never graded above the best finding it rests on; lower the level",
    ]


def test_high_needs_two_independent_studies(fixture_project):
    set_concerns(fixture_project, SOURCE_LESSON, "no-or-very-minor", "minor", "minor", "minor")
    replace(fixture_project, SOURCE_LESSON, "  level: low", "  level: high")
    assert problems(fixture_project) == [
        f"{SOURCE_LESSON_LEVEL}: lesson graded high, but its findings come from one study (alpha-1999-total); "
        "high needs findings from at least two independent studies (reports of one evaluation share a `study` "
        "in their source records); lower the level",
    ]


def test_reports_of_one_study_are_not_independent(fixture_project):
    replace(fixture_project, FINDING, "level: moderate", "level: high")
    replace(fixture_project, "evidence/findings/beta-budget-incentives.yaml", "level: low", "level: high")
    replace(fixture_project, "evidence/findings/beta-budget-incentives.yaml", "to: low}", "to: high}")  # its change log
    set_concerns(fixture_project, LESSON, "minor", "minor", "minor", "minor")
    replace(fixture_project, LESSON, "  level: moderate", "  level: high")
    replace(fixture_project, LESSON, "  alpha-budget-risk: moderate\n  beta-budget-incentives: low",
            "  alpha-budget-risk: high\n  beta-budget-incentives: high")
    assert check(fixture_project)  # two sources, two studies: high is allowed
    for rel in (SOURCE, OTHER_SOURCE):
        replace(fixture_project, rel, "funding:", "study: one-evaluation\nfunding:")
    assert problems(fixture_project) == [
        f"{LESSON_LEVEL}: lesson graded high, but its findings come from one study (one-evaluation); "
        "high needs findings from at least two independent studies (reports of one evaluation share a `study` "
        "in their source records); lower the level",
    ]


def test_a_serious_concern_allows_at_most_low(fixture_project):
    set_concerns(fixture_project, LESSON, "minor", "serious", "minor", "minor")
    assert problems(fixture_project) == [
        f"{LESSON_LEVEL}: lesson graded moderate, but serious concerns about coherence allow at most low; "
        + LOWER_OR_REVISIT,
    ]


def test_two_serious_concerns_allow_only_very_low(fixture_project):
    set_concerns(fixture_project, SOURCE_LESSON, "serious", "minor", "serious", "minor")
    assert problems(fixture_project) == [
        f"{SOURCE_LESSON_LEVEL}: lesson graded low, but serious concerns about methodological limitations and "
        "adequacy allow at most very low; " + LOWER_OR_REVISIT,
    ]


def test_minor_concerns_alone_need_at_least_moderate(fixture_project):
    set_concerns(fixture_project, SOURCE_LESSON, "minor", "no-or-very-minor", "minor", "minor")
    assert problems(fixture_project) == [
        f"{SOURCE_LESSON_LEVEL}: lesson graded low, but with minor concerns about methodological limitations at "
        "worst it is at least moderate; " + RAISE_OR_SAY,
    ]


def test_a_changed_finding_grade_asks_for_reassessment_and_mark_assessed_records_it(fixture_project):
    replace(fixture_project, FINDING, "level: moderate", "level: high")
    assert problems(fixture_project) == [
        f"{LESSON}:29:3: lesson's confidence needs re-assessment: since it was assessed, 'alpha-budget-risk' went "
        "from moderate to high; re-assess the lesson's confidence against its findings, then run "
        "`python -m generator mark-assessed pcts-pool-budget-risk`",
    ]
    result = CliRunner().invoke(main, ["mark-assessed", "--all", "--root", str(fixture_project.root)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "mark-assessed: 1 of 1 lesson updated\n"
    assert "finding-grades:\n  alpha-budget-risk: high\n  beta-budget-incentives: low\n" in \
        (fixture_project.root / LESSON).read_text()
    assert check(fixture_project)


def test_added_and_removed_findings_ask_for_reassessment(fixture_project):
    replace(fixture_project, LESSON, "findings: [alpha-budget-risk, beta-budget-incentives]",
            "findings: [alpha-budget-risk, alpha-maternity-change]")
    assert problems(fixture_project)[-1] == (
        f"{LESSON}:29:3: lesson's confidence needs re-assessment: since it was assessed, 'alpha-maternity-change' "
        "was added; 'beta-budget-incentives' was removed; re-assess the lesson's confidence against its findings, "
        "then run `python -m generator mark-assessed pcts-pool-budget-risk`")


def test_a_lesson_without_recorded_grades_is_reported(fixture_project):
    path = fixture_project.root / SOURCE_LESSON
    text = path.read_text()
    path.write_text(text.replace("finding-grades:\n  alpha-maternity-change: high\n", ""))
    assert problems(fixture_project) == [
        f"{SOURCE_LESSON}:13:3: lesson's confidence does not record the findings' grades it was assessed against; "
        "re-assess the lesson's confidence against its findings, then run "
        "`python -m generator mark-assessed practices-plan-maternity`",
    ]


def test_mark_assessed_usage(fixture_project):
    result = CliRunner().invoke(main, ["mark-assessed", "--root", str(fixture_project.root)])
    assert result.exit_code == 2 and "name the lessons to mark, or give --all" in result.output
    result = CliRunner().invoke(main, ["mark-assessed", "nope", "--root", str(fixture_project.root)])
    assert result.exit_code == 2 and "no lesson 'nope'" in result.output


def test_an_unknown_concern_is_a_located_error(fixture_project):
    set_concerns(fixture_project, LESSON, "tiny", "minor", "moderate", "minor")
    assert problems(fixture_project)[0].startswith(
        f"{LESSON}:17:14: 'tiny' is not allowed in 'confidence.methodological-limitations.concern'; use one of: "
        "no-or-very-minor, minor, moderate, serious")


def test_lesson_pages_show_the_profile_and_stakeholder_pages_the_summary(fixture_project):
    append(fixture_project, "evidence/stakeholders.yaml", "")
    result = CliRunner().invoke(main, ["build", "--no-site", "--root", str(fixture_project.root)])
    assert result.exit_code == 0, result.output
    lesson = (fixture_project.generated / "lessons/pcts-pool-budget-risk.md").read_text()
    assert ("| Component | Concern | Explanation |\n| --- | --- | --- |\n"
            "| Methodological limitations | Minor concerns | Interviews at a subset of sites &#40;alpha-budget-risk&#41; "
            "and an argument &#40;beta-budget-incentives&#41;. |\n") in lesson
    assert "| Adequacy of data | Moderate concerns | Two findings; beta-budget-incentives shows no data. |" in lesson
    pcts = (fixture_project.generated / "stakeholders/pcts.md").read_text()
    assert "| Lesson | Confidence | Why | Sources |" in pcts
    assert pcts.index("Pool financial risk across practices") < pcts.index("## Budgets")
