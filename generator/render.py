"""Stage 5, render: every generated page, as Markdown, from Jinja templates, in memory.

Record text is data, never template source: templates are the project's own files, every value is
escaped by the environment's `finalize`, and undefined names fail loudly (StrictUndefined).
"""

from __future__ import annotations

import html
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from generator import SCHEMA_VERSION
from generator.history import file_dates
from generator.kb import KnowledgeBase
from generator.project import Project
from generator.textsafe import finalize, md_escape, md_paragraphs, md_text

SECTIONS = {"source": "sources", "finding": "findings", "lesson": "lessons", "comparison": "comparisons"}
CONFIDENCE_LABELS = {"high": "High", "moderate": "Moderate", "low": "Low", "very-low": "Very low"}


def environment(templates: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates)),
        autoescape=True,
        finalize=finalize,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["paragraphs"] = md_paragraphs
    env.filters["text"] = md_text
    env.filters["frontmatter"] = front_matter
    env.globals["CONFIDENCE_LABELS"] = CONFIDENCE_LABELS
    return env


def front_matter(values: dict[str, Any]) -> Markup:
    """YAML front matter. The theme inserts these values into HTML unescaped (MkDocs' theme
    environment has no autoescape), so text is HTML-escaped here; JSON strings are valid YAML."""
    lines = [f"{key}: {json.dumps(_html_text(value), ensure_ascii=False)}"
             for key, value in values.items() if value is not None]
    return Markup("---\n" + "\n".join(lines) + "\n---\n")


def _html_text(value: Any) -> Any:
    return html.escape(" ".join(value.split()), quote=True) if isinstance(value, str) else value


def record_url(kind: str, record_id: str, base: str = "../") -> Markup:
    """Relative link to a record page from a page `base` away from docs/kb/."""
    return Markup(f"{base}{SECTIONS[kind]}/{record_id}.md")


def short_title(text: str, limit: int = 110) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


class Renderer:
    """Renders all pages for one knowledge base."""

    def __init__(self, kb: KnowledgeBase, project: Project, git_dates: bool = True):
        self.kb = kb
        self.project = project
        self.env = environment(project.templates)
        self.dates = file_dates(project.root) if git_dates else {}
        r = kb.records
        self.env.globals.update(
            kb=kb, r=r, link=self.link, label=self.label, ref=self.reference, cite=self.citation,
            lesson_confidence=kb.lesson_confidence, dates=self.record_dates, title_of=self.title_of,
            short_title=short_title, SCHEMA_VERSION=SCHEMA_VERSION,
        )

    # --- helpers available in templates -------------------------------------------------------
    def link(self, kind: str, record_id: str, base: str = "../") -> Markup:
        if kind == "context":
            context = self.kb.records.contexts[record_id]
            return Markup(f"{base}comparisons/{context.comparison}.md#{record_id}")
        if kind in ("theme", "stakeholder", "scheme"):
            return Markup(f"{base}{kind}s/{record_id}.md")
        return record_url(kind, record_id, base)

    def label(self, vocabulary: str, key: str) -> str:
        return getattr(self.kb.records, vocabulary)[key].label

    def reference(self, key: str):
        return self.kb.references[key]

    def citation(self, key: str) -> Markup:
        return Markup(self.kb.references[key].citation)

    def title_of(self, kind: str, record_id: str) -> str:
        r = self.kb.records
        if kind == "finding":
            return short_title(r.findings[record_id].statement)
        if kind == "lesson":
            return r.lessons[record_id].title
        if kind == "source":
            ref = self.kb.references[record_id]
            return short_title(ref.fields.get("title", record_id).replace("{", "").replace("}", ""))
        if kind == "comparison":
            return r.comparisons[record_id].title
        if kind == "context":
            return r.contexts[record_id].dimension
        return record_id

    def record_dates(self, kind: str, record_id: str) -> tuple[str, str] | None:
        return self.dates.get(f"evidence/{SECTIONS.get(kind, kind + 's')}/{record_id}.yaml")

    # --- pages ---------------------------------------------------------------------------------
    def page(self, template: str, **context: Any) -> str:
        return self.env.get_template(template).render(**context)

    def pages(self) -> dict[str, str]:
        kb, r = self.kb, self.kb.records
        out: dict[str, str] = {}
        for finding in r.findings.values():
            out[f"findings/{finding.id}.md"] = self.page("finding.md.j2", finding=finding)
        for lesson in r.lessons.values():
            out[f"lessons/{lesson.id}.md"] = self.page("lesson.md.j2", lesson=lesson)
        for source in r.sources.values():
            out[f"sources/{source.id}.md"] = self.page("source.md.j2", source=source)
        for comparison in r.comparisons.values():
            out[f"comparisons/{comparison.id}.md"] = self.page("comparison.md.j2", comparison=comparison)
        self._alias_pages(out)
        lessons_by = self._group_lessons()
        findings_by = self._group_findings()
        for vocab in ("stakeholders", "themes", "schemes"):
            terms = getattr(r, vocab)
            out[f"{vocab}/index.md"] = self.page(f"{vocab}_index.md.j2", terms=terms,
                                                 lessons_by=lessons_by[vocab], findings_by=findings_by[vocab])
            for key, term in terms.items():
                out[f"{vocab}/{key}.md"] = self.page(
                    f"{vocab[:-1]}.md.j2", key=key, term=term,
                    lessons=lessons_by[vocab].get(key, []), findings=findings_by[vocab].get(key, []))
        out["sources/index.md"] = self.page("sources_index.md.j2")
        out["lessons/index.md"] = self.page("lessons_index.md.j2", lessons_by_theme=lessons_by["themes"])
        out["comparisons/index.md"] = self.page("comparisons_index.md.j2")
        out["references/index.md"] = self.page("references.md.j2", references=sorted(
            kb.references.values(), key=lambda ref: ref.plain.lower()))
        out["glossary/index.md"] = self.page("glossary.md.j2")
        out["_abbreviations.md"] = self.page("abbreviations.md.j2")
        out["_home.md"] = self.page("home_fragment.md.j2", lessons_by=lessons_by, top_lessons=self.top_lessons())
        return out

    def top_lessons(self, count: int = 8) -> list[str]:
        """Lessons with the strongest evidence: confidence, then number of findings and sources."""
        kb = self.kb
        ranked = sorted(kb.records.lessons.values(), key=lambda lesson: (
            kb.confidence_rank(kb.lesson_confidence(lesson)), -len(lesson.findings),
            -len(kb.lesson_sources(lesson)), lesson.id))
        return [lesson.id for lesson in ranked[:count]]

    def _alias_pages(self, out: dict[str, str]) -> None:
        r = self.kb.records
        for kind in SECTIONS:
            for record in r.of_kind(kind).values():
                for alias in record.aliases:
                    out[f"{SECTIONS[kind]}/{alias}.md"] = self.page(
                        "redirect.md.j2", kind=kind, record=record, alias=alias)

    def _group_lessons(self) -> dict[str, dict[str, list[str]]]:
        grouped: dict[str, dict[str, list[str]]] = {v: defaultdict(list) for v in ("stakeholders", "themes", "schemes")}
        for lesson in self.kb.records.lessons.values():
            for key in lesson.stakeholders:
                grouped["stakeholders"][key].append(lesson.id)
            for key in lesson.themes:
                grouped["themes"][key].append(lesson.id)
            for key in dict.fromkeys(s for f in lesson.findings for s in self.kb.records.findings[f].schemes):
                grouped["schemes"][key].append(lesson.id)
        return grouped

    def _group_findings(self) -> dict[str, dict[str, list[str]]]:
        grouped: dict[str, dict[str, list[str]]] = {v: defaultdict(list) for v in ("stakeholders", "themes", "schemes")}
        for finding in self.kb.records.findings.values():
            for vocab in grouped:
                for key in getattr(finding, vocab):
                    grouped[vocab][key].append(finding.id)
        return grouped


def render_pages(kb: KnowledgeBase, project: Project, git_dates: bool = True) -> dict[str, str]:
    return Renderer(kb, project, git_dates=git_dates).pages()
