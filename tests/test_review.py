"""Second-reader checks: the digest, `mark-checked`, what `check` and `stats` say, and the record page."""

from __future__ import annotations

import json

from click.testing import CliRunner
from evidence_edits import FINDING, LESSON, MATERNITY_FINDING, replace

from generator.cli import main
from generator.pipeline import check
from generator.review import digest, status, with_checked_block

CHECKED = ("checked:\n  date: \"2026-11-26\"\n  by: \"Fixture Reader\"\n  digest: ")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def finding_status(project):
    kb = check(project)
    return status("finding", kb.records.findings["alpha-budget-risk"])


def test_the_fixture_records_are_checked_and_current(fixture_project):
    kb = check(fixture_project)
    assert [status(kind, record).state for kind in ("finding", "lesson")
            for record in kb.records.of_kind(kind).values()] == ["current"] * 5


def test_an_edit_to_a_checked_field_expires_the_check(fixture_project):
    replace(fixture_project, FINDING, "managed financial risk more easily", "managed financial risk much more easily")
    assert finding_status(fixture_project).state == "changed"


def test_a_new_grade_or_reason_expires_the_check(fixture_project):
    replace(fixture_project, FINDING, "adequacy: Several sites.", "adequacy: Several sites in two regions.")
    assert finding_status(fixture_project).state == "changed"
    replace(fixture_project, MATERNITY_FINDING, "level: high", "level: moderate")
    kb = check(fixture_project, grade_drift=False)
    assert status("finding", kb.records.findings["alpha-maternity-change"]).state == "changed"
    replace(fixture_project, LESSON, "  level: moderate", "  level: low")
    kb = check(fixture_project, grade_drift=False)
    assert status("lesson", kb.records.lessons["pcts-pool-budget-risk"]).state == "changed"


def test_a_new_reason_for_a_grade_change_expires_the_check(fixture_project):
    """The change log's reasons are claims about the source too: a second reader checks them."""
    other = "evidence/findings/beta-budget-incentives.yaml"
    kb = check(fixture_project)
    assert status("finding", kb.records.findings["beta-budget-incentives"]).state == "current"
    replace(fixture_project, other, "why: The quote is about practices only.", "why: The quote concerns practices.")
    kb = check(fixture_project)
    assert status("finding", kb.records.findings["beta-budget-incentives"]).state == "changed"


def test_rewrapping_tags_and_quote_order_keep_the_check(fixture_project):
    replace(fixture_project, FINDING, "statement: Pilots with larger budgets managed financial risk more easily.",
            "statement: >-\n  Pilots with larger budgets\n  managed financial risk   more easily.")
    replace(fixture_project, FINDING, "order: 1", "order: 7")
    replace(fixture_project, FINDING, "themes: [budgets-and-risk]", "themes: [budgets-and-risk, maternity]")
    assert finding_status(fixture_project).state == "current"


def test_a_record_without_a_check_is_unchecked(fixture_project):
    path = fixture_project.root / FINDING
    text = path.read_text()
    path.write_text(text[: text.index("checked:")])
    assert finding_status(fixture_project).state == "unchecked"


def test_check_warns_about_changed_and_unchecked_records_but_passes(fixture_project):
    replace(fixture_project, FINDING, "financial risk more easily", "financial risk far more easily")
    path = fixture_project.root / LESSON
    path.write_text(path.read_text().split("checked:")[0])
    result = run("check", "--root", fixture_project.root)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "evidence/findings/alpha-budget-risk.yaml: warning: changed since it was last checked against the source; "
        "a second reader checks it, then runs `python -m generator mark-checked alpha-budget-risk --by NAME`",
        "evidence/lessons/pcts-pool-budget-risk.yaml: warning: not yet checked against the source by a second "
        "reader; once checked, run `python -m generator mark-checked pcts-pool-budget-risk --by NAME`",
    ]
    assert result.stdout.splitlines()[-1] == ("check: 8 of 10 records checked by a second reader and unchanged "
                                              "since (80%); 1 changed since, 1 not yet checked")
    github = run("check", "--root", fixture_project.root, "--format", "github")
    assert ("::warning file=evidence/findings/alpha-budget-risk.yaml::changed since it was last checked against "
            "the source; a second reader checks it, then runs `python -m generator mark-checked alpha-budget-risk "
            "--by NAME`") in github.stdout.splitlines()


def test_mark_checked_writes_the_block_and_the_check_is_current_again(fixture_project):
    replace(fixture_project, FINDING, "financial risk more easily", "financial risk far more easily")
    result = run("mark-checked", "alpha-budget-risk", "--by", "Second Reader", "--date", "2026-12-01",
                 "--root", fixture_project.root)
    assert result.exit_code == 0, result.output
    assert result.stdout == "mark-checked: 1 of 1 record marked checked on 2026-12-01 by Second Reader\n"
    text = (fixture_project.root / FINDING).read_text()
    kb = check(fixture_project)
    finding = kb.records.findings["alpha-budget-risk"]
    assert text.endswith(f'checked:\n  date: "2026-12-01"\n  by: "Second Reader"\n  digest: {digest("finding", finding)}\n')
    assert text.count("checked:") == 1
    assert status("finding", finding).state == "current"
    again = run("mark-checked", "alpha-budget-risk", "--by", "Second Reader", "--date", "2026-12-01",
                "--root", fixture_project.root)
    assert again.stdout == "mark-checked: 0 of 1 record marked checked on 2026-12-01 by Second Reader\n"


def test_mark_checked_changed_marks_every_stale_record(fixture_project):
    replace(fixture_project, FINDING, "financial risk more easily", "financial risk far more easily")
    replace(fixture_project, LESSON, "checked:", "checked_:")  # an unknown field: check fails
    broken = run("mark-checked", "--changed", "--by", "R", "--root", fixture_project.root)
    assert broken.exit_code == 1 and "unknown field 'checked_'" in broken.stderr
    replace(fixture_project, LESSON, "checked_:", "checked:")
    result = run("mark-checked", "--changed", "--by", "R", "--root", fixture_project.root)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("mark-checked: 1 of 1 record marked checked on ")


def test_mark_checked_names_unknown_and_missing_records(fixture_project):
    unknown = run("mark-checked", "no-such-record", "--by", "R", "--root", fixture_project.root)
    assert unknown.exit_code == 2
    assert "Error: no record 'no-such-record'; give a record id, e.g. killoran-tpp-definition" in unknown.output
    wrong_kind = run("mark-checked", "chapter/alpha-budget-risk", "--by", "R", "--root", fixture_project.root)
    assert wrong_kind.exit_code == 2
    assert "unknown record kind 'chapter' in 'chapter/alpha-budget-risk'" in wrong_kind.output
    nothing = run("mark-checked", "--by", "R", "--root", fixture_project.root)
    assert nothing.exit_code == 2 and "name the records to mark, or give --changed" in nothing.output


def test_the_block_is_replaced_not_repeated():
    text = "id: x\nchecked:\n  date: 2020-01-01\n  by: A\n  digest: 0000000000000000\nnotes: kept\n"
    assert with_checked_block(text, CHECKED + "1111111111111111\n") == (
        "id: x\n" + CHECKED + "1111111111111111\nnotes: kept\n")


def test_stats_give_the_share_checked(fixture_project):
    replace(fixture_project, FINDING, "financial risk more easily", "financial risk far more easily")
    result = run("stats", "--root", fixture_project.root, "--format", "json")
    assert json.loads(result.stdout)["second_reading"] == {"checked": 9, "changed": 1, "unchecked": 0}
    text = run("stats", "--root", fixture_project.root).stdout
    assert ("Second reading\n\nstate                     records  share\n"
            "------------------------  -------  -----\n"
            "checked, unchanged since        9    90%\n"
            "changed since checked           1    10%\n"
            "not yet checked                 0     0%\n") in text


def test_record_pages_say_whether_the_check_is_current(fixture_project):
    replace(fixture_project, FINDING, "financial risk more easily", "financial risk far more easily")
    result = run("build", "--root", fixture_project.root, "--no-site")
    assert result.exit_code == 0, result.output
    kb_pages = fixture_project.generated
    finding = (kb_pages / "findings/alpha-budget-risk.md").read_text()
    assert ('!!! warning "Changed since it was last checked"\n    This finding was checked against the source on '
            "26 November 2026 by Fixture Reader, and has been edited since: read it against its quotes "
            "([how records are checked](../../methods.md#second-reading)).") in finding
    lesson = (kb_pages / "lessons/pcts-pool-budget-risk.md").read_text()
    assert ("Checked against the source on 26 November 2026 by Fixture Reader ([how records are checked]"
            "(../../methods.md#second-reading)).\n{: .gpce-check .gpce-check--current }") in lesson
    assert "**90&#37;** of records checked against their source by a second reader" in (kb_pages / "_home.md").read_text()


def test_the_reader_name_cannot_inject_markup(fixture_project):
    replace(fixture_project, FINDING, 'by: "Fixture Reader"', 'by: "<script>x</script> [a](b)"')
    replace(fixture_project, FINDING, "financial risk more easily", "financial risk far more easily")
    run("build", "--root", fixture_project.root, "--no-site")
    page = (fixture_project.generated / "findings/alpha-budget-risk.md").read_text()
    assert "<script>" not in page and "[a](b)" not in page


def test_the_share_checked_never_rounds_up_to_all():
    from generator.review import whole_percent

    assert [whole_percent(495, 497), whole_percent(497, 497), whole_percent(0, 3), whole_percent(0, 0)] == \
        ["99%", "100%", "0%", "100%"]
