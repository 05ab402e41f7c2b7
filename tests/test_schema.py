"""The published JSON Schema: never stale, accepts every real record, rejects broken ones."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from generator import PROJECT_ROOT
from generator.cli import main
from generator.loader import RECORD_DIRS, VOCABULARY_FILES

SCHEMA_DIR = PROJECT_ROOT / "schema"
EVIDENCE = PROJECT_ROOT / "evidence"
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)\s*$", re.MULTILINE)


def _validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _errors(validator: Draft202012Validator, data) -> list[str]:
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data))


def _records() -> list[tuple[str, Path]]:
    return [(kind, path) for folder, kind in RECORD_DIRS.items()
            for path in sorted((EVIDENCE / folder).glob("*.yaml"))]


def test_committed_schema_is_what_the_generator_writes(tmp_path):
    result = CliRunner().invoke(main, ["schema", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.output == f"schema: wrote 7 files to {tmp_path}\n"
    generated = {p.name: p.read_text(encoding="utf-8") for p in tmp_path.iterdir()}
    committed = {p.name: p.read_text(encoding="utf-8") for p in SCHEMA_DIR.glob("*.schema.json")}
    assert generated == committed, "schema/ is stale: run `make schema` and commit it"


def test_every_real_record_is_valid_against_its_schema():
    validators = {kind: _validator(kind) for kind in RECORD_DIRS.values()}
    records = _records()
    assert len(records) > 300
    failures = {}
    for kind, path in records:
        errors = _errors(validators[kind], yaml.safe_load(path.read_text(encoding="utf-8")))
        if errors:
            failures[path.relative_to(PROJECT_ROOT).as_posix()] = errors
    assert failures == {}


@pytest.mark.parametrize("name", VOCABULARY_FILES)
def test_every_vocabulary_is_valid_against_its_schema(name):
    validator = _validator("glossary" if name == "glossary" else "vocabulary")
    data = yaml.safe_load((EVIDENCE / f"{name}.yaml").read_text(encoding="utf-8"))
    assert data
    assert _errors(validator, data) == []


def test_schema_rejects_a_broken_finding():
    path = next(p for kind, p in _records() if kind == "finding")
    finding = yaml.safe_load(path.read_text(encoding="utf-8"))
    del finding["statement"]
    finding["stakholders"] = finding.pop("stakeholders")
    finding["confidence"]["level"] = "medium"
    finding["id"] = "Not_An_Id"
    errors = _errors(_validator("finding"), finding)
    assert errors == [
        ": 'stakeholders' is a required property",
        ": 'statement' is a required property",
        ": Additional properties are not allowed ('stakholders' was unexpected)",
        "confidence/level: 'medium' is not one of ['high', 'moderate', 'low', 'very-low']",
        "id: 'Not_An_Id' does not match '^[a-z][a-z0-9]*(-[a-z0-9]+)*$'",
    ]


def test_schema_rejects_a_lesson_with_no_finding_and_a_bad_origin():
    path = next(p for kind, p in _records() if kind == "lesson")
    lesson = yaml.safe_load(path.read_text(encoding="utf-8"))
    lesson["findings"] = []
    lesson["origin"] = {"type": "hearsay"}
    errors = _errors(_validator("lesson"), lesson)
    assert "findings: [] should be non-empty" in errors
    assert any(error.startswith("origin:") for error in errors)


def test_schema_rejects_a_vocabulary_term_without_label():
    errors = _errors(_validator("vocabulary"), {"maternity": {"description": "Maternity care."}})
    assert errors == ["maternity: 'label' is a required property"]


def test_editor_modelines_point_at_the_right_schema():
    """Records that carry a `# yaml-language-server: $schema=...` line must name an existing schema
    of their own kind, so editors validate them against the right one."""
    wrong = []
    for kind, path in _records():
        match = MODELINE.search(path.read_text(encoding="utf-8"))
        if match is None:
            continue
        target = (path.parent / match.group(1)).resolve()
        if target != SCHEMA_DIR / f"{kind}.schema.json":
            wrong.append(f"{path.relative_to(PROJECT_ROOT)} -> {match.group(1)}")
    assert wrong == []


def test_schema_rejects_keys_that_check_rejects():
    assert _errors(_validator("vocabulary"), {"Not An Id": {"label": "x", "description": "y"}}) == [
        ": 'Not An Id' does not match '^[a-z][a-z0-9]*(-[a-z0-9]+)*$'",
    ]
    assert _errors(_validator("glossary"), {"not an abbreviation": {"expansion": "x"}}) == [
        ": 'not an abbreviation' does not match \"^[A-Za-z][A-Za-z0-9&/.'-]{0,19}$\"",
    ]
    path = next(p for kind, p in _records() if kind == "context")
    context = yaml.safe_load(path.read_text(encoding="utf-8"))
    context["values"]["Bad Column"] = "text"
    assert _errors(_validator("context"), context) == [
        "values: 'Bad Column' does not match '^[a-z][a-z0-9]*(-[a-z0-9]+)*$'",
    ]
