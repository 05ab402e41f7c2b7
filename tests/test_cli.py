"""The command line: exit codes and the exact text users see, driven through click's CliRunner."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from evidence_edits import FINDING, LESSON, OTHER_SOURCE, append, replace

from generator.cli import main

ALPHA_TEXT = ("Larger pilots, those with more than 50,000 patients, managed risk more easily. Maternity care "
              "was the area where fewest TPPs achieved change. Budgets were delegated. Membership was voluntary.")
BETA_TEXT = "Incentives | mattered a lot."


def run(*args: str | Path):
    return CliRunner().invoke(main, [str(a) for a in args])


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under `folder` with its bytes and modification time."""
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def built(project):
    result = run("build", "--root", project.root)
    assert result.exit_code == 0, result.output
    return result


# check

def test_check_ok(fixture_project):
    result = run("check", "--root", fixture_project.root)
    assert result.exit_code == 0
    assert result.stdout == ("check: OK (2 sources, 3 findings, 2 lessons, 1 comparison, "
                             "2 context differences, 3 references)\n"
                             "check: 10 of 10 records checked by a second reader and unchanged since (100%)\n")
    assert result.stderr == ""


def test_check_reports_every_problem_and_a_count(fixture_project):
    replace(fixture_project, FINDING, "type: qualitative", "type: qualitive")
    replace(fixture_project, LESSON, "contexts: [alpha-tpp-pcg-budget]", "contexts: [nowhere]")
    replace(fixture_project, LESSON, "themes: [budgets-and-risk]", "themes: [budget-and-risk]")
    result = run("check", "--root", fixture_project.root)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "evidence/findings/alpha-budget-risk.yaml:11:7: 'qualitive' is not allowed in 'type'; "
        "did you mean 'qualitative'?\n"
        "evidence/lessons/pcts-pool-budget-risk.yaml:4:10: unknown theme 'budget-and-risk'; "
        "did you mean 'budgets-and-risk'?\n"
        "evidence/lessons/pcts-pool-budget-risk.yaml:12:12: unknown context difference 'nowhere'; "
        "no context difference has this id; check the spelling\n"
        "check: 3 problems in 2 files\n"
    )


def test_check_one_problem_says_so_in_the_singular(fixture_project):
    replace(fixture_project, OTHER_SOURCE, "kind: policy-analysis", "kind: policy-analyses")
    result = run("check", "--root", fixture_project.root)
    assert result.exit_code == 1
    assert result.stderr == (
        "evidence/sources/beta-2004-practice.yaml:2:7: 'policy-analyses' is not allowed in 'kind'; "
        "did you mean 'policy-analysis'?\n"
        "check: 1 problem in 1 file\n"
    )


def test_check_real_evidence_passes(real_project):
    result = run("check", "--root", real_project.root)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("check: OK (")


# build

def test_build_ok_writes_docs_kb_and_site(fixture_project):
    result = built(fixture_project)
    assert re.fullmatch(r"build: OK in \d+\.\ds \(\d+ written, 0 removed, 0 unchanged\) -> site/\n", result.stdout)
    assert (fixture_project.generated / "findings" / "alpha-budget-risk.md").is_file()
    assert (fixture_project.site / "kb" / "findings" / "alpha-budget-risk" / "index.html").is_file()
    assert not list(fixture_project.root.glob(".site-*")), "staging folders left behind"


def test_second_build_writes_nothing_new(fixture_project):
    built(fixture_project)
    before = snapshot(fixture_project.generated)
    result = built(fixture_project)
    assert re.search(r"\(0 written, 0 removed, \d+ unchanged\)", result.stdout)
    assert snapshot(fixture_project.generated) == before


def test_build_removes_the_page_of_a_deleted_record(fixture_project):
    built(fixture_project)
    page = fixture_project.generated / "sources" / "beta-2004-practice.md"
    assert page.is_file()
    # Remove the source and everything that rests on it, so the evidence stays valid.
    for rel in (OTHER_SOURCE, "evidence/findings/beta-budget-incentives.yaml"):
        (fixture_project.root / rel).unlink()
    replace(fixture_project, LESSON, "findings: [alpha-budget-risk, beta-budget-incentives]",
            "findings: [alpha-budget-risk]")
    assert run("mark-assessed", "pcts-pool-budget-risk", "--root", fixture_project.root).exit_code == 0
    result = built(fixture_project)
    assert re.search(r", [1-9]\d* removed,", result.stdout)
    assert not page.exists()
    assert not (fixture_project.site / "kb" / "sources" / "beta-2004-practice").exists()


def test_build_with_a_bad_record_writes_nothing(fixture_project):
    built(fixture_project)
    kb_before, site_before = snapshot(fixture_project.generated), snapshot(fixture_project.site)
    replace(fixture_project, FINDING, "statement: Pilots with", "statement: Changed pilots with")
    replace(fixture_project, LESSON, "stakeholders: [pcts, health-authorities]", "stakeholders: [pct]")
    result = run("build", "--root", fixture_project.root)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "evidence/lessons/pcts-pool-budget-risk.yaml:3:16: unknown stakeholder 'pct'; did you mean 'pcts'?\n"
        "check: 1 problem in 1 file\n"
        "build: nothing written\n"
    )
    assert snapshot(fixture_project.generated) == kb_before
    assert snapshot(fixture_project.site) == site_before


def test_a_rebuild_keeps_the_pages_it_replaced_in_the_cache_until_the_next_build(fixture_project):
    built(fixture_project)
    page = fixture_project.generated / "findings" / "alpha-budget-risk.md"
    old_page = page.read_bytes()
    replace(fixture_project, FINDING, "statement: Pilots with", "statement: Changed pilots with")
    assert run("build", "--root", fixture_project.root, "--no-site").exit_code == 0
    undo = fixture_project.cache / "undo"
    assert old_page in [kept.read_bytes() for kept in undo.iterdir()]
    assert sorted(p.name for p in fixture_project.docs.iterdir() if p.name.startswith(".")) == []
    assert run("build", "--root", fixture_project.root, "--no-site").exit_code == 0
    assert not undo.exists()  # nothing rewritten this time, and the previous build can no longer be undone


def test_build_whose_site_step_fails_keeps_the_previous_site_and_pages(fixture_project):
    built(fixture_project)
    kb_before, site_before = snapshot(fixture_project.generated), snapshot(fixture_project.site)
    # A valid edit that changes a generated page, and a broken link that makes mkdocs --strict fail.
    replace(fixture_project, FINDING, "statement: Pilots with", "statement: Changed pilots with")
    append(fixture_project, "docs/about.md", "\nSee [the missing page](missing.md).\n")
    result = run("build", "--root", fixture_project.root)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("site build failed: Aborted with 1 warnings in strict mode!\n")
    assert ("WARNING: Doc file 'about.md' contains a link 'missing.md', but the target is not found among "
            "documentation files.\n") in result.stderr
    assert result.stderr.endswith("build: failed; the previous site and generated pages are unchanged\n")
    assert "Traceback" not in result.output
    assert snapshot(fixture_project.generated) == kb_before
    assert snapshot(fixture_project.site) == site_before
    assert not list(fixture_project.root.glob(".site-*")), "staging folders left behind"


def test_build_no_site_only_generates(fixture_project):
    result = run("build", "--root", fixture_project.root, "--no-site")
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"build: OK in \d+\.\ds \(\d+ written, 0 removed, 0 unchanged\) -> docs/kb\n", result.stdout)
    assert (fixture_project.generated / "lessons" / "index.md").is_file()
    assert not fixture_project.site.exists()


def test_build_into_another_site_dir(fixture_project, tmp_path):
    target = tmp_path / "elsewhere"
    result = run("build", "--root", fixture_project.root, "--site-dir", target)
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(f"-> {target}\n")
    assert (target / "index.html").is_file()


# verify-quotes

def _texts(tmp_path: Path, alpha: str = ALPHA_TEXT) -> tuple[Path, Path]:
    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "alpha.txt").write_text(alpha, encoding="utf-8")
    (folder / "beta.txt").write_text(BETA_TEXT, encoding="utf-8")
    mapping = tmp_path / "map.yaml"
    mapping.write_text("alpha-1999-total: alpha.txt\nbeta-2004-practice: beta.txt\n", encoding="utf-8")
    return folder, mapping


def test_verify_quotes_all_found(fixture_project, tmp_path):
    folder, mapping = _texts(tmp_path)
    result = run("verify-quotes", "--root", fixture_project.root, "--sources", folder, "--map", mapping)
    assert result.exit_code == 0
    assert result.stdout == "verify-quotes: 6 quotes checked, 0 not found\n"
    assert result.stderr == ""


def test_verify_quotes_not_found(fixture_project, tmp_path):
    folder, mapping = _texts(tmp_path, alpha=ALPHA_TEXT.replace("Budgets were delegated.", ""))
    result = run("verify-quotes", "--root", fixture_project.root, "--sources", folder, "--map", mapping)
    assert result.exit_code == 1
    assert result.stdout == "verify-quotes: 6 quotes checked, 1 not found\n"
    assert result.stderr == (
        "evidence/contexts/alpha-tpp-pcg-budget.yaml:10:12: quote not found verbatim in alpha.txt "
        "(alpha-1999-total); copy the passage exactly; mark cuts with '...'\n"
    )


def test_verify_quotes_names_sources_without_a_text(fixture_project, tmp_path):
    folder, mapping = _texts(tmp_path)
    mapping.write_text("alpha-1999-total: alpha.txt\n", encoding="utf-8")
    result = run("verify-quotes", "--root", fixture_project.root, "--sources", folder, "--map", mapping)
    assert result.exit_code == 0
    assert result.stdout == "verify-quotes: 5 quotes checked, 0 not found\n"
    assert result.stderr == ("verify-quotes: no text for source 'beta-2004-practice' (not in map.yaml); "
                             "its quotes were not checked\n")


def test_verify_quotes_skips_when_the_folder_is_missing(fixture_project, tmp_path):
    missing = tmp_path / "no-such-folder"
    result = run("verify-quotes", "--root", fixture_project.root, "--sources", missing)
    assert result.exit_code == 0
    assert result.stdout == f"verify-quotes: skipped: {missing} not found\n"


def test_verify_quotes_given_a_file_instead_of_a_folder(fixture_project, tmp_path):
    folder, _ = _texts(tmp_path)
    result = run("verify-quotes", "--root", fixture_project.root, "--sources", folder / "alpha.txt")
    assert result.exit_code == 2
    assert result.stderr == (f"verify-quotes: {folder / 'alpha.txt'} is a file; --sources takes the folder "
                             "holding the texts\n")


def test_verify_quotes_with_an_unreadable_mapping(fixture_project, tmp_path):
    folder, mapping = _texts(tmp_path)
    mapping.write_text("- a list\n- not a mapping\n", encoding="utf-8")
    result = run("verify-quotes", "--root", fixture_project.root, "--sources", folder, "--map", mapping)
    assert result.exit_code == 2
    assert result.stderr == (f"verify-quotes: cannot read the mapping: {mapping}: expected a mapping of "
                             "source id: text file name\n")


def test_verify_quotes_with_a_broken_or_missing_mapping(fixture_project, tmp_path):
    folder, mapping = _texts(tmp_path)
    mapping.write_text("alpha-1999-total: [alpha.txt\n", encoding="utf-8")
    result = run("verify-quotes", "--root", fixture_project.root, "--sources", folder, "--map", mapping)
    assert result.exit_code == 2
    assert result.stderr == (f"verify-quotes: cannot read the mapping: {mapping}:2:1: not valid YAML "
                             "(expected ',' or ']', but got '<stream end>')\n")
    result = run("verify-quotes", "--root", fixture_project.root, "--sources", folder)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.stderr.startswith("verify-quotes: cannot read the mapping: ")
    assert "seed-texts.yaml" in result.stderr


def test_verify_quotes_with_bad_evidence_reports_the_problems(fixture_project, tmp_path):
    folder, mapping = _texts(tmp_path)
    replace(fixture_project, FINDING, "type: qualitative", "type: qualitive")
    result = run("verify-quotes", "--root", fixture_project.root, "--sources", folder, "--map", mapping)
    assert result.exit_code == 1
    assert result.stderr == (
        "evidence/findings/alpha-budget-risk.yaml:11:7: 'qualitive' is not allowed in 'type'; "
        "did you mean 'qualitative'?\n"
        "check: 1 problem in 1 file\n"
    )


# schema

def test_schema_writes_one_file_per_kind(tmp_path):
    result = run("schema", "--out", tmp_path / "schema")
    assert result.exit_code == 0
    assert result.stdout == f"schema: wrote 7 files to {tmp_path / 'schema'}\n"
    assert sorted(p.name for p in (tmp_path / "schema").iterdir()) == [
        "comparison.schema.json", "context.schema.json", "finding.schema.json", "glossary.schema.json",
        "lesson.schema.json", "source.schema.json", "vocabulary.schema.json",
    ]


# help

def test_main_help_lists_every_command_and_an_example():
    result = run("--help")
    assert result.exit_code == 0
    assert "Example:" in result.stdout
    for name in main.commands:
        assert re.search(rf"^  {re.escape(name)}\b", result.stdout, re.MULTILINE), name


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_help_has_an_example(name):
    result = run(name, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.stdout
    example = result.stdout.split("Example:", 1)[1]
    assert f"python -m generator {name}" in example, f"{name}: the example does not show the command itself"


def test_help_is_available_as_dash_h_too():
    assert run("check", "-h").stdout == run("check", "--help").stdout


# No traceback ever reaches the user

def _write(rel: str, content: bytes | str):
    def apply(project):
        path = project.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return apply


def _remove(rel: str):
    def apply(project):
        path = project.root / rel
        if path.is_dir():
            import shutil
            shutil.rmtree(path)
        else:
            path.unlink()
    return apply


BAD_INPUTS = {
    "binary record": _write(FINDING, bytes(range(256))),
    "latin-1 record": _write(FINDING, "statement: caf\xe9\n".encode("latin-1")),
    "record is a bare string": _write(FINDING, "just some text\n"),
    "record is a number": _write(FINDING, "42\n"),
    "record is null": _write(FINDING, "~\n"),
    "folder named like a record": _write("evidence/findings/odd.yaml/inner.yaml", "id: x\n"),
    "vocabulary is a list": _write("evidence/themes.yaml", "- a\n- b\n"),
    "vocabulary term is text": _write("evidence/themes.yaml", "maternity: Maternity services\n"),
    "vocabulary key is a number": _write("evidence/themes.yaml", "1: {label: x, description: y}\n"),
    "glossary entry is a list": _write("evidence/glossary.yaml", "TPP: [a, b]\n"),
    "bibliography is binary": _write("references.bib", bytes(range(256))),
    "bibliography is empty": _write("references.bib", ""),
    "bibliography entry without key": _write("references.bib", "@book{,\n  title = {X}\n}\n"),
    "bibliography is garbage": _write("references.bib", "@@@{{{ ,,, }}}\n@book{\n"),
    "no evidence folder": _remove("evidence"),
    "no vocabularies": lambda p: [(p.evidence / f"{n}.yaml").unlink() for n in
                                  ("themes", "stakeholders", "schemes", "glossary")],
    "evidence is a file": lambda p: (_remove("evidence")(p), _write("evidence", "not a folder")(p)),
    "deeply nested record": _write(FINDING, "a: " + "[" * 200 + "]" * 200 + "\n"),
    "record id is a list": lambda p: replace(p, FINDING, "id: alpha-budget-risk", "id: [alpha-budget-risk]"),
    "evidence item is text": lambda p: replace(p, FINDING, "  - source: alpha-1999-total\n    locator",
                                               "  - alpha-1999-total\n  - locator"),
    "number is not a number": lambda p: replace(p, "evidence/findings/alpha-maternity-change.yaml",
                                                "value: 12", "value: .nan"),
    "context values is a list": lambda p: replace(p, "evidence/contexts/alpha-tpp-pcg-budget.yaml",
                                                  "  tpps: Delegated from the HA.\n", "  - tpps\n"),
}


@pytest.mark.parametrize("command", ["check", "build"])
@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_gives_messages_not_tracebacks(fixture_project, command, name):
    BAD_INPUTS[name](fixture_project)
    result = run(command, "--root", fixture_project.root)
    assert "Traceback" not in result.output
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert re.search(r"^check: \d+ problems? in \d+ files?$", result.stderr, re.MULTILINE), result.stderr
    assert not fixture_project.generated.exists() and not fixture_project.site.exists()


def test_build_without_mkdocs_yml_is_a_message(fixture_project):
    (fixture_project.root / "mkdocs.yml").unlink()
    result = run("build", "--root", fixture_project.root)
    assert "Traceback" not in result.output
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert result.stderr.endswith("build: failed; the previous site and generated pages are unchanged\n")
    assert not fixture_project.generated.exists()


def test_root_that_does_not_exist(tmp_path):
    result = run("check", "--root", tmp_path / "nowhere")
    assert "Traceback" not in result.output
    assert result.exit_code == 1
    assert "evidence: evidence folder not found" in result.stderr


def test_unknown_command_is_a_usage_error():
    result = run("chek")
    assert result.exit_code == 2
    assert "No such command 'chek'" in result.stderr


def test_an_unexpected_error_is_one_line_not_a_traceback(fixture_project, monkeypatch):
    def broken(project, **options):
        raise RuntimeError("something the generator did not expect")

    monkeypatch.delenv("GPCE_DEBUG", raising=False)
    monkeypatch.setattr("generator.pipeline.check", broken)
    result = run("check", "--root", fixture_project.root)
    assert result.exit_code == 3
    assert "Traceback" not in result.output
    assert result.stderr == (
        "error: internal error: RuntimeError: something the generator did not expect\n"
        "error: this is a bug in the generator, not in the evidence; please report it "
        "(run with GPCE_DEBUG=1 to see the details)\n"
    )


def test_gpce_debug_lets_the_traceback_through(fixture_project, monkeypatch):
    def broken(project, **options):
        raise RuntimeError("details please")

    monkeypatch.setenv("GPCE_DEBUG", "1")
    monkeypatch.setattr("generator.pipeline.check", broken)
    result = run("check", "--root", fixture_project.root)
    assert isinstance(result.exception, RuntimeError)
