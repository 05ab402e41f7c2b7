"""Build-performance benchmark: synthetic corpora of N records through check, render, mkdocs.

For each N it generates a valid corpus (benchmarks/corpus.py) and measures, in one run:

- check (load + validate) and render time, and the generator's peak memory (max RSS);
- the BASELINE: a bare `mkdocs build` of the same generated Markdown;
- the TOTAL: `python -m generator build` from nothing (check, render, write, mkdocs build --strict),
  reported as a ratio to the baseline measured in the same run;
- output size, average and largest page, Material's lunr search index and what a reader downloads
  before the first result; the same for a Pagefind index of the built site;
- Zensical building the same Markdown from the same mkdocs.yml;
- an incremental rebuild after editing one record (at the incremental size).

It prints a table and rewrites docs/performance.md with the results and the machine they came from.

    python benchmarks/run.py                        # N = 500, 2,000, 10,000, 20,000
    python benchmarks/run.py --sizes 500,2000 --no-write
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402

PY = sys.executable
# Child processes import this checkout's generator, whatever the venv's editable install points at.
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
DEFAULT_SIZES = (500, 2_000, 10_000, 20_000)
TIMEOUT = 60 * 60


@dataclass
class Result:
    records: int
    pages_md: int = 0
    check_s: float = 0.0
    render_s: float = 0.0
    write_s: float = 0.0
    check_cpu_s: float = 0.0
    render_cpu_s: float = 0.0
    check_rss_mb: float = 0.0
    peak_rss_mb: float = 0.0
    md_bytes: int = 0
    largest_md: tuple[str, int] = ("", 0)
    baseline_s: float | None = None
    baseline_cpu_s: float | None = None
    total_s: float | None = None
    total_cpu_s: float | None = None
    html_pages: int = 0
    site_bytes: int = 0
    avg_page_bytes: int = 0
    largest_page: tuple[str, int] = ("", 0)
    lunr_index_bytes: int = 0
    lunr_index_gzip: int = 0
    lunr_first_search_gzip: int = 0
    pagefind_s: float | None = None
    pagefind_bytes: int = 0
    pagefind_first_search: int = 0
    pagefind_first_search_worst: int = 0
    zensical_s: float | None = None
    zensical_cpu_s: float | None = None
    zensical_pages: int = 0
    zensical_note: str = ""
    incremental: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def generator_s(self) -> float:
        return self.check_s + self.render_s

    @property
    def generator_cpu_s(self) -> float:
        return self.check_cpu_s + self.render_cpu_s


# --- the generator stages, measured in a child process ----------------------------------------

def stages(root: Path) -> dict:
    """check, render and write once, timed separately, with the process's peak RSS."""
    from generator.pipeline import check
    from generator.project import Project
    from generator.render import render_pages
    from generator.write import sync_tree

    project = Project.at(root)
    started, cpu_started = time.perf_counter(), time.process_time()
    kb = check(project)
    checked, cpu_checked = time.perf_counter(), time.process_time()
    check_rss = _max_rss_mb()
    pages = render_pages(kb, project)
    rendered, cpu_rendered = time.perf_counter(), time.process_time()
    sync_tree(project.generated, pages)
    written = time.perf_counter()
    largest = max(pages.items(), key=lambda item: len(item[1].encode("utf-8")))
    return {"check_s": checked - started, "render_s": rendered - checked, "write_s": written - rendered,
            "check_cpu_s": cpu_checked - cpu_started, "render_cpu_s": cpu_rendered - cpu_checked,
            "check_rss_mb": check_rss, "peak_rss_mb": _max_rss_mb(), "pages_md": len(pages),
            "md_bytes": sum(len(text.encode("utf-8")) for text in pages.values()),
            "largest_md": (largest[0], len(largest[1].encode("utf-8")))}


def warm_regenerate(root: Path, finding: Path) -> dict:
    """What `serve` does on an edit: generate once, edit one finding, generate again in the same
    (warm) process. Returns the second generate's time and how many files it rewrote."""
    from generator.pipeline import generate
    from generator.project import Project

    project = Project.at(root)
    generate(project)
    text = finding.read_text(encoding="utf-8")
    try:
        finding.write_text(text.replace("statement: ", "statement: Edited warm. ", 1), encoding="utf-8")
        started, cpu_started = time.perf_counter(), time.process_time()
        report = generate(project)
        wall, used = time.perf_counter() - started, time.process_time() - cpu_started
    finally:
        finding.write_text(text, encoding="utf-8")
    return {"warm_regenerate_s": wall, "warm_regenerate_cpu_s": used, "warm_files_written": len(report.written)}


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# --- measuring ---------------------------------------------------------------------------------

def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(args: list[str], cwd: Path, label: str) -> tuple[float, float]:
    """Run a command; return its wall time and the CPU time (user + system) it used. Raise with its
    last output lines if it fails."""
    started, cpu_before = time.perf_counter(), _children_cpu()
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT, env=ENV)
    elapsed = time.perf_counter() - started
    used = _children_cpu() - cpu_before
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-8:])
        raise RuntimeError(f"{label} failed (exit {proc.returncode}):\n{tail}")
    return elapsed, used


def _site_stats(site: Path, result: Result) -> None:
    pages = [p for p in site.rglob("*.html")]
    sizes = {p.relative_to(site).as_posix(): p.stat().st_size for p in pages}
    result.html_pages = len(sizes)
    result.site_bytes = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    result.avg_page_bytes = int(sum(sizes.values()) / max(1, len(sizes)))
    result.largest_page = max(sizes.items(), key=lambda item: item[1]) if sizes else ("", 0)
    index = site / "search" / "search_index.json"
    if index.exists():
        raw = index.read_bytes()
        result.lunr_index_bytes = len(raw)
        result.lunr_index_gzip = len(gzip.compress(raw, 6))
        # Material loads the whole index in its search worker (with lunr bundled) before any result
        workers = list((site / "assets" / "javascripts" / "workers").glob("search.*.min.js"))
        worker = sum(len(gzip.compress(w.read_bytes(), 6)) for w in workers)
        result.lunr_first_search_gzip = result.lunr_index_gzip + worker


def _pagefind(site: Path, result: Result) -> None:
    """Index the built site with Pagefind; estimate what the first search downloads."""
    out = site / "pagefind"
    result.pagefind_s, _ = _run([PY, "-m", "pagefind", "--site", str(site), "--output-subdir", "pagefind", "--quiet"],
                             site.parent, "pagefind")
    files = [p for p in out.rglob("*") if p.is_file()]
    result.pagefind_bytes = sum(p.stat().st_size for p in files)
    result.pagefind_first_search, result.pagefind_first_search_worst = pagefind_first_search_bytes(out)


def pagefind_first_search_bytes(bundle: Path) -> tuple[int, int]:
    """Bytes a reader fetches for a first query with Pagefind's JS API, (typical, worst): the loader
    and entry file, one language's WebAssembly and the metadata, then one index chunk (typical: the
    median chunk; worst: the largest, which holds the commonest words) and the fragments of the first
    five results (typical: five median fragments; worst: the five largest). Pagefind's index files
    are already compressed; its JS is counted gzip-compressed, as a server sends it."""
    def gz(path: Path) -> int:
        return len(gzip.compress(path.read_bytes(), 6))

    def sizes(pattern: str) -> list[int]:
        return sorted(p.stat().st_size for p in bundle.glob(pattern))

    fixed = gz(bundle / "pagefind.js") + gz(bundle / "pagefind-entry.json")
    fixed += min(sizes("wasm.*.pagefind"), default=0) + max(sizes("pagefind.*.pf_meta"), default=0)
    chunks, fragments = sizes("index/*.pf_index"), sizes("fragment/*.pf_fragment")
    if not chunks or not fragments:
        return fixed, fixed
    typical = fixed + chunks[len(chunks) // 2] + 5 * fragments[len(fragments) // 2]
    worst = fixed + chunks[-1] + sum(fragments[-5:])
    return typical, worst


def _zensical(root: Path, result: Result) -> None:
    """Build the same generated Markdown with Zensical (it reads mkdocs.yml)."""
    exe = Path(PY).with_name("zensical")
    if not exe.exists():
        result.zensical_note = "zensical not installed"
        return
    config = root / "mkdocs.yml"
    site = root / "site-zensical"
    text = config.read_text(encoding="utf-8")
    zconfig = root / "zensical-mkdocs.yml"
    zconfig.write_text(text.replace("docs_dir: docs", "docs_dir: docs\nsite_dir: site-zensical"), encoding="utf-8")
    shutil.rmtree(site, ignore_errors=True)
    shutil.rmtree(root / ".cache", ignore_errors=True)
    try:
        result.zensical_s, result.zensical_cpu_s = _run([str(exe), "build", "--clean", "-f", str(zconfig)], root, "zensical build")
    except RuntimeError as exc:
        result.zensical_note = str(exc).splitlines()[-1][:200]
        return
    result.zensical_pages = len(list(site.rglob("*.html"))) if site.exists() else 0
    shutil.rmtree(site, ignore_errors=True)


def _incremental(root: Path, result: Result) -> None:
    """Edit one finding's statement and rebuild: fully, and with mkdocs' dirty build."""
    finding = sorted((root / "evidence" / "findings").glob("*.yaml"))[3]
    text = finding.read_text(encoding="utf-8")
    try:
        finding.write_text(text.replace("statement: ", "statement: Edited. ", 1), encoding="utf-8")
        started, cpu_before = time.perf_counter(), _children_cpu()
        proc = subprocess.run([PY, "-m", "generator", "build", "--root", str(root), "--no-site"], cwd=root,
                              capture_output=True, text=True, timeout=TIMEOUT, env=ENV)
        regenerate, regenerate_cpu = time.perf_counter() - started, _children_cpu() - cpu_before
        written = re.search(r"\((\d+) written", proc.stdout)
        dirty, dirty_cpu = _run([PY, "-m", "mkdocs", "build", "--dirty", "-q", "-d", "site"], root, "mkdocs build --dirty")
    finally:
        finding.write_text(text, encoding="utf-8")
    warm = subprocess.run([PY, str(Path(__file__).resolve()), "_warm", str(root), str(finding)], capture_output=True,
                          text=True, timeout=TIMEOUT, env=ENV)
    if warm.returncode == 0:
        result.incremental.update(json.loads(warm.stdout.strip().splitlines()[-1]))
    result.incremental |= {"regenerate_edit_s": regenerate, "regenerate_edit_cpu_s": regenerate_cpu,
                          "files_written": int(written.group(1)) if written else -1,
                          "dirty_mkdocs_s": dirty, "dirty_mkdocs_cpu_s": dirty_cpu,
                          "dirty_total_s": regenerate + dirty, "dirty_total_cpu_s": regenerate_cpu + dirty_cpu}
    if "warm_regenerate_cpu_s" in result.incremental:
        result.incremental["serve_total_cpu_s"] = result.incremental["warm_regenerate_cpu_s"] + dirty_cpu


def measure(n: int, workdir: Path, zensical: bool, pagefind: bool, incremental: bool) -> Result:
    """Every figure for one corpus size."""
    root = workdir / f"corpus-{n}"
    result = Result(records=n)
    started = time.perf_counter()
    corpus.generate(n, root)
    print(f"[{n}] corpus generated in {time.perf_counter() - started:.1f}s", flush=True)
    out = subprocess.run([PY, str(Path(__file__).resolve()), "_stages", str(root)], capture_output=True, text=True,
                         timeout=TIMEOUT, env=ENV)
    if out.returncode != 0:
        result.errors.append("generator stages failed: " + out.stderr.strip()[-500:])
        return result
    for key, value in json.loads(out.stdout.strip().splitlines()[-1]).items():
        setattr(result, key, tuple(value) if isinstance(value, list) else value)
    print(f"[{n}] check {result.check_cpu_s:.2f}s, render {result.render_cpu_s:.2f}s CPU, peak {result.peak_rss_mb:.0f} MB",
          flush=True)
    try:
        result.baseline_s, result.baseline_cpu_s = _run([PY, "-m", "mkdocs", "build", "-q", "-d", "site-baseline"], root, "mkdocs build")
        print(f"[{n}] baseline mkdocs build {result.baseline_s:.1f}s", flush=True)
        shutil.rmtree(root / "site-baseline", ignore_errors=True)
        shutil.rmtree(root / "docs" / "kb", ignore_errors=True)
        result.total_s, result.total_cpu_s = _run([PY, "-m", "generator", "build", "--root", str(root)], root, "generator build")
        print(f"[{n}] total generator build {result.total_s:.1f}s", flush=True)
        _site_stats(root / "site", result)
        if pagefind:
            _pagefind(root / "site", result)
            print(f"[{n}] pagefind {result.pagefind_s:.1f}s", flush=True)
        if incremental:
            _incremental(root, result)
            print(f"[{n}] incremental {result.incremental}", flush=True)
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        result.errors.append(str(exc))
    if zensical:
        try:
            _zensical(root, result)
            print(f"[{n}] zensical {result.zensical_s}s {result.zensical_note}", flush=True)
        except subprocess.TimeoutExpired as exc:
            result.zensical_note = f"timed out: {exc}"
    return result


# --- reporting ---------------------------------------------------------------------------------

def _mb(n: float) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} KB"


def _s(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} s" if value >= 10 else f"{value:.2f} s"


def table(results: list[Result]) -> str:
    rows = [
        ("check (load + validate), wall / CPU", lambda r: f"{_s(r.check_s)} / {_s(r.check_cpu_s)}"),
        ("render, wall / CPU", lambda r: f"{_s(r.render_s)} / {_s(r.render_cpu_s)}"),
        ("check + render, records/s (CPU)", lambda r: f"{r.records / r.generator_cpu_s:,.0f}"),
        ("generator peak memory (max RSS)", lambda r: f"{r.peak_rss_mb:.0f} MB"),
        ("baseline: bare `mkdocs build`, wall / CPU", lambda r: f"{_s(r.baseline_s)} / {_s(r.baseline_cpu_s)}"),
        ("total: `generator build`, wall / CPU", lambda r: f"{_s(r.total_s)} / {_s(r.total_cpu_s)}"),
        ("**total / baseline**, CPU (wall)", lambda r: f"**{r.total_cpu_s / r.baseline_cpu_s:.2f}×** ({r.total_s / r.baseline_s:.2f}×)"),
        ("Zensical build (same Markdown), wall / CPU",
         lambda r: f"{_s(r.zensical_s)} / {_s(r.zensical_cpu_s)}" if r.zensical_s else (r.zensical_note or "—")),
        ("Zensical / mkdocs baseline, wall", lambda r: f"{r.zensical_s / r.baseline_s:.2f}×"),
        ("HTML pages", lambda r: f"{r.html_pages:,}"),
        ("output size", lambda r: _mb(r.site_bytes)),
        ("average HTML page", lambda r: _mb(r.avg_page_bytes)),
        ("largest HTML page", lambda r: f"{_mb(r.largest_page[1])} ({r.largest_page[0]})"),
        ("largest generated file (docs/kb)", lambda r: f"{_mb(r.largest_md[1])} ({r.largest_md[0]})"),
        ("lunr index (raw / gzip)", lambda r: f"{_mb(r.lunr_index_bytes)} / {_mb(r.lunr_index_gzip)}"),
        ("lunr: bytes before first result (gzip)", lambda r: _mb(r.lunr_first_search_gzip)),
        ("Pagefind index time / size", lambda r: f"{_s(r.pagefind_s)} / {_mb(r.pagefind_bytes)}" if r.pagefind_s else "—"),
        ("Pagefind: bytes before first result, typical / worst",
         lambda r: f"{_mb(r.pagefind_first_search)} / {_mb(r.pagefind_first_search_worst)}" if r.pagefind_s else "—"),
    ]
    header = "| | " + " | ".join(f"N = {r.records:,}" for r in results) + " |"
    lines = [header, "| --- |" + " ---: |" * len(results)]
    for name, cell in rows:
        lines.append(f"| {name} | " + " | ".join(_cell(cell, r) for r in results) + " |")
    return "\n".join(lines)


def _cell(cell, result: Result) -> str:
    try:
        return cell(result)
    except (TypeError, ZeroDivisionError, IndexError):
        return "—"


def machine(commit: str = "") -> str:
    cpu = ""
    try:
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), "")
    except OSError:
        pass
    try:
        memory = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                          if line.startswith("MemTotal"))) / 1024 / 1024
    except (OSError, StopIteration):
        memory = 0
    versions = []
    for package in ("mkdocs", "mkdocs-material", "pydantic", "PyYAML", "Jinja2", "pagefind", "zensical"):
        try:
            from importlib.metadata import version
            versions.append(f"{package} {version(package)}")
        except Exception:  # noqa: BLE001 - a missing optional package is just not listed
            pass
    commit = commit or subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                                      text=True).stdout.strip()
    return (f"commit {commit or 'unknown'}; {platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu or 'unknown CPU'}), "
            f"{memory:.0f} GiB memory, Python {platform.python_version()}; " + ", ".join(versions))


def targets(results: list[Result]) -> list[str]:
    lines = []
    by_n = {r.records: r for r in results}
    for r in results:
        if not r.generator_cpu_s:
            continue
        rate = r.records / r.generator_cpu_s
        line = (f"- N = {r.records:,}: check + render {rate:,.0f} records/s "
                f"({'meets' if rate >= 4000 else 'misses'} the 4,000/s target); peak memory {r.peak_rss_mb:.0f} MB")
        if r.records >= 20_000:
            line += f" ({'within' if r.peak_rss_mb <= 500 else 'over'} 500 MB)"
        if r.total_cpu_s and r.baseline_cpu_s:
            ratio = r.total_cpu_s / r.baseline_cpu_s
            line += (f"; total / baseline {ratio:.2f}× CPU, {r.total_s / r.baseline_s:.2f}× wall "
                     f"({'within' if ratio <= 1.15 else 'over'} 1.15×)")
        else:
            line += "; total or baseline missing"
        lines.append(line)
    small, large = by_n.get(2_000), by_n.get(20_000)
    if small and large and small.total_cpu_s and large.total_cpu_s:
        ratio = large.total_cpu_s / small.total_cpu_s
        lines.append(f"- Linearity: time(20,000) / time(2,000) = {ratio:.1f} CPU, "
                     f"{large.total_s / small.total_s:.1f} wall ({'meets' if ratio <= 11 else 'misses'} ≤ 11); "
                     f"bare mkdocs alone: {large.baseline_cpu_s / small.baseline_cpu_s:.1f}")
    for r in results:
        inc = r.incremental
        if inc and r.total_cpu_s:
            share = inc["dirty_total_cpu_s"] / r.total_cpu_s
            lines.append(
                f"- Incremental at N = {r.records:,}: one edited finding rewrites {inc['files_written']} generated "
                f"files; regenerate {inc['regenerate_edit_cpu_s']:.1f} s + `mkdocs build --dirty` "
                f"{inc['dirty_mkdocs_cpu_s']:.1f} s = {inc['dirty_total_cpu_s']:.1f} s CPU, {share:.0%} of the full build "
                f"({'meets' if share <= 0.1 else 'misses'} ≤ 10%); wall {inc['dirty_total_s']:.1f} s, "
                f"{inc['dirty_total_s'] / r.total_s:.0%}.")
            if "serve_total_cpu_s" in inc:
                serve = inc["serve_total_cpu_s"] / r.total_cpu_s
                lines.append(
                    f"- As `serve` does it (warm process, unchanged files not re-parsed, bibliography not reformatted): "
                    f"regenerate {inc['warm_regenerate_cpu_s']:.1f} s ({inc['warm_files_written']} files) + dirty build "
                    f"{inc['dirty_mkdocs_cpu_s']:.1f} s = {inc['serve_total_cpu_s']:.1f} s CPU, {serve:.0%} of the full "
                    f"build ({'meets' if serve <= 0.1 else 'misses'} ≤ 10%).")
    for r in results:
        if r.pagefind_s and r.records >= 10_000:
            lines.append(f"- Search at N = {r.records:,}: Material's lunr search downloads {_mb(r.lunr_first_search_gzip)} "
                         f"(gzip) before the first result; Pagefind typically {_mb(r.pagefind_first_search)} "
                         f"({'meets' if r.pagefind_first_search <= 300_000 else 'misses'} ≤ 300 KB), at worst "
                         f"{_mb(r.pagefind_first_search_worst)} (a query on the commonest words, five largest pages).")
    for r in results:
        for error in r.errors:
            lines.append(f"- N = {r.records:,}: not measured: {error.splitlines()[0]}")
    return lines


def write_report(results: list[Result], path: Path, notes: str, commit: str = "", finished: float | None = None) -> None:
    text = (
        "# Build performance\n\n"
        "<!-- Generated by `make bench` (benchmarks/run.py); edit benchmarks/run.py or benchmarks/NOTES.md, not this file. -->\n\n"
        f"Measured (run finished {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(finished))}) on: {machine(commit)}.\n\n"
        "Each column is a synthetic evidence base of N valid records (benchmarks/corpus.py: the seed\n"
        "records' proportions, text lengths, link density and words; the real vocabularies; about one\n"
        "source per 100 records). *Baseline* is a bare `mkdocs build` of the same generated Markdown;\n"
        "*total* is `python -m generator build` from nothing (check, render, write, `mkdocs build\n"
        "--strict`), both timed in the same run as whole processes. Ratios use CPU time (user + system\n"
        "of the process and its children), which other work on a shared machine disturbs far less than\n"
        "wall time; both are shown.\n\n"
        + table(results) + "\n\n## Targets\n\n" + "\n".join(targets(results)) + "\n"
        + (f"\n## Notes\n\n{notes.strip()}\n" if notes.strip() else "")
    )
    path.write_text(text, encoding="utf-8")


def _load_results(path: Path, workdir: Path) -> list[Result]:
    """Results saved by --json; Pagefind figures are recomputed from bundles still in `workdir`."""
    results = []
    for saved in json.loads(path.read_text(encoding="utf-8")):
        saved = {key: tuple(value) if isinstance(value, list) and key != "errors" else value
                 for key, value in saved.items() if key in Result.__dataclass_fields__}
        result = Result(**saved)
        bundle = workdir / f"corpus-{result.records}" / "site" / "pagefind"
        if bundle.is_dir():
            result.pagefind_first_search, result.pagefind_first_search_worst = pagefind_first_search_bytes(bundle)
        results.append(result)
    return results


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_stages"]:
        print(json.dumps(stages(Path(argv[1]))))
        return 0
    if argv[:1] == ["_warm"]:
        print(json.dumps(warm_regenerate(Path(argv[1]), Path(argv[2]))))
        return 0
    parser = argparse.ArgumentParser(description="Measure check, render and site builds on synthetic corpora.",
                                     epilog="example: python benchmarks/run.py --sizes 500,2000 --no-write")
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="comma-separated record counts")
    parser.add_argument("--workdir", type=Path, default=Path(os.environ.get("BENCH_DIR", "/tmp/gpce-bench")))
    parser.add_argument("--incremental-at", type=int, default=10_000, help="N at which to measure a one-record edit")
    parser.add_argument("--no-zensical", action="store_true")
    parser.add_argument("--zensical-max", type=int, default=2_000,
                        help="largest N to build with Zensical too (each build costs minutes at 10,000+)")
    parser.add_argument("--no-pagefind", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="do not rewrite docs/performance.md")
    parser.add_argument("--json", type=Path, default=None, help="also save the raw results here")
    parser.add_argument("--commit", default="", help="with --report-from: the commit that was measured")
    parser.add_argument("--report-from", type=Path, default=None,
                        help="rewrite the table and docs/performance.md from results saved with --json (no measuring)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    args.workdir.mkdir(parents=True, exist_ok=True)
    results = [] if args.report_from is None else _load_results(args.report_from, args.workdir)
    for n in sizes if args.report_from is None else ():
        results.append(measure(n, args.workdir, zensical=not args.no_zensical and n <= args.zensical_max, pagefind=not args.no_pagefind,
                               incremental=n == args.incremental_at))
        if args.json:
            args.json.write_text(json.dumps([asdict(r) for r in results], indent=2), encoding="utf-8")
    print()
    print(table(results))
    print()
    print("\n".join(targets(results)))
    if not args.no_write:
        notes_file = HERE / "NOTES.md"
        write_report(results, REPO / "docs" / "performance.md",
                     notes_file.read_text(encoding="utf-8") if notes_file.exists() else "", args.commit,
                     args.report_from.stat().st_mtime if args.report_from else None)
        print("\nwrote docs/performance.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
