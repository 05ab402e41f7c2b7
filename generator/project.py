"""Where things live in a project checkout (or a fixture evidence set)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from generator import PROJECT_ROOT
from generator.address import Addresses

GENERATED = "kb"
"""Folder inside docs/ that holds generated Markdown (git-ignored)."""


@dataclass(frozen=True)
class Project:
    root: Path
    """Project root: holds evidence/, references.bib, docs/, mkdocs.yml."""
    templates: Path = PROJECT_ROOT / "templates"
    """Jinja templates (the project's own, also for fixture roots)."""
    addresses: Addresses = field(default=Addresses(site_url=None, repo_url=None))
    """Where the site is published and its repository (generator.address.resolve); none by default,
    which is a local build: no permanent addresses."""

    @property
    def evidence(self) -> Path:
        return self.root / "evidence"

    @property
    def bibliography(self) -> Path:
        return self.root / "references.bib"

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def generated(self) -> Path:
        return self.docs / GENERATED

    @property
    def mkdocs_yml(self) -> Path:
        return self.root / "mkdocs.yml"

    @property
    def cache(self) -> Path:
        """Git-ignored folder for results that are slow to remake (the formatted bibliography)."""
        return self.root / ".cache" / "generator"

    @property
    def site(self) -> Path:
        return self.root / "site"

    @classmethod
    def at(cls, root: Path | str | None = None, addresses: Addresses | None = None) -> "Project":
        folder = Path(root).resolve() if root else Path.cwd().resolve()
        return cls(folder, addresses=addresses) if addresses else cls(folder)
