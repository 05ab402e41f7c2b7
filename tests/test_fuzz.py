"""Fuzzing with Hypothesis: the loader never crashes on any bytes, and record text of any kind never
becomes live markup in the rendered Markdown or the HTML made from it. Example counts are modest so
the suite stays fast; CI runs the same examples every time (derandomised)."""

from __future__ import annotations

import copy
import re
import tempfile
from pathlib import Path

import markdown
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, make_project
from generator.errors import Problem
from generator.kb import KnowledgeBase
from generator.loader import read_yaml
from generator.pipeline import check
from generator.render import Renderer
from test_hostile import _FENCED, assert_inert_html

FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Text that leans on every character and snippet with meaning in YAML, HTML, Markdown or Jinja.
SNIPPETS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)", "{{ 7*7 }}",
            "{% include 'x' %}", "```", "~~~", "| a | b |", "# h", "[x](y)", "<!--", "-->", "&amp;", "&#60;",
            "*[TPP]: x", "{: .x }", "!!! note", "---", "\\", "\n", "\n\n", "\t", "\r\n", "\u2028", "\x0b",
            "'", '"', ":", ": ", "- ", "&", "*a", "!!python/object:os.system"]
HOSTILE_TEXT = st.lists(st.one_of(st.sampled_from(SNIPPETS), st.text(max_size=8)), min_size=1, max_size=8).map("".join)
VISIBLE_TEXT = HOSTILE_TEXT.filter(lambda text: text.strip() != "")


def _read(content: bytes) -> tuple:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "record.yaml"
        path.write_bytes(content)
        return read_yaml(path, Path(folder))


def _assert_loaded_or_located(loaded, problems) -> None:
    assert (loaded is None) == bool(problems)
    for problem in problems:
        assert isinstance(problem, Problem) and problem.path == "record.yaml" and problem.message
        assert problem.line >= 0 and problem.column >= 0


@FUZZ
@given(st.binary(max_size=2000))
def test_loader_survives_any_bytes(content):
    _assert_loaded_or_located(*_read(content))


@FUZZ
@given(st.lists(st.sampled_from(["id: x\n", "  ", "- ", "a: ", "[", "]", "{", "}", "&a ", "*a", "!!str ",
                                 "!!python/object:os.system ", "<<: ", "? ", "|\n", ">-\n", "'", '"', "#", "\t",
                                 "\n", "1: ", "\ufeff", "%YAML 1.1\n", "---\n", "...\n"]) | st.text(max_size=10),
                max_size=40).map("".join))
def test_loader_survives_yaml_like_text(text):
    loaded, problems = _read(text.encode("utf-8"))
    _assert_loaded_or_located(loaded, problems)
    if loaded is not None:  # what loads is plain data only: no tags, no objects
        assert _plain(loaded.data)


def _plain(value) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, (str, int, float, bool))


@settings(FUZZ, max_examples=40)
@given(data=st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | HOSTILE_TEXT,
                         lambda children: st.lists(children, max_size=3)
                         | st.dictionaries(st.sampled_from(["id", "statement", "evidence", "source", "quote", "themes",
                                                            "confidence", "level", "reasons", "type", "data", "x"]),
                                           children, max_size=4),
                         max_leaves=12))
def test_check_survives_any_record_shape(fixture_project, data):
    """Whatever a finding file holds, `check` either accepts it or reports located problems."""
    path = fixture_project.evidence / "findings" / "alpha-budget-risk.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    try:
        check(fixture_project)
    except Exception as exc:  # noqa: BLE001 - only EvidenceError is allowed out
        assert type(exc).__name__ == "EvidenceError", repr(exc)
        assert exc.problems and all(isinstance(p, Problem) for p in exc.problems)


# --- renderer --------------------------------------------------------------------------------------

_PROJECT = make_project(Path(tempfile.mkdtemp(prefix="fuzz-")) / "project", FIXTURES / "mini")
_KB = check(_PROJECT)
_MARKDOWN_EXTENSIONS = ["abbr", "admonition", "attr_list", "def_list", "footnotes", "md_in_html", "tables", "toc",
                        "pymdownx.details", "pymdownx.superfences", "pymdownx.tabbed"]


def _tags(text: str) -> set[str]:
    return set(re.findall(r"<(/?[a-zA-Z][\w-]*)", text))


def _render(kb: KnowledgeBase) -> dict[str, str]:
    return Renderer(kb, _PROJECT, git_dates=False).pages()


_BASELINE_TAGS = set().union(*(_tags(_FENCED.sub("", page)) for page in _render(_KB).values()))


def _with_text(statement: str, quote: str, locator: str, reason: str, title: str) -> KnowledgeBase:
    records = copy.copy(_KB.records)
    finding = records.findings["alpha-budget-risk"]
    evidence = [finding.evidence[0].model_copy(update={"quote": quote, "locator": locator})]
    reasons = finding.confidence.reasons.model_copy(update={"coherence": reason, "adequacy": reason})
    records.findings = {**records.findings, "alpha-budget-risk": finding.model_copy(update={
        "statement": statement, "evidence": evidence, "notes": statement,
        "confidence": finding.confidence.model_copy(update={"reasons": reasons})})}
    lesson = records.lessons["pcts-pool-budget-risk"]
    records.lessons = {**records.lessons, "pcts-pool-budget-risk": lesson.model_copy(update={
        "title": title, "summary": statement, "caveats": [reason]})}
    return KnowledgeBase(records, _KB.references)


@settings(FUZZ, max_examples=30)
@given(statement=VISIBLE_TEXT, quote=VISIBLE_TEXT, locator=VISIBLE_TEXT, reason=VISIBLE_TEXT, title=VISIBLE_TEXT)
def test_rendered_pages_hold_no_markup_from_record_text(statement, quote, locator, reason, title):
    pages = _render(_with_text(statement, quote, locator, reason, title))
    for name in ("findings/alpha-budget-risk.md", "lessons/pcts-pool-budget-risk.md", "themes/budgets-and-risk.md"):
        page = pages[name]
        body = _FENCED.sub("", page.split("\n---\n", 1)[1] if page.startswith("---\n") else page)
        assert _tags(body) <= _BASELINE_TAGS, f"{name}: new HTML tags {_tags(body) - _BASELINE_TAGS}"
        for live in ("<script", "{{", "{%", "](javascript", "<!--"):
            assert live not in body, f"{name}: {live!r}"
        html = markdown.markdown(body, extensions=_MARKDOWN_EXTENSIONS)
        assert_inert_html(html, name)
        assert "<script" not in html.lower()


YAML_LIKE = st.lists(st.sampled_from(["id: x\n", "  ", "- ", "a: ", "b: ", "[", "]", "{", "}", ", ", "&a ", "*a",
                                      "!!str ", "! ", "<<: ", "= ", "? ", "|\n", ">-\n", "'", '"', "#", " #x", "\t",
                                      "\n", "1: ", "yes", "No", "~", "0x1F", "1_000", "1.5e3", ".inf", "2001-02-03",
                                      "12:30:00", "---\n", "A&E", "wow!"]) | st.text(max_size=6),
                     max_size=40).map("".join)


@settings(FUZZ, max_examples=400)
@given(YAML_LIKE)
def test_fast_loader_changes_nothing_but_speed(text):
    """Every text loads to the same value (types included), or fails with the same problems, with
    the fast path as with the strict load alone."""
    from unittest import mock

    from generator import loader

    fast = loader._parse_yaml(Path("record.yaml"), "record.yaml", text.encode("utf-8"))
    with mock.patch.object(loader, "_fast_load", lambda text: loader._IRREGULAR):
        strict = loader._parse_yaml(Path("record.yaml"), "record.yaml", text.encode("utf-8"))
    assert fast[1] == strict[1]
    assert repr(fast[0] and fast[0].data) == repr(strict[0] and strict[0].data)
