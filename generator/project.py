"""Where things live in a project checkout (or a fixture evidence set)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator import PROJECT_ROOT

GENERATED = "kb"
"""Folder inside docs/ that holds generated Markdown (git-ignored)."""


@dataclass(frozen=True)
class Project:
    root: Path
    """Project root: holds evidence/, references.bib, docs/, mkdocs.yml."""
    templates: Path = PROJECT_ROOT / "templates"
    """Jinja templates (the project's own, also for fixture roots)."""

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
    def at(cls, root: Path | str | None = None) -> "Project":
        return cls(Path(root).resolve() if root else Path.cwd().resolve())
