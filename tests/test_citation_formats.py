"""The citation downloads read back by independent libraries: RIS by rispy, CSL-JSON by citeproc-py in
two styles, BibTeX by bibtexparser and pybtex. Title, authors, year and address must survive each round trip."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import bibtexparser
import pytest
import rispy
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON

STYLES = ["harvard-cite-them-right", str(Path(__file__).parent / "fixtures" / "csl" / "title-year-url.csl")]


@pytest.fixture(scope="module")
def data(fixture_site) -> Path:
    return fixture_site.site / "kb" / "data"


@pytest.fixture(scope="module")
def records(fixture_site):
    from generator.pipeline import check

    return check(fixture_site)


def test_records_ris_reads_back_with_title_address_and_year(data, records):
    entries = rispy.loads((data / "records.ris").read_text(encoding="utf-8"))
    expected = {f"gpce-{kind}-{record_id}" for kind in ("finding", "lesson") for record_id in records.records.of_kind(kind)}
    assert {entry["id"] for entry in entries} == expected
    statement = records.records.findings["alpha-maternity-change"].statement
    entry = next(e for e in entries if e["id"] == "gpce-finding-alpha-maternity-change")
    assert entry["type_of_reference"] == "ELEC"
    assert entry["title"] == f"Finding: {' '.join(statement.split())}"
    assert entry["authors"] == ["GP-led commissioning evidence contributors"]
    assert entry["urls"] == ["https://gpce.test/evidence/kb/findings/alpha-maternity-change/"]


def test_references_ris_reads_back_every_work_with_its_authors(data, records):
    entries = {e["id"]: e for e in rispy.loads((data / "references.ris").read_text(encoding="utf-8"))}
    assert set(entries) == set(records.references)
    for key, ref in records.references.items():
        assert entries[key]["title"], key
        assert entries[key].get("authors", []) == [name.replace("{", "").replace("}", "") for name in ref.authors]
        if ref.year.isdigit():
            assert entries[key]["year"] == ref.year


@pytest.mark.parametrize("name", ["records.csl.json", "references.csl.json"])
@pytest.mark.parametrize("style", STYLES, ids=["harvard", "title-year-url"])
def test_csl_json_renders_in_two_styles(data, name, style):
    items = json.loads((data / name).read_text(encoding="utf-8"))
    source = CiteProcJSON(items)
    bibliography = CitationStylesBibliography(CitationStylesStyle(style, validate=False), source, formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    rendered = [str(entry) for entry in bibliography.bibliography()]
    assert len(rendered) == len(items)
    for item in items:
        title = item["title"]
        match = [text for text in rendered if title[:40] in text]
        assert match, f"{item['id']}: title not in any rendered entry"
        if "issued" in item:
            assert str(item["issued"]["date-parts"][0][0]) in match[0], item["id"]
        if "URL" in item and style.endswith(".csl"):
            assert item["URL"] in match[0], item["id"]


def test_record_bibtex_reads_back_with_bibtexparser(fixture_site):
    page = (fixture_site.generated / "findings" / "alpha-maternity-change.md").read_text(encoding="utf-8")
    assert ">RIS</label>" in page and ">CSL&#45;JSON</label>" in page
    blocks = [unescape(code) for code in re.findall(r"<code>(.*?)</code>", page, re.S)]
    block = next(code for code in blocks if code.startswith("@misc{gpce-finding-alpha-maternity-change,"))
    library = bibtexparser.parse_string(block)
    assert not library.failed_blocks
    entry = library.entries[0]
    assert entry.key == "gpce-finding-alpha-maternity-change"
    assert entry.fields_dict["url"].value == "https://gpce.test/evidence/kb/findings/alpha-maternity-change/"


def _record_bibtex(project, kind: str, record_id: str) -> str:
    page = (project.generated / f"{kind}s" / f"{record_id}.md").read_text(encoding="utf-8")
    blocks = [unescape(code) for code in re.findall(r"<code>(.*?)</code>", page, re.S)]
    return next(code for code in blocks if code.startswith(f"@misc{{gpce-{kind}-{record_id},"))


def test_every_record_bibtex_reads_back_with_pybtex(fixture_site, records):
    """pybtex, a second BibTeX reader, on every finding's and lesson's BibTeX (the hostile one too)."""
    from pybtex.database import parse_string

    for kind in ("finding", "lesson"):
        for record_id, record in records.records.of_kind(kind).items():
            entry = parse_string(_record_bibtex(fixture_site, kind, record_id), "bibtex").entries[f"gpce-{kind}-{record_id}"]
            title = record.statement if kind == "finding" else record.title
            assert entry.type == "misc"
            assert entry.fields["title"].replace("\\", "") == " ".join(title.split()).replace("{", "(").replace("}", ")")
            # one corporate author, braced so that no reader splits it into family and given names
            assert [str(person) for person in entry.persons["author"]] == ["{GP-led commissioning evidence contributors}"]
            assert entry.fields["url"] == f"https://gpce.test/evidence/kb/{kind}s/{record_id}/"
            assert "year" not in entry.fields  # built without git: no date to give (none is invented)


def test_the_sites_references_bib_reads_back_with_pybtex(data, records):
    from pybtex.database import parse_string

    parsed = parse_string((data / "references.bib").read_text(encoding="utf-8"), "bibtex")
    assert set(parsed.entries) == set(records.references)
