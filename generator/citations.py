"""How to cite a record: Harvard text and BibTeX for its permanent URL, and the metadata reference
managers read (Highwire `citation_*` tags and schema.org JSON-LD).

Everything here is plain, unescaped text: the code blocks that show citations escape it, and
overrides/main.html escapes the metadata with `|e` and `|tojson`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.bib import Reference
from generator.kb import KnowledgeBase

SECTIONS = {"source": "sources", "finding": "findings", "lesson": "lessons", "comparison": "comparisons"}
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
_SCHEMA_TYPES = {"article": "ScholarlyArticle", "book": "Book", "incollection": "Chapter", "inbook": "Chapter",
                 "techreport": "Report", "report": "Report", "phdthesis": "Thesis", "mastersthesis": "Thesis"}
_BIBTEX_SPECIAL = re.compile(r"([&%$#_])")


class _TolerantLoader(yaml.SafeLoader):
    """Reads mkdocs.yml without running its tags (!ENV, !!python/name...)."""


_TolerantLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def mkdocs_settings(mkdocs_yml: Path) -> dict[str, Any]:
    """mkdocs.yml as plain data, its tags (!ENV...) left unrun; empty when missing or unreadable."""
    try:
        config = yaml.load(mkdocs_yml.read_text(encoding="utf-8"), Loader=_TolerantLoader) or {}
    except (OSError, yaml.YAMLError):
        config = {}
    return config if isinstance(config, dict) else {}


def site_name(mkdocs_yml: Path) -> str:
    """The site's name from mkdocs.yml (its address is configuration: generator.address)."""
    return str(mkdocs_settings(mkdocs_yml).get("site_name") or "Evidence base")


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _bibtex_text(text: str) -> str:
    text = _one_line(text).replace("\\", "/").replace("{", "(").replace("}", ")")
    return _BIBTEX_SPECIAL.sub(r"\\\1", text)


def _clean_title(text: str) -> str:
    return _one_line(text.replace("{", "").replace("}", ""))


@dataclass(frozen=True)
class Cite:
    harvard: str
    bibtex: str
    ris: str
    csl: dict[str, Any]
    """CSL-JSON item (citeproc, Zotero, Pandoc)."""


class Citations:
    def __init__(self, kb: KnowledgeBase, site_url: str | None, site_name: str):
        self.kb = kb
        self.site_url = site_url
        self.site_name = site_name
        self.author = f"{site_name} contributors"

    def permalink(self, kind: str, record_id: str) -> str | None:
        """The record's published address; None in a local build (no address configured)."""
        return f"{self.site_url}kb/{SECTIONS[kind]}/{record_id}/" if self.site_url else None

    # --- citing a record of this knowledge base ----------------------------------------------
    def record(self, kind: str, record_id: str, title: str, changed: str | None, version: str | None = None) -> Cite:
        """How to cite a record: `changed` is its last change (ISO date), `version` the release (or
        build) whose text of it is shown."""
        url = self.permalink(kind, record_id)
        year = changed[:4] if changed else None
        title = _one_line(title)
        harvard = (f"{self.author} ({year or 'no date'}) {kind.capitalize()}: {title.rstrip('.')}. {self.site_name}"
                   + (f", version {version}" if version else "") + f", {kind} {record_id}."
                   + (f" Available at: {url}" if url else ""))
        fields = [("author", "{" + _bibtex_text(self.author) + "}"), ("title", _bibtex_text(title))]
        if year:
            fields.append(("year", year))
        fields += [("howpublished", _bibtex_text(f"{self.site_name}, {kind} {record_id}")),
                   ("version", _bibtex_text(version) if version else None),
                   ("url", url), ("note", "Licence: CC BY 4.0")]
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
        key = f"gpce-{kind}-{record_id}"
        ris = _ris([("TY", "ELEC"), ("ID", key), ("AU", self.author), ("TI", f"{kind.capitalize()}: {title}"),
                    ("PY", year), ("PB", self.site_name), ("ET", version), ("UR", url), ("N1", "Licence: CC BY 4.0")])
        csl: dict[str, Any] = {"id": key, "type": "webpage", "title": f"{kind.capitalize()}: {title}",
                               "author": [{"literal": self.author}], "container-title": self.site_name,
                               "note": "Licence: CC BY 4.0"}
        if version:
            csl["version"] = version
        if url:
            csl["URL"] = url
        if year:
            csl["issued"] = {"date-parts": [[int(year)]]}
        return Cite(harvard=harvard, bibtex=f"@misc{{{key},\n{body}\n}}", ris=ris, csl=csl)

    # --- metadata for reference managers -------------------------------------------------------
    def record_meta(self, kind: str, record_id: str, title: str, description: str,
                    dates: tuple[str, str] | None, keywords: list[str], based_on: list[str],
                    version: str | None = None) -> dict[str, Any]:
        url = self.permalink(kind, record_id)
        jsonld: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "Claim" if kind == "finding" else "CreativeWork",
            "identifier": record_id,
            "name": _one_line(title), "description": _one_line(description),
            "author": {"@type": "Organization", "name": self.author},
            "publisher": {"@type": "Organization", "name": self.site_name},
            "isPartOf": {"@type": "WebSite", "name": self.site_name},
            "license": LICENCE_URL, "inLanguage": "en-GB",
            "keywords": keywords,
            "isBasedOn": [self._work(key) for key in based_on],
        }
        if version:
            jsonld["version"] = version
        if url:
            jsonld.update({"@id": url, "url": url})
            jsonld["isPartOf"]["url"] = self.site_url
        if dates:
            jsonld["dateCreated"], jsonld["dateModified"] = dates
        return {
            "title": _one_line(title), "authors": [self.author], "publisher": self.site_name,
            "date": dates[1].replace("-", "/") if dates else None, "url": url,
            "abstract": _one_line(description), "keywords": keywords, "jsonld": jsonld,
        }

    def source_meta(self, key: str) -> dict[str, Any]:
        """The cited work itself, so a reference manager on a source page captures the report."""
        ref = self.kb.references[key]
        f = ref.fields
        meta: dict[str, Any] = {
            "title": _clean_title(f.get("title", key)), "authors": list(ref.authors),
            "date": ref.year or None,
            "publisher": _clean_title(f.get("publisher") or f.get("institution") or "") or None,
            "journal": _clean_title(f["journal"]) if "journal" in f else None,
            "volume": f.get("volume"), "issue": f.get("number"),
            "doi": f.get("doi"), "isbn": f.get("isbn"), "url": self.permalink("source", key),
            "abstract": ref.plain, "keywords": [],
        }
        if ref.entry_type in ("techreport", "report"):
            meta["institution"] = meta.pop("publisher")
        pages = f.get("pages", "")
        if "-" in pages:
            meta["firstpage"], meta["lastpage"] = [p.strip("- ") for p in pages.split("-", 1)]
        meta["jsonld"] = {"@context": "https://schema.org", **self._work(key)}
        if meta["url"]:
            meta["jsonld"]["url"] = meta["url"]
        return {name: value for name, value in meta.items() if value is not None}

    def _work(self, key: str) -> dict[str, Any]:
        ref: Reference = self.kb.references[key]
        work: dict[str, Any] = {
            "@type": _SCHEMA_TYPES.get(ref.entry_type, "CreativeWork"),
            "name": _clean_title(ref.fields.get("title", key)),
            "author": [{"@type": "Person", "name": name} for name in ref.authors],
            "citation": ref.plain,
        }
        if ref.year:
            work["datePublished"] = ref.year
        publisher = ref.fields.get("publisher") or ref.fields.get("institution")
        if publisher:
            work["publisher"] = {"@type": "Organization", "name": _clean_title(publisher)}
        if ref.fields.get("doi"):
            work["sameAs"] = f"https://doi.org/{ref.fields['doi']}"
        return work


# --- RIS and CSL-JSON for the works the sources cite ----------------------------------------------
_RIS_TYPES = {"article": "JOUR", "book": "BOOK", "incollection": "CHAP", "inbook": "CHAP", "techreport": "RPRT",
              "report": "RPRT", "phdthesis": "THES", "mastersthesis": "THES", "misc": "GEN"}
_CSL_TYPES = {"article": "article-journal", "book": "book", "incollection": "chapter", "inbook": "chapter",
              "techreport": "report", "report": "report", "phdthesis": "thesis", "mastersthesis": "thesis"}
CITATION_FILES = ("data/records.ris", "data/records.csl.json", "data/references.ris", "data/references.csl.json")
"""The citation downloads beside references.bib (listed on the open-data page)."""


def _ris(tags: list[tuple[str, str | None]]) -> str:
    """One RIS record: 'TAG  - value' lines, one value per line, ending with ER."""
    lines = [f"{tag}  - {_one_line(value)}" for tag, value in tags if value]
    return "\n".join(lines + ["ER  - "]) + "\n"


def _person(name: str) -> dict[str, str]:
    family, _, given = _clean_title(name).partition(",")
    return {"family": family.strip(), "given": given.strip()} if given.strip() else {"literal": family.strip()}


def reference_ris(ref: Reference) -> str:
    f = ref.fields
    first, _, last = (f.get("pages") or "").replace("--", "-").partition("-")
    tags = [("TY", _RIS_TYPES.get(ref.entry_type, "GEN")), ("ID", ref.key)]
    tags += [("AU", _clean_title(name)) for name in ref.authors]
    tags += [("TI", _clean_title(f.get("title", ref.key))), ("PY", ref.year if ref.year.isdigit() else None),
             ("JO", _clean_title(f["journal"]) if "journal" in f else None),
             ("PB", _clean_title(f.get("publisher") or f.get("institution") or "") or None),
             ("CY", f.get("address")), ("VL", f.get("volume")), ("IS", f.get("number")),
             ("SP", first.strip() or None), ("EP", last.strip() or None), ("DO", f.get("doi")),
             ("SN", f.get("isbn")), ("UR", f.get("url")), ("N1", _clean_title(f["note"]) if "note" in f else None)]
    return _ris(tags)


def reference_csl(ref: Reference) -> dict[str, Any]:
    f = ref.fields
    item: dict[str, Any] = {"id": ref.key, "type": _CSL_TYPES.get(ref.entry_type, "document"),
                            "title": _clean_title(f.get("title", ref.key))}
    if ref.authors:
        item["author"] = [_person(name) for name in ref.authors]
    for bib_name, csl_name in (("journal", "container-title"), ("booktitle", "container-title"),
                               ("publisher", "publisher"), ("institution", "publisher"), ("address", "publisher-place"),
                               ("volume", "volume"), ("number", "issue"), ("pages", "page"), ("doi", "DOI"),
                               ("isbn", "ISBN"), ("url", "URL"), ("note", "note")):
        if f.get(bib_name) and csl_name not in item:
            item[csl_name] = _clean_title(f[bib_name]).replace("--", "-")
    if ref.year.isdigit():
        item["issued"] = {"date-parts": [[int(ref.year)]]}
    return item


def citation_files(kb: KnowledgeBase, cite_record) -> Iterator[tuple[str, str]]:
    """RIS and CSL-JSON for every finding and lesson (`cite_record(kind, id)` gives each Cite), and for
    every work in the bibliography: what reference managers and Pandoc import."""
    records = [cite_record(kind, record_id) for kind in ("finding", "lesson")
               for record_id in kb.records.of_kind(kind)]
    yield CITATION_FILES[0], "\n".join(cite.ris for cite in records)
    yield CITATION_FILES[1], json.dumps([cite.csl for cite in records], indent=1, ensure_ascii=False) + "\n"
    references = list(kb.references.values())
    yield CITATION_FILES[2], "\n".join(reference_ris(ref) for ref in references)
    yield CITATION_FILES[3], json.dumps([reference_csl(ref) for ref in references], indent=1, ensure_ascii=False) + "\n"
