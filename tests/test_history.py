"""Record history from git: describe_change's phrases, each record's commits (record_histories) and
what changed between two revisions (evidence_changes), on small git repositories with fixed dates."""

from __future__ import annotations

import subprocess

import pytest
from git_repos import Repo

from generator.history import (
    Change, GradeChange, HistoryError, RecordChange, describe_change, evidence_changes, grade_reason,
    record_histories,
)

FINDING = """\
id: f
statement: Larger pilots managed risk more easily.
evidence:
  - source: alpha
    locator: Section 3
    quote: Larger pilots ... managed risk more easily.
themes: [budgets]
stakeholders: [pcts]
type: qualitative
confidence:
  level: moderate
  reasons:
    methodological-limitations: Interviews.
    coherence: Fits.
    adequacy: Several sites.
    relevance: TPPs.
"""

LESSON = """\
id: l
title: Pool financial risk
stakeholders: [pcts]
themes: [budgets]
summary: Pool risk across practices.
findings: [f]
origin:
  type: synthesis
  rationale: Both sources agree.
confidence:
  level: moderate
  explanation: Moderate because of adequacy.
  methodological-limitations: {concern: minor, explanation: Interviews.}
  coherence: {concern: no-or-very-minor, explanation: Fits.}
  adequacy: {concern: moderate, explanation: Two findings.}
  relevance: {concern: minor, explanation: TPPs.}
"""


def day(n: int) -> str:
    return f"2024-{n:02d}-0{n}T10:00:00+00:00"


# --- describe_change, phrase by phrase ------------------------------------------------------------

def finding(**changes):
    import yaml

    record = yaml.safe_load(FINDING)
    for key, value in changes.items():
        if value is None:
            record.pop(key, None)
        else:
            record[key] = value
    return record


def lesson(**changes):
    import yaml

    record = yaml.safe_load(LESSON)
    record.update(changes)
    return record


def quote(locator: str, text: str = "Larger pilots ... managed risk more easily.", source: str = "alpha", **more):
    return {"source": source, "locator": locator, "quote": text, **more}


def with_level(record: dict, level: str) -> dict:
    return {**record, "confidence": {**record["confidence"], "level": level}}


@pytest.mark.parametrize("old, new, phrases", [
    (None, finding(), ["Added"]),
    (finding(), None, ["Removed"]),
    (finding(), finding(statement="Larger pilots managed risk better."), ["Statement reworded"]),
    (finding(), finding(statement="  Larger pilots\n  managed risk   more easily. "), ["Formatting only"]),
    (finding(), finding(evidence=[quote("Section 3"), quote("Section 2", "Budgets were delegated.")]),
     ["Quote added (Section 2)"]),
    (finding(evidence=[quote("Section 3"), quote("Table 2", "Budgets.")]), finding(), ["Quote removed (Table 2)"]),
    (finding(), finding(evidence=[quote("Section 3", "Larger pilots managed risk.")]), ["Quote changed (Section 3)"]),
    (finding(), finding(evidence=[quote("Section 4")]), ["Locator changed (Section 3 → Section 4)"]),
    (finding(), finding(evidence=[quote("Section 3", cites=["mays-1998"])]), ["Cited works revised (Section 3)"]),
    (finding(), finding(evidence=[quote("Section 3", order=12)]), ["Reading order revised"]),
    (finding(evidence=[quote("A", "one"), quote("B", "two")]), finding(evidence=[quote("B", "two"), quote("A", "one")]),
     ["Quotes reordered"]),
    (finding(), with_level(finding(), "low"), ["Grade moderate → low"]),
    (finding(), finding(confidence={"level": "moderate", "reasons": {
        "methodological-limitations": "Interviews.", "coherence": "Fits.", "adequacy": "One site.",
        "relevance": "Only TPPs."}}), ["Confidence reasons revised (adequacy, relevance)"]),
    (finding(), finding(stakeholders=["pcts", "practices"], themes=[]),
     ["Stakeholders added: practices", "Themes removed: budgets"]),
    (finding(), finding(schemes=["tp"]), ["Schemes added: tp"]),
    (finding(), finding(type="mixed"), ["Type qualitative → mixed"]),
    (finding(), finding(data=[{"measure": "TPPs", "value": 3, "unit": "count"}]), ["Data added"]),
    (finding(data=[{"measure": "TPPs", "value": 3, "unit": "count"}]),
     finding(data=[{"measure": "TPPs", "value": 4, "unit": "count"}]), ["Data revised"]),
    (finding(), finding(notes="An editor's note."), ["Notes added"]),
    (finding(notes="An editor's note."), finding(notes="Another note."), ["Notes revised"]),
    (finding(), finding(notes=""), ["Formatting only"]),
    (finding(), finding(**{"accepted-warnings": [{"rule": "hedge-dropped", "reason": "Attributed."}]}),
     ["Accepted warnings added"]),
    (finding(), finding(checked={"date": "2026-11-26", "by": "A. Reader", "digest": "0123456789abcdef"}),
     ["Second reading recorded"]),
    (finding(checked={"date": "2026-11-26", "by": "A", "digest": "0123456789abcdef"}), finding(),
     ["Second reading removed"]),
    (finding(), finding(**{"change-log": [{"date": "2026-11-26", "what": "Regraded", "why": "One site"}]}),
     ["Change log entry added"]),
    (finding(), finding(aliases=["old-f"]), ["Aliases added: old-f"]),
    (finding(), finding(id="g"), ["Id f → g"]),
    (finding(colour="red"), finding(colour="blue"), ["Colour revised"]),
    (finding(), finding(colour="blue"), ["Colour added"]),
    (lesson(), lesson(title="Pool the risk"), ["Title reworded"]),
    (lesson(), lesson(summary="Pool risk widely."), ["Summary reworded"]),
    (lesson(), lesson(findings=["f", "a", "b"]), ["Findings added: a, b"]),
    (lesson(findings=["f", "c"]), lesson(), ["Findings removed: c"]),
    (lesson(), lesson(caveats=["TPPs were small."]), ["Caveats added"]),
    (lesson(caveats=["TPPs were small."]), lesson(caveats=["TPPs were smaller."]), ["Caveats revised"]),
    (lesson(), lesson(contexts=["x-row"]), ["Contexts added: x-row"]),
    (lesson(), lesson(origin={"type": "synthesis", "rationale": "All agree."}), ["Rationale revised"]),
    (lesson(), lesson(origin={"type": "source", "source": "a", "locator": "p. 3", "quote": "Pool it."}),
     ["Origin synthesis → source"]),
    (lesson(), lesson(**{"finding-grades": {"f": "moderate"}}), ["Finding grades recorded"]),
    (lesson(), lesson(confidence={**lesson()["confidence"], "level": "low",
                                  "adequacy": {"concern": "serious", "explanation": "One finding."}}),
     ["Grade moderate → low", "Adequacy concern moderate → serious", "Confidence reasons revised (adequacy)"]),
    (lesson(), lesson(confidence={**lesson()["confidence"], "explanation": "Moderate, for adequacy."}),
     ["Confidence explanation revised"]),
    (lesson(confidence=None), lesson(), ["Graded moderate", "Confidence reasons added"]),
])
def test_describe_change_phrases(old, new, phrases):
    kind = "lesson" if "title" in (new or old) else "finding"
    assert describe_change(kind, old, new) == phrases


def test_phrases_come_most_important_first():
    new = with_level(finding(statement="Pilots managed risk.", notes="Checked.", themes=["budgets", "risk"],
                             checked={"date": "2026-11-26", "by": "A", "digest": "0123456789abcdef"},
                             evidence=[quote("Section 3"), quote("Table 1", "Risk.")]), "low")
    new["confidence"]["reasons"] = {**new["confidence"]["reasons"], "coherence": "Partly."}
    assert describe_change("finding", finding(), new) == [
        "Grade moderate → low", "Statement reworded", "Quote added (Table 1)", "Themes added: risk",
        "Confidence reasons revised (coherence)", "Notes added", "Second reading recorded"]


def test_every_field_of_every_kind_is_described():
    from generator.models import RECORD_MODELS

    for kind, model in RECORD_MODELS.items():
        for name, info in model.model_fields.items():
            key = info.alias or name
            phrases = describe_change(kind, {"id": "x"}, {"id": "x", key: "something"})
            assert phrases and phrases != ["Formatting only"], (kind, key)


def test_context_and_source_fields():
    row = {"id": "r", "comparison": "c", "dimension": "Budget", "values": {"tpps": "Delegated", "pcgs": "Unified"},
           "implication": "Risk pools.", "order": 1}
    assert describe_change("context", row, {**row, "values": {"tpps": "Delegated", "pcgs": "Unified budget"},
                                            "order": 2}) == ["Values revised (pcgs)", "Row order 1 → 2"]
    source = {"id": "s", "kind": "book", "setting": {"countries": ["England"], "period": "1996"}}
    assert describe_change("source", source, {**source, "kind": "journal-article",
                                              "setting": {"countries": ["England", "Scotland"], "period": "1997"}}) \
        == ["Kind book → journal-article", "Countries added: Scotland", "Period 1996 → 1997"]


def test_grade_reason_from_the_change_log():
    entry = {"date": "2026-11-26", "what": "Regraded", "why": "Only one site",
             "grade": {"from": "moderate", "to": "low"}}
    assert grade_reason(finding(), with_level(finding(**{"change-log": [entry]}), "low")) == "Only one site"
    other = {**entry, "grade": {"from": "high", "to": "low"}}
    assert grade_reason(finding(), with_level(finding(**{"change-log": [other]}), "low")) is None
    steps = [{**entry, "date": "2026-11-27", "why": "No data", "grade": {"from": "low", "to": "very-low"}}, entry]
    assert grade_reason(finding(), with_level(finding(**{"change-log": steps}), "very-low")) == \
        "Only one site; then No data"
    logged = finding(**{"change-log": [entry]})
    assert grade_reason(logged, with_level(logged, "low")) is None  # the entry was there before


# --- record_histories -----------------------------------------------------------------------------

LOW_WITH_REASON = FINDING.replace("level: moderate", "level: low").replace(
    "Larger pilots managed risk more easily.", "Larger pilots managed financial risk more easily.") + """\
change-log:
  - date: "2024-02-02"
    what: Regraded after a second reading.
    why: Only one site reported it.
    grade: {from: moderate, to: low}
"""


@pytest.fixture
def history_repo(tmp_path):
    repo = Repo(tmp_path / "repo")
    ids = {}
    ids[1] = repo.commit({"evidence/findings/f.yaml": FINDING, "evidence/lessons/l.yaml": LESSON,
                          "evidence/themes.yaml": "budgets: {label: B, description: B.}\n",
                          "evidence/glossary.yaml": "TPP: {expansion: total purchasing pilot}\n",
                          "evidence/findings/notes.txt": "not a record\n"}, "Add f and l", day(1))
    ids[2] = repo.commit({"evidence/findings/f.yaml": LOW_WITH_REASON,
                          "evidence/lessons/l.yaml": LESSON.replace("level: moderate", "level: low")},
                         "Regrade f", day(2))
    refolded = LOW_WITH_REASON.replace("statement: Larger pilots", "statement: >-\n  Larger pilots")
    ids[3] = repo.commit({"evidence/findings/f.yaml": refolded}, "Refold", day(3))
    ids[4] = repo.commit({"evidence/findings/f.yaml": refolded + "notes: [unclosed\n"}, "Broken", day(4))
    fixed = refolded.replace("themes:", "  - source: alpha\n    locator: Section 2\n    quote: Budgets.\nthemes:")
    ids[5] = repo.commit({"evidence/findings/f.yaml": fixed}, "Fix the YAML, add a quote", day(5))
    ids[6] = repo.commit({"evidence/findings/f.yaml": fixed + 'checked: {date: "2024-06-06", by: A, '
                                                              'digest: 0123456789abcdef}\n',
                          "evidence/lessons/l.yaml": None}, "Second reading; drop l", day(6))
    repo.git("tag", "-a", "v2024.1", ids[1], "-m", "first", when=day(1))
    return repo, ids


def test_record_histories_newest_first_with_exact_phrases(history_repo):
    repo, ids = history_repo
    histories = record_histories(repo.path)
    assert sorted(histories) == ["evidence/findings/f.yaml", "evidence/lessons/l.yaml"]
    assert histories["evidence/findings/f.yaml"] == [
        Change("2024-06-06", ids[6], "Second reading; drop l", ["Second reading recorded"]),
        Change("2024-05-05", ids[5], "Fix the YAML, add a quote", ["Quote added (Section 2)"]),
        Change("2024-04-04", ids[4], "Broken", ["Changed (this version did not parse)"]),
        Change("2024-03-03", ids[3], "Refold", ["Formatting only"]),
        Change("2024-02-02", ids[2], "Regrade f", ["Grade moderate → low", "Statement reworded",
                                                   "Change log entry added"],
               ("moderate", "low"), "Only one site reported it."),
        Change("2024-01-01", ids[1], "Add f and l", ["Added"]),
    ]
    assert histories["evidence/lessons/l.yaml"] == [
        Change("2024-06-06", ids[6], "Second reading; drop l", ["Removed"]),
        Change("2024-02-02", ids[2], "Regrade f", ["Grade moderate → low"], ("moderate", "low"), None),
        Change("2024-01-01", ids[1], "Add f and l", ["Added"]),
    ]


def test_a_first_version_that_does_not_parse(tmp_path):
    repo = Repo(tmp_path / "repo")
    first = repo.commit({"evidence/findings/f.yaml": "id: f\nstatement: [oops\n"}, "Broken start", day(1))
    second = repo.commit({"evidence/findings/f.yaml": FINDING}, "Fixed", day(2))
    assert record_histories(repo.path) == {"evidence/findings/f.yaml": [
        Change("2024-02-02", second, "Fixed", ["Changed (the previous version did not parse)"]),
        Change("2024-01-01", first, "Broken start", ["Changed (this version did not parse)"])]}


def test_root_as_a_folder_inside_the_repository(tmp_path):
    repo = Repo(tmp_path / "repo")
    first = repo.commit({"evidence/findings/outside.yaml": FINDING,
                         "tests/fixtures/mini/evidence/findings/f.yaml": FINDING}, "Add", day(1))
    second = repo.commit({"tests/fixtures/mini/evidence/findings/f.yaml": FINDING + "notes: Mine.\n"}, "Note", day(2))
    assert record_histories(repo.path / "tests" / "fixtures" / "mini") == {"evidence/findings/f.yaml": [
        Change("2024-02-02", second, "Note", ["Notes added"]), Change("2024-01-01", first, "Add", ["Added"])]}


def test_outside_git_there_is_no_history(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    (tmp_path / "evidence" / "findings").mkdir(parents=True)
    (tmp_path / "evidence" / "findings" / "f.yaml").write_text(FINDING)
    assert record_histories(tmp_path) == {}
    with pytest.raises(HistoryError) as caught:
        evidence_changes(tmp_path, None)
    assert str(caught.value) == f"{tmp_path} is not in a git repository; run `git init` and commit the evidence"


def test_a_shallow_clone_gives_the_history_it_has(history_repo, tmp_path):
    repo, ids = history_repo
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.path}", str(tmp_path / "shallow")],
                   check=True, capture_output=True)
    assert record_histories(tmp_path / "shallow") == {"evidence/findings/f.yaml": [
        Change("2024-06-06", ids[6], "Second reading; drop l", ["Added"])]}


def test_the_real_repository_history_is_fast():
    import time

    from generator import PROJECT_ROOT

    started = time.perf_counter()
    histories = record_histories(PROJECT_ROOT)
    elapsed = time.perf_counter() - started
    if not histories:
        pytest.skip("no git history here")
    assert all(path.startswith("evidence/") and path.endswith(".yaml") for path in histories)
    assert elapsed < 3, f"record_histories took {elapsed:.2f}s"


# --- evidence_changes -----------------------------------------------------------------------------

def test_evidence_changes_between_two_revisions(history_repo):
    repo, ids = history_repo
    changes = evidence_changes(repo.path, "v2024.1", "HEAD")
    assert changes.added == []
    assert changes.removed == [RecordChange("lesson", "l", "Pool financial risk", ["Removed"])]
    assert changes.changed == [RecordChange(
        "finding", "f", "Larger pilots managed financial risk more easily.",
        ["Grade moderate → low", "Statement reworded", "Quote added (Section 2)", "Change log entry added",
         "Second reading recorded"])]
    assert changes.grades == [GradeChange("finding", "f", "moderate", "low", "Only one site reported it.")]
    assert not changes.empty


def test_evidence_changes_from_the_beginning_and_unchanged(history_repo):
    repo, ids = history_repo
    changes = evidence_changes(repo.path, None, ids[1])
    assert [(c.kind, c.id, c.changes) for c in changes.added] == [("lesson", "l", ["Added"]),
                                                                 ("finding", "f", ["Added"])]
    assert (changes.removed, changes.changed, changes.grades) == ([], [], [])
    assert evidence_changes(repo.path, "HEAD", "HEAD").empty


def test_evidence_changes_refuses_an_unknown_revision(history_repo):
    repo, _ = history_repo
    with pytest.raises(HistoryError) as caught:
        evidence_changes(repo.path, "v1999.1")
    assert str(caught.value) == (f"'v1999.1' is not a commit, branch or tag of the repository at {repo.path}; "
                                 "name one that exists (`git tag` lists the releases)")


def test_a_context_row_knows_its_comparison(tmp_path):
    repo = Repo(tmp_path / "repo")
    repo.commit({"evidence/contexts/r.yaml": "id: r\ncomparison: c\ndimension: Budget\n"}, "Add", day(1))
    assert evidence_changes(repo.path, None).added == [RecordChange("context", "r", "Budget", ["Added"], "c")]
