"""The validate stage: one test per kind of mistake `check` must catch.

Each test breaks one thing in a copy of the fixture evidence and asserts the complete list of
problems: exact text, file:line:column of the offending key or value, and the hint. Asserting the
whole list also proves one mistake gives one message (no follow-on errors).
"""

from __future__ import annotations

import pytest
from evidence_edits import (
    BIB, COMPARISON, CONTEXT, FINDING, LESSON, MATERNITY_FINDING, OTHER_FINDING, OTHER_SOURCE, SOURCE,
    SOURCE_LESSON, append, problems, replace,
)

from generator.pipeline import check
from generator.validate import suggest

CONFIDENCE = """confidence:
  level: moderate
  reasons:
    methodological-limitations: Interviews at a subset of sites.
    coherence: Fits the survey data.
    adequacy: Several sites.
    relevance: TPPs were smaller than PCGs.
"""


def test_fixture_is_valid(fixture_project):
    kb = check(fixture_project)
    assert sorted(kb.records.findings) == ["alpha-budget-risk", "alpha-maternity-change", "beta-budget-incentives"]


# Wrong types

def test_text_where_a_list_is_needed(fixture_project):
    replace(fixture_project, FINDING, "themes: [budgets-and-risk]", "themes: budgets-and-risk")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:8:9: 'themes' must be a list, not the text 'budgets-and-risk'; "
        "write [first, second] or one '- item' per line",
    ]


def test_empty_value_where_a_list_is_needed(fixture_project):
    replace(fixture_project, LESSON, "findings: [alpha-budget-risk, beta-budget-incentives]", "findings:")
    assert problems(fixture_project) == [
        "evidence/lessons/pcts-pool-budget-risk.yaml:6:10: 'findings' must be a list, not empty; "
        "write [first, second] or one '- item' per line",
    ]


def test_list_where_text_is_needed(fixture_project):
    replace(fixture_project, FINDING, "statement: Pilots with larger budgets managed financial risk more easily.",
            "statement: [Pilots, budgets]")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:2:12: 'statement' must be text, not a list; "
        "write the text after the colon, or as a '>' block for long text",
    ]


def test_number_where_text_is_needed(fixture_project):
    replace(fixture_project, FINDING, "statement: Pilots with larger budgets managed financial risk more easily.",
            "statement: 42")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:2:12: 'statement' must be text, not the number 42; "
        "put it in quotes to make it text",
    ]


def test_text_where_a_number_is_needed(fixture_project):
    replace(fixture_project, MATERNITY_FINDING, "value: 12", "value: twelve")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-maternity-change.yaml:15:12: 'data[0].value' must be a number, not the text "
        "'twelve'; write the number alone, e.g. 12 or 12.5; units go in 'unit'",
    ]


@pytest.mark.parametrize(("written", "shown"), [(".nan", "nan"), (".inf", "inf"), ("-.inf", "-inf")])
def test_number_that_is_not_finite(fixture_project, written, shown):
    replace(fixture_project, MATERNITY_FINDING, "value: 12", f"value: {written}")
    assert problems(fixture_project) == [
        f"evidence/findings/alpha-maternity-change.yaml:15:12: 'data[0].value' must be a finite number, not the "
        f"number {shown}; write the number as the source gives it",
    ]


def test_text_where_a_mapping_is_needed(fixture_project):
    replace(fixture_project, FINDING, CONFIDENCE, "confidence: high\n")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:12:13: 'confidence' must be a mapping (field: value lines), "
        "not the text 'high'; see docs/record-format.md for the fields it holds",
    ]


def test_record_that_is_not_a_mapping(fixture_project):
    (fixture_project.root / FINDING).write_text("- statement\n- evidence\n", encoding="utf-8")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:1:1: a record must be a mapping of fields, not a list; "
        "start each line with 'field: value'; see docs/record-format.md",
    ]


def test_empty_text(fixture_project):
    replace(fixture_project, FINDING, "statement: Pilots with larger budgets managed financial risk more easily.",
            "statement: '   '")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:2:12: 'statement' is empty; "
        "write the text, or remove the field if it is optional",
    ]


def test_value_outside_a_fixed_list_with_suggestion(fixture_project):
    replace(fixture_project, FINDING, "type: qualitative", "type: qualitive")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:11:7: 'qualitive' is not allowed in 'type'; "
        "did you mean 'qualitative'?",
    ]


def test_value_outside_a_fixed_list_lists_the_options(fixture_project):
    replace(fixture_project, FINDING, "level: moderate", "level: medium")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:13:10: 'medium' is not allowed in 'confidence.level'; "
        "use one of: high, moderate, low, very-low",
    ]


def test_yaml_yes_is_named_as_a_yes_no_value(fixture_project):
    replace(fixture_project, FINDING, "type: qualitative", "type: yes")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:11:7: true (a yes/no value) is not allowed in 'type'; "
        "use one of: qualitative, quantitative, mixed",
    ]


def test_unknown_origin_type(fixture_project):
    replace(fixture_project, LESSON, "  type: synthesis", "  type: synth")
    assert problems(fixture_project) == [
        "evidence/lessons/pcts-pool-budget-risk.yaml:8:3: 'origin.type' must be 'source' or 'synthesis'; "
        "source: stated by a source's authors; synthesis: drawn by the editors",
    ]


# Missing and unknown fields

def test_missing_required_field(fixture_project):
    replace(fixture_project, FINDING, "type: qualitative\n", "")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:1:1: missing required field 'type'; "
        "add it; see docs/record-format.md for each field",
    ]


def test_missing_required_field_after_a_leading_comment(fixture_project):
    replace(fixture_project, SOURCE, "funding: Commissioned by the Department of Health.\n", "")
    assert problems(fixture_project) == [
        "evidence/sources/alpha-1999-total.yaml:2:1: missing required field 'funding'; "
        "add it; see docs/record-format.md for each field",
    ]


def test_missing_nested_field_points_at_its_mapping(fixture_project):
    replace(fixture_project, FINDING, "    coherence: Fits the survey data.\n", "")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:15:5: missing required field 'confidence.reasons.coherence'; "
        "add it; see docs/record-format.md for each field",
    ]


def test_misspelt_field_is_one_message_with_did_you_mean(fixture_project):
    replace(fixture_project, FINDING, "stakeholders:", "stakholders:")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:9:1: unknown field 'stakholders'; did you mean 'stakeholders'?",
    ]


def test_misspelt_nested_field(fixture_project):
    replace(fixture_project, LESSON, "  rationale:", "  rationle:")
    assert problems(fixture_project) == [
        "evidence/lessons/pcts-pool-budget-risk.yaml:9:3: unknown field 'origin.rationle'; did you mean 'rationale'?",
    ]


def test_unknown_field_lists_the_allowed_ones(fixture_project):
    append(fixture_project, FINDING, "wibble: 3\n")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:23:1: unknown field 'wibble'; allowed fields: id, aliases, "
        "checked, statement, evidence, themes, stakeholders, schemes, type, data, confidence, notes, change-log, accepted-warnings",
    ]


def test_vocabulary_entry_missing_a_field(fixture_project):
    replace(fixture_project, "evidence/themes.yaml", "  label: Maternity services\n", "")
    # The lessons and findings that use the broken term are not reported again.
    assert problems(fixture_project) == [
        "evidence/themes.yaml:5:3: missing required field 'maternity.label'; "
        "add it; see docs/record-format.md for each field",
    ]


def test_misspelt_field_in_a_vocabulary_entry(fixture_project):
    replace(fixture_project, "evidence/themes.yaml", "  label: Maternity services", "  lable: Maternity services")
    assert problems(fixture_project) == [
        "evidence/themes.yaml:5:3: unknown field 'maternity.lable'; did you mean 'label'?",
    ]


def test_misspelt_field_in_a_list_item(fixture_project):
    replace(fixture_project, FINDING, "    quote: Larger", "    qoute: Larger")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:6:5: unknown field 'evidence[0].qoute'; did you mean 'quote'?",
    ]


def test_negative_order(fixture_project):
    replace(fixture_project, FINDING, "    order: 1", "    order: -1")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:7:12: 'evidence[0].order' must be at least 0, not the number -1",
    ]


def test_text_where_a_whole_number_is_needed(fixture_project):
    replace(fixture_project, FINDING, "    order: 1", "    order: first")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:7:12: 'evidence[0].order' must be a whole number, not the text "
        "'first'; write the number alone, e.g. 3",
    ]


def test_cited_key_that_cannot_be_a_bibtex_key(fixture_project):
    replace(fixture_project, MATERNITY_FINDING, "cites: [gamma-1998-what]", "cites: ['gamma 1998']")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-maternity-change.yaml:7:13: 'gamma 1998' in 'evidence[0].cites[0]' is not a valid "
        "BibTeX key; use the key exactly as in references.bib: letters, digits and _ : . - only, no spaces",
    ]


# Unknown vocabulary terms

def test_unknown_stakeholder_with_suggestion(fixture_project):
    replace(fixture_project, FINDING, "stakeholders: [pcts, health-authorities]",
            "stakeholders: [pcts, health-authority]")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:9:22: unknown stakeholder 'health-authority'; "
        "did you mean 'health-authorities'?",
    ]


def test_unknown_theme_with_suggestion(fixture_project):
    replace(fixture_project, LESSON, "themes: [budgets-and-risk]", "themes: [budget-and-risk]")
    assert problems(fixture_project) == [
        "evidence/lessons/pcts-pool-budget-risk.yaml:4:10: unknown theme 'budget-and-risk'; "
        "did you mean 'budgets-and-risk'?",
    ]


def test_unknown_scheme_without_a_near_miss(fixture_project):
    replace(fixture_project, FINDING, "schemes: [tp]", "schemes: [fundholding]")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:10:11: unknown scheme 'fundholding'; it is not a key of "
        "evidence/schemes.yaml; add it there or check the spelling",
    ]


def test_invalid_vocabulary_key(fixture_project):
    append(fixture_project, "evidence/stakeholders.yaml", "Patients:\n  label: Patients\n  description: People.\n")
    assert problems(fixture_project) == [
        "evidence/stakeholders.yaml:13:1: 'Patients' is not a valid stakeholder id; "
        "use lowercase letters, digits and single hyphens",
    ]


def test_invalid_glossary_abbreviation(fixture_project):
    append(fixture_project, "evidence/glossary.yaml", "not an abbr:\n  expansion: x\n")
    assert problems(fixture_project) == [
        "evidence/glossary.yaml:6:1: 'not an abbr' is not a valid abbreviation; "
        "letters, digits and & / . - only, up to 20 characters",
    ]


# Ids and file names

def test_id_differs_from_file_name(fixture_project):
    replace(fixture_project, FINDING, "id: alpha-budget-risk", "id: alpha-budget-risks")
    # The lesson that cites alpha-budget-risk is not reported: the finding's own error is the mistake.
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:1:5: id 'alpha-budget-risks' does not match the file name "
        "'alpha-budget-risk.yaml'; rename the file to alpha-budget-risks.yaml or set id: alpha-budget-risk",
    ]


def test_duplicate_id(fixture_project):
    original = (fixture_project.root / FINDING).read_text(encoding="utf-8")
    (fixture_project.evidence / "findings" / "budget-risk-copy.yaml").write_text(original, encoding="utf-8")
    assert problems(fixture_project) == [
        "evidence/findings/budget-risk-copy.yaml:1:5: duplicate id 'alpha-budget-risk': "
        "evidence/findings/alpha-budget-risk.yaml has it too; give this record its own id and name the file "
        "after it, or set id: budget-risk-copy",
    ]


def test_invalid_id(fixture_project):
    replace(fixture_project, FINDING, "id: alpha-budget-risk", "id: Alpha_Budget")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:1:5: 'Alpha_Budget' in 'id' is not a valid id; "
        "use lowercase letters, digits and single hyphens, starting with a letter",
    ]


def test_invalid_file_name(fixture_project):
    path = fixture_project.root / FINDING
    path.rename(path.with_name("Alpha_Budget.yaml"))
    assert problems(fixture_project) == [
        "evidence/findings/Alpha_Budget.yaml:1:1: file name 'Alpha_Budget.yaml' is not a valid record id; "
        "name the file <id>.yaml with a lowercase slug id of at most 80 characters",
    ]


def test_file_name_too_long(fixture_project):
    long_id = "a" * 81
    text = (fixture_project.root / FINDING).read_text(encoding="utf-8")
    (fixture_project.evidence / "findings" / f"{long_id}.yaml").write_text(
        text.replace("id: alpha-budget-risk", f"id: {long_id}"), encoding="utf-8")
    assert problems(fixture_project) == [
        f"evidence/findings/{long_id}.yaml:1:1: file name '{long_id}.yaml' is not a valid record id; "
        "name the file <id>.yaml with a lowercase slug id of at most 80 characters",
    ]


# Dangling references, each with a "did you mean" for a near miss

def test_finding_cites_unknown_source(fixture_project):
    replace(fixture_project, FINDING, "source: alpha-1999-total", "source: alpha-1999-totl")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:4:13: unknown source 'alpha-1999-totl'; "
        "did you mean 'alpha-1999-total'?",
    ]


def test_lesson_rests_on_unknown_finding(fixture_project):
    replace(fixture_project, LESSON, "findings: [alpha-budget-risk, beta-budget-incentives]",
            "findings: [alpha-budget-risk, beta-budget-incentive]")
    assert problems(fixture_project) == [
        "evidence/lessons/pcts-pool-budget-risk.yaml:6:31: unknown finding 'beta-budget-incentive'; "
        "did you mean 'beta-budget-incentives'?",
    ]


def test_lesson_rests_on_unknown_finding_without_near_miss(fixture_project):
    replace(fixture_project, LESSON, "findings: [alpha-budget-risk,", "findings: [zzz-unrelated,")
    assert problems(fixture_project) == [
        "evidence/lessons/pcts-pool-budget-risk.yaml:6:12: unknown finding 'zzz-unrelated'; "
        "no finding has this id; check the spelling",
    ]


def test_reference_to_a_record_of_another_kind_says_so(fixture_project):
    replace(fixture_project, LESSON, "findings: [alpha-budget-risk,", "findings: [practices-plan-maternity,")
    assert problems(fixture_project) == [
        "evidence/lessons/pcts-pool-budget-risk.yaml:6:12: unknown finding 'practices-plan-maternity'; "
        "'practices-plan-maternity' is a lesson, not a finding",
    ]


def test_lesson_names_unknown_context(fixture_project):
    replace(fixture_project, LESSON, "contexts: [alpha-tpp-pcg-budget]", "contexts: [alpha-tpp-pcg-budgt]")
    assert problems(fixture_project) == [
        "evidence/lessons/pcts-pool-budget-risk.yaml:12:12: unknown context difference 'alpha-tpp-pcg-budgt'; "
        "did you mean 'alpha-tpp-pcg-budget'?",
    ]


def test_lesson_origin_names_unknown_source(fixture_project):
    replace(fixture_project, SOURCE_LESSON, "  source: alpha-1999-total", "  source: alpha-1999")
    assert problems(fixture_project) == [
        "evidence/lessons/practices-plan-maternity.yaml:9:11: unknown source 'alpha-1999'; "
        "did you mean 'alpha-1999-total'?",
    ]


def test_context_names_unknown_comparison(fixture_project):
    replace(fixture_project, CONTEXT, "comparison: alpha-tpp-pcg", "comparison: alpha-tpp-pgc")
    assert problems(fixture_project) == [
        "evidence/contexts/alpha-tpp-pcg-budget.yaml:2:13: unknown comparison 'alpha-tpp-pgc'; "
        "did you mean 'alpha-tpp-pcg'?",
    ]


def test_comparison_names_unknown_source(fixture_project):
    replace(fixture_project, COMPARISON, "source: alpha-1999-total", "source: alpha-2000-total")
    assert problems(fixture_project) == [
        "evidence/comparisons/alpha-tpp-pcg.yaml:3:9: unknown source 'alpha-2000-total'; "
        "did you mean 'alpha-1999-total'?",
    ]


def test_context_value_for_unknown_column(fixture_project):
    replace(fixture_project, CONTEXT, "  pcgs: Unified budget.", "  pcg: Unified budget.")
    assert problems(fixture_project) == [
        "evidence/contexts/alpha-tpp-pcg-budget.yaml:5:3: no value for column(s) pcgs; give every column a value; "
        "write 'Not stated in the source.' if the source is silent",
        "evidence/contexts/alpha-tpp-pcg-budget.yaml:6:3: 'pcg' is not a column of comparison 'alpha-tpp-pcg'; "
        "did you mean 'pcgs'?",
    ]


def test_duplicate_comparison_column(fixture_project):
    replace(fixture_project, COMPARISON, "  - id: pcgs", "  - id: tpps")
    # The rows are not checked against columns in doubt, so the one mistake is one message.
    assert problems(fixture_project) == [
        "evidence/comparisons/alpha-tpp-pcg.yaml:8:9: duplicate column id 'tpps'; each column needs its own id",
    ]


def test_broken_record_sets_off_no_dangling_references(fixture_project):
    replace(fixture_project, SOURCE, "kind: evaluation-report", "kind: report")
    # Findings, lessons, contexts and the comparison all name this source; only its own error shows.
    assert problems(fixture_project) == [
        "evidence/sources/alpha-1999-total.yaml:3:7: 'report' is not allowed in 'kind'; use one of: "
        "evaluation-report, working-paper, journal-article, workshop-report, policy-analysis, book, "
        "official-document",
    ]


# A lesson with no finding

def test_lesson_with_no_finding(fixture_project):
    replace(fixture_project, LESSON, "findings: [alpha-budget-risk, beta-budget-incentives]", "findings: []")
    assert problems(fixture_project) == [
        "evidence/lessons/pcts-pool-budget-risk.yaml:6:11: a lesson must rest on at least one finding, but "
        "'findings' is empty; list the ids of the findings it rests on, e.g. findings: [finding-id]",
    ]


def test_lesson_without_findings_field(fixture_project):
    replace(fixture_project, LESSON, "findings: [alpha-budget-risk, beta-budget-incentives]\n", "")
    assert problems(fixture_project) == [
        "evidence/lessons/pcts-pool-budget-risk.yaml:1:1: missing required field 'findings'; "
        "add it; see docs/record-format.md for each field",
    ]


# Aliases

def test_alias_that_is_a_current_id(fixture_project):
    replace(fixture_project, FINDING, "id: alpha-budget-risk\n", "id: alpha-budget-risk\naliases: [beta-budget-incentives]\n")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:2:11: alias 'beta-budget-incentives' is the id of a finding; "
        "an alias is a former id that no record uses any more",
    ]


def test_alias_claimed_by_two_records(fixture_project):
    replace(fixture_project, FINDING, "id: alpha-budget-risk\n", "id: alpha-budget-risk\naliases: [old-risk]\n")
    replace(fixture_project, OTHER_FINDING, "id: beta-budget-incentives\n",
            "id: beta-budget-incentives\naliases: [old-risk]\n")
    assert problems(fixture_project) == [
        "evidence/findings/beta-budget-incentives.yaml:2:11: alias 'old-risk' is also claimed by "
        "'alpha-budget-risk'; each former id can redirect to only one record",
    ]


# The bibliography

def test_source_without_bibtex_entry(fixture_project):
    replace(fixture_project, BIB, "@book{beta-2004-practice,", "@book{beta-2004-practise,")
    assert problems(fixture_project) == [
        "evidence/sources/beta-2004-practice.yaml:1:5: source 'beta-2004-practice' has no entry in "
        "references.bib; did you mean 'beta-2004-practise'?",
    ]


def test_cited_key_missing_from_bibliography(fixture_project):
    replace(fixture_project, MATERNITY_FINDING, "cites: [gamma-1998-what]", "cites: [gamma-1998-whats]")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-maternity-change.yaml:7:13: cited work 'gamma-1998-whats' has no entry in "
        "references.bib; did you mean 'gamma-1998-what'?",
    ]


def test_cited_key_missing_without_near_miss(fixture_project):
    replace(fixture_project, MATERNITY_FINDING, "cites: [gamma-1998-what]", "cites: [zeta2020]")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-maternity-change.yaml:7:13: cited work 'zeta2020' has no entry in "
        "references.bib; add it to references.bib",
    ]


def test_unclosed_brace_in_bibliography(fixture_project):
    replace(fixture_project, BIB, "  publisher = {King's Fund},\n  address = {London},\n  year = {1999}",
            "  publisher = {King's Fund,\n  address = {London},\n  year = {1999}")
    # The entry that failed is reported with its line; the source using its key is not reported again.
    assert problems(fixture_project) == [
        "references.bib:1:1: cannot parse BibTeX entry '@book{alpha-1999-total,': Unexpected block start: "
        "`@book`. Was still looking for field-value closing `,` or `}`; check its braces, quotes and commas",
    ]


def test_missing_comma_after_bibtex_key(fixture_project):
    replace(fixture_project, BIB, "@techreport{gamma-1998-what,", "@techreport{gamma-1998-what")
    assert problems(fixture_project) == [
        "references.bib:17:1: cannot parse BibTeX entry '@techreport{gamma-1998-what': Expected comma after "
        "entry key, but found =; check its braces, quotes and commas",
    ]


def test_duplicate_bibtex_key(fixture_project):
    append(fixture_project, BIB, "\n@book{alpha-1999-total,\n  title = {Again},\n  year = {1999}\n}\n")
    assert problems(fixture_project) == [
        "references.bib:25:1: duplicate entry key 'alpha-1999-total'; keys must be unique; rename or remove one entry",
    ]


def test_duplicate_bibtex_field(fixture_project):
    replace(fixture_project, BIB, "  year = {2004}", "  year = {2004},\n  year = {2005}")
    assert problems(fixture_project) == [
        "references.bib:9:1: entry 'beta-2004-practice' has field 'year' more than once; keep one of them",
    ]


def test_bibtex_entry_without_title(fixture_project):
    replace(fixture_project, BIB, "  title = {Practice-led commissioning},\n", "")
    assert problems(fixture_project) == [
        "references.bib:9:1: entry 'beta-2004-practice' has no title; "
        "add title = {...}, or for an untitled @misc item a note = {...}",
    ]


def test_missing_bibliography_is_one_message(fixture_project):
    (fixture_project.root / BIB).unlink()
    assert problems(fixture_project) == ["references.bib: bibliography file not found; create references.bib"]


# All problems at once

def test_every_problem_in_every_file_is_reported_at_once(fixture_project):
    replace(fixture_project, FINDING, "type: qualitative", "type: qualitive")
    replace(fixture_project, LESSON, "contexts: [alpha-tpp-pcg-budget]", "contexts: [nowhere]")
    replace(fixture_project, OTHER_SOURCE, "kind: policy-analysis", "kind: policy")
    replace(fixture_project, MATERNITY_FINDING, "stakeholders: [practices, pcts]", "stakholders: [practices, pcts]")
    replace(fixture_project, CONTEXT, "  pcgs: Unified budget.", "  pcgs: Unified budget.\n  has: x")
    replace(fixture_project, BIB, "@techreport{gamma-1998-what,", "@techreport{gamma-1998-what")
    assert problems(fixture_project) == [
        "evidence/contexts/alpha-tpp-pcg-budget.yaml:7:3: 'has' is not a column of comparison 'alpha-tpp-pcg'; "
        "columns: tpps, pcgs",
        "evidence/findings/alpha-budget-risk.yaml:11:7: 'qualitive' is not allowed in 'type'; "
        "did you mean 'qualitative'?",
        "evidence/findings/alpha-maternity-change.yaml:10:1: unknown field 'stakholders'; "
        "did you mean 'stakeholders'?",
        "evidence/lessons/pcts-pool-budget-risk.yaml:12:12: unknown context difference 'nowhere'; "
        "no context difference has this id; check the spelling",
        "evidence/sources/beta-2004-practice.yaml:2:7: 'policy' is not allowed in 'kind'; use one of: "
        "evaluation-report, working-paper, journal-article, workshop-report, policy-analysis, book, "
        "official-document",
        "references.bib:17:1: cannot parse BibTeX entry '@techreport{gamma-1998-what': Expected comma after "
        "entry key, but found =; check its braces, quotes and commas",
    ]


@pytest.mark.parametrize(("word", "expected"), [
    ("stakholders", "did you mean 'stakeholders'?"),
    ("pct", "did you mean 'pcts'?"),
    ("zzzz", ""),
])
def test_suggest(word, expected):
    assert suggest(word, ["stakeholders", "pcts", "practices", "themes"]) == expected


def test_id_listed_twice(fixture_project):
    replace(fixture_project, LESSON, "findings: [alpha-budget-risk, beta-budget-incentives]",
            "findings: [alpha-budget-risk, alpha-budget-risk]")
    replace(fixture_project, FINDING, "themes: [budgets-and-risk]", "themes: [budgets-and-risk, budgets-and-risk]")
    assert problems(fixture_project) == [
        "evidence/findings/alpha-budget-risk.yaml:8:28: 'budgets-and-risk' is listed twice in 'themes'; "
        "remove the repeat, or put the id you meant",
        "evidence/lessons/pcts-pool-budget-risk.yaml:6:31: 'alpha-budget-risk' is listed twice in 'findings'; "
        "remove the repeat, or put the id you meant",
    ]


def test_bibliography_ending_inside_an_entry(fixture_project):
    path = fixture_project.root / BIB
    path.write_text(path.read_text(encoding="utf-8").rstrip()[:-1], encoding="utf-8")
    assert problems(fixture_project) == [
        "references.bib:17:1: cannot parse BibTeX entry '@techreport{gamma-1998-what,': Unexpectedly reached end "
        "of file; check its braces, quotes and commas",
    ]
