"""Stage 3, validate: turn loaded YAML into typed records and check every cross-reference.

Collects all problems before failing. Each problem names file:line:column, says what is wrong and,
where it can, how to fix it ("did you mean ...?").
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, get_args

from pydantic import BaseModel, ValidationError

from generator.changelog import GRADED_KINDS, log_problems
from generator.errors import Problem
from generator.grading import lesson_grade_problems
from generator.loader import VOCABULARY_FILES, LoadedFile, RawEvidence
from generator.models import (
    ID_MAX, ID_PATTERN, RECORD_MODELS, Comparison, Context, Finding, GlossaryEntry, Lesson,
    Record, Source, VocabularyTerm,
)

_ID_RE = re.compile(ID_PATTERN)
_UNION_TAGS = {"source", "synthesis"}
GLOSSARY_KEY_PATTERN = r"^[A-Za-z][A-Za-z0-9&/.'-]{0,19}$"
REQUIRED_STAKEHOLDERS = ("pcts", "practices", "health-authorities", "government")


@dataclass
class Validated:
    """Typed records and vocabularies, each with the file it came from."""

    sources: dict[str, Source] = field(default_factory=dict)
    findings: dict[str, Finding] = field(default_factory=dict)
    lessons: dict[str, Lesson] = field(default_factory=dict)
    comparisons: dict[str, Comparison] = field(default_factory=dict)
    contexts: dict[str, Context] = field(default_factory=dict)
    themes: dict[str, VocabularyTerm] = field(default_factory=dict)
    stakeholders: dict[str, VocabularyTerm] = field(default_factory=dict)
    schemes: dict[str, VocabularyTerm] = field(default_factory=dict)
    glossary: dict[str, GlossaryEntry] = field(default_factory=dict)
    files: dict[tuple[str, str], LoadedFile] = field(default_factory=dict)
    """(kind, id) -> the file the record came from."""
    broken: dict[str, set[str]] = field(default_factory=dict)
    """Target name (source, theme...) -> ids whose own file or entry has problems, already reported;
    references to them are not reported again (one mistake, one message)."""
    unchecked: set[str] = field(default_factory=set)
    """Vocabularies that could not be read at all: references to them are not checked."""

    def of_kind(self, kind: str) -> dict[str, Any]:
        return getattr(self, kind + "s")


def suggest(word: str, candidates: Iterable[str]) -> str:
    """A 'did you mean' hint, or '' when nothing is close."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def _field_name(loc: tuple) -> str:
    out = ""
    for step in loc:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out or "record"


def _clean_loc(loc: tuple) -> tuple:
    loc = tuple(step for step in loc if step != "[key]")
    if len(loc) >= 2 and loc[0] == "origin" and loc[1] in _UNION_TAGS:
        loc = loc[:1] + loc[2:]
    return loc


def pydantic_problems(file: LoadedFile, exc: ValidationError, model: type[BaseModel],
                      prefix: tuple = ()) -> list[Problem]:
    """Explain a model's validation errors; `prefix` is where the validated value sits in the file
    (a vocabulary entry is validated on its own, under its key)."""
    errors = [(_clean_loc(tuple(err["loc"])), err) for err in exc.errors(include_url=False)]
    data = _value_at(file.data, prefix)
    misspelt = _misspelt_required(data, errors, model)
    return [_explain(file, loc, err, model, prefix) for loc, err in errors
            if not (err["type"] == "missing" and loc in misspelt)]


def _value_at(data: Any, keypath: tuple) -> Any:
    for step in keypath:
        data = data[step] if isinstance(data, (dict, list)) and _has(data, step) else None
    return data


def _misspelt_required(data: Any, errors: list, model: type[BaseModel]) -> set[tuple]:
    """Locations of missing fields that an unknown field in the same mapping is a near miss of:
    'stakholders' is reported once, as a misspelling, not also as 'stakeholders' missing."""
    missing = {loc for loc, err in errors if err["type"] == "missing"}
    found = set()
    for loc, err in errors:
        if err["type"] == "extra_forbidden":
            close = difflib.get_close_matches(str(loc[-1]), _allowed_fields(model, loc, data), n=1, cutoff=0.6)
            if close and loc[:-1] + (close[0],) in missing:
                found.add(loc[:-1] + (close[0],))
    return found


def _allowed_fields(model: type[BaseModel], loc: tuple, data: Any) -> list[str]:
    """Field names allowed in the mapping where the unknown key at `loc` sits."""
    current: Any = model
    value: Any = data
    for step in loc[:-1]:
        value = value[step] if isinstance(value, (dict, list)) and _has(value, step) else None
        if isinstance(step, int):
            continue
        info = getattr(current, "model_fields", {}).get(str(step).replace("-", "_"))
        if info is None:
            return []
        current = _model_in(info.annotation, value)
    if not hasattr(current, "model_fields"):
        return []
    return [f.alias or name for name, f in current.model_fields.items()]


def _has(container: Any, step: Any) -> bool:
    if isinstance(container, dict):
        return step in container
    return isinstance(step, int) and 0 <= step < len(container)


def _model_in(annotation: Any, value: Any) -> Any:
    """The pydantic model inside a field annotation (list[X], X | None, a tagged union...)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    models = [m for m in (_model_in(arg, value) for arg in get_args(annotation)) if m is not None]
    if len(models) > 1 and isinstance(value, dict):  # tagged union: pick by its 'type'
        for candidate in models:
            tag = candidate.model_fields.get("type")
            if tag is not None and value.get("type") in get_args(tag.annotation):
                return candidate
    return models[0] if models else None


_WRONG_TYPE = {  # pydantic error type -> (what the field must be, how to write it)
    "list_type": ("a list", "write [first, second] or one '- item' per line"),
    "dict_type": ("a mapping (field: value lines)", "see docs/record-format.md for the fields it holds"),
    "model_type": ("a mapping (field: value lines)", "see docs/record-format.md for the fields it holds"),
    "model_attributes_type": ("a mapping (field: value lines)", "see docs/record-format.md for the fields it holds"),
    "string_type": ("text", "write the text after the colon, or as a '>' block for long text"),
    "int_type": ("a whole number", "write the number alone, e.g. 3"),
    "int_parsing": ("a whole number", "write the number alone, e.g. 3"),
    "float_type": ("a number", "write the number alone, e.g. 12 or 12.5; units go in 'unit'"),
    "float_parsing": ("a number", "write the number alone, e.g. 12 or 12.5; units go in 'unit'"),
}


def _explain(file: LoadedFile, loc: tuple, err: dict, model: type[BaseModel], prefix: tuple = ()) -> Problem:
    """One pydantic error in a contributor's words, at the offending key or value."""
    relative, loc = loc, prefix + loc
    kind, name, value = err["type"], _field_name(loc), err.get("input")
    if kind == "missing":
        return file.problem(loc[:-1], f"missing required field '{name}'",
                            "add it; see docs/record-format.md for each field")
    if kind == "extra_forbidden":
        allowed = _allowed_fields(model, relative, _value_at(file.data, prefix))
        hint = suggest(str(loc[-1]), allowed) or (f"allowed fields: {', '.join(allowed)}" if allowed else "")
        return file.problem(loc, f"unknown field '{name}'", hint, at_key=True)
    if kind == "string_pattern_mismatch" and err.get("ctx", {}).get("pattern") != ID_PATTERN:
        return file.problem(loc, f"'{value}' in '{name}' is not a valid BibTeX key",
                            "use the key exactly as in references.bib: letters, digits and _ : . - only, no spaces")
    if kind == "string_pattern_mismatch":
        return file.problem(loc, f"'{value}' in '{name}' is not a valid id",
                            "use lowercase letters, digits and single hyphens, starting with a letter")
    if kind == "finite_number":
        return file.problem(loc, f"'{name}' must be a finite number, not {_describe(value)}",
                            "write the number as the source gives it")
    if kind in ("greater_than_equal", "greater_than"):
        limit = err.get("ctx", {}).get("ge", err.get("ctx", {}).get("gt"))
        least = "at least" if kind == "greater_than_equal" else "more than"
        return file.problem(loc, f"'{name}' must be {least} {limit}, not {_describe(value)}", "")
    if kind == "string_too_short":
        return file.problem(loc, f"'{name}' is empty", "write the text, or remove the field if it is optional")
    if kind == "string_too_long":
        limit = err.get("ctx", {}).get("max_length")
        return file.problem(loc, f"'{name}' is too long ({len(str(value))} characters; the limit is {limit})",
                            "shorten it")
    if kind == "too_short" and model is Lesson and loc == ("findings",):
        return file.problem(loc, "a lesson must rest on at least one finding, but 'findings' is empty",
                            "list the ids of the findings it rests on, e.g. findings: [finding-id]")
    if kind == "too_short":
        need = err.get("ctx", {}).get("min_length", 1)
        return file.problem(loc, f"'{name}' needs at least {need} item{'s' if need != 1 else ''}",
                            "add one, as a YAML list")
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        options = re.findall(r"'([^']*)'", expected)
        hint = suggest(str(value), options) or f"use one of: {', '.join(options)}"
        shown = f"'{value}'" if isinstance(value, str) else _describe(value)
        return file.problem(loc, f"{shown} is not allowed in '{name}'", hint)
    if kind in _WRONG_TYPE:
        wanted, hint = _WRONG_TYPE[kind]
        if kind == "string_type" and not isinstance(value, (dict, list)):
            hint = "put it in quotes to make it text"
        return file.problem(loc, f"'{name}' must be {wanted}, not {_describe(value)}", hint)
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return file.problem(loc, f"'{name}.type' must be 'source' or 'synthesis'",
                            "source: stated by a source's authors; synthesis: drawn by the editors")
    return file.problem(loc, f"'{name}': {err['msg']}")


def _describe(value: Any) -> str:
    """How a contributor would name the YAML value they wrote."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    text = str(value)
    return f"the text '{text[:40]}{'...' if len(text) > 40 else ''}'"


def validate_records(raw: RawEvidence, grade_drift: bool = True) -> tuple[Validated, list[Problem]]:
    """Type-check every record and vocabulary, then check all cross-references."""
    result = Validated()
    problems: list[Problem] = list(raw.problems)
    _validate_vocabularies(raw, result, problems)
    result.unchecked.update(_TARGETS[kind][0] for kind in raw.unread_kinds)
    for kind, files in raw.records.items():
        model = RECORD_MODELS[kind]
        by_stem = {file.path.stem: file for file in files}
        broken = result.broken.setdefault(kind, set(raw.unreadable.get(kind, ())))
        for file in files:
            record = _validate_record(file, model, problems, by_stem)
            if record is None:
                broken.add(file.path.stem)
                if isinstance(file.data, dict) and isinstance(file.data.get("id"), str):
                    broken.add(file.data["id"])
                continue
            # id == file stem here, so ids are unique within a kind (a copy with another file's id
            # was reported as a duplicate by _validate_record).
            result.of_kind(kind)[record.id] = record
            result.files[(kind, record.id)] = file
    _check_aliases(result, problems)
    _check_repeats(result, problems)
    _check_references(result, problems)
    _check_lesson_grades(result, problems, grade_drift)
    _check_change_logs(result, problems)
    return result, problems


def _check_change_logs(result: Validated, problems: list[Problem]) -> None:
    for kind in GRADED_KINDS:
        for record_id, record in result.of_kind(kind).items():
            if record.change_log:
                file = result.files[(kind, record_id)]
                problems += log_problems(record, lambda keypath, message, hint, file=file: file.problem(keypath, message, hint))


def _check_lesson_grades(result: Validated, problems: list[Problem], drift: bool) -> None:
    """A lesson's grade against its findings, once the lesson itself has no problem (one mistake, one message)."""
    troubled = {problem.path for problem in problems}
    for lesson_id, lesson in result.lessons.items():
        file = result.files[("lesson", lesson_id)]
        if file.display in troubled:
            continue
        problems += lesson_grade_problems(lesson, result.findings, result.sources,
                                          lambda keypath, message, hint, file=file: file.problem(keypath, message, hint),
                                          drift=drift)


def _validate_vocabularies(raw: RawEvidence, result: Validated, problems: list[Problem]) -> None:
    result.unchecked.update(name for name in VOCABULARY_FILES if name not in raw.vocabularies)
    for name, file in raw.vocabularies.items():
        if not isinstance(file.data, dict):
            problems.append(file.problem((), f"{name}.yaml must be a mapping of term: {{label, description}}"))
            result.unchecked.add(name)
            continue
        entry_model = GlossaryEntry if name == "glossary" else VocabularyTerm
        store = getattr(result, name)
        broken = result.broken.setdefault(name[:-1], set())
        for key, value in file.data.items():
            if name == "glossary":
                if not re.fullmatch(GLOSSARY_KEY_PATTERN, key):
                    problems.append(file.problem((key,), f"'{key}' is not a valid abbreviation", at_key=True,
                                                 hint="letters, digits and & / . - only, up to 20 characters"))
                    continue
            elif not (_ID_RE.fullmatch(key) and len(key) <= ID_MAX):
                problems.append(file.problem((key,), f"'{key}' is not a valid {name[:-1]} id", at_key=True,
                                             hint="use lowercase letters, digits and single hyphens"))
                continue
            try:
                store[key] = entry_model.model_validate(value)
            except ValidationError as exc:
                broken.add(key)
                problems.extend(pydantic_problems(file, exc, entry_model, prefix=(key,)))


def _validate_record(file: LoadedFile, model: type[Record], problems: list[Problem],
                     by_stem: dict[str, LoadedFile]) -> Record | None:
    stem = file.path.stem
    if not isinstance(file.data, dict):
        problems.append(file.problem((), f"a record must be a mapping of fields, not {_describe(file.data)}",
                                     "start each line with 'field: value'; see docs/record-format.md"))
        return None
    if not (_ID_RE.fullmatch(stem) and len(stem) <= ID_MAX):
        problems.append(file.problem((), f"file name '{file.path.name}' is not a valid record id",
                                     "name the file <id>.yaml with a lowercase slug id of at most 80 characters"))
        return None
    try:
        record = model.model_validate(file.data)
    except ValidationError as exc:
        problems.extend(pydantic_problems(file, exc, model))
        return None
    if record.id != stem and record.id in by_stem:
        problems.append(file.problem(("id",), f"duplicate id '{record.id}': {by_stem[record.id].display} has it too",
                                     f"give this record its own id and name the file after it, or set id: {stem}"))
        return None
    if record.id != stem:
        problems.append(file.problem(("id",), f"id '{record.id}' does not match the file name '{file.path.name}'",
                                     f"rename the file to {record.id}.yaml or set id: {stem}"))
        return None
    return record


def _check_aliases(result: Validated, problems: list[Problem]) -> None:
    for kind in RECORD_MODELS:
        store = result.of_kind(kind)
        claimed: dict[str, str] = {}
        for record_id, record in store.items():
            for index, alias in enumerate(record.aliases):
                file = result.files[(kind, record_id)]
                if alias == record_id or alias in store:
                    problems.append(file.problem(("aliases", index), f"alias '{alias}' is the id of a {kind}",
                                                 "an alias is a former id that no record uses any more"))
                elif alias in claimed:
                    problems.append(file.problem(("aliases", index), f"alias '{alias}' is also claimed by '{claimed[alias]}'",
                                                 "each former id can redirect to only one record"))
                else:
                    claimed[alias] = record_id


_TARGETS = {  # target name -> (store in Validated, how to name it, hint when nothing is close)
    "source": ("sources", "source", "no source has this id; check the spelling"),
    "finding": ("findings", "finding", "no finding has this id; check the spelling"),
    "context": ("contexts", "context difference", "no context difference has this id; check the spelling"),
    "comparison": ("comparisons", "comparison", "no comparison has this id; check the spelling"),
    "theme": ("themes", "theme", "it is not a key of evidence/themes.yaml; add it there or check the spelling"),
    "stakeholder": ("stakeholders", "stakeholder",
                    "it is not a key of evidence/stakeholders.yaml; add it there or check the spelling"),
    "scheme": ("schemes", "scheme", "it is not a key of evidence/schemes.yaml; add it there or check the spelling"),
}


def _ref(result: Validated, problems: list[Problem], kind: str, record_id: str, keypath: tuple,
         value: str, target: str) -> None:
    store_name, what, no_match = _TARGETS[target]
    targets = getattr(result, store_name)
    if value in targets or value in result.broken.get(target, ()) or store_name in result.unchecked:
        return
    file = result.files[(kind, record_id)]
    hint = _other_kind(result, value, target) or suggest(value, targets) or no_match
    problems.append(file.problem(keypath, f"unknown {what} '{value}'", hint))


def _other_kind(result: Validated, value: str, target: str) -> str:
    """'it is a source, not a finding' when the id belongs to a record of another kind."""
    for other in ("source", "finding", "lesson", "comparison", "context"):
        if other != target and value in result.of_kind(other):
            name = _TARGETS[other][1] if other in _TARGETS else other
            return f"'{value}' is a {name}, not a {_TARGETS[target][1]}"
    return ""


def _fields_of(kind: str, names: tuple[str, ...]) -> tuple[str, ...]:
    """Those of `names` that records of `kind` have (a missing attribute is slow on a pydantic model)."""
    return tuple(name for name in names if name in RECORD_MODELS[kind].model_fields)


def _check_vocab(result: Validated, problems: list[Problem], kind: str, record: Any) -> None:
    for vocab in _VOCAB_FIELDS[kind]:
        for index, term in enumerate(getattr(record, vocab) or ()):
            _ref(result, problems, kind, record.id, (vocab, index), term, vocab[:-1])


def _check_evidence(result: Validated, problems: list[Problem], kind: str, record: Any) -> None:
    for index, item in enumerate(record.evidence):
        _ref(result, problems, kind, record.id, ("evidence", index, "source"), item.source, "source")


_ID_LISTS = {kind: _fields_of(kind, ("aliases", "themes", "stakeholders", "schemes", "findings", "contexts"))
             for kind in RECORD_MODELS}
_VOCAB_FIELDS = {kind: _fields_of(kind, ("themes", "stakeholders", "schemes")) for kind in RECORD_MODELS}


def _check_repeats(result: Validated, problems: list[Problem]) -> None:
    """An id listed twice in one field is a slip (usually a copy-paste meant for another id)."""
    for kind in RECORD_MODELS:
        for record_id, record in result.of_kind(kind).items():
            for name in _ID_LISTS[kind]:
                values = getattr(record, name) or ()
                if len(set(values)) == len(values):
                    continue  # the usual case: no repeats to locate
                seen: set[str] = set()
                for index, value in enumerate(values):
                    if value in seen:
                        file = result.files[(kind, record_id)]
                        problems.append(file.problem((name, index), f"'{value}' is listed twice in '{name}'",
                                                     "remove the repeat, or put the id you meant"))
                    seen.add(value)


def _check_references(result: Validated, problems: list[Problem]) -> None:
    for source in result.sources.values():
        _check_vocab(result, problems, "source", source)
    for finding in result.findings.values():
        _check_vocab(result, problems, "finding", finding)
        _check_evidence(result, problems, "finding", finding)
    for lesson in result.lessons.values():
        _check_vocab(result, problems, "lesson", lesson)
        for index, finding_id in enumerate(lesson.findings):
            _ref(result, problems, "lesson", lesson.id, ("findings", index), finding_id, "finding")
        for index, context_id in enumerate(lesson.contexts):
            _ref(result, problems, "lesson", lesson.id, ("contexts", index), context_id, "context")
        if lesson.origin.type == "source":
            _ref(result, problems, "lesson", lesson.id, ("origin", "source"), lesson.origin.source, "source")
    unclear_columns = set()  # comparisons whose columns are in doubt: their rows are not checked against them
    for comparison in result.comparisons.values():
        _ref(result, problems, "comparison", comparison.id, ("source",), comparison.source, "source")
        seen: set[str] = set()
        for index, column in enumerate(comparison.columns):
            if column.id in seen:
                file = result.files[("comparison", comparison.id)]
                problems.append(file.problem(("columns", index, "id"), f"duplicate column id '{column.id}'",
                                             "each column needs its own id"))
                unclear_columns.add(comparison.id)
            seen.add(column.id)
    for context in result.contexts.values():
        _check_evidence(result, problems, "context", context)
        comparison = result.comparisons.get(context.comparison)
        if comparison is None:
            _ref(result, problems, "context", context.id, ("comparison",), context.comparison, "comparison")
            continue
        if comparison.id in unclear_columns:
            continue
        columns = [c.id for c in comparison.columns]
        file = result.files[("context", context.id)]
        for key in context.values:
            if key not in columns:
                problems.append(file.problem(("values", key), f"'{key}' is not a column of comparison '{comparison.id}'",
                                             suggest(key, columns) or f"columns: {', '.join(columns)}", at_key=True))
        missing = [c for c in columns if c not in context.values]
        if missing:
            problems.append(file.problem(("values",), f"no value for column(s) {', '.join(missing)}",
                                         "give every column a value; write 'Not stated in the source.' if the source is silent"))


def check_bibliography_keys(result: Validated, bib_keys: set[str], bib_display: str) -> list[Problem]:
    """Every source id and every cited key must be a BibTeX entry."""
    problems = []
    for source in result.sources.values():
        if source.id not in bib_keys:
            file = result.files[("source", source.id)]
            problems.append(file.problem(("id",), f"source '{source.id}' has no entry in {bib_display}",
                                         suggest(source.id, bib_keys) or f"add @...{{{source.id}, ...}} to {bib_display}"))
    for kind in ("finding", "context"):
        for record in result.of_kind(kind).values():
            for index, item in enumerate(record.evidence):
                for cite_index, key in enumerate(item.cites):
                    if key not in bib_keys:
                        file = result.files[(kind, record.id)]
                        problems.append(file.problem(("evidence", index, "cites", cite_index),
                                                     f"cited work '{key}' has no entry in {bib_display}",
                                                     suggest(key, bib_keys) or f"add it to {bib_display}"))
    return problems
