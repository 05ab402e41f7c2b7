"""`stats`: counts by kind, stakeholder, theme and confidence, and the gaps, as tables or JSON."""

import json

from click.testing import CliRunner

from generator.cli import main

# Worked out by hand from tests/fixtures/mini: lesson pcts-pool-budget-risk rests on a moderate and a
# low finding (so it is moderate), practices-plan-maternity on a high one.
EXPECTED_TABLE = """\
Records

kind                 count
-------------------  -----
sources                  2
findings                 3
lessons                  2
comparisons              1
context differences      2

Stakeholders

stakeholder         lessons  findings
------------------  -------  --------
government                1         0
health-authorities        1         1
pcts                      1         2
practices                 1         2

Themes

theme             lessons  findings
----------------  -------  --------
budgets-and-risk        1         2
maternity               1         1

Confidence

level     findings  lessons
--------  --------  -------
high             1        0
moderate         1        1
low              1        1
very-low         0        0

Second reading

state                     records  share
------------------------  -------  -----
checked, unchanged since       10   100%
changed since checked           0     0%
not yet checked                 0     0%

Gaps (fewer than 2 lessons)

- stakeholder 'government' has 1 lesson
- stakeholder 'health-authorities' has 1 lesson
- stakeholder 'pcts' has 1 lesson
- stakeholder 'practices' has 1 lesson
- theme 'budgets-and-risk' has 1 lesson
- theme 'maternity' has 1 lesson
"""


def run(*args):
    return CliRunner().invoke(main, ["stats", *args])


def test_stats_table(fixture_project):
    result = run("--root", str(fixture_project.root))
    assert result.exit_code == 0, result.output
    assert result.output == EXPECTED_TABLE


def test_stats_threshold_one_reports_only_empty_terms(fixture_project):
    (fixture_project.evidence / "themes.yaml").open("a").write(
        "equity:\n  label: Equity\n  description: Fair shares.\n")
    result = run("--root", str(fixture_project.root), "--min-lessons", "1")
    assert result.exit_code == 0, result.output
    assert result.output.endswith("Gaps (fewer than 1 lesson)\n\n- theme 'equity' has 0 lessons\n")


def test_stats_json(fixture_project):
    result = run("--root", str(fixture_project.root), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["kinds"] == {"sources": 2, "findings": 3, "lessons": 2, "comparisons": 1, "contexts": 2}
    assert data["stakeholders"]["government"] == {"lessons": 1, "findings": 0}
    assert data["themes"]["budgets-and-risk"] == {"lessons": 1, "findings": 2}
    assert data["confidence"] == {"high": {"findings": 1, "lessons": 0}, "moderate": {"findings": 1, "lessons": 1},
                                  "low": {"findings": 1, "lessons": 1}, "very-low": {"findings": 0, "lessons": 0}}
    assert data["min_lessons"] == 2
    assert len(data["gaps"]) == 6


def test_stats_on_broken_evidence_reports_problems(fixture_project):
    (fixture_project.evidence / "findings" / "alpha-budget-risk.yaml").write_text("id: [\n")
    result = run("--root", str(fixture_project.root))
    assert result.exit_code == 1
    assert "evidence/findings/alpha-budget-risk.yaml:2:1: YAML syntax error" in result.output


def test_stats_real_evidence_counts_every_record(real_project):
    from generator.pipeline import check

    kb = check(real_project)
    data = json.loads(run("--root", str(real_project.root), "--format", "json").output)
    assert data["kinds"]["findings"] == len(kb.records.findings)
    assert sum(c["findings"] for c in data["confidence"].values()) == len(kb.records.findings)
    assert sum(c["lessons"] for c in data["confidence"].values()) == len(kb.records.lessons)


def test_stats_help_has_example():
    result = CliRunner().invoke(main, ["stats", "--help"])
    assert "Example:" in result.output and "python -m generator stats" in result.output
