"""Stage 5, render: every generated page, as Markdown, from Jinja templates, one page at a time
(`iter_pages`; the write stage stores each before the next is rendered).

Record text is data, never template source: templates are the project's own files, every value is
escaped by the environment's `finalize`, and undefined names fail loudly (StrictUndefined). Small
fragments that recur on many pages (list lines, tag links, quotations) are built in Python by
generator/fragments.py, which escapes every contributor value with the same `md_escape`.
"""

from __future__ import annotations

import functools
import html
import json
import os
import re
from collections import defaultdict
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from collections.abc import Iterator
from typing import Any

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from generator import SCHEMA_VERSION
from generator.briefings import BRIEFING_SIZE, briefing_pages
from generator.charts import charts as draw_charts
from generator.charts import data_table
from generator.build_version import BuildVersion, build_version
from generator.change_pages import (cite_this_version, history_items, rating_changes_page, record_path,
                                    versions_page)
from generator.citations import Citations, citation_files, site_name
from generator.export import LICENCE_URL, data_file_paths, iter_data_files
from generator.fragments import (CONFIDENCE_LABELS, Fragments, chunks, confidence_badge, more, numbered, pager,
                                 second_reading, short_title)
from generator.history import dates_of, record_histories
from generator.kb import KnowledgeBase
from generator.parallel import CHILD, MIN_RECORDS, can_fork, forked_pages
from generator.project import Project
from generator.review import ReviewSummary, summarise
from generator.references import REFERENCES_PER_PAGE, ReferenceList
from generator.textsafe import code_html, finalize, md_escape, md_paragraphs, md_text

SECTIONS = {"source": "sources", "finding": "findings", "lesson": "lessons", "comparison": "comparisons"}
PAGE_SIZE = 100
"""Most items any one list page shows; longer lists continue on numbered pages."""
SECTION_LIMIT = 50
"""Most lessons a stakeholder page shows per theme before linking to the full list."""
MAP_LESSON_WEIGHT = {"high": 4, "moderate": 3, "low": 2, "very-low": 1}
"""How much a lesson darkens its evidence-map cell, by its own grade (a finding counts 1)."""
THEME_SOURCES = 20
"""Most sources a theme page's "What each source found" table shows (those with the most findings
on the theme); the others are named by count, and their findings are on the theme's full list, so
the page does not grow with the number of sources."""
SOURCE_COLUMNS = 10
"""Most sources (columns) one evidence-map "themes by source" table shows; the rest continue on
map/sources-2.md, ... so the map does not grow with the number of sources."""
WHATS_NEW = 60
"""How many recent additions and changes the What's new page lists."""


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
    env.filters["html_url"] = html_url
    env.globals["CONFIDENCE_LABELS"] = CONFIDENCE_LABELS
    env.globals["SOURCE_COLUMNS"] = SOURCE_COLUMNS
    return env


def front_matter(values: dict[str, Any]) -> Markup:
    """YAML front matter. The theme inserts these values into HTML unescaped (MkDocs' theme
    environment has no autoescape), so text is HTML-escaped here; JSON strings are valid YAML."""
    lines = [f"{key}: {json.dumps(_html_text(value), ensure_ascii=False)}"
             for key, value in values.items() if value is not None]
    return Markup("---\n" + "\n".join(lines) + "\n---\n")


def _html_text(value: Any) -> Any:
    return html.escape(" ".join(value.split()), quote=True) if isinstance(value, str) else value


def code_tabs(tabs: list[tuple[str, str, str]], group: str) -> Markup:
    """Content tabs (Material's alternate style, as pymdownx.tabbed writes them) of code blocks, one
    raw HTML block: (label, language, text) per tab; text already encoded by `code_html` comes as
    Markup. Material adds a copy button to each block."""
    checked = ['checked="checked" '] + [""] * (len(tabs) - 1)
    inputs = "".join(f'<input {checked[i]}id="{group}-{i + 1}" name="{group}" type="radio">'
                     for i in range(len(tabs)))
    labels = "".join(f'<label for="{group}-{i + 1}">{code_html(label)}</label>' for i, (label, _, _) in enumerate(tabs))
    blocks = "".join(f'<div class="tabbed-block"><div class="language-{lang} highlight"><pre><span></span>'
                     f'<code>{text if isinstance(text, Markup) else code_html(text)}</code></pre></div></div>'
                     for _, lang, text in tabs)
    return Markup(f'<div class="tabbed-set tabbed-alternate gpce-cite" data-tabs="1:{len(tabs)}">{inputs}'
                  f'<div class="tabbed-labels">{labels}</div><div class="tabbed-content">{blocks}</div></div>')


def html_url(md_link: str) -> Markup:
    """The built URL of a relative .md link written on an index.md page (directory URLs): for raw
    HTML, where MkDocs does not rewrite links."""
    path, _, anchor = str(md_link).partition("#")
    if path.endswith("index.md"):
        path = path[: -len("index.md")]
    elif path.endswith(".md"):
        path = path[:-3] + "/"
    return Markup(html.escape(path + ("#" + anchor if anchor else ""), quote=True))


def _plural(phrase: str) -> str:
    """English plural of a noun phrase's last word: pilot -> pilots, authority -> authorities."""
    if re.search(r"[^aeiou]y$", phrase):
        return phrase[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", phrase):
        return phrase + "es"
    return phrase + "s"


def record_url(kind: str, record_id: str, base: str = "../") -> Markup:
    """Relative link to a record page from a page `base` away from docs/kb/."""
    return Markup(f"{base}{SECTIONS[kind]}/{record_id}.md")


class Renderer:
    """Renders all pages for one knowledge base."""

    def __init__(self, kb: KnowledgeBase, project: Project, git_dates: bool = True):
        self.kb = kb
        self.project = project
        self.env = environment(project.templates)
        self.git = git_dates
        """Whether the build reads the project's git history (dates, history, versions); tests turn it off."""
        self.histories = record_histories(project.root) if git_dates else {}
        self.dates = dates_of(self.histories)
        """(added, last changed) of each record file, from the same one pass over git."""
        self.version = build_version(project.root) if git_dates else BuildVersion()
        self.site_url, self.site_name = project.addresses.site_url, site_name(project.mkdocs_yml)
        self.citations = Citations(kb, self.site_url, self.site_name)
        self.references = ReferenceList(kb.references, REFERENCES_PER_PAGE)
        self.env.globals["reference_url"] = self.references.url
        r = kb.records
        self._source_refs_memo: dict[tuple[str, ...], Markup] = {}
        self._templates: dict[str, Any] = {}
        self.share: int | None = None
        """Set by generator.parallel: which pages of the sequence this process renders."""
        self._turns = 0
        self._use_fragments(Fragments(kb, self.link, self.citation))
        self.env.globals.update(
            confidence_badge=confidence_badge, more=more, pager=pager, updated=self.updated,
            second_reading=self.second_reading,
            kb=kb, r=r, link=self.link, label=self.label, ref=self.reference, cite=self.citation,
            lesson_confidence=kb.lesson_confidence, dates=self.record_dates, title_of=self.title_of,
            short_title=short_title, SCHEMA_VERSION=SCHEMA_VERSION, PAGE_SIZE=PAGE_SIZE,
            SECTION_LIMIT=SECTION_LIMIT, BRIEFING_SIZE=BRIEFING_SIZE, LICENCE_URL=LICENCE_URL, site_name=self.site_name, site_url=self.site_url,
            charts=self.finding_charts, cite_record=self.cite_record, meta=self.page_meta,
            permalink=self.citations.permalink, permanent_address=self.permanent_address, record_history=self.record_history, cite_this_version=self.cite_this_version, theme_counts=self.theme_counts, source_refs=self.source_refs, cite_tabs=self.cite_tabs,
            abbreviations=self.abbreviations,
            data_table=data_table, theme_sources=self.theme_sources,
        )

    # --- helpers available in templates -------------------------------------------------------
    def link(self, kind: str, record_id: str, base: str = "../") -> Markup:
        if kind == "context":
            context = self.kb.records.contexts[record_id]
            return Markup(f"{base}comparisons/{context.comparison}.md#{record_id}")
        if kind in ("theme", "stakeholder", "scheme"):
            return Markup(f"{base}{kind}s/{record_id}.md")
        return record_url(kind, record_id, base)

    def theme_sources(self, finding_ids: list[str]) -> tuple[list[tuple[str, list[str]]], int]:
        """(source id, its findings among these) for at most THEME_SOURCES sources, in the order
        the sources first appear, and how many sources were left out. Where there are more, the
        ones with the most findings are kept (ties: the first to appear)."""
        by_source: dict[str, list[str]] = {}
        for finding_id in finding_ids:
            for source_id in self.kb.finding_sources(self.kb.records.findings[finding_id]):
                by_source.setdefault(source_id, []).append(finding_id)
        if len(by_source) <= THEME_SOURCES:
            return list(by_source.items()), 0
        order = {source_id: i for i, source_id in enumerate(by_source)}
        kept = sorted(by_source, key=lambda source_id: (-len(by_source[source_id]), order[source_id]))[:THEME_SOURCES]
        return [(source_id, by_source[source_id]) for source_id in sorted(kept, key=order.get)], \
            len(by_source) - THEME_SOURCES

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

    def finding_charts(self, finding):
        return draw_charts(finding.data, f"chart-{finding.id}")

    def abbreviations(self) -> list[tuple[str, str]]:
        """Every glossary abbreviation with its expansion, plus the plural ('TPPs') where the
        glossary has no entry of that name, so plurals in running text show their expansion too."""
        glossary = self.kb.records.glossary
        out = {abbr: entry.expansion for abbr, entry in glossary.items()}
        for abbr, entry in glossary.items():
            if abbr[-1:].isupper() and abbr + "s" not in glossary:
                out[abbr + "s"] = _plural(entry.expansion)
        return sorted(out.items())

    def source_refs(self, keys: list[str], form: str) -> str:
        """The references for these BibTeX keys as plain Harvard text or BibTeX, blank-line separated."""
        return "\n\n".join(getattr(self.kb.references[key], form) for key in keys)

    def cite_tabs(self, kind: str, record_id: str, sources: list[str]) -> Markup:
        """'Cite this' tabs: Harvard and BibTeX for the record, then its sources' references."""
        if kind == "source":
            ref = self.kb.references[record_id]
            tabs = [("Harvard", "text", ref.plain), ("BibTeX", "bibtex", ref.bibtex)]
        else:
            cite = self.cite_record(kind, record_id)
            tabs = [("Harvard", "text", cite.harvard), ("BibTeX", "bibtex", cite.bibtex), ("RIS", "text", cite.ris),
                    ("CSL-JSON", "json", json.dumps(cite.csl, indent=1, ensure_ascii=False))]
            if sources:
                plural = "s" if len(sources) > 1 else ""
                tabs += [(f"Source reference{plural} (Harvard)", "text", self._source_refs_html(sources, "plain")),
                         (f"Source BibTeX", "bibtex", self._source_refs_html(sources, "bibtex"))]
        return code_tabs(tabs, f"cite-{kind}")

    def _source_refs_html(self, keys: list[str], form: str) -> Markup:
        """source_refs, encoded for a code block; memoised, as many records share the same sources."""
        encoded = self._source_refs_memo.get((*keys, form))
        if encoded is None:
            encoded = self._source_refs_memo[(*keys, form)] = Markup(code_html(self.source_refs(keys, form)))
        return encoded

    @functools.cached_property
    def review(self) -> ReviewSummary:
        """Every record's second-reader status, computed once for the home page and the record pages."""
        return summarise(self.kb.records)

    def second_reading(self, kind: str, record) -> Markup:
        return second_reading(kind, self.review.statuses[kind, record.id])

    def cite_record(self, kind: str, record_id: str):
        when = self.record_dates(kind, record_id)
        return self.citations.record(kind, record_id, self._full_title(kind, record_id),
                                     when[1] if when else None, self.record_version(kind, record_id))

    def record_version(self, kind: str, record_id: str) -> str | None:
        """The release whose text of the record is shown, else the build's label after the latest release
        (None before the first release or without git)."""
        release = self.version.record_release(record_path(kind, record_id))
        return release.version if release else self.version.label

    def cite_this_version(self, kind: str, record_id: str) -> Markup:
        return cite_this_version(self.version, record_path(kind, record_id), self.project.addresses.repo_url)

    def permanent_address(self, kind: str, record_id: str, base: str = "../../") -> Markup:
        """'Permanent address: <url>', or in a local build (no address configured) a note on how to
        set one, rather than an address that would point nowhere."""
        url = self.citations.permalink(kind, record_id)
        if url:
            return Markup("Permanent address: <{}>").format(url)
        return Markup(f"Permanent address: none in this local build; a published build shows it "
                      f"([setting the address]({base}contributing.md#published-address)).")

    def record_history(self, kind: str, record) -> Markup:
        """The record's History section body: its changes, newest first, with reasons."""
        git_changes = self.histories.get(record_path(kind, record.id), [])
        items = history_items(getattr(record, "change_log", []), git_changes, self._commit_url)
        lines = [Markup("- **{}**: ").format(date) + text for date, text in items]
        if not self.histories:
            lines.append(Markup("- Edits are listed from the project's git history, which this build did not have."))
        return Markup("\n").join(lines)

    def _commit_url(self, commit: str) -> str | None:
        repo = self.project.addresses.repo_url
        return f"{repo}/commit/{commit}" if repo else None

    def _full_title(self, kind: str, record_id: str) -> str:
        r = self.kb.records
        return r.findings[record_id].statement if kind == "finding" else self.title_of(kind, record_id)

    def page_meta(self, kind: str, record_id: str) -> dict[str, Any]:
        """Front matter for a record page: what the theme needs plus citation metadata."""
        r = self.kb.records
        if kind == "source":
            reference = self.kb.references[record_id]
            values = {"title": self.title_of(kind, record_id), "description": reference.plain}
            citation = self.citations.source_meta(record_id)
        else:
            record = r.of_kind(kind)[record_id]
            if kind == "finding":
                title, description, sources = short_title(record.statement, 70), record.statement, \
                    self.kb.finding_sources(record)
            else:
                title, description, sources = short_title(record.title, 70), record.summary, \
                    self.kb.lesson_sources(record)
            values = {"title": title, "description": description}
            keywords = [self.label("themes", key) for key in record.themes]
            citation = self.citations.record_meta(kind, record_id, self._full_title(kind, record_id),
                                                  description, self.record_dates(kind, record_id), keywords,
                                                  sources, self.record_version(kind, record_id))
        values["facets"], values["browse_order"] = self._facets(kind, record_id)
        when = self.record_dates(kind, record_id)
        values.update({"record_kind": kind, "record_id": record_id,
                       "edit_path": f"evidence/{SECTIONS[kind]}/{record_id}.yaml",
                       "added": when[0] if when else None, "changed": when[1] if when else None,
                       "citation": citation})
        return values

    def _facets(self, kind: str, record_id: str) -> tuple[dict[str, list[str]], str]:
        """The record's values for each search facet (Pagefind filters, written into the page by
        overrides/main.html), and its place in browse order: confidence (strongest first), then title."""
        r, kb = self.kb.records, self.kb
        record = r.of_kind(kind)[record_id]
        if kind == "source":
            facets = {"source": [self.source_label(record_id)],
                      "scheme": [self.label("schemes", key) for key in record.schemes]}
            return facets, f"9 {self.title_of(kind, record_id).lower()}"
        if kind == "comparison":
            return {"source": [self.source_label(record.source)]}, f"9 {record.title.lower()}"
        if kind == "finding":
            sources, schemes = kb.finding_sources(record), record.schemes
        else:
            sources = kb.lesson_sources(record)
            schemes = list(dict.fromkeys(key for f in record.findings for key in r.findings[f].schemes))
        level = record.confidence.level
        facets = {"stakeholder": [self.label("stakeholders", key) for key in record.stakeholders],
                  "theme": [self.label("themes", key) for key in record.themes],
                  "confidence": [CONFIDENCE_LABELS[level]],
                  "source": [self.source_label(key) for key in sources],
                  "scheme": [self.label("schemes", key) for key in schemes]}
        title = record.statement if kind == "finding" else record.title
        return facets, f"{kb.confidence_rank(level)} {' '.join(title.lower().split())[:80]}"

    def source_label(self, key: str) -> str:
        """'Killoran et al. 1999': a source as a search facet value."""
        reference = self.kb.references[key]
        names = [author.split(",")[0].strip() for author in reference.authors] or [key]
        who = names[0] if len(names) == 1 else f"{names[0]} and {names[1]}" if len(names) == 2 else f"{names[0]} et al."
        return f"{who} {reference.year}".strip()

    def theme_counts(self, lesson_ids: list[str], finding_ids: list[str]) -> list[tuple[str, int, int]]:
        """(theme key, lessons, findings) for the themes these records carry, in vocabulary order."""
        r = self.kb.records
        lessons: dict[str, int] = defaultdict(int)
        findings: dict[str, int] = defaultdict(int)
        for lesson_id in lesson_ids:
            for key in r.lessons[lesson_id].themes:
                lessons[key] += 1
        for finding_id in finding_ids:
            for key in r.findings[finding_id].themes:
                findings[key] += 1
        return [(key, lessons[key], findings[key]) for key in r.themes if lessons[key] or findings[key]]

    def updated(self, kind: str, record_id: str) -> Markup:
        """'Added … · last changed …' as a small line, when git knows the record's dates."""
        when = self.record_dates(kind, record_id)
        if not when:
            return Markup("")
        return Markup(f'<small class="gpce-dates">Added {md_escape(when[0])} · last changed {md_escape(when[1])}</small>\n')

    def record_dates(self, kind: str, record_id: str) -> tuple[str, str] | None:
        """(added, last changed) as ISO dates, from git; None outside git."""
        when = self._timestamps(kind, record_id)
        return (when[0][:10], when[1][:10]) if when else None

    def _timestamps(self, kind: str, record_id: str) -> tuple[str, str] | None:
        return self.dates.get(f"evidence/{SECTIONS.get(kind, kind + 's')}/{record_id}.yaml")

    # --- pages ---------------------------------------------------------------------------------
    def page(self, template: str, **context: Any) -> str | None:
        """The page from this template and context; None when it is the other process's turn (see
        generator/parallel.py)."""
        if self.share is not None:
            turn, self._turns = self._turns, self._turns + 1
            if turn % 2 != self.share:
                return None
        return self._render(template, **context)

    def _use_fragments(self, fragments: Fragments) -> None:
        self.fragments = fragments
        self.env.globals.update(
            lesson_line=fragments.lesson_line, finding_line=fragments.finding_line,
            lesson_lines=fragments.lesson_lines, finding_lines=fragments.finding_lines,
            term_links=fragments.term_links, evidence_item=fragments.evidence_item,
            finding_quote=fragments.finding_quote, confidence_mix=fragments.confidence_mix,
            evidence_profile=fragments.evidence_profile, contributing_findings=fragments.contributing_findings,
            summary_of_findings=fragments.summary_of_findings)

    def _forget_fragments(self) -> None:
        """Let go of the memoised fragments (they grow with the knowledge base)."""
        self._source_refs_memo.clear()
        self._use_fragments(Fragments(self.kb, self.link, self.citation))

    def _render(self, template: str, **context: Any) -> str:
        loaded = self._templates.get(template)
        if loaded is None:  # get_template checks the file on disk on every call
            loaded = self._templates[template] = self.env.get_template(template)
        return loaded.render(**context)

    def pages(self) -> dict[str, str]:
        """Every page at once: relative path -> text (tests; the pipeline streams `iter_pages`)."""
        return {path: text if isinstance(text, str) else "".join(text) for path, text in self.iter_pages()}

    def iter_pages(self) -> Iterator[tuple[str, str | Iterator[str]]]:
        """Every generated file as (path relative to docs/kb, text), one at a time, so the write
        stage can store each before the next is rendered. The largest (evidence.json) comes as an
        iterator of text pieces. With `share` set, pages that are the other
        process's turn come as (path, None)."""
        self._turns = 0
        r = self.kb.records
        for finding in r.findings.values():
            yield f"findings/{finding.id}.md", self.page("finding.md.j2", finding=finding)
        for lesson in r.lessons.values():
            yield f"lessons/{lesson.id}.md", self.page("lesson.md.j2", lesson=lesson)
        for source in r.sources.values():
            yield f"sources/{source.id}.md", self.page("source.md.j2", source=source)
        for comparison in r.comparisons.values():
            yield f"comparisons/{comparison.id}.md", self.page("comparison.md.j2", comparison=comparison)
        yield from self._alias_pages()
        lessons_by = self._group_lessons()
        findings_by = self._group_findings()
        for vocab in ("stakeholders", "themes", "schemes"):
            terms = getattr(r, vocab)
            yield f"{vocab}/index.md", self.page(f"{vocab}_index.md.j2", terms=terms,
                                                 lessons_by=lessons_by[vocab], findings_by=findings_by[vocab])
            for key, term in terms.items():
                yield f"{vocab}/{key}.md", self.page(
                    f"{vocab[:-1]}.md.j2", key=key, term=term,
                    lessons=lessons_by[vocab].get(key, []), findings=findings_by[vocab].get(key, []))
        yield from briefing_pages(self.kb, self.page, self.top_lessons, lessons_by["stakeholders"])
        yield from self._sources_index_pages()
        yield "lessons/index.md", self.page("lessons_index.md.j2", lessons_by_theme=lessons_by["themes"])
        yield "comparisons/index.md", self.page("comparisons_index.md.j2")
        yield from self.references.pages(self.page).items()
        yield "glossary/index.md", self.page("glossary.md.j2")
        yield "_abbreviations.md", self.page("abbreviations.md.j2")
        yield "_home.md", self.page("home_fragment.md.j2", lessons_by=lessons_by, top_lessons=self.top_lessons(),
                                        review=self.review)
        yield from self._map_pages(lessons_by, findings_by)
        yield from self._overflow_pages(lessons_by, findings_by)
        yield "whats-new.md", self.page("whats_new.md.j2", changes=self.recent_changes())
        yield from rating_changes_page(self.kb, self.page)
        yield from versions_page(self.project.root, self.page, self.version, self.project.addresses.repo_url,
                                 self.git)
        if self.share == CHILD:
            return  # the open-data files are the parent's
        self._forget_fragments()  # not needed for the open-data files, which are large
        yield from citation_files(self.kb, self.cite_record)
        yield "data/index.md", self._render("data.md.j2", files=data_file_paths(), build_version=self.version)
        bib_text = self.project.bibliography.read_text(encoding="utf-8")
        yield from iter_data_files(self.kb, bib_text, self.site_url, self.citations.permalink,
                                   self.version.label or (f"commit {self.version.commit}" if self.version.commit else None),
                                   self.record_version)

    # --- evidence map, long lists, what's new ----------------------------------------------------
    def _map_pages(self, lessons_by, findings_by) -> Iterator[tuple[str, str]]:
        """The evidence map, and one page per non-empty theme x stakeholder cell (its matching list)."""
        r = self.kb.records
        cells: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
        for theme in r.themes:
            theme_lessons = set(lessons_by["themes"].get(theme, []))
            theme_findings = set(findings_by["themes"].get(theme, []))
            for stakeholder in r.stakeholders:
                lessons = [i for i in lessons_by["stakeholders"].get(stakeholder, []) if i in theme_lessons]
                findings = [i for i in findings_by["stakeholders"].get(stakeholder, []) if i in theme_findings]
                cells[theme, stakeholder] = (lessons, findings)
        weight = {key: sum(MAP_LESSON_WEIGHT[r.lessons[i].confidence.level] for i in lessons) + len(findings)
                  for key, (lessons, findings) in cells.items()}
        top = max(weight.values(), default=0) or 1
        shade = {key: 0 if not (l or f) else min(4, 1 + (4 * weight[key] - 1) // top)
                 for key, (l, f) in cells.items()}
        source_cells = {(theme, source): [f for f in ids if theme in r.findings[f].themes]
                        for source, ids in self.kb.findings_by_source.items() for theme in r.themes}
        source_top = max((len(v) for v in source_cells.values()), default=0) or 1
        source_shade = {key: 0 if not ids else min(4, 1 + (4 * len(ids) - 1) // source_top)
                        for key, ids in source_cells.items()}
        source_ids = list(r.sources)
        tables = chunks(source_ids, SOURCE_COLUMNS)
        for number, chunk in enumerate(tables, start=1):
            table = dict(source_cells=source_cells, source_shade=source_shade, source_ids=chunk,
                         source_page=number, source_pages=len(tables),
                         source_first=(number - 1) * SOURCE_COLUMNS + 1)
            if number == 1:
                yield "map/index.md", self.page("evidence_map.md.j2", cells=cells, shade=shade, **table)
            else:
                yield f"map/sources-{number}.md", self.page("map_sources.md.j2", **table)
        for (theme, stakeholder), (lessons, findings) in cells.items():
            if lessons or findings:
                yield from self._listing(f"map/{theme}/{stakeholder}",
                              f"{self.label('themes', theme)}: {self.label('stakeholders', stakeholder)}",
                              lessons, findings, theme=theme, stakeholder=stakeholder)

    def _listing(self, stem: str, title: str, lessons: list[str], findings: list[str],
                 **context: Any) -> Iterator[tuple[str, str]]:
        """A list of lessons then findings, PAGE_SIZE items a page: stem.md, stem-2.md, ..."""
        items = [("lesson", i) for i in lessons] + [("finding", i) for i in findings]
        runs = chunks(items, PAGE_SIZE)
        pages = len(runs)
        name = stem.rsplit("/", 1)[-1]
        depth = "../" * stem.count("/")
        for number, chunk in enumerate(runs, start=1):
            groups = [(kind, [record_id for _, record_id in group]) for kind, group in groupby(chunk, key=itemgetter(0))]
            yield f"{numbered(stem, number)}.md", self.page("listing.md.j2", title=title, groups=groups, number=number, pages=pages,
                                  name=name, base=depth, stem_parent=stem.split("/")[-2], lesson_total=len(lessons),
                                  finding_total=len(findings), **context)

    def _sources_index_pages(self) -> Iterator[tuple[str, str]]:
        """The list of sources, PAGE_SIZE a page: sources/index.md, sources/index-2.md, ..."""
        sources = sorted(self.kb.records.sources.values(), key=lambda source: source.id)
        runs = chunks(sources, PAGE_SIZE)
        for number, run in enumerate(runs, start=1):
            yield f"sources/{numbered('index', number)}.md", self.page(
                "sources_index.md.j2", sources=run, number=number, pages=len(runs),
                first=(number - 1) * PAGE_SIZE + 1, total=len(sources))

    def _overflow_pages(self, lessons_by, findings_by) -> Iterator[tuple[str, str]]:
        """Theme, scheme and source pages show PAGE_SIZE items per list; the rest continue here."""
        for vocab in ("themes", "schemes"):
            for key in getattr(self.kb.records, vocab):
                lessons, findings = lessons_by[vocab].get(key, []), findings_by[vocab].get(key, [])
                if len(lessons) > PAGE_SIZE or len(findings) > PAGE_SIZE:
                    yield from self._listing(f"{vocab}/{key}/all", self.label(vocab, key), lessons, findings)
        for source_id, findings in self.kb.findings_by_source.items():
            lessons = self.kb.lessons_by_source.get(source_id, [])
            if len(lessons) > PAGE_SIZE or len(findings) > PAGE_SIZE:
                yield from self._listing(f"sources/{source_id}/all", self.title_of("source", source_id),
                              lessons, findings)

    def recent_changes(self) -> list[tuple[str, str, str, str]]:
        """(last changed, added, kind, id, new: never changed since added) of the most recently
        changed records, newest first."""
        changes = []
        for kind in SECTIONS:
            for record_id in self.kb.records.of_kind(kind):
                when = self._timestamps(kind, record_id)
                if when:
                    changes.append((when[1], when[0], kind, record_id))
        changes.sort(key=lambda c: (c[0], c[1], c[2], c[3]), reverse=True)
        return [(changed[:10], added[:10], kind, record_id, added == changed)
                for changed, added, kind, record_id in changes[:WHATS_NEW]]

    def top_lessons(self, count: int = 8, among: list[str] | None = None) -> list[str]:
        """Lessons with the strongest evidence (of all, or `among` these): their own confidence, then
        number of findings and sources."""
        kb = self.kb
        lessons = kb.records.lessons
        candidates = lessons.values() if among is None else (lessons[i] for i in among)
        ranked = sorted(candidates, key=lambda lesson: (
            kb.confidence_rank(kb.lesson_confidence(lesson)), -len(lesson.findings),
            -len(kb.lesson_sources(lesson)), lesson.id))
        return [lesson.id for lesson in ranked[:count]]

    def _alias_pages(self) -> Iterator[tuple[str, str]]:
        r = self.kb.records
        for kind in SECTIONS:
            for record in r.of_kind(kind).values():
                for alias in record.aliases:
                    yield f"{SECTIONS[kind]}/{alias}.md", self.page(
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


def iter_pages(kb: KnowledgeBase, project: Project, git_dates: bool = True,
               fork: bool | None = None) -> Iterator[tuple[str, str]]:
    """Every generated file as (relative path, text), rendered one at a time; with `fork`, every other
    page by a forked second process. By default it forks only when GPCE_RENDER_FORK=1 is set, it is
    safe (see generator.parallel) and the knowledge base is large: measured on a busy shared 2-core
    machine, the fork cost more wall time than it saved and about 40% more CPU in total."""
    renderer = Renderer(kb, project, git_dates=git_dates)
    if fork is None:
        fork = os.environ.get("GPCE_RENDER_FORK") == "1" and can_fork() and \
            len(kb.records.findings) + len(kb.records.lessons) >= MIN_RECORDS
    return forked_pages(renderer) if fork else renderer.iter_pages()
