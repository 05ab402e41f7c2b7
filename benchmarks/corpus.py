"""Synthetic evidence corpus: a valid, buildable project of N records for the benchmarks.

Proportions, text lengths and link density follow the real evidence base (measured on the seed
records: a finding has ~350 characters of statement, two ~240-character quotes, 2.8 themes, 2.5
stakeholders; a lesson rests on ~3.7 findings; about one source per hundred records). Words are
drawn from the real records' own text, and the controlled vocabularies (themes, stakeholders,
schemes, glossary) are the real ones from evidence/*.yaml. Output is deterministic for a given
N and seed.

    python benchmarks/corpus.py --records 2000 --out /tmp/corpus-2000
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
SITE_FILES = ("mkdocs.yml", "overrides", "docs")
SURNAMES = ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas", "Roberts",
            "Walker", "Wright", "Robinson", "Thompson", "White", "Hughes", "Edwards", "Green", "Hall",
            "Wood", "Harris", "Lewis", "Martin", "Jackson", "Clarke", "Patel", "Khan", "Turner", "Hill")
LEVELS = ("high",) * 1 + ("moderate",) * 46 + ("low",) * 49 + ("very-low",) * 4
FINDING_TYPES = ("qualitative",) * 78 + ("mixed",) * 12 + ("quantitative",) * 10
SOURCE_KINDS = ("evaluation-report", "working-paper", "journal-article", "workshop-report",
                "policy-analysis", "book", "official-document")
UNITS = ("percent", "TPPs", "practices", "pounds", "count")


def word_bank(evidence: Path) -> list[str]:
    """Every word of the real records' prose, with repeats, so sampling follows real frequencies."""
    words: list[str] = []
    for path in sorted(evidence.glob("*/*.yaml")):
        for match in re.finditer(r"[A-Za-z][a-z]{1,15}", path.read_text(encoding="utf-8")):
            words.append(match.group(0))
    return words or ["commissioning", "practice", "budget", "evidence"]


class Writer:
    """Seeded random text and links for one corpus."""

    def __init__(self, seed: int, words: list[str]):
        self.rng = random.Random(seed)
        self.words = words

    def text(self, mean: int) -> str:
        """Sentences of real words, about `mean` characters long (never empty)."""
        target = max(20, int(self.rng.gauss(mean, mean * 0.35)))
        sentences, length = [], 0
        while length < target:
            count = self.rng.randint(8, 22)
            words = self.rng.choices(self.words, k=count)
            if self.rng.random() < 0.3:  # real prose carries numbers: years, counts, percentages
                words.insert(self.rng.randrange(count), str(self.rng.choice((
                    self.rng.randint(1990, 2010), self.rng.randint(2, 400), f"{self.rng.randint(1, 99)}%"))))
            sentence = " ".join(words)
            sentence = sentence[0].upper() + sentence[1:] + "."
            sentences.append(sentence)
            length += len(sentence) + 1
        return " ".join(sentences)

    def short(self, lo: int = 3, hi: int = 9) -> str:
        text = " ".join(self.rng.choices(self.words, k=self.rng.randint(lo, hi)))
        return text[0].upper() + text[1:]

    def slug(self, count: int = 3) -> str:
        return "-".join(w.lower() for w in self.rng.choices(self.words, k=count))

    def some(self, items: list[str], lo: int, hi: int) -> list[str]:
        return self.rng.sample(items, k=min(len(items), self.rng.randint(lo, hi)))


def plan(records: int) -> dict[str, int]:
    """How many records of each kind: the seed's proportions, about one source per 100 records."""
    sources = max(1, records // 100)
    comparisons = max(1, records // 100)
    contexts = max(2, round(records * 0.08))
    lessons = max(1, round(records * 0.28))
    findings = max(1, records - sources - comparisons - contexts - lessons)
    return {"source": sources, "comparison": comparisons, "context": contexts, "lesson": lessons,
            "finding": findings}


def generate(records: int, out: Path, seed: int = 7, git: bool = True) -> dict[str, int]:
    """Write a complete project (evidence/, references.bib and the repo's site files) to `out`."""
    if out.exists():
        shutil.rmtree(out)
    evidence = out / "evidence"
    for folder in ("sources", "findings", "lessons", "comparisons", "contexts"):
        (evidence / folder).mkdir(parents=True)
    for name in ("themes", "stakeholders", "schemes", "glossary"):
        shutil.copy(REPO / "evidence" / f"{name}.yaml", evidence / f"{name}.yaml")
    _copy_site_files(out)
    vocab = {name: list(yaml.load((REPO / "evidence" / f"{name}.yaml").read_text(encoding="utf-8"),
                                  Loader=yaml.CSafeLoader)) for name in ("themes", "stakeholders", "schemes")}
    w = Writer(seed, word_bank(REPO / "evidence"))
    counts = plan(records)
    source_ids = [f"{w.rng.choice(SURNAMES).lower()}-{1990 + i % 25}-{w.slug(1)}-s{i}" for i in range(counts["source"])]
    cited_ids = [f"{w.rng.choice(SURNAMES).lower()}-{1985 + i % 30}-{w.slug(1)}-c{i}"
                 for i in range(max(5, records // 20))]
    _write_bib(out / "references.bib", w, source_ids + cited_ids)
    for source_id in source_ids:
        _dump(evidence / "sources" / f"{source_id}.yaml", _source(w, source_id, vocab))
    comparison_ids = [f"{source_ids[i % len(source_ids)].rsplit('-s', 1)[0]}-cmp{i}" for i in range(counts["comparison"])]
    columns: dict[str, list[str]] = {}
    for index, comparison_id in enumerate(comparison_ids):
        columns[comparison_id] = [f"col{j}" for j in range(w.rng.randint(2, 5))]
        _dump(evidence / "comparisons" / f"{comparison_id}.yaml", {
            "id": comparison_id, "title": w.short(4, 10), "description": w.text(200),
            "source": source_ids[index % len(source_ids)], "locator": f"Table {w.rng.randint(1, 9)}",
            "columns": [{"id": c, "label": w.short(2, 4)} for c in columns[comparison_id]]})
    context_ids = [f"{comparison_ids[i % len(comparison_ids)]}-row{i}" for i in range(counts["context"])]
    for index, context_id in enumerate(context_ids):
        comparison_id = comparison_ids[index % len(comparison_ids)]
        _dump(evidence / "contexts" / f"{context_id}.yaml", {
            "id": context_id, "comparison": comparison_id, "dimension": w.short(1, 4),
            "values": {c: w.text(100) for c in columns[comparison_id]},
            "evidence": [_evidence_item(w, source_ids[comparison_ids.index(comparison_id) % len(source_ids)], cited_ids)],
            "implication": w.text(280)})
    finding_ids = [f"{source_ids[i % len(source_ids)].rsplit('-s', 1)[0]}-{w.slug(3)}-f{i}" for i in range(counts["finding"])]
    levels: dict[str, str] = {}
    for index, finding_id in enumerate(finding_ids):
        home = source_ids[index % len(source_ids)]
        finding = _finding(w, finding_id, home, source_ids, cited_ids, vocab, index)
        levels[finding_id] = finding["confidence"]["level"]
        _dump(evidence / "findings" / f"{finding_id}.yaml", finding)
    for index in range(counts["lesson"]):
        home = index % len(source_ids)
        lesson_id = f"{source_ids[home].rsplit('-s', 1)[0]}-{w.slug(3)}-l{index}"
        # a lesson draws on findings of its own source (findings i, i+S, i+2S... share a source)
        pool = finding_ids[home::len(source_ids)] or finding_ids
        lesson = _lesson(w, lesson_id, source_ids[home], pool, context_ids, vocab, levels)
        _dump(evidence / "lessons" / f"{lesson_id}.yaml", lesson)
    if git:
        _commit(out)
    return counts


def _copy_site_files(out: Path) -> None:
    for name in SITE_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, out / name, ignore=shutil.ignore_patterns("kb"))
        else:
            shutil.copy(source, out / name)
    (out / "generator").mkdir()
    shutil.copy(REPO / "generator" / "mkdocs_hooks.py", out / "generator" / "mkdocs_hooks.py")


def _dump(path: Path, data: dict) -> None:
    kind = path.parent.name[:-1]
    header = f"# yaml-language-server: $schema=../../schema/{kind}.schema.json\n"
    body = yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True, width=104)
    path.write_text(header + body, encoding="utf-8")


def _write_bib(path: Path, w: Writer, keys: list[str]) -> None:
    entries = []
    for key in keys:
        authors = " and ".join(f"{w.rng.choice(SURNAMES)}, {w.rng.choice('ABCDEFGHJKLMNPRSTW')}."
                               for _ in range(w.rng.randint(1, 4)))
        year = key.split("-")[1]
        if w.rng.random() < 0.5:
            entries.append(f"@article{{{key},\n  author = {{{authors}}},\n  title = {{{w.short(5, 12)}}},\n"
                           f"  journal = {{{w.short(2, 4)}}},\n  year = {{{year}}},\n  volume = {{{w.rng.randint(1, 60)}}},\n"
                           f"  pages = {{{w.rng.randint(1, 200)}--{w.rng.randint(201, 400)}}}\n}}\n")
        else:
            entries.append(f"@techreport{{{key},\n  author = {{{authors}}},\n  title = {{{w.short(5, 12)}}},\n"
                           f"  institution = {{{w.short(2, 4)}}},\n  year = {{{year}}},\n  address = {{London}}\n}}\n")
    path.write_text("\n".join(entries), encoding="utf-8")


def _source(w: Writer, source_id: str, vocab: dict) -> dict:
    data = {"id": source_id, "kind": w.rng.choice(SOURCE_KINDS), "design": w.text(500),
            "setting": {"countries": w.some(["England", "Scotland", "Wales", "Northern Ireland"], 1, 2),
                        "period": f"{source_id.split('-')[1]}-{int(source_id.split('-')[1]) + 3}"},
            "sample": w.text(300), "schemes": w.some(vocab["schemes"], 1, 3),
            "limitations": [w.text(200) for _ in range(w.rng.randint(0, 4))],
            "funding": w.text(150)}
    if w.rng.random() < 0.5:
        data["notes"] = w.text(300)
    return data


def _evidence_item(w: Writer, source_id: str, cited_ids: list[str]) -> dict:
    item = {"source": source_id, "locator": f"Section {w.rng.randint(1, 12)}, {w.short(1, 4).lower()}",
            "quote": w.text(240)}
    if w.rng.random() < 0.2:
        item["cites"] = w.some(cited_ids, 1, 3)
    return item


def _finding(w: Writer, finding_id: str, home: str, source_ids: list[str], cited_ids: list[str],
             vocab: dict, index: int) -> dict:
    evidence = [_evidence_item(w, home, cited_ids) for _ in range(w.rng.choice((1, 1, 2, 2, 2, 3, 4)))]
    if len(source_ids) > 1 and w.rng.random() < 0.1:  # some findings draw on a second source
        evidence.append(_evidence_item(w, w.rng.choice(source_ids), cited_ids))
    data = {"id": finding_id, "statement": w.text(350), "evidence": evidence,
            "themes": w.some(vocab["themes"], 1, 5), "stakeholders": w.some(vocab["stakeholders"], 1, 4),
            "schemes": w.some(vocab["schemes"], 0, 3), "type": w.rng.choice(FINDING_TYPES)}
    if w.rng.random() < 0.25:
        data["data"] = [{"measure": w.short(3, 8), "value": w.rng.randint(1, 100), "unit": w.rng.choice(UNITS),
                         "n": w.rng.randint(1, 60), "denominator": w.rng.randint(60, 200),
                         "group": w.short(1, 2)} for _ in range(w.rng.randint(1, 4))]
    data["confidence"] = {"level": w.rng.choice(LEVELS), "reasons": {
        key: w.text(90) for key in ("methodological-limitations", "coherence", "adequacy", "relevance")}}
    if w.rng.random() < 0.06:
        data["notes"] = w.text(200)
    if index % 97 == 5:  # renamed records leave redirect pages behind
        data["aliases"] = [f"{finding_id}-old"]
    return data


LESSON_CONCERNS = {  # a lesson's level -> its four concerns, within the bounds check enforces
    "moderate": ("minor", "minor", "no-or-very-minor", "minor"),
    "low": ("moderate", "minor", "serious", "minor"),
    "very-low": ("serious", "moderate", "serious", "minor"),
}


def _lesson(w: Writer, lesson_id: str, source_id: str, pool: list[str], context_ids: list[str],
            vocab: dict, levels: dict[str, str]) -> dict:
    lesson = {"id": lesson_id, "title": w.short(6, 16),
              "stakeholders": w.some(vocab["stakeholders"], 1, 3), "themes": w.some(vocab["themes"], 1, 4),
              "summary": w.text(340), "findings": w.some(pool, 1, 7)}
    if w.rng.random() < 0.7:
        lesson["origin"] = {"type": "source", "source": source_id, "locator": f"Section {w.rng.randint(1, 9)}",
                            "quote": w.text(200)}
    else:
        lesson["origin"] = {"type": "synthesis", "rationale": w.text(300)}
    caveats = [w.text(180) for _ in range(w.rng.choice((0, 0, 1, 1, 2, 3)))]
    if caveats:
        lesson["caveats"] = caveats
    if context_ids and w.rng.random() < 0.4:
        lesson["contexts"] = w.some(context_ids, 1, 2)
    # never above its best finding; never high (its findings come from one source: one study)
    best = min((levels[f] for f in lesson["findings"]), key=LEVELS.index)
    level = "moderate" if best == "high" else best
    components = ("methodological-limitations", "coherence", "adequacy", "relevance")
    lesson["confidence"] = {"level": level, "explanation": w.text(160), **{
        name: {"concern": concern, "explanation": w.text(120)}
        for name, concern in zip(components, LESSON_CONCERNS[level])}}
    lesson["finding-grades"] = {f: levels[f] for f in lesson["findings"]}
    return lesson


def _commit(out: Path) -> None:
    """One commit, so the generator's git-date lookup runs as it does in the real repository."""
    env_args = ["-c", "user.name=bench", "-c", "user.email=bench@example.org", "-c", "commit.gpgsign=false"]
    for args in (["init", "-q"], ["add", "-A"], [*env_args, "commit", "-q", "-m", "synthetic corpus"]):
        subprocess.run(["git", *args], cwd=out, check=True, capture_output=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="example: python benchmarks/corpus.py --records 2000 --out /tmp/corpus-2000")
    parser.add_argument("--records", type=int, required=True, help="number of records to generate")
    parser.add_argument("--out", type=Path, required=True, help="project folder to create (replaced if present)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-git", action="store_true", help="do not make the folder a git repository")
    args = parser.parse_args(argv)
    counts = generate(args.records, args.out, seed=args.seed, git=not args.no_git)
    print(f"corpus: {sum(counts.values())} records in {args.out} ({counts})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
