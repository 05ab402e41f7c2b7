"""Briefing pages: for each stakeholder, its best-supported lessons on two printed A4 pages, what a
commissioner hands to a board (templates/briefing.md.j2; print styles in docs/assets/site.css)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from generator.kb import KnowledgeBase

BRIEFING_SIZE = 8
"""Lessons in a stakeholder's briefing: what fits two printed A4 pages (tests/test_browser.py)."""


def briefing_pages(kb: KnowledgeBase, page: Callable[..., str], top_lessons: Callable[..., list[str]],
                   lessons_by_stakeholder: dict[str, list[str]]) -> Iterator[tuple[str, str]]:
    """The briefings index and one briefing per stakeholder that has lessons, rendered with
    `page(template, **context)`; `top_lessons(count, among=ids)` ranks a stakeholder's lessons."""
    terms = {key: term for key, term in kb.records.stakeholders.items() if lessons_by_stakeholder.get(key)}
    yield "briefings/index.md", page("briefings_index.md.j2", terms=terms, lessons_by=lessons_by_stakeholder)
    for key, term in terms.items():
        lessons = lessons_by_stakeholder[key]
        yield f"briefings/{key}.md", page("briefing.md.j2", key=key, term=term, total=len(lessons),
                                          lessons=top_lessons(BRIEFING_SIZE, among=lessons))
