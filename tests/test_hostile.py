"""Hostile and broken records, as a stranger's pull request might hold them.

Every case ends in either a located, human-readable problem (exact text) with nothing written, or
safe output: never a traceback, never a half-written site, never record text that runs as HTML,
Markdown or template code.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import make_project
from generator import PROJECT_ROOT
from generator.cli import main

FINDING = "evidence/findings/alpha-budget-risk.yaml"
LESSON = "evidence/lessons/pcts-pool-budget-risk.yaml"


# --- helpers ---------------------------------------------------------------------------------

def write(project, rel: str, content: bytes | str) -> Path:
    path = project.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def replace(project, rel: str, old: str, new: str) -> None:
    path = project.root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def rejected(project, *expected: str) -> list[str]:
    """Run `build` on a project holding an earlier site and generated folder; assert it fails with
    exactly the `expected` problem lines, writes nothing and prints no traceback."""
    kb, site = project.generated, project.site
    for folder, name in ((kb, "earlier.md"), (site, "earlier.html")):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("earlier build\n")
    result = CliRunner().invoke(main, ["build", "--root", str(project.root)])
    lines = result.output.splitlines()
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert lines[: len(expected)] == list(expected), result.output
    assert re.fullmatch(r"check: \d+ problems? in \d+ files?", lines[-2]), result.output
    assert lines[-1] == "build: nothing written"
    assert sorted(p.name for p in kb.rglob("*")) == ["earlier.md"]
    assert sorted(p.name for p in site.rglob("*")) == ["earlier.html"]
    return lines


# --- YAML that must not load -----------------------------------------------------------------

def test_malformed_yaml(fixture_project):
    write(fixture_project, FINDING, 'id: alpha-budget-risk\nstatement: "never closed\n')
    rejected(fixture_project,
             "evidence/findings/alpha-budget-risk.yaml:2:12: YAML syntax error: quoted text is not closed; "
             "end it with the same quote mark; inside '...' write '' for an "
             "apostrophe")


def test_tab_indentation(fixture_project):
    replace(fixture_project, FINDING, "  level: moderate", "\tlevel: moderate")
    rejected(fixture_project,
             "evidence/findings/alpha-budget-risk.yaml:13:1: YAML syntax error: tab character in indentation; "
             "indent with spaces, not tabs")


def test_duplicate_keys(fixture_project):
    replace(fixture_project, FINDING, "type: qualitative", "type: qualitative\ntype: quantitative")
    rejected(fixture_project,
             "evidence/findings/alpha-budget-risk.yaml:12:1: duplicate key 'type' (first defined on line 11); "
             "remove or merge one of them")


def test_non_utf8_file(fixture_project):
    write(fixture_project, FINDING, "id: alpha-budget-risk\nstatement: café\n".encode("latin-1"))
    rejected(fixture_project,
             "evidence/findings/alpha-budget-risk.yaml:2:15: file is not valid UTF-8 (byte 0xe9); save the file as UTF-8")


def test_utf16_file_is_not_utf8(fixture_project):
    write(fixture_project, FINDING, "id: alpha-budget-risk\n".encode("utf-16"))
    rejected(fixture_project,
             "evidence/findings/alpha-budget-risk.yaml:1:1: file is not valid UTF-8 (byte 0xff); save the file as UTF-8")


def test_byte_order_mark_and_crlf_are_accepted(fixture_project):
    path = fixture_project.root / FINDING
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    result = CliRunner().invoke(main, ["check", "--root", str(fixture_project.root)])
    assert result.exit_code == 0, result.output


def test_problems_in_a_bom_crlf_file_keep_their_line_and_column(fixture_project):
    path = fixture_project.root / FINDING
    text = path.read_bytes().replace(b"stakeholders:", b"stakholders:")
    path.write_bytes(b"\xef\xbb\xbf" + text.replace(b"\n", b"\r\n"))
    rejected(fixture_project,
             "evidence/findings/alpha-budget-risk.yaml:9:1: unknown field 'stakholders'; did you mean 'stakeholders'?")


def test_empty_file(fixture_project):
    write(fixture_project, FINDING, "")
    rejected(fixture_project,
             "evidence/findings/alpha-budget-risk.yaml:1:1: file is empty; add the record's fields, or delete the file")


def test_comment_only_file_is_empty(fixture_project):
    write(fixture_project, FINDING, "# yaml-language-server: $schema=../../schema/finding.schema.json\n\n")
    rejected(fixture_project,
             "evidence/findings/alpha-budget-risk.yaml:1:1: file is empty; add the record's fields, or delete the file")


def test_list_instead_of_mapping(fixture_project):
    write(fixture_project, FINDING, "- id: alpha-budget-risk\n- statement: x\n")
    rejected(fixture_project,
             "evidence/findings/alpha-budget-risk.yaml:1:1: a record must be a mapping of fields, not a list; "
             "start each line with 'field: value'; see docs/record-format.md")


def test_huge_file(fixture_project):
    write(fixture_project, FINDING, "id: alpha-budget-risk\nstatement: " + "a" * 300_000 + "\n")
    rejected(fixture_project,
             "evidence/findings/alpha-budget-risk.yaml: file is 300,034 bytes; the limit is 262,144; "
             "split the record; a record is one finding, lesson or source")


def test_nul_characters(fixture_project):
    write(fixture_project, FINDING, "id: alpha-budget-risk\x00\n")
    rejected(fixture_project,
             "evidence/findings/alpha-budget-risk.yaml: file contains NUL characters; save the file as plain UTF-8 text")


@pytest.mark.parametrize("nesting", [
    "[" * 100_000 + "]" * 100_000,          # flow sequences
    "[" * 1_990 + "]" * 1_990,              # few enough for the loader's fast path to compose
    "{a: " * 20_000 + "1" + "}" * 20_000,   # flow mappings
    "\n" + "- " * 100_000 + "x",             # compact block sequences on one line
])
def test_deep_nesting_is_rejected_before_it_can_crash_the_parser(fixture_project, nesting):
    """libyaml's composer recurses per level: without the event-stream check this segfaults, so
    the check runs in a child process where a crash is a failed assertion, not a dead test run.

    What we promise is asserted, not one library's wording: exit 1, the file and line, one problem,
    no traceback. Our own message is expected; a parser that refuses the nesting first (libyaml's
    own depth limit in newer releases) may word it its own way."""
    write(fixture_project, FINDING, "id: alpha-budget-risk\nnotes: " + nesting + "\n")
    result = subprocess.run([sys.executable, "-m", "generator", "check", "--root", str(fixture_project.root)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, (result.returncode, result.stderr[-2000:])
    lines = result.stderr.splitlines()
    assert "Traceback" not in result.stderr
    line = 3 if nesting.startswith("\n") else 2
    assert re.fullmatch(
        rf"evidence/findings/alpha-budget-risk\.yaml:{line}:\d+: "
        r"(YAML is nested more than 20 levels deep; records need only a few levels"
        r"|YAML syntax error: [^;]*nesting[^;]*;.*)", lines[0]), lines[0]
    assert lines[-1] == "check: 1 problem in 1 file"


def test_billion_laughs_aliases(fixture_project):
    lines = ['lol: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level, name in enumerate("bcdefghi"):
        previous = "abcdefghi"[level]
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    write(fixture_project, FINDING, "\n".join(lines) + "\n")
    rejected(fixture_project,
             "evidence/findings/alpha-budget-risk.yaml:1:6: YAML aliases (*name) are not allowed; write the value out in full")


def test_merge_keys(fixture_project):
    replace(fixture_project, FINDING, "confidence:\n", "confidence:\n  <<: {level: low}\n")
    rejected(fixture_project,
             "evidence/findings/alpha-budget-risk.yaml:13:3: YAML merge keys (<<) are not allowed; write the fields out in full")


def test_non_string_keys(fixture_project):
    replace(fixture_project, FINDING, "type: qualitative", "type: qualitative\n1999: a year")
    rejected(fixture_project,
             "evidence/findings/alpha-budget-risk.yaml:12:1: key '1999' is not a string; "
             "field names must be plain words such as 'statement'")


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system", "!!python/object/new:os.system"])
def test_python_tags_are_rejected_and_never_run(fixture_project, tmp_path, tag):
    marker = tmp_path / "executed"
    write(fixture_project, FINDING, f'id: {tag} ["touch {marker}"]\n')
    rejected(fixture_project,
             f"evidence/findings/alpha-budget-risk.yaml:1:5: YAML tag 'tag:yaml.org,2002:{tag[2:]}' is not allowed; "
             "remove the tag; records hold plain text, lists and mappings only")
    assert not marker.exists()


def test_custom_local_tags(fixture_project):
    replace(fixture_project, FINDING, "type: qualitative", "type: !include qualitative")
    rejected(fixture_project,
             "evidence/findings/alpha-budget-risk.yaml:11:7: YAML tag '!include' is not allowed; "
             "remove the tag; records hold plain text, lists and mappings only")


# --- records that load but are wrong ----------------------------------------------------------

def test_wrong_type(fixture_project):
    replace(fixture_project, FINDING, "themes: [budgets-and-risk]", "themes: budgets-and-risk")
    rejected(fixture_project,
             "evidence/findings/alpha-budget-risk.yaml:8:9: 'themes' must be a list, not the text 'budgets-and-risk'; "
             "write [first, second] or one '- item' per line")


def test_unknown_field_with_suggestion(fixture_project):
    replace(fixture_project, FINDING, "stakeholders:", "stakholders:")
    rejected(fixture_project,
             "evidence/findings/alpha-budget-risk.yaml:9:1: unknown field 'stakholders'; did you mean 'stakeholders'?")


@pytest.mark.parametrize("empty", ['""', '"   "'])
def test_empty_strings(fixture_project, empty):
    replace(fixture_project, FINDING, "statement: Pilots with larger budgets managed financial risk more easily.",
            f"statement: {empty}")
    rejected(fixture_project,
             "evidence/findings/alpha-budget-risk.yaml:2:12: 'statement' is empty; "
             "write the text, or remove the field if it is optional")


def test_overlong_id(fixture_project):
    long_id = "alpha-" + "x" * 75
    source = fixture_project.root / FINDING
    text = source.read_text().replace("id: alpha-budget-risk", f"id: {long_id}")
    source.unlink()
    replace(fixture_project, LESSON, "[alpha-budget-risk,", f"[{long_id},")
    write(fixture_project, f"evidence/findings/{long_id}.yaml", text)
    rejected(fixture_project,
             f"evidence/findings/{long_id}.yaml:1:1: file name '{long_id}.yaml' is not a valid record id; "
             "name the file <id>.yaml with a lowercase slug id of at most 80 characters")


@pytest.mark.parametrize("bad_id", ["../x", "..%2Fx", "a/b", "x\\y"])
def test_ids_with_path_characters(fixture_project, bad_id):
    replace(fixture_project, FINDING, "id: alpha-budget-risk", f"id: '{bad_id}'")
    rejected(fixture_project,
             f"evidence/findings/alpha-budget-risk.yaml:1:5: '{bad_id}' in 'id' is not a valid id; "
             "use lowercase letters, digits and single hyphens, starting with a letter")


def test_case_clash_between_ids(fixture_project):
    """A.yaml beside a.yaml (possible on Linux, a clobber on macOS/Windows): upper case is refused."""
    original = (fixture_project.root / FINDING).read_text()
    write(fixture_project, "evidence/findings/Alpha-Budget-Risk.yaml", original)
    rejected(fixture_project,
             "evidence/findings/Alpha-Budget-Risk.yaml:1:1: file name 'Alpha-Budget-Risk.yaml' is not a valid "
             "record id; name the file <id>.yaml with a lowercase slug id of at most 80 characters")


def test_dangling_reference(fixture_project):
    replace(fixture_project, LESSON, "beta-budget-incentives]", "beta-budget-incentive]")
    rejected(fixture_project,
             "evidence/lessons/pcts-pool-budget-risk.yaml:6:31: unknown finding 'beta-budget-incentive'; "
             "did you mean 'beta-budget-incentives'?")


def test_alias_that_points_in_a_circle(fixture_project):
    """Aliases are the only references that could loop (a former id naming a live record)."""
    replace(fixture_project, FINDING, "id: alpha-budget-risk", "id: alpha-budget-risk\naliases: [alpha-maternity-change]")
    rejected(fixture_project,
             "evidence/findings/alpha-budget-risk.yaml:2:11: alias 'alpha-maternity-change' is the id of a finding; "
             "an alias is a former id that no record uses any more")


def test_lesson_whose_only_finding_is_deleted(fixture_project):
    (fixture_project.root / "evidence/findings/alpha-maternity-change.yaml").unlink()
    rejected(fixture_project,
             "evidence/lessons/practices-plan-maternity.yaml:6:12: unknown finding 'alpha-maternity-change'; "
             "no finding has this id; check the spelling")


def test_source_not_in_the_bibliography(fixture_project):
    replace(fixture_project, "references.bib", "@book{beta-2004-practice", "@book{beta-2004-practise")
    rejected(fixture_project,
             "evidence/sources/beta-2004-practice.yaml:1:5: source 'beta-2004-practice' has no entry in "
             "references.bib; did you mean 'beta-2004-practise'?")


def test_bibliography_entry_with_broken_braces(fixture_project):
    replace(fixture_project, "references.bib", "title = {Practice-led commissioning},",
            "title = {Practice-led {commissioning},")
    lines = rejected(fixture_project)
    assert lines[0].startswith("references.bib:9:1: cannot parse BibTeX entry '@book{beta-2004-practice,'")
    assert "check its braces" in lines[0]


# --- text that must stay inert ------------------------------------------------------------------

HOSTILE = ('<script>alert("x")</script> <img src=x onerror=alert(1)> [click](javascript:alert(1)) '
           '{{ 7*7 }} {% include "base.html" %} | a | b | # Heading *em* <!-- c --> &amp; ```')
HOSTILE_PARAGRAPHS = (HOSTILE + '\n\n# Heading two\n\n```\nunclosed fence\n\n| a | b |\n|---|---|\n| c | d |\n\n'
                      '<div onclick="alert(2)">x</div>')
FOLDED = " ".join(HOSTILE.split())


def _edit(project, rel: str, change) -> None:
    path = project.root / rel
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def inject_hostile_text(project) -> None:
    """Put hostile text in every text field of every record kind, vocabulary, glossary and .bib."""
    h, hp = HOSTILE, HOSTILE_PARAGRAPHS

    def finding(d):
        d.update(statement=hp, notes=hp)
        d["evidence"][0].update(quote=hp, locator=h)
        d["confidence"]["reasons"] = {k: h for k in d["confidence"]["reasons"]}
        d["data"] = [{"measure": h, "value": 7, "unit": h, "period": h, "group": h}]

    def lesson(d):
        d.update(title=h, summary=hp, caveats=[hp])
        d["origin"]["rationale"] = hp

    def source(d):
        d.update(design=hp, sample=hp, funding=hp, notes=hp, limitations=[hp], setting={"countries": [h], "period": h})

    def comparison(d):
        d.update(title=h, description=hp)
        d["columns"][0]["label"] = h

    def context(d):
        d.update(dimension=h, implication=hp, values={k: hp for k in d["values"]})

    def vocabulary(d):
        for term in d.values():
            term.update(label=h, description=hp)

    def glossary(d):
        d["TPP"]["expansion"] = h
        d["PCG"]["description"] = hp

    _edit(project, FINDING, finding)
    _edit(project, LESSON, lesson)
    _edit(project, "evidence/sources/alpha-1999-total.yaml", source)
    _edit(project, "evidence/comparisons/alpha-tpp-pcg.yaml", comparison)
    _edit(project, "evidence/contexts/alpha-tpp-pcg-budget.yaml", context)
    for name in ("themes", "stakeholders", "schemes"):
        _edit(project, f"evidence/{name}.yaml", vocabulary)
    _edit(project, "evidence/glossary.yaml", glossary)
    replace(project, "references.bib", "{Total purchasing: a step towards new primary care organisations}",
            "{<script>alert(3)</script> {{ 7*7 }} [x](javascript:alert(1)) | # h}")
    # A newline and a fence, to close the code blocks that show citations and BibTeX.
    replace(project, "references.bib", "{Practice-led commissioning}",
            "{Practice-led\n```\n\n<script>alert(5)</script>\n\n```\n}")
    replace(project, "evidence/lessons/practices-plan-maternity.yaml",
            "title: Plan maternity changes over several years",
            'title: "Plan\\n```\\n\\n<script>alert(6)</script>\\n\\n```\\n"')


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    """The fixture evidence with hostile text everywhere, built with --strict."""
    project = make_project(tmp_path_factory.mktemp("hostile") / "project")
    inject_hostile_text(project)
    result = CliRunner().invoke(main, ["build", "--root", str(project.root)])
    assert result.exit_code == 0, result.output
    return project


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Page(HTMLParser):
    """Every element, attribute, comment and text run of an HTML page."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.comments: list[str] = []
        self.text: list[str] = []
        self.scripts: list[tuple[str, str]] = []
        self._in: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag not in _VOID:
            self._in.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        names = [name for name, _ in self._in]
        if tag in names:
            del self._in[len(names) - 1 - names[::-1].index(tag):]

    def handle_comment(self, data):
        self.comments.append(data)

    def handle_data(self, data):
        if self._in and self._in[-1][0] == "script":
            self.scripts.append((self._in[-1][1].get("type", ""), data))
        else:
            self.text.append(data)

    def all(self, tag: str) -> list[dict]:
        return [attrs for name, attrs in self.elements if name == tag]


def assert_inert_html(html: str, where: str) -> _Page:
    page = _Page(html)
    for tag, attrs in page.elements:
        for name, value in attrs.items():
            assert not (name.startswith("on") and "alert" in (value or "")), f"{where}: <{tag} {name}=...>"
            if name in ("href", "src", "action", "formaction"):
                assert not (value or "").strip().lower().startswith("javascript:"), f"{where}: {name}={value}"
        assert not (tag == "img" and attrs.get("src") == "x"), f"{where}: <img src=x>"
    for script_type, script in page.scripts:
        if script_type in ("application/ld+json", "application/json"):
            json.loads(script)  # data, not code: must parse and must not be able to close its element
            assert "<" not in script, f"{where}: raw '<' inside a JSON script"
        else:
            assert "alert" not in script, f"{where}: record text ran as a script"
    assert not any(c.strip() == "c" for c in page.comments), f"{where}: record text became an HTML comment"
    return page


def _site_pages(project) -> dict[str, str]:
    return {p.relative_to(project.site).as_posix(): p.read_text(encoding="utf-8")
            for p in project.site.rglob("*.html")}


_FENCED = re.compile(r"^([ \t]*)(```|~~~)[^\n]*\n.*?^\1\2[ \t]*$", flags=re.M | re.S)


def test_generated_markdown_holds_no_live_markup(hostile_site):
    """Outside the code blocks the templates write (where Markdown shows text verbatim), no record
    text may carry live markup. Had record text closed a block early, its remainder would land
    outside and be caught here."""
    for path in hostile_site.generated.rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        body = text.split("\n---\n", 1)[1] if text.startswith("---\n") else text
        body = _FENCED.sub("", body)
        where = path.relative_to(hostile_site.generated).as_posix()
        for live in ("<script", "<img", "<!--", "{{", "{%", "](javascript:", "<javascript:", "```", "onclick=", "\n# Heading"):
            assert live not in body, f"{where}: {live!r} from record text reached the Markdown"


def test_every_html_page_is_inert(hostile_site):
    pages = _site_pages(hostile_site)
    assert len(pages) > 30
    for where, html in pages.items():
        assert_inert_html(html, where)


def test_record_text_is_shown_literally(hostile_site):
    html = (hostile_site.site / "kb/findings/alpha-budget-risk/index.html").read_text()
    item = re.search(r"<strong>Coherence:</strong>(.*?)</li>", html, flags=re.S).group(1)
    # Only text, no elements: the reader sees exactly what the contributor wrote, {{ 7*7 }} included.
    assert "<" not in item
    assert " ".join(unescape(item).split()) == FOLDED
    page = _Page(html)
    assert "unclosed fence" in " ".join(page.text) and "49" not in " ".join(page.text)


def test_headings_in_text_do_not_become_headings(hostile_site):
    page = _Page((hostile_site.site / "kb/findings/alpha-budget-risk/index.html").read_text())
    assert len(page.all("h1")) == 1
    html = (hostile_site.site / "kb/findings/alpha-budget-risk/index.html").read_text()
    assert not re.search(r"<h[1-6][^>]*>\s*Heading", html)


def test_fences_in_text_do_not_open_code_blocks(hostile_site):
    html = (hostile_site.site / "kb/findings/alpha-budget-risk/index.html").read_text()
    assert "unclosed fence" in html
    assert not re.search(r"<(pre|code)[^>]*>\s*(<[^>]*>)*unclosed fence", html)


def test_pipes_in_table_cells_do_not_split_cells(hostile_site):
    """A stray | would end the cell early (Markdown drops surplus cells), so the whole text must
    stand in one cell, in the data table and in the comparison table."""
    for page in ("kb/findings/alpha-budget-risk/index.html", "kb/comparisons/alpha-tpp-pcg/index.html"):
        html = (hostile_site.site / page).read_text()
        cells = [" ".join(unescape(re.sub(r"<[^>]+>", "", cell)).split())
                 for cell in re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", html, flags=re.S)]
        assert any(FOLDED in cell for cell in cells), page


def test_abbreviation_tooltips_are_escaped(hostile_site):
    titles = [attrs.get("title", "") for html in _site_pages(hostile_site).values()
              for attrs in _Page(html).all("abbr") if "alert" in attrs.get("title", "")]
    assert titles, "the hostile TPP expansion is used as a tooltip somewhere"
    shown = {" ".join(title.split()) for title in titles}
    assert FOLDED in shown and shown <= {FOLDED, FOLDED + "s"}  # the plural 'TPPs' gets expansion + s


def test_meta_tags_and_title_carry_the_text_escaped(hostile_site):
    html = (hostile_site.site / "kb/findings/alpha-budget-risk/index.html").read_text()
    page = assert_inert_html(html, "finding")
    description = [a["content"] for a in page.all("meta") if a.get("name") == "description"]
    assert description == [" ".join(HOSTILE_PARAGRAPHS.split())]
    head = html.split("</head>", 1)[0]
    assert "<script>alert" not in head and "<img" not in head


def test_json_ld_if_present_is_valid_json_and_cannot_close_its_script(hostile_site):
    for where, html in _site_pages(hostile_site).items():
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, flags=re.S):
            json.loads(block)
            assert "<" not in block, f"{where}: raw '<' inside JSON-LD"


def test_search_index_keeps_hostile_text_as_text(hostile_site):
    """Pagefind stores each page's text, not its markup: the hostile text is there verbatim as
    searchable text. The search box (overrides/assets/javascripts/gpce-search.js) shows titles with
    textContent and keeps only text and <mark> from excerpts, so none of it can become markup."""
    from generator.search import indexed_pages

    finding = indexed_pages(hostile_site.site)["/kb/findings/alpha-budget-risk/"]
    assert FOLDED in " ".join(finding["content"].split())
    assert finding["meta"]["title"].startswith('<script>alert("x")</script> <img src=x')
    script = (PROJECT_ROOT / "overrides/assets/javascripts/gpce-search.js").read_text(encoding="utf-8")
    assert script.count("innerHTML") == 1 and 'document.createElement("template")' in script


# --- failed builds -----------------------------------------------------------------------------

def test_failed_site_build_keeps_the_previous_site_and_generated_pages(fixture_project, monkeypatch):
    from generator import pipeline

    pipeline.build(fixture_project, git_dates=False)
    before = {p: p.read_bytes() for folder in (fixture_project.site, fixture_project.generated)
              for p in folder.rglob("*") if p.is_file()}
    replace(fixture_project, FINDING, "Pilots with larger budgets", "Pilots with much larger budgets")

    def engine_fails(config):
        (Path(config["site_dir"]) / "half-written.html").write_text("partial")
        raise RuntimeError("disk full")

    monkeypatch.setattr("mkdocs.commands.build.build", engine_fails)
    result = CliRunner().invoke(main, ["build", "--root", str(fixture_project.root)])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == "site build failed: disk full"
    assert result.output.splitlines()[-1] == "build: failed; the previous site and generated pages are unchanged"
    after = {p: p.read_bytes() for folder in (fixture_project.site, fixture_project.generated)
             for p in folder.rglob("*") if p.is_file()}
    assert after == before
    assert not list(fixture_project.root.glob(".site-*")), "staging folder left behind"


def test_failed_strict_build_keeps_the_previous_site(fixture_project):
    """A real engine failure: a hand-written page with a broken link fails --strict."""
    from generator import pipeline

    pipeline.build(fixture_project, git_dates=False)
    before = {p: p.read_bytes() for p in fixture_project.site.rglob("*") if p.is_file()}
    generated = {p: p.read_bytes() for p in fixture_project.generated.rglob("*") if p.is_file()}
    replace(fixture_project, FINDING, "Pilots with larger budgets", "Pilots with much larger budgets")
    (fixture_project.docs / "about.md").write_text("# About\n\n[broken](no-such-page.md)\n")
    result = CliRunner().invoke(main, ["build", "--root", str(fixture_project.root)])
    assert result.exit_code == 1, result.output
    assert "no-such-page.md" in result.output
    assert "Traceback" not in result.output
    assert {p: p.read_bytes() for p in fixture_project.site.rglob("*") if p.is_file()} == before
    assert {p: p.read_bytes() for p in fixture_project.generated.rglob("*") if p.is_file()} == generated


def test_failed_search_index_fails_the_build_and_keeps_the_previous_site(fixture_project, monkeypatch):
    """A real Pagefind failure (it panics on a selector it cannot parse) fails the whole build."""
    from generator import pipeline, search

    pipeline.build(fixture_project, git_dates=False)
    before = {p: p.read_bytes() for p in fixture_project.site.rglob("*") if p.is_file()}
    assert any(p.parts[-2:] == ("pagefind", "pagefind-entry.json") for p in before)
    replace(fixture_project, FINDING, "Pilots with larger budgets", "Pilots with much larger budgets")
    monkeypatch.setattr(search, "EXCLUDE_SELECTORS", "[[")
    result = CliRunner().invoke(main, ["build", "--root", str(fixture_project.root)])
    assert result.exit_code == 1, result.output
    assert "search index (Pagefind) failed: Pagefind exited with status" in result.output
    assert result.output.splitlines()[-1] == "build: failed; the previous site and generated pages are unchanged"
    assert "Traceback" not in result.output
    assert {p: p.read_bytes() for p in fixture_project.site.rglob("*") if p.is_file()} == before
    assert not list(fixture_project.root.glob(".site-*")), "staging folder left behind"


# --- files that are not plain files inside the repository -------------------------------------

SECRET = "TOP-SECRET-TOKEN-1234"
LINK_HINT = ("replace the link with a plain file committed in the repository; links are refused so that "
             "a pull request cannot publish files from elsewhere on the build machine")


def outside_copy(project, tmp_path, rel: str) -> Path:
    """A copy of the project's `rel` outside the repository, carrying a secret a link could leak.
    It is a valid file, so without the protection the build would publish it."""
    outside = tmp_path / "elsewhere" / Path(rel).name
    outside.parent.mkdir(parents=True, exist_ok=True)
    text = (project.root / rel).read_text(encoding="utf-8")
    outside.write_text(text.replace("Pilots with larger budgets", f"Pilots {SECRET} with larger budgets")
                       .replace("title = {", f"title = {{{SECRET} "), encoding="utf-8")
    return outside


def replace_with_link(project, rel: str, target: Path) -> None:
    path = project.root / rel
    if path.is_dir():
        import shutil
        shutil.rmtree(path)
    else:
        path.unlink()
    path.symlink_to(target)


def test_record_that_is_a_link_to_a_file_elsewhere(fixture_project, tmp_path):
    replace_with_link(fixture_project, FINDING, outside_copy(fixture_project, tmp_path, FINDING))
    lines = rejected(fixture_project, f"{FINDING}: is a symbolic link; {LINK_HINT}")
    assert not any(SECRET in line for line in lines)


def test_record_under_a_linked_folder(fixture_project, tmp_path):
    elsewhere = tmp_path / "elsewhere-findings"
    import shutil
    shutil.copytree(fixture_project.root / "evidence/findings", elsewhere)
    (elsewhere / "alpha-budget-risk.yaml").write_text(
        (elsewhere / "alpha-budget-risk.yaml").read_text().replace("Pilots with", f"Pilots {SECRET} with"))
    replace_with_link(fixture_project, "evidence/findings", elsewhere)
    lines = rejected(fixture_project, f"evidence/findings: is a symbolic link; {LINK_HINT}")
    assert not any(SECRET in line for line in lines)
    assert len(lines) == 3, lines  # references to the refused findings are not reported one by one


def test_evidence_folder_that_is_a_link(fixture_project, tmp_path):
    import shutil
    shutil.move(str(fixture_project.root / "evidence"), str(tmp_path / "evidence-elsewhere"))
    (fixture_project.root / "evidence").symlink_to(tmp_path / "evidence-elsewhere")
    rejected(fixture_project, f"evidence: is a symbolic link; {LINK_HINT}")


def test_bibliography_that_is_a_link(fixture_project, tmp_path):
    replace_with_link(fixture_project, "references.bib", outside_copy(fixture_project, tmp_path, "references.bib"))
    lines = rejected(fixture_project, f"references.bib: is a symbolic link; {LINK_HINT}")
    assert not any(SECRET in line for line in lines)


@pytest.mark.parametrize("rel", ["docs/about.md", "overrides/main.html", "mkdocs.yml"])
def test_page_theme_or_config_that_is_a_link(fixture_project, tmp_path, rel):
    assert (fixture_project.root / rel).is_file(), rel
    target = tmp_path / "secret.txt"
    target.write_text(SECRET)
    replace_with_link(fixture_project, rel, target)
    lines = rejected(fixture_project, f"{rel}: is a symbolic link; {LINK_HINT}")
    assert not any(SECRET in line for line in lines)


def test_linked_folder_in_docs_is_refused_and_not_entered(fixture_project, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text(SECRET)
    (fixture_project.root / "docs/notes").symlink_to(outside)
    rejected(fixture_project, f"docs/notes: is a symbolic link; {LINK_HINT}")


def test_template_that_is_a_link(fixture_project, tmp_path):
    import shutil
    from dataclasses import replace as with_field

    from generator.errors import EvidenceError
    from generator.pipeline import check
    templates = tmp_path / "repo" / "templates"
    shutil.copytree(PROJECT_ROOT / "templates", templates)
    target = tmp_path / "secret.txt"
    target.write_text(SECRET)
    first = sorted(templates.iterdir())[0]
    first.unlink()
    first.symlink_to(target)
    with pytest.raises(EvidenceError) as raised:
        check(with_field(fixture_project, templates=templates))
    assert [str(p) for p in raised.value.problems] == [f"templates/{first.name}: is a symbolic link; {LINK_HINT}"]


def test_a_pipe_is_not_read(fixture_project):
    import os
    os.mkfifo(fixture_project.root / "docs/pipe.md")
    rejected(fixture_project, "docs/pipe.md: is not a plain file or folder; only plain files and folders belong here")


# --- invisible and direction-changing characters ("Trojan Source") ----------------------------

INVISIBLE_HINT = ("delete it: it cannot be seen in a review, and direction controls can make the page show "
                  "text other than what the file says; type plain text (ordinary spaces and punctuation)")


@pytest.mark.parametrize("char, name", [
    ("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("\u202a", "U+202A LEFT-TO-RIGHT EMBEDDING"),
    ("\u2066", "U+2066 LEFT-TO-RIGHT ISOLATE"),
    ("\u2069", "U+2069 POP DIRECTIONAL ISOLATE"),
    ("\u200b", "U+200B ZERO WIDTH SPACE"),
    ("\u200d", "U+200D ZERO WIDTH JOINER"),
    ("\u2060", "U+2060 WORD JOINER"),
    ("\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
    ("\u00ad", "U+00AD SOFT HYPHEN"),
    ("\u2028", "U+2028 LINE SEPARATOR"),
    ("\x07", "U+0007 control character"),
    ("\x85", "U+0085 control character"),
    ("\u3164", "U+3164 HANGUL FILLER"),
])
def test_invisible_character_in_a_statement(fixture_project, char, name):
    replace(fixture_project, FINDING, "Pilots with larger", f"Pilots with{char} larger")
    rejected(fixture_project, f"{FINDING}:2:23: invisible character {name}; {INVISIBLE_HINT}")


def test_trojan_source_reordering_in_a_quote_and_an_id(fixture_project):
    replace(fixture_project, FINDING, "id: alpha-budget-risk", "id: alpha-\u2067budget\u2069-risk")
    replace(fixture_project, FINDING, "managed risk more easily.", "managed risk \u202eylisae erom\u202c.")
    rejected(fixture_project,
             f"{FINDING}:1:11: invisible character U+2067 RIGHT-TO-LEFT ISOLATE; {INVISIBLE_HINT}",
             f"{FINDING}:1:18: invisible character U+2069 POP DIRECTIONAL ISOLATE; {INVISIBLE_HINT}",
             f"{FINDING}:6:43: invisible character U+202E RIGHT-TO-LEFT OVERRIDE; {INVISIBLE_HINT}",
             f"{FINDING}:6:55: invisible character U+202C POP DIRECTIONAL FORMATTING; {INVISIBLE_HINT}")


def test_invisible_character_written_as_an_escape(fixture_project):
    replace(fixture_project, FINDING, "statement: Pilots with larger budgets managed financial risk more easily.",
            'statement: "Pilots with larger\\u202e budgets managed financial risk more easily."')
    rejected(fixture_project,
             f"{FINDING}:2:12: invisible character U+202E RIGHT-TO-LEFT OVERRIDE (written as an escape); "
             f"{INVISIBLE_HINT}")


def test_invisible_character_in_the_bibliography(fixture_project):
    bib = fixture_project.root / "references.bib"
    text = bib.read_text(encoding="utf-8")
    line = text[: text.index("title")].count("\n") + 1
    bib.write_text(text.replace("title", "ti\u200btle", 1), encoding="utf-8")
    column = text.splitlines()[line - 1].index("title") + 3
    rejected(fixture_project, f"references.bib:{line}:{column}: invisible character U+200B ZERO WIDTH SPACE; "
                              f"{INVISIBLE_HINT}")


def test_many_invisible_characters_are_summarised(fixture_project):
    replace(fixture_project, FINDING, "Pilots with larger", "Pilots" + "\u200b" * 25 + " with larger")
    lines = rejected(fixture_project, *[f"{FINDING}:2:{18 + i}: invisible character U+200B ZERO WIDTH SPACE; "
                                        f"{INVISIBLE_HINT}" for i in range(10)])
    assert lines[10] == f"{FINDING}:2:28: 15 more invisible characters from here on; {INVISIBLE_HINT}"


def test_tabs_line_breaks_and_visible_unicode_are_accepted(fixture_project):
    path = fixture_project.root / FINDING
    text = path.read_text(encoding="utf-8").replace(
        "Pilots with larger", "Pilots\u00a0with larger \u2014 \u00e9t\u00e9, \u05e9\u05dc\u05d5\u05dd,")
    path.write_bytes(text.replace("\n", "\r\n").replace("notes", "notes\t").encode("utf-8"))
    from generator.pipeline import check
    check(fixture_project)
