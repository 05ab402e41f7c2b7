"""Render helpers: escaping, the Python fragments that replaced hot template macros (contributor text
stays inert, exactly as the template environment's finalize escapes it), code blocks and the JSON export."""

from __future__ import annotations

import sys
from types import SimpleNamespace

from markupsafe import Markup

from generator.fragments import Fragments, confidence_badge
from generator.textsafe import _SPECIAL, _TABLE, finalize, md_escape

HOSTILE = "<script>alert(1)</script> [x](javascript:alert(1)) {{ 7*7 }} {% raw %} `code` *em* _u_ #h |t| ~s~ ^s^ @m $x$ %p =e: & ' \""


def test_md_escape_encodes_every_special_of_every_code_point_like_the_table():
    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    assert md_escape(every) == " ".join(every.split()).translate(_TABLE)


def test_md_escape_leaves_no_special_character():
    escaped = md_escape(HOSTILE)
    assert not set(escaped) & (set(_SPECIAL) - {"&", "#"})
    assert escaped == finalize(HOSTILE)


def _fragments() -> Fragments:
    finding = SimpleNamespace(id="f1", statement=HOSTILE, confidence=SimpleNamespace(level="low"))
    lesson = SimpleNamespace(id="l1", title=HOSTILE, findings=["f1"], origin=SimpleNamespace(type="synthesis"))
    records = SimpleNamespace(findings={"f1": finding}, lessons={"l1": lesson},
                              themes={"t": SimpleNamespace(label=HOSTILE)})
    kb = SimpleNamespace(records=records, lesson_sources=lambda lesson: ["s1"], lesson_confidence=lambda lesson: "low")
    return Fragments(kb, link=lambda kind, key, base="../": Markup(f"{base}{kind}s/{key}.md"),
                     cite=lambda key: Markup(f"Cite {key}"))


def test_fragments_escape_contributor_text_as_finalize_does():
    fragments = _fragments()
    safe = md_escape(HOSTILE)
    assert fragments.lesson_line("l1") == (
        f"- [{safe}](../lessons/l1.md) — {confidence_badge('low')} · 1 finding from 1 source · Synthesis across sources")
    assert fragments.finding_line("f1", "../../") == f"- [{safe}](../../findings/f1.md) — {confidence_badge('low')}"
    assert fragments.term_links("themes", ["t", "t"]) == f"[{safe}](../themes/t.md), [{safe}](../themes/t.md)"
    item = SimpleNamespace(quote=HOSTILE, locator=HOSTILE, source="s1", cites=["c1", "c2"])
    assert fragments.evidence_item(item) == (
        f"> {safe}\n>\n> — Cite s1, {safe} (citing Cite c1; Cite c2). [Source details](../sources/s1.md)")
    for text in (fragments.lesson_line("l1"), fragments.finding_line("f1"), fragments.evidence_item(item)):
        assert isinstance(text, Markup) and "<script" not in text and "{{" not in text and "](javascript" not in text


def test_code_html_encodes_every_code_point_like_the_table():
    from generator.textsafe import _CODE_ENTITIES, code_html

    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    text = "@article{k,\n  title = {A & B <i>},\r\n}\n" + every
    assert code_html(text) == "\n".join(line.translate(_CODE_ENTITIES) for line in text.splitlines())


def test_evidence_json_is_the_whole_document_dumped_at_once(fixture_project):
    import json

    from generator.export import evidence_document, evidence_json
    from generator.pipeline import check

    kb = check(fixture_project)
    assert evidence_json(kb, "https://example.org/") == json.dumps(
        evidence_document(kb, "https://example.org/"), ensure_ascii=False, separators=(",", ":")) + "\n"


def test_evidence_json_in_small_pieces_is_the_same_text(fixture_project):
    from generator.export import evidence_json, iter_evidence_json
    from generator.pipeline import check

    kb = check(fixture_project)
    pieces = list(iter_evidence_json(kb, "https://example.org/", chunk=100))
    assert len(pieces) > 3
    assert "".join(pieces) == evidence_json(kb, "https://example.org/")
