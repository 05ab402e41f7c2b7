"""A change of grade says why: the change log held to the record by every `check`, and to the main
branch by `check --against` on a pull request."""

from __future__ import annotations

import os
import subprocess

import pytest
from click.testing import CliRunner
from evidence_edits import LESSON, MATERNITY_FINDING, OTHER_FINDING, SOURCE_LESSON, problems, replace

from generator.changelog import Before, RevisionError, entry_example, levels_at
from generator.cli import main
from generator.pipeline import check

TODAY = __import__("datetime").date.today().isoformat()


def git(root, *args):
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@gpce.test", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@gpce.test", "GIT_AUTHOR_DATE": "2026-01-01T10:00:00+00:00",
           "GIT_COMMITTER_DATE": "2026-01-01T10:00:00+00:00"}
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


@pytest.fixture
def repo(fixture_project):
    git(fixture_project.root, "init", "-q", "-b", "main")
    git(fixture_project.root, "add", "-A")
    git(fixture_project.root, "commit", "-q", "-m", "start")
    return fixture_project


def check_against(project, revision="main"):
    return CliRunner().invoke(main, ["check", "--root", str(project.root), "--against", revision])


def lower_maternity_finding(project):
    """high -> moderate, with the lesson resting on it re-assessed (so only the change log is missing)."""
    replace(project, MATERNITY_FINDING, "  level: high\n", "  level: moderate\n")
    replace(project, SOURCE_LESSON, "  alpha-maternity-change: high\n", "  alpha-maternity-change: moderate\n")


def test_a_grade_changed_without_a_reason_fails_check_against_main(repo):
    lower_maternity_finding(repo)
    assert check(repo)  # on its own the record is fine: only the comparison with main finds the gap
    result = check_against(repo)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{MATERNITY_FINDING}:21:10: grade changed from high to moderate since main, and the change log gives no "
        "reason; " + entry_example("high", "moderate", TODAY),
        "check: 1 problem in 1 file",
    ]
    assert entry_example("moderate", "low", "2026-11-26") == (
        'add to change-log: {date: "2026-11-26", what: "Grade moderate → low", why: "<what in the source, or in '
        'a re-reading, made the change>", grade: {from: moderate, to: low}}')


def test_a_new_entry_recording_the_change_satisfies_it(repo):
    lower_maternity_finding(repo)
    replace(repo, MATERNITY_FINDING, "checked:", 'change-log:\n  - date: "2026-11-26"\n    what: Grade high → moderate\n'
            "    why: The count is the pilots' own report.\n    grade: {from: high, to: moderate}\nchecked:")
    result = check_against(repo)
    assert result.exit_code == 0, result.output


def test_an_entry_already_on_main_or_for_another_change_does_not_count(repo):
    # the fixture's other finding already logs moderate -> low on main; lowering it again needs a new entry
    replace(repo, OTHER_FINDING, "  level: low\n", "  level: very-low\n")
    replace(repo, OTHER_FINDING, "    grade: {from: moderate, to: low}\n",
            "    grade: {from: moderate, to: low}\n  - date: \"2026-11-26\"\n    what: Wording\n    why: Clearer.\n")
    replace(repo, LESSON, "  beta-budget-incentives: low\n", "  beta-budget-incentives: very-low\n")
    result = check_against(repo)
    assert result.exit_code == 1
    assert "grade changed from low to very low since main, and the change log gives no reason" in result.stderr
    assert "the latest grade change ends at low, but the record is graded very-low" in result.stderr


def test_a_lesson_grade_is_held_to_the_same_rule(repo):
    replace(repo, LESSON, "  level: moderate\n", "  level: low\n")
    result = check_against(repo)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith(
        f"{LESSON}:14:10: grade changed from moderate to low since main, and the change log gives no reason; ")


def test_a_revision_that_cannot_be_read_is_a_usage_error(repo):
    result = check_against(repo, "no-such-branch")
    assert result.exit_code == 2
    assert result.stderr == ("check --against: 'no-such-branch' is not a commit in this repository; fetch it first "
                             "(for example `git fetch origin main`) or name another revision\n")


def test_outside_git_the_revision_cannot_be_read(fixture_project):
    with pytest.raises(RevisionError):
        levels_at(fixture_project.root, "main")


def test_records_are_read_at_the_revision_from_a_subfolder_of_the_repository(repo):
    sub = repo.root / "nested"
    sub.mkdir()
    (repo.root / "evidence").rename(sub / "evidence")
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-q", "-m", "move")
    before = levels_at(sub, "main")
    assert before["finding", "alpha-budget-risk"] == Before("moderate", 0)
    assert before["finding", "beta-budget-incentives"] == Before("low", 2)
    assert before["lesson", "pcts-pool-budget-risk"] == Before("moderate", 0)
    assert len(before) == 5


def test_a_grade_that_did_not_change_needs_nothing(repo):
    replace(repo, MATERNITY_FINDING, "  level: high\n", "  level: high  # unchanged\n")
    assert check_against(repo).exit_code == 0
    check(repo)  # without --against nothing is compared


# the log held to the record, with or without git

def test_change_log_entries_are_oldest_first(fixture_project):
    replace(fixture_project, OTHER_FINDING, '  - date: "2026-10-01"', '  - date: "2026-12-01"')
    assert problems(fixture_project) == [
        f"{OTHER_FINDING}:22:11: change-log entry dated 2026-11-20 comes after one dated 2026-12-01; "
        "keep the entries oldest first: add new ones at the end"]


def test_a_grade_change_must_change_the_grade(fixture_project):
    replace(fixture_project, OTHER_FINDING, "grade: {from: moderate, to: low}", "grade: {from: low, to: low}")
    assert problems(fixture_project) == [
        f"{OTHER_FINDING}:25:12: change-log grade goes from low to itself; "
        "record the level before and the level after, or drop `grade`"]


def test_the_latest_grade_change_ends_at_the_records_level(fixture_project):
    replace(fixture_project, OTHER_FINDING, "  level: low\n", "  level: very-low\n")
    replace(fixture_project, LESSON, "  beta-budget-incentives: low\n", "  beta-budget-incentives: very-low\n")
    assert problems(fixture_project) == [
        f"{OTHER_FINDING}:25:33: the latest grade change ends at low, but the record is graded very-low; "
        "add an entry for the later change, with its reason, or correct this one"]


def test_a_misspelt_grade_level_is_a_located_schema_problem(fixture_project):
    replace(fixture_project, OTHER_FINDING, "grade: {from: moderate, to: low}", "grade: {from: moderat, to: low}")
    found = problems(fixture_project)
    assert len(found) == 1 and found[0].startswith(f"{OTHER_FINDING}:25:")
    assert "moderat" in found[0]
