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


def test_evidence_map_shows_at_most_ten_sources_a_table(tmp_path: Path) -> None:
    """The 'themes by source' table has a column per source; beyond SOURCE_COLUMNS sources it
    continues on map/sources-2.md, ... so the map page does not grow with the evidence base."""
    root = tmp_path / "c1100"
    counts = corpus.generate(1100, root, git=False)

    result = CliRunner().invoke(main, ["build", "--root", str(root), "--no-site"])

    assert result.exit_code == 0, result.output
    assert counts["source"] == 11
    first = (root / "docs" / "kb" / "map" / "index.md").read_text(encoding="utf-8")
    second = (root / "docs" / "kb" / "map" / "sources-2.md").read_text(encoding="utf-8")
    assert first.count('<th scope="col"><a href="../sources/') == 10
    assert second.count('<th scope="col"><a href="../sources/') == 1
    assert "Sources 1 to 10 of 11, 10 to a table. Tables: **1** [2](sources-2.md)\n{: .gpce-pager }" in first
    assert "Sources 11 to 11 of 11, 10 to a table. Tables: [1](index.md#themes-by-source) **2**\n" in second
    assert not (root / "docs" / "kb" / "map" / "sources-3.md").exists()


def test_benchmark_references_parse_and_write_what_the_stages_made_and_clean_up(tmp_path: Path) -> None:
    import run as bench  # benchmarks/run.py

    root = tmp_path / "c50"
    corpus.generate(50, root, git=False)
    stages = bench.stages(root)
    floors = bench.floors(root)

    assert set(floors) == {"parse_floor_cpu_s", "write_floor_cpu_s"}
    assert all(value > 0 for value in floors.values())
    assert not (root / ".floor-write").exists()
    result = bench.Result(records=50, **{k: tuple(v) if isinstance(v, list) else v for k, v in {**stages, **floors}.items()})
    rows = {line.split(" | ")[0]: line for line in bench.table([result]).splitlines()}
    expected_rate = f"{50 / (floors['parse_floor_cpu_s'] + floors['write_floor_cpu_s']):,.0f}"
    name = "the two references together, records/s (CPU)"
    assert rows[f"| {name}"] == f"| {name} | {expected_rate} |"
    assert f"plain writes of the same output alone together run at {expected_rate} records/s" in bench.targets([result])[0]
