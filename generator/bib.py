"""Bibliography: parse references.bib with bibtexparser v2, format Harvard with citeproc-py."""

from __future__ import annotations

import hashlib
import html
import importlib.metadata
import json
import logging
import os
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import bibtexparser
import citeproc.model
from bibtexparser import middlewares
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON

from generator.errors import Problem
from generator.inputsafety import invisible_problems
from generator.textsafe import escape_markdown_in_html

logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)

STYLE = "harvard-cite-them-right"
_CSL_TYPES = {
    "article": "article-journal", "book": "book", "techreport": "report", "report": "report",
    "incollection": "chapter", "inbook": "chapter", "inproceedings": "paper-conference",
    "phdthesis": "thesis", "mastersthesis": "thesis", "misc": "report", "unpublished": "manuscript",
}
_FIELDS = {
    "title": "title", "journal": "container-title", "booktitle": "container-title",
    "publisher": "publisher", "institution": "publisher", "address": "publisher-place",
    "volume": "volume", "number": "number", "pages": "page", "type": "genre", "note": "note",
    "edition": "edition", "series": "collection-title", "isbn": "ISBN", "url": "URL", "doi": "DOI",
}


@dataclass(frozen=True)
class Reference:
    """One bibliography entry. Its Harvard text is formatted on first use, for the whole
    bibliography at once (`check` alone never formats)."""

    key: str
    entry_type: str
    fields: dict[str, str]
    """Raw field values as written in the .bib file (for the BibTeX export)."""
    bibtex: str
    """The entry re-serialised as BibTeX."""
    authors: tuple[str, ...]
    year: str
    formatter: "_Formatter" = field(repr=False, compare=False)

    @property
    def html(self) -> str:
        """Harvard reference as inline HTML, Markdown-safe."""
        return self.formatter.formatted(self.key)[0]

    @property
    def citation(self) -> str:
        """In-text citation, e.g. '(Killoran et al., 1999)', Markdown-safe HTML."""
        return self.formatter.formatted(self.key)[1]

    @property
    def plain(self) -> str:
        """Harvard reference as plain text."""
        return self.formatter.formatted(self.key)[2]


@dataclass
class Bibliography:
    references: dict[str, Reference]
    problems: list[Problem]
    unparsed_keys: set[str] = field(default_factory=set)
    """Keys of entries that failed to parse (already reported; records citing them are not)."""
    readable: bool = True
    """False when the file could not be read: then no key can be checked against it."""


def parse_bibliography(path: Path, display: str, cache_dir: Path | None = None) -> Bibliography:
    """Parse every entry; failed blocks become located problems. Formatting waits until a
    reference's text is first read; with `cache_dir` it is kept on disk across runs."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Bibliography({}, [Problem(display, 0, 0, "bibliography file not found", "create references.bib")],
                            readable=False)
    except (OSError, UnicodeDecodeError) as exc:
        return Bibliography({}, [Problem(display, 0, 0, f"cannot read bibliography: {exc}")], readable=False)
    invisible = invisible_problems(text, display)
    if invisible:
        return Bibliography({}, invisible, readable=False)
    cached = _PARSED.get(display)
    if cached is not None and cached[0] == text:
        done = cached[1]
        return Bibliography(dict(done.references), list(done.problems), set(done.unparsed_keys))
    result = _parse(text, display, cache_dir)
    _PARSED[display] = (text, result)
    return Bibliography(dict(result.references), list(result.problems), set(result.unparsed_keys))


_PARSED: dict[str, tuple[str, Bibliography]] = {}
"""Last parse per file (its references share one formatter), so `serve` reformats only when the .bib changes."""


def _parse(text: str, display: str, cache_dir: Path | None) -> Bibliography:
    library = bibtexparser.parse_string(
        text, append_middleware=[middlewares.SeparateCoAuthors(), middlewares.SplitNameParts()])
    problems = [_failed_block_problem(block, display) for block in library.failed_blocks]
    unparsed = {m.group(1) for block in library.failed_blocks if (m := _KEY.match(block.raw.strip()))}
    entries = [entry for entry in library.entries]
    for entry in entries:
        if not entry.key.strip():
            problems.append(Problem(display, entry.start_line + 1, 1, f"@{entry.entry_type} entry has no key",
                                    "write the key after the brace: @book{surname-year-word, ..."))
        fields = entry.fields_dict
        untitled_ok = entry.entry_type.lower() == "misc" and ("note" in fields or "howpublished" in fields)
        if "title" not in fields and not untitled_ok:
            problems.append(Problem(display, entry.start_line + 1, 1, f"entry '{entry.key}' has no title",
                                    "add title = {...}, or for an untitled @misc item a note = {...}"))
    return Bibliography(_references(entries, cache_dir), problems, unparsed)


_KEY = re.compile(r"@\w+\s*[{(]\s*([^,\s{}()=]+)")


def _failed_block_problem(block, display: str) -> Problem:
    kind = type(block).__name__
    if kind == "DuplicateBlockKeyBlock":
        message = f"duplicate entry key '{block.key}'"
        hint = "keys must be unique; rename or remove one entry"
    elif kind == "DuplicateFieldKeyBlock":
        fields = ", ".join(sorted(block.duplicate_keys))
        message = f"entry '{block.ignore_error_block.key}' has field '{fields}' more than once"
        hint = "keep one of them"
    else:
        first = " ".join(block.raw.strip().splitlines()[0].split())[:60] if block.raw.strip() else ""
        reason = getattr(getattr(block, "error", None), "abort_reason", "")
        message = f"cannot parse BibTeX entry '{first}'" + (f": {reason.strip().rstrip('.')}" if reason else "")
        hint = "check its braces, quotes and commas"
    return Problem(display, block.start_line + 1, 1, message, hint)


def _name(part) -> dict:
    family = " ".join(part.von + part.last).strip("{} ")
    given = " ".join(part.first).strip()
    if not given:
        return {"literal": html.escape(family, quote=False)}
    return {"family": html.escape(family, quote=False), "given": html.escape(given, quote=False)}


def _raw_name(part) -> str:
    family = " ".join(part.von + part.last)
    return f"{family}, {' '.join(part.first)}".strip(", ")


def _csl(entry) -> dict:
    item: dict = {"id": entry.key, "type": _CSL_TYPES.get(entry.entry_type.lower(), "report")}
    fields = entry.fields_dict
    for name in ("author", "editor"):
        if name in fields and isinstance(fields[name].value, list):
            item[name] = [_name(part) for part in fields[name].value]
    for bib_name, csl_name in _FIELDS.items():
        if bib_name in fields and csl_name not in item:
            item[csl_name] = html.escape(str(fields[bib_name].value).replace("{", "").replace("}", ""), quote=False)
    year = str(fields["year"].value).strip() if "year" in fields else ""
    if year.isdigit():
        item["issued"] = {"date-parts": [[int(year)]]}
    return item


def _raw_fields(entry) -> dict[str, str]:
    out = {}
    for key, field in entry.fields_dict.items():
        value = field.value
        out[key] = " and ".join(_raw_name(p) for p in value) if isinstance(value, list) else str(value)
    return out


def _bibtex(entry, fields: dict[str, str]) -> str:
    body = ",\n".join(f"  {key} = {{{value}}}" for key, value in fields.items())
    return f"@{entry.entry_type}{{{entry.key},\n{body}\n}}"


def _references(entries, cache_dir: Path | None) -> dict[str, Reference]:
    formatter = _Formatter([_csl(entry) for entry in entries], [entry.key for entry in entries], cache_dir)
    references = {}
    for entry in entries:
        fields = _raw_fields(entry)
        authors = fields.get("author", "")
        references[entry.key] = Reference(
            key=entry.key,
            entry_type=entry.entry_type.lower(),
            fields=fields,
            bibtex=_bibtex(entry, fields),
            authors=tuple(a.strip() for a in authors.split(" and ") if a.strip()),
            year=fields.get("year", ""),
            formatter=formatter,
        )
    return references


class _Formatter:
    """Harvard text for every entry of one bibliography, made on first request. citeproc-py takes
    about 3 ms an entry, so the result is also kept in `cache_dir`, keyed by a digest of exactly
    what citeproc is given (the CSL items, the style and citeproc's version)."""

    def __init__(self, items: list[dict], keys: list[str], cache_dir: Path | None):
        self.items, self.keys, self.cache_dir = items, keys, cache_dir
        self._done: dict[str, tuple[str, str, str]] | None = None

    def formatted(self, key: str) -> tuple[str, str, str]:
        """(html, citation, plain) for `key`."""
        if self._done is None:
            self._done = self._finish(*self._raw())
        return self._done[key]

    def _finish(self, bibliography: dict[str, str], citations: dict[str, str]) -> dict[str, tuple[str, str, str]]:
        done = {}
        for key in self.keys:
            rendered = bibliography.get(key.lower(), "")
            done[key] = (escape_markdown_in_html(rendered), escape_markdown_in_html(citations[key]),
                         html.unescape(_strip_tags(rendered)))
        return done

    def _raw(self) -> tuple[dict[str, str], dict[str, str]]:
        """citeproc's HTML: (lowercased key -> reference, key -> in-text citation)."""
        if not self.items:
            return {}, {}
        digest = _digest(self.items)
        cached = _read_cache(self.cache_dir, digest)
        if cached is not None:
            return cached
        result = _run_citeproc(self.items, self.keys)
        _write_cache(self.cache_dir, digest, result)
        return result


def _run_citeproc(items: list[dict], keys: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    with _CITEPROC_LOCK, _memoised_xpath():
        return _citeproc(items, keys)


_CITEPROC_LOCK = threading.Lock()
"""_memoised_xpath patches citeproc-py for one run at a time (`serve` formats from a watcher thread)."""


@contextmanager
def _memoised_xpath():
    """citeproc-py runs the same few dozen XPath queries on the style tree (which rendering does not
    change) again and again for every entry: about 60% of its time. For one run, answer a repeated
    (element, query) from a memo; the output is the same (tested on the real bibliography)."""
    element = citeproc.model.CitationStylesElement
    original = element.xpath_search
    memo: dict = {}

    def xpath_search(self, expression):
        key = (self, expression)  # lxml elements hash by identity; the memo keeps them alive
        if key not in memo:
            memo[key] = original(self, expression)
        return list(memo[key])

    element.xpath_search = xpath_search
    try:
        yield
    finally:
        element.xpath_search = original


def _citeproc(items: list[dict], keys: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """citeproc's HTML for every entry: (lowercased key -> reference, key -> in-text citation)."""
    style = CitationStylesStyle(STYLE, validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.html)
    citations = {}
    for key in keys:
        citation = Citation([CitationItem(key.lower())])
        bibliography.register(citation)
        citations[key] = citation
    formatted = {item.key: str(text) for item, text in zip(bibliography.items, bibliography.bibliography())}
    return formatted, {key: str(bibliography.cite(citation, lambda item: None)) for key, citation in citations.items()}


_CACHE_VERSION = 1
"""Bump when _run_citeproc changes what it returns for the same items."""


def _digest(items: list[dict]) -> str:
    payload = json.dumps([_CACHE_VERSION, STYLE, _citeproc_version(), items], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def _citeproc_version() -> str:
    try:
        return importlib.metadata.version("citeproc-py")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - e.g. a vendored copy
        return "unknown"


def _cache_file(cache_dir: Path, digest: str) -> Path:
    return cache_dir / f"bibliography-{digest}.json"


def _read_cache(cache_dir: Path | None, digest: str) -> tuple[dict[str, str], dict[str, str]] | None:
    if cache_dir is None:
        return None
    try:
        data = json.loads(_cache_file(cache_dir, digest).read_text(encoding="utf-8"))
        return data["bibliography"], data["citations"]
    except (OSError, ValueError, KeyError, TypeError):
        return None  # absent, unreadable or from an older layout: format again


def _write_cache(cache_dir: Path | None, digest: str, result: tuple[dict[str, str], dict[str, str]]) -> None:
    """Keep one formatted bibliography per folder; a cache that cannot be written is skipped."""
    if cache_dir is None:
        return
    target = _cache_file(cache_dir, digest)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        for old in cache_dir.glob("bibliography-*.json"):
            old.unlink()
        partial = target.with_suffix(".tmp")
        partial.write_text(json.dumps({"bibliography": result[0], "citations": result[1]}), encoding="utf-8")
        os.replace(partial, target)
    except OSError:
        pass


def _strip_tags(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text)
