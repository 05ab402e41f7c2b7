"""Open data: the whole evidence base as JSON and CSV, with its JSON Schema and bibliography.

`evidence.json` holds every record exactly as validated (by alias, so it reads like the YAML), each
tagged with its kind and the schema version; `records_from_export` rebuilds the models from it, which
the tests use to prove nothing is lost. The CSV files are flat views for spreadsheets.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from generator import SCHEMA_VERSION
from generator.kb import KnowledgeBase
from generator.models import RECORD_MODELS, GlossaryEntry, VocabularyTerm
from generator.schema import schemas

LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
KINDS = {"source": "sources", "finding": "findings", "lesson": "lessons", "comparison": "comparisons",
         "context": "contexts"}
VOCABULARIES = ("themes", "stakeholders", "schemes")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _record(kind: str, record) -> dict[str, Any]:
    dumped = record.model_dump(mode="json", by_alias=True, exclude_none=True)
    for bookkeeping in ("accepted-warnings", "change-log"):  # only where there is some
        if dumped.get(bookkeeping) == []:
            del dumped[bookkeeping]
    return {"schema_version": SCHEMA_VERSION, "record_kind": kind, **dumped}


def evidence_document(kb: KnowledgeBase, site_url: str | None, with_records: bool = True,
                      version: str | None = None) -> dict[str, Any]:
    """The whole export as one document (`records` left empty unless with_records); `version` is
    the build's (generator/build_version.py), None without git."""
    r = kb.records
    records = {plural: [_record(kind, record) for record in r.of_kind(kind).values()] if with_records else []
               for kind, plural in KINDS.items()}
    return {
        "schema_version": SCHEMA_VERSION,
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "site": site_url,
        "version": version,
        "records": records,
        "vocabularies": {name: {key: term.model_dump(mode="json", exclude_none=True)
                                for key, term in getattr(r, name).items()} for name in VOCABULARIES},
        "glossary": {key: entry.model_dump(mode="json", exclude_none=True) for key, entry in r.glossary.items()},
    }


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def evidence_json(kb: KnowledgeBase, site_url: str | None, version: str | None = None) -> str:
    """evidence.json: the same text as dumping `evidence_document` whole."""
    return "".join(iter_evidence_json(kb, site_url, version=version))


def iter_evidence_json(kb: KnowledgeBase, site_url: str | None, chunk: int = 1 << 20,
                       version: str | None = None) -> Iterator[str]:
    """evidence.json in pieces of about `chunk` characters, encoded a record at a time, so neither
    the records as dicts nor the whole text are ever held at once."""
    parts: list[str] = []
    size = 0
    for piece in _evidence_json_pieces(kb, site_url, version):
        parts.append(piece)
        size += len(piece)
        if size >= chunk:
            yield "".join(parts)
            parts, size = [], 0
    yield "".join(parts)


def _evidence_json_pieces(kb: KnowledgeBase, site_url: str | None, version: str | None) -> Iterator[str]:
    for number, (key, value) in enumerate(evidence_document(kb, site_url, with_records=False, version=version).items()):
        yield ("{" if number == 0 else ",") + _dumps(key) + ":"
        if key == "records":
            yield from _record_pieces(kb)
        else:
            yield _dumps(value)
    yield "}\n"


def _record_pieces(kb: KnowledgeBase) -> Iterator[str]:
    for number, (kind, plural) in enumerate(KINDS.items()):
        yield ("{" if number == 0 else ",") + _dumps(plural) + ":["
        for position, record in enumerate(kb.records.of_kind(kind).values()):
            yield ("," if position else "") + _dumps(_record(kind, record))
        yield "]"
    yield "}"


def records_from_export(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Rebuild every model from an evidence.json document: kind -> id -> model."""
    out: dict[str, dict[str, Any]] = {}
    for kind, plural in KINDS.items():
        model = RECORD_MODELS[kind]
        out[kind] = {}
        for item in document["records"][plural]:
            fields = {k: v for k, v in item.items() if k not in ("schema_version", "record_kind")}
            out[kind][item["id"]] = model.model_validate(fields)
    for name in VOCABULARIES:
        out[name] = {key: VocabularyTerm.model_validate(v) for key, v in document["vocabularies"][name].items()}
    out["glossary"] = {key: GlossaryEntry.model_validate(v) for key, v in document["glossary"].items()}
    return out


def _cell(value: Any) -> str:
    """A spreadsheet cell that can never run as a formula (OWASP CSV injection guidance)."""
    text = "; ".join(value) if isinstance(value, list) else ("" if value is None else str(value))
    text = " ".join(text.split())
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv(header: list[str], rows: Iterable[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return buffer.getvalue()


def _no_version(kind: str, record_id: str) -> None:
    return None


def findings_csv(kb: KnowledgeBase, url_of, version_of=_no_version) -> str:
    header = ["id", "url", "statement", "confidence", "type", "themes", "stakeholders", "schemes",
              "sources", "locators", "lessons", "version"]
    rows = ([f.id, url_of("finding", f.id), f.statement, f.confidence.level, f.type, f.themes,
             f.stakeholders, f.schemes, kb.finding_sources(f),
             [f"{item.source}: {item.locator}" for item in f.evidence],
             kb.lessons_by_finding.get(f.id, []), version_of("finding", f.id)] for f in kb.records.findings.values())
    return _csv(header, rows)


def lessons_csv(kb: KnowledgeBase, url_of, version_of=_no_version) -> str:
    header = ["id", "url", "title", "summary", "confidence", "confidence_explanation", "origin", "stakeholders",
              "themes", "findings", "sources", "caveats", "version"]
    rows = ([lesson.id, url_of("lesson", lesson.id), lesson.title, lesson.summary,
             kb.lesson_confidence(lesson), lesson.confidence.explanation, lesson.origin.type, lesson.stakeholders, lesson.themes,
             lesson.findings, kb.lesson_sources(lesson), lesson.caveats, version_of("lesson", lesson.id)]
            for lesson in kb.records.lessons.values())
    return _csv(header, rows)


def data_files(kb: KnowledgeBase, bibliography_text: str, site_url: str | None, url_of,
               version: str | None = None, version_of=_no_version) -> dict[str, str]:
    """Relative path (under the generated folder) -> file text, for every open-data file."""
    return {path: text if isinstance(text, str) else "".join(text)
            for path, text in iter_data_files(kb, bibliography_text, site_url, url_of, version, version_of)}


def data_file_paths() -> list[str]:
    """The paths `iter_data_files` yields, in the same order."""
    return ["data/evidence.json", "data/findings.csv", "data/lessons.csv", "data/references.bib",
            *(f"data/schema/{name}.schema.json" for name in schemas())]


def iter_data_files(kb: KnowledgeBase, bibliography_text: str, site_url: str | None,
                    url_of, version: str | None = None,
                    version_of=_no_version) -> Iterator[tuple[str, str | Iterator[str]]]:
    """(path, text) for every open-data file, each built only when the previous one was taken;
    evidence.json's text comes as an iterator of pieces."""
    yield "data/evidence.json", iter_evidence_json(kb, site_url, version=version)  # in pieces: the largest file
    yield "data/findings.csv", findings_csv(kb, url_of, version_of)
    yield "data/lessons.csv", lessons_csv(kb, url_of, version_of)
    yield "data/references.bib", bibliography_text
    for name, schema in schemas().items():
        yield f"data/schema/{name}.schema.json", json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
