"""Site search: index the built HTML with Pagefind, after every site build.

MkDocs' hook (generator/mkdocs_hooks.py) calls `after_build` from `on_post_build`, so a bare
`mkdocs build`, `generator build` (into its staging folder, before the swap) and `generator serve`
all get the index. Pagefind splits the index into chunks, so a reader's first search downloads a few
hundred KB whatever the size of the evidence base (Material's lunr index had to be downloaded whole:
20.6 MB gzip at 10,000 records).

Cost (measured on 2 shared cores, Pagefind 1.5.2): 7 s of CPU at 2,000 records; 44 s of CPU and a
peak of 3.3 GB of memory at 10,000. A first search at 10,000 records fetches 261-389 KB in Chromium
(JS gzipped; the upper figure for a word on nearly every page, whose index chunk alone is 171 KB).

The bundle is written to a temporary folder inside the site and moved to `<site>/pagefind/` only
when Pagefind succeeds and indexed at least one page; otherwise `SearchIndexError` says why.

Serving: the first build of a `serve` session is indexed before the server starts, so search works
at once. Later rebuilds (after an edit) are indexed in a background thread at low CPU priority, so
live reload does not wait for Pagefind (about 50 s at 10,000 records); until it finishes, search
answers from the previous index. Edits during a background run queue one more run, never several.
This module is imported, not loaded as a hook file, because MkDocs re-executes the hook file for
every rebuild's configuration while this state has to last the whole session. It imports only the
standard library and generator.write (which does too): in a project copy (test fixtures, benchmark corpora) a generator/ folder holding
just the hook file shadows the package's __init__, and only its submodules still resolve.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from generator.write import replace_folder

BUNDLE = "pagefind"
"""The bundle's folder in the built site; overrides/partials/search.html loads it from there."""

EXCLUDE_SELECTORS = ".headerlink, .md-content__button"
"""Inside the indexed article: the heading permalinks (¶) and the edit button are not content."""

log = logging.getLogger("mkdocs.plugins.gpce.search")


class SearchIndexError(Exception):
    """Pagefind could not index the site."""


def index_site(site_dir: Path | str, *, low_priority: bool = False,
               started: list | None = None) -> int:
    """Index the HTML in `site_dir` into `site_dir`/pagefind, replacing the previous bundle only on
    success. Returns the number of pages indexed. `started`, if given, receives the Pagefind process
    (so a shutting-down server can stop it)."""
    site_dir = Path(site_dir)
    if importlib.util.find_spec("pagefind") is None:
        raise SearchIndexError("the pagefind package is not installed (it is a dependency: "
                               "run `pip install -e .` in the project's virtual environment)")
    if not site_dir.is_dir():
        raise SearchIndexError(f"no built site at {site_dir}")
    staging = Path(tempfile.mkdtemp(prefix=f".{BUNDLE}-new-", dir=site_dir))
    try:
        command = [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--output-path", str(staging),
                   "--exclude-selectors", EXCLUDE_SELECTORS, "--quiet"]
        nice = shutil.which("nice") if low_priority else None
        if nice:  # `nice` execs the command, so the process below is Pagefind itself
            command = [nice, "-n", "10", *command]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if started is not None:
            started.append(process)
        output, _ = process.communicate()
        if process.returncode != 0:
            raise SearchIndexError(f"Pagefind exited with status {process.returncode}:\n{output.strip()}")
        pages = _pages_indexed(staging)
        if pages == 0:
            raise SearchIndexError("Pagefind indexed no pages: no page carries data-pagefind-body "
                                   f"(see overrides/main.html).\n{output.strip()}".strip())
        staging.chmod(0o755)  # mkdtemp makes it private; a web server may run as another user
        replace_folder(staging, site_dir / BUNDLE)
        return pages
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _pages_indexed(bundle: Path) -> int:
    try:
        entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SearchIndexError(f"Pagefind wrote no readable pagefind-entry.json ({exc})") from None
    if not (bundle / "pagefind.js").is_file():
        raise SearchIndexError("Pagefind wrote no pagefind.js")
    return sum(int(language.get("page_count", 0)) for language in entry.get("languages", {}).values())


def indexed_pages(site_dir: Path | str) -> dict[str, dict]:
    """What the bundle in `site_dir` holds, by page URL path ("/kb/findings/x/"): Pagefind's record
    of each page (`content`: its indexed text, `meta`: title and kind, `filters`). For tests."""
    import gzip

    pages = {}
    for fragment in sorted((Path(site_dir) / BUNDLE / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(fragment.read_bytes())
        record = json.loads(data.removeprefix(b"pagefind_dcd"))
        pages[record["url"]] = record
    return pages


# --- the MkDocs session (build or serve) ----------------------------------------------------------
class _Session:
    """What lasts from on_startup to on_shutdown: serving or not, and the background indexer."""

    def __init__(self) -> None:
        self.serving = False
        self.indexed_once = False
        self.lock = threading.Lock()
        self.pending: Path | None = None
        self.worker: threading.Thread | None = None
        self.processes: list = []
        self.stopping = False


_session = _Session()


def start_session(command: str) -> None:
    """MkDocs' on_startup: `command` is 'serve' for a dirty or live-reloading serve, else 'build'."""
    global _session
    _session = _Session()
    _session.serving = command == "serve"


def end_session() -> None:
    """MkDocs' on_shutdown: stop a background run (the server is about to delete its site folder)."""
    session = _session
    with session.lock:
        session.stopping = True
        session.pending = None
        worker = session.worker
    for process in session.processes:
        if process.poll() is None:
            process.terminate()
    if worker is not None:
        worker.join(timeout=10)
    start_session("build")  # a later build in the same process indexes synchronously again


def after_build(site_dir: Path | str) -> None:
    """MkDocs' on_post_build. Raises SearchIndexError in a build; logs problems when serving."""
    session = _session
    site_dir = Path(site_dir)
    if not session.serving:
        started = time.perf_counter()
        pages = index_site(site_dir)
        log.info("search: Pagefind indexed %d pages in %.1f s", pages, time.perf_counter() - started)
        return
    if not session.indexed_once:
        started = time.perf_counter()
        try:
            pages = index_site(site_dir)
        except SearchIndexError as exc:
            log.error("search: the site is served without search: %s", exc)
            return
        session.indexed_once = True
        log.info("search: Pagefind indexed %d pages in %.1f s", pages, time.perf_counter() - started)
        return
    with session.lock:
        session.pending = site_dir
        if session.worker is None or not session.worker.is_alive():
            session.worker = threading.Thread(target=_background, args=(session,), daemon=True,
                                              name="pagefind-indexer")
            session.worker.start()


def _background(session: _Session) -> None:
    while True:
        with session.lock:
            site_dir, session.pending = session.pending, None
            if site_dir is None or session.stopping:
                session.worker = None
                return
        started = time.perf_counter()
        try:
            session.processes = []
            pages = index_site(site_dir, low_priority=True, started=session.processes)
        except (SearchIndexError, OSError) as exc:
            if not session.stopping:
                log.warning("search: could not refresh the index, still serving the previous one: %s", exc)
            continue
        log.info("search: Pagefind refreshed the index (%d pages) in %.1f s, in the background",
                 pages, time.perf_counter() - started)
