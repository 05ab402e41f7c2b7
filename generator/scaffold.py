"""Scaffold a new record: the right file path, the schema line and a commented template.

Required fields are written empty ("" or []) on purpose: `check` then points at each one, with its
line and column, until the contributor fills it in. Values given up front (flags or prompts) are
written as YAML strings, so any text is safe to pass.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from generator.loader import read_yaml
from generator.models import ID_MAX, ID_PATTERN
from generator.project import Project

KINDS = ("finding", "lesson", "source", "context", "comparison")
FOLDERS = {kind: kind + "s" for kind in KINDS}
_ID_RE = re.compile(ID_PATTERN)
_PLAIN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


class ScaffoldError(Exception):
    """A record cannot be scaffolded; `hint` says how to fix it."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message, self.hint = message, hint

    def __str__(self) -> str:
        return f"{self.message}; {self.hint}" if self.hint else self.message


@dataclass
class Draft:
    """What is known about the new record before its file is written."""

    kind: str
    id: str
    source: str = ""
    locator: str = ""
    quote: str = ""
    statement: str = ""
    title: str = ""
    comparison: str = ""
    themes: list[str] = field(default_factory=list)
    stakeholders: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)


def check_id(record_id: str) -> None:
    """Raise ScaffoldError unless `record_id` is a valid permanent id."""
    if not record_id:
        raise ScaffoldError("no id given", "pass --id, e.g. --id killoran-maternity-changes")
    if len(record_id) > ID_MAX:
        raise ScaffoldError(f"id is {len(record_id)} characters long; the limit is {ID_MAX}", "shorten it")
    if not _ID_RE.fullmatch(record_id):
        raise ScaffoldError(f"'{record_id}' is not a valid id",
                            "use lowercase letters, digits and single hyphens, starting with a letter "
                            "(e.g. killoran-maternity-changes)")


def record_path(project: Project, kind: str, record_id: str) -> Path:
    return project.evidence / FOLDERS[kind] / f"{record_id}.yaml"


def _taken_by(project: Project, kind: str, record_id: str) -> str | None:
    """Display path of the record that already uses `record_id` (as its id or a former id)."""
    folder = project.evidence / FOLDERS[kind]
    if not folder.is_dir():
        return None
    for path in sorted(folder.glob("*.yaml")):
        if path.stem.lower() == record_id:
            return f"evidence/{FOLDERS[kind]}/{path.name}"
        loaded, _problems = read_yaml(path, project.root)  # the strict loader: records are untrusted
        data = loaded.data if loaded is not None else None  # a broken record is `check`'s business
        aliases = data.get("aliases") if isinstance(data, dict) else None
        if isinstance(aliases, list) and record_id in aliases:
            return f"evidence/{FOLDERS[kind]}/{path.name} (as a former id)"
    return None


def create_record(project: Project, draft: Draft) -> Path:
    """Write the scaffolded record and return its path; never overwrite anything."""
    if draft.kind not in KINDS:
        raise ScaffoldError(f"unknown record kind '{draft.kind}'", f"use one of: {', '.join(KINDS)}")
    check_id(draft.id)
    if not project.evidence.is_dir():
        raise ScaffoldError(f"no evidence/ folder in {project.root}",
                            "run this in the project folder, or pass --root")
    owner = _taken_by(project, draft.kind, draft.id)
    if owner:
        raise ScaffoldError(f"{draft.kind} id '{draft.id}' is already used by {owner}",
                            "choose another id; published ids never change or get reused")
    path = record_path(project, draft.kind, draft.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = render_record(draft, _columns(project, draft.comparison))
    with path.open("x", encoding="utf-8", newline="\n") as handle:  # "x": fail rather than overwrite
        handle.write(text)
    return path


def _columns(project: Project, comparison_id: str) -> list[str]:
    """Column ids of an existing comparison, so a new context row can list one value per column."""
    if not comparison_id or not _ID_RE.fullmatch(comparison_id):
        return []
    path = record_path(project, "comparison", comparison_id)
    loaded, _problems = read_yaml(path, project.root)
    try:
        return [str(c["id"]) for c in loaded.data["columns"] if _PLAIN.fullmatch(str(c["id"]))]
    except (AttributeError, KeyError, TypeError):
        return []


def _scalar(value: str) -> str:
    """A YAML scalar for any text: plain for slugs, otherwise a double-quoted (JSON) string."""
    return value if _PLAIN.fullmatch(value) else json.dumps(value, ensure_ascii=False)


def _line(key: str, value: str | None, comment: str = "", indent: int = 0) -> str:
    """`key: value  # comment`, comments aligned; value None means a mapping or list follows."""
    text = " " * indent + (f"{key}:" if value is None else f"{key}: {value}")
    return f"{text:<35}# {comment}\n" if comment else text + "\n"


def _text(key: str, value: str, comment: str = "", indent: int = 0) -> str:
    return _line(key, _scalar(value), comment, indent)


def _list(key: str, values: list[str], comment: str, indent: int = 0) -> str:
    """A list field with its comment on the first line, block style when it has items."""
    items = "".join(" " * indent + f"  - {_scalar(v)}\n" for v in values)
    return _line(key, None if values else "[]", comment, indent) + items


def render_record(draft: Draft, columns: list[str] | None = None) -> str:
    """The record's YAML text, with a comment on every field."""
    head = (f"# yaml-language-server: $schema=../../schema/{draft.kind}.schema.json\n"
            f"# New {draft.kind}: fill in every empty value, then run `python -m generator check`.\n"
            "# Field reference: docs/record-format.md\n"
            f"id: {draft.id}\n")
    return head + _BODIES[draft.kind](draft, columns or [])


def _evidence_block(d: Draft) -> str:
    return (
        _line("evidence", None, "at least one verbatim quote")
        + _text("  - source", d.source, "id of a record in evidence/sources/ (its BibTeX key)")
        + _text("locator", d.locator, "where the quote stands: section, table, box or page", 4)
        + _text("quote", d.quote, "VERBATIM from the source; '...' marks a cut; fix nothing", 4)
    )


def _finding(d: Draft, _columns: list[str]) -> str:
    return (
        "# One claim the source makes, in plain language, in one or two sentences. Never overstate:\n"
        "# keep the source's numbers, denominators and years.\n"
        + _text("statement", d.statement)
        + _evidence_block(d)
        + _list("themes", d.themes, "keys of evidence/themes.yaml")
        + _list("stakeholders", d.stakeholders, "whom it concerns: keys of evidence/stakeholders.yaml")
        + _list("schemes", [], "schemes it is about: keys of evidence/schemes.yaml (may stay [])")
        + _text("type", "", "qualitative | quantitative | mixed")
        + _line("confidence", None, "GRADE-CERQual; see docs/contributing.md")
        + _text("level", "", "high | moderate | low | very-low", 2)
        + _line("reasons", None, "one sentence each: what supports or lowers confidence", 2)
        + _text("methodological-limitations", "", "how the study was done", 4)
        + _text("coherence", "", "fit with the data and other sources", 4)
        + _text("adequacy", "", "how rich and plentiful the data are", 4)
        + _text("relevance", "", "how well the study context matches the claim", 4)
    )


def _lesson(d: Draft, _columns: list[str]) -> str:
    if d.source:
        origin = (_line("origin", None, "stated by a source's authors")
                  + _line("type", "source", "", 2)
                  + _text("source", d.source, "id of the source that states it", 2)
                  + _text("locator", d.locator, "where they state it", 2)
                  + _text("quote", d.quote, "their words, verbatim", 2))
    else:
        origin = (_line("origin", None, "drawn by the editors across findings")
                  + _line("type", "synthesis", "or: source (then give source, locator, quote)", 2)
                  + _text("rationale", "", "which findings from which sources point the same way", 2))
    return (
        _text("title", d.title, "what to do, in the imperative")
        + _list("stakeholders", d.stakeholders, "who should act: keys of evidence/stakeholders.yaml")
        + _list("themes", d.themes, "keys of evidence/themes.yaml")
        + _text("summary", "", "two to four sentences: what to do and why")
        + _list("findings", d.findings, "ids of the findings it rests on (at least one)")
        + origin
        + _list("caveats", [], "optional: limits on the lesson")
        + _line("confidence", None, "GRADE-CERQual for the lesson as a whole; see docs/methods.md")
        + _text("level", "", "high | moderate | low | very-low, within the bounds its concerns set", 2)
        + _text("explanation", "", "'Moderate confidence because of moderate concerns about ...'", 2)
        + _component("methodological-limitations", "how the studies behind its findings were done")
        + _component("coherence", "how well its findings fit it and each other")
        + _component("adequacy", "how rich and plentiful the data are")
        + _component("relevance", "how well the studies' contexts match the lesson")
    )


def _component(name: str, what: str) -> str:
    return (_line(name, None, what, 2)
            + _text("concern", "", "no-or-very-minor | minor | moderate | serious", 4)
            + _text("explanation", "", "why, naming the findings it rests on", 4))


def _source(d: Draft, _columns: list[str]) -> str:
    return (
        "# The id must also be the key of this source's entry in references.bib.\n"
        + _text("kind", "", "evaluation-report | working-paper | journal-article | workshop-report")
        + " " * 35 + "# | policy-analysis | book | official-document\n"
        + _text("design", "", "study design and methods, in a sentence or three")
        + _line("setting", None)
        + _list("countries", [], "e.g. [England, Scotland]", 2)
        + _line("# period", "1995-1998", "optional: as the source states it", 2)
        + _text("sample", "", "who or what was studied, with the source's numbers")
        + _list("schemes", [], "schemes studied: keys of evidence/schemes.yaml")
        + _list("limitations", [], "the authors' own stated limitations, paraphrased")
        + _text("funding", "", "who paid, as the source says; 'Not stated in the source.' if silent")
    )


def _comparison(d: Draft, _columns: list[str]) -> str:
    return (
        _text("title", d.title, "the table's title")
        + _text("description", "", "what is compared and why it matters")
        + _text("source", d.source, "id of the source that draws the comparison")
        + _text("locator", d.locator, "where in the source, e.g. Table 2")
        + _line("columns", None, "in order; at least two")
        + _text("  - id", "", "short key used by the rows, e.g. tpps")
        + _text("label", "", "column heading", 4)
        + _text("  - id", "")
        + _text("label", "", "", 4)
    )


def _context(d: Draft, columns: list[str]) -> str:
    values = "".join(_text(column, "", "", 2) for column in columns)
    return (
        _text("comparison", d.comparison, "id of the comparison this row belongs to")
        + _text("dimension", "", "what differs (the row heading)")
        + _line("values", None if columns else "{}", "one value per column id of the comparison") + values
        + _evidence_block(d)
        + _text("implication", "", "what the difference means for applying the evidence elsewhere")
    )


_BODIES = {"finding": _finding, "lesson": _lesson, "source": _source,
           "comparison": _comparison, "context": _context}
