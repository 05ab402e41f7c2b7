"""Stage 2, model: one pydantic model per record kind. Field docstrings become the JSON Schema
descriptions that contributors' editors show, and the reference in docs/record-format.md."""

from __future__ import annotations

import datetime
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, FiniteFloat, StringConstraints

ID_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
ID_MAX = 80

Id = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=ID_MAX)]
"""A record id: lowercase letters, digits and single hyphens, starting with a letter, at most 80."""
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]

ConfidenceLevel = Literal["high", "moderate", "low", "very-low"]
CONFIDENCE_LEVELS: tuple[str, ...] = ("high", "moderate", "low", "very-low")
SourceKind = Literal[
    "evaluation-report", "working-paper", "journal-article", "workshop-report",
    "policy-analysis", "book", "official-document",
]
LintRule = Literal[
    "number-not-in-quotes", "hedge-dropped", "quantifier-stronger", "reason-repeated", "grade-above-reasons",
]
"""The rules of `python -m generator lint` that a record can accept a warning of."""


class Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, use_attribute_docstrings=True, populate_by_name=True,
    )


class SecondReading(Strict):
    """A check of the record against its source by someone who did not write it. Written by
    `python -m generator mark-checked`; do not edit the digest by hand."""

    date: datetime.date
    """When the record was checked against the source (YYYY-MM-DD)."""
    by: Short
    """Who checked it: a name or GitHub handle, not the record's author."""
    digest: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")]
    """Digest of the checked fields at the time: when they change, the check expires."""


class Record(Strict):
    id: Id
    """Permanent id: lowercase slug equal to the file name without .yaml."""
    aliases: list[Id] = []
    """Former ids of this record; their old URLs redirect here."""
    checked: SecondReading | None = None
    """The last check of this record against its source by a second reader (see docs/methods.md)."""


class GradeChange(Strict):
    """A change of confidence level."""

    from_: ConfidenceLevel = Field(alias="from")
    """The level before."""
    to: ConfidenceLevel
    """The level after: the record's level, if this is its latest grade change."""


class ChangeLogEntry(Strict):
    """One change a reader who cited the record should know about, with the reason. A change of grade
    needs one (`check --against main` enforces it on a pull request)."""

    date: datetime.date
    """When the change was made (YYYY-MM-DD, in quotes)."""
    what: Short
    """What changed, in a few words ('Grade moderate → low', 'Statement narrowed to first-wave TPPs')."""
    why: Text
    """Why: what in the source, or in a re-reading of it, made the change necessary."""
    grade: GradeChange | None = None
    """The change of confidence level, when the entry records one."""


class Setting(Strict):
    countries: list[Short] = Field(min_length=1)
    """Countries the study covers, e.g. [England, Scotland]."""
    period: Short | None = None
    """Period studied, as the source states it, e.g. '1995-1998'. Leave out if the source is silent."""


class Source(Record):
    """A report that findings are extracted from. Bibliographic data lives in references.bib under
    the same key as `id`."""

    kind: SourceKind
    """What sort of document it is."""
    design: Text
    """Study design and methods, in a sentence or three."""
    setting: Setting
    """Where and when."""
    sample: Text
    """Who or what was studied, with numbers as the source gives them."""
    schemes: list[Id] = Field(min_length=1)
    """Commissioning schemes studied (keys of evidence/schemes.yaml)."""
    limitations: list[Text] = []
    """The authors' own stated limitations, paraphrased. Empty if they state none (say so in notes)."""
    funding: Text
    """Who commissioned or paid for the work, as the source says; 'Not stated in the source.' if silent."""
    study: Id | None = None
    """The study or evaluation this report comes from, when several reports share one (e.g. tp-net for
    the reports of the national evaluation of total purchasing). Reports of one study are not
    independent: a lesson graded high needs findings from two different studies. Leave out for a
    report that is a study of its own."""
    notes: Text | None = None
    """Editors' remarks on the source (not the authors' words)."""


class EvidenceItem(Strict):
    """A verbatim excerpt from a source and where it stands."""

    source: Id
    """Id of the source record the quote comes from."""
    locator: Short
    """Where the quote stands: section, table, box or page as the source shows it."""
    quote: Text
    """Verbatim excerpt; '...' marks a cut. Fix nothing inside it."""
    cites: list[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_:.-]*$", max_length=ID_MAX)]] = []
    """BibTeX keys of works the source cites for this point ('as reported by')."""
    order: int | None = Field(default=None, ge=0)
    """Position of the quote in the source's reading order; sorts findings on the source page."""


class DataPoint(Strict):
    """One number the source reports."""

    measure: Short
    """What was measured, e.g. 'First-wave TPPs reporting an achievement in maternity care'."""
    value: FiniteFloat
    """The number as the source gives it."""
    unit: Short
    """Unit of the value: percent, TPPs, practices, pounds, count..."""
    n: FiniteFloat | None = None
    """Numerator or sample size, where the source gives it."""
    denominator: FiniteFloat | None = None
    """What the value is out of, where the source gives it."""
    period: Short | None = None
    """Year or period the number refers to."""
    group: Short | None = None
    """Category label used as the bar label in charts."""


class Reasons(Strict):
    """GRADE-CERQual components behind a confidence level."""

    methodological_limitations: Text = Field(alias="methodological-limitations")
    """Concerns about how the underlying study was done."""
    coherence: Text
    """How well the finding fits the data and other sources."""
    adequacy: Text
    """How rich and plentiful the data behind it are."""
    relevance: Text
    """How well the study context matches the finding's claim."""


class AcceptedWarning(Strict):
    """A `lint` warning the editors have read and accept for this record, with their reason."""

    rule: LintRule
    """Rule id of the warning, as `lint` prints it in brackets, e.g. number-not-in-quotes."""
    about: Short | None = None
    """The number, word or phrase the warning is about, as `lint` names it ('25', 'could'); omit to accept them all."""
    reason: Text
    """Why the record is right as it stands, e.g. 'the source gives 25 in Table 2, quoted in another finding'."""


class Confidence(Strict):
    level: ConfidenceLevel
    """high, moderate, low or very-low."""
    reasons: Reasons
    """One sentence per GRADE-CERQual component."""


Concern = Literal["no-or-very-minor", "minor", "moderate", "serious"]
CONCERNS: tuple[str, ...] = ("no-or-very-minor", "minor", "moderate", "serious")


class ComponentAssessment(Strict):
    """A GRADE-CERQual component assessed across all the findings a lesson rests on."""

    concern: Concern
    """How much this component lowers confidence: no-or-very-minor, minor, moderate or serious."""
    explanation: Text
    """Why, for this lesson, naming the findings it rests on."""


class LessonConfidence(Strict):
    """GRADE-CERQual assessment of the lesson as a whole: start at high, go down for concerns."""

    level: ConfidenceLevel
    """high, moderate, low or very-low; within the bounds the concerns set (docs/methods.md)."""
    explanation: Text
    """One sentence: the level and the concerns behind it ('Moderate confidence because of ...')."""
    methodological_limitations: ComponentAssessment = Field(alias="methodological-limitations")
    """Concerns about how the studies behind the findings were done."""
    coherence: ComponentAssessment
    """How well the findings fit the lesson and each other."""
    adequacy: ComponentAssessment
    """How rich and plentiful the data behind the lesson are."""
    relevance: ComponentAssessment
    """How well the studies' contexts match the lesson as stated."""

    def components(self) -> list[tuple[str, ComponentAssessment]]:
        return [("methodological-limitations", self.methodological_limitations), ("coherence", self.coherence),
                ("adequacy", self.adequacy), ("relevance", self.relevance)]


class Finding(Record):
    """One claim a source makes, with the verbatim words it makes it in."""

    statement: Text
    """Plain-language statement in one or two sentences; keeps the source's numbers and denominators."""
    evidence: list[EvidenceItem] = Field(min_length=1)
    """Verbatim quotes that support the statement."""
    themes: list[Id] = Field(min_length=1)
    """Keys of evidence/themes.yaml."""
    stakeholders: list[Id] = Field(min_length=1)
    """Whom the finding concerns (keys of evidence/stakeholders.yaml)."""
    schemes: list[Id] = []
    """Schemes the finding is about (keys of evidence/schemes.yaml)."""
    type: Literal["qualitative", "quantitative", "mixed"]
    """Kind of evidence."""
    data: list[DataPoint] = []
    """Numbers the source gives, for tables and charts."""
    confidence: Confidence
    """How much confidence the finding deserves."""
    notes: Text | None = None
    """Editors' remarks (not the source's words)."""
    change_log: list[ChangeLogEntry] = Field(default=[], alias="change-log")
    """Changes readers should know about, oldest first, each with its reason; every change of grade has one."""
    accepted_warnings: list[AcceptedWarning] = Field(default=[], alias="accepted-warnings")
    """`lint` warnings the editors accept for this record, each with a reason; an unused entry is reported."""


class SourceOrigin(Strict):
    """The lesson is stated by a source's authors."""

    type: Literal["source"]
    source: Id
    """Id of the source whose authors state the lesson."""
    locator: Short
    """Where they state it."""
    quote: Text
    """Their words, verbatim."""


class SynthesisOrigin(Strict):
    """The lesson is drawn by the editors across findings."""

    type: Literal["synthesis"]
    rationale: Text
    """Which findings from which sources point the same way, and why they support the lesson."""


class Lesson(Record):
    """What someone should do, and the findings it rests on."""

    title: Short
    """What to do, in the imperative."""
    stakeholders: list[Id] = Field(min_length=1)
    """Who should act (keys of evidence/stakeholders.yaml)."""
    themes: list[Id] = Field(min_length=1)
    """Keys of evidence/themes.yaml."""
    summary: Text
    """Two to four sentences: what to do and why."""
    findings: list[Id] = Field(min_length=1)
    """Ids of the findings the lesson rests on."""
    origin: Annotated[Union[SourceOrigin, SynthesisOrigin], Field(discriminator="type")]
    """Whether a source's authors state it, or we synthesise it."""
    caveats: list[Text] = []
    """Limits on the lesson."""
    contexts: list[Id] = []
    """Ids of context differences that bear on how far the lesson transfers."""
    confidence: LessonConfidence
    """How much confidence the lesson as a whole deserves (GRADE-CERQual), judged across its findings."""
    finding_grades: dict[Id, ConfidenceLevel] = Field(default={}, alias="finding-grades")
    """Its findings' grades when the lesson's confidence was assessed; written by
    `python -m generator mark-assessed`. When a finding's grade changes, `check` asks for re-assessment."""
    change_log: list[ChangeLogEntry] = Field(default=[], alias="change-log")
    """Changes readers should know about, oldest first, each with its reason; every change of grade has one."""
    accepted_warnings: list[AcceptedWarning] = Field(default=[], alias="accepted-warnings")
    """`lint` warnings the editors accept for this record, each with a reason; an unused entry is reported."""


class Column(Strict):
    id: Id
    """Column key used in the context records' `values`."""
    label: Short
    """Column heading."""


class Comparison(Record):
    """A comparison table drawn by a source; its rows are context records."""

    title: Short
    """Table title."""
    description: Text | None = None
    """What is compared and why it matters."""
    source: Id
    """Source that draws the comparison."""
    locator: Short
    """Where in the source."""
    columns: list[Column] = Field(min_length=2)
    """Ordered columns."""


class Context(Record):
    """One row of a comparison table: a difference between contexts and what it implies."""

    comparison: Id
    """Id of the comparison this row belongs to."""
    dimension: Short
    """What differs (row heading)."""
    values: dict[Id, Text]
    """Value per column id of the comparison."""
    evidence: list[EvidenceItem] = Field(min_length=1)
    """Verbatim support for the row."""
    implication: Text
    """What the difference means for applying the evidence in the other context."""
    order: int | None = Field(default=None, ge=0)
    """Row position in the table; rows without it follow in id order."""
    accepted_warnings: list[AcceptedWarning] = Field(default=[], alias="accepted-warnings")
    """`lint` warnings the editors accept for this record, each with a reason; an unused entry is reported."""


class VocabularyTerm(Strict):
    label: Short
    """Display name."""
    description: Text
    """One sentence saying what the term covers."""


class GlossaryEntry(Strict):
    expansion: Short
    """What the abbreviation stands for."""
    description: Text | None = None
    """Optional explanation."""


RECORD_MODELS: dict[str, type[Record]] = {
    "source": Source,
    "finding": Finding,
    "lesson": Lesson,
    "comparison": Comparison,
    "context": Context,
}
