"""`serve`: regenerate on every edit to the evidence, let MkDocs live-reload the pages."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import click

from generator.errors import EvidenceError
from generator.project import Project

POLL_SECONDS = 0.5


def _fingerprint(paths: list[Path]) -> tuple:
    stamps = []
    for base in paths:
        files = [base] if base.is_file() else sorted(base.rglob("*")) if base.is_dir() else []
        for path in files:
            try:
                stat = path.stat()
            except OSError:  # an editor's temporary file, gone between listing and stat
                continue
            if path.is_file():
                stamps.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(stamps)


def regenerate(project: Project) -> bool:
    """Regenerate docs/kb from the evidence. On any problem, print it and keep the last good pages."""
    from generator.pipeline import generate

    try:
        report = generate(project)
    except EvidenceError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        count = len(exc.problems)
        click.echo(f"serve: {count} problem{'' if count == 1 else 's'}; keeping the last good pages", err=True)
        return False
    except Exception as exc:  # noqa: BLE001 - e.g. a template being edited; the watcher must live on
        click.echo(f"serve: cannot regenerate ({type(exc).__name__}: {exc}); keeping the last good pages",
                   err=True)
        return False
    click.echo(f"serve: regenerated ({report.summary()})")
    return True


def inputs_fingerprint(project: Project) -> tuple:
    # Only inputs: the generated folder is the engine's to watch, so there is no reload loop.
    return _fingerprint([project.evidence, project.bibliography, project.templates])


def _watch(project: Project, stop: threading.Event, poll: float, last: tuple) -> None:
    while not stop.wait(poll):
        current = inputs_fingerprint(project)
        if current != last:
            last = current
            regenerate(project)


def start_watching(project: Project, poll: float = POLL_SECONDS,
                   since: tuple | None = None) -> tuple[threading.Thread, threading.Event]:
    """Regenerate in a background thread whenever an input changes after `since` (a fingerprint
    taken before the last generation; default: now). Set the returned event to stop."""
    baseline = inputs_fingerprint(project) if since is None else since
    stop = threading.Event()
    watcher = threading.Thread(target=_watch, args=(project, stop, poll, baseline), daemon=True,
                               name="evidence-watcher")
    watcher.start()
    return watcher, stop


def _show_engine_messages() -> None:
    """MkDocs logs 'Serving on ...' and its rebuilds at INFO; show them as its own CLI would."""
    logger = logging.getLogger("mkdocs")
    if not any(getattr(handler, "_gpce", False) for handler in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        # Dirty rebuilds are deliberate here (record pages are out of the nav), so MkDocs' warning
        # about them would only alarm contributors.
        handler.addFilter(lambda record: not record.getMessage().startswith("A 'dirty' build"))
        handler._gpce = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def serve(project: Project, dev_addr: str) -> None:
    """Generate, then serve with live reload until interrupted. With problems in the evidence it
    serves the last good pages if there are any, and raises EvidenceError if there are none."""
    from mkdocs.commands.serve import serve as mkdocs_serve

    from generator.pipeline import generate
    from generator.site import engine_addresses

    baseline = inputs_fingerprint(project)  # before generating, so no edit made meanwhile is missed
    if not project.generated.is_dir():
        generate(project)  # raises EvidenceError on a bad start: there are no pages to serve
    elif not regenerate(project):
        click.echo("serve: serving the last good pages; they update as soon as the problems are fixed", err=True)
    os.chdir(project.root)  # Markdown extensions (snippets) resolve paths from the working folder
    _show_engine_messages()
    _, stop = start_watching(project, since=baseline)
    try:
        # site_url is overridden so the site is served at the root of dev_addr, not under the
        # published site's path.
        mkdocs_serve(config_file=str(project.mkdocs_yml), dev_addr=dev_addr, livereload=True,
                     build_type="dirty", strict=False, site_url=f"http://{dev_addr}/",
                     **{name: value for name, value in engine_addresses(project).items() if name != "site_url"})
    finally:
        stop.set()
