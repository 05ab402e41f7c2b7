"""Record history from git: when each record file was added and last changed, what changed in each
commit that touched it, in readable terms, and what changed in the evidence between two revisions.

Everything here asks git in a handful of processes, never one per commit or file: one `git log` over
evidence/ and one `git cat-file --batch` for every version of every record it names."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader

KINDS: dict[str, str] = {"sources": "source", "findings": "finding", "lessons": "lesson",
                         "comparisons": "comparison", "contexts": "context"}
"""Folder under evidence/ -> record kind. The vocabularies (themes.yaml...) lie outside these folders."""
_KIND_ORDER = ("lesson", "finding", "source", "comparison", "context")
_NO_BLOB = "0" * 40
_HEADER = "\x01"
_NODE_BUDGET = 200_000
"""Most values one parsed version may hold (a file full of YAML aliases could expand without end)."""

NOT_PARSED = "Changed (this version did not parse)"
PREVIOUS_NOT_PARSED = "Changed (the previous version did not parse)"


class HistoryError(Exception):
    """git could not answer (not a repository, unknown revision); the message says what to do."""


def file_dates(root: Path, folder: str = "evidence") -> dict[str, tuple[str, str]]:
    """Map 'evidence/<kind>/<id>.yaml' -> (added, last changed) as ISO 8601 commit times (the date
    is the first ten characters; the time orders changes made on one day). Empty outside git."""
    return dates_of(record_histories(root, folder))


def dates_of(histories: dict[str, list[Change]]) -> dict[str, tuple[str, str]]:
    """(added, last changed) commit times of each record file, from its history (newest first)."""
    return {path: (changes[-1].time, changes[0].time) for path, changes in histories.items() if changes}


# --- what changed between two versions of one record ------------------------------------------------

GRADE, TEXT, EVIDENCE, LISTS, REASONS, OTHER, BOOKKEEPING = range(7)
"""Ranks of the phrases describe_change returns: the most important come first."""

_COMPONENTS = ("methodological-limitations", "coherence", "adequacy", "relevance")


class _Unreadable(ValueError):
    """A version that is not a record: YAML that does not parse, is not a mapping, or is too large."""


def _plain(value: Any, budget: list[int]) -> Any:
    """The value with whitespace folded in every string, dates as ISO text and empty values dropped
    from mappings, so that re-wrapping or re-quoting a value is no change."""
    budget[0] -= 1
    if budget[0] < 0:
        raise _Unreadable("too many values")
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        folded = {str(key): _plain(item, budget) for key, item in value.items()}
        return {key: item for key, item in folded.items() if item not in (None, "", [], {})}
    if isinstance(value, list):
        return [_plain(item, budget) for item in value]
    return value


def plain(record: dict | None) -> dict | None:
    """describe_change's view of a parsed record (see _plain); ValueError for a value that is not a
    mapping or holds more than 200,000 values."""
    if record is None:
        return None
    if not isinstance(record, dict):
        raise _Unreadable("not a mapping")
    return _plain(record, [_NODE_BUDGET])


def _label(key: str) -> str:
    return key.replace("-", " ").replace("_", " ").capitalize()


def _short(text: Any, limit: int = 80) -> str:
    text = text if isinstance(text, str) else str(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _absent(value: Any) -> bool:
    return value in (None, "", [], {})


def _revised(name: str, verb: str = "revised"):
    """'<Name> added', '<Name> removed' or '<Name> revised' (or another verb: 'reworded')."""
    def describe(old, new) -> list[str]:
        if _absent(old):
            return [f"{name} added"]
        if _absent(new):
            return [f"{name} removed"]
        return [f"{name} {verb}"]
    return describe


def _reworded(name: str):
    return _revised(name, "reworded")


def _value(name: str):
    """'<Name> old → new' for a short value (a type, a kind, an id)."""
    def describe(old, new) -> list[str]:
        before, after = (_short(value) if not _absent(value) else "none" for value in (old, new))
        return [f"{name} {before} → {after}"]
    return describe


def _as_list(value: Any) -> list:
    if _absent(value):
        return []
    return value if isinstance(value, list) else [value]


def _key(item: Any) -> str:
    return item if isinstance(item, str) else repr(item)


def _members(name: str):
    """'<Name> added: a, b', '<Name> removed: c' or '<Name> reordered' for a list of ids."""
    def describe(old, new) -> list[str]:
        old_items, new_items = [_key(i) for i in _as_list(old)], [_key(i) for i in _as_list(new)]
        added = [item for item in new_items if item not in old_items]
        removed = [item for item in old_items if item not in new_items]
        phrases = []
        if added:
            phrases.append(f"{name} added: {', '.join(added)}")
        if removed:
            phrases.append(f"{name} removed: {', '.join(removed)}")
        if not phrases and sorted(old_items) != sorted(new_items):
            phrases.append(f"{name} revised")  # the same ids, repeated a different number of times
        elif not phrases:
            phrases.append(f"{name} reordered")
        return phrases
    return describe


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else ({} if _absent(value) else {"": value})


def _where(item: dict) -> str:
    return _short(item.get("locator") or item.get("source") or "no locator")


def _evidence(old, new) -> list[str]:
    """Quotes added, removed and changed, each named by its locator; pairs the two versions' quotes
    by identity, then by quote text, then by source and locator."""
    old_items = [_mapping(item) for item in _as_list(old)]
    new_items = [_mapping(item) for item in _as_list(new)]
    pairs: list[tuple[int, int]] = []
    rest_old, rest_new = list(range(len(old_items))), list(range(len(new_items)))
    for same in (lambda a, b: a == b, lambda a, b: a.get("quote") == b.get("quote"),
                 lambda a, b: (a.get("source"), a.get("locator")) == (b.get("source"), b.get("locator"))):
        for i in list(rest_old):
            j = next((j for j in rest_new if same(old_items[i], new_items[j])), None)
            if j is not None:
                pairs.append((i, j))
                rest_old.remove(i)
                rest_new.remove(j)
    phrases = [f"Quote added ({_where(new_items[j])})" for j in rest_new]
    phrases += [f"Quote removed ({_where(old_items[i])})" for i in rest_old]
    order_changed = False
    for i, j in sorted(pairs, key=lambda pair: pair[1]):
        phrases += _quote_change(old_items[i], new_items[j])
        order_changed = order_changed or old_items[i].get("order") != new_items[j].get("order")
    if order_changed:  # computed from the source text: one phrase for all the quotes
        phrases.append("Reading order revised")
    if not phrases:
        phrases.append("Quotes reordered")
    return phrases


def _quote_change(old: dict, new: dict) -> list[str]:
    where = _where(new)
    phrases = []
    for key in _in_order(set(old) | set(new), ("quote", "source", "locator", "cites", "order")):
        if old.get(key) == new.get(key):
            continue
        if key == "quote":
            phrases.append(f"Quote changed ({where})")
        elif key == "source":
            phrases.append(f"Quote's source {old.get(key) or 'none'} → {new.get(key) or 'none'} ({where})")
        elif key == "locator":
            phrases.append(f"Locator changed ({_short(old.get(key) or 'none')} → {where})")
        elif key == "cites":
            phrases.append(f"Cited works revised ({where})")
        elif key == "order":
            continue  # _evidence says it once for every quote
        else:
            phrases.append(f"{_label(key)} revised ({where})")
    return phrases


def _in_order(keys: set[str], known: tuple[str, ...]) -> list[str]:
    """`keys` with the known ones first, in their order, then the others alphabetically."""
    return [key for key in known if key in keys] + sorted(keys - set(known))


def _origin(old, new) -> list[str]:
    old, new = _mapping(old), _mapping(new)
    if old.get("type") != new.get("type"):
        return [f"Origin {old.get('type') or 'none'} → {new.get('type') or 'none'}"]
    names = {"rationale": "Rationale revised", "source": "Origin source changed",
             "locator": "Origin locator changed", "quote": "Origin quote changed"}
    return [names.get(key, f"Origin {_label(key).lower()} revised")
            for key in _in_order(set(old) | set(new), tuple(names)) if old.get(key) != new.get(key)]


def _confidence(old, new) -> list[tuple[int, str]]:
    """The grade first; then, for a lesson, each component's concern; then the reasons revised."""
    old, new = _mapping(old), _mapping(new)
    if not old or not new:  # graded for the first time, or no longer graded
        return [(GRADE, f"Graded {new.get('level') or 'none'}"), (REASONS, "Confidence reasons added")] if new \
            else [(GRADE, f"Grade removed (was {old.get('level') or 'none'})")]
    ranked: list[tuple[int, str]] = []
    if old.get("level") != new.get("level"):
        before, after = old.get("level"), new.get("level")
        ranked.append((GRADE, f"Grade {before} → {after}" if before and after
                       else f"Graded {after}" if after else f"Grade removed (was {before})"))
    old_reasons, new_reasons = _mapping(old.get("reasons")), _mapping(new.get("reasons"))  # a finding's
    revised = []
    for component in _COMPONENTS:
        before, after = _mapping(old.get(component)), _mapping(new.get(component))  # a lesson's
        if before.get("concern") != after.get("concern"):
            ranked.append((REASONS, f"{_label(component)} concern {before.get('concern') or 'none'} → "
                                    f"{after.get('concern') or 'none'}"))
        if (before.get("explanation") != after.get("explanation")
                or old_reasons.get(component) != new_reasons.get(component)):
            revised.append(component)
    known = {"level", "reasons", "explanation", *_COMPONENTS}
    revised += sorted(key for key in (set(old_reasons) | set(new_reasons)) - set(_COMPONENTS)
                      if old_reasons.get(key) != new_reasons.get(key))
    if old.get("explanation") != new.get("explanation"):
        ranked.append((REASONS, "Confidence explanation revised"))
    if revised:
        ranked.append((REASONS, f"Confidence reasons revised ({', '.join(revised)})"))
    ranked += [(REASONS, f"Confidence {_label(key).lower()} revised")
               for key in sorted((set(old) | set(new)) - known) if old.get(key) != new.get(key)]
    return ranked


def _setting(old, new) -> list[str]:
    old, new = _mapping(old), _mapping(new)
    phrases = []
    if old.get("countries") != new.get("countries"):
        phrases += _members("Countries")(old.get("countries"), new.get("countries"))
    if old.get("period") != new.get("period"):
        phrases += _value("Period")(old.get("period"), new.get("period"))
    phrases += [f"Setting {_label(key).lower()} revised" for key in _in_order(set(old) | set(new), ())
                if key not in ("countries", "period") and old.get(key) != new.get(key)]
    return phrases


def _values(old, new) -> list[str]:
    old, new = _mapping(old), _mapping(new)
    columns = [key for key in [*old, *(k for k in new if k not in old)] if old.get(key) != new.get(key)]
    return [f"Values revised ({', '.join(columns)})"] if columns else ["Values reordered"]


def _change_log(old, new) -> list[str]:
    old_entries, new_entries = _as_list(old), _as_list(new)
    added = [entry for entry in new_entries if entry not in old_entries]
    kept_in_place = [entry for entry in new_entries if entry in old_entries]
    phrases = []
    if len(added) == 1:
        phrases.append("Change log entry added")
    elif added:
        phrases.append(f"Change log entries added ({len(added)})")
    if kept_in_place != old_entries:
        phrases.append("Change log revised")
    return phrases


def _bookkeeping(name_added: str, name_removed: str):
    def describe(old, new) -> list[str]:
        return [name_removed if _absent(new) else name_added]
    return describe


FIELDS: dict[str, tuple[int, Any]] = {
    # Main text: what the record says.
    "id": (TEXT, _value("Id")),
    "statement": (TEXT, _reworded("Statement")),
    "title": (TEXT, _reworded("Title")),
    "summary": (TEXT, _reworded("Summary")),
    "dimension": (TEXT, _reworded("Dimension")),
    "implication": (TEXT, _reworded("Implication")),
    "description": (TEXT, _reworded("Description")),
    "design": (TEXT, _revised("Design")),
    "sample": (TEXT, _revised("Sample")),
    "funding": (TEXT, _revised("Funding")),
    "kind": (TEXT, _value("Kind")),
    "type": (TEXT, _value("Type")),
    "comparison": (TEXT, _value("Comparison")),
    # What it rests on.
    "evidence": (EVIDENCE, _evidence),
    "origin": (EVIDENCE, _origin),
    "data": (EVIDENCE, _revised("Data")),
    "source": (EVIDENCE, _value("Source")),
    "locator": (EVIDENCE, _value("Locator")),
    "values": (EVIDENCE, _values),
    "columns": (EVIDENCE, _revised("Columns")),
    # Lists and links.
    "findings": (LISTS, _members("Findings")),
    "contexts": (LISTS, _members("Contexts")),
    "stakeholders": (LISTS, _members("Stakeholders")),
    "themes": (LISTS, _members("Themes")),
    "schemes": (LISTS, _members("Schemes")),
    "setting": (LISTS, _setting),
    "study": (LISTS, _value("Study")),
    "aliases": (LISTS, _members("Aliases")),
    "order": (LISTS, _value("Row order")),  # a context row's place in its table
    # Reasons and limits.
    "confidence": (REASONS, _confidence),
    "caveats": (REASONS, _revised("Caveats")),
    "limitations": (REASONS, _revised("Limitations")),
    "notes": (OTHER, _revised("Notes")),
    # Bookkeeping.
    "change-log": (BOOKKEEPING, _change_log),
    "accepted-warnings": (BOOKKEEPING, _revised("Accepted warnings")),
    "finding-grades": (BOOKKEEPING, _bookkeeping("Finding grades recorded", "Finding grades removed")),
    "checked": (BOOKKEEPING, _bookkeeping("Second reading recorded", "Second reading removed")),
}
"""Every field of every record kind (generator/models.py), in the order its phrases come within a
rank, with how to describe a change to it. A field not listed is '<Field> revised' (OTHER rank)."""


def describe_change(kind: str, old: dict | None, new: dict | None) -> list[str]:
    """What changed between two versions of one record's parsed YAML, most important first, e.g.
    ['Grade moderate → low', 'Statement reworded', 'Quote added (Section 2)']; ['Added'] or
    ['Removed'] for a record that is new or gone, ['Formatting only'] when only layout differs.
    Strings are compared with whitespace folded. `kind` is the record kind (finding, lesson...)."""
    return _describe(kind, plain(old), plain(new))


def _describe(kind: str, before: dict | None, after: dict | None) -> list[str]:
    """describe_change for versions already made plain."""
    if before is None and after is None:
        return []
    if before is None:
        return ["Added"]
    if after is None:
        return ["Removed"]
    ranked: list[tuple[int, int, str]] = []
    order = {key: number for number, key in enumerate(FIELDS)}
    for key in sorted(set(before) | set(after), key=lambda k: (order.get(k, len(order)), k)):
        if before.get(key) == after.get(key):
            continue
        rank, describe = FIELDS.get(key, (OTHER, _revised(_label(key))))
        place = order.get(key, len(order))
        for found in describe(before.get(key), after.get(key)):  # a phrase, or (rank, phrase)
            ranked.append((*found[:1], place, found[1]) if isinstance(found, tuple) else (rank, place, found))
    phrases = [phrase for _, _, phrase in sorted(ranked, key=lambda item: item[:2])]
    return phrases or ["Formatting only"]


def grade_of(record: dict | None) -> str | None:
    """A record's confidence level, or None (sources, comparisons and context rows have none)."""
    confidence = record.get("confidence") if isinstance(record, dict) else None
    level = confidence.get("level") if isinstance(confidence, dict) else None
    return level if isinstance(level, str) else None


def grade_reason(old: dict | None, new: dict | None) -> str | None:
    """The `why` of the change-log entry added between the two versions that records this grade
    change: one whose grade goes from the old level to the new; else, when several added entries
    chain from the old level to the new, their reasons in date order joined by '; then '."""
    return _grade_reason(plain(old), plain(new))


def _grade_reason(old: dict | None, new: dict | None) -> str | None:
    before, after = grade_of(old), grade_of(new)
    if before is None or after is None or before == after:
        return None
    old_log = _as_list(old.get("change-log"))
    graded = [entry for entry in _as_list(new.get("change-log"))
              if isinstance(entry, dict) and entry not in old_log and isinstance(entry.get("grade"), dict)]
    exact = [entry for entry in graded if (entry["grade"].get("from"), entry["grade"].get("to")) == (before, after)]
    if exact:
        return _why(exact[-1])
    chain = sorted(graded, key=lambda entry: str(entry.get("date", "")))
    steps = [(entry["grade"].get("from"), entry["grade"].get("to")) for entry in chain]
    if steps and steps[0][0] == before and steps[-1][1] == after and all(
            a[1] == b[0] for a, b in zip(steps, steps[1:])):
        reasons = [_why(entry) for entry in chain]
        return "; then ".join(reason for reason in reasons if reason) or None
    return None


def _why(entry: dict) -> str | None:
    why = entry.get("why")
    return " ".join(why.split()) if isinstance(why, str) and why.strip() else None


# --- git ------------------------------------------------------------------------------------------

def run_git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """git's output for `args`, run in `root`; HistoryError with git's own message when it fails."""
    try:
        done = subprocess.run(["git", "-c", "log.showSignature=false", "-c", "core.quotepath=off", *args],
                              cwd=root, input=stdin, capture_output=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as exc:
        raise HistoryError(f"cannot run git in {root}: {exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise HistoryError(f"git {args[0]} failed in {root}: {message[-1] if message else 'no message'}")
    return done.stdout


def _record_kind(path: str, folder: str) -> str | None:
    """The kind of the record file at `path` ('evidence/findings/x.yaml' -> 'finding'), or None."""
    prefix, _, rest = path.partition("/")
    if prefix != folder or not rest.endswith(".yaml"):
        return None
    plural, _, name = rest.partition("/")
    return KINDS.get(plural) if name and "/" not in name else None


def read_blobs(root: Path, blobs: Iterable[str]) -> dict[str, bytes | None]:
    """The content of each blob, from one `git cat-file --batch`; None for a blob git does not have
    (beyond a shallow clone's history)."""
    wanted = sorted({blob for blob in blobs if blob and blob != _NO_BLOB})
    if not wanted:
        return {}
    out = run_git(root, "cat-file", "--batch", stdin="".join(f"{blob}\n" for blob in wanted).encode())
    contents: dict[str, bytes | None] = {}
    at = 0
    while at < len(out):
        end = out.index(b"\n", at)
        header = out[at:end].decode("ascii", "replace").split()
        at = end + 1
        if len(header) != 3:  # '<sha> missing'
            contents[header[0]] = None
            continue
        size = int(header[2])
        contents[header[0]] = out[at: at + size]
        at += size + 1
    return contents


_BROKEN = object()
_UNREAD: dict = {}
"""Stands for a version only added or removed, never compared: its content is not needed."""


def _parsed(content: bytes | None) -> Any:
    """The parsed record made plain (see `plain`), or _BROKEN for one that is not a record."""
    if content is None:
        return _BROKEN
    try:
        return plain(yaml.load(content.decode("utf-8"), Loader=_Loader))  # noqa: S506 - a safe loader
    except (yaml.YAMLError, UnicodeDecodeError, ValueError, RecursionError, _Unreadable):
        return _BROKEN


@dataclass(frozen=True)
class Change:
    """One commit's change to one record file."""

    date: str
    """Commit date, YYYY-MM-DD."""
    commit: str
    """Full commit id."""
    subject: str
    """The commit message's first line."""
    changes: list[str] = field(default_factory=list)
    """What changed, in readable terms (describe_change)."""
    grade: tuple[str, str] | None = None
    """(from, to) when the commit changed the record's confidence level."""
    why: str | None = None
    """The reason the change-log entry added in this commit gives for that grade change."""
    time: str = field(default="", compare=False)
    """Commit time, ISO 8601 (orders changes made on one day; `date` is its first ten characters)."""


Described = tuple[list[str], tuple[str, str] | None, str | None]
"""(phrases, grade change or None, the reason for the grade change or None)."""


def _described(kind: str, old: Any, new: Any, last_good: dict | None) -> Described:
    """(phrases, grade change, why) for one version change; a broken version is described as such."""
    if new is _BROKEN:
        return [NOT_PARSED], None, None
    if old is _BROKEN:
        if last_good is None:
            return [PREVIOUS_NOT_PARSED], None, None
        old = last_good
    phrases = _describe(kind, old, new)
    before, after = grade_of(old), grade_of(new)
    grade = (before, after) if old is not None and new is not None and before and after and before != after else None
    return phrases, grade, _grade_reason(old, new) if grade else None


def _log_entries(out: bytes, folder: str) -> list[tuple[str, str, str, str, str, str]]:
    """(commit, commit time, subject, path, old blob, new blob) per record file per commit, newest
    first, from `git log --raw -z`."""
    tokens = out.decode("utf-8", "replace").split("\0")
    entries = []
    commit = stamp = subject = ""
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.startswith(_HEADER):
            commit, stamp, subject = (token[1:].split(" ", 2) + ["", ""])[:3]
        elif token.lstrip("\n").startswith(":") and i + 1 < len(tokens):
            meta = token.lstrip("\n")[1:].split()
            path = tokens[i + 1]
            i += 1
            if len(meta) >= 4 and _record_kind(path, folder):
                entries.append((commit, stamp, subject, path, meta[2], meta[3]))
        i += 1
    return entries


def record_histories(root: Path, folder: str = "evidence") -> dict[str, list[Change]]:
    """Map 'evidence/<kind>s/<id>.yaml' (relative to `root`, which may be a folder inside the
    repository) -> every commit that changed that record file, newest first. Vocabulary files are left
    out. Empty outside git; a shallow clone gives the history it has."""
    folder = folder.strip("/")
    try:
        out = run_git(root, "log", "--raw", "-z", "--no-renames", "--no-abbrev", "--relative",
                   f"--format={_HEADER}%H %cI %s", "--", folder)
        entries = _log_entries(out, folder)
        # Only a version compared with another is read and parsed: an addition or a removal is
        # described without its content, which keeps a large history built in one commit cheap.
        compared = {blob for entry in entries if _NO_BLOB not in entry[4:] for blob in entry[4:]}
        contents = read_blobs(root, compared)
    except HistoryError:
        return {}
    parsed = {blob: _parsed(content) for blob, content in contents.items()}  # _BROKEN where git lacks it

    def version(blob: str) -> Any:
        return None if blob == _NO_BLOB else parsed[blob] if blob in compared else _UNREAD

    by_path: dict[str, list[tuple[str, str, str, str, str, str]]] = {}
    for entry in entries:
        by_path.setdefault(entry[3], []).append(entry)
    histories: dict[str, list[Change]] = {}
    for path, changes in by_path.items():
        kind = _record_kind(path, folder)
        last_good: dict | None = None
        history = []
        for commit, stamp, subject, _, old_blob, new_blob in reversed(changes):  # oldest first
            old, new = version(old_blob), version(new_blob)
            phrases, grade, why = _described(kind, old, new, last_good)
            history.append(Change(stamp[:10], commit, subject, phrases, grade, why, stamp))
            if new is not _BROKEN:
                last_good = new
        histories[path] = history[::-1]
    return histories


# --- what changed between two revisions -----------------------------------------------------------

@dataclass(frozen=True)
class RecordChange:
    """A record added, removed or changed between two revisions."""

    kind: str
    id: str
    label: str | None
    """Its title, statement or dimension (folded to one line); None for a source (its title lives in
    references.bib) or a version that did not parse."""
    changes: list[str]
    """What changed (describe_change); ['Added'] or ['Removed'] for those."""
    comparison: str | None = None
    """A context row's comparison (the row is shown on the comparison's page)."""


@dataclass(frozen=True)
class GradeChange:
    kind: str
    id: str
    old: str
    new: str
    why: str | None
    """The reason the record's change log gives for the change, or None when it gives none."""


@dataclass(frozen=True)
class EvidenceChanges:
    """What changed in the evidence between two revisions, each list in kind then id order."""

    since: str | None
    until: str
    added: list[RecordChange]
    removed: list[RecordChange]
    changed: list[RecordChange]
    grades: list[GradeChange]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _tree(root: Path, revision: str | None, folder: str) -> dict[str, str]:
    """path -> blob of every record file in `revision`'s tree under `folder` (relative to `root`)."""
    if revision is None:
        return {}
    _require_commit(root, revision)
    out = run_git(root, "ls-tree", "-r", "-z", revision, "--", folder)
    tree = {}
    for line in out.decode("utf-8", "replace").split("\0"):
        meta, _, path = line.partition("\t")
        parts = meta.split()
        if len(parts) == 3 and parts[1] == "blob" and _record_kind(path, folder):
            tree[path] = parts[2]
    return tree


def records_at(root: Path, revision: str, folder: str = "evidence") -> dict[str, dict | None]:
    """path -> every record file under `folder` at `revision`, parsed as the history reads it (None
    for one that is not a record), from one `git ls-tree` and one `git cat-file --batch`.
    HistoryError outside git or for a revision that does not exist."""
    tree = _tree(root, revision, folder.strip("/"))
    contents = read_blobs(root, tree.values())
    parsed = {path: _parsed(contents.get(blob)) for path, blob in tree.items()}
    return {path: None if record is _BROKEN else record for path, record in parsed.items()}


def require_repository(root: Path) -> None:
    """HistoryError unless `root` is in a git work tree."""
    try:
        run_git(root, "rev-parse", "--show-toplevel")
    except HistoryError:
        raise HistoryError(f"{root} is not in a git repository; run `git init` and commit the evidence") from None


def _require_commit(root: Path, revision: str) -> None:
    try:
        run_git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    except HistoryError:
        raise HistoryError(f"'{revision}' is not a commit, branch or tag of the repository at {root}; "
                           "name one that exists (`git tag` lists the releases)") from None


def _record_label(kind: str, record: Any) -> str | None:
    if not isinstance(record, dict) or kind == "source":
        return None
    value = record.get({"finding": "statement", "context": "dimension"}.get(kind, "title"))
    return value if isinstance(value, str) and value else None


def _order(item) -> tuple:
    return _KIND_ORDER.index(item.kind), item.id


def evidence_changes(root: Path, since: str | None, until: str = "HEAD", folder: str = "evidence") -> EvidenceChanges:
    """The records added, removed and changed, and the grades changed, between revision `since`
    (None: the beginning) and `until`, from the two trees (not from the commits between them).
    Raises HistoryError outside git or for a revision that does not exist."""
    folder = folder.strip("/")
    require_repository(root)
    old_tree, new_tree = _tree(root, since, folder), _tree(root, until, folder)
    touched = {path for path in old_tree.keys() | new_tree.keys() if old_tree.get(path) != new_tree.get(path)}
    contents = read_blobs(root, [tree[path] for tree in (old_tree, new_tree) for path in touched if path in tree])
    added, removed, changed, grades = [], [], [], []
    for path in touched:
        kind, record_id = _record_kind(path, folder), path.rsplit("/", 1)[1].removesuffix(".yaml")
        old = _parsed(contents.get(old_tree[path])) if path in old_tree else None
        new = _parsed(contents.get(new_tree[path])) if path in new_tree else None
        shown = new if new is not None else old
        comparison = shown.get("comparison") if kind == "context" and isinstance(shown, dict) else None
        phrases, grade, why = _described(kind, old, new, None)
        item = RecordChange(kind, record_id, _record_label(kind, shown), phrases,
                            comparison if isinstance(comparison, str) else None)
        (added if old is None else removed if new is None else changed).append(item)
        if grade:
            grades.append(GradeChange(kind, record_id, grade[0], grade[1], why))
    return EvidenceChanges(since, until, sorted(added, key=_order), sorted(removed, key=_order),
                           sorted(changed, key=_order), sorted(grades, key=_order))
