"""`serve`: regenerate on every edit to the evidence, let MkDocs live-reload the pages."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import click

from generator.errors import EvidenceError
from generator.project import Project

POLL_SECONDS = 0.5


def _fingerprint(paths: list[Path]) -> tuple:
    stamps = []
    for base in paths:
        if base.is_file():
            stamps.append((str(base), base.stat().st_mtime_ns, base.stat().st_size))
        elif base.is_dir():
            for path in sorted(base.rglob("*")):
                if path.is_file():
                    stat = path.stat()
                    stamps.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(stamps)


def regenerate(project: Project) -> bool:
    from generator.pipeline import generate

    try:
        report = generate(project)
    except EvidenceError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"serve: {len(exc.problems)} problem(s); keeping the last good pages", err=True)
        return False
    click.echo(f"serve: regenerated ({report.summary()})")
    return True


def _watch(project: Project, stop: threading.Event) -> None:
    # Watch only inputs: the generated folder is the engine's to watch, so no reload loop.
    watched = [project.evidence, project.bibliography, project.templates]
    last = _fingerprint(watched)
    while not stop.wait(POLL_SECONDS):
        current = _fingerprint(watched)
        if current != last:
            last = current
            regenerate(project)


def serve(project: Project, dev_addr: str) -> None:
    from mkdocs.commands.serve import serve as mkdocs_serve

    from generator.pipeline import generate

    generate(project)  # raises EvidenceError on a bad start: nothing to serve
    stop = threading.Event()
    watcher = threading.Thread(target=_watch, args=(project, stop), daemon=True)
    watcher.start()
    try:
        mkdocs_serve(config_file=str(project.mkdocs_yml), dev_addr=dev_addr, livereload=True,
                     build_type="dirty", strict=False)
    finally:
        stop.set()
        time.sleep(0)
