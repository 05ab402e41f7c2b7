"""Lint: machine help for reviewers of evidence records.

Records paraphrase verbatim quotes. These rules flag paraphrases that may say more than the quotes
(a number, a dropped hedge, a stronger quantifier) and confidence grades that the finding's own
reasons do not allow. A warning is a question for a reviewer, not an error: a record can accept one
with a written reason (`accepted-warnings`), and an accept that matches no warning is itself a warning,
so stale accepts get cleaned up.

Pure functions over the checked knowledge base (20,000 records take a few seconds): every pattern is
compiled once; a text is scanned once per rule, lowercased for the word rules, and only for digits
first for the number rule; a finding's quotes are scanned once for all the lessons that rest on it, and
only when a rule needs them; only the warnings that are printed are located, from the files' layout.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any, get_args

from generator.errors import Problem
from generator.kb import KnowledgeBase
from generator.models import CONFIDENCE_LEVELS, AcceptedWarning, Context, Finding, Lesson, LintRule, Reasons

RULES: tuple[str, ...] = get_args(LintRule)
"""The rules, in the order the documentation explains them."""
ACCEPT_UNUSED = "accept-unused"
"""The warning about an accepted warning that no longer happens (itself never accepted)."""
REASON_REPEAT_LIMIT = 5
"""A confidence reason in more findings than this is boilerplate, not a reason about the finding."""
ACCEPT_HINT = "or accept it under accepted-warnings with a reason"

# --- the rules' words: data, not code -------------------------------------------------------------

HEDGE_FAMILIES: dict[str, tuple[str, ...]] = {
    "possibility": ("could", "may", "might", "possibly", "possible", "potential", "potentially", "perhaps"),
    "partial": ("some", "several", "a few", "in some cases", "in some", "sometimes", "often", "not all"),
    "tendency": ("tended", "tend", "tends", "tendency"),
    "appearance": ("appeared", "appear", "appears", "seemed", "seem", "seems", "apparently"),
    "likelihood": ("likely", "unlikely", "probably", "probable"),
    "suggestion": ("suggest", "suggests", "suggested", "suggestion"),
}
"""hedge-dropped: a word in a quote counts for its family; the paraphrase must keep a word of it."""

QUANTIFIER_SCALE: tuple[tuple[str, ...], ...] = (
    ("none", "no", "not at all", "none at all"),
    ("few", "a few"),
    ("some", "several", "a number of", "not all", "not every", "not always"),
    ("many", "numerous"),
    ("most", "majority", "the majority", "almost all", "nearly all", "virtually all"),
    ("all", "every", "each", "always"),
)
"""quantifier-stronger: weakest first. 'not all' is partial, 'almost all' is 'most', 'not at all' is none."""

_WORD_PATTERNS = {
    # the modal, not the month: 'May 1996', '14 May', 'May-June'
    "may": r"(?<!\d\s)may(?!\s*\d)(?!\s*[-–]\s*(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))",
    # not 'above all', 'after all', nor 'at all' ending a clause ('if at all'); 'at all levels' is a quantifier
    "all": r"(?<!\babove\s)(?<!\bafter\s)(?:(?<!\bat\s)all|(?<=\bat\s)all(?=\s+[a-z]))",
    "each": r"each(?!\s+other\b)",  # not 'each other'
    # 'most' as a superlative: 'the most important', 'was most advanced', 'most closely', 'most often'
    "most": (r"(?<!\bthe\s)(?<!\ba\s)(?<!\bat\s)(?<!\bis\s)(?<!\bbe\s)(?<!\bwas\s)(?<!\bare\s)(?<!\bwere\s)"
             r"(?<!\bbeen\s)(?<!\bappeared\s)(?<!\bseemed\s)most(?!\s+(?:\w+ly|often)\b)"),
}
"""Words whose other senses a plain whole-word match would take for a hedge or quantifier (patterns
over lowercased text)."""

GRADE_CAPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # phrase in a confidence reason, the highest level it allows, unless the phrase is followed by
    ("no data", "low", ("needed", "are needed", "is needed", "required", "on", "about", "for")),
    ("no evidence", "very-low", ("needed", "is needed", "required", "that", "of", "on", "about", "for")),
    ("assertion", "very-low", ()),
    ("anecdote", "very-low", ()),
    ("anecdotal", "very-low", ()),
    ("workshop", "low", ()),
    ("self-selected", "low", ()),
    ("single site", "low", ()),
    ("one site", "low", ()),
    ("few case studies", "low", ()),
    ("one case study", "low", ()),
    ("single case study", "low", ()),
)
"""grade-above-reasons: the rubric's explicit rules (docs/methods.md shows this table)."""
CAPPED_REASONS = frozenset({"methodological-limitations", "adequacy"})
"""The reasons that describe this finding's own data; coherence and relevance name other evidence and
other settings ('runs against a US anecdote'), which say nothing about how this finding was shown."""

# --- compiled once --------------------------------------------------------------------------------


def _phrase(words: str) -> str:
    return _WORD_PATTERNS.get(words) or r"\s+".join(map(re.escape, words.split()))


def _word_alternation(words: Iterable[str]) -> re.Pattern:
    """Whole words or phrases of lowercased text, longest first (so 'a few' wins over 'few'). The
    lookahead on their first letters lets the scan skip most word boundaries at once."""
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    first = "".join(sorted({word[0] for word in ordered}))
    return re.compile(rf"\b(?=[{first}])(?:" + "|".join(_phrase(w) for w in ordered) + r")\b")


def _grade_pattern() -> re.Pattern:
    """One pattern for GRADE_CAPS over lowercased text: group i+1 is row i's phrase."""
    first = "".join(sorted({phrase[0] for phrase, _, _ in GRADE_CAPS}))
    rows = (rf"({_phrase(phrase)})\b" + (rf"(?!\s+(?:{'|'.join(_phrase(e) for e in unless)})\b)" if unless else "")
            for phrase, _, unless in GRADE_CAPS)
    return re.compile(rf"\b(?=[{first}])(?:" + "|".join(rows) + ")")


_HEDGE_FAMILY = {word: family for family, words in HEDGE_FAMILIES.items() for word in words}
_HEDGES = _word_alternation(_HEDGE_FAMILY)
_QUANTIFIER_LEVEL = {word: level for level, words in enumerate(QUANTIFIER_SCALE) for word in words}
_QUANTIFIERS = _word_alternation(_QUANTIFIER_LEVEL)
_GRADE_CAPS = _grade_pattern()
_RANK = {level: rank for rank, level in enumerate(CONFIDENCE_LEVELS)}  # 0 = high

_NUMBER_TEXT = r"(?<![\w.])(?:\d{1,3}(?:,\d{3})+(?!\d)|\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d,])|\d+(?:\.\d+)?)"
"""A number as written: '1,000' or '1 000', '3.3', '25' of '25%', '1996' and '97' of '1996/97' or '1996–97'."""
_NUMBER = re.compile(_NUMBER_TEXT)
_SPACES = re.compile(r"[ \u00a0\u202f]")
_DIGIT = re.compile(r"\d")
_YEAR = r"(?:1[5-9]|20)\d\d[a-z]?"
_NAME = r"[A-Z][\w'’.&/-]*"
_AUTHORS = rf"{_NAME}(?:(?:\s*,\s*|\s+)(?:(?:and|&|of|for|the|de|van|von)\s+)*{_NAME})*(?:\s+et\s+al\b\.?)?"
_CITE = rf"{_AUTHORS},?\s+{_YEAR}(?:\s*,\s*{_YEAR})*"
_CITE_PREFIX = (r"(?:(?:[Ss]ee(?:\s+also)?|cf\.|e\.g\.,?|summary\s+in|summari[sz]ed\s+in|as\s+reported\s+(?:from|by|in)"
                r"|reported\s+in|quoted\s+in|cited\s+in)\s+)?")
_CITES = rf"{_CITE_PREFIX}{_CITE}(?:\s*[;,]\s*{_CITE_PREFIX}{_CITE})*"
_REF = r"(?:[Rr]efs?\.?|[Rr]eferences?)\s*\d+[a-z]?(?:\s*(?:[-–,]|and)\s*\d+[a-z]?)*"
_BRACKETED = re.compile(r"\(([^()]*\d[^()]*)\)|\[([^\[\]]*\d[^\[\]]*)\]")
_CITATION = re.compile(rf"\s*(?:{_CITES}|{_REF})\s*")
"""What a bracketed citation holds: '(ref. 12)', '(Baxter et al 2000)', '(see Regen et al 1999; NHS Alliance 2003)'."""
_YEARS = re.compile(rf"\s*{_YEAR}(?:\s*[,;]\s*{_YEAR})*\s*")
_NAME_BEFORE = re.compile(r"(?:[A-Z][\w'’.&/-]*|\bet\s+al\.?)\s*$")
"""'Mays and Dixon (1996)': a bracketed year after a name is a citation too."""
_PART_BEFORE = re.compile(
    r"(?i:\b(?:tables?|figures?|figs?\.|box(?:es)?|sections?|chapters?|appendi(?:x|ces)|pages?|pp?\.|paras?\.?"
    r"|paragraphs?))\s+(?:\d+(?:\.\d+)*[a-z]?\s*(?:[-–,]|and|to)\s*)*$")
"""A number after this names a part of the source, not a quantity: 'Table 3', 'Boxes 1 and 2', 'p. 14'."""
_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
_ABOUT_NUMBER = re.compile(r"[£$]?(\d[\d,]*(?:\.\d+)?)%?")


@lru_cache(maxsize=65536)
def canonical_number(written: str) -> str:
    """'1,000' -> '1000', '12.0' -> '12', '3.30' -> '3.3'."""
    return format(Decimal(written.replace(",", "")).normalize(), "f")


def numbers_in(text: str) -> set[str]:
    """Every number in a quote, canonical; '33 327' gives 33327 and also 33 and 327 (a list of two)."""
    found = set()
    for match in _NUMBER.finditer(text):
        written = match.group(0)
        found.add(canonical_number(_SPACES.sub("", written)))
        if _SPACES.search(written):
            found.update(canonical_number(part) for part in _SPACES.split(written))
    return found


def claim_numbers(text: str, known_ids: frozenset[str] = frozenset()) -> dict[str, str]:
    """The numbers a paraphrase states, canonical -> as first written: not those in bracketed citations
    ('(ref. 12)', '(Baxter et al 2000)'), in references to the source's parts ('Table 3') or inside record
    ids and BibTeX keys ('killoran-1999-total'; 'mid-1990s' is no id, so 1990 counts)."""
    if not _DIGIT.search(text):
        return {}  # most sentences: no scan at all
    found: dict[str, str] = {}
    citations: list[tuple[int, int]] | None = None
    for match in _NUMBER.finditer(text):
        start, end = match.span()
        if citations is None:
            citations = _citation_spans(text)
        if any(left <= start < right for left, right in citations):
            continue
        if _PART_BEFORE.search(text, max(0, start - 30), start) or _id_around(text, start, end) in known_ids:
            continue
        written = match.group(0)
        found.setdefault(canonical_number(_SPACES.sub("", written)), written)
    return found


def _citation_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _BRACKETED.finditer(text):
        content = match.group(1) if match.group(1) is not None else match.group(2)
        if _CITATION.fullmatch(content) or (_YEARS.fullmatch(content) and
                                            _NAME_BEFORE.search(text, max(0, match.start() - 40), match.start())):
            spans.append(match.span())
    return spans


def _id_around(text: str, start: int, end: int) -> str:
    """The id-like word (lowercase letters, digits, hyphens) the number at start:end stands in."""
    while start > 0 and text[start - 1] in _ID_CHARS:
        start -= 1
    while end < len(text) and text[end] in _ID_CHARS:
        end += 1
    return text[start:end]


def _fold(text: str) -> str:
    return " ".join(text.split())


def hedges_in(text: str) -> dict[str, str]:
    """Hedge family -> its first word in `text` (lowercase)."""
    found: dict[str, str] = {}
    for match in _HEDGES.finditer(text.lower()):
        word = match.group(0)
        family = _HEDGE_FAMILY.get(word)
        if family is None:  # a phrase broken across lines: 'in  some\ncases'
            word = _fold(word)
            family = _HEDGE_FAMILY[word]
        found.setdefault(family, word)
    return found


def strongest_quantifier(text: str) -> tuple[int, str] | None:
    """(level on QUANTIFIER_SCALE, word) of the strongest quantifier in `text`; the first of equals."""
    best: tuple[int, str] | None = None
    for match in _QUANTIFIERS.finditer(text.lower()):
        word = match.group(0)
        level = _QUANTIFIER_LEVEL.get(word)
        if level is None:  # a phrase broken across lines
            word = _fold(word)
            level = _QUANTIFIER_LEVEL[word]
        if best is None or level > best[0]:
            best = (level, word)
    return best


def grade_cap(reasons: Reasons) -> tuple[str, str, str] | None:
    """(highest level allowed, the phrase, the component) by the strictest GRADE_CAPS phrase in the reasons."""
    best: tuple[str, str, str] | None = None
    for name, text in _reason_texts(reasons):
        if name not in CAPPED_REASONS:
            continue
        for match in _GRADE_CAPS.finditer(text.lower()):
            cap = GRADE_CAPS[match.lastindex - 1][1]
            if best is None or _RANK[cap] > _RANK[best[0]]:
                best = (cap, _fold(match.group(0)), name)
    return best


_REASON_NAMES = tuple((name, info.alias or name) for name, info in Reasons.model_fields.items())


def _reason_texts(reasons: Reasons) -> Iterator[tuple[str, str]]:
    """(component as written in the YAML, its text) for each confidence reason."""
    for name, alias in _REASON_NAMES:
        yield alias, getattr(reasons, name)


# --- what the rules compare ----------------------------------------------------------------------

Claim = tuple[tuple, str, str]
"""(key path in the record, how to name the field, its text)."""


@dataclass(frozen=True)
class Strongest:
    level: int
    word: str
    where: str
    """Which quote holds it: 'quote 2', "quote 1 of finding 'x'", 'the origin quote'."""


class Support:
    """What quotes (and a finding's data) give the rules, each worked out the first time a rule asks:
    most records never need their quotes' quantifiers. A lesson's support is its origin quote's plus
    that of each of its findings, which is shared, not recomputed."""

    def __init__(self, quotes: tuple[tuple[str, str], ...], numbers: Iterable[str] = (),
                 parts: tuple[tuple[str, Support], ...] = ()):
        self.quotes = quotes
        """(label, quote): 'quote 2', 'the origin quote'."""
        self.parts = parts
        """(finding id, its support) for a lesson."""
        self._own_numbers = tuple(numbers)
        self._numbers: frozenset[str] | None = None
        self._strongest: Strongest | None | bool = False  # False: not worked out yet

    def numbers(self) -> frozenset[str]:
        if self._numbers is None:
            found = set(self._own_numbers)
            for _, quote in self.quotes:
                found |= numbers_in(quote)
            for _, part in self.parts:
                found |= part.numbers()
            self._numbers = frozenset(found)
        return self._numbers

    def strongest(self) -> Strongest | None:
        """The strongest quantifier in the quotes (the first of equals), or None if they hold none."""
        if self._strongest is False:
            candidates = []
            for label, quote in self.quotes:
                found = strongest_quantifier(quote)
                if found is not None:
                    candidates.append(Strongest(found[0], found[1], label))
            for finding_id, part in self.parts:
                found = part.strongest()
                if found is not None:
                    candidates.append(Strongest(found.level, found.word, f"{found.where} of finding '{finding_id}'"))
            self._strongest = max(candidates, key=lambda c: c.level, default=None)
        return self._strongest


@dataclass(frozen=True)
class View:
    """One record as the text rules see it: its own words, and the quotes they paraphrase."""

    kind: str
    record_id: str
    claims: tuple[Claim, ...]
    support: Support
    support_label: str
    """Names what the numbers come from: 'its quotes or data'."""
    hedge_quotes: tuple[tuple[str, str], ...]
    """(label, quote) that hedge-dropped compares with: a lesson's origin quote only."""
    hedge_at: tuple
    """Where hedge-dropped is reported."""
    hedge_claims: str
    """'the statement has', 'the title and summary have'."""


def _data_numbers(finding: Finding) -> Iterator[str]:
    for point in finding.data:
        for value in (point.value, point.n, point.denominator):
            if value is not None:
                yield canonical_number(repr(float(value)))
        if point.period:
            yield from numbers_in(point.period)


def _quotes(items) -> tuple[tuple[str, str], ...]:
    return tuple((f"quote {index}", item.quote) for index, item in enumerate(items, start=1))


def finding_support(finding: Finding) -> Support:
    return Support(_quotes(finding.evidence), _data_numbers(finding))


def finding_view(finding: Finding, support: Support) -> View:
    return View("finding", finding.id, ((("statement",), "the statement", finding.statement),), support,
                "its quotes or data", support.quotes, ("statement",), "the statement has")


def lesson_view(lesson: Lesson, supports: dict[str, Support]) -> View:
    origin = ((("the origin quote", lesson.origin.quote),) if lesson.origin.type == "source" else ())
    support = Support(origin, parts=tuple((finding_id, supports[finding_id]) for finding_id in lesson.findings))
    label = "its origin quote or its findings' quotes and data" if origin else "its findings' quotes and data"
    claims = ((("title",), "the title", lesson.title), (("summary",), "the summary", lesson.summary))
    return View("lesson", lesson.id, claims, support, label, origin, ("summary",), "the title and summary have")


def context_view(context: Context) -> View:
    claims = tuple((("values", key), f"the value for '{key}'", text) for key, text in context.values.items())
    claims += ((("implication",), "the implication", context.implication),)
    support = Support(_quotes(context.evidence))
    return View("context", context.id, claims, support, "its quotes", support.quotes,
                ("implication",), "the implication and values have")


# --- the rules -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """A warning before it is located (most are never printed: accepted, or counted only)."""

    kind: str
    record_id: str
    keypath: tuple
    rule: str
    about: str
    message: str
    hint: str


def _hit(view: View, keypath: tuple, rule: str, about: str, message: str, hint: str) -> Hit:
    return Hit(view.kind, view.record_id, keypath, rule, about, message, hint)


def number_hits(view: View, known_ids: frozenset[str]) -> Iterator[Hit]:
    """number-not-in-quotes: each number a field states that its quotes (and data) do not give."""
    for keypath, label, text in view.claims:
        for number, written in claim_numbers(text, known_ids).items():
            if number not in view.support.numbers():
                yield _hit(view, keypath, "number-not-in-quotes", number,
                           f"'{written}' in {label} is not among the numbers of {view.support_label}",
                           f"check it against the source and quote the passage that gives it, {ACCEPT_HINT}")


def hedge_hits(view: View) -> Iterator[Hit]:
    """hedge-dropped: one per hedge family that a quote holds and the record's own words do not."""
    if not view.hedge_quotes:
        return
    kept: set[str] = set()
    for _, _, text in view.claims:
        kept |= hedges_in(text).keys()
    for label, quote in view.hedge_quotes:
        for family, word in hedges_in(quote).items():
            if family not in kept:
                kept.add(family)  # one warning per family
                yield _hit(view, view.hedge_at, "hedge-dropped", word,
                           f"{label} says '{word}'; {view.hedge_claims} no {'/'.join(HEDGE_FAMILIES[family])}",
                           f"keep the hedge (any word of its family) if the source hedges the point, {ACCEPT_HINT}")


def quantifier_hits(view: View) -> Iterator[Hit]:
    """quantifier-stronger: a field whose strongest quantifier outranks every quantifier in the quotes."""
    said = [(keypath, label, found) for keypath, label, text in view.claims
            if (found := strongest_quantifier(text)) is not None and found[0] > 0]
    quoted = view.support.strongest() if said else None  # 'none' is never stronger: no need to look
    if quoted is None:
        return
    for keypath, label, (level, word) in said:
        if level > quoted.level:
            yield _hit(view, keypath, "quantifier-stronger", word,
                       f"{label} says '{word}'; the strongest quantifier in the quotes is '{quoted.word}' "
                       f"({quoted.where})", f"say no more than the quotes do, {ACCEPT_HINT}")


def repeated_reason_hits(findings: dict[str, Finding], limit: int = REASON_REPEAT_LIMIT) -> Iterator[Hit]:
    """reason-repeated: each use of a confidence reason (whitespace folded) that more than `limit` findings share."""
    folded = {finding_id: [(name, _fold(text)) for name, text in _reason_texts(finding.confidence.reasons)]
              for finding_id, finding in findings.items()}
    users: dict[str, set[str]] = defaultdict(set)
    for finding_id, reasons in folded.items():
        for _, text in reasons:
            users[text].add(finding_id)
    for finding_id, reasons in folded.items():
        for name, text in reasons:
            count = len(users[text])
            if count > limit:
                shown = text if len(text) <= 60 else text[:57] + "..."
                yield Hit("finding", finding_id, ("confidence", "reasons", name), "reason-repeated", name,
                          f"this {name} reason is used by {count} findings: '{shown}'",
                          f"say what supports or lowers confidence in this finding in particular, {ACCEPT_HINT}")


def grade_hits(finding: Finding) -> Iterator[Hit]:
    """grade-above-reasons: a level above what the strictest GRADE_CAPS phrase in its reasons allows."""
    level = finding.confidence.level
    found = grade_cap(finding.confidence.reasons)
    if found is not None and _RANK[level] < _RANK[found[0]]:
        cap, phrase, name = found
        yield Hit("finding", finding.id, ("confidence", "level"), "grade-above-reasons", phrase,
                  f"the level is '{level}' but the {name} reason says '{phrase}', which allows at most '{cap}'",
                  f"lower the level (see the rubric in docs/methods.md) or reword the reason, {ACCEPT_HINT}")


def known_ids(kb: KnowledgeBase) -> frozenset[str]:
    """Record ids, their former ids and BibTeX keys: numbers inside them are not claims."""
    r = kb.records
    ids: set[str] = set(kb.references)
    for kind in ("source", "finding", "lesson", "comparison", "context"):
        for record_id, record in r.of_kind(kind).items():
            ids.add(record_id)
            ids.update(record.aliases)
    return frozenset(ids)


def find_hits(kb: KnowledgeBase) -> Iterator[Hit]:
    """Every warning of every rule, accepted or not, unlocated."""
    r = kb.records
    ids = known_ids(kb)
    supports = {finding_id: finding_support(finding) for finding_id, finding in r.findings.items()}
    views = [finding_view(finding, supports[finding_id]) for finding_id, finding in r.findings.items()]
    views += [lesson_view(lesson, supports) for lesson in r.lessons.values()]
    views += [context_view(context) for context in r.contexts.values()]
    for view in views:
        yield from number_hits(view, ids)
        yield from hedge_hits(view)
        yield from quantifier_hits(view)
    yield from repeated_reason_hits(r.findings)
    for finding in r.findings.values():
        yield from grade_hits(finding)


# --- accepting, locating, reporting ---------------------------------------------------------------


def _about_key(about: str) -> str:
    """'25%', '25' and '25.0' are one number; words compare without case."""
    text = _fold(about).strip("'\"").lower()
    number = _ABOUT_NUMBER.fullmatch(text)
    return canonical_number(number.group(1)) if number else text


def accepts(accept: AcceptedWarning, hit: Hit) -> bool:
    return accept.rule == hit.rule and (accept.about is None or _about_key(accept.about) == _about_key(hit.about))


def apply_accepts(hits: list[Hit], record: Any, kind: str) -> tuple[list[Hit], int]:
    """The hits a record's accepted-warnings leave, plus accept-unused for each entry that matches
    none; and how many hits were accepted."""
    accepted: set[int] = set()
    unused = []
    for index, accept in enumerate(record.accepted_warnings):
        matched = [i for i, hit in enumerate(hits) if accepts(accept, hit)]
        accepted.update(matched)
        if not matched:
            about = f" about '{accept.about}'" if accept.about is not None else ""
            unused.append(Hit(kind, record.id, ("accepted-warnings", index), ACCEPT_UNUSED, accept.rule,
                              f"the accepted warning {accept.rule}{about} matches no warning",
                              "remove the entry (the warning is gone), or correct its rule or about"))
    return [hit for i, hit in enumerate(hits) if i not in accepted] + unused, len(accepted)


@dataclass(frozen=True, order=True)
class LintWarning:
    """One located warning, as printed."""

    path: str
    line: int
    column: int
    rule: str
    message: str
    hint: str = ""
    about: str = ""
    """The number, word or phrase it is about: what an accept's `about` names."""
    record: str = ""
    """Id of the record it is about."""

    def as_problem(self) -> Problem:
        """The same text as a check problem, with the rule named as compilers name a warning flag."""
        return Problem(self.path, self.line, self.column, f"{self.message} [{self.rule}]", self.hint)

    def __str__(self) -> str:
        """path:line:column: warning: message [rule]; hint"""
        problem = self.as_problem()
        text = f"{problem.location()}: warning: {problem.message}"
        return f"{text}; {problem.hint}" if problem.hint else text


@dataclass
class LintReport:
    warnings: list[LintWarning]
    """Warnings not accepted (accept-unused included), located, in file order."""
    accepted: int
    """Warnings that records accept with a reason (not in `warnings`)."""

    @property
    def files(self) -> int:
        return len({warning.path for warning in self.warnings})

    def by_rule(self) -> dict[str, int]:
        counts = dict.fromkeys((*RULES, ACCEPT_UNUSED), 0)
        for warning in self.warnings:
            counts[warning.rule] += 1
        return counts


def locate(kb: KnowledgeBase, hit: Hit) -> LintWarning:
    file = kb.records.files[(hit.kind, hit.record_id)]
    line, column = file.locate_fast(hit.keypath)
    return LintWarning(file.display, line, column, hit.rule, hit.message, hit.hint, hit.about, hit.record_id)


def lint(kb: KnowledgeBase) -> LintReport:
    """Run every rule over a checked knowledge base; settle each record's accepted warnings."""
    by_record: dict[tuple[str, str], list[Hit]] = defaultdict(list)
    for hit in find_hits(kb):
        by_record[(hit.kind, hit.record_id)].append(hit)
    left: list[Hit] = []
    accepted = 0
    for kind in ("finding", "lesson", "context"):
        for record_id, record in kb.records.of_kind(kind).items():
            hits = by_record.get((kind, record_id), [])
            if record.accepted_warnings:
                hits, count = apply_accepts(hits, record, kind)
                accepted += count
            left += hits
    return LintReport(sorted(locate(kb, hit) for hit in left), accepted)
