"""JSON Schema for each record kind and vocabulary file, generated from the pydantic models."""

from __future__ import annotations

import json
from pathlib import Path

from generator.models import ID_MAX, ID_PATTERN, RECORD_MODELS, GlossaryEntry, VocabularyTerm
from generator.validate import GLOSSARY_KEY_PATTERN

BASE_URI = "urn:gp-commissioning-evidence:schema:"
"""Schema ids name the schema, not a web address: the site's address is configuration (a fork has its
own), and editors find the schemas by the relative `$schema` comment at the top of each record."""


def _key_patterns(node: object) -> None:
    """pydantic checks the keys of a dict[Id, ...] but writes their pattern only as
    patternProperties, which lets any other key through; name the pattern for every key."""
    if isinstance(node, dict):
        patterns = list(node.get("patternProperties", {}))
        if len(patterns) == 1 and isinstance(node.get("propertyNames"), dict):
            node["propertyNames"].setdefault("pattern", patterns[0])
        for value in node.values():
            _key_patterns(value)
    elif isinstance(node, list):
        for value in node:
            _key_patterns(value)


def schemas() -> dict[str, dict]:
    out = {}
    for kind, model in RECORD_MODELS.items():
        schema = model.model_json_schema(by_alias=True)
        _key_patterns(schema)
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = f"{BASE_URI}{kind}.schema.json"
        out[kind] = schema
    keys = {"vocabulary": {"pattern": ID_PATTERN, "maxLength": ID_MAX}, "glossary": {"pattern": GLOSSARY_KEY_PATTERN}}
    for name, model in (("vocabulary", VocabularyTerm), ("glossary", GlossaryEntry)):
        entry = model.model_json_schema(by_alias=True)
        out[name] = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"{BASE_URI}{name}.schema.json",
            "title": name.capitalize(),
            "type": "object",
            "propertyNames": keys[name],
            "additionalProperties": entry,
        }
    return out


def write_schemas(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in schemas().items():
        path = folder / f"{name}.schema.json"
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written
