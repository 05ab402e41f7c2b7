"""The 'what changed' page family: the Rating changes page (every grade change with its reason) and a
record's History section. Dates and edits come from git (generator/history.py), reasons from the
records' change logs (generator/changelog.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from markupsafe import Markup

from generator.changelog import grade_changes
from generator.kb import KnowledgeBase
from generator.textsafe import md_text


def rating_changes_page(kb: KnowledgeBase, page: Callable[..., str]) -> Iterator[tuple[str, str]]:
    yield "rating-changes.md", page("rating_changes.md.j2", changes=grade_changes(kb.records))


def history_items(change_log: list, git_changes: list, commit_url: Callable[[str], str | None]) -> list[tuple[str, Markup]]:
    """A record's history, newest first, as (date, Markdown): each git change in readable terms with
    the reason its change-log entry gives, and each change-log entry no git change accounts for."""
    items: list[tuple[str, Markup]] = []
    shown = set()
    for change in git_changes:
        text = Markup("; ").join(md_text(phrase) for phrase in change.changes) or Markup("Edited")
        entry = next((e for e in change_log if e.grade and change.grade == (e.grade.from_, e.grade.to)
                      and e.why == change.why and id(e) not in shown), None)
        if entry is not None:
            shown.add(id(entry))
            text += Markup(". Why: ") + md_text(entry.why)
        url = commit_url(change.commit)
        if url:
            text += Markup(" ([{}](<{}>))").format(change.commit[:7], url)
        items.append((change.date, text))
    for entry in change_log:
        if id(entry) not in shown:
            items.append((entry.date.isoformat(), md_text(entry.what) + Markup(". Why: ") + md_text(entry.why)))
    items.sort(key=lambda item: item[0], reverse=True)  # stable: git's own order within a day
    return items
