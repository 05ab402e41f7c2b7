"""The contributor guide, tried end to end as a newcomer would, and the CI files it relies on.

The commands and the expected `check` output are read from docs/contributing.md itself, so the guide
cannot drift from what the tools do.
"""

from __future__ import annotations

import json
import re
import shlex

import pytest
import yaml
from click.testing import CliRunner

from conftest import make_project
from generator import PROJECT_ROOT
from generator.cli import _github_annotation, main
from generator.errors import Problem

GUIDE = (PROJECT_ROOT / "docs" / "contributing.md").read_text(encoding="utf-8")
NEW_ID = "killoran-maternity-midwife-led"


def guide_new_command() -> list[str]:
    """The scripted `new finding` example from step 3 of the guide, as arguments."""
    block = re.search(r"```sh\n(.*?)```", GUIDE[GUIDE.index("## 3."):], flags=re.S).group(1)
    command = next(line for line in block.replace("\\\n", " ").splitlines() if "--id" in line)
    args = shlex.split(command.split("#")[0])
    assert args[:3] == [".venv/bin/python", "-m", "generator"]
    return args[3:]


def guide_check_output() -> list[str]:
    return re.search(r"```text\n(.*?)```", GUIDE[GUIDE.index("## 7."):], flags=re.S).group(1).splitlines()


def run(*args):
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def contributor(tmp_path):
    """A fresh clone: the real evidence and site files."""
    return make_project(tmp_path / "clone", evidence_from=PROJECT_ROOT)


def test_first_time_contributor_adds_a_finding(contributor):
    root = str(contributor.root)

    # Step 3: scaffold with the guide's exact command.
    result = run(*guide_new_command(), "--root", root)
    assert result.exit_code == 0, result.output
    path = contributor.evidence / "findings" / f"{NEW_ID}.yaml"
    assert path.is_file()

    # Step 7: check prints exactly what the guide says it prints.
    result = run("check", "--root", root)
    assert result.exit_code == 1
    assert result.output.splitlines() == guide_check_output()

    # Fill in the fields, with one typo a newcomer might make.
    text = path.read_text(encoding="utf-8")
    for key, value in {
        "statement": "Some maternity developments were led by community midwives.",
        "quote": "Much of the impetus for service development was provider-driven",
        "type": "qualitative", "level": "low", "methodological-limitations": "One box, no methods.",
        "coherence": "Fits the report.", "adequacy": "Sample not stated.", "relevance": "About TPPs.",
    }.items():
        text = re.sub(rf'^(\s*){key}: ""', rf'\g<1>{key}: "{value}"', text, count=1, flags=re.M)
    path.write_text(text.replace("stakeholders:", "stakholders:"), encoding="utf-8")
    result = run("check", "--root", root)
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        f"evidence/findings/{NEW_ID}.yaml:14:1: unknown field 'stakholders'; did you mean 'stakeholders'?")

    # Fix it as the hint says; check passes.
    path.write_text(text, encoding="utf-8")
    result = run("check", "--root", root)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("check: OK (5 sources, ")

    # Preview: the strict build publishes the record's page and the guide itself.
    result = run("build", "--root", root)
    assert result.exit_code == 0, result.output
    page = (contributor.site / "kb" / "findings" / NEW_ID / "index.html").read_text(encoding="utf-8")
    assert "Some maternity developments were led by community midwives." in page
    assert "Much of the impetus for service development was provider-driven" in page
    guide = (contributor.site / "contributing" / "index.html").read_text(encoding="utf-8")
    assert 'id="6-ids-and-permanent-addresses"' in guide


def test_renaming_with_an_alias_keeps_the_old_address(fixture_project):
    """Step 6 of the guide: rename the file and id, keep the old id under `aliases`."""
    old = fixture_project.evidence / "findings" / "alpha-maternity-change.yaml"
    text = old.read_text().replace("id: alpha-maternity-change", "id: alpha-maternity-slow\naliases: [alpha-maternity-change]")
    old.unlink()
    (fixture_project.evidence / "findings" / "alpha-maternity-slow.yaml").write_text(text)
    lesson = fixture_project.evidence / "lessons" / "practices-plan-maternity.yaml"
    lesson.write_text(lesson.read_text().replace("[alpha-maternity-change]", "[alpha-maternity-slow]"))
    result = run("build", "--root", str(fixture_project.root))
    assert result.exit_code == 0, result.output
    moved = (fixture_project.site / "kb" / "findings" / "alpha-maternity-change" / "index.html").read_text()
    assert "alpha-maternity-slow" in moved
    result = run("new", "finding", "--id", "alpha-maternity-change", "--root", str(fixture_project.root))
    assert result.exit_code == 1 and "(as a former id)" in result.output


# --- check --format github / json ----------------------------------------------------------------

def test_github_annotation_escapes_data_and_properties():
    problem = Problem("evidence/findings/a,b:c.yaml", 3, 5, "50% done\r\nnext", "use: x, y")
    assert _github_annotation(problem) == (
        "::error file=evidence/findings/a%2Cb%3Ac.yaml,line=3,col=5::50%25 done%0D%0Anext; use: x, y")


def test_github_annotation_without_line_or_column():
    assert _github_annotation(Problem("references.bib", 0, 0, "bibliography file not found")) == (
        "::error file=references.bib::bibliography file not found")


def test_check_format_github(fixture_project):
    path = fixture_project.evidence / "findings" / "alpha-budget-risk.yaml"
    path.write_text(path.read_text().replace("stakeholders:", "stakholders:"))
    result = run("check", "--root", str(fixture_project.root), "--format", "github")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "::error file=evidence/findings/alpha-budget-risk.yaml,line=9,col=1::unknown field 'stakholders'; "
        "did you mean 'stakeholders'?",
        "check: 1 problem in 1 file",
    ]


def test_check_format_json(fixture_project):
    path = fixture_project.evidence / "findings" / "alpha-budget-risk.yaml"
    path.write_text(path.read_text().replace("stakeholders:", "stakholders:"))
    result = CliRunner().invoke(main, ["check", "--root", str(fixture_project.root), "--format", "json"])
    assert result.exit_code == 1
    json_text = result.output[: result.output.rindex("]") + 1]
    assert json.loads(json_text) == [{
        "path": "evidence/findings/alpha-budget-risk.yaml", "line": 9, "column": 1,
        "message": "unknown field 'stakholders'", "hint": "did you mean 'stakeholders'?"}]


def test_check_format_json_when_clean(fixture_project):
    result = run("check", "--root", str(fixture_project.root), "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.output) == []


# --- the files that run it on GitHub --------------------------------------------------------------

def _yaml(rel: str):
    """A YAML file as MkDocs reads it (mkdocs.yml's `!ENV` tags resolve against the environment)."""
    from mkdocs.utils.yaml import get_yaml_loader

    return yaml.load((PROJECT_ROOT / rel).read_text(encoding="utf-8"), Loader=get_yaml_loader())


def test_ci_checks_tests_and_builds_every_pull_request():
    workflow = _yaml(".github/workflows/ci.yml")
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert "pull_request" in triggers and triggers["push"]["branches"] == ["main"]
    runs = [step.get("run", "") for step in workflow["jobs"]["check"]["steps"]]
    assert "python -m generator check --format github" in runs
    assert any(r.startswith("python -m pytest") for r in runs)
    build = next(step for step in workflow["jobs"]["check"]["steps"] if step.get("run", "").startswith("python -m generator build"))
    assert _yaml("mkdocs.yml")["strict"] is True
    # published from main at the address GitHub Pages gives (a release build then refuses to run without one)
    assert build["run"] == "python -m generator build ${{ steps.pages.outputs.base_url && '--release' || '' }}"
    assert build["env"]["GPCE_SITE_URL"] == "${{ steps.pages.outputs.base_url }}"
    pages = next(step for step in workflow["jobs"]["check"]["steps"] if step.get("id") == "pages")
    assert pages["uses"].startswith("actions/configure-pages") and "refs/heads/main" in pages["if"]
    assert workflow["permissions"]["pages"] == "read"  # configure-pages reads the Pages settings


def test_ci_refuses_a_grade_change_without_a_reason_on_every_pull_request():
    workflow = _yaml(".github/workflows/ci.yml")
    step = next(step for step in workflow["jobs"]["check"]["steps"] if "--against" in step.get("run", ""))
    assert step["if"] == "github.event_name == 'pull_request'"
    assert step["run"] == 'python -m generator check --format github --against "origin/${{ github.base_ref }}"'
    checkout = workflow["jobs"]["check"]["steps"][0]
    assert checkout["uses"].startswith("actions/checkout") and checkout["with"]["fetch-depth"] == 0


def test_ci_deploys_main_to_pages():
    workflow = _yaml(".github/workflows/ci.yml")
    upload = next(s for s in workflow["jobs"]["check"]["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "site" and "refs/heads/main" in upload["if"]
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "check" and "refs/heads/main" in deploy["if"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages")


def test_pre_commit_runs_check_and_ruff():
    hooks = {hook["id"]: hook for repo in _yaml(".pre-commit-config.yaml")["repos"] for hook in repo["hooks"]}
    assert hooks["evidence-check"]["entry"] == "python -m generator check"
    assert re.search(hooks["evidence-check"]["files"], "evidence/findings/x.yaml")
    assert re.search(hooks["evidence-check"]["files"], "references.bib")
    assert "ruff" in hooks


def test_pull_request_template_and_issue_forms():
    template = (PROJECT_ROOT / ".github" / "pull_request_template.md").read_text()
    for item in ("**verbatim**", "`locator`", "GRADE-CERQual", "aliases", "python -m generator check"):
        assert item in template
    for form in ("propose-a-source.yml", "report-an-error.yml"):
        data = _yaml(f".github/ISSUE_TEMPLATE/{form}")
        assert data["name"] and data["description"] and data["body"]
        assert any(field.get("validations", {}).get("required") for field in data["body"])
