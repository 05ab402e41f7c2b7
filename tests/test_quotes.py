"""verify-quotes: every quote stands verbatim in the plain-text copy of its source."""

from __future__ import annotations

import pytest
from conftest import SEEDS
from evidence_edits import FINDING, replace

from generator.pipeline import check
from generator.quotes import find_quote, load_mapping, normalise, verify_quotes

ALPHA_TEXT = """TOTAL PURCHASING

Larger pilots, those with more than
50,000 patients, managed   risk more easily.

Maternity care was the area where fewest TPPs
achieved change. Budgets were *delegated*. Membership was voluntary.
"""
BETA_TEXT = "Chapter 2\n\nIncentives | mattered a lot.\n"
MAPPING = {"alpha-1999-total": "alpha.txt", "beta-2004-practice": "beta.txt"}


@pytest.mark.parametrize(("raw", "expected"), [
    ("  a\n  b\t\tc  ", "a b c"),
    ("*emphasis* and **strong**", "emphasis and strong"),
    ("line one\r\nline two", "line one line two"),
    ("", ""),
])
def test_normalise(raw, expected):
    assert normalise(raw) == expected


TEXT = normalise("The first part. Some words between. The second part, and the end.")


@pytest.mark.parametrize(("quote", "found"), [
    ("The first part.", 0),
    ("Some words\n   between.", 16),  # line breaks and runs of spaces fold
    ("The *second* part", 36),  # italics asterisks are ignored
    ("The first part. ... The second part", 0),  # '...' marks a cut
    ("The first part…the end.", 0),  # so does the ellipsis character, with or without spaces
    ("... Some words between.", 16),  # a leading cut
    ("The first part ...", 0),  # a trailing cut
    ("The second part ... The first part", None),  # pieces must come in order
    ("The first part ... a missing part", None),  # every piece must be there
    ("the first part", None),  # case matters: verbatim means verbatim
    ("The first  part. Some", 0),
    ("...", None),  # a quote that is only a cut quotes nothing
])
def test_find_quote(quote, found):
    assert find_quote(quote, TEXT) == found


def _texts(tmp_path, alpha: str = ALPHA_TEXT):
    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "alpha.txt").write_text(alpha, encoding="utf-8")
    (folder / "beta.txt").write_text(BETA_TEXT, encoding="utf-8")
    return folder


def test_every_fixture_quote_is_found(fixture_project, tmp_path):
    report = verify_quotes(check(fixture_project), _texts(tmp_path), MAPPING)
    assert (report.checked, report.problems, report.unmapped) == (6, [], [])


def test_a_changed_word_is_reported_at_the_quote(fixture_project, tmp_path):
    replace(fixture_project, FINDING, "managed risk more easily.", "managed risk much more easily.")
    report = verify_quotes(check(fixture_project), _texts(tmp_path), MAPPING)
    assert [str(p) for p in report.problems] == [
        "evidence/findings/alpha-budget-risk.yaml:6:12: quote not found verbatim in alpha.txt (alpha-1999-total); "
        "copy the passage exactly; mark cuts with '...'",
    ]
    assert report.checked == 6


def test_lesson_origin_quotes_are_checked_too(fixture_project, tmp_path):
    text = ALPHA_TEXT.replace("Maternity care was the area where fewest TPPs\nachieved change.", "")
    report = verify_quotes(check(fixture_project), _texts(tmp_path, alpha=text), MAPPING)
    assert [str(p).split(": quote")[0] for p in report.problems] == [
        "evidence/findings/alpha-maternity-change.yaml:6:12",
        "evidence/lessons/practices-plan-maternity.yaml:11:10",
    ]


def test_sources_without_a_text_are_listed_not_failed(fixture_project, tmp_path):
    report = verify_quotes(check(fixture_project), _texts(tmp_path), {"alpha-1999-total": "alpha.txt"})
    assert (report.checked, report.problems, report.unmapped) == (5, [], ["beta-2004-practice"])


def test_mapped_file_that_is_absent_counts_as_unmapped(fixture_project, tmp_path):
    mapping = {**MAPPING, "beta-2004-practice": "not-there.txt"}
    report = verify_quotes(check(fixture_project), _texts(tmp_path), mapping)
    assert report.unmapped == ["beta-2004-practice"]


def test_load_mapping(tmp_path):
    path = tmp_path / "map.yaml"
    path.write_text("# comment\nalpha-1999-total: alpha.txt\n", encoding="utf-8")
    assert load_mapping(path) == {"alpha-1999-total": "alpha.txt"}
    path.write_text("- not\n- a mapping\n", encoding="utf-8")
    with pytest.raises(ValueError, match="expected a mapping of source id: text file name"):
        load_mapping(path)
    path.write_text("alpha-1999-total: [alpha.txt]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="expected a mapping of source id: text file name"):
        load_mapping(path)


def test_load_mapping_with_a_yaml_error_names_the_place(tmp_path):
    path = tmp_path / "map.yaml"
    path.write_text("alpha: a.txt\nbeta: [b.txt\n", encoding="utf-8")
    with pytest.raises(ValueError) as caught:
        load_mapping(path)
    assert str(caught.value) == f"{path}:3:1: not valid YAML (expected ',' or ']', but got '<stream end>')"


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"source texts not available ({SEEDS})")
def test_real_evidence_quotes_are_verbatim_in_the_seed_texts(real_project):
    mapping = load_mapping(real_project.root / "seed-texts.yaml")
    report = verify_quotes(check(real_project), SEEDS, mapping)
    assert [str(p) for p in report.problems] == []
    assert report.unmapped == []
    assert report.checked > 500
