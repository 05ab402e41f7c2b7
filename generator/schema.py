"""JSON Schema for each record kind and vocabulary file, generated from the pydantic models."""

from __future__ import annotations

import json
from pathlib import Path

from generator.models import RECORD_MODELS, GlossaryEntry, VocabularyTerm

BASE_URI = "https://example.org/gp-commissioning-evidence/schema/"


def schemas() -> dict[str, dict]:
    out = {}
    for kind, model in RECORD_MODELS.items():
        schema = model.model_json_schema(by_alias=True)
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = f"{BASE_URI}{kind}.schema.json"
        out[kind] = schema
    for name, model in (("vocabulary", VocabularyTerm), ("glossary", GlossaryEntry)):
        entry = model.model_json_schema(by_alias=True)
        out[name] = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"{BASE_URI}{name}.schema.json",
            "title": name.capitalize(),
            "type": "object",
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
