"""Shared fixtures: a throwaway project around the small fixture evidence, and one build of the
real evidence base per test session (the slow part, shared by every test that needs a site)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator import PROJECT_ROOT
from generator.address import Addresses
from generator.project import Project

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = PROJECT_ROOT.parent / "shared" / "seeds"
TEST_ADDRESSES = Addresses(site_url="https://gpce.test/evidence/", repo_url="https://git.gpce.test/owner/evidence")
"""A published build's addresses for the tests (.test is reserved: it can never be a real site)."""


def make_project(target: Path, evidence_from: Path = FIXTURES / "mini",
                 addresses: Addresses = TEST_ADDRESSES) -> Project:
    """A complete project in `target`: the fixture's evidence and .bib with the repo's site files,
    built as if published at TEST_ADDRESSES (pass Addresses(None, None) for a local build)."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(evidence_from / "evidence", target / "evidence")
    shutil.copy(evidence_from / "references.bib", target / "references.bib")
    shutil.copy(PROJECT_ROOT / "mkdocs.yml", target / "mkdocs.yml")
    shutil.copytree(PROJECT_ROOT / "overrides", target / "overrides")
    shutil.copytree(PROJECT_ROOT / "docs", target / "docs",
                    ignore=shutil.ignore_patterns("kb"))
    (target / "generator").mkdir()
    shutil.copy(PROJECT_ROOT / "generator" / "mkdocs_hooks.py", target / "generator" / "mkdocs_hooks.py")
    return Project(target, addresses=addresses)


@pytest.fixture
def fixture_project(tmp_path: Path) -> Project:
    """A fresh copy of the small fixture evidence set, as a buildable project."""
    return make_project(tmp_path / "project")


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory) -> Project:
    """The fixture evidence built once into <root>/site with --strict."""
    from generator.pipeline import build

    project = make_project(tmp_path_factory.mktemp("fixture-site") / "project")
    build(project, git_dates=False)
    return project


@pytest.fixture(scope="session")
def real_project() -> Project:
    return Project(PROJECT_ROOT)


@pytest.fixture(scope="session")
def real_site(tmp_path_factory) -> Project:
    """The real evidence base built once with --strict into a throwaway project copy."""
    from generator.pipeline import build

    root = tmp_path_factory.mktemp("real-site") / "project"
    project = make_project(root, evidence_from=PROJECT_ROOT)
    build(project, git_dates=False)
    return project
