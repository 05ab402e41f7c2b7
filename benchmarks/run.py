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
    worker_rss_mb: float = 0.0  # peak RSS of the generator's largest child process (a forked render worker, git)
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
    pagefind_cpu_s: float | None = None
    pagefind_bytes: int = 0
    pagefind_first_search: int = 0
    pagefind_first_search_worst: int = 0
    baseline_pagefind: bool = False  # the bare mkdocs build wrote pagefind/ too (Pagefind runs as an MkDocs hook)
    pagefind_in_site: bool = False  # the site's own build wrote site/pagefind/ (else a separate run made it)
    pagefind_results_shown: int = 5  # results whose fragments a first search fetches
    pagefind_pages: int = 0  # pages in the Pagefind index (its entry file's page count)
    zensical_s: float | None = None
    zensical_cpu_s: float | None = None
    zensical_pages: int = 0
    zensical_note: str = ""
    zensical_pagefind: bool = False  # Zensical's output has a pagefind/ bundle (it runs no MkDocs hooks)
    zensical_search_bytes: int | None = None  # Zensical's own search index (search.json), raw; None: not looked at
    parse_floor_cpu_s: float | None = None  # PyYAML's C loader alone over the corpus's YAML files
    write_floor_cpu_s: float | None = None  # plain writes of the generated files' bytes, nothing else
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
    """check, then render and write as `generator build` does (pages streamed to disk one at a time,
    with the generator's own forked render worker where it uses one), timed separately, with peak RSS.
    Render CPU includes any worker process's (counted once it has been waited for); its peak RSS is
    reported apart, since the two processes share most of their memory."""
    from generator import render
    from generator.pipeline import check
    from generator.project import Project
    from generator.write import sync_tree

    project = Project.at(root)
    started, cpu_started = time.perf_counter(), time.process_time()
    kb = check(project)
    checked, cpu_checked = time.perf_counter(), time.process_time()
    check_rss = _max_rss_mb()
    children_before = _children_cpu()
    if hasattr(render, "iter_pages"):  # streamed: render and write interleave
        sync_tree(project.generated, render.iter_pages(kb, project))
        rendered = written = time.perf_counter()
    else:
        pages = render.render_pages(kb, project)
        rendered = time.perf_counter()
        sync_tree(project.generated, pages)
        written = time.perf_counter()
    cpu_rendered = time.process_time() + _children_cpu() - children_before
    files = {p.relative_to(project.generated).as_posix(): p.stat().st_size
             for p in project.generated.rglob("*") if p.is_file()}
    largest = max(files.items(), key=lambda item: item[1], default=("", 0))
    return {"check_s": checked - started, "render_s": rendered - checked, "write_s": written - rendered,
            "check_cpu_s": cpu_checked - cpu_started, "render_cpu_s": cpu_rendered - cpu_checked,
            "check_rss_mb": check_rss, "peak_rss_mb": _max_rss_mb(),
            "worker_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            "pages_md": len(files), "md_bytes": sum(files.values()), "largest_md": largest}


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


def floors(root: Path) -> dict:
    """Two references for check + render + write, as CPU times on this machine: parsing the corpus's
    YAML with PyYAML's C loader alone (`yaml.load` with CSafeLoader, reading the files included, no
    validation; the issue's yardstick, though check's own fast path, where libyaml composes the nodes
    in C, is quicker), and writing the generated files' bytes with plain writes alone (a folder made
    once, then open, write, close per file; reading the bytes back from docs/kb is not timed). Run in
    a process of its own after the stages, so it does not touch their memory figures."""
    import yaml

    started = time.process_time()
    for path in sorted((root / "evidence").rglob("*.yaml")):
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
    parse = time.process_time() - started
    generated, scratch = root / "docs" / "kb", root / ".floor-write"
    shutil.rmtree(scratch, ignore_errors=True)
    os.sync()  # start with no other writes pending: the disk's writeback would be billed to these writes
    made: set[Path] = set()
    writing = 0.0
    try:
        for source in sorted(p for p in generated.rglob("*") if p.is_file()):
            content = source.read_bytes()
            target = scratch / source.relative_to(generated)
            before = time.process_time()
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            os.write(fd, content)
            os.close(fd)
            writing += time.process_time() - before
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return {"parse_floor_cpu_s": parse, "write_floor_cpu_s": writing}


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


def _pagefind(site: Path, result: Result, run: bool = True) -> None:
    """The Pagefind bundle readers download: the site's own (site/pagefind/, when the site build
    writes it) or, for a site still on lunr, one made here by running Pagefind over the built site."""
    out = site / "pagefind"
    result.pagefind_in_site = (out / "pagefind-entry.json").is_file()
    # Inside the site build Pagefind is not timed apart: run it once more, alone, into a scratch folder
    subdir = "pagefind" if not result.pagefind_in_site else ".pagefind-timing"
    if run:
        try:
            result.pagefind_s, result.pagefind_cpu_s = _run(
                [PY, "-m", "pagefind", "--site", str(site), "--output-subdir", subdir, "--quiet"], site.parent, "pagefind")
        finally:
            if result.pagefind_in_site:
                shutil.rmtree(site / subdir, ignore_errors=True)
    if (site / "pagefind" / "pagefind-entry.json").is_file():
        _pagefind_bundle(site, result)


def _pagefind_bundle(site: Path, result: Result) -> None:
    out = site / "pagefind"
    result.pagefind_bytes = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    try:
        entry = json.loads((out / "pagefind-entry.json").read_text(encoding="utf-8"))
        result.pagefind_pages = sum(lang.get("page_count", 0) for lang in entry.get("languages", {}).values())
    except (OSError, ValueError, AttributeError):
        result.pagefind_pages = 0
    assets, shown = _search_ui(site) if result.pagefind_in_site else ([], 5)
    result.pagefind_results_shown = shown
    result.pagefind_first_search, result.pagefind_first_search_worst = pagefind_first_search_bytes(out, assets, shown)


def _search_ui(site: Path) -> tuple[list[Path], int]:
    """What the site's search UI adds to a first search: the files the home page itself loads for it
    (links under pagefind/, or named *search*, such as the header box's script and styles), and how
    many results it fetches at once (`MAX_RESULTS = n` in that script; Pagefind's own UI shows 5)."""
    home = site / "index.html"
    if not home.is_file():
        return [], 5
    assets, shown = set(), 5
    for link in re.findall(r'(?:src|href)="([^"#?]+)"', home.read_text(encoding="utf-8")):
        name = link.rsplit("/", 1)[-1]
        if "://" in link or not ("pagefind/" in link or "search" in name):
            continue
        at = min((i for i in (link.find("pagefind/"), link.find("assets/")) if i >= 0), default=-1)
        path = site / link[at:] if at >= 0 else None
        if path and path.is_file():
            assets.add(path.resolve())
            found = re.search(r"MAX_RESULTS\s*=\s*(\d+)", path.read_text(encoding="utf-8", errors="replace")) \
                if path.suffix == ".js" else None
            shown = int(found.group(1)) if found else shown
    return sorted(assets), shown


def pagefind_first_search_bytes(bundle: Path, page_assets: list[Path] = (), shown: int = 5) -> tuple[int, int]:
    """Bytes a reader fetches for a first query, (typical, worst): the search UI's own files that the
    page loads (`page_assets`, if any), Pagefind's loader, worker and entry file, one language's WebAssembly
    and the metadata, then one index chunk (typical: the median chunk; worst: the largest, which holds
    the commonest words) and the fragments of the first `shown` results (typical: median fragments;
    worst: the largest). Filter chunks are not counted: an unfiltered search does not load them.
    Pagefind's index files are already compressed; JS, CSS and JSON are counted gzip-compressed, as a
    server sends them."""
    def gz(path: Path) -> int:
        return len(gzip.compress(path.read_bytes(), 6))

    def sizes(pattern: str) -> list[int]:
        return sorted(p.stat().st_size for p in bundle.glob(pattern))

    loaded = {p.resolve() for p in page_assets} | {(bundle / name).resolve() for name in (
        "pagefind.js", "pagefind-entry.json", "pagefind-worker.js")}  # pagefind.js starts the worker
    fixed = sum(gz(p) for p in loaded if p.is_file())
    fixed += min(sizes("wasm.*.pagefind"), default=0) + max(sizes("pagefind.*.pf_meta"), default=0)
    chunks, fragments = sizes("index/*.pf_index"), sizes("fragment/*.pf_fragment")
    if not chunks or not fragments:
        return fixed, fixed
    typical = fixed + chunks[len(chunks) // 2] + shown * fragments[len(fragments) // 2]
    worst = fixed + chunks[-1] + sum(fragments[-shown:])
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
    result.zensical_pagefind = (site / "pagefind" / "pagefind-entry.json").is_file()
    search = site / "search.json"
    result.zensical_search_bytes = search.stat().st_size if search.is_file() else 0
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
    out = subprocess.run([PY, str(Path(__file__).resolve()), "_floors", str(root)], capture_output=True, text=True,
                         timeout=TIMEOUT, env=ENV)
    if out.returncode == 0:
        for key, value in json.loads(out.stdout.strip().splitlines()[-1]).items():
            setattr(result, key, value)
        print(f"[{n}] floors: YAML C loader alone {result.parse_floor_cpu_s:.2f}s, plain writes alone "
              f"{result.write_floor_cpu_s:.2f}s CPU", flush=True)
    else:
        result.errors.append("floor measurement failed: " + out.stderr.strip()[-500:])
    try:
        result.baseline_s, result.baseline_cpu_s = _run([PY, "-m", "mkdocs", "build", "-q", "-d", "site-baseline"], root, "mkdocs build")
        result.baseline_pagefind = (root / "site-baseline" / "pagefind" / "pagefind-entry.json").is_file()
        print(f"[{n}] baseline mkdocs build {result.baseline_s:.1f}s"
              + (" (its Pagefind hook included)" if result.baseline_pagefind else ""), flush=True)
        shutil.rmtree(root / "site-baseline", ignore_errors=True)
        shutil.rmtree(root / "docs" / "kb", ignore_errors=True)
        shutil.rmtree(root / ".cache" / "generator", ignore_errors=True)  # from nothing: no cached bibliography
        result.total_s, result.total_cpu_s = _run([PY, "-m", "generator", "build", "--root", str(root)], root, "generator build")
        print(f"[{n}] total generator build {result.total_s:.1f}s", flush=True)
        _site_stats(root / "site", result)
        if pagefind or (root / "site" / "pagefind" / "pagefind-entry.json").is_file():
            _pagefind(root / "site", result, run=pagefind)
            print(f"[{n}] pagefind bundle {_mb(result.pagefind_bytes)}, "
                  + ("built by the site build" if result.pagefind_in_site else "separate run")
                  + (f", indexing alone {result.pagefind_s:.1f}s" if result.pagefind_s else ""), flush=True)
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


def _pagefind_size(r: Result) -> str:
    if not r.pagefind_bytes:
        return "—"
    pages = f", {r.pagefind_pages:,} pages" if r.pagefind_pages else ""
    how = ("built by the site build" + (f"; indexing alone {_s(r.pagefind_s)}" if r.pagefind_s else "")
           if r.pagefind_in_site else f"separate run, {_s(r.pagefind_s)}")
    return f"{_mb(r.pagefind_bytes)} ({how}{pages})"


def _zensical_search(r: Result) -> str:
    if not r.zensical_s or r.zensical_search_bytes is None:
        return "—"
    own = f"own search.json {_mb(r.zensical_search_bytes)}" if r.zensical_search_bytes else "no search.json"
    return own + ("; Pagefind bundle" if r.zensical_pagefind else "; no Pagefind (no MkDocs hooks)")


def _zensical_ratio(r: Result) -> str:
    text = f"{r.zensical_cpu_s / r.baseline_cpu_s:.2f}× ({r.zensical_s / r.baseline_s:.2f}×)"
    if r.baseline_pagefind and not r.zensical_pagefind and r.pagefind_cpu_s:
        # like for like: the baseline less its Pagefind indexing (timed alone), which Zensical does not run
        text += f"; {r.zensical_cpu_s / (r.baseline_cpu_s - r.pagefind_cpu_s):.2f}× CPU against mkdocs without Pagefind"
    return text


def _floor_cpu_s(r: Result) -> float:
    return r.parse_floor_cpu_s + r.write_floor_cpu_s


def table(results: list[Result]) -> str:
    lunr = any(r.lunr_index_bytes for r in results)
    in_site = any(r.pagefind_in_site for r in results)
    old = " (old design: Material's search plugin)" if in_site else ""
    baseline_note = " (with its Pagefind hook)" if any(r.baseline_pagefind for r in results) else ""
    rows = [
        ("check (load + validate), wall / CPU", lambda r: f"{_s(r.check_s)} / {_s(r.check_cpu_s)}"),
        ("render + write, wall / CPU", lambda r: f"{_s(r.render_s + r.write_s)} / {_s(r.render_cpu_s)}"),
        ("check + render + write, records/s (CPU)", lambda r: f"{r.records / r.generator_cpu_s:,.0f}"),
        ("reference: PyYAML's C loader alone (CSafeLoader), CPU (check / it)",
         lambda r: f"{_s(r.parse_floor_cpu_s)} ({r.check_cpu_s / r.parse_floor_cpu_s:.2f}×)"),
        ("reference: plain writes of the generated files alone, CPU (their size)",
         lambda r: f"{_s(r.write_floor_cpu_s)} ({_mb(r.md_bytes)})"),
        ("the two references together, records/s (CPU)", lambda r: f"{r.records / _floor_cpu_s(r):,.0f}"),
        ("generator peak memory (max RSS)", lambda r: f"{r.peak_rss_mb:.0f} MB"
         + (f" (largest child process {r.worker_rss_mb:.0f} MB)" if r.worker_rss_mb >= 1 else "")),
        (f"baseline: bare `mkdocs build`{baseline_note}, wall / CPU", lambda r: f"{_s(r.baseline_s)} / {_s(r.baseline_cpu_s)}"),
        ("total: `generator build`, wall / CPU", lambda r: f"{_s(r.total_s)} / {_s(r.total_cpu_s)}"),
        ("**total / baseline**, CPU (wall)", lambda r: f"**{r.total_cpu_s / r.baseline_cpu_s:.2f}×** ({r.total_s / r.baseline_s:.2f}×)"),
        ("Zensical build (same Markdown), wall / CPU",
         lambda r: f"{_s(r.zensical_s)} / {_s(r.zensical_cpu_s)}" if r.zensical_s else (r.zensical_note or "—")),
        ("Zensical / mkdocs baseline, CPU (wall)", _zensical_ratio),
        ("Zensical: HTML pages; search", lambda r: f"{r.zensical_pages:,}; {_zensical_search(r)}" if r.zensical_s else "—"),
        ("HTML pages", lambda r: f"{r.html_pages:,}"),
        ("output size", lambda r: _mb(r.site_bytes)),
        ("average HTML page", lambda r: _mb(r.avg_page_bytes)),
        ("largest HTML page", lambda r: f"{_mb(r.largest_page[1])} ({r.largest_page[0]})"),
        ("largest generated file (docs/kb)", lambda r: f"{_mb(r.largest_md[1])} ({r.largest_md[0]})"),
    ]
    if lunr:
        rows += [
            (f"lunr index{old} (raw / gzip)",
             lambda r: f"{_mb(r.lunr_index_bytes)} / {_mb(r.lunr_index_gzip)}" if r.lunr_index_bytes else "— (none)"),
            (f"lunr{old}: bytes before first result (gzip)",
             lambda r: _mb(r.lunr_first_search_gzip) if r.lunr_index_bytes else "— (none)"),
        ]
    rows += [
        ("Pagefind bundle" + (" (the site's search)" if in_site else " (measured, not the site's search)"), _pagefind_size),
        ("Pagefind: bytes before first result, typical / worst",
         lambda r: f"{_mb(r.pagefind_first_search)} / {_mb(r.pagefind_first_search_worst) if r.pagefind_first_search_worst else '—'}"
         if r.pagefind_bytes else "—"),
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


def machine() -> str:
    """The machine and the package versions (not the commit: see `commit_of`)."""
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
    return (f"{platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu or 'unknown CPU'}), "
            f"{memory:.0f} GiB memory, Python {platform.python_version()}; " + ", ".join(versions))


MEASURED_PATHS = ("generator", "templates", "overrides", "mkdocs.yml", "benchmarks", "pyproject.toml", "docs")


def commit_of() -> str:
    """The checkout being measured: short commit, plus a warning if what the build uses has
    uncommitted changes (the figures then belong to no commit)."""
    sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                         text=True).stdout.strip() or "unknown"
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", *MEASURED_PATHS],
                           cwd=REPO, capture_output=True, text=True).stdout.strip()
    # docs/performance.md is this script's own output: changing it does not change what is measured
    dirty = [line for line in dirty.splitlines() if not line.endswith("docs/performance.md")]
    return sha + (" with uncommitted changes" if dirty else "")


def targets(results: list[Result]) -> list[str]:
    lines = []
    by_n = {r.records: r for r in results}
    for r in results:
        if not r.generator_cpu_s:
            continue
        rate = r.records / r.generator_cpu_s
        line = (f"- N = {r.records:,}: check + render (+ write) {rate:,.0f} records/s "
                f"({'meets' if rate >= 4000 else 'misses'} the 4,000/s target")
        if r.parse_floor_cpu_s and r.write_floor_cpu_s:
            floor = r.records / _floor_cpu_s(r)
            line += (f"; PyYAML's C loader and plain writes of the same output alone together run at "
                     f"{floor:,.0f} records/s, so the generator runs at {rate / floor:.0%} of that")
        line += f"); peak memory {r.peak_rss_mb:.0f} MB"
        if r.records >= 20_000:
            line += f" ({'within' if r.peak_rss_mb <= 500 else 'over'} 500 MB)"
        if r.total_cpu_s and r.baseline_cpu_s:
            ratio = r.total_cpu_s / r.baseline_cpu_s
            line += (f"; total / baseline {ratio:.2f}× CPU, {r.total_s / r.baseline_s:.2f}× wall "
                     f"({'within' if ratio <= 1.15 else 'over'} 1.15×)")
        else:
            line += "; total or baseline missing"
        if r.largest_page[1]:
            line += f"; largest HTML page {_mb(r.largest_page[1])} ({r.largest_page[0]})"
        lines.append(line)
    small, large = by_n.get(2_000), by_n.get(20_000)
    if small and large and small.total_cpu_s and large.total_cpu_s:
        ratio = large.total_cpu_s / small.total_cpu_s
        lines.append(f"- Linearity: time(20,000) / time(2,000) = {ratio:.1f} CPU, "
                     f"{large.total_s / small.total_s:.1f} wall ({'meets' if ratio <= 11 else 'misses'} ≤ 11); "
                     f"bare mkdocs alone: {large.baseline_cpu_s / small.baseline_cpu_s:.1f}")
    for r in results:
        inc = r.incremental
        if inc and r.total_cpu_s and "dirty_total_cpu_s" in inc:
            share = inc["dirty_total_cpu_s"] / r.total_cpu_s
            lines.append(
                f"- Incremental at N = {r.records:,}: one edited finding rewrites {inc['files_written']} generated "
                f"files; regenerate {inc['regenerate_edit_cpu_s']:.1f} s + `mkdocs build --dirty` "
                f"{inc['dirty_mkdocs_cpu_s']:.1f} s = {inc['dirty_total_cpu_s']:.1f} s CPU, {share:.1%} of the full build "
                f"({'meets' if share <= 0.1 else 'misses'} ≤ 10%); wall {inc['dirty_total_s']:.1f} s, "
                f"{inc['dirty_total_s'] / r.total_s:.0%}.")
            if r.pagefind_in_site and r.pagefind_cpu_s:
                lines.append(
                    f"  The dirty build includes re-indexing the whole site with Pagefind (its MkDocs hook runs after "
                    f"every build; {r.pagefind_cpu_s:.1f} s CPU, {r.pagefind_s:.1f} s wall when run alone at this size).")
            if "serve_total_cpu_s" in inc:
                dirty = inc["dirty_mkdocs_cpu_s"]
                deferred = ""
                if r.pagefind_in_site and r.pagefind_cpu_s:
                    # serve re-indexes in a background thread after the reload: the edit shows without waiting for it
                    dirty = max(0.0, dirty - r.pagefind_cpu_s)
                    deferred = (f" (dirty build less the Pagefind re-index, which `serve` runs in the background: "
                                f"search catches up about {r.pagefind_s:.0f} s later)")
                total = inc["warm_regenerate_cpu_s"] + dirty
                serve = total / r.total_cpu_s
                lines.append(
                    f"- As `serve` does it (warm process, unchanged files not re-parsed, bibliography not reformatted): "
                    f"regenerate {inc['warm_regenerate_cpu_s']:.1f} s ({inc['warm_files_written']} files) + dirty build "
                    f"{dirty:.1f} s{deferred} = {total:.1f} s CPU, {serve:.1%} of the full "
                    f"build ({'meets' if serve <= 0.1 else 'misses'} ≤ 10%).")
    for r in results:
        if r.pagefind_bytes and r.records >= 10_000:
            which = "the site's own Pagefind search" if r.pagefind_in_site else "Pagefind (measured beside the site)"
            lunr = (f"; Material's lunr search {'(the site search) ' if not r.pagefind_in_site else ''}downloads "
                    f"{_mb(r.lunr_first_search_gzip)} (gzip) before its first result" if r.lunr_index_bytes else "")
            lines.append(f"- Search at N = {r.records:,}: {which} downloads typically {_mb(r.pagefind_first_search)} "
                         f"before the first result ("
                         + (f"{'meets' if r.pagefind_first_search <= 300_000 else 'misses'} ≤ 300 KB"
                            if r.records == 10_000 else "the ≤ 300 KB target is set at 10,000")
                         + "), "
                         f"at worst {_mb(r.pagefind_first_search_worst)} (a query on the commonest words, the "
                         f"{r.pagefind_results_shown} largest result pages){lunr}.")
    for r in results:
        for error in r.errors:
            lines.append(f"- N = {r.records:,}: not measured: {error.splitlines()[0]}")
    return lines


def _about(results: list[Result]) -> str:
    """What the baseline and the search figures include, from what this run found."""
    text = (
        "Each column is a synthetic evidence base of N valid records (benchmarks/corpus.py: the seed\n"
        "records' proportions, text lengths, link density and words; the real vocabularies; about one\n"
        "source per 100 records). *Baseline* is a bare `mkdocs build` of the same generated Markdown with\n"
        "the project's `mkdocs.yml` (its hooks and plugins included); *total* is `python -m generator build`\n"
        "from nothing (no generated Markdown, no cached bibliography: check, render, write, `mkdocs build\n"
        "--strict`), both timed in the same run as whole processes. *Check* and *render + write* are timed\n"
        "in one more process, from a cold start, rendering and writing the way `generator build` does.\n"
        "Ratios use CPU time (user + system of the process and its children), which other work on a\n"
        "shared machine disturbs far less than wall time; both are shown.")
    measured = [r for r in results if r.total_s]
    if any(r.baseline_pagefind for r in measured):
        text += ("\n\nSearch is Pagefind, run by an MkDocs hook inside `mkdocs build`: its indexing is in both the\n"
                 "baseline and the total, and the Pagefind figures are the site's own `pagefind/` bundle.")
    elif any(r.pagefind_in_site for r in measured):
        text += ("\n\nSearch is Pagefind, run by `generator build` after `mkdocs build`: its indexing is in the total\n"
                 "but not in the bare-mkdocs baseline; the Pagefind figures are the site's own `pagefind/` bundle.")
    elif any(r.pagefind_bytes for r in measured):
        text += ("\n\nThe site's search is Material's lunr index; the Pagefind figures come from a separate Pagefind\n"
                 "run over the built site (timed apart, in neither the baseline nor the total).")
    if any(r.zensical_s for r in measured):
        text += ("\n\nZensical reads the same `mkdocs.yml` but runs no MkDocs hooks" +
                 (", so its output has no Pagefind index (it writes its own `search.json`)."
                  if any(r.pagefind_in_site for r in measured) else "."))
    return text


def write_report(results: list[Result], path: Path, notes: str, runs: list[dict]) -> None:
    finished = max((run.get("finished") or 0 for run in runs), default=0) or time.time()
    machines = sorted({run.get("machine") or "" for run in runs} - {""}) or [machine()]
    commits = sorted({run.get("commit") or "" for run in runs} - {""}) or ["unknown"]
    sizes = lambda run: ", ".join(f"{n:,}" for n in run.get("sizes", []))  # noqa: E731
    if len(machines) == 1 and len(commits) == 1:
        where = f"Measured (run finished {_utc(finished)}) on: commit {commits[0]}; {machines[0]}."
    elif len(machines) == 1:
        where = (f"Measured (last run finished {_utc(finished)}) on: {machines[0]}; merged from runs of different "
                 "commits: " + "; ".join(f"N = {sizes(run)} on commit {run.get('commit') or 'unknown'}" for run in runs)
                 + ". Compare columns from different commits with care.")
    else:
        where = (f"Merged from {len(runs)} runs (last finished {_utc(finished)}) on different machines: "
                 + "; ".join(f"N = {sizes(run)} on commit {run.get('commit') or 'unknown'}, "
                             f"{run.get('machine') or 'unknown machine'}" for run in runs)
                 + ". Compare columns from different machines with care.")
    if len(runs) > 1 and len(machines) == 1:
        spans = [(run.get("started") or 0, run.get("finished") or 0) for run in runs]
        together = all(start and end for start, end in spans) and max(start for start, _ in spans) < min(end for _, end in spans)
        where += (f"\n\nThe sizes were measured by {len(runs)} processes "
                  + ("running at the same time, one per core" if together else "run one after the other")
                  + f" (N = {' and N = '.join(sizes(run) for run in runs)}), then merged into one table."
                  + (" Each process is mostly single-threaded (the generator, MkDocs, Zensical's Python side);"
                     " Pagefind's indexing uses several threads, so the processes contend while it runs. CPU"
                     " times, which the ratios use, are disturbed less than wall times, and a size's baseline"
                     " and total are always measured by the same process, minutes apart." if together else ""))
    text = (
        "# Build performance\n\n"
        "<!-- Generated by `make bench` (benchmarks/run.py); edit benchmarks/run.py or benchmarks/NOTES.md, not this file. -->\n\n"
        f"{where}\n\n{_about(results)}\n\n"
        + table(results) + "\n\n## Targets\n\n" + "\n".join(targets(results)) + "\n"
        + (f"\n## Notes\n\n{notes.strip()}\n" if notes.strip() else "")
    )
    kept = re.search(r"<!-- LIGHTHOUSE:START.*?<!-- LIGHTHOUSE:END -->", path.read_text(encoding="utf-8"), re.S) \
        if path.is_file() else None  # benchmarks/lighthouse.py's section: kept until it measures again
    path.write_text(text + (f"\n{kept.group(0)}\n" if kept else ""), encoding="utf-8")


def _utc(when: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(when))


def save(path: Path, results: list[Result], run: dict) -> None:
    """Raw results with the machine and commit they came from (read back by --report-from)."""
    path.write_text(json.dumps({**run, "results": [asdict(r) for r in results]}, indent=2), encoding="utf-8")


def load(path: Path, workdir: Path) -> tuple[list[Result], dict]:
    """Results saved by --json (or the older bare list) and their run's details. Pagefind figures are
    recomputed from bundles still in `workdir` (only a bundle of the saved size: the same one), so a
    change to how they are counted needs no rerun."""
    document = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(document, list):  # before the run's details were saved
        document = {"results": document, "finished": path.stat().st_mtime}
    results = []
    for saved in document["results"]:
        saved = {key: tuple(value) if isinstance(value, list) and key != "errors" else value
                 for key, value in saved.items() if key in Result.__dataclass_fields__}
        result = Result(**saved)
        site = workdir / f"corpus-{result.records}" / "site"
        bundle = site / "pagefind"
        if result.pagefind_bytes and (bundle / "pagefind-entry.json").is_file() and \
                sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file()) == result.pagefind_bytes:
            _pagefind_bundle(site, result)
        results.append(result)
    run = {key: value for key, value in document.items() if key != "results"}
    run.setdefault("sizes", [r.records for r in results])
    return results, run


def merge(loaded: list[tuple[list[Result], dict]]) -> tuple[list[Result], list[dict]]:
    """Results of several runs in one table, by N; a size measured twice keeps the later run's."""
    by_n: dict[int, tuple[float, Result]] = {}
    for results, run in loaded:
        for result in results:
            finished = run.get("finished") or 0
            if result.records not in by_n or finished >= by_n[result.records][0]:
                by_n[result.records] = (finished, result)
    runs = []
    for _, run in loaded:
        if run not in runs:  # the same file given twice
            runs.append(run)
    return [by_n[n][1] for n in sorted(by_n)], runs


def _parallel(groups: list[list[int]], args: argparse.Namespace, passthrough: list[str]) -> list[tuple[list[Result], dict]]:
    """Run each group of sizes in its own process at the same time (one per core); their JSON files
    go to the workdir and their output is prefixed by group."""
    procs = []
    for index, group in enumerate(groups, 1):
        out = args.workdir / f"part-{index}.json"
        out.unlink(missing_ok=True)
        command = [PY, str(Path(__file__).resolve()), "--sizes", ",".join(map(str, group)), "--no-write",
                   "--no-table", "--json", str(out), *passthrough]
        print(f"[part {index}] {' '.join(command[1:])}", flush=True)
        procs.append((out, subprocess.Popen(command, env=ENV)))
    loaded = []
    for out, proc in procs:
        code = proc.wait()
        if out.exists():
            loaded.append(load(out, args.workdir))
        if code != 0:
            print(f"{out.name}: exit {code}", flush=True)
    return loaded


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_stages"]:
        print(json.dumps(stages(Path(argv[1]))))
        return 0
    if argv[:1] == ["_floors"]:
        print(json.dumps(floors(Path(argv[1]))))
        return 0
    if argv[:1] == ["_warm"]:
        print(json.dumps(warm_regenerate(Path(argv[1]), Path(argv[2]))))
        return 0
    parser = argparse.ArgumentParser(
        description="Measure check, render and site builds on synthetic corpora.",
        epilog="examples: python benchmarks/run.py --sizes 500,2000 --no-write\n"
               "          python benchmarks/run.py --sizes 500,2000,10000/20000   (two processes at once, merged)\n"
               "          python benchmarks/run.py --report-from a.json b.json     (merge saved runs)",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                        help="comma-separated record counts; '/' splits them into groups measured by parallel "
                             "processes (e.g. 500,2000,10000/20000 on 2 cores)")
    parser.add_argument("--workdir", type=Path, default=Path(os.environ.get("BENCH_DIR", "/tmp/gpce-bench")))
    parser.add_argument("--incremental-at", type=int, default=10_000, help="N at which to measure a one-record edit")
    parser.add_argument("--no-zensical", action="store_true")
    parser.add_argument("--zensical-max", type=int, default=None,
                        help="largest N to build with Zensical too (default: every N)")
    parser.add_argument("--no-pagefind", action="store_true",
                        help="no Pagefind run of the harness's own (none for a site still on lunr, no timing run "
                             "alone for the site's bundle, which is always measured)")
    parser.add_argument("--no-write", action="store_true", help="do not rewrite docs/performance.md")
    parser.add_argument("--no-table", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, default=None, help="also save the raw results (and machine, commit) here")
    parser.add_argument("--commit", default="", help="the commit that was measured (default: from each run's JSON or git)")
    parser.add_argument("--report-from", type=Path, nargs="+", default=None, metavar="JSON",
                        help="rewrite the table and docs/performance.md from results saved with --json, merged by N "
                             "(no measuring)")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    groups = [[int(s) for s in group.split(",") if s.strip()] for group in args.sizes.split("/")]
    groups = [group for group in groups if group]
    if args.report_from is not None:
        results, runs = merge([load(path, args.workdir) for path in args.report_from])
    elif len(groups) > 1:
        passthrough = [flag for flag, on in (("--no-zensical", args.no_zensical), ("--no-pagefind", args.no_pagefind)) if on]
        passthrough += ["--workdir", str(args.workdir), "--incremental-at", str(args.incremental_at)]
        if args.zensical_max is not None:
            passthrough += ["--zensical-max", str(args.zensical_max)]
        results, runs = merge(_parallel(groups, args, passthrough))
        if args.json:
            save(args.json, results, {"machine": machine(), "commit": runs[0].get("commit") if runs else commit_of(),
                                      "sizes": [r.records for r in results],
                                      "finished": max((run.get("finished") or 0 for run in runs), default=time.time())})
    else:
        results, run = [], {"machine": machine(), "commit": commit_of(), "sizes": groups[0] if groups else [],
                            "started": time.time()}
        for n in run["sizes"]:
            zensical = not args.no_zensical and (args.zensical_max is None or n <= args.zensical_max)
            results.append(measure(n, args.workdir, zensical=zensical, pagefind=not args.no_pagefind,
                                   incremental=n == args.incremental_at))
            run["finished"] = time.time()
            if args.json:
                save(args.json, results, run)
        runs = [run]
    if args.commit:
        for run in runs:
            run["commit"] = args.commit
    if not args.no_table:
        print()
        print(table(results))
        print()
        print("\n".join(targets(results)))
    if not args.no_write:
        notes_file = HERE / "NOTES.md"
        write_report(results, REPO / "docs" / "performance.md",
                     notes_file.read_text(encoding="utf-8") if notes_file.exists() else "", runs)
        print("\nwrote docs/performance.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
