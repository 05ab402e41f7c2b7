"""verify-quotes: every quote must stand verbatim in a plain-text copy of its source.

Whitespace is folded, and the asterisks that the plain-text copies use for italics are ignored;
'...' (or '…') in a quote marks a cut, so each piece must appear, in order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from generator.errors import Problem
from generator.kb import KnowledgeBase

_CUT = re.compile(r"\s*(?:\.\.\.|…)\s*")


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("*", "")).strip()


@dataclass(frozen=True)
class QuoteReport:
    checked: int
    problems: list[Problem]
    unmapped: list[str]


def load_mapping(path: Path) -> dict[str, str]:
    """Source id -> text file name. Raises OSError or ValueError with a readable message."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise ValueError(f"{path}{where}: not valid YAML ({getattr(exc, 'problem', None) or exc})") from None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ValueError(f"{path}: expected a mapping of source id: text file name")
    return {str(k): v for k, v in data.items()}


def find_quote(quote: str, text: str) -> int | None:
    """Offset of the quote's first piece in the normalised text, or None if any piece is missing."""
    pieces = [p for p in _CUT.split(normalise(quote)) if p]
    position, first = 0, None
    for piece in pieces:
        found = text.find(piece, position)
        if found < 0:
            return None
        first = found if first is None else first
        position = found + len(piece)
    return first if first is not None else None


def _quotes(kb: KnowledgeBase):
    """(kind, id, keypath, source id, quote) for every quote in the evidence."""
    r = kb.records
    for kind in ("finding", "context"):
        for record in r.of_kind(kind).values():
            for index, item in enumerate(record.evidence):
                yield kind, record.id, ("evidence", index, "quote"), item.source, item.quote
    for lesson in r.lessons.values():
        if lesson.origin.type == "source":
            yield "lesson", lesson.id, ("origin", "quote"), lesson.origin.source, lesson.origin.quote


def verify_quotes(kb: KnowledgeBase, texts_dir: Path, mapping: dict[str, str]) -> QuoteReport:
    texts: dict[str, str] = {}
    for source_id, name in mapping.items():
        path = texts_dir / name
        if path.is_file():
            texts[source_id] = normalise(path.read_text(encoding="utf-8", errors="replace"))
    problems, unmapped, checked = [], set(), 0
    for kind, record_id, keypath, source_id, quote in _quotes(kb):
        text = texts.get(source_id)
        if text is None:
            unmapped.add(source_id)
            continue
        checked += 1
        if find_quote(quote, text) is None:
            file = kb.records.files[(kind, record_id)]
            problems.append(file.problem(keypath, f"quote not found verbatim in {mapping[source_id]} ({source_id})",
                                         "copy the passage exactly; mark cuts with '...'"))
    return QuoteReport(checked, problems, sorted(unmapped))
