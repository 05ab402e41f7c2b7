"""The built real site in Chromium, served over HTTP on 127.0.0.1: navigation, search, citations,
print view, accessibility (axe-core), keyboard use, text alternatives and no request leaving the site.

One browser per session; each test gets a fresh context that records every request (anything not
for 127.0.0.1 is aborted and reported) and every console error."""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from browser_support import CHROMIUM, CHROMIUM_ARGS, chromium_problem, missing_tool, serve

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = os.environ.get("GPCE_SCREENSHOTS")
"""Set to a folder to keep the desktop and phone screenshots of every page type."""


# --- fixtures ------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser():
    problem = chromium_problem()
    if problem:
        missing_tool(problem)
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Error as error:
            missing_tool(f"Chromium at {CHROMIUM} did not start: {str(error).splitlines()[0]}")
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def base_url(real_site):
    with serve(real_site.site) as url:
        yield url


@pytest.fixture(scope="session")
def kb(real_site):
    from generator.pipeline import check

    return check(real_site)


@dataclass
class Visit:
    """A browser context and page on the served site, with what it requested and logged."""

    base: str
    context: object
    page: object
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def goto(self, path: str):
        response = self.page.goto(self.base + path, wait_until="load")
        assert response is not None and response.status == 200, f"{path}: HTTP {response and response.status}"
        return self.page

    @property
    def external(self) -> list[str]:
        return [url for url in self.requests if not url.startswith(self.base)
                and not url.startswith(("data:", "blob:"))]


def open_visit(browser, base_url: str, **context_options) -> Visit:
    context = browser.new_context(viewport=DESKTOP, **context_options)
    visit = Visit(base_url, context, None)

    def route(route):
        visit.requests.append(route.request.url)
        if route.request.url.startswith(base_url):
            route.continue_()
        else:  # nothing may leave the site: readers sit behind strict NHS proxies
            route.abort()

    context.route("**/*", route)
    visit.page = context.new_page()
    visit.page.on("console", lambda m: m.type == "error" and visit.console_errors.append(m.text))
    visit.page.on("pageerror", lambda e: visit.console_errors.append(f"uncaught: {e}"))
    return visit


@pytest.fixture
def visit(browser, base_url):
    visit = open_visit(browser, base_url)
    yield visit
    visit.context.close()
    assert visit.external == [], f"requests left 127.0.0.1: {visit.external}"


def first_page(site: Path, section: str) -> str:
    folders = sorted(p.name for p in (site / "kb" / section).iterdir() if (p / "index.html").is_file())
    assert folders, f"no pages in kb/{section}"
    return f"kb/{section}/{folders[0]}/"


@pytest.fixture(scope="session")
def page_types(real_site, kb) -> dict[str, list[str]]:
    """A few representative pages of every page type (a finding with a chart and one without)."""
    site = real_site.site
    charted = [f.id for f in kb.records.findings.values() if f.data]
    plain = [f.id for f in kb.records.findings.values() if not f.data]
    return {
        "home": [""],
        "stakeholder": [first_page(site, "stakeholders"), "kb/stakeholders/"],
        "theme": [first_page(site, "themes"), "kb/themes/"],
        "finding": [f"kb/findings/{charted[0]}/", f"kb/findings/{plain[0]}/"],
        "lesson": [first_page(site, "lessons"), "kb/lessons/"],
        "source": [first_page(site, "sources"), "kb/sources/"],
        "comparison": [first_page(site, "comparisons"), "kb/comparisons/"],
        "references": ["kb/references/", first_page(site, "references")],
        "glossary": ["kb/glossary/"],
        "evidence map": ["kb/map/"],
        "data": ["kb/data/"],
        "changes": ["kb/rating-changes/", "kb/versions/", "kb/whats-new/"],
    }


def hrefs(scope, selector: str) -> list[str]:
    """Absolute hrefs of the links matching `selector` in a page or a locator."""
    return scope.locator(selector).evaluate_all("els => els.map(e => e.href)")


def hrefs_to(scope, selector: str, *paths: str) -> list[str]:
    """Absolute hrefs of the `selector` links that lead into any of `paths` (pages link relatively,
    so the path is matched on the resolved address, not the href attribute)."""
    return [href for href in hrefs(scope, selector) if any(path in href for path in paths)]


# --- behaviour -----------------------------------------------------------------------------------
def test_home_loads_with_no_console_errors(visit):
    page = visit.goto("")
    assert "GP-led commissioning" in page.title()
    assert page.locator("h1").first.is_visible()
    assert visit.console_errors == []


def test_tabs_reach_every_stakeholder_and_theme_view(visit, kb):
    page = visit.goto("")
    for tab, vocabulary, section in (("By stakeholder", kb.records.stakeholders, "stakeholders"),
                                     ("By theme", kb.records.themes, "themes")):
        page.locator(".md-tabs").get_by_role("link", name=tab, exact=True).click()
        page.wait_for_url(f"**/kb/{section}/")
        listed = hrefs_to(page, "article a", f"/kb/{section}/")
        for key, term in vocabulary.items():
            target = f"{visit.base}kb/{section}/{key}/"
            assert target in listed, f"the {tab} view does not link {term.label} ({target})"
        for key, term in vocabulary.items():
            response = page.request.get(f"{visit.base}kb/{section}/{key}/")
            heading = re.search(r"<h1[^>]*>(.*?)</h1>", response.text(), re.S)
            assert response.status == 200 and heading, f"{section}/{key}: HTTP {response.status}"
            assert term.label.lower() in re.sub(r"<[^>]+>", "", heading.group(1)).lower(), \
                f"{key}: heading {heading.group(1)!r}"
        last_key, last_term = list(vocabulary.items())[-1]
        page.locator(f'article a[href$="{last_key}/"]').first.click()
        page.wait_for_url(f"**/kb/{section}/{last_key}/")
        assert last_term.label.lower() in page.locator("article h1").inner_text().lower()
    assert visit.console_errors == []


def expected_cell(kb, theme: str, stakeholder: str) -> tuple[set[str], set[str]]:
    records = kb.records
    lessons = {i for i, x in records.lessons.items() if theme in x.themes and stakeholder in x.stakeholders}
    findings = {i for i, x in records.findings.items() if theme in x.themes and stakeholder in x.stakeholders}
    return lessons, findings


def test_evidence_map_cells_link_to_the_matching_lists(visit, kb):
    page = visit.goto("kb/map/")
    table = page.locator("table.gpce-map").first
    columns = hrefs(table.locator("thead"), "th a")
    stakeholders = [h.rstrip("/").rsplit("/", 1)[-1] for h in columns]
    assert stakeholders == list(kb.records.stakeholders), "map columns are not the stakeholders"
    rows = table.locator("tbody tr")
    cell_links = []
    for index in range(rows.count()):
        row = rows.nth(index)
        theme = row.locator("th a").get_attribute("href").rstrip("/").rsplit("/", 1)[-1]
        cells = row.locator("td")
        for column, stakeholder in enumerate(stakeholders):
            cell = cells.nth(column)
            lessons, findings = expected_cell(kb, theme, stakeholder)
            text = " ".join(cell.inner_text().split())
            if not lessons and not findings:
                assert text == "Gap", f"{theme} x {stakeholder}: empty cell reads {text!r}"
                continue
            assert text == f"{len(lessons)} L · {len(findings)} F", f"{theme} x {stakeholder}: {text!r}"
            href = cell.locator("a").get_attribute("href")
            cell_links.append((len(lessons) + len(findings), theme, stakeholder, href))
    assert cell_links, "the evidence map has no linked cells"
    cell_links.sort()
    # Follow the smallest, a middle and the largest cell to their lists.
    for weight, theme, stakeholder, href in {cell_links[0], cell_links[len(cell_links) // 2], cell_links[-1]}:
        page.goto(f"{visit.base}kb/map/", wait_until="domcontentloaded")
        page.locator(f'table.gpce-map td a[href="{href}"]').click()
        page.wait_for_url(f"**/kb/map/{theme}/{stakeholder}/")
        lessons, findings = expected_cell(kb, theme, stakeholder)
        shown = set()
        while True:
            shown |= {h.rstrip("/").rsplit("/", 2)[-2] + "/" + h.rstrip("/").rsplit("/", 1)[-1]
                      for h in hrefs_to(page, "article a", "/kb/lessons/", "/kb/findings/")}
            following = page.locator('article a[rel="next"], article a:has-text("Next page")')
            if following.count() == 0:
                break
            following.first.click()
            page.wait_for_load_state("load")
        expected = {f"lessons/{i}" for i in lessons} | {f"findings/{i}" for i in findings}
        assert expected <= shown, f"{theme} x {stakeholder}: list misses {sorted(expected - shown)[:5]}"


def search(page, query: str) -> list[str]:
    page.locator(".md-search__input").click()
    page.locator(".md-search__input").fill(query)
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:  # Pagefind loads on the first focus; results replace the placeholder when ready
        page.wait_for_selector(".md-search-result__link", timeout=15000)
    except PlaywrightTimeout:
        return []
    return hrefs(page, ".md-search-result__link")


def page_of(url: str) -> str:
    """A search result's page, without the highlight query and the anchor."""
    return re.split(r"[?#]", url)[0]


WORD = re.compile(r"[A-Za-z]{4,}")


def distinctive_phrase(kb) -> tuple[str, str]:
    """A finding and four consecutive words of its quote that include a word no other finding uses."""
    findings = kb.records.findings
    text = {i: " ".join([f.statement] + [e.quote for e in f.evidence]) for i, f in findings.items()}
    frequency = Counter(w for t in text.values() for w in {w.lower() for w in WORD.findall(t)})
    for finding_id, finding in findings.items():
        words = finding.evidence[0].quote.split()
        for start in range(len(words) - 3):
            clean = [w.strip(".,;:'\"()") for w in words[start:start + 4]]
            if all(re.fullmatch(r"[A-Za-z]{3,}", w) for w in clean) \
                    and any(len(w) >= 7 and frequency[w.lower()] == 1 for w in clean):
                return finding_id, " ".join(clean)
    raise AssertionError("no finding quote has a distinctive phrase")


def test_search_finds_a_finding_by_a_phrase_from_its_quote(visit, kb):
    finding_id, phrase = distinctive_phrase(kb)
    page = visit.goto("")
    found = search(page, phrase)
    assert f"{visit.base}kb/findings/{finding_id}/" in {page_of(h) for h in found}, \
        f"searching {phrase!r} did not find {finding_id}: {found[:10]}"


def test_search_finds_a_finding_by_an_abbreviation(visit, kb, real_site):
    glossary = yaml.safe_load((real_site.evidence / "glossary.yaml").read_text(encoding="utf-8"))
    using = {abbr: [i for i, f in kb.records.findings.items() if re.search(rf"\b{re.escape(abbr)}\b", f.statement)]
             for abbr in glossary if re.fullmatch(r"[A-Z]{3,}", abbr)}
    abbr, finding_ids = min(((a, ids) for a, ids in using.items() if ids), key=lambda item: len(item[1]))
    page = visit.goto("")
    found = {page_of(h) for h in search(page, abbr)}
    assert {f"{visit.base}kb/findings/{i}/" for i in finding_ids} & found, \
        f"searching {abbr!r} found none of {finding_ids}: {sorted(found)[:10]}"


def distinctive_lesson(kb):
    """A lesson whose title has a word (7+ letters) that no other lesson's title or summary uses."""
    lessons = kb.records.lessons
    words = {i: {w.lower() for w in WORD.findall(x.title + " " + x.summary)} for i, x in lessons.items()}
    frequency = Counter(w for ws in words.values() for w in ws)
    for lesson_id, lesson in lessons.items():
        if any(len(w) >= 7 and frequency[w.lower()] == 1 for w in WORD.findall(lesson.title)):
            return lesson_id, lesson.title
    raise AssertionError("no lesson title has a distinctive word")


def test_search_by_a_lessons_title_lists_it_first_and_opens_it(visit, kb):
    """What a commissioner does: press '/', type what they remember, read title and excerpt, open it.
    Pagefind's bundle comes from the site itself, with no console error, and axe passes with the
    results open."""
    from axe_playwright_python.sync_playwright import Axe

    lesson_id, title = distinctive_lesson(kb)
    page = visit.goto("kb/lessons/")  # a page with both sidebars behind the open panel
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.classList.contains('md-search__input')"), \
        "'/' does not focus the search box"
    page.keyboard.type(title)
    page.wait_for_selector(".md-search-result__link")
    first = page.locator(".md-search-result__link").first
    assert page_of(first.evaluate("a => a.href")) == f"{visit.base}kb/lessons/{lesson_id}/", \
        f"searching {title!r}: first result is {hrefs(page, '.md-search-result__link')[:3]}"
    assert " ".join(first.locator(".gpce-search__title").inner_text().split()) == " ".join(title.split())
    assert first.locator(".gpce-search__kind").inner_text().strip().lower() == "lesson"
    assert first.locator(".gpce-search__excerpt mark").count() >= 1, "the excerpt marks no matched word"
    assert re.match(r"\d+ matching pages?", page.locator(".md-search-result__meta").inner_text())
    assert any("/pagefind/" in url and url.endswith(".pf_index") for url in visit.requests)
    problems = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
                for v in Axe().run(page).response["violations"] if v["impact"] in BLOCKING]
    assert problems == [], "\n".join(problems)
    first.click()
    page.wait_for_url(f"**/kb/lessons/{lesson_id}/")
    assert " ".join(page.locator("article h1").inner_text().split()).startswith(" ".join(title.split())[:40])
    assert not page.evaluate("document.getElementById('__search').checked"), "the results stay open"
    assert visit.console_errors == []


def test_search_keys_escape_closes_and_no_match_says_so(visit):
    page = visit.goto("")
    page.keyboard.press("s")
    page.keyboard.type("zzxqvj")
    page.wait_for_function("document.querySelector('.md-search-result__meta').textContent.includes('No matching')")
    assert page.locator(".md-search-result__link").count() == 0
    page.keyboard.press("Escape")
    assert not page.evaluate("document.getElementById('__search').checked")
    assert not page.locator(".md-search__output").is_visible() or \
        page.locator(".md-search__output").evaluate("e => getComputedStyle(e).opacity") == "0"
    assert visit.console_errors == []


def test_search_narrowed_to_one_kind_lists_only_that_kind(visit):
    """A policy writer after findings only, a commissioner after lessons only."""
    page = visit.goto("")
    search(page, "fundholding")
    kinds = lambda: {k.strip().lower() for k in page.locator(".gpce-search__kind").all_inner_texts()}  # noqa: E731
    for label, kind in (("Lessons", "Lesson"), ("Findings", "Finding")):
        page.locator(".gpce-search__kinds").get_by_label(label, exact=True).check()
        page.wait_for_function("""kind => { const shown = [...document.querySelectorAll('.gpce-search__kind')];
            return shown.length > 0 && shown.every(e => e.textContent === kind); }""", arg=kind, timeout=15000)
        assert kinds() == {kind.lower()}
        assert page.locator(".md-search-result__link").count() >= 1
    assert visit.console_errors == []


def test_search_on_a_phone_opens_full_screen_from_the_magnifier(browser, base_url, kb):
    visit = open_visit(browser, base_url)
    try:
        visit.page.set_viewport_size(PHONE)
        lesson_id, title = distinctive_lesson(kb)
        page = visit.goto("")
        page.locator(".md-header__button[for='__search']").click()
        page.wait_for_function("document.activeElement.classList.contains('md-search__input')")
        page.keyboard.type(title)
        page.wait_for_selector(".md-search-result__link")
        assert page.locator(".md-search-result__link").first.is_visible()
        page.locator(".md-search-result__link").first.click()
        page.wait_for_url(f"**/kb/lessons/{lesson_id}/")
        assert visit.external == [] and visit.console_errors == []
    finally:
        visit.context.close()


def test_search_works_under_a_sub_path(browser, real_site, kb, tmp_path):
    """Published as a GitHub Pages project site, the site lives under /<repository>/: the bundle
    and the result links must follow that path."""
    (tmp_path / "evidence").symlink_to(real_site.site, target_is_directory=True)
    lesson_id, title = distinctive_lesson(kb)
    with serve(tmp_path) as root:
        visit = open_visit(browser, root)
        try:
            page = visit.goto("evidence/kb/sources/")
            found = search(page, title)
            assert found and page_of(found[0]) == f"{root}evidence/kb/lessons/{lesson_id}/", found[:3]
            assert any(u.startswith(f"{root}evidence/pagefind/") for u in visit.requests)
            page.locator(".md-search-result__link").first.click()
            page.wait_for_url(f"**/evidence/kb/lessons/{lesson_id}/")
            assert visit.external == [] and visit.console_errors == []
        finally:
            visit.context.close()


def test_cite_this_finding_copies_the_citation(browser, base_url, kb):
    visit = open_visit(browser, base_url, permissions=["clipboard-read", "clipboard-write"])
    try:
        finding_id = next(iter(kb.records.findings))
        page = visit.goto(f"kb/findings/{finding_id}/")
        cite = page.locator("#cite ~ .tabbed-set").first
        block = cite.locator(".tabbed-block").first
        shown = block.locator("pre code").inner_text().strip()
        assert f"kb/findings/{finding_id}/" in shown, f"the citation lacks the permanent URL: {shown!r}"
        block.locator("pre").hover()
        block.locator("button.md-clipboard, .md-code__button[data-md-type='copy']").first.click()
        copied = page.evaluate("navigator.clipboard.readText()").strip()
        assert copied == shown
        assert visit.external == [] and visit.console_errors == []
    finally:
        visit.context.close()


def test_a_lessons_finding_links_resolve(visit, kb):
    lesson = max(kb.records.lessons.values(), key=lambda x: len(x.findings))
    page = visit.goto(f"kb/lessons/{lesson.id}/")
    linked = {h.split("#")[0] for h in hrefs_to(page, "article a", "/kb/findings/")}
    assert {f"{visit.base}kb/findings/{i}/" for i in lesson.findings} <= linked
    for url in sorted(linked):
        assert page.request.get(url).status == 200, url
    first = lesson.findings[0]
    page.locator("article details summary").first.click()
    page.locator(f'article details a[href$="findings/{first}/"]').first.click()
    page.wait_for_url(f"**/kb/findings/{first}/")
    assert page.locator(f'article h1[id="{first}"]').count() == 1


def test_glossary_abbreviations_show_their_expansion(visit, real_site):
    glossary = yaml.safe_load((real_site.evidence / "glossary.yaml").read_text(encoding="utf-8"))
    for path in ("", "kb/glossary/"):
        page = visit.goto(path)
        shown = page.eval_on_selector_all("article abbr", "els => els.map(e => [e.textContent, e.title])")
        assert shown, f"{path or 'home'}: no abbreviation is marked up"
        for text, title in shown:
            if text in glossary:
                assert title == glossary[text]["expansion"], f"{path or 'home'}: <abbr>{text}</abbr> title {title!r}"
                continue
            # A plural ("SHAs") expands to the plural of its singular's expansion ("...authorities").
            entry = glossary.get(text.removesuffix("s"))
            assert entry, f"{path or 'home'}: <abbr>{text}</abbr> is not in the glossary"
            assert title.lower().startswith(entry["expansion"].lower()[:-2]) and title != entry["expansion"], \
                f"{path or 'home'}: <abbr>{text}</abbr> title {title!r}, glossary {entry['expansion']!r}"
    page = visit.goto("")
    page.locator("article abbr", has_text="NHS").first.hover()
    assert page.locator("article abbr", has_text="NHS").first.get_attribute("title") == glossary["NHS"]["expansion"]


CHROME = [".md-header", ".md-tabs", ".md-sidebar--primary", ".md-sidebar--secondary", ".md-footer",
          ".md-search", ".md-source", ".md-content__button"]


def test_print_view_of_a_lesson_has_no_navigation_chrome(visit, kb):
    lesson = next(iter(kb.records.lessons.values()))
    page = visit.goto(f"kb/lessons/{lesson.id}/")
    page.emulate_media(media="print")
    for selector in CHROME:
        visible = [i for i in range(page.locator(selector).count()) if page.locator(selector).nth(i).is_visible()]
        assert not visible, f"{selector} shows in the print view"
    assert page.locator("article h1").is_visible()
    quote = page.locator("article details blockquote").first
    assert quote.is_visible(), "the evidence quotes stay folded away in the print view"


# --- accessibility -------------------------------------------------------------------------------
BLOCKING = {"serious", "critical"}


def test_no_serious_accessibility_violations_on_any_page_type(visit, page_types):
    from axe_playwright_python.sync_playwright import Axe

    axe, problems = Axe(), []
    for kind, paths in page_types.items():
        for path in paths:
            page = visit.goto(path)
            results = axe.run(page)
            for violation in results.response["violations"]:
                if violation["impact"] in BLOCKING:
                    targets = [", ".join(map(str, n["target"])) for n in violation["nodes"][:3]]
                    problems.append(f"{kind} /{path}: {violation['id']} ({violation['impact']}, "
                                    f"{len(violation['nodes'])} nodes) {violation['help']} at {targets}")
    assert problems == [], "\n".join(problems)


def test_keyboard_alone_reaches_search_and_the_main_tabs(visit):
    page = visit.goto("")
    tabs = set(hrefs(page, ".md-tabs__link"))
    reached, search_reached = set(), False
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate("() => [document.activeElement.className, document.activeElement.href || '']")
        search_reached |= "md-search__input" in focused[0]
        reached.add(focused[1])
    assert search_reached, "Tab never reaches the search box"
    assert tabs <= reached, f"Tab never reaches {sorted(tabs - reached)}"
    page = visit.goto("")
    while "md-search__input" not in page.evaluate("document.activeElement.className"):
        page.keyboard.press("Tab")
    page.keyboard.type("fundholding")
    page.wait_for_selector(".md-search-result__link")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url("**/kb/**")


def test_charts_and_the_evidence_map_have_text_alternatives(visit, kb):
    charted = [f.id for f in kb.records.findings.values() if f.data][:3]
    assert charted, "no quantitative finding to chart"
    for finding_id in charted:
        page = visit.goto(f"kb/findings/{finding_id}/")
        charts = page.locator("article svg[role='img']")
        assert charts.count() >= 1, f"{finding_id}: no chart"
        for i in range(charts.count()):
            name = page.evaluate("""svg => (svg.getAttribute('aria-labelledby') || '').split(' ')
                .map(id => (document.getElementById(id) || {}).textContent || '').join(' ').trim()
                || svg.getAttribute('aria-label') || ''""", charts.nth(i).element_handle())
            assert len(name) > 20, f"{finding_id}: chart {i} has no text alternative ({name!r})"
    page = visit.goto("kb/map/")
    for i in range(page.locator("table.gpce-map").count()):
        table = page.locator("table.gpce-map").nth(i)
        assert table.locator("caption").inner_text().strip(), "map table without a caption"
        assert table.locator("th[scope='col']").count() > 1 and table.locator("th[scope='row']").count() > 1
        empty = table.evaluate("t => [...t.querySelectorAll('td')].filter(td => !td.textContent.trim()).length")
        assert empty == 0, "a map cell carries its meaning by shading alone"


def test_colour_is_never_the_only_carrier_of_confidence(visit, page_types):
    levels = re.compile(r"^(High|Moderate|Low|Very low) confidence$")
    seen = 0
    for path in page_types["stakeholder"] + page_types["finding"] + page_types["lesson"] + page_types["home"]:
        page = visit.goto(path)
        for text in page.eval_on_selector_all(".gpce-confidence", "els => els.map(e => e.textContent.trim())"):
            assert levels.match(text), f"/{path}: confidence badge reads {text!r}"
            seen += 1
    assert seen > 10


# --- offline and layout --------------------------------------------------------------------------
def test_no_request_leaves_the_site_on_any_page_type(visit, page_types):
    for paths in page_types.values():
        for path in paths:
            visit.goto(path)
    search(visit.page, "fundholding")
    assert visit.requests, "nothing was requested"
    assert visit.external == [], f"requests left 127.0.0.1: {sorted(set(visit.external))}"
    assert visit.console_errors == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_page_type_fits_the_screen(browser, base_url, page_types, viewport, tmp_path):
    """No page scrolls sideways (wide tables scroll inside their own box); screenshots for review."""
    visit = open_visit(browser, base_url)
    folder = Path(SCREENSHOTS) if SCREENSHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    try:
        visit.page.set_viewport_size(viewport)
        overflowing = []
        for kind, paths in page_types.items():
            page = visit.goto(paths[0])
            page.screenshot(path=str(folder / f"{kind.replace(' ', '-')}-{viewport['width']}.png"))
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > viewport["width"]:
                overflowing.append(f"{kind} /{paths[0]}: {width}px wide")
        assert overflowing == []
        assert visit.external == []
    finally:
        visit.context.close()


# --- GRADE-CERQual tables: evidence profile and summary of qualitative findings -----------------------

A4 = {"width": 794, "height": 1123}  # CSS pixels at 96 dpi
A4_PRINTABLE_HEIGHT = 1123 - 2 * 76  # Chromium's default print margins (about 2 cm)


def most_graded_lesson(kb):
    return max(kb.records.lessons.values(), key=lambda lesson: len(lesson.findings))


def test_evidence_profile_is_accessible_and_readable_on_a_phone(browser, base_url, kb):
    from axe_playwright_python.sync_playwright import Axe

    lesson = most_graded_lesson(kb)
    visit = open_visit(browser, base_url)
    try:
        visit.page.set_viewport_size(PHONE)
        page = visit.goto(f"kb/lessons/{lesson.id}/")
        profile = page.locator(".gpce-profile table")
        assert profile.count() == 1
        assert profile.locator("tbody tr").count() == 4
        assert profile.locator("tbody tr").first.inner_text().startswith("Methodological limitations")
        # Stacked cells: nothing in the table is wider than the screen, so nothing scrolls sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        widths = profile.evaluate("t => [t.scrollWidth, t.clientWidth]")
        assert widths[0] <= widths[1] + 1, widths
        for component in lesson.confidence.components():
            assert component[1].explanation.split()[0] in profile.inner_text()
        violations = [v for v in Axe().run(page, context=".gpce-profile table").response["violations"]
                      if v["impact"] in BLOCKING]
        assert violations == [], violations
    finally:
        visit.context.close()


def test_summary_table_prints_ten_lessons_to_an_a4_page(browser, base_url, kb):
    stakeholder = max(kb.records.stakeholders, key=lambda key: sum(key in lesson.stakeholders
                                                                   for lesson in kb.records.lessons.values()))
    visit = open_visit(browser, base_url)
    try:
        visit.page.set_viewport_size(A4)
        page = visit.goto(f"kb/stakeholders/{stakeholder}/")
        page.emulate_media(media="print")
        table = page.locator(".gpce-soqf table")
        rows = table.locator("tbody tr").count()
        assert rows >= 10
        height = table.bounding_box()["height"]
        pages_needed = -(-rows // 10)
        assert height <= pages_needed * A4_PRINTABLE_HEIGHT, (rows, height)
        for selector in CHROME:
            shown = [i for i in range(page.locator(selector).count()) if page.locator(selector).nth(i).is_visible()]
            assert not shown, f"{selector} shows in the print view"
    finally:
        visit.context.close()


def pdf_pages(pdf: bytes) -> int:
    """Pages in a PDF Chromium printed (each page object is '/Type /Page'; the tree is '/Type /Pages')."""
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def test_every_briefing_prints_on_two_a4_pages_without_site_chrome(browser, base_url, kb):
    stakeholders = [key for key in kb.records.stakeholders
                    if any(key in lesson.stakeholders for lesson in kb.records.lessons.values())]
    assert len(stakeholders) >= 4
    visit = open_visit(browser, base_url)
    try:
        for key in stakeholders:
            page = visit.goto(f"kb/briefings/{key}/")
            assert page.locator(".gpce-briefing h2").count() >= 1
            page.emulate_media(media="print")  # page.pdf prints with the emulated media
            assert pdf_pages(page.pdf(format="A4")) <= 2, f"the briefing for {key} prints on more than two pages"
            for selector in CHROME:
                shown = [i for i in range(page.locator(selector).count()) if page.locator(selector).nth(i).is_visible()]
                assert not shown, f"{selector} shows when the briefing for {key} is printed"
        assert visit.external == []
    finally:
        visit.context.close()


# --- faceted search -----------------------------------------------------------------------------------

def record_of(url: str, base: str) -> tuple[str, str] | None:
    """('lesson', id) for a record page's URL, else None."""
    match = re.match(re.escape(base) + r"kb/(findings|lessons|sources|comparisons)/([^/]+)/", page_of(url))
    return (match[1][:-1], match[2]) if match else None


def wait_for_status(page, pattern: str) -> str:
    page.wait_for_function("p => new RegExp(p).test(document.getElementById('gpce-search-status').textContent)",
                           arg=pattern, timeout=15000)
    return page.locator("#gpce-search-status").inner_text()


def test_facets_narrow_by_stakeholder_and_confidence_from_a_shared_address(visit, kb):
    """A shared address opens the search with its query and facets; every result has them."""
    from axe_playwright_python.sync_playwright import Axe

    page = visit.goto("kb/lessons/?q=budget&stakeholder=primary-care-trusts&confidence=moderate")
    status = wait_for_status(page, r"^\d+ matching page")
    assert page.evaluate("document.getElementById('__search').checked"), "the search panel is not open"
    assert page.locator(".md-search__input").input_value() == "budget"
    chosen = page.locator(".gpce-facet input:checked").evaluate_all("els => els.map(e => e.name + '=' + e.value)")
    assert sorted(chosen) == ["confidence=Moderate", "stakeholder=Primary care trusts"]
    records = [record_of(url, visit.base) for url in hrefs(page, ".md-search-result__link")]
    assert records and None not in records, records
    for kind, record_id in records:
        record = kb.records.of_kind(kind)[record_id]
        assert "pcts" in record.stakeholders and record.confidence.level == "moderate", (kind, record_id)
    total = int(status.split()[0])
    moderate = page.locator(".gpce-facet input[name=confidence][value=Moderate] ~ .gpce-facet__count").inner_text()
    assert moderate == f"({total})", "the chosen value's count is not the number of results"
    # facets are labelled form controls in fieldsets; the status is a live region
    assert page.locator(".gpce-facet fieldset legend").count() == page.locator(".gpce-facet").count() >= 5
    assert page.locator("#gpce-search-status").get_attribute("aria-live") == "polite"
    problems = [f"{v['id']} ({v['impact']}): {v['help']} at {[(n['target'], n.get('failureSummary', '')[:300]) for n in v['nodes'][:3]]}"
                for v in Axe().run(page).response["violations"] if v["impact"] in BLOCKING]
    assert problems == []
    assert visit.console_errors == []


def test_choices_go_into_the_address_and_back_and_forward_restore_them(visit):
    page = visit.goto("")
    search(page, "budget")
    wait_for_status(page, r"^\d+ matching page")
    page.locator(".gpce-facet[data-facet=stakeholder] summary").click()
    page.locator(".gpce-facet input[name=stakeholder][value='Practices and GPs']").check()
    page.wait_for_function("location.search.includes('stakeholder=practices-and-gps')")
    assert "q=budget" in page.evaluate("location.search")
    page.wait_for_function("document.querySelector('.gpce-facet input[name=stakeholder]:checked')")
    page.wait_for_timeout(500)  # the narrowed search has run
    narrowed = wait_for_status(page, r"^\d+ matching page")
    page.go_back()
    page.wait_for_function("!location.search.includes('stakeholder=')")
    page.wait_for_function("!document.querySelector('.gpce-facet input[name=stakeholder]:checked')")
    widened = wait_for_status(page, r"^\d+ matching page")
    page.go_forward()
    page.wait_for_function("document.querySelector(\".gpce-facet input[name=stakeholder][value='Practices and GPs']\").checked")
    page.wait_for_function("t => document.getElementById('gpce-search-status').textContent.trim() === t", arg=narrowed)
    assert int(narrowed.split()[0]) <= int(widened.split()[0])
    assert visit.console_errors == []


def test_facets_without_words_browse_the_most_confident_first(visit, kb):
    page = visit.goto("?theme=budgets-and-financial-risk&kind=lesson")
    wait_for_status(page, r"^\d+ matching page")
    records = [record_of(url, visit.base) for url in hrefs(page, ".md-search-result__link")]
    assert records and all(kind == "lesson" for kind, _ in records), records
    levels = [kb.confidence_rank(kb.records.lessons[i].confidence.level) for _, i in records]
    assert levels == sorted(levels), "browse results are not ordered by confidence"
    assert all("budgets-and-risk" in kb.records.lessons[i].themes for _, i in records)


def test_a_first_visit_fetches_no_whole_site_file(browser, base_url, page_types):
    """What a reader downloads must not grow with the number of records: no page fetches the sitemap
    (Material's instant navigation did, 115 KB and growing) or a search index before a search."""
    for kind, paths in page_types.items():
        visit = open_visit(browser, base_url)
        try:
            visit.goto(paths[0])
            visit.page.wait_for_load_state("networkidle")
            fetched = [url for url in visit.requests if re.search(r"sitemap\.xml|search_index\.json|/pagefind/", url)]
            assert fetched == [], f"{kind}: {fetched}"
        finally:
            visit.context.close()
