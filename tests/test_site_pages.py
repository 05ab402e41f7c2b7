"""The site readers use: golden files for every page type (from the fixture evidence), and whole-site
checks on the real evidence: one page per record, every link and anchor resolves, every lesson on
each of its stakeholder and theme pages, every citation key formatted, the JSON export loses nothing,
no request leaves the site.

Regenerate the golden files after an intended change with:  UPDATE_GOLDEN=1 pytest tests/test_site_pages.py
"""

from __future__ import annotations

import csv
from html import unescape
import io
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from generator import SCHEMA_VERSION
from generator.charts import charts, data_table
from generator.export import records_from_export
from generator.models import DataPoint
from generator.pipeline import check
from generator.references import REFERENCES_PER_PAGE, ReferenceList
from generator.render import PAGE_SIZE, Renderer, render_pages

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
SECTIONS = {"source": "sources", "finding": "findings", "lesson": "lessons", "comparison": "comparisons"}

GOLDEN_PAGES = [
    "findings/alpha-maternity-change.md",      # quantitative: data table, chart, cite tabs
    "findings/beta-budget-incentives.md",      # hostile text
    "lessons/pcts-pool-budget-risk.md",        # synthesis, caveats, contexts
    "lessons/practices-plan-maternity.md",     # source-stated
    "sources/alpha-1999-total.md",
    "comparisons/alpha-tpp-pcg.md",
    "comparisons/index.md",
    "themes/budgets-and-risk.md",              # cross-source comparison table
    "themes/index.md",
    "stakeholders/pcts.md",
    "stakeholders/index.md",
    "briefings/pcts.md",                       # a stakeholder's two-page briefing
    "rating-changes.md",                       # every grade change with its reason (hostile why)
    "versions.md",                             # releases (none in a build without git)
    "briefings/index.md",
    "schemes/tp.md",
    "schemes/index.md",
    "sources/index.md",
    "lessons/index.md",
    "map/index.md",                            # evidence map
    "map/budgets-and-risk/pcts.md",            # one evidence-map cell
    "references/index.md",                     # the letters, with counts
    "references/a.md",                         # one letter's entries
    "glossary/index.md",
    "data/index.md",
    "whats-new.md",
    "_home.md",
    "_abbreviations.md",
    "data/evidence.json",
    "data/findings.csv",
    "data/lessons.csv",
]


def assert_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.is_file(), f"no golden file {path}; run with UPDATE_GOLDEN=1 to create it"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from {path} (UPDATE_GOLDEN=1 if intended)"


@pytest.fixture(scope="module")
def fixture_pages(tmp_path_factory):
    from tests.conftest import make_project

    project = make_project(tmp_path_factory.mktemp("golden") / "project")
    return render_pages(check(project), project, git_dates=False)


@pytest.mark.parametrize("page", GOLDEN_PAGES)
def test_page_matches_golden_file(fixture_pages, page):
    assert_golden(f"pages/{page}", fixture_pages[page])


def test_reference_manager_metadata_matches_golden_file(fixture_site):
    """The <head> of a finding page: Highwire citation_* tags and the schema.org JSON-LD."""
    html = (fixture_site.site / "kb/findings/beta-budget-incentives/index.html").read_text(encoding="utf-8")
    head = "\n".join(line.strip() for line in html.splitlines()
                     if "citation_" in line or "application/ld+json" in line)
    assert_golden("head/finding-beta-budget-incentives.html", head + "\n")
    jsonld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html).group(1))
    assert jsonld["@type"] == "Claim"
    assert jsonld["name"].startswith("Practices responded to budgets with incentives: <script>")
    assert "<script>" not in head.split("application/ld+json", 1)[1]  # |tojson escapes < inside the script


def test_source_page_metadata_describes_the_report(fixture_site):
    html = (fixture_site.site / "kb/sources/alpha-1999-total/index.html").read_text(encoding="utf-8")
    assert '<meta name="citation_title" content="Total purchasing: a step towards new primary care organisations">' in html
    assert html.count('<meta name="citation_author"') == 2
    assert '<meta name="citation_author" content="Alpha, A.">' in html
    assert '<meta name="citation_publication_date" content="1999">' in html
    assert '<meta name="citation_publisher" content="King&#39;s Fund">' in html


# --- charts and data tables ---------------------------------------------------------------------

def _points(*rows) -> list[DataPoint]:
    return [DataPoint(measure=m, value=v, unit=u, group=g, n=n) for m, v, u, g, n in rows]


def test_chart_svg_matches_golden_file():
    data = _points(("Main objectives achieved", 72, "percent", "Early discharge", 18),
                   ("Main objectives achieved", 64, "percent", "Needs <assessment> & info", 22),
                   ("Main objectives achieved, all areas", 70, "percent", "All", 172))
    (chart,) = charts(data, "chart-x")
    assert_golden("charts/percent-by-group.svg", chart.svg + "\n")
    assert chart.title == "Main objectives achieved (percent)"
    assert chart.description == ("Bar chart. Early discharge: 72% (n=18); Needs <assessment> & info: 64% (n=22); "
                                 "All: 70% (n=172).")


def test_chart_is_accessible_static_svg_with_numbers_on_every_bar():
    data = _points(("Type 1 <script>alert(1)</script>", 2, "TPPs", None, None),
                   ("Type 2 developmental", 11, "TPPs", None, None))
    (chart,) = charts(data, "c")
    svg = chart.svg
    assert svg.startswith('<svg class="gpce-chart__svg" role="img" aria-labelledby="c-1-title c-1-desc"')
    assert '<title id="c-1-title">Figures in TPPs</title>' in svg
    assert "<desc id=\"c-1-desc\">Bar chart. Type 1 &lt;script&gt;alert(1)&lt;/script&gt;: 2; Type 2 developmental: 11.</desc>" in svg
    assert "<script" not in svg and "href" not in svg
    assert svg.count("<rect ") == 2
    assert re.findall(r'class="gpce-chart__value"[^>]*>([^<]*)<', svg) == ["2", "11"]


def test_units_are_never_mixed_in_one_chart_and_lone_counts_are_not_charted():
    data = _points(("Pilots", 8, "TPPs", "A", None), ("Pilots", 4, "TPPs", "B", None),
                   ("Share", 15, "percent", "A", None), ("Cost", 6, "pounds per head", None, None))
    assert [c.title.split(" (")[-1] for c in charts(data, "c")] == ["TPPs)", "percent)"]


def test_data_table_states_constant_columns_once():
    data = _points(("Main objectives achieved", 72, "percent", "Early discharge", 18),
                   ("Main objectives achieved", 64, "percent", "Needs", None))
    table = data_table(data)
    assert table.columns == [("group", "Group"), ("value", "Value"), ("n", "n")]
    assert table.constants == [("Measure", "Main objectives achieved"), ("Unit", "percent")]
    assert table.rows == [["Early discharge", "72", "18"], ["Needs", "64", "—"]]


# --- dates, long lists ---------------------------------------------------------------------------

def test_record_pages_and_whats_new_show_git_dates(fixture_project):
    kb = check(fixture_project)
    renderer = Renderer(kb, fixture_project, git_dates=False)
    renderer.dates = {"evidence/findings/alpha-budget-risk.yaml": ("2024-01-05", "2024-03-01"),
                      "evidence/lessons/pcts-pool-budget-risk.yaml": ("2024-02-01", "2024-02-01")}
    pages = renderer.pages()
    assert "Added 2024-01-05 · last changed 2024-03-01" in pages["findings/alpha-budget-risk.md"]
    assert 'changed: "2024-03-01"' in pages["findings/alpha-budget-risk.md"]
    harvard = unescape(pages["findings/alpha-budget-risk.md"])
    assert "contributors (2024) Finding: Pilots with larger budgets" in harvard  # year of the last change
    whats_new = pages["whats-new.md"]
    first, second = [line for line in whats_new.splitlines() if line.startswith("| 2024")]
    assert first.startswith("| 2024-03-01 | 2024-01-05 | Finding: [Pilots with larger budgets")
    assert second.startswith("| 2024-02-01 | 2024-02-01 **new** | Lesson: [Pool financial risk")


def test_long_lists_continue_on_numbered_pages(fixture_project, monkeypatch):
    import generator.render as render

    monkeypatch.setattr(render, "PAGE_SIZE", 1)
    pages = render_pages(check(fixture_project), fixture_project, git_dates=False)
    # budgets-and-risk: 1 lesson and 2 findings -> three one-item pages
    listing = [p for p in pages if p.startswith("themes/budgets-and-risk/all")]
    assert sorted(listing) == ["themes/budgets-and-risk/all-2.md", "themes/budgets-and-risk/all-3.md",
                               "themes/budgets-and-risk/all.md"]
    assert "Page 2 of 3: [1](all.md) **2** [3](all-3.md)" in pages["themes/budgets-and-risk/all-2.md"]
    assert_golden("pages/themes/budgets-and-risk/all-2.md", pages["themes/budgets-and-risk/all-2.md"])
    theme = pages["themes/budgets-and-risk.md"]
    all_findings = theme.split("## All findings", 1)[1]
    assert all_findings.count("- [") == 1
    assert "[All 2 lessons and findings on this theme](budgets-and-risk/all.md)" in theme
    from generator.pipeline import build

    build(fixture_project, git_dates=False)  # --strict: every pager and back link resolves
    html = (fixture_project.site / "kb/themes/budgets-and-risk/all-2/index.html").read_text(encoding="utf-8")
    assert '<p class="gpce-pager">Page 2 of 3: <a href="../all/">1</a> <strong>2</strong> <a href="../all-3/">3</a></p>' in html


def test_index_pages_stay_bounded(real_site):
    """No index page lists every finding (real evidence: 283 findings)."""
    kb = check(real_site)
    total = len(kb.records.findings)
    for page in ["index.html", "kb/themes/index.html", "kb/stakeholders/index.html", "kb/lessons/index.html",
                 "kb/sources/index.html", "kb/map/index.html", "kb/whats-new/index.html"]:
        html = (real_site.site / page).read_text(encoding="utf-8")
        linked = set(re.findall(r'href="[^"]*kb/findings/([a-z0-9-]+)/', html)) | \
            set(re.findall(r'href="(?:\.\./)*findings/([a-z0-9-]+)/', html))
        assert len(linked) < total / 2, f"{page} lists {len(linked)} of {total} findings"


# --- the whole real site ------------------------------------------------------------------------

class _Links(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self.ids: set[str] = set()
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        for name in ("href", "src"):
            if attrs.get(name) is not None:
                self.links.append((tag, attrs[name]))


def _pages(site: Path) -> dict[Path, _Links]:
    return {path: _Links(path.read_text(encoding="utf-8")) for path in site.rglob("*.html")}


@pytest.fixture(scope="module")
def real_pages(real_site):
    return _pages(real_site.site)


def test_real_site_builds_strict_with_every_view(real_site):
    site = real_site.site
    for page in ["index.html", "kb/map/index.html", "kb/data/index.html", "kb/whats-new/index.html",
                 "kb/references/index.html", "kb/glossary/index.html", "kb/data/evidence.json",
                 "kb/data/findings.csv", "kb/data/lessons.csv", "kb/data/references.bib",
                 "kb/data/schema/finding.schema.json"]:
        assert (site / page).is_file(), page


def test_every_record_has_exactly_one_page(real_site):
    kb = check(real_site)
    for kind, section in SECTIONS.items():
        records = kb.records.of_kind(kind)
        aliases = {alias for record in records.values() for alias in record.aliases}
        folder = real_site.site / "kb" / section
        pages = {p.parent.name for p in folder.glob("*/index.html")}
        assert pages - aliases == set(records), section
        for record_id in records:
            html = (folder / record_id / "index.html").read_text(encoding="utf-8")
            assert f'id="{record_id}"' in html


def test_every_link_and_anchor_resolves(real_site, real_pages):
    site = real_site.site
    problems = []
    for path, page in real_pages.items():
        if path.name == "404.html":
            continue  # MkDocs writes it with site-absolute links, for any depth
        for tag, link in page.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith(("mailto:", "data:")):
                continue
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                problems.append(f"{path.relative_to(site)}: <{tag}> {link}: no such file")
            elif parts.fragment and target.suffix == ".html":
                ids = real_pages[target].ids if target in real_pages else set()
                if unquote(parts.fragment) not in ids and parts.fragment not in ("", "__code_0"):
                    problems.append(f"{path.relative_to(site)}: {link}: no anchor #{parts.fragment}")
    assert problems == [], "\n".join(problems[:40])


def test_no_request_leaves_the_site(real_site, real_pages):
    """Scripts, styles, images, fonts and frames all come from the site itself."""
    loaded = {"script", "link", "img", "iframe", "source", "video", "audio", "embed"}
    outside = [f"{p.relative_to(real_site.site)}: <{tag}> {link}" for p, page in real_pages.items()
               for tag, link in page.links
               if tag in loaded and urlsplit(link).scheme in ("http", "https", "")
               and urlsplit(link).netloc and not link.startswith(real_site.addresses.site_url)]
    assert outside == []
    for css in real_site.site.rglob("*.css"):
        urls = re.findall(r"url\(\s*['\"]?(https?:)?//", css.read_text(encoding="utf-8"))
        assert not urls, f"{css}: loads from another host"
    for page, _ in list(real_pages.items())[:1]:
        assert "fonts.googleapis" not in page.read_text(encoding="utf-8")


def test_every_lesson_appears_on_each_of_its_stakeholder_and_theme_pages(real_site):
    kb = check(real_site)
    kb_dir = real_site.site / "kb"
    texts = {}
    for lesson in kb.records.lessons.values():
        for vocab, keys in (("stakeholders", lesson.stakeholders), ("themes", lesson.themes)):
            for key in keys:
                page = kb_dir / vocab / key / "index.html"
                html = texts.setdefault(page, page.read_text(encoding="utf-8"))
                assert f'href="../../lessons/{lesson.id}/"' in html, f"{lesson.id} missing from {vocab}/{key}"


def test_every_citation_key_resolves_to_a_formatted_reference(real_site):
    kb = check(real_site)
    keys = set(kb.records.sources)
    for record in [*kb.records.findings.values(), *kb.records.contexts.values()]:
        for item in record.evidence:
            keys.add(item.source)
            keys.update(item.cites)
    references = ReferenceList(kb.references, REFERENCES_PER_PAGE)
    for key in keys:
        reference = kb.references[key]
        assert reference.plain.strip() and reference.html.strip() and reference.citation.startswith("(")
        page, anchor = references.url(key, "kb/").split(".md#")
        html = (real_site.site / page / "index.html").read_text(encoding="utf-8")
        assert anchor == key and f'id="{key}"' in html


def test_reference_list_files_by_letter_and_pages_long_letters():
    from types import SimpleNamespace

    texts = {"a1": "Alpha, A. (1999)", "a2": "alpha, B. (2000)", "a3": "Aston, C. (2001)", "o1": "\u00d3 Briain, D.",
             "q1": "\u2018Quoted\u2019 title", "n1": "1000 days (2010)", "z1": "Zeta, E."}
    refs = {key: SimpleNamespace(key=key, plain=text) for key, text in texts.items()}
    listed = ReferenceList(refs, page_size=2)
    assert list(listed.letters) == ["a", "o", "q", "z", "other"]  # accents dropped, quotes skipped, digits last
    assert [(stem, [r.key for r in chunk]) for stem, chunk in listed.letters["a"]] == [("a", ["a1", "a2"]), ("a-2", ["a3"])]
    assert listed.url("a3") == "../references/a-2.md#a3" and listed.url("n1", "") == "references/other.md#n1"
    page = lambda template, **context: f"{template} {context.get('letter')} {context.get('number')}"
    assert sorted(listed.pages(page)) == ["references/a-2.md", "references/a.md", "references/index.md",
                                          "references/o.md", "references/other.md", "references/q.md", "references/z.md"]


def test_json_export_round_trips_every_record(real_site):
    kb = check(real_site)
    document = json.loads((real_site.site / "kb/data/evidence.json").read_text(encoding="utf-8"))
    assert document["schema_version"] == SCHEMA_VERSION and document["licence"] == "CC BY 4.0"
    for plural, records in document["records"].items():
        assert all(record["schema_version"] == SCHEMA_VERSION for record in records), plural
    rebuilt = records_from_export(document)
    for kind in ("source", "finding", "lesson", "comparison", "context"):
        assert rebuilt[kind] == kb.records.of_kind(kind), kind
    for name in ("themes", "stakeholders", "schemes", "glossary"):
        assert rebuilt[name] == getattr(kb.records, name), name


def test_csv_exports_hold_one_row_per_record_and_no_formulas(real_site, fixture_project):
    kb = check(real_site)
    for name, count in (("findings", len(kb.records.findings)), ("lessons", len(kb.records.lessons))):
        rows = list(csv.DictReader(io.StringIO((real_site.site / f"kb/data/{name}.csv").read_text(encoding="utf-8"))))
        assert len(rows) == count
        assert rows[0]["url"].startswith("https://gpce.test/evidence/kb/")
    from generator.export import _cell
    assert _cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert _cell(["a", "b"]) == "a; b"


def test_evidence_map_marks_gaps_and_links_every_cell(real_site):
    html = (real_site.site / "kb/map/index.html").read_text(encoding="utf-8")
    kb = check(real_site)
    cells = re.findall(r'<td class="(gpce-w\d|gpce-gap)">(.*?)</td>', html)
    assert len(cells) == len(kb.records.themes) * (len(kb.records.stakeholders) + len(kb.records.sources))
    for css, content in cells:
        if css == "gpce-gap":
            assert content == "Gap"
        else:
            assert re.fullmatch(r'<a href="[^"]+">\d+&nbsp;(L · \d+&nbsp;)?F</a>', content), content


def test_generated_pages_edit_their_yaml_and_aliases_redirect(fixture_project):
    from generator.pipeline import build

    path = fixture_project.evidence / "findings" / "alpha-budget-risk.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("id: alpha-budget-risk\n",
                                                            "id: alpha-budget-risk\naliases: [alpha-old-name]\n"))
    build(fixture_project, git_dates=False)
    site = fixture_project.site / "kb"
    finding = (site / "findings/alpha-budget-risk/index.html").read_text(encoding="utf-8")
    assert 'href="https://git.gpce.test/owner/evidence/edit/main/evidence/findings/alpha-budget-risk.yaml"' in finding
    theme = (site / "themes/budgets-and-risk/index.html").read_text(encoding="utf-8")
    assert "/edit/main/evidence/themes.yaml" in theme
    cell = (site / "map/budgets-and-risk/pcts/index.html").read_text(encoding="utf-8")
    assert 'rel="edit"' not in cell  # generated from many records: no single file to edit
    moved = (site / "findings/alpha-old-name/index.html").read_text(encoding="utf-8")
    assert '<meta http-equiv="refresh" content="0; url=../alpha-budget-risk/">' in moved


def test_abbreviations_show_their_expansion(fixture_site):
    html = (fixture_site.site / "kb/lessons/pcts-pool-budget-risk/index.html").read_text(encoding="utf-8")
    assert '<abbr title="Total purchasing pilots">TPPs</abbr>' in html  # plurals too
    glossary = (fixture_site.site / "kb/glossary/index.html").read_text(encoding="utf-8")
    assert '<abbr title="Total purchasing pilot">TPP</abbr>' in glossary


def test_comparison_tables_have_a_row_per_context_citing_its_source(real_site):
    kb = check(real_site)
    for comparison_id, context_ids in kb.contexts_by_comparison.items():
        html = (real_site.site / "kb/comparisons" / comparison_id / "index.html").read_text(encoding="utf-8")
        table = html.split("<table>", 1)[1].split("</table>", 1)[0]
        rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1], flags=re.S)
        assert len(rows) == len(context_ids), comparison_id
        for row in rows:
            last_cell = re.findall(r"<td>(.*?)</td>", row, flags=re.S)[-1]
            assert re.search(r"\(\w.*\d{4}[a-z]?\)|no date\)", last_cell), (comparison_id, last_cell)


def test_git_history_gives_added_and_last_changed_times(tmp_path):
    import subprocess

    from generator.history import file_dates

    def git(*args, when):
        env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_NAME": "t",
               "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
        subprocess.run(["git", *args], cwd=tmp_path, env=env, check=True, capture_output=True)

    git("init", "-q", when="2024-01-01T10:00:00+00:00")
    record = tmp_path / "evidence" / "findings" / "a.yaml"
    record.parent.mkdir(parents=True)
    record.write_text("id: a\n")
    git("add", ".", when="2024-01-01T10:00:00+00:00")
    git("commit", "-q", "-m", "add", when="2024-01-01T10:00:00+00:00")
    record.write_text("id: a\nnotes: x\n")
    git("commit", "-q", "-am", "change", when="2024-03-02T09:30:00+00:00")
    assert file_dates(tmp_path) == {"evidence/findings/a.yaml": ("2024-01-01T10:00:00+00:00",
                                                                 "2024-03-02T09:30:00+00:00")}


def test_whats_new_orders_changes_on_one_day_by_time(fixture_project):
    renderer = Renderer(check(fixture_project), fixture_project, git_dates=False)
    renderer.dates = {"evidence/findings/alpha-budget-risk.yaml": ("2024-01-05T09:00:00+00:00", "2024-01-05T09:00:00+00:00"),
                      "evidence/findings/beta-budget-incentives.yaml": ("2024-01-05T08:00:00+00:00", "2024-01-05T17:00:00+00:00")}
    assert [c[3] for c in renderer.recent_changes()] == ["beta-budget-incentives", "alpha-budget-risk"]
    assert renderer.record_dates("finding", "beta-budget-incentives") == ("2024-01-05", "2024-01-05")


def test_a_theme_compares_at_most_theme_sources_sources(fixture_project, monkeypatch):
    import generator.render as render

    monkeypatch.setattr(render, "THEME_SOURCES", 1)
    page = render_pages(check(fixture_project), fixture_project, git_dates=False)["themes/budgets-and-risk.md"]
    comparison = page.split("## What each source found", 1)[1].split("## All findings", 1)[0]
    rows = [line for line in comparison.splitlines() if line.startswith("| <span id=\"source-")]
    assert len(rows) == 1 and rows[0].startswith('| <span id="source-alpha-1999-total">')
    assert ("These are the 1 sources with the most findings on this theme; 1 other source also has findings "
            "on it ([all findings](#findings)).") in comparison
    monkeypatch.setattr(render, "THEME_SOURCES", 20)
    page = render_pages(check(fixture_project), fixture_project, git_dates=False)["themes/budgets-and-risk.md"]
    assert "other source" not in page and page.count('| <span id="source-') == 2


def test_the_list_of_sources_continues_on_numbered_pages(fixture_project, monkeypatch):
    import generator.render as render

    kb = check(fixture_project)
    monkeypatch.setattr(render, "PAGE_SIZE", 1)
    pages = render_pages(kb, fixture_project, git_dates=False)
    ids = sorted(kb.records.sources)
    stems = ["sources/index.md"] + [f"sources/index-{n}.md" for n in range(2, len(ids) + 1)]
    assert sorted(p for p in pages if p.startswith("sources/index")) == sorted(stems)
    second = pages["sources/index-2.md"]
    assert second.startswith('---\ntitle: "Sources (page 2 of %d)"' % len(ids))
    assert f"Sources 2 to 2 of {len(ids)}." in second
    assert "Page 2 of %d: [1](index.md) **2**" % len(ids) in second
    rows = [line for line in second.splitlines() if line.startswith("| [")]
    assert len(rows) == 1 and f"(../sources/{ids[1]}.md)" in rows[0]


def test_numbered_source_and_theme_pages_build_strictly(fixture_project, monkeypatch):
    import generator.render as render
    from generator.pipeline import build

    monkeypatch.setattr(render, "PAGE_SIZE", 1)
    monkeypatch.setattr(render, "THEME_SOURCES", 1)
    build(fixture_project, git_dates=False)  # mkdocs build --strict: raises on a broken link
    html = (fixture_project.site / "kb/sources/index-2/index.html").read_text(encoding="utf-8")
    assert 'href="../">1</a>' in html


def test_no_markdown_syntax_is_left_in_the_built_pages(real_site, real_pages):
    """An attribute list the Markdown engine does not apply ('{: .class }' after a table), a stray
    admonition marker or a Markdown link inside a raw HTML block shows to readers as literal text."""
    leftovers = [f"{page.relative_to(real_site.site)}: {marker}" for page in real_pages
                 for marker in ("{: .", "!!! ", "](../") if marker in page.read_text(encoding="utf-8")]
    assert leftovers == []
