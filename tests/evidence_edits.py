"""Helpers for tests that break one thing in a fixture project and look at what `check` says."""

from __future__ import annotations

import pytest

from generator.errors import EvidenceError
from generator.pipeline import check
from generator.project import Project

FINDING = "evidence/findings/alpha-budget-risk.yaml"
MATERNITY_FINDING = "evidence/findings/alpha-maternity-change.yaml"
OTHER_FINDING = "evidence/findings/beta-budget-incentives.yaml"
LESSON = "evidence/lessons/pcts-pool-budget-risk.yaml"
SOURCE_LESSON = "evidence/lessons/practices-plan-maternity.yaml"
SOURCE = "evidence/sources/alpha-1999-total.yaml"
OTHER_SOURCE = "evidence/sources/beta-2004-practice.yaml"
COMPARISON = "evidence/comparisons/alpha-tpp-pcg.yaml"
CONTEXT = "evidence/contexts/alpha-tpp-pcg-budget.yaml"
BIB = "references.bib"


def replace(project: Project, rel: str, old: str, new: str) -> None:
    """Replace the one occurrence of `old` in a project file (fails loudly if the fixture drifted)."""
    path = project.root / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{rel}: expected exactly one {old!r}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def append(project: Project, rel: str, text: str) -> None:
    path = project.root / rel
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def problems(project: Project) -> list[str]:
    """Every problem `check` reports, as the user sees it (path:line:column: message; hint)."""
    with pytest.raises(EvidenceError) as caught:
        check(project)
    return [str(problem) for problem in caught.value.problems]
