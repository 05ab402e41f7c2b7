"""`serve` re-runs check in one process: the loader's and bibliography's memos must never serve
stale content after an edit, nor hide a file that became invalid."""

from __future__ import annotations

import pytest

from generator.errors import EvidenceError
from generator.pipeline import check


def test_edited_record_is_reparsed_in_the_same_process(fixture_project) -> None:
    path = fixture_project.evidence / "findings" / "alpha-budget-risk.yaml"
    check(fixture_project)
    path.write_text(path.read_text(encoding="utf-8").replace("statement: ", "statement: Edited in place. ", 1),
                    encoding="utf-8")

    kb = check(fixture_project)

    assert kb.records.findings["alpha-budget-risk"].statement.startswith("Edited in place.")


def test_record_that_becomes_invalid_is_reported_not_served_from_memory(fixture_project) -> None:
    path = fixture_project.evidence / "findings" / "alpha-budget-risk.yaml"
    check(fixture_project)
    path.write_text(path.read_text(encoding="utf-8") + "statement: [unclosed\n", encoding="utf-8")

    with pytest.raises(EvidenceError) as caught:
        check(fixture_project)

    assert [p.path for p in caught.value.problems] == ["evidence/findings/alpha-budget-risk.yaml"]


def test_edited_bibliography_is_reformatted_in_the_same_process(fixture_project) -> None:
    bib = fixture_project.bibliography
    check(fixture_project)
    bib.write_text(bib.read_text(encoding="utf-8").replace("Practice-led commissioning", "Renamed report", 1),
                   encoding="utf-8")

    kb = check(fixture_project)

    assert any("Renamed report" in ref.plain for ref in kb.references.values())
    assert not any("Practice-led commissioning" in ref.plain for ref in kb.references.values())
