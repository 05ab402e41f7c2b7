"""The load stage: YAML that cannot be read becomes one located problem, never an exception.

Each test breaks one thing in a copy of the fixture evidence and asserts the complete list of
problems `check` reports: the exact text, the file:line:column, and that a broken record does not
set off follow-on errors in the records that refer to it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from evidence_edits import FINDING, LESSON, append, problems, replace

from generator.loader import load_evidence, read_yaml
from generator.pipeline import check


def test_unclosed_list_points_at_its_opening_bracket(fixture_project):
    replace(fixture_project, FINDING, "statement: Pilots", "statement: [Pilots")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:2:12: YAML syntax error: list opened with '[' is not closed; "
        "close it with ']'; put items containing commas, colons or "
        "brackets in quotes",
    ]


def test_unclosed_mapping_points_at_its_opening_brace(fixture_project):
    replace(fixture_project, FINDING, "level: moderate", "level: {moderate")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:13:10: YAML syntax error: mapping opened with '{' is not "
        "closed; close it with '}'; put values containing commas, colons "
        "or braces in quotes",
    ]


def test_colon_inside_a_value(fixture_project):
    replace(fixture_project, FINDING, "type: qualitative", "type: qualitative: mostly")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:11:18: YAML syntax error: unexpected ': ' inside a value; "
        "put the value in quotes if it contains ': '; if this line is a new field, indent it like the fields "
        "around it",
    ]


def test_field_indented_less_than_its_siblings(fixture_project):
    replace(fixture_project, FINDING, "  - source: alpha-1999-total", "- source: alpha-1999-total")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:5:12: YAML syntax error: unexpected ': ' inside a value; "
        "put the value in quotes if it contains ': '; if this line is a new field, indent it like the fields "
        "around it",
    ]


@pytest.mark.parametrize(("written", "column"), [
    ("'Larger pilots' risk is managed'", 28),  # an apostrophe inside '...'
    ('"Larger "pilots" managed"', 21),  # a double quote inside "..."
    ('"Larger pilots" managed risk', 28),  # text after the closing quote
])
def test_text_after_a_closing_quote(fixture_project, written, column):
    replace(fixture_project, FINDING, "    quote: Larger pilots ... managed risk more easily.", f"    quote: {written}")
    assert problems(fixture_project) == [
        f"evidence/findings/alpha-budget-risk.yaml:6:{column}: YAML syntax error: text continues after the "
        "closing quote; a quote mark inside quoted text ends it: inside '...' write '' for an apostrophe; "
        "inside \"...\" write \\\" or use the other quote mark",
    ]


@pytest.mark.parametrize("line", ["type qualitative", "type:qualitative"])
def test_line_without_colon_and_space(fixture_project, line):
    replace(fixture_project, FINDING, "type: qualitative", line)
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:11:1: YAML syntax error: this line is not 'field: value'; "
        "put ': ' (a colon and a space) after the field name",
    ]


@pytest.mark.parametrize("marker", ["|", ">"])
def test_block_text_on_the_marker_line(fixture_project, marker):
    replace(fixture_project, FINDING, "    quote: Larger pilots ... managed risk more easily.",
            f"    quote: {marker} Larger pilots")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:6:14: YAML syntax error: text after '|' or '>' must start on the "
        "next line; start the text on the next line, indented; or drop the '|' or '>' and quote the text",
    ]


def test_unclosed_quote_at_end_of_file(fixture_project):
    append(fixture_project, FINDING, "notes: 'never closed\n")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:23:8: YAML syntax error: quoted text is not closed; "
        "end it with the same quote mark; inside '...' write '' for an "
        "apostrophe",
    ]


def test_tab_indentation(fixture_project):
    replace(fixture_project, FINDING, "  level: moderate", "\tlevel: moderate")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:13:1: YAML syntax error: tab character in indentation; "
        "indent with spaces, not tabs",
    ]


def test_tab_after_spaces_in_indentation(fixture_project):
    replace(fixture_project, FINDING, "    coherence:", "  \tcoherence:")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:16:3: YAML syntax error: tab character in indentation; "
        "indent with spaces, not tabs",
    ]


def test_indentation_that_does_not_match(fixture_project):
    replace(fixture_project, FINDING, "  level: moderate", "   level: moderate")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:14:3: YAML syntax error: indentation does not match the lines "
        "above; fields at the same level need the same number of leading spaces",
    ]


@pytest.mark.parametrize("first", ["*", "`", "@", "%"])
def test_value_starting_with_a_reserved_character(fixture_project, first):
    replace(fixture_project, FINDING, "    quote: Larger pilots", f"    quote: {first}Larger pilots")
    assert problems(fixture_project) == [
        f"evidence/findings/alpha-budget-risk.yaml:6:12: YAML syntax error: a value cannot start with '{first}'; "
        f"put the whole value in quotes, e.g. \"{first}...\"",
    ]


def test_quoted_value_starting_with_a_reserved_character_is_fine(fixture_project):
    replace(fixture_project, FINDING, "    quote: Larger pilots ... managed risk more easily.",
            "    quote: \"*Larger* pilots ... managed risk more easily.\"")
    assert check(fixture_project).records.findings["alpha-budget-risk"].evidence[0].quote.startswith("*Larger*")


def test_hash_inside_a_value_would_silently_cut_it(fixture_project):
    replace(fixture_project, FINDING, "    quote: Larger pilots ... managed risk more easily.",
            "    quote: Larger pilots #1 managed risk more easily.")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:6:26: ' #' inside a value starts a YAML comment: the rest of "
        "the line would be lost; put the whole value in quotes if '#' is part of it; put comments on a line of "
        "their own",
    ]


def test_hash_without_a_space_before_it_is_text(fixture_project):
    replace(fixture_project, FINDING, "    quote: Larger pilots", "    quote: Larger#1 pilots")
    assert check(fixture_project).records.findings["alpha-budget-risk"].evidence[0].quote.startswith("Larger#1 pilots")


def test_comments_are_fine(fixture_project):
    replace(fixture_project, FINDING, "type: qualitative\n",
            "# editors: check the type\ntype: qualitative   # qualitative | quantitative | mixed\n")
    assert check(fixture_project).records.findings["alpha-budget-risk"].type == "qualitative"


def test_anchor_would_silently_drop_a_word(fixture_project):
    replace(fixture_project, FINDING, "    quote: Larger pilots", "    quote: &c Larger pilots")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:6:12: YAML anchors (&name) are not allowed: the anchor name "
        "would be lost; a value cannot start with '&': put the whole value in quotes",
    ]


def test_ampersand_inside_text_is_fine(fixture_project):
    replace(fixture_project, FINDING, "    quote: Larger pilots", "    quote: R&D Larger pilots")
    assert check(fixture_project).records.findings["alpha-budget-risk"].evidence[0].quote.startswith("R&D")


def test_second_document_in_a_file(fixture_project):
    append(fixture_project, FINDING, "---\nid: another-record\n")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:23:1: YAML syntax error: a second document starts here; a file "
        "holds one record; remove the '---' line and put another record in its own file",
    ]


def test_duplicate_key_points_at_the_second_and_names_the_first(fixture_project):
    replace(fixture_project, FINDING, "type: qualitative\n", "type: qualitative\ntype: mixed\n")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:12:1: duplicate key 'type' (first defined on line 11); "
        "remove or merge one of them",
    ]


def test_nested_duplicate_key(fixture_project):
    replace(fixture_project, FINDING, "    adequacy: Several sites.\n",
            "    adequacy: Several sites.\n    adequacy: Many sites.\n")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:18:5: duplicate key 'adequacy' (first defined on line 17); "
        "remove or merge one of them",
    ]


def test_duplicate_vocabulary_term(fixture_project):
    append(fixture_project, "evidence/themes.yaml", "maternity:\n  label: Maternity\n  description: Again.\n")
    assert problems(fixture_project) == [
        "evidence/themes.yaml:7:1: duplicate key 'maternity' (first defined on line 4); remove or merge one of them",
    ]


def test_empty_record_file(fixture_project):
    (fixture_project.root / FINDING).write_text("# to do\n\n", encoding="utf-8")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:1:1: file is empty; add the record's fields, or delete the file",
    ]


def test_record_file_with_the_wrong_extension(fixture_project):
    path = fixture_project.root / FINDING
    path.rename(path.with_suffix(".yml"))
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yml: not a record file; records are files named <id>.yaml",
    ]


def test_misnamed_record_folder(fixture_project):
    (fixture_project.evidence / "finding").mkdir()
    assert problems(fixture_project) == [
        "evidence/finding: unknown folder 'finding' in evidence/; records go in sources/, findings/, lessons/, "
        "comparisons/, contexts/",
    ]


def test_missing_vocabulary_file_reports_once(fixture_project):
    (fixture_project.evidence / "themes.yaml").unlink()
    # Every record uses themes; none of them is reported: the missing file is the one mistake.
    assert problems(fixture_project) == ["evidence/themes.yaml: vocabulary file themes.yaml is missing"]


def test_unreadable_vocabulary_file_reports_once(fixture_project):
    replace(fixture_project, "evidence/themes.yaml", "maternity:", "maternity: [")
    assert problems(fixture_project) == [
        "evidence/themes.yaml:4:12: YAML syntax error: list opened with '[' is not closed; close it with ']'; put items containing commas, colons or brackets in quotes",
    ]


def test_unreadable_record_sets_off_no_dangling_reference(fixture_project):
    # The lesson cites this finding; the finding's own syntax error is the only message.
    replace(fixture_project, FINDING, "themes: [budgets-and-risk]", "themes: [budgets-and-risk")
    reported = problems(fixture_project)
    assert len(reported) == 1
    assert reported[0].startswith("evidence/findings/alpha-budget-risk.yaml:8:9: YAML syntax error")
    assert not any(LESSON in line for line in reported)


def test_several_broken_files_are_all_reported_in_path_order(fixture_project):
    replace(fixture_project, FINDING, "  level: moderate", "\tlevel: moderate")
    replace(fixture_project, LESSON, "title: Pool", "title: Pool\ntitle: Pool")
    append(fixture_project, "evidence/schemes.yaml", "tp:\n  label: again\n  description: again\n")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:13:1: YAML syntax error: tab character in indentation; "
        "indent with spaces, not tabs",
        "evidence/lessons/pcts-pool-budget-risk.yaml:3:1: duplicate key 'title' (first defined on line 2); "
        "remove or merge one of them",
        "evidence/schemes.yaml:7:1: duplicate key 'tp' (first defined on line 1); remove or merge one of them",
    ]


# Unit level: read_yaml and LoadedFile.locate, which every later stage uses to place its messages.

def _read(tmp_path: Path, text: str):
    path = tmp_path / "record.yaml"
    path.write_text(text, encoding="utf-8")
    return read_yaml(path, tmp_path)


def test_read_yaml_returns_data_and_no_problems(tmp_path):
    loaded, found = _read(tmp_path, "id: a\nlist: [x, y]\n")
    assert found == []
    assert loaded.data == {"id": "a", "list": ["x", "y"]}
    assert loaded.display == "record.yaml"


def test_dates_stay_text(tmp_path):
    loaded, _ = _read(tmp_path, "period: 1997-04-01\n")
    assert loaded.data == {"period": "1997-04-01"}


def test_locate_finds_values_keys_and_list_items(tmp_path):
    loaded, _ = _read(tmp_path, "id: a\nouter:\n  inner: [x, y]\n  other: z\n")
    assert loaded.locate(("outer", "inner", 1)) == (3, 14)
    assert loaded.locate(("outer", "other")) == (4, 10)
    assert loaded.locate(("outer", "other"), at_key=True) == (4, 3)


def test_locate_falls_back_to_the_nearest_existing_ancestor(tmp_path):
    loaded, _ = _read(tmp_path, "id: a\nouter:\n  inner: x\n")
    assert loaded.locate(("outer", "missing")) == (3, 3)
    assert loaded.locate(("nothing", "here")) == (1, 1)


def test_load_evidence_collects_problems_instead_of_raising(tmp_path):
    raw = load_evidence(tmp_path / "evidence", tmp_path)
    assert [str(p) for p in raw.problems] == ["evidence: evidence folder not found"]


# The fast path (libyaml composes, one walk builds) must give StrictLoader's values, and hand every
# file it cannot vouch for to the strict load, which then reports exactly as before.

_REAL_EVIDENCE = sorted((Path(__file__).parent.parent / "evidence").rglob("*.yaml"))


def test_fast_path_builds_what_the_strict_loader_builds_for_every_real_file():
    import yaml

    from generator.loader import _IRREGULAR, StrictLoader, _fast_load

    assert len(_REAL_EVIDENCE) > 100
    for path in _REAL_EVIDENCE:
        text = path.read_text(encoding="utf-8")
        data = _fast_load(text)
        assert data is not _IRREGULAR, path  # ordinary records never take the slow path
        assert data == yaml.load(text, Loader=StrictLoader), path  # noqa: S506


@pytest.mark.parametrize("text, expected", [
    ("a: 1\nb: 2.5\nc: true\nd: ~\ne: 1997-04-01\nf: '7'\ng: \"8\"\nh: []\ni: {}\n",
     {"a": 1, "b": 2.5, "c": True, "d": None, "e": "1997-04-01", "f": "7", "g": "8", "h": [], "i": {}}),
    ("- [x, {y: z}]\n- ''\n", [["x", {"y": "z"}], ""]),
    ("- 71\n- '71'\n- 0.5\n- No\n- 'No'\n- Note\n- |\n  12\n", [71, "71", 0.5, False, "No", "Note", "12\n"]),
    ("TPP: a\n'yes': b\nNote: c\nsaid: at once! Really!\n",
     {"TPP": "a", "yes": "b", "Note": "c", "said": "at once! Really!"}),
    ("plain text\n", "plain text"),
])
def test_fast_path_keeps_yaml_scalar_types(text, expected):
    import yaml

    from generator.loader import StrictLoader, _fast_load

    assert _fast_load(text) == expected == yaml.load(text, Loader=StrictLoader)  # noqa: S506


@pytest.mark.parametrize("text", [
    "a: &x 1\nb: *x\n",             # anchor and alias
    "a: !!python/name:os.system\n",  # a tag
    "a: !!binary aGk=\n",           # a tag SafeLoader knows but records do not use
    "<<: {a: 1}\n",                 # merge key
    "a: <<\n",                      # a merge or value marker as a value: StrictLoader calls it a tag
    "a: =\n",
    "yes: a\n",                     # a key that YAML reads as true
    "a: ! b\n",                     # the non-specific tag
    "a: !!str 8\n",
    "a: [!x b]\n",
    "1: a\n",                       # non-string key
    "? [a]\n: b\n",                 # collection as key
    "a: 1\na: 2\n",                 # duplicate key
    "a: [unclosed\n",               # syntax error
    "a: 1\n---\nb: 2\n",            # second document
    "a: " + "[" * 21 + "]" * 21 + "\n",     # nested past the limit
    "a: " + "[" * 3000 + "]" * 3000 + "\n",  # too many collections to compose safely
])
def test_fast_path_declines_what_the_strict_load_must_judge(text):
    from generator.loader import _IRREGULAR, _fast_load

    assert _fast_load(text) is _IRREGULAR


def test_fast_path_accepts_nesting_up_to_the_limit(tmp_path):
    text = "a: " + "[" * 19 + "]" * 19 + "\n"  # 20 levels with the top mapping
    expected: list = []
    for _ in range(18):
        expected = [expected]
    loaded, found = _read(tmp_path, text)
    assert found == [] and loaded.data == {"a": expected}
    _, found = _read(tmp_path, "a: " + "[" * 20 + "]" * 20 + "\n")
    assert [p.message for p in found] == ["YAML is nested more than 20 levels deep"]


# locate_fast reads a block-style record's layout instead of composing it (lint locates thousands of
# warnings). Wherever it answers, it must answer what composing the file answers.

def _keypaths(data, prefix=()):
    if isinstance(data, dict):
        for key, value in data.items():
            yield prefix + (key,)
            yield from _keypaths(value, prefix + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield prefix + (index,)
            yield from _keypaths(value, prefix + (index,))


@pytest.mark.parametrize("root", [Path(__file__).parent.parent, Path(__file__).parent / "fixtures" / "mini"],
                         ids=["real", "fixture"])
def test_layout_locates_every_value_where_composing_does(root):
    from generator.loader import locate_in_layout

    raw = load_evidence(root / "evidence", root)
    located = checked = 0
    for files in raw.records.values():
        for file in files:
            for keypath in _keypaths(file.data):
                checked += 1
                found = locate_in_layout(file.text, keypath, file.data)
                if found is not None:
                    located += 1
                    assert found == file.locate(keypath), (file.display, keypath)
    assert located > 0.8 * checked  # block style is the norm: the fast path answers nearly always


@pytest.mark.parametrize("text, keypath, expected", [
    ("id: a\nstatement: >-\n  Long\n  text.\nlevel: low\n", ("statement",), (2, 12)),
    ("id: a\nstatement:\n  Plain text\n  on two lines.\n", ("statement",), (3, 3)),
    ("id: a\nconfidence:\n  level: low  # a comment\n  reasons:\n    coherence: Fits.\n",
     ("confidence", "reasons", "coherence"), (5, 16)),
    ("id: a\naccepted-warnings:\n- rule: x\n  reason: y\n- rule: z\n  reason: w\nthemes:\n- t\n",
     ("accepted-warnings", 1), (5, 3)),
    ("id: a\nvalues:\n  tpps: 'Quoted'\n  pcgs: \"Double\"\n", ("values", "pcgs"), (4, 9)),
    ("id: a\r\nstatement: Windows line ends\r\n", ("statement",), (2, 12)),
])
def test_layout_locates_block_style_values(tmp_path, text, keypath, expected):
    loaded, _ = _read(tmp_path, text)
    assert loaded.locate_fast(keypath) == expected == loaded.locate(keypath)


@pytest.mark.parametrize("text, keypath", [
    ("id: a\nthemes: [x, y]\n", ("themes", 1)),                             # a flow list
    ("id: a\nnotes: \"first line\nstatement: look-alike\"\nstatement: real\n", ("statement",)),
    ("id: a\n'statement': quoted key\n", ("statement",)),
    ("id: a\naccepted-warnings:\n-\n  rule: x\n", ("accepted-warnings", 0)),  # item on the next line
])
def test_layout_declines_other_layouts_and_composing_decides(tmp_path, text, keypath):
    from generator.loader import locate_in_layout

    loaded, _ = _read(tmp_path, text)
    assert locate_in_layout(loaded.text, keypath, loaded.data) is None
    assert loaded.locate_fast(keypath) == loaded.locate(keypath)
