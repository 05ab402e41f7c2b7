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


def _no_citeproc(*_args):
    raise AssertionError("citeproc ran")


def test_check_alone_never_formats_the_bibliography(fixture_project, monkeypatch) -> None:
    from generator import bib

    monkeypatch.setattr(bib, "_PARSED", {})
    monkeypatch.setattr(bib, "_run_citeproc", _no_citeproc)

    kb = check(fixture_project)

    assert kb.references and all(ref.bibtex.startswith("@") for ref in kb.references.values())
    with pytest.raises(AssertionError, match="citeproc ran"):
        next(iter(kb.references.values())).html


def test_formatted_bibliography_is_reused_from_disk_by_a_new_process(fixture_project, monkeypatch) -> None:
    from generator import bib

    monkeypatch.setattr(bib, "_PARSED", {})
    first = {key: (ref.html, ref.citation, ref.plain) for key, ref in check(fixture_project).references.items()}
    assert [p.name for p in fixture_project.cache.iterdir()][0].startswith("bibliography-")
    monkeypatch.setattr(bib, "_PARSED", {})  # as a new process: nothing in memory
    monkeypatch.setattr(bib, "_run_citeproc", _no_citeproc)

    again = {key: (ref.html, ref.citation, ref.plain) for key, ref in check(fixture_project).references.items()}

    assert again == first and any("<i>" in html for html, _, _ in first.values())


def test_edited_bibliography_is_not_served_from_the_disk_cache(fixture_project, monkeypatch) -> None:
    from generator import bib

    monkeypatch.setattr(bib, "_PARSED", {})
    [ref.plain for ref in check(fixture_project).references.values()]
    bib_file = fixture_project.bibliography
    bib_file.write_text(bib_file.read_text(encoding="utf-8").replace("Practice-led commissioning", "Renamed", 1),
                        encoding="utf-8")
    monkeypatch.setattr(bib, "_PARSED", {})

    plain = [ref.plain for ref in check(fixture_project).references.values()]

    assert any("Renamed" in text for text in plain)
    assert len(list(fixture_project.cache.glob("bibliography-*.json"))) == 1  # the stale one is gone


def _cyclic_garbage_left_by(run) -> int:
    import gc

    gc.collect()
    gc.disable()
    try:
        run()
    finally:
        gc.enable()
    return gc.collect()


def test_check_makes_no_garbage_cycles_so_freezing_its_objects_leaks_nothing(fixture_project) -> None:
    """check pauses the cyclic collector and freezes what it built (pipeline.cyclic_gc_paused):
    safe only while it leaves no garbage cycles behind, when it succeeds or when it reports."""
    from generator.pipeline import _check

    assert _cyclic_garbage_left_by(lambda: _check(fixture_project)) == 0
    path = fixture_project.evidence / "findings" / "alpha-budget-risk.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("statement:", "statment:"), encoding="utf-8")
    lesson = next((fixture_project.evidence / "lessons").glob("*.yaml"))
    lesson.write_text(lesson.read_text(encoding="utf-8") + "notes: [x\n", encoding="utf-8")

    def failing() -> None:
        with pytest.raises(EvidenceError):
            _check(fixture_project)

    assert _cyclic_garbage_left_by(failing) == 0


def test_check_restores_the_collector_state(fixture_project) -> None:
    import gc

    check(fixture_project)
    assert gc.isenabled()
    gc.disable()
    try:
        check(fixture_project)
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize("bib_file", ["references.bib", "tests/fixtures/mini/references.bib"])
def test_memoised_citeproc_formats_exactly_as_citeproc(bib_file) -> None:
    import bibtexparser
    import citeproc.model
    from bibtexparser import middlewares

    from generator import PROJECT_ROOT, bib

    library = bibtexparser.parse_string((PROJECT_ROOT / bib_file).read_text(encoding="utf-8"), append_middleware=[
        middlewares.SeparateCoAuthors(), middlewares.SplitNameParts()])
    items, keys = [bib._csl(entry) for entry in library.entries], [entry.key for entry in library.entries]
    original = citeproc.model.CitationStylesElement.xpath_search

    memoised = bib._run_citeproc(items, keys)

    assert citeproc.model.CitationStylesElement.xpath_search is original  # restored after the run
    assert memoised == bib._citeproc(items, keys) and len(memoised[0]) == len(keys) >= 3
