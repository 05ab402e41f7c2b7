"""Throwaway git repositories for tests, with fixed identities and commit dates and no user config."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def git_env(when: str) -> dict[str, str]:
    """Environment variables that make git's identity and dates exact and ignore the user's config."""
    return {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
            "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


class Repo:
    """A throwaway git repository whose commits carry the dates we give."""

    def __init__(self, path: Path):
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, when: str = "2024-01-01T10:00:00+00:00") -> str:
        return subprocess.run(["git", *args], cwd=self.path, env={**os.environ, **git_env(when)}, check=True,
                              capture_output=True, text=True).stdout.strip()

    def commit(self, files: dict[str, str | None], message: str, when: str) -> str:
        """Write (or, for None, delete) each file, commit everything; the commit's id."""
        for name, text in files.items():
            path = self.path / name
            if text is None:
                path.unlink()
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
        self.git("add", "-A", when=when)
        self.git("commit", "-q", "-m", message, when=when)
        return self.git("rev-parse", "HEAD")
