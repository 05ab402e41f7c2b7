"""The benchmark's synthetic corpus must stay valid evidence, or `make bench` measures nothing."""

from __future__ import annotations

import sys
from pathlib import Path

from click.testing import CliRunner

from generator import PROJECT_ROOT
from generator.cli import main

sys.path.insert(0, str(PROJECT_ROOT / "benchmarks"))
import corpus  # noqa: E402


def test_synthetic_corpus_of_50_records_passes_check(tmp_path: Path) -> None:
    counts = corpus.generate(50, tmp_path / "c50", git=False)

    result = CliRunner().invoke(main, ["check", "--root", str(tmp_path / "c50")])

    assert result.exit_code == 0, result.output
    assert sum(counts.values()) == 50
    assert result.output.startswith(
        f"check: OK ({counts['source']} source, {counts['finding']} findings, {counts['lesson']} lessons")


def test_corpus_is_deterministic_and_follows_the_plan(tmp_path: Path) -> None:
    first = corpus.generate(120, tmp_path / "a", git=False)
    corpus.generate(120, tmp_path / "b", git=False)

    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a" / "evidence").rglob("*.yaml"))
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b" / "evidence").rglob("*.yaml"))
    assert files_a == files_b
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files_a)
    findings = list((tmp_path / "a" / "evidence" / "findings").glob("*.yaml"))
    assert len(findings) == first["finding"] == corpus.plan(120)["finding"]
