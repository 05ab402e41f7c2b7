"""A site built from a git repository with a release: every record page says which version holds its
text, shows its history in readable terms, and the metadata, citations and data name the version."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser

import bibtexparser
import pytest
import rispy
from citeproc.source.json import CiteProcJSON
from conftest import make_project
from evidence_edits import MATERNITY_FINDING, SOURCE_LESSON, replace
from git_repos import Repo
from pybtex.database import parse_string

from generator.pipeline import build
from generator.project import Project

REPO = "https://git.gpce.test/owner/evidence"
WHY = "The 12 of 53 covers one year of reports."


def release_then_regrade(project) -> tuple[Repo, str]:
    """Commit the project and tag it v2026.1 on 1 January 2026, then regrade the maternity finding
    (high -> moderate, with its reason; its lesson re-assessed) and commit that on 1 February: the
    repository and that commit."""
    repo = Repo(project.root)
    repo.commit({}, "The fixture evidence", when="2026-01-01T10:00:00+00:00")
    repo.git("tag", "-a", "v2026.1", "-m", "Release v2026.1", when="2026-01-01T12:00:00+00:00")
    replace(project, MATERNITY_FINDING, "  level: high\n", "  level: moderate\n")
    replace(project, MATERNITY_FINDING, "checked:", 'change-log:\n  - date: "2026-02-01"\n    what: Grade high → moderate\n'
            f"    why: {WHY}\n    grade: {{from: high, to: moderate}}\nchecked:")
    replace(project, SOURCE_LESSON, "  alpha-maternity-change: high\n", "  alpha-maternity-change: moderate\n")
    return repo, repo.commit({}, "Regrade the maternity finding", when="2026-02-01T10:00:00+00:00")


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """The fixture released as v2026.1 on 1 January 2026, then one finding regraded on 1 February."""
    project = make_project(tmp_path_factory.mktemp("released") / "project")
    repo, head = release_then_regrade(project)
    build(project)
    return Released(project, f"v2026.1-1-g{head[:7]}", head)


@dataclass(frozen=True)
class Released:
    project: Project
    label: str
    """`git describe` of the build: the release and one commit after it."""
    head: str

    @property
    def site(self):
        return self.project.site

    @property
    def generated(self):
        return self.project.generated


def html(project, path: str) -> str:
    return (project.site / path / "index.html").read_text(encoding="utf-8")


def text(page: str) -> str:
    """The page's words: tags and heading permalinks dropped, whitespace folded."""
    page = re.sub(r'<a class="headerlink".*?</a>', "", page)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", page)))


class Metadata(HTMLParser):
    """The Highwire tags and JSON-LD of a page, read as a reference manager reads them."""

    def __init__(self, page: str):
        super().__init__()
        self.meta: dict[str, list[str]] = {}
        self.jsonld: list[dict] = []
        self._in_jsonld = False
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and attrs.get("name", "").startswith("citation_"):
            self.meta.setdefault(attrs["name"], []).append(attrs["content"])
        self._in_jsonld = tag == "script" and attrs.get("type") == "application/ld+json"

    def handle_data(self, data):
        if self._in_jsonld:
            self.jsonld.append(json.loads(data))
            self._in_jsonld = False


def test_an_unchanged_record_cites_the_release_that_holds_it(released):
    page = text(html(released, "kb/findings/alpha-budget-risk"))
    assert ("Cite this version: release v2026.1 (1 January 2026), which holds this record exactly as shown here. "
            f"Its text in v2026.1: {REPO}/blob/v2026.1/evidence/findings/alpha-budget-risk.yaml. "
            "See all versions.") in page


def test_a_record_changed_since_the_release_says_so_and_which_build_it_is(released):
    page = text(html(released, "kb/findings/alpha-maternity-change"))
    assert (f"This record has changed since release v2026.1 (1 January 2026): the text shown here is build "
            f"{released.label} and will be in the next release. Its text in v2026.1: "
            f"{REPO}/blob/v2026.1/evidence/findings/alpha-maternity-change.yaml. See all versions.") in page


def test_history_says_what_changed_in_words_with_the_reason(released):
    page = html(released, "kb/findings/alpha-maternity-change")
    assert f'href="{REPO}/commit/{released.head}"' in page
    lines = re.findall(r"<li><strong>(\d{4}-\d{2}-\d{2})</strong>: (.*?)</li>", page.split('id="history"', 1)[1])
    assert [(day, re.sub(r" \(<a .*", "", what)) for day, what in lines] == [
        ("2026-02-01", f"Grade high → moderate; Change log entry added. Why: {WHY}"),
        ("2026-01-01", "Added"),
    ]


def test_rating_changes_and_versions_pages(released):
    ratings = text(html(released, "kb/rating-changes"))
    assert f"2026-02-01 Finding: 12 of 53 first-wave TPPs reported achievements in maternity care in 1997/98. High → Moderate {WHY}" in ratings
    versions = text(html(released, "kb/versions"))
    assert (f"This site shows {released.label}: release v2026.1 and the changes made since, which will be in "
            "the next release.") in versions
    assert "v2026.1 Released 2026-01-01 · release files and notes · the evidence at v2026.1. The first release." in versions
    page = html(released, "kb/versions")
    assert f'href="{REPO}/releases/tag/v2026.1"' in page


def test_metadata_carries_the_version_and_the_real_address(released):
    for record_id, version in (("alpha-budget-risk", "v2026.1"), ("alpha-maternity-change", released.label)):
        found = Metadata(html(released, f"kb/findings/{record_id}"))
        url = f"https://gpce.test/evidence/kb/findings/{record_id}/"
        assert found.meta["citation_abstract_html_url"] == [url]
        assert found.meta["citation_publication_date"] == [{"alpha-budget-risk": "2026/01/01",
                                                             "alpha-maternity-change": "2026/02/01"}[record_id]]
        (jsonld,) = found.jsonld
        assert (jsonld["@id"], jsonld["url"], jsonld["version"]) == (url, url, version)
        assert jsonld["isPartOf"]["url"] == "https://gpce.test/evidence/"


def test_citations_and_data_name_the_version(released):
    data = released.site / "kb" / "data"
    entries = {e["id"]: e for e in rispy.loads((data / "records.ris").read_text(encoding="utf-8"))}
    assert entries["gpce-finding-alpha-budget-risk"]["edition"] == "v2026.1"
    assert entries["gpce-finding-alpha-maternity-change"]["edition"] == released.label
    csl = {item["id"]: item for item in json.loads((data / "records.csl.json").read_text(encoding="utf-8"))}
    assert csl["gpce-lesson-pcts-pool-budget-risk"]["version"] == "v2026.1"
    assert json.loads((data / "evidence.json").read_text(encoding="utf-8"))["version"] == released.label
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO((data / "findings.csv").read_text(encoding="utf-8")))}
    assert (rows["alpha-budget-risk"]["version"], rows["alpha-maternity-change"]["version"]) == ("v2026.1", released.label)
    page = (released.generated / "findings" / "alpha-budget-risk.md").read_text(encoding="utf-8")
    bibtex = next(unescape(code) for code in re.findall(r"<code>(.*?)</code>", page, re.S) if "@misc{" in unescape(code))
    entry = parse_string(bibtex, "bibtex").entries["gpce-finding-alpha-budget-risk"]
    assert (entry.fields["version"], entry.fields["year"]) == ("v2026.1", "2026")
    assert bibtexparser.parse_string(bibtex).entries[0].fields_dict["version"].value == "v2026.1"
    read_by_citeproc = CiteProcJSON(list(csl.values()))
    item = read_by_citeproc["gpce-finding-alpha-maternity-change"]  # its strings come back as MixedString
    assert (str(item["version"]), str(item["URL"])) == (
        released.label, "https://gpce.test/evidence/kb/findings/alpha-maternity-change/")
    assert f"These files are version {released.label} of the evidence base: release v2026.1 and the changes made since." \
        in text(html(released, "kb/data"))


def test_before_the_first_release_a_page_says_so_and_names_the_commit(tmp_path):
    project = make_project(tmp_path / "project")
    head = Repo(project.root).commit({}, "The fixture evidence", when="2026-01-01T10:00:00+00:00")
    build(project)
    page = text(html(project, "kb/findings/alpha-budget-risk"))
    assert (f"No release includes this record yet (this build is commit {head[:7]}). Until one does, cite the "
            "permanent address and the date you read it (all versions).") in page
    assert "version" not in Metadata(html(project, "kb/findings/alpha-budget-risk")).jsonld[0]
    assert f"This site shows commit {head[:7]}, which no release includes yet." in text(html(project, "kb/versions"))
    assert "No release has been made yet. Until one is, cite a record by its permanent address" in \
        text(html(project, "kb/versions"))
    data = json.loads((project.site / "kb/data/evidence.json").read_text(encoding="utf-8"))
    assert data["version"] == f"commit {head[:7]}"


def test_a_reason_logged_later_explains_the_earlier_change_of_grade():
    """The 2026-11-26 reasons were written after the grades changed: each joins the change it explains."""
    from generator.change_pages import history_items
    from generator.history import Change
    from generator.models import ChangeLogEntry

    entry = ChangeLogEntry.model_validate({"date": "2026-11-27", "what": "Grade high → moderate", "why": "One year.",
                                           "grade": {"from": "high", "to": "moderate"}})
    changes = [Change("2026-11-27", "b" * 40, "Reasons", ["Change log entry added"]),
               Change("2026-11-26", "a" * 40, "Regrade", ["Grade high → moderate"], ("high", "moderate"), None)]
    items = history_items([entry], changes, lambda commit: None)
    assert [(day, str(what)) for day, what in items] == [
        ("2026-11-27", "Change log entry added"),
        ("2026-11-26", "Grade high → moderate. Why: One year."),
    ]


def test_the_versions_page_lists_each_release_with_what_changed_since_the_one_before(tmp_path):
    project = make_project(tmp_path / "project")
    repo, _ = release_then_regrade(project)
    repo.git("tag", "-a", "v2026.2", "-m", "Release v2026.2", when="2026-02-02T12:00:00+00:00")
    build(project)
    versions = text(html(project, "kb/versions"))
    assert "This site shows v2026.2." in versions
    assert ("v2026.2 Released 2026-02-02 · release files and notes · the evidence at v2026.2. Since v2026.1: "
            f"Grades changed (1) Finding alpha-maternity-change: High → Moderate. {WHY} "
            "Changed (2) Lesson practices-plan-maternity: Finding grades recorded "
            "Finding alpha-maternity-change: Grade high → moderate; Change log entry added "
            "v2026.1 Released 2026-01-01") in versions
    assert '<a href="../findings/alpha-maternity-change/">alpha-maternity-change</a>' in html(project, "kb/versions")
    page = text(html(project, "kb/findings/alpha-maternity-change"))
    assert "Cite this version: release v2026.2 (2 February 2026), which holds this record exactly as shown here." in page
