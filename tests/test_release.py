"""Releases: `release` writes the changelog section, CITATION.cff and .zenodo.json, commits and tags;
it refuses what cannot be released; versions.py reads the releases and the changelog back."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml
from click.testing import CliRunner
from git_repos import Repo, git_env

from conftest import make_project
from generator.address import HOW_TO_SET
from generator.cli import main
from generator.history import EvidenceChanges, GradeChange, RecordChange
from generator.release import CHANGELOG_HEADER, changelog_section, with_section
from generator.versions import Release, changelog_sections, current_release, next_version, releases

SITE = "https://gpce.test/"
FIRST_DAY = "2026-11-26T12:00:00+00:00"
SECOND_DAY = "2026-11-27T12:00:00+00:00"
FINDINGS = "evidence/findings"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """The fixture evidence as a git repository with one commit, no release, and no address set."""
    for name in ("GPCE_SITE_URL", "GPCE_REPO_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in git_env(FIRST_DAY).items():
        monkeypatch.setenv(name, value)
    project = make_project(tmp_path / "project")
    (project.root / ".gitignore").write_text(".cache/\n")
    repo = Repo(project.root)
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "The evidence", when=FIRST_DAY)
    return repo


def release(repo, version, *more, day="2026-11-26"):
    return run("release", version, "--root", repo.path, "--site-url", SITE, "--date", day, *more)


def second_release_edits(repo):
    """A finding regraded, reworded and given a quote; its lesson regraded and re-assessed; another
    lesson removed; a finding added."""
    finding = repo.path / FINDINGS / "alpha-budget-risk.yaml"
    text = finding.read_text().replace("level: moderate", "level: low").replace(
        "statement: Pilots with larger", "statement: Only pilots with larger").replace(
        "    order: 1\n", "    order: 1\n  - source: alpha-1999-total\n    locator: Table 2\n"
                         "    quote: Budgets were delegated.\n").replace(
        "checked:", 'change-log:\n  - date: "2026-11-27"\n    what: Grade moderate → low\n'
                    "    why: Only the larger pilots' own accounts | support it.\n    grade: {from: moderate, to: low}\n"
                    "checked:")
    lesson = repo.path / "evidence/lessons/pcts-pool-budget-risk.yaml"
    added = (repo.path / FINDINGS / "alpha-maternity-change.yaml").read_text().replace(
        "id: alpha-maternity-change", "id: alpha-maternity-slow").split("checked:")[0]
    return repo.commit({f"{FINDINGS}/alpha-budget-risk.yaml": text,
                        "evidence/lessons/pcts-pool-budget-risk.yaml": lesson.read_text().replace(
                            "alpha-budget-risk: moderate", "alpha-budget-risk: low").replace(
                            "  level: moderate", "  level: low"),
                        "evidence/lessons/practices-plan-maternity.yaml": None,
                        f"{FINDINGS}/alpha-maternity-slow.yaml": added}, "Regrade alpha-budget-risk", SECOND_DAY)


SECOND_SECTION = f"""\
## v2026.2 — 2026-11-27

Changes to the evidence since v2026.1.

### Grades changed (2)

- lesson [pcts-pool-budget-risk]({SITE}kb/lessons/pcts-pool-budget-risk/): moderate → low — no reason recorded
- finding [alpha-budget-risk]({SITE}kb/findings/alpha-budget-risk/): moderate → low — Only the larger pilots' own \
accounts \\| support it.

### Added (1)

- finding [alpha-maternity-slow]({SITE}kb/findings/alpha-maternity-slow/): 12 of 53 first-wave TPPs reported \
achievements in maternity care in 1997/98.

### Changed (2)

- lesson [pcts-pool-budget-risk]({SITE}kb/lessons/pcts-pool-budget-risk/): Grade moderate → low; Finding grades \
recorded
- finding [alpha-budget-risk]({SITE}kb/findings/alpha-budget-risk/): Grade moderate → low; Statement reworded; \
Quote added (Table 2); Change log entry added

### Removed (1)

- lesson practices-plan-maternity: Plan maternity changes over several years
"""

CITATION = """\
# How to cite this release of the evidence base. Written by `python -m generator release`.
cff-version: 1.2.0
message: "If you use this evidence base, please cite this release of it as below."
type: dataset
title: "GP-led commissioning evidence"
authors:
  - name: "GP-led commissioning evidence contributors"
version: "v2026.2"
date-released: "2026-11-27"
url: "https://gpce.test/"
repository-code: "https://github.com/gpce/evidence"
license: CC-BY-4.0
abstract: "Lessons from two decades of GP-led commissioning in the NHS, with the evidence behind each one."
keywords:
  - "Budgets and financial risk"
  - "Maternity services"
"""


def test_two_releases(repo, monkeypatch):
    result = release(repo, "v2026.1")
    assert result.exit_code == 0, result.output
    first = repo.git("rev-parse", "HEAD")
    assert result.stdout == (
        f"release: wrote CHANGELOG.md, CITATION.cff, .zenodo.json; committed 'Release v2026.1' ({first[:7]}); "
        "tagged v2026.1\n"
        "next: push the commit and the tag (git push && git push origin v2026.1); the release workflow then "
        "publishes the GitHub release\n")
    first_section = changelog_sections(repo.path / "CHANGELOG.md")["v2026.1"]
    assert first_section.splitlines()[:4] == ["The first release.", "", "### Added (10)", ""]
    assert "- context [alpha-tpp-pcg-budget](https://gpce.test/kb/comparisons/alpha-tpp-pcg/#alpha-tpp-pcg-budget)" \
           ": Budget" in first_section
    assert repo.git("log", "-1", "--format=%s") == "Release v2026.1"
    assert repo.git("status", "--porcelain") == ""

    monkeypatch.setenv("GIT_COMMITTER_DATE", SECOND_DAY)
    monkeypatch.setenv("GPCE_REPO_URL", "https://github.com/gpce/evidence")
    second_release_edits(repo)
    result = release(repo, "v2026.2", day="2026-11-27")
    assert result.exit_code == 0, result.output
    second = repo.git("rev-parse", "HEAD")

    changelog = (repo.path / "CHANGELOG.md").read_text()
    assert changelog.startswith(CHANGELOG_HEADER + "\n" + SECOND_SECTION + "\n## v2026.1 — 2026-11-26\n\n")
    assert changelog_sections(repo.path / "CHANGELOG.md") == {
        "v2026.2": SECOND_SECTION.split("\n", 2)[2].strip(), "v2026.1": first_section}
    assert repo.git("tag", "-l", "--format=%(contents)", "v2026.2") == SECOND_SECTION.strip()
    assert repo.git("show", "--name-only", "--format=%s", "HEAD").splitlines() == [
        "Release v2026.2", "", ".zenodo.json", "CHANGELOG.md", "CITATION.cff"]

    assert (repo.path / "CITATION.cff").read_text() == CITATION
    assert json.loads((repo.path / ".zenodo.json").read_text()) == {
        "title": "GP-led commissioning evidence",
        "upload_type": "dataset",
        "description": "Lessons from two decades of GP-led commissioning in the NHS, with the evidence behind each one.",
        "creators": [{"name": "GP-led commissioning evidence contributors"}],
        "access_right": "open",
        "license": "cc-by-4.0",
        "version": "v2026.2",
        "publication_date": "2026-11-27",
        "keywords": ["Budgets and financial risk", "Maternity services"],
        "related_identifiers": [{"identifier": "https://gpce.test/", "relation": "isSupplementTo", "scheme": "url"}],
    }

    assert releases(repo.path) == [Release("v2026.2", "2026-11-27", second), Release("v2026.1", "2026-11-26", first)]
    assert current_release(repo.path) == (Release("v2026.2", "2026-11-27", second), True)
    repo.commit({"notes.txt": "after the release\n"}, "Later", SECOND_DAY)
    assert current_release(repo.path) == (Release("v2026.2", "2026-11-27", second), False)


def test_citation_cff_is_valid_citation_file_format(repo, monkeypatch):
    monkeypatch.setenv("GPCE_REPO_URL", "https://github.com/gpce/evidence")
    assert release(repo, "v2026.1").exit_code == 0
    citation = repo.path / "CITATION.cff"
    assert yaml.safe_load(citation.read_text())["date-released"] == "2026-11-26"
    checked = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema",
                              "vendor.citation-file-format", str(citation)], capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_without_a_repository_address_the_citation_leaves_it_out(repo):
    assert release(repo, "v2026.1").exit_code == 0
    assert "repository-code" not in (repo.path / "CITATION.cff").read_text()


def test_dry_run_prints_the_section_and_writes_nothing(repo):
    before = (repo.git("rev-parse", "HEAD"), repo.git("status", "--porcelain"), repo.git("tag"))
    result = release(repo, "v2026.1", "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("## v2026.1 — 2026-11-26\n\nThe first release.\n\n### Added (10)\n\n")
    assert result.stdout.endswith(
        "release: dry run: would write CHANGELOG.md, CITATION.cff, .zenodo.json, commit them as 'Release v2026.1' "
        "and tag it v2026.1; nothing written\n")
    assert (repo.git("rev-parse", "HEAD"), repo.git("status", "--porcelain"), repo.git("tag")) == before
    assert not any((repo.path / name).exists() for name in ("CHANGELOG.md", "CITATION.cff", ".zenodo.json"))


def test_no_tag_commits_then_a_second_run_tags(repo):
    result = release(repo, "v2026.1", "--no-tag")
    assert result.exit_code == 0, result.output
    commit = repo.git("rev-parse", "HEAD")
    assert result.stdout == (f"release: wrote CHANGELOG.md, CITATION.cff, .zenodo.json; committed 'Release v2026.1' "
                             f"({commit[:7]}); not tagged (--no-tag): run the command again without it to tag v2026.1\n")
    assert repo.git("tag") == ""
    result = release(repo, "v2026.1")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == ("release: wrote CHANGELOG.md, CITATION.cff, .zenodo.json; the release "
                                             "files were already committed; tagged v2026.1")
    assert repo.git("rev-parse", "HEAD") == commit
    assert releases(repo.path) == [Release("v2026.1", "2026-11-26", commit)]
    assert list(changelog_sections(repo.path / "CHANGELOG.md")) == ["v2026.1"]


def test_staged_changes_elsewhere_stay_out_of_the_release_commit(repo):
    (repo.path / "docs" / "about.md").write_text("Staged, not released.\n")
    repo.git("add", "docs/about.md")
    assert release(repo, "v2026.1").exit_code == 0
    assert repo.git("show", "--name-only", "--format=", "HEAD").split() == [".zenodo.json", "CHANGELOG.md",
                                                                           "CITATION.cff"]
    assert repo.git("status", "--porcelain") == "M  docs/about.md"


@pytest.mark.parametrize("version, message", [
    ("2026.2", "'2026.2' is not a release version: write vYYYY.N, the year and then the release's number within "
               "that year from 1, e.g. v2026.2"),
    ("v2026.0", "'v2026.0' is not a release version: write vYYYY.N, the year and then the release's number within "
                "that year from 1, e.g. v2026.2"),
    ("v26.1", "'v26.1' is not a release version: write vYYYY.N, the year and then the release's number within "
              "that year from 1, e.g. v2026.2"),
    ("v2026.1", "v2026.1 already exists as a tag; choose the next version, v2026.2"),
    ("v2025.7", "v2025.7 is not after the latest release, v2026.1; choose a later version, e.g. v2026.2"),
])
def test_refuses_a_version(repo, version, message):
    assert release(repo, "v2026.1").exit_code == 0
    head = repo.git("rev-parse", "HEAD")
    result = release(repo, version)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"release: {message}\n")
    assert repo.git("rev-parse", "HEAD") == head


def test_versions_compare_as_numbers(repo):
    assert release(repo, "v2026.9").exit_code == 0
    result = release(repo, "v2026.10")
    assert result.exit_code == 0, result.output
    assert [r.version for r in releases(repo.path)] == ["v2026.10", "v2026.9"]


def test_refuses_uncommitted_evidence(repo):
    path = repo.path / FINDINGS / "alpha-budget-risk.yaml"
    path.write_text(path.read_text() + "notes: Not committed.\n")
    (repo.path / FINDINGS / "new-one.yaml").write_text("id: new-one\n")
    result = release(repo, "v2026.1")
    assert (result.exit_code, result.stderr) == (2, (
        "release: evidence/ has uncommitted changes (evidence/findings/alpha-budget-risk.yaml, "
        "evidence/findings/new-one.yaml); commit or stash first, so that the release describes what is committed\n"))


def test_refuses_without_a_published_address(repo):
    result = run("release", "v2026.1", "--root", repo.path)
    assert (result.exit_code, result.stderr) == (2, "release: a release needs the address the site is published at, "
                                                    f"for its links and its citation: {HOW_TO_SET}\n")
    result = run("release", "v2026.1", "--root", repo.path, "--site-url", "https://example.org/x/")
    assert (result.exit_code, result.stderr) == (2, "release: --site-url is 'https://example.org/x/', a placeholder "
                                                    f"host: citations would point nowhere; {HOW_TO_SET}\n")
    assert repo.git("tag") == ""


def test_the_address_can_come_from_the_environment(repo, monkeypatch):
    monkeypatch.setenv("GPCE_SITE_URL", "https://pages.gpce.test/evidence")
    result = run("release", "v2026.1", "--root", repo.path, "--date", "2026-11-26")
    assert result.exit_code == 0, result.output
    assert "(https://pages.gpce.test/evidence/kb/lessons/pcts-pool-budget-risk/)" in (repo.path / "CHANGELOG.md").read_text()


def test_refuses_evidence_with_problems(repo):
    repo.commit({f"{FINDINGS}/alpha-budget-risk.yaml": "id: alpha-budget-risk\n"}, "Break it", FIRST_DAY)
    result = release(repo, "v2026.1")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-2:] == ["check: 6 problems in 1 file", "release: nothing written"]
    assert repo.git("tag") == "" and not (repo.path / "CHANGELOG.md").exists()


def test_refuses_outside_git(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    project = make_project(tmp_path / "project")
    result = run("release", "v2026.1", "--root", project.root, "--site-url", SITE)
    assert (result.exit_code, result.stderr) == (
        2, f"release: {project.root} is not in a git repository; run `git init` and commit the evidence\n")


# --- the pieces -----------------------------------------------------------------------------------

def test_a_grade_change_shows_its_reason_and_record_text_stays_text():
    changes = EvidenceChanges("v2026.1", "HEAD", added=[], removed=[], grades=[
        GradeChange("finding", "f", "moderate", "low", "Only *one* site <b>reported</b> it")], changed=[
        RecordChange("finding", "f", "A [statement]", ["Grade moderate → low", "Quote added (Box_1)"])])
    assert changelog_section("v2026.2", "2026-11-27", changes, SITE, Release("v2026.1", "2026-11-26", "0" * 40)) == (
        "## v2026.2 — 2026-11-27\n\nChanges to the evidence since v2026.1.\n\n### Grades changed (1)\n\n"
        f"- finding [f]({SITE}kb/findings/f/): moderate → low — Only \\*one\\* site \\<b\\>reported\\</b\\> it\n\n"
        "### Changed (1)\n\n"
        f"- finding [f]({SITE}kb/findings/f/): Grade moderate → low; Quote added (Box\\_1)\n")


def test_no_changes():
    changes = EvidenceChanges("v2026.1", "HEAD", [], [], [], [])
    assert changelog_section("v2026.2", "2026-11-27", changes, SITE, Release("v2026.1", "2026-11-26", "0" * 40)) == \
        "## v2026.2 — 2026-11-27\n\nNo evidence changes since v2026.1.\n"


def test_with_section_puts_the_newest_first_and_replaces_a_rerun():
    text = with_section(CHANGELOG_HEADER, "v2026.1", "## v2026.1 — 2026-11-26\n\nOne.\n")
    assert text == CHANGELOG_HEADER + "\n## v2026.1 — 2026-11-26\n\nOne.\n"
    text = with_section(text, "v2026.2", "## v2026.2 — 2026-11-27\n\nTwo.\n")
    assert text == CHANGELOG_HEADER + "\n## v2026.2 — 2026-11-27\n\nTwo.\n\n## v2026.1 — 2026-11-26\n\nOne.\n"
    assert with_section(text, "v2026.2", "## v2026.2 — 2026-11-28\n\nTwo again.\n") == \
        CHANGELOG_HEADER + "\n## v2026.2 — 2026-11-28\n\nTwo again.\n\n## v2026.1 — 2026-11-26\n\nOne.\n"


def test_changelog_sections_ignore_other_headings(tmp_path):
    path = tmp_path / "CHANGELOG.md"
    assert changelog_sections(path) == {}
    path.write_text("# Changelog\n\nIntro.\n\n## v2026.2 — 2026-11-27\n\nTwo.\n\n### Added (1)\n\n- x\n\n"
                    "## Unreleased\n\nDraft.\n\n## v2026.1 — 2026-11-26\n\nOne.\n")
    assert changelog_sections(path) == {"v2026.2": "Two.\n\n### Added (1)\n\n- x", "v2026.1": "One."}


def test_next_version():
    assert next_version(None, 2026) == "v2026.1"
    assert next_version("v2026.3", 2026) == "v2026.4"
    assert next_version("v2026.3", 2027) == "v2027.1"
    assert next_version("v2027.2", 2026) == "v2027.3"


def test_outside_git_there_are_no_releases(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    assert releases(tmp_path) == []
    assert current_release(tmp_path) == (None, False)


def test_tags_that_are_not_releases_are_ignored(repo):
    repo.git("tag", "v1.0")
    repo.git("tag", "-a", "v2026.01", "-m", "leading zero")
    assert releases(repo.path) == [] and current_release(repo.path) == (None, False)
    repo.git("tag", "v2026.3")  # a lightweight tag is a release too
    head = repo.git("rev-parse", "HEAD")
    assert current_release(repo.path) == (Release("v2026.3", "2026-11-26", head), True)
