"""Markdown fragments that recur across many pages, built in Python instead of Jinja macros.

A lesson's or finding's list line appears on every theme, stakeholder, scheme, source, map and list
page that holds it, so each line is built once per record (and link base) and reused. Every value a
contributor wrote passes through `md_escape`, exactly as the template environment's `finalize` does
for `{{ value }}`; what these helpers return is Markup, so `finalize` passes it through unchanged.
"""

from __future__ import annotations

from typing import Callable

from markupsafe import Markup

from generator.kb import KnowledgeBase
from generator.textsafe import md_escape

CONFIDENCE_LABELS = {"high": "High", "moderate": "Moderate", "low": "Low", "very-low": "Very low"}


def short_title(text: str, limit: int = 110) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


COMPONENT_LABELS = {"methodological-limitations": "Methodological limitations", "coherence": "Coherence",
                    "adequacy": "Adequacy of data", "relevance": "Relevance"}
CONCERN_LABELS = {"no-or-very-minor": "No or very minor concerns", "minor": "Minor concerns",
                  "moderate": "Moderate concerns", "serious": "Serious concerns"}


def confidence_badge(level: str) -> Markup:
    """The coloured confidence label: 'High confidence' in a span classed by level."""
    return Markup(f'<span class="gpce-confidence gpce-confidence--{md_escape(level)}">'
                  f"{md_escape(CONFIDENCE_LABELS[level])} confidence</span>")


def second_reading(kind: str, state, methods: str = "../../methods.md") -> Markup:
    """Whether a second reader checked the record against its source (`state`, a review.ReviewStatus),
    and whether it changed since: a short line for a current check, a box for a stale or missing one."""
    how = f"[how records are checked]({methods}#second-reading)"
    if state.state == "current":  # a Markdown paragraph with a class: a raw <p> would leave the link unrendered
        return Markup(f"Checked against the source on {_long_date(state.date)} by {md_escape(state.by)} ({how}).\n"
                      "{: .gpce-check .gpce-check--current }\n")
    if state.state == "changed":
        return Markup(f'!!! warning "Changed since it was last checked"\n    This {kind} was checked against the '
                      f"source on {_long_date(state.date)} by {md_escape(state.by)}, and has been edited since: "
                      f"read it against its quotes ({how}).\n")
    return Markup(f'!!! warning "Not yet checked"\n    No second reader has checked this {kind} against its '
                  f"source yet: read it against its quotes ({how}).\n")


def _long_date(date) -> str:
    return f"{date.day} {date:%B %Y}"


def more(shown: int, total: int, href: str, noun: str) -> Markup:
    """'[All N noun](href) (M more than shown here).' and a newline, when a list was cut; else nothing.
    `href` is built by the template from ids and links, not from contributor text."""
    if total <= shown:
        return Markup("")
    return Markup(f"[All {total} {md_escape(noun)}]({href}) ({total - shown} more than shown here).\n")


def chunks(items: list, size: int) -> list[list]:
    """`items` in runs of `size`, one run per page of a paginated list (one empty run for no items)."""
    return [items[i:i + size] for i in range(0, len(items), size)] or [[]]


def numbered(stem: str, number: int) -> str:
    """The name of page `number` of a paginated list: stem, stem-2, ... (as `pager` links them)."""
    return stem if number == 1 else f"{stem}-{number}"


def pager(name: str, number: int, pages: int) -> Markup:
    """'Page 2 of 3: [1](name.md) **2** [3](name-3.md)' and its class line, when there are several pages."""
    if pages <= 1:
        return Markup("")
    links = "".join(f" **{n}**" if n == number else f" [{n}]({name}{f'-{n}' if n > 1 else ''}.md)"
                    for n in range(1, pages + 1))
    return Markup(f"Page {number} of {pages}:{links}\n{{: .gpce-pager }}\n")


def _s(count: int) -> str:
    return "s" if count != 1 else ""


class Fragments:
    """The recurring fragments of one knowledge base's pages, memoised per record and link base."""

    def __init__(self, kb: KnowledgeBase, link: Callable[..., Markup], cite: Callable[[str], Markup]):
        self.kb = kb
        self.link = link
        self.cite = cite
        self._lesson_lines: dict[tuple[str, str], Markup] = {}
        self._finding_lines: dict[tuple[str, str], Markup] = {}
        self._finding_quotes: dict[str, Markup] = {}
        self._labels: dict[tuple[str, str], str] = {}

    def _label(self, vocabulary: str, key: str) -> str:
        """A vocabulary term's label, escaped."""
        escaped = self._labels.get((vocabulary, key))
        if escaped is None:
            escaped = self._labels[vocabulary, key] = md_escape(getattr(self.kb.records, vocabulary)[key].label)
        return escaped

    def term_links(self, vocabulary: str, keys: list[str], base: str = "../") -> Markup:
        """'[Label](link), [Label](link)' for these theme, stakeholder or scheme keys."""
        kind = vocabulary[:-1]
        return Markup(", ".join(f"[{self._label(vocabulary, key)}]({self.link(kind, key, base)})" for key in keys))

    def lesson_line(self, lesson_id: str, base: str = "../") -> Markup:
        """A lesson as a list item: title link, confidence, how many findings and sources, origin."""
        line = self._lesson_lines.get((lesson_id, base))
        if line is None:
            line = self._lesson_lines[lesson_id, base] = self._build_lesson_line(lesson_id, base)
        return line

    def _build_lesson_line(self, lesson_id: str, base: str) -> Markup:
        kb = self.kb
        lesson = kb.records.lessons[lesson_id]
        findings, sources = len(lesson.findings), len(kb.lesson_sources(lesson))
        origin = "Stated by the source" if lesson.origin.type == "source" else "Synthesis across sources"
        return Markup(f"- [{md_escape(lesson.title)}]({self.link('lesson', lesson.id, base)}) — "
                      f"{confidence_badge(kb.lesson_confidence(lesson))} · {findings} finding{_s(findings)} "
                      f"from {sources} source{_s(sources)} · {origin}")

    def evidence_profile(self, lesson) -> Markup:
        """The CERQual evidence profile: one row per component with its concern and explanation."""
        rows = [f"| {COMPONENT_LABELS[name]} | {md_escape(CONCERN_LABELS[part.concern])} | {md_escape(part.explanation)} |"
                for name, part in lesson.confidence.components()]
        return Markup('<div class="gpce-profile" markdown>\n\n| Component | Concern | Explanation |\n| --- | --- | --- |\n'
                      + "\n".join(rows) + "\n\n</div>\n")

    def contributing_findings(self, lesson, base: str = "../") -> Markup:
        """The findings a lesson rests on, with their sources and grades, as a table."""
        r = self.kb.records
        rows = []
        for finding_id in lesson.findings:
            finding = r.findings[finding_id]
            sources = "; ".join(self.cite(source_id) for source_id in self.kb.finding_sources(finding))
            rows.append(f"| [{md_escape(short_title(finding.statement, 140))}]({self.link('finding', finding_id, base)}) "
                        f"| {sources} | {confidence_badge(finding.confidence.level)} |")
        return Markup("| Finding | Source | Finding's confidence |\n| --- | --- | --- |\n" + "\n".join(rows) + "\n")

    def summary_of_findings(self, lesson_ids: list[str], limit: int, base: str = "../") -> Markup:
        """The CERQual 'Summary of qualitative findings' table for the `limit` most confident of these
        lessons: lesson, confidence in words, why, sources."""
        lessons = self.kb.records.lessons
        ordered = sorted(lesson_ids, key=lambda i: (self.kb.confidence_rank(lessons[i].confidence.level),
                                                    lessons[i].title.lower()))
        rows = []
        for lesson_id in ordered[:limit]:
            lesson = lessons[lesson_id]
            sources = "; ".join(self.cite(source_id) for source_id in self.kb.lesson_sources(lesson))
            rows.append(f"| [{md_escape(lesson.title)}]({self.link('lesson', lesson_id, base)}) "
                        f"| {confidence_badge(lesson.confidence.level)} | {md_escape(lesson.confidence.explanation)} "
                        f"| {sources} |")
        return Markup('<div class="gpce-soqf" markdown>\n\n| Lesson | Confidence | Why | Sources |\n| --- | --- | --- | --- |\n'
                      + "\n".join(rows) + "\n\n</div>\n")

    def lesson_lines(self, lesson_ids: list[str], base: str = "../") -> Markup:
        """lesson_line for each, one a line (no newline after the last)."""
        return Markup("\n".join([self.lesson_line(lesson_id, base) for lesson_id in lesson_ids]))

    def finding_lines(self, finding_ids: list[str], base: str = "../") -> Markup:
        """finding_line for each, one a line (no newline after the last)."""
        return Markup("\n".join([self.finding_line(finding_id, base) for finding_id in finding_ids]))

    def confidence_mix(self, finding_ids: list[str]) -> Markup:
        """'2 high, 1 low': how many of these findings are at each confidence level, best first."""
        counts: dict[str, int] = {}
        for finding_id in finding_ids:
            level = self.kb.records.findings[finding_id].confidence.level
            counts[level] = counts.get(level, 0) + 1
        return Markup(", ".join(f"{counts[level]} {md_escape(label.lower())}"
                                for level, label in CONFIDENCE_LABELS.items() if counts.get(level)))

    def finding_line(self, finding_id: str, base: str = "../") -> Markup:
        """A finding as a list item: its statement (shortened) as a link, then its confidence."""
        line = self._finding_lines.get((finding_id, base))
        if line is None:
            finding = self.kb.records.findings[finding_id]
            line = self._finding_lines[finding_id, base] = Markup(
                f"- [{md_escape(short_title(finding.statement, 160))}]({self.link('finding', finding.id, base)})"
                f" — {confidence_badge(finding.confidence.level)}")
        return line

    def evidence_item(self, item) -> Markup:
        """A quotation as a block quote, with its citation, locator, what it cites, and the source link."""
        citing = ""
        if item.cites:
            citing = " (citing " + "; ".join(self.cite(key) for key in item.cites) + ")"
        return Markup(f"> {md_escape(item.quote)}\n>\n> — {self.cite(item.source)}, {md_escape(item.locator)}"
                      f"{citing}. [Source details]({self.link('source', item.source)})")

    def finding_quote(self, finding_id: str) -> Markup:
        """A finding as a collapsed block on a lesson page: statement, its quotations, a link to it.
        Ends with the link line's newline."""
        block = self._finding_quotes.get(finding_id)
        if block is None:
            finding = self.kb.records.findings[finding_id]
            quotes = "".join(f"    > {md_escape(item.quote)}\n    >\n    > — {self.cite(item.source)}, "
                             f"{md_escape(item.locator)}\n\n" for item in finding.evidence)
            block = self._finding_quotes[finding_id] = Markup(
                f'??? quote "{md_escape(short_title(finding.statement, 150))} — '
                f'{md_escape(CONFIDENCE_LABELS[finding.confidence.level])} confidence"\n'
                f"    {md_escape(finding.statement)}\n\n{quotes}"
                f"    [Open the finding]({self.link('finding', finding.id)})\n")
        return block
