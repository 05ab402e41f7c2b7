"""`lint`: paraphrases that may say more than their quotes, and grades above their own reasons.

Each rule fires on a fixture record edited to break it, with the exact warning text and place, and
stays quiet on a faithful record; an accept with a reason silences exactly the warning it names, and
an accept that matches nothing is itself reported. The fixture's hostile statement (its markup holds
the numbers 1 and 7) is accepted up front, so every test starts from a quiet base.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import make_project
from evidence_edits import CONTEXT, FINDING, MATERNITY_FINDING, OTHER_FINDING, SOURCE_LESSON, append, replace

from generator import PROJECT_ROOT
from generator.cli import main
from generator.lint import (ACCEPT_UNUSED, GRADE_CAPS, RULES, claim_numbers, grade_cap, hedges_in, lint,
                            numbers_in, strongest_quantifier)
from generator.models import Reasons
from generator.pipeline import check
from generator.project import Project

ACCEPT = "or accept it under accepted-warnings with a reason"
NUMBER_HINT = f"check it against the source and quote the passage that gives it, {ACCEPT}"
HEDGE_HINT = f"keep the hedge (any word of its family) if the source hedges the point, {ACCEPT}"
QUANTIFIER_HINT = f"say no more than the quotes do, {ACCEPT}"
REASON_HINT = f"say what supports or lowers confidence in this finding in particular, {ACCEPT}"
GRADE_HINT = f"lower the level (see the rubric in docs/methods.md) or reword the reason, {ACCEPT}"
POSSIBILITY = "could/may/might/possibly/possible/potential/potentially/perhaps"
HOSTILE_ACCEPT = ("accepted-warnings:\n"
                  "  - rule: number-not-in-quotes\n"
                  "    reason: The numbers are in markup that tests escaping, not claims.\n")


def accept(project, rel: str, rule: str, about: str | None = None, reason: str = "Checked with the source.") -> None:
    """Add one accepted warning to a record that has no accepted-warnings yet."""
    about_line = f"    about: '{about}'\n" if about is not None else ""
    append(project, rel, f"accepted-warnings:\n  - rule: {rule}\n{about_line}    reason: {reason}\n")


def warnings(project) -> list[str]:
    return [str(warning) for warning in lint(check(project)).warnings]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def project(fixture_project):
    """The fixture evidence with its hostile markup accepted: lint is quiet on it."""
    append(fixture_project, OTHER_FINDING, HOSTILE_ACCEPT)
    return fixture_project


def test_the_fixture_is_quiet_once_its_hostile_markup_is_accepted(fixture_project, project):
    report = lint(check(project))
    assert report.warnings == [] and report.accepted == 2


# --- number-not-in-quotes -------------------------------------------------------------------------

def test_number_not_in_the_quotes_or_data(project):
    replace(project, FINDING, "statement: Pilots with larger", "statement: 25% of pilots, those with larger")
    assert warnings(project) == [
        f"{FINDING}:2:12: warning: '25' in the statement is not among the numbers of its quotes or data "
        f"[number-not-in-quotes]; {NUMBER_HINT}",
    ]


def test_numbers_in_the_quote_or_data_are_quiet_however_written(project):
    replace(project, FINDING, "quote: Larger pilots ...", "quote: Larger pilots, those with more than 50,000 patients,")
    replace(project, FINDING, "statement: Pilots with larger budgets", "statement: Pilots with over 50000 patients")
    replace(project, MATERNITY_FINDING, "statement: 12 of 53", "statement: 12.0 of 53 (23%)")  # 23: not given
    assert warnings(project) == [
        f"{MATERNITY_FINDING}:2:12: warning: '23' in the statement is not among the numbers of its quotes or data "
        f"[number-not-in-quotes]; {NUMBER_HINT}",
    ]


def test_number_in_a_lesson_summary(project):
    replace(project, SOURCE_LESSON, "summary: Change in maternity care takes longer than one year.",
            "summary: Only 12 of 53 TPPs changed maternity care in 1997/98, and 9 TPPs later.")
    assert warnings(project) == [
        f"{SOURCE_LESSON}:5:10: warning: '9' in the summary is not among the numbers of its origin quote or its "
        f"findings' quotes and data [number-not-in-quotes]; {NUMBER_HINT}",
    ]


def test_number_in_a_context_value(project):
    replace(project, CONTEXT, "tpps: Delegated from the HA.", "tpps: Delegated from the HA in 1997.")
    assert warnings(project) == [
        f"{CONTEXT}:5:9: warning: '1997' in the value for 'tpps' is not among the numbers of its quotes "
        f"[number-not-in-quotes]; {NUMBER_HINT}",
    ]


@pytest.mark.parametrize("text, numbers", [
    ("1,000 practices and 1 000 patients", {"1000"}),
    ("25% of TPPs, 30 per cent of PCGs", {"25", "30"}),
    ("in 1996/97, 1996-97 and 1996–97", {"1996", "97"}),
    ("£17–18 per head", {"17", "18"}),
    ("3.3 and 12.0 and 0.50", {"3.3", "12", "0.5"}),
    ("numbered 1. First, 2. Second", {"1", "2"}),
    ("in the mid-1990s", {"1990"}),
])
def test_numbers_are_normalised(text, numbers):
    assert set(claim_numbers(text)) == numbers
    assert numbers_in(text) >= numbers


@pytest.mark.parametrize("text", [
    "as shown before (ref. 12)", "as shown before (refs 3, 4)", "pilots (Baxter et al 2000) managed",
    "(see Regen et al 1999; NHS Alliance 2003)", "Mays and Dixon (1996) found", "(Leese and Mahon, 1997)",
    "(Department of Health 2003a, 2003b)", "[Wyke et al 2003]", "see Table 3 and Boxes 1 and 2, p. 14",
    "the source killoran-1999-total says",
])
def test_numbers_in_citations_parts_of_the_source_and_ids_are_not_claims(text):
    assert claim_numbers(text, frozenset({"killoran-1999-total"})) == {}


def test_a_quote_lists_the_parts_of_a_spaced_number_too():
    assert numbers_in("populations of 33 327 (range 12 310–84 700)") == {
        "33327", "33", "327", "12310", "12", "310", "84700", "84", "700"}


# --- hedge-dropped --------------------------------------------------------------------------------

def test_hedge_dropped_from_a_finding(project):
    replace(project, FINDING, "quote: Larger pilots ... managed", "quote: Larger pilots ... could manage")
    assert warnings(project) == [
        f"{FINDING}:2:12: warning: quote 1 says 'could'; the statement has no {POSSIBILITY} [hedge-dropped]; "
        f"{HEDGE_HINT}",
    ]


def test_a_hedge_of_the_same_family_is_a_counterpart(project):
    replace(project, FINDING, "quote: Larger pilots ... managed", "quote: Larger pilots ... could manage")
    replace(project, FINDING, "budgets managed financial", "budgets might manage financial")
    assert warnings(project) == []


def test_hedge_dropped_from_a_source_lesson(project):
    replace(project, SOURCE_LESSON, "quote: Maternity care was the area", "quote: Maternity care was probably the area")
    assert warnings(project) == [
        f"{SOURCE_LESSON}:5:10: warning: the origin quote says 'probably'; the title and summary have no "
        f"likely/unlikely/probably/probable [hedge-dropped]; {HEDGE_HINT}",
    ]


def test_hedge_dropped_from_a_context_row(project):
    replace(project, CONTEXT, "quote: Budgets were delegated.", "quote: Budgets were often delegated.")
    assert warnings(project) == [
        f"{CONTEXT}:11:14: warning: quote 1 says 'often'; the implication and values have no "
        f"some/several/a few/in some cases/in some/sometimes/often/not all [hedge-dropped]; {HEDGE_HINT}",
    ]


@pytest.mark.parametrize("text, found", [
    ("Savings May Be made", {"possibility": "may"}),
    ("in May 1996, on 14 May and in May-June", {}),
    ("the mayor tended to agree", {"tendency": "tended"}),
    ("In some\n  cases it seemed so; not all agreed", {"partial": "in some cases", "appearance": "seemed"}),
])
def test_hedges_are_whole_words_of_their_family(text, found):
    assert hedges_in(text) == found


# --- quantifier-stronger --------------------------------------------------------------------------

def test_quantifier_stronger_than_the_quotes(project):
    replace(project, FINDING, "quote: Larger pilots", "quote: Many larger pilots")
    replace(project, FINDING, "statement: Pilots with", "statement: All pilots with")
    assert warnings(project) == [
        f"{FINDING}:2:12: warning: the statement says 'all'; the strongest quantifier in the quotes is 'many' "
        f"(quote 1) [quantifier-stronger]; {QUANTIFIER_HINT}",
    ]


def test_quantifier_as_strong_as_the_quotes_or_with_none_in_them_is_quiet(project):
    replace(project, FINDING, "statement: Pilots with", "statement: All pilots with")  # the quote has none
    assert warnings(project) == []
    replace(project, FINDING, "quote: Larger pilots", "quote: Most larger pilots")
    replace(project, FINDING, "statement: All pilots with", "statement: The majority of pilots with")
    assert warnings(project) == []


def test_a_lesson_is_compared_with_its_findings_quotes(project):
    replace(project, MATERNITY_FINDING, "quote: Maternity care", "quote: In many TPPs maternity care")
    replace(project, SOURCE_LESSON, "title: Plan maternity changes over several years",
            "title: Plan every maternity change over years")
    assert warnings(project) == [
        f"{SOURCE_LESSON}:2:8: warning: the title says 'every'; the strongest quantifier in the quotes is 'many' "
        f"(quote 1 of finding 'alpha-maternity-change') [quantifier-stronger]; {QUANTIFIER_HINT}",
    ]


@pytest.mark.parametrize("text, found", [
    ("most TPPs and some PCGs", (4, "most")),
    ("the most important and most often named", None),
    ("not all pilots", (2, "not all")),
    ("almost all pilots", (4, "almost all")),
    ("they helped each other, none at all.", (0, "none at all")),
    ("involvement at all levels", (5, "all")),
    ("a number of\n  pilots and a few PCGs", (2, "a number of")),
])
def test_quantifiers_and_their_level(text, found):
    assert strongest_quantifier(text) == found


# --- reason-repeated ------------------------------------------------------------------------------

def _copies(project, count: int) -> None:
    """`count` more findings that share only the coherence reason of FINDING (one of them folded)."""
    text = (project.root / FINDING).read_text(encoding="utf-8")
    for n in range(2, count + 2):
        copy = text.replace("id: alpha-budget-risk", f"id: alpha-budget-risk-{n}")
        for old in ("Interviews at a subset of sites.", "Several sites.", "TPPs were smaller than PCGs."):
            copy = copy.replace(old, f"{old[:-1]} ({n}).")
        if n == 2:
            copy = copy.replace("coherence: Fits the survey data.", "coherence: >-\n      Fits the\n      survey data.")
        (project.evidence / "findings" / f"alpha-budget-risk-{n}.yaml").write_text(copy, encoding="utf-8")


def test_a_reason_in_more_than_five_findings_is_reported_at_each_use(project):
    _copies(project, 5)
    found = warnings(project)
    assert len(found) == 6 and all("[reason-repeated]" in line for line in found)
    assert (f"{FINDING}:16:16: warning: this coherence reason is used by 6 findings: "
            f"'Fits the survey data.' [reason-repeated]; {REASON_HINT}") in found
    assert found[0].startswith("evidence/findings/alpha-budget-risk-2.yaml:16:16: warning: this coherence reason")


def test_a_reason_in_five_findings_is_quiet(project):
    _copies(project, 4)
    assert warnings(project) == []


# --- grade-above-reasons --------------------------------------------------------------------------

def test_grade_above_what_its_reasons_allow(project):
    replace(project, MATERNITY_FINDING, "adequacy: All 53 pilots.", "adequacy: No data are shown for the 53 pilots.")
    assert warnings(project) == [
        f"{MATERNITY_FINDING}:21:10: warning: the level is 'high' but the adequacy reason says 'no data', which "
        f"allows at most 'low' [grade-above-reasons]; {GRADE_HINT}",
    ]


def test_coherence_and_relevance_reasons_do_not_cap_the_grade(project):
    """They name other evidence and settings ('runs against a US anecdote'), not this finding's own data."""
    replace(project, MATERNITY_FINDING, "adequacy: All 53 pilots.", "adequacy: All 53 pilots, with no evidence shown.")
    before = warnings(project)
    assert len(before) == 1 and "the adequacy reason says 'no evidence'" in before[0]
    replace(project, MATERNITY_FINDING, "adequacy: All 53 pilots, with no evidence shown.", "adequacy: All 53 pilots.")
    text = (project.root / MATERNITY_FINDING).read_text()
    coherence = next(line for line in text.splitlines() if line.strip().startswith("coherence:"))
    replace(project, MATERNITY_FINDING, coherence, coherence + " Runs against an anecdote with no evidence shown.")
    assert warnings(project) == []


def test_grade_within_what_its_reasons_allow_is_quiet(project):
    replace(project, MATERNITY_FINDING, "adequacy: All 53 pilots.", "adequacy: A count; no data are needed beyond it.")
    replace(project, OTHER_FINDING, "adequacy: Few studies.", "adequacy: Workshop views from several sites.")
    assert warnings(project) == []


def _reasons(text: str) -> Reasons:
    return Reasons.model_validate({"methodological-limitations": "Interviews.", "coherence": "Fits.",
                                   "adequacy": text, "relevance": "Direct."})


@pytest.mark.parametrize("phrase, cap, unless", GRADE_CAPS)
def test_every_grade_cap_in_the_table(phrase, cap, unless):
    assert grade_cap(_reasons(f"It rests on {phrase.upper()} evidence.")) == (cap, phrase, "adequacy")
    for exception in unless:
        assert grade_cap(_reasons(f"It rests on {phrase} {exception} here.")) is None


def test_the_strictest_phrase_decides():
    assert grade_cap(_reasons("Workshop feedback; an assertion.")) == ("very-low", "assertion", "adequacy")


# --- accepting warnings ---------------------------------------------------------------------------

def test_an_accept_about_one_number_silences_only_that_warning(project):
    replace(project, FINDING, "statement: Pilots with larger", "statement: 25% of 40 pilots, those with larger")
    accept(project, FINDING, "number-not-in-quotes", about="25%")
    report = lint(check(project))
    assert [str(w) for w in report.warnings] == [
        f"{FINDING}:2:12: warning: '40' in the statement is not among the numbers of its quotes or data "
        f"[number-not-in-quotes]; {NUMBER_HINT}",
    ]
    assert report.accepted == 3  # the hostile markup's two, and 25


def test_an_accept_without_about_silences_every_warning_of_its_rule_on_the_record(project):
    replace(project, FINDING, "statement: Pilots with larger", "statement: 25% of 40 pilots, those with larger")
    replace(project, FINDING, "quote: Larger pilots ... managed", "quote: Larger pilots ... could manage")
    accept(project, FINDING, "number-not-in-quotes")
    assert warnings(project) == [
        f"{FINDING}:2:12: warning: quote 1 says 'could'; the statement has no {POSSIBILITY} [hedge-dropped]; "
        f"{HEDGE_HINT}",
    ]


def test_an_accept_that_matches_no_warning_is_reported(project):
    replace(project, FINDING, "quote: Larger pilots ... managed", "quote: Larger pilots ... could manage")
    accept(project, FINDING, "hedge-dropped", about="may")
    assert warnings(project) == [
        f"{FINDING}:2:12: warning: quote 1 says 'could'; the statement has no {POSSIBILITY} [hedge-dropped]; "
        f"{HEDGE_HINT}",
        f"{FINDING}:24:5: warning: the accepted warning hedge-dropped about 'may' matches no warning "
        "[accept-unused]; remove the entry (the warning is gone), or correct its rule or about",
    ]


def test_accepts_on_lessons_and_context_rows(project):
    replace(project, SOURCE_LESSON, "quote: Maternity care was the area", "quote: Maternity care was probably the area")
    accept(project, SOURCE_LESSON, "hedge-dropped", about="probably")
    replace(project, CONTEXT, "tpps: Delegated from the HA.", "tpps: Delegated from the HA in 1997.")
    accept(project, CONTEXT, "number-not-in-quotes", about="1997")
    report = lint(check(project))
    assert report.warnings == [] and report.accepted == 4


def test_an_accept_needs_a_known_rule_and_a_reason(project):
    append(project, FINDING, "accepted-warnings:\n  - rule: hedge-droped\n  - rule: hedge-dropped\n")
    result = run("lint", "--root", project.root)
    assert result.exit_code == 1
    assert result.stderr == (
        f"{FINDING}:24:5: missing required field 'accepted-warnings[0].reason'; "
        "add it; see docs/record-format.md for each field\n"
        f"{FINDING}:24:11: 'hedge-droped' is not allowed in 'accepted-warnings[0].rule'; "
        "did you mean 'hedge-dropped'?\n"
        f"{FINDING}:25:5: missing required field 'accepted-warnings[1].reason'; "
        "add it; see docs/record-format.md for each field\n"
        "check: 3 problems in 1 file\n"
    )


def test_accepted_warnings_survive_the_open_data_export(project):
    from generator.export import evidence_document, records_from_export

    kb = check(project)
    document = json.loads(json.dumps(evidence_document(kb, "https://example.org/")))
    finding = next(r for r in document["records"]["findings"] if r["id"] == "beta-budget-incentives")
    assert finding["accepted-warnings"] == [{"rule": "number-not-in-quotes",
                                             "reason": "The numbers are in markup that tests escaping, not claims."}]
    assert all("accepted-warnings" not in r for r in document["records"]["findings"] if r is not finding)
    assert records_from_export(document)["finding"] == kb.records.findings


# --- the command ----------------------------------------------------------------------------------

def test_lint_ok(project):
    result = run("lint", "--root", project.root)
    assert result.exit_code == 0
    assert result.stdout == "lint: OK (2 accepted warnings)\n"
    assert result.stderr == ""


def test_lint_reports_each_warning_and_a_summary(fixture_project):
    result = run("lint", "--root", fixture_project.root)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"{OTHER_FINDING}:2:12: warning: '1' in the statement is not among the numbers of its quotes or data "
        f"[number-not-in-quotes]; {NUMBER_HINT}\n"
        f"{OTHER_FINDING}:2:12: warning: '7' in the statement is not among the numbers of its quotes or data "
        f"[number-not-in-quotes]; {NUMBER_HINT}\n"
        "lint: 2 warnings (0 accepted) in 1 file\n"
    )


def test_lint_summary_counts_accepted_and_files_in_the_singular(project):
    replace(project, CONTEXT, "tpps: Delegated from the HA.", "tpps: Delegated from the HA in 1997.")
    result = run("lint", "--root", project.root)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "lint: 1 warning (2 accepted) in 1 file"


def test_lint_format_json(project):
    replace(project, FINDING, "statement: Pilots with larger", "statement: 25% of pilots, those with larger")
    result = run("lint", "--root", project.root, "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [{
        "path": FINDING, "line": 2, "column": 12, "rule": "number-not-in-quotes", "about": "25",
        "record": "alpha-budget-risk",
        "message": "'25' in the statement is not among the numbers of its quotes or data", "hint": NUMBER_HINT}]
    assert result.stderr == "lint: 1 warning (2 accepted) in 1 file\n"


def test_lint_format_json_when_clean(project):
    result = run("lint", "--root", project.root, "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []
    assert result.stderr == "lint: OK (2 accepted warnings)\n"


def test_lint_format_github(fixture_project):
    result = run("lint", "--root", fixture_project.root, "--format", "github")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        f"::warning file={OTHER_FINDING},line=2,col=12::'1' in the statement is not among the numbers of its "
        f"quotes or data [number-not-in-quotes]; {NUMBER_HINT}")
    assert result.stderr == "lint: 2 warnings (0 accepted) in 1 file\n"


def test_lint_reports_check_problems_as_check_does(project):
    replace(project, FINDING, "type: qualitative", "type: qualitive")
    result = run("lint", "--root", project.root)
    assert result.exit_code == 1
    assert result.stderr == run("check", "--root", project.root).stderr == (
        f"{FINDING}:11:7: 'qualitive' is not allowed in 'type'; did you mean 'qualitative'?\n"
        "check: 1 problem in 1 file\n")


def test_lint_wrong_usage(project):
    result = run("lint", "--root", project.root, "--format", "xml")
    assert result.exit_code == 2


# --- the real evidence, the documentation and the hook --------------------------------------------

def test_without_their_accepts_the_real_records_warn_at_located_places(tmp_path):
    """The real base is clean only through its fixes and written accepts (test_evidence_base): strip the
    accepts from a copy and every accepted warning comes back, located in an evidence file. (Speed is
    measured by `make bench`, not here.)"""
    project = make_project(tmp_path / "real", evidence_from=PROJECT_ROOT)
    accepts = re.compile(r"^accepted-warnings:\n(?:[ -][^\n]*\n)*", re.M)
    stripped = 0
    for path in (project.root / "evidence").rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if accepts.search(text):
            path.write_text(accepts.sub("", text), encoding="utf-8")
            stripped += 1
    accepted = lint(check(Project(PROJECT_ROOT))).accepted
    report = lint(check(project))
    assert stripped > 0 and report.accepted == 0
    assert len(report.warnings) == accepted
    for warning in report.warnings:
        assert warning.rule in (*RULES, ACCEPT_UNUSED)
        assert warning.path.startswith("evidence/") and warning.line >= 1 and warning.column >= 1


def test_methods_shows_the_grade_caps_table():
    methods = (PROJECT_ROOT / "docs" / "methods.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([^`]+)` \| ([a-z-]+) \| (.*) \|$", methods, flags=re.MULTILINE)
    documented = [(phrase, level, tuple(re.findall(r"`([^`]+)`", unless))) for phrase, level, unless in rows]
    assert documented == list(GRADE_CAPS)


def test_contributing_explains_every_rule_and_how_to_accept():
    guide = (PROJECT_ROOT / "docs" / "contributing.md").read_text(encoding="utf-8")
    for rule in (*RULES, ACCEPT_UNUSED):
        assert f"`{rule}`" in guide, rule
    example = re.search(r"```yaml\n(accepted-warnings:.*?)```", guide, flags=re.S).group(1)
    entries = yaml.safe_load(example)["accepted-warnings"]
    assert entries and all(entry["rule"] in RULES and entry["reason"] for entry in entries)


def test_pre_commit_runs_lint_like_check():
    config = yaml.safe_load((PROJECT_ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert hooks["evidence-lint"]["entry"] == "python -m generator lint"
    assert hooks["evidence-lint"]["files"] == hooks["evidence-check"]["files"]
    assert hooks["evidence-lint"]["pass_filenames"] is False


def test_readme_lists_lint():
    assert "python -m generator lint" in Path(PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
