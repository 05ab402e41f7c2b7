"""Nothing lost between the YAML and the published site: every record of the real evidence base has
exactly one page (context rows: one row on one comparison page), is in the JSON export and the search
index, and every quote, locator, number and citation in its YAML is shown on its page."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from html import unescape

import pytest

from generator.pipeline import check
from generator.render import SECTIONS

_ID_ATTR = re.compile(r'\bid="([^"]+)"')


def normalise(text: str) -> str:
    """Visible text: tags dropped (inline ones such as <abbr> without a space), entities decoded,
    whitespace folded."""
    text = re.sub(r"<(?:/(?:p|li|td|th|h\d|div|tr|blockquote|dd|dt)|br\s*/?)>", " ", text)
    return " ".join(unescape(re.sub(r"<[^>]+>", "", text)).split())


def _article(html: str) -> str:
    """The page's main content (the record itself, not navigation or metadata)."""
    match = re.search(r"<article\b.*?</article>", html, flags=re.S)
    return match.group(0) if match else html


@pytest.fixture(scope="module")
def built(real_site):
    kb = check(real_site)
    pages = {p.relative_to(real_site.site).as_posix(): p.read_text(encoding="utf-8")
             for p in real_site.site.rglob("*.html")}
    anchors: dict[str, set[str]] = defaultdict(set)
    for name, html in pages.items():
        for anchor in _ID_ATTR.findall(_article(html)):
            anchors[anchor].add(name)
    return kb, real_site, pages, anchors


def _records(kb):
    for kind in ("source", "finding", "lesson", "comparison", "context"):
        for record_id, record in kb.records.of_kind(kind).items():
            yield kind, record_id, record


def _page_of(kb, kind: str, record) -> str:
    if kind == "context":
        return f"kb/comparisons/{record.comparison}/index.html"
    return f"kb/{SECTIONS[kind]}/{record.id}/index.html"


def test_every_record_has_exactly_one_page(built):
    kb, _, pages, anchors = built
    missing, duplicated = [], []
    for kind, record_id, record in _records(kb):
        if _page_of(kb, kind, record) not in pages:
            missing.append(record_id)
        holders = anchors.get(record_id, set())
        if kind == "source":  # the reference list anchors each BibTeX key, which is the source's id
            holders = {page for page in holders if not page.startswith("kb/references/")}
        if holders != {_page_of(kb, kind, record)}:
            duplicated.append((record_id, sorted(holders)))
    assert not missing, f"{len(missing)} records without a page: {missing[:5]}"
    assert not duplicated, f"records anchored on other or several pages: {duplicated[:5]}"


def test_every_record_is_in_the_json_export(built):
    kb, project, _, _ = built
    export = json.loads((project.site / "kb" / "data" / "evidence.json").read_text(encoding="utf-8"))
    for kind in ("source", "finding", "lesson", "comparison", "context"):
        exported = [record["id"] for record in export["records"][SECTIONS.get(kind, "contexts")]]
        assert sorted(exported) == sorted(kb.records.of_kind(kind)), kind
        assert len(exported) == len(set(exported)), f"{kind}: an id exported twice"


def test_every_record_is_in_the_search_index(built):
    from generator.search import indexed_pages

    kb, project, _, _ = built
    text_by_page: dict[str, str] = defaultdict(str)
    for url, page in indexed_pages(project.site).items():  # Pagefind's record of each page
        text_by_page[url] += " " + normalise(page["meta"].get("title", "") + " " + page["content"])
        # Only the article is indexed: not the skip link before it, nor the headings' permalinks.
        assert "Skip to content" not in page["content"] and "¶" not in page["content"], url
    for kind, record_id, record in _records(kb):
        location = "/" + _page_of(kb, kind, record).removesuffix("index.html")
        assert location in text_by_page, f"{kind} {record_id}: page not indexed"
        if kind in ("finding", "lesson"):
            assert record_id in text_by_page[location], f"{kind} {record_id}: id not searchable"
        else:
            shown = {"context": "dimension", "comparison": "title", "source": "design"}[kind]
            assert " ".join(getattr(record, shown).split()) in text_by_page[location], f"{kind} {record_id}"


def _citation_text(kb, key: str) -> str:
    return normalise(kb.references[key].citation).strip("()")


def _number(value: float) -> tuple[str, ...]:
    """The ways a page may print a number: 12, 12.5, 100000 or 100,000."""
    return ("%g" % value, f"{value:,g}", f"{value:,.0f}" if value == int(value) else "%g" % value)


def _expected_on_page(kb, kind: str, record) -> list:
    """Every quote, locator, number and citation the record's YAML holds, as shown text (a tuple
    where the page may show one of several forms)."""
    expected: list = []
    for item in getattr(record, "evidence", []):
        expected += [item.quote, item.locator, _citation_text(kb, item.source)]
        expected += [_citation_text(kb, key) for key in item.cites]
    if kind == "finding":
        expected.append(record.statement)
        for point in record.data:
            expected += [point.measure, _number(point.value)]
            expected += [_number(v) for v in (point.n, point.denominator) if v is not None]
    if kind == "lesson":
        expected += [record.title, record.summary]
        if record.origin.type == "source":
            expected += [record.origin.quote, record.origin.locator, _citation_text(kb, record.origin.source)]
        else:
            expected.append(record.origin.rationale)
    if kind == "source":
        expected += [record.design, record.sample, record.funding, *record.limitations]
    if kind == "comparison":
        expected += [record.title, record.locator, *(column.label for column in record.columns)]
    if kind == "context":
        expected += [record.dimension, record.implication, *record.values.values()]
    return [tuple(" ".join(t.split()) for t in text) if isinstance(text, tuple) else " ".join(text.split())
            for text in expected]


def test_every_quote_number_and_citation_is_on_its_page(built):
    kb, _, pages, _ = built
    lost = []
    checked = 0
    for kind, record_id, record in _records(kb):
        shown = normalise(_article(pages[_page_of(kb, kind, record)]))
        for text in _expected_on_page(kb, kind, record):
            checked += 1
            forms = text if isinstance(text, tuple) else (text,)
            if not any(form in shown for form in forms):
                lost.append(f"{kind} {record_id}: {forms[0][:80]!r}")
    assert not lost, f"{len(lost)} of {checked} texts not shown:\n" + "\n".join(lost[:20])
    assert checked > 2000
