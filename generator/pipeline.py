"""Thin orchestrator: load -> validate -> model -> render -> write -> site build."""

from __future__ import annotations

import datetime
import gc
from contextlib import contextmanager

from generator.bib import parse_bibliography
from generator.changelog import levels_at, unexplained_grade_changes
from generator.errors import EvidenceError, Problem
from generator.inputsafety import link_problem, tree_link_problems
from generator.kb import KnowledgeBase
from generator.loader import display_path, load_evidence
from generator.project import Project
from generator.validate import check_bibliography_keys, validate_records


@contextmanager
def cyclic_gc_paused():
    """Run a stage that builds a large, long-lived, acyclic structure (parsed and typed records,
    pages) without CPython's cyclic garbage collector, which would otherwise re-scan everything built
    so far each time enough new objects pile up (about a third of check's time at 10,000 records).

    On exit everything alive is moved to the collector's permanent generation (gc.freeze), so later
    collections skip it too (reference counting still frees it when dropped). The next call first
    unfreezes the previous batch, so a garbage cycle frozen with it is kept until then at most;
    check makes none (tested). The collector is re-enabled only if it was on."""
    was_enabled = gc.isenabled()
    gc.unfreeze()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def check(project: Project, grade_drift: bool = True, against: str | None = None) -> KnowledgeBase:
    """Load and validate everything; raise EvidenceError with every problem found. With
    `grade_drift=False`, a lesson graded against older finding grades is not a problem (for the
    command that records the re-assessment). With `against` (a git revision, such as origin/main),
    a grade that differs from that revision's needs a change-log entry giving the reason; a
    revision that cannot be read raises changelog.RevisionError."""
    with cyclic_gc_paused():
        return _check(project, grade_drift, against)


def _check(project: Project, grade_drift: bool = True, against: str | None = None) -> KnowledgeBase:
    raw = load_evidence(project.evidence, project.root)
    records, problems = validate_records(raw, grade_drift=grade_drift)
    if against:
        before = levels_at(project.root, against)
        problems += unexplained_grade_changes(records, before, against, datetime.date.today().isoformat())
    problems += repository_link_problems(project)
    bib_display = display_path(project.bibliography, project.root)
    linked = link_problem(project.bibliography, project.root, bib_display)
    if linked is not None:  # never read it: the link could point anywhere on the build machine
        problems.append(linked)
        bibliography = None
    else:
        bibliography = parse_bibliography(project.bibliography, bib_display, cache_dir=project.cache)
        problems += bibliography.problems
    if bibliography is not None and bibliography.readable:
        known_keys = set(bibliography.references) | bibliography.unparsed_keys
        problems += check_bibliography_keys(records, known_keys, bib_display)
    if problems:
        raise EvidenceError(problems)
    return KnowledgeBase(records, bibliography.references)


def repository_link_problems(project: Project) -> list[Problem]:
    """Links and special files among what the site is built from, besides evidence/ (which the loader
    checks as it reads) and references.bib: the pages, the templates, the theme overrides, mkdocs.yml."""
    problems = []
    for folder in (project.docs, project.root / "overrides"):
        problems += tree_link_problems(folder, project.root)
    problems += tree_link_problems(project.templates, project.templates.parent)
    linked = link_problem(project.mkdocs_yml, project.root, "mkdocs.yml")
    return problems + ([linked] if linked is not None else [])


def generate(project: Project, git_dates: bool = True):
    """check, then render the pages one at a time, writing each that changed as it comes (so memory
    holds one page, not the site). Returns the write report; a failure undoes the writes."""
    from generator.render import iter_pages
    from generator.write import sync_tree

    kb = check(project)
    return sync_tree(project.generated, iter_pages(kb, project, git_dates=git_dates), undo_folder=project.cache / "undo")


def build(project: Project, site_dir=None, git_dates: bool = True):
    """generate, then build the site with `mkdocs build --strict`; roll back on failure."""
    from generator.site import build_site

    report = generate(project, git_dates=git_dates)
    try:
        build_site(project, site_dir or project.site)
    except Exception:
        report.undo()
        raise
    return report
