"""Stage 4, model: the linked knowledge base, with every back-link index built once, in linear time."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from generator.bib import Reference
from generator.models import CONFIDENCE_LEVELS, Context, Finding, Lesson
from generator.validate import REQUIRED_STAKEHOLDERS, Validated

_RANK = {level: rank for rank, level in enumerate(CONFIDENCE_LEVELS)}  # 0 = high


@dataclass
class KnowledgeBase:
    """Validated records plus the indexes the pages need."""

    records: Validated
    references: dict[str, Reference]
    lessons_by_finding: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    findings_by_source: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    lessons_by_source: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    lessons_by_context: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    contexts_by_comparison: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    comparisons_by_source: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    citing_records: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    """BibTeX key -> [(kind, id)] of records that cite it (as source or via `cites`)."""
    _lesson_sources: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        r = self.records
        for finding in r.findings.values():
            for source_id in dict.fromkeys(item.source for item in finding.evidence):
                self.findings_by_source[source_id].append(finding.id)
                self.citing_records[source_id].append(("finding", finding.id))
            for key in dict.fromkeys(k for item in finding.evidence for k in item.cites):
                self.citing_records[key].append(("finding", finding.id))
        for lesson in r.lessons.values():
            for finding_id in lesson.findings:
                self.lessons_by_finding[finding_id].append(lesson.id)
            for context_id in lesson.contexts:
                self.lessons_by_context[context_id].append(lesson.id)
            for source_id in self.lesson_sources(lesson):
                self.lessons_by_source[source_id].append(lesson.id)
        for context in r.contexts.values():
            self.contexts_by_comparison[context.comparison].append(context.id)
            for key in dict.fromkeys(k for item in context.evidence for k in item.cites):
                self.citing_records[key].append(("context", context.id))
        for comparison in r.comparisons.values():
            self.comparisons_by_source[comparison.source].append(comparison.id)
        for source_id, finding_ids in self.findings_by_source.items():
            finding_ids.sort(key=lambda fid: self._document_position(fid, source_id))
        for comparison_id, context_ids in self.contexts_by_comparison.items():
            context_ids.sort(key=lambda cid: (r.contexts[cid].order is None, r.contexts[cid].order or 0, cid))
        for source_id in r.sources:
            self.citing_records[source_id].insert(0, ("source", source_id))

    def _document_position(self, finding_id: str, source_id: str) -> tuple:
        finding = self.records.findings[finding_id]
        orders = [item.order for item in finding.evidence if item.source == source_id and item.order is not None]
        return (not orders, min(orders) if orders else 0, finding_id)

    def lesson_sources(self, lesson: Lesson) -> list[str]:
        """Source ids behind a lesson, through its findings and its origin, in first-seen order."""
        cached = self._lesson_sources.get(lesson.id)  # every index page line asks again: compute once
        if cached is not None:
            return cached
        ids: dict[str, None] = {}
        if lesson.origin.type == "source":
            ids[lesson.origin.source] = None
        for finding_id in lesson.findings:
            for item in self.records.findings[finding_id].evidence:
                ids[item.source] = None
        self._lesson_sources[lesson.id] = result = list(ids)
        return result

    @staticmethod
    def lesson_confidence(lesson: Lesson) -> str:
        """A lesson's own level, assessed across all its findings (GRADE-CERQual): used for every list,
        sort, count and export."""
        return lesson.confidence.level

    def finding_sources(self, finding: Finding) -> list[str]:
        return list(dict.fromkeys(item.source for item in finding.evidence))

    def context_lessons(self, context: Context) -> list[str]:
        return self.lessons_by_context.get(context.id, [])

    @staticmethod
    def confidence_rank(level: str) -> int:
        return _RANK[level]


def coverage_problems(kb: KnowledgeBase) -> list[str]:
    """Gaps an editor should know about (not errors): used by tests and `stats`."""
    gaps = []
    for stakeholder in REQUIRED_STAKEHOLDERS:
        if not any(stakeholder in lesson.stakeholders for lesson in kb.records.lessons.values()):
            gaps.append(f"no lesson for stakeholder '{stakeholder}'")
    for source_id in kb.records.sources:
        if not kb.findings_by_source.get(source_id):
            gaps.append(f"source '{source_id}' has no findings")
    return gaps
