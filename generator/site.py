"""Stage 7, site: build the generated Markdown into HTML with the site engine (MkDocs 1.x).

The build goes to a temporary folder beside the target and replaces it only when it succeeds, so
a failed build leaves the previous site in place. The search index is part of the build: the MkDocs
hook runs Pagefind on that temporary folder (generator/search.py), and a Pagefind failure fails it.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

from generator.errors import BuildError
from generator.project import Project
from generator.write import replace_folder


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname}: {record.getMessage()}")


def engine_addresses(project: Project) -> dict[str, str]:
    """The configured addresses as MkDocs settings (mkdocs.yml reads the same environment variables;
    these also carry --site-url and the address taken from the origin remote)."""
    a = project.addresses
    values = {"site_url": a.site_url, "repo_url": a.repo_url, "repo_name": a.repo_name, "edit_uri": a.edit_uri}
    return {name: value for name, value in values.items() if value}


def build_site(project: Project, site_dir: Path) -> None:
    """`mkdocs build --strict` into `site_dir`, atomically."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    site_dir = Path(site_dir).resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-new-", dir=site_dir.parent))
    collector = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collector)
    previous_cwd = os.getcwd()
    try:
        os.chdir(project.root)  # Markdown extensions (snippets) resolve paths from the working folder
        config = load_config(config_file=str(project.mkdocs_yml), strict=True, site_dir=str(staging),
                             **engine_addresses(project))
        build(config)
    except (MkDocsException, SystemExit, Exception) as exc:  # noqa: BLE001 - the engine may raise anything
        shutil.rmtree(staging, ignore_errors=True)
        details = "\n".join(collector.messages[-20:])
        raise BuildError(f"site build failed: {exc}\n{details}".strip()) from None
    finally:
        os.chdir(previous_cwd)
        logger.removeHandler(collector)
    replace_folder(staging, site_dir)
