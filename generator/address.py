"""Where the site is published and where its repository lives: configuration, never a placeholder.

The published address comes from `--site-url` or the GPCE_SITE_URL environment variable (the GitHub
workflows set it from GitHub Pages, so a fork publishes under its own address with no edit); with
neither, the build is local and shows no permanent address. The repository's web address comes from
GPCE_REPO_URL or the checkout's `origin` remote. mkdocs.yml reads the same variables with `!ENV`,
so a bare `mkdocs build` agrees with the generator.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

SITE_URL_ENV = "GPCE_SITE_URL"
REPO_URL_ENV = "GPCE_REPO_URL"
HOW_TO_SET = (f"set {SITE_URL_ENV}=https://… (or pass --site-url) to the address the site is published at; "
              "the GitHub workflows take it from GitHub Pages")
_PLACEHOLDER_HOSTS = re.compile(r"(^|\.)example\.(org|com|net)$|(^|\.)(localhost|invalid)$")
_GIT_REMOTE = re.compile(r"^(?:git@|ssh://git@)(?P<host>[^:/]+)[:/](?P<path>.+?)(?:\.git)?/?$")


class AddressError(ValueError):
    """A configured address that cannot be a published address; the message says which and why."""


@dataclass(frozen=True)
class Addresses:
    site_url: str | None
    """Published address with a trailing slash, or None for a local build."""
    repo_url: str | None
    """The repository's web address (https://github.com/owner/name), or None when unknown."""
    branch: str = "main"

    @property
    def edit_uri(self) -> str | None:
        """MkDocs' edit_uri: pages are edited in the repository's docs/ folder."""
        return f"edit/{self.branch}/docs/" if self.repo_url else None

    @property
    def repo_name(self) -> str | None:
        return urlsplit(self.repo_url).path.strip("/") if self.repo_url else None


def site_url_or_none(value: str | None, origin: str = SITE_URL_ENV) -> str | None:
    """The published address with one trailing slash; None for no value. Refuses what cannot be one."""
    value = (value or "").strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise AddressError(f"{origin} is {value!r}, not an http(s) address; {HOW_TO_SET}")
    if parts.query or parts.fragment:
        raise AddressError(f"{origin} is {value!r}: a published address has no '?' or '#' part")
    if _PLACEHOLDER_HOSTS.search(parts.hostname):
        raise AddressError(f"{origin} is {value!r}, a placeholder host: citations would point nowhere; "
                           f"{HOW_TO_SET}")
    return value.rstrip("/") + "/"


def repo_url_from_remote(remote: str) -> str | None:
    """https://host/owner/name for a git remote (https or ssh form); None for a local path."""
    remote = remote.strip()
    match = _GIT_REMOTE.match(remote)
    if match:
        return f"https://{match['host']}/{match['path']}"
    parts = urlsplit(remote)
    if parts.scheme in ("https", "http") and parts.hostname:
        path = parts.path.rstrip("/").removesuffix(".git")
        return f"https://{parts.hostname}{path}" if path.strip("/") else None
    return None


def _origin_remote(root: Path) -> str:
    try:
        return subprocess.run(["git", "remote", "get-url", "origin"], cwd=root, capture_output=True,
                              text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


def resolve(root: Path, site_url: str | None = None, repo_url: str | None = None,
            environ: Mapping[str, str] = os.environ) -> Addresses:
    """The addresses for a build of `root`: an explicit value, then the environment, then git."""
    site = site_url_or_none(site_url, "--site-url") if site_url else site_url_or_none(environ.get(SITE_URL_ENV))
    repo = (repo_url or environ.get(REPO_URL_ENV) or "").strip()
    repo = repo.rstrip("/") if repo else repo_url_from_remote(_origin_remote(root))
    if repo and urlsplit(repo).scheme not in ("https", "http"):
        raise AddressError(f"{REPO_URL_ENV} is {repo!r}, not an http(s) address of the repository")
    return Addresses(site_url=site, repo_url=repo or None)
