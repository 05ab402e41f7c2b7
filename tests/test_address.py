"""The published address is configuration: --site-url, GPCE_SITE_URL, GPCE_REPO_URL or git; never a
placeholder, and a local build shows no permanent address at all."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import make_project

from generator.address import Addresses, AddressError, repo_url_from_remote, resolve, site_url_or_none
from generator.cli import main
from generator.pipeline import build

HOW = ("set GPCE_SITE_URL=https://… (or pass --site-url) to the address the site is published at; "
       "the GitHub workflows take it from GitHub Pages")


@pytest.mark.parametrize("value, expected", [
    ("https://owner.github.io/evidence", "https://owner.github.io/evidence/"),
    ("https://owner.github.io/evidence///", "https://owner.github.io/evidence/"),
    ("  https://evidence.nhs.test/ ", "https://evidence.nhs.test/"),
    ("", None), (None, None), ("   ", None),
])
def test_site_url_gets_one_trailing_slash(value, expected):
    assert site_url_or_none(value) == expected


@pytest.mark.parametrize("value, message", [
    ("owner.github.io/evidence", "GPCE_SITE_URL is 'owner.github.io/evidence', not an http(s) address; " + HOW),
    ("ftp://host/x", "GPCE_SITE_URL is 'ftp://host/x', not an http(s) address; " + HOW),
    ("https://host/x?a=1", "GPCE_SITE_URL is 'https://host/x?a=1': a published address has no '?' or '#' part"),
    ("https://example.org/gp-commissioning-evidence/",
     "GPCE_SITE_URL is 'https://example.org/gp-commissioning-evidence/', a placeholder host: citations would "
     "point nowhere; " + HOW),
    ("http://localhost:8000/", "GPCE_SITE_URL is 'http://localhost:8000/', a placeholder host: citations would "
     "point nowhere; " + HOW),
])
def test_what_cannot_be_a_published_address_is_refused(value, message):
    with pytest.raises(AddressError) as raised:
        site_url_or_none(value)
    assert str(raised.value) == message


@pytest.mark.parametrize("remote, expected", [
    ("git@github.com:owner/evidence.git", "https://github.com/owner/evidence"),
    ("ssh://git@gitlab.com/group/sub/evidence.git", "https://gitlab.com/group/sub/evidence"),
    ("https://github.com/owner/evidence.git\n", "https://github.com/owner/evidence"),
    ("https://github.com/owner/evidence/", "https://github.com/owner/evidence"),
    ("/work/main", None), ("", None), ("https://github.com/", None),
])
def test_repository_address_from_the_origin_remote(remote, expected):
    assert repo_url_from_remote(remote) == expected


def test_an_explicit_address_wins_over_the_environment_and_the_environment_over_git(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "remote", "add", "origin", "git@github.com:fork/evidence.git"],
                   check=True)
    env = {"GPCE_SITE_URL": "https://fork.github.io/evidence", "GPCE_REPO_URL": "https://github.com/env/evidence/"}
    assert resolve(tmp_path, environ={}) == Addresses(site_url=None, repo_url="https://github.com/fork/evidence")
    assert resolve(tmp_path, environ=env) == Addresses("https://fork.github.io/evidence/",
                                                       "https://github.com/env/evidence")
    assert resolve(tmp_path, site_url="https://mine.test", repo_url="https://git.test/me/x", environ=env) == \
        Addresses("https://mine.test/", "https://git.test/me/x")
    assert resolve(tmp_path, environ=env).edit_uri == "edit/main/docs/"
    assert resolve(tmp_path, environ=env).repo_name == "env/evidence"


def test_outside_git_and_unset_there_is_no_address(tmp_path):
    assert resolve(tmp_path, environ={}) == Addresses(site_url=None, repo_url=None)
    assert Addresses(None, None).edit_uri is None


# the command line

def _run(*args, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], env={"GPCE_SITE_URL": None, "GPCE_REPO_URL": None,
                                                                 **(env or {})})


def test_a_release_build_without_an_address_fails_and_writes_nothing(fixture_project):
    result = _run("build", "--root", fixture_project.root, "--release")
    assert result.exit_code == 2
    assert result.stderr == f"build: --release needs the published address; {HOW}\n"
    assert not fixture_project.generated.exists() and not fixture_project.site.exists()


def test_a_placeholder_address_is_refused_from_the_environment_too(fixture_project):
    result = _run("build", "--root", fixture_project.root, env={"GPCE_SITE_URL": "https://example.org/x/"})
    assert result.exit_code == 2
    assert result.stderr == (f"build: GPCE_SITE_URL is 'https://example.org/x/', a placeholder host: citations "
                             f"would point nowhere; {HOW}\n")
    result = _run("build", "--root", fixture_project.root, "--site-url", "example.org")
    assert result.exit_code == 2
    assert result.stderr == f"build: --site-url is 'example.org', not an http(s) address; {HOW}\n"


def test_a_local_build_says_how_to_publish(fixture_project):
    result = _run("build", "--root", fixture_project.root, "--no-site")
    assert result.exit_code == 0
    assert result.stderr == f"build: a local preview, so pages show no permanent address; for the published site, {HOW}\n"
    published = _run("build", "--root", fixture_project.root, "--no-site", "--site-url", "https://fork.github.io/ev/")
    assert published.exit_code == 0 and published.stderr == ""


def test_the_environment_address_reaches_pages_citations_metadata_and_sitemap(fixture_project):
    result = _run("build", "--root", fixture_project.root, "--release",
                  env={"GPCE_SITE_URL": "https://fork.github.io/evidence", "GPCE_REPO_URL": "https://github.com/fork/ev"})
    assert result.exit_code == 0, result.output
    page = (fixture_project.site / "kb/findings/alpha-maternity-change/index.html").read_text(encoding="utf-8")
    url = "https://fork.github.io/evidence/kb/findings/alpha-maternity-change/"
    assert f'Permanent address: <a href="{url}">{url}</a>' in page
    assert f'<meta name="citation_abstract_html_url" content="{url}">' in page
    assert json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page)[1])["@id"] == url
    assert 'href="https://github.com/fork/ev/edit/main/evidence/findings/alpha-maternity-change.yaml"' in page
    about = (fixture_project.site / "about/index.html").read_text(encoding="utf-8")
    assert 'href="https://github.com/fork/ev/edit/main/docs/about.md"' in about
    assert "<loc>https://fork.github.io/evidence/kb/findings/alpha-maternity-change/</loc>" in \
        (fixture_project.site / "sitemap.xml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def local_site(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("local") / "project", addresses=Addresses(None, None))
    build(project, git_dates=False)
    return project


def test_a_local_build_shows_no_permanent_address_and_says_how_to_set_one(local_site):
    page = (local_site.site / "kb/findings/alpha-maternity-change/index.html").read_text(encoding="utf-8")
    assert ('Permanent address: none in this local build; a published build shows it '
            '(<a href="../../../contributing/#published-address">setting the address</a>).') in page
    assert "citation_abstract_html_url" not in page
    metadata = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page)[1])
    assert "@id" not in metadata and "url" not in metadata and metadata["isPartOf"] == {
        "@type": "WebSite", "name": "GP-led commissioning evidence"}
    assert "Available at" not in page and "UR  &#45;" not in page
    assert "<loc>" not in (local_site.site / "sitemap.xml").read_text(encoding="utf-8")
    assert json.loads((local_site.site / "kb/data/evidence.json").read_text(encoding="utf-8"))["site"] is None


@pytest.mark.parametrize("build_name", ["local_site", "fixture_site", "real_site"])
def test_no_built_file_carries_a_placeholder_address(build_name, request):
    site: Path = request.getfixturevalue(build_name).site
    placeholders = re.compile(rb"example\.(org|com|net)")
    ours = [p for p in site.rglob("*") if p.is_file() and p.relative_to(site).parts[0] != "pagefind"]
    assert len(ours) > 50  # pagefind/ is Pagefind's own code (its comments name example.com) and index
    carrying = [p.relative_to(site).as_posix() for p in ours if placeholders.search(p.read_bytes())]
    assert carrying == []
