"""`new`: scaffolds a record at the right path with the schema line; never overwrites; once its
empty values are filled in, the record passes `check`."""

import re

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main
from generator.pipeline import check

# A value for each empty placeholder, by field name, as a contributor would fill them in.
FILL = {
    "statement": "Budgets were delegated to pilots.", "locator": "Table 2", "quote": "Budgets were delegated.",
    "source": "alpha-1999-total", "type": "qualitative", "level": "low", "title": "Delegate budgets",
    "summary": "Delegate budgets with care.", "rationale": "Both sources agree.", "kind": "evaluation-report",
    "design": "Case studies.", "sample": "Five pilots.", "funding": "Not stated in the source.",
    "description": "Pilots and groups.", "label": "A column", "comparison": "alpha-tpp-pcg",
    "dimension": "Size", "implication": "Scale differs.", "methodological-limitations": "Few sites.",
    "coherence": "Fits.", "adequacy": "Thin.", "relevance": "Direct.", "concern": "moderate",
}
FILL_LISTS = {"themes": "budgets-and-risk", "stakeholders": "pcts", "findings": "alpha-budget-risk",
              "countries": "England", "schemes": "tp"}


def fill_placeholders(text: str) -> str:
    """Replace every `key: ""` and required `key: []` line, keeping the comments."""
    column_ids = iter(["first", "second"])

    def scalar(match: re.Match) -> str:
        key = match.group(2)
        value = next(column_ids) if key == "id" else FILL.get(key, "Some text.")
        return f'{match.group(1)}{key}: "{value}"'

    def listing(match: re.Match) -> str:
        key = match.group(2)
        return f"{match.group(1)}{key}: [{FILL_LISTS[key]}]" if key in FILL_LISTS else match.group(0)

    text = re.sub(r'^(\s*(?:- )?)([\w-]+): ""', scalar, text, flags=re.M)
    return re.sub(r"^(\s*(?:- )?)([\w-]+): \[\]", listing, text, flags=re.M)


def new(project, *args, input=None):
    return CliRunner().invoke(main, ["new", *args, "--root", str(project.root)], input=input)


@pytest.mark.parametrize("kind, record_id", [
    ("finding", "alpha-new-finding"), ("lesson", "alpha-new-lesson"), ("source", "gamma-1998-what"),
    ("comparison", "alpha-new-comparison"), ("context", "alpha-new-row"),
])
def test_scaffold_fails_check_until_filled_then_passes(fixture_project, kind, record_id):
    extra = ["--comparison", "alpha-tpp-pcg"] if kind == "context" else []
    result = new(fixture_project, kind, "--id", record_id, *extra)
    assert result.exit_code == 0, result.output
    path = fixture_project.evidence / f"{kind}s" / f"{record_id}.yaml"
    assert result.output.startswith(f"new: wrote evidence/{kind}s/{record_id}.yaml\n")
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == f"# yaml-language-server: $schema=../../schema/{kind}.schema.json"
    assert f"\nid: {record_id}\n" in text
    with pytest.raises(Exception) as unfilled:
        check(fixture_project)
    assert all(p.path == f"evidence/{kind}s/{record_id}.yaml" for p in unfilled.value.problems)
    path.write_text(fill_placeholders(text), encoding="utf-8")
    if kind == "lesson":  # a filled-in grade records the findings' grades it was assessed against
        with pytest.raises(Exception) as unassessed:
            check(fixture_project)
        assert [p.message for p in unassessed.value.problems] == [
            "lesson's confidence does not record the findings' grades it was assessed against"]
        marked = CliRunner().invoke(main, ["mark-assessed", record_id, "--root", str(fixture_project.root)])
        assert marked.exit_code == 0, marked.output
    kb = check(fixture_project)
    assert record_id in kb.records.of_kind(kind)


def test_scaffolded_finding_errors_point_at_each_empty_field(fixture_project):
    new(fixture_project, "finding", "--id", "alpha-new", "--source", "alpha-1999-total")
    result = CliRunner().invoke(main, ["check", "--root", str(fixture_project.root)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "evidence/findings/alpha-new.yaml:7:12: 'statement' is empty; write the text, or remove the field if it is optional" in lines
    assert "evidence/findings/alpha-new.yaml:15:7: '' is not allowed in 'type'; use one of: qualitative, quantitative, mixed" in lines
    assert lines[-1] == "check: 11 problems in 1 file"


def test_flags_prefill_values_and_any_text_is_quoted_safely(fixture_project):
    quote = 'He said: "no" # not a comment\n- not a list item {{ 7*7 }}'
    result = new(fixture_project, "finding", "--id", "alpha-flags", "--source", "alpha-1999-total",
                 "--locator", "Table 3: part 1", "--quote", quote, "--theme", "maternity",
                 "--theme", "budgets-and-risk", "--stakeholder", "pcts")
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((fixture_project.evidence / "findings" / "alpha-flags.yaml").read_text())
    assert data["evidence"] == [{"source": "alpha-1999-total", "locator": "Table 3: part 1", "quote": quote}]
    assert data["themes"] == ["maternity", "budgets-and-risk"]
    assert data["stakeholders"] == ["pcts"]


def test_lesson_with_source_gets_a_source_origin(fixture_project):
    new(fixture_project, "lesson", "--id", "alpha-lesson", "--source", "alpha-1999-total", "--finding", "alpha-budget-risk")
    data = yaml.safe_load((fixture_project.evidence / "lessons" / "alpha-lesson.yaml").read_text())
    assert data["origin"] == {"type": "source", "source": "alpha-1999-total", "locator": "", "quote": ""}
    assert data["findings"] == ["alpha-budget-risk"]


def test_refuses_to_overwrite_an_existing_id(fixture_project):
    path = fixture_project.evidence / "findings" / "alpha-budget-risk.yaml"
    before = path.read_bytes()
    result = new(fixture_project, "finding", "--id", "alpha-budget-risk")
    assert result.exit_code == 1
    assert result.output == ("new: finding id 'alpha-budget-risk' is already used by "
                             "evidence/findings/alpha-budget-risk.yaml; choose another id; "
                             "published ids never change or get reused\n")
    assert path.read_bytes() == before


def test_refuses_a_former_id_kept_as_an_alias(fixture_project):
    path = fixture_project.evidence / "findings" / "alpha-budget-risk.yaml"
    path.write_text(path.read_text() + "aliases: [alpha-old-name]\n")
    result = new(fixture_project, "finding", "--id", "alpha-old-name")
    assert result.exit_code == 1
    assert "already used by evidence/findings/alpha-budget-risk.yaml (as a former id)" in result.output
    assert not (fixture_project.evidence / "findings" / "alpha-old-name.yaml").exists()


@pytest.mark.parametrize("bad_id, message", [
    ("../x", "new: '../x' is not a valid id; use lowercase letters, digits and single hyphens, starting with a letter (e.g. killoran-maternity-changes)"),
    ("Alpha-new", "new: 'Alpha-new' is not a valid id; use lowercase letters"),
    ("alpha--new", "new: 'alpha--new' is not a valid id"),
    ("a/b", "new: 'a/b' is not a valid id"),
    ("a" * 81, "new: id is 81 characters long; the limit is 80; shorten it"),
    ("", "new: no id given; pass --id, e.g. --id killoran-maternity-changes"),
])
def test_rejects_invalid_ids(fixture_project, bad_id, message):
    result = new(fixture_project, "finding", "--id", bad_id)
    assert result.exit_code == 1
    assert result.output.startswith(message)
    assert sorted(p.name for p in (fixture_project.evidence / "findings").iterdir()) == [
        "alpha-budget-risk.yaml", "alpha-maternity-change.yaml", "beta-budget-incentives.yaml"]


def test_eighty_character_id_is_accepted(fixture_project):
    record_id = "a" * 80
    assert new(fixture_project, "finding", "--id", record_id).exit_code == 0


def test_interactive_prompts_for_id_and_main_fields(fixture_project):
    answers = "alpha-asked\nalpha-1999-total\nBox 1\nMaternity care was the area where fewest TPPs achieved change.\n\n"
    result = new(fixture_project, "finding", "--interactive", input=answers)
    assert result.exit_code == 0, result.output
    assert "Id (lowercase-words-with-hyphens):" in result.output
    data = yaml.safe_load((fixture_project.evidence / "findings" / "alpha-asked.yaml").read_text())
    assert data["evidence"][0]["locator"] == "Box 1"
    assert data["statement"] == ""  # left for later with Enter


def test_without_id_and_not_in_a_terminal_says_what_to_pass(fixture_project):
    result = new(fixture_project, "finding")
    assert result.exit_code == 1
    assert result.output == "new: no id given; pass --id, e.g. --id killoran-maternity-changes\n"


def test_outside_a_project_says_where_to_run(tmp_path):
    result = CliRunner().invoke(main, ["new", "finding", "--id", "x", "--root", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output == f"new: no evidence/ folder in {tmp_path}; run this in the project folder, or pass --root\n"


def test_unknown_kind_is_a_usage_error(fixture_project):
    result = new(fixture_project, "findings", "--id", "x")
    assert result.exit_code == 2
    assert "'findings' is not one of 'finding', 'lesson', 'source', 'context', 'comparison'" in result.output


def test_new_help_has_example():
    result = CliRunner().invoke(main, ["new", "--help"])
    assert "Example:" in result.output and "python -m generator new finding --id" in result.output


def test_broken_or_hostile_records_do_not_stop_new(fixture_project):
    """`new` reads existing records (for former ids) with the strict loader: aliases, tags and broken
    YAML are skipped, never expanded or run."""
    findings = fixture_project.evidence / "findings"
    laughs = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    laughs += [f"{n}: &{n} [" + ", ".join([f"*{p}"] * 9) + "]" for p, n in zip("abcdefgh", "bcdefghi")]
    (findings / "alpha-laughs.yaml").write_text("\n".join(laughs) + "\n")
    (findings / "alpha-broken.yaml").write_text("id: [\n")
    (findings / "alpha-tagged.yaml").write_text("!!python/object/apply:os.system ['exit 1']\n")
    result = new(fixture_project, "finding", "--id", "alpha-fresh")
    assert result.exit_code == 0, result.output
    assert (findings / "alpha-fresh.yaml").is_file()
