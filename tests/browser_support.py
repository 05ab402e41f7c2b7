"""Helpers for the browser, HTML and link tests: serve a built site on 127.0.0.1, find and launch
Debian's Chromium, and decide whether a missing tool is a skip (a user's machine) or a failure (CI)."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("GPCE_CHROMIUM", "/usr/bin/chromium")
"""Playwright's own browser download is not available here: we drive the system Chromium."""

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

HOST = "127.0.0.1"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def missing_tool(reason: str) -> None:
    """Skip on a user's machine; fail in CI, where a missing tool means the tests did not run."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: a missing tool is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


def chromium_problem() -> str | None:
    """Why Chromium cannot be used here, or None when it can."""
    if not Path(CHROMIUM).is_file() or not os.access(CHROMIUM, os.X_OK):
        return (f"Chromium not found at {CHROMIUM}: install it with `apt-get install chromium` "
                "(or `make browser-deps` as root), or set GPCE_CHROMIUM to its path")
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is not installed: run `pip install -e '.[test]'`"
    return None


def java_problem() -> str | None:
    """Why the Nu HTML Checker (a Java program) cannot run here, or None when it can."""
    java = shutil.which("java")
    if java is None:
        return "Java not found: the Nu HTML Checker needs it (`apt-get install default-jre-headless`)"
    probe = subprocess.run([java, "-version"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"`java -version` failed: {probe.stderr.strip()[:200]}"
    return None


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve `folder` over HTTP on 127.0.0.1 on a free port, in a thread; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer((HOST, 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def page_url_of(site: Path, html_file: Path) -> str:
    """The URL path of a built HTML file, as MkDocs links it (directory URLs end in '/')."""
    relative = html_file.relative_to(site).as_posix()
    if relative == "index.html":
        return ""
    if relative.endswith("/index.html"):
        return relative[: -len("index.html")]
    return relative
