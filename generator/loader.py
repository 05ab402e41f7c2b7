"""Stage 1, load: read evidence files safely into plain Python data, with problems located.

Records are untrusted input from pull requests. The loader accepts only plain YAML (no tags, no
aliases, no duplicate or non-string keys), caps file size, and turns every failure into a located
`Problem` instead of an exception. Line numbers are found lazily (by re-composing the file) only when
a later stage needs to report a problem, so the fast path is the C parser alone.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.errors import Problem
from generator.inputsafety import (INVISIBLE_HINT, LINK_HINT, describe, first_refused, invisible_problems,
                                   link_problem, strings_in)

try:  # the C loader is ~10x faster; the pure-Python one is only a fallback for odd platforms
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _BaseLoader = yaml.SafeLoader

MAX_FILE_BYTES = 256 * 1024
MAX_DEPTH = 20

RECORD_DIRS = {
    "sources": "source",
    "findings": "finding",
    "lessons": "lesson",
    "comparisons": "comparison",
    "contexts": "context",
}
VOCABULARY_FILES = ("themes", "stakeholders", "schemes", "glossary")


class _Rejected(Exception):
    def __init__(self, message: str, mark: Any = None, hint: str = ""):
        super().__init__(message)
        self.message, self.mark, self.hint = message, mark, hint


class StrictLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader that also rejects aliases, duplicate keys and non-string keys."""

    def construct_object(self, node, deep=False):
        if node in self.constructed_objects:
            raise _Rejected(
                "YAML aliases (*name) are not allowed",
                node.start_mark,
                "write the value out in full",
            )
        return super().construct_object(node, deep=deep)

    def construct_mapping(self, node, deep=False):
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Rejected("YAML merge keys (<<) are not allowed", key_node.start_mark,
                                "write the fields out in full")
            if key_node.tag != "tag:yaml.org,2002:str":
                raise _Rejected(
                    f"key {key_node.value!r} is not a string",
                    key_node.start_mark,
                    "field names must be plain words such as 'statement'",
                )
            if key_node.value in seen:
                first = seen[key_node.value].start_mark.line + 1
                raise _Rejected(
                    f"duplicate key '{key_node.value}' (first defined on line {first})",
                    key_node.start_mark,
                    "remove or merge one of them",
                )
            seen[key_node.value] = key_node
        return super().construct_mapping(node, deep=deep)


# Unknown tags (e.g. !!python/object) must be an error, never a constructor call.
def _reject_tag(loader, tag_suffix, node):
    raise _Rejected(f"YAML tag '{node.tag}' is not allowed", node.start_mark,
                    "remove the tag; records hold plain text, lists and mappings only")


StrictLoader.add_multi_constructor("", _reject_tag)
StrictLoader.add_multi_constructor("!", _reject_tag)
# Dates and timestamps stay text: a record's value is what the contributor wrote.
StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", StrictLoader.construct_yaml_str)


@dataclass
class LoadedFile:
    """One YAML file read from disk, parsed but not yet validated."""

    path: Path
    """Absolute path of the file."""
    display: str
    """Path as shown in messages (relative to the project root)."""
    text: str
    """Decoded file text (kept for locating problems)."""
    data: Any
    """Parsed YAML value."""
    _nodes: Any = field(default=None, repr=False)

    def locate(self, keypath: tuple, at_key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of the value at `keypath`, or of its key when `at_key`.

        Falls back to the nearest existing ancestor when the path does not exist (a missing field
        is reported where its parent mapping starts)."""
        if self._nodes is None:
            self._nodes = yaml.compose(self.text, Loader=_BaseLoader)
        node = self._nodes
        if node is None:
            return (1, 1)
        mark = node.start_mark
        for step in keypath:
            child_key, child = _child(node, step)
            if child is None:
                break
            mark = child_key.start_mark if (at_key and child_key is not None and step == keypath[-1]) else child.start_mark
            node = child
        return (mark.line + 1, mark.column + 1)

    def problem(self, keypath: tuple, message: str, hint: str = "", at_key: bool = False) -> Problem:
        line, column = self.locate(keypath, at_key=at_key)
        return Problem(self.display, line, column, message, hint)

    def locate_fast(self, keypath: tuple) -> tuple[int, int]:
        """`locate(keypath)`, read off the lines of a block-style record without composing the file
        (lint locates thousands of warnings); files laid out otherwise are composed as by `locate`."""
        found = locate_in_layout(self.text, keypath, self.data)
        return found if found is not None else self.locate(keypath)


_KEY_LINE: dict[str, re.Pattern] = {}


def locate_in_layout(text: str, keypath: tuple, data: Any) -> tuple[int, int] | None:
    """1-based (line, column) where the value at `keypath` starts, found from the layout of block YAML
    (`key: value`, nested keys indented, list items `- `), or None when the layout is any other (flow
    collections, a list item whose mapping starts on the next line...). Each step is checked against
    the parsed `data`, so a look-alike line inside a multi-line quoted value is never taken for a key."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            return None
    lines = text.split("\n")
    start, end, indent = 0, len(lines), 0  # the current block: rows [start, end), keys at `indent`
    spot = None
    for step in keypath:
        if not isinstance(data, (dict, list)) or not _has_step(data, step):
            return None
        spot = _key_in_block(lines, start, end, indent, step) if isinstance(step, str) \
            else _item_in_block(lines, start, end, step)
        if spot is None:
            return None
        data = data[step]
        row, column = spot
        if not _starts_like(lines[row][column:], data):
            return None
        start, end, indent = row, _block_end(lines, row, column), column
    return None if spot is None else (spot[0] + 1, spot[1] + 1)


def _has_step(data: Any, step: Any) -> bool:
    if isinstance(data, dict):
        return isinstance(step, str) and step in data
    return isinstance(step, int) and 0 <= step < len(data)


def _content(line: str) -> int | None:
    """Indentation of a line that holds YAML content; None for a blank or comment line."""
    stripped = line.lstrip(" ")
    return None if not stripped or stripped.startswith("#") else len(line) - len(stripped)


def _block_end(lines: list[str], row: int, column: int) -> int:
    """First row after `row` whose content is indented less than `column` (the end of the node there)."""
    for later in range(row + 1, len(lines)):
        indent = _content(lines[later])
        if indent is not None and indent < column:
            return later
    return len(lines)


def _key_in_block(lines: list[str], start: int, end: int, indent: int, key: str) -> tuple[int, int] | None:
    """(row, column) of the value of `key` in the block mapping whose keys stand at `indent` (its first
    key may follow a list item's '- ' on row `start`)."""
    pattern = _KEY_LINE.get(key)
    if pattern is None:
        pattern = _KEY_LINE[key] = re.compile(rf"{re.escape(key)}:(?:[ \t]+|$)")
    for row in range(start, end):
        line = lines[row]
        match = pattern.match(line, indent)
        if match is None or (row != start and _content(line) != indent):
            continue
        if match.end() < len(line) and line[match.end()] != "#":
            return row, match.end()
        return _next_content(lines, row + 1, end, indent)
    return None


def _next_content(lines: list[str], row: int, end: int, above: int) -> tuple[int, int] | None:
    """The value of a key written on the lines after it: the next content line, if indented more
    than the key (or a '- ' list at the key's own indentation)."""
    for later in range(row, end):
        indent = _content(lines[later])
        if indent is None:
            continue
        if indent > above or (indent == above and lines[later][indent:indent + 2] == "- "):
            return later, indent
        return None
    return None


def _item_in_block(lines: list[str], start: int, end: int, index: int) -> tuple[int, int] | None:
    """(row, column) where item `index` of the block list starting on row `start` begins (after '- ')."""
    column, seen = len(lines[start]) - len(lines[start].lstrip(" ")), -1
    for row in range(start, end):
        line = lines[row]
        indent = _content(line)
        if indent is None or indent > column:
            continue
        if indent < column or line[column:column + 2] != "- ":
            return None  # the list ended first
        seen += 1
        if seen == index:
            after = len(line) - len(line[column + 2:].lstrip(" "))
            return (row, after) if after < len(line) and line[after] != "#" else None
    return None


def _starts_like(rest: str, value: Any) -> bool:
    """Whether text standing at a found place can be where `value` starts: a mapping's first key, a
    list's '- ' or '[', a block scalar's indicator, an opening quote, or the value's own first characters."""
    if isinstance(value, dict):
        return any(rest.startswith(f"{key}:") for key in value) or rest.startswith("{")
    if isinstance(value, list):
        return rest.startswith(("- ", "["))
    if rest[:1] in (">", "|", "'", '"'):
        return isinstance(value, str)
    if not isinstance(value, str):
        return True
    head = rest[:20].rstrip()
    return bool(head) and value.startswith(head)


def _child(node, step):
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == step:
                return key_node, value_node
    elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
        return None, node.value[step]
    return None, None


def display_path(path: Path, root: Path) -> str:
    if path.is_absolute() and path.is_relative_to(root):  # the usual case: no filesystem calls per file
        return path.relative_to(root).as_posix()
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def read_yaml(path: Path, root: Path, shown: str | None = None) -> tuple[LoadedFile | None, list[Problem]]:
    """Read one YAML file. Returns the parsed file, or None and the problems that stopped it.
    `shown` is its display path when the caller already knows it."""
    shown = display_path(path, root) if shown is None else shown
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(shown, 0, 0, f"cannot read file: {exc.strerror}")]
    if len(raw) > MAX_FILE_BYTES:
        return None, [Problem(shown, 0, 0, f"file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,}",
                              "split the record; a record is one finding, lesson or source")]
    digest = hashlib.blake2b(raw, digest_size=16).digest()
    cached = _LOADED.get(path)
    if cached is not None and cached[0] == digest and cached[1].display == shown:
        return cached[1], []  # unchanged since the last load: `serve` re-parses only edited files
    loaded, problems = _parse_yaml(path, shown, raw)
    if loaded is not None and "\\" in loaded.text:
        problems = _escaped_invisible(loaded)
        if problems:
            return None, problems
    if loaded is not None:
        _LOADED[path] = (digest, loaded)
    return loaded, problems


_LOADED: dict[Path, tuple[bytes, "LoadedFile"]] = {}
"""Last good load per path, with a digest of the bytes it came from."""


def _escaped_invisible(loaded: LoadedFile) -> list[Problem]:
    """Invisible characters written as escapes in double-quoted text ("\\u202e"), which the text
    scan cannot see: located at the key or value that holds them."""
    problems = []
    for keypath, value in strings_in(loaded.data):
        char = first_refused(value)
        if char is not None:
            problems.append(loaded.problem(keypath, f"invisible character {describe(char)} (written as an escape)",
                                           INVISIBLE_HINT))
    return problems


def _parse_yaml(path: Path, shown: str, raw: bytes) -> tuple[LoadedFile | None, list[Problem]]:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # a UTF-8 byte-order mark is harmless: accept it
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [Problem(shown, line, column, f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                              "save the file as UTF-8")]
    if "\x00" in text:
        return None, [Problem(shown, 0, 0, "file contains NUL characters", "save the file as plain UTF-8 text")]
    invisible = invisible_problems(text, shown)
    if invisible:
        return None, invisible
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        return None, [Problem(shown, 1, 1, "file is empty", "add the record's fields, or delete the file")]
    data = _fast_load(text)
    if data is not _IRREGULAR:
        silent_loss = _silent_loss(shown, text)
        if silent_loss is not None:
            return None, [silent_loss]
        return LoadedFile(path, shown, text, data), []
    return _strict_load(path, shown, text)


def _strict_load(path: Path, shown: str, text: str) -> tuple[LoadedFile | None, list[Problem]]:
    """The full strict load, for files the fast path declined: it finds and locates the problem."""
    too_deep = _first_too_deep(text)
    if too_deep is not None:
        return None, [_marked(shown, f"YAML is nested more than {MAX_DEPTH} levels deep", too_deep,
                              "records need only a few levels")]
    try:
        data = yaml.load(text, Loader=StrictLoader)  # noqa: S506 - StrictLoader is a safe loader
    except _Rejected as exc:
        return None, [_marked(shown, exc.message, exc.mark, exc.hint)]
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_problem(shown, text, exc)]
    except yaml.YAMLError as exc:
        return None, [Problem(shown, 0, 0, f"YAML error: {exc}")]
    except RecursionError:
        return None, [Problem(shown, 0, 0, "YAML is nested too deeply", "records need only a few levels")]
    silent_loss = _silent_loss(shown, text)
    if silent_loss is not None:
        return None, [silent_loss]
    loaded = LoadedFile(path, shown, text, data)
    depth = _depth(data)
    if depth > MAX_DEPTH:
        return None, [Problem(shown, 0, 0, f"YAML is nested {depth} levels deep; the limit is {MAX_DEPTH}",
                              "records need only a few levels")]
    return loaded, []


_UNCLOSED = {  # parser context -> (what was left open, hint)
    "while parsing a flow sequence": ("list opened with '[' is not closed",
                                      "close it with ']'; put items containing commas, colons or brackets in quotes"),
    "while parsing a flow mapping": ("mapping opened with '{' is not closed",
                                     "close it with '}'; put values containing commas, colons or braces in quotes"),
    "while scanning a quoted scalar": ("quoted text is not closed",
                                       "end it with the same quote mark; inside '...' write '' for an apostrophe"),
}


def _syntax_problem(shown: str, text: str, exc: yaml.MarkedYAMLError) -> Problem:
    """A YAML syntax error in words a contributor can act on, at the place to fix."""
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "invalid YAML"
    if _is_tab_at(text, mark) or "tab" in problem:
        return _marked(shown, "YAML syntax error: tab character in indentation", mark,
                       "indent with spaces, not tabs")
    unclosed = _UNCLOSED.get(exc.context or "")
    if unclosed and exc.context_mark is not None:
        what, hint = unclosed
        return _marked(shown, f"YAML syntax error: {what}", exc.context_mark, hint)
    if problem.startswith("mapping values are not allowed"):
        return _marked(shown, "YAML syntax error: unexpected ': ' inside a value", mark,
                       "put the value in quotes if it contains ': '; if this line is a new field, indent it "
                       "like the fields around it")
    first = _char_at(text, mark)
    if problem in ("found undefined alias", "found character that cannot start any token") and first in _RESERVED:
        return _marked(shown, f"YAML syntax error: a value cannot start with '{first}'", mark,
                       f"put the whole value in quotes, e.g. \"{first}...\"")
    if "another document" in problem:
        return _marked(shown, "YAML syntax error: a second document starts here", mark,
                       "a file holds one record; remove the '---' line and put another record in its own file")
    if problem == "did not find expected key" and _after_text_on_line(text, mark):
        return _marked(shown, "YAML syntax error: text continues after the closing quote", mark,
                       "a quote mark inside quoted text ends it: inside '...' write '' for an apostrophe; "
                       "inside \"...\" write \\\" or use the other quote mark")
    if problem == "did not find expected key":
        return _marked(shown, "YAML syntax error: indentation does not match the lines above", mark,
                       "fields at the same level need the same number of leading spaces")
    if problem == "could not find expected ':'" and exc.context_mark is not None:
        return _marked(shown, "YAML syntax error: this line is not 'field: value'", exc.context_mark,
                       "put ': ' (a colon and a space) after the field name")
    if problem == "did not find expected comment or line break" and re.search(r":\s*[|>]", _line_at(text, mark)):
        return _marked(shown, "YAML syntax error: text after '|' or '>' must start on the next line", mark,
                       "start the text on the next line, indented; or drop the '|' or '>' and quote the text")
    return _marked(shown, f"YAML syntax error: {problem}", mark,
                   "check the indentation, quotes and colons on this line and the line before")


_RESERVED = "*&!%@`|>"
"""Characters that YAML reads as syntax when a plain value starts with them."""


def _line_at(text: str, mark: Any) -> str:
    lines = text.splitlines()
    if mark is None or not 0 <= mark.line < len(lines):
        return ""
    return lines[mark.line]


def _char_at(text: str, mark: Any) -> str:
    return _line_at(text, mark)[mark.column:mark.column + 1] if mark is not None else ""


def _after_text_on_line(text: str, mark: Any) -> bool:
    """True when the mark stands after something else on its line (not at the indentation)."""
    line = _line_at(text, mark)
    return bool(line[: mark.column].strip()) if mark is not None else False


def _silent_loss(shown: str, text: str) -> Problem | None:
    """Valid YAML that would quietly drop part of what the contributor wrote."""
    cut = _first_cut_by_comment(text)
    if cut is not None:
        return _marked(shown, "' #' inside a value starts a YAML comment: the rest of the line would be lost",
                       cut, "put the whole value in quotes if '#' is part of it; put comments on a line of their own")
    anchor = _first_anchor(text)
    if anchor is not None:
        return _marked(shown, "YAML anchors (&name) are not allowed: the anchor name would be lost", anchor,
                       "a value cannot start with '&': put the whole value in quotes")
    return None


def _first_cut_by_comment(text: str) -> Any:
    """Mark of the first ' #' that ends a plain value early, or None. YAML reads ' #' as the start
    of a comment, so `quote: ranked #1 by GPs` would silently load as 'ranked'. A '#' followed by a
    space is taken for the comment it looks like (`source: x  # a note`, as `new` writes them)."""
    if " #" not in text and "\t#" not in text:
        return None
    lines = text.splitlines()
    try:
        for event in yaml.parse(text, Loader=_BaseLoader):
            if isinstance(event, yaml.ScalarEvent) and not event.style and event.value:
                end = event.end_mark
                rest = lines[end.line][end.column:] if end.line < len(lines) else ""
                comment = rest.lstrip()
                if rest[:1] in (" ", "\t") and comment.startswith("#") and comment[1:2] not in ("", " ", "\t"):
                    return yaml.Mark("", 0, end.line, end.column + len(rest) - len(rest.lstrip()), None, None)
    except yaml.YAMLError:
        return None  # the load that follows reports the syntax error, located
    return None


def _first_anchor(text: str) -> Any:
    """Mark of the first anchor (&name), or None. An anchor silently swallows the word after '&'
    (`quote: &c of the report` loads as 'of the report'), so it is an error, not a feature."""
    if "&" not in text:
        return None
    try:
        for token in yaml.scan(text, Loader=_BaseLoader):
            if isinstance(token, yaml.AnchorToken):
                return token.start_mark
    except yaml.YAMLError:
        return None  # the load that follows reports the syntax error, located
    return None


def _is_tab_at(text: str, mark: Any) -> bool:
    if mark is None:
        return False
    lines = text.splitlines()
    if not 0 <= mark.line < len(lines):
        return False
    line = lines[mark.line]
    return "\t" in line[: len(line) - len(line.lstrip())] or line[mark.column:mark.column + 1] == "\t"


def _marked(shown: str, message: str, mark: Any, hint: str = "") -> Problem:
    if mark is None:
        return Problem(shown, 0, 0, message, hint)
    return Problem(shown, mark.line + 1, mark.column + 1, message, hint)


def _first_too_deep(text: str) -> Any:
    """Mark of the first collection nested deeper than MAX_DEPTH, or None.

    Checked on the event stream before composing: libyaml's composer recurses once per level, so
    a 256 KB file of '[' or '- - -' would crash the interpreter (a segfault, not an exception)."""
    try:
        return _first_too_deep_in(yaml.parse(text, Loader=_BaseLoader))
    except yaml.YAMLError as exc:
        if "nesting depth" not in str(getattr(exc, "problem", "")):
            return None  # the load that follows reports the syntax error, located
    # Newer libyaml stops at its own depth limit (about 1,000) before yielding the events, so the
    # place where our limit is first passed comes from PyYAML's pure-Python parser, which has none.
    try:
        return _first_too_deep_in(yaml.parse(text, Loader=yaml.BaseLoader))
    except yaml.YAMLError:
        return None


def _first_too_deep_in(events) -> Any:
    depth = 0
    for event in events:
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                return event.start_mark
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1
    return None


_IRREGULAR = object()
"""_fast_load's answer when a file may break a rule: the strict load then decides and explains."""

_STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP, _SEQ, _MAP = (
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map"))
_MAX_COLLECTIONS = 2_000
"""libyaml's composer recurses once per nesting level (a segfault near 100,000 levels, fine at 10,000);
a file with at most this many collection indicators cannot nest deeper than this."""
_POSSIBLE_PROPERTY = re.compile(r"(?<![A-Za-z0-9])[&!]")
"""Anchors (&name) and tags (!tag) start a token, so an '&' or '!' right after a letter or digit
(A&E, R&D, 'at once!') is neither."""


class _FastLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """CSafeLoader that leaves tags to `_build`: in a file without tags (`_fast_load` makes sure) a
    node's tag follows from its kind and, for a plain scalar, YAML 1.1's implicit patterns."""

    def resolve(self, kind, value, implicit):
        return None

    def descend_resolver(self, current_node, current_index):
        pass

    def ascend_resolver(self):
        pass


_IMPLICIT = dict(_BaseLoader.yaml_implicit_resolvers)
"""First character -> [(tag, pattern)]: what Resolver.resolve tries on a plain scalar."""
assert not _BaseLoader.yaml_path_resolvers and None not in _IMPLICIT  # then resolve needs nothing else


def _fast_load(text: str) -> Any:
    """Parse plain YAML (the usual record) with the node graph composed in C, then one walk that
    builds the values; _IRREGULAR for anything else (tags, anchors, aliases, merge or non-string or
    duplicate keys, deep nesting, syntax errors), so that `_strict_load` reports it exactly as before."""
    if ("&" in text or "!" in text) and _POSSIBLE_PROPERTY.search(text):
        return _IRREGULAR
    if _collection_bound(text) > _MAX_COLLECTIONS:
        return _IRREGULAR
    loader = _FastLoader(text)
    try:
        node = loader.get_single_node()
        return None if node is None else _build(loader, node, 1)
    except (yaml.YAMLError, _Declined):
        return _IRREGULAR
    finally:
        loader.dispose()


def _collection_bound(text: str) -> int:
    """At least as many as the collections in `text`: each one starts with, or its first key or
    item is marked by, one of these characters."""
    return text.count("-") + text.count(":") + text.count("[") + text.count("{") + text.count("?")


class _Declined(Exception):
    """A node the fast path does not build."""


_SCALARS = {
    _STR: None, _TIMESTAMP: None,  # dates stay text, as in StrictLoader
    _INT: yaml.SafeLoader.construct_yaml_int, _FLOAT: yaml.SafeLoader.construct_yaml_float,
    _BOOL: yaml.SafeLoader.construct_yaml_bool, _NULL: yaml.SafeLoader.construct_yaml_null,
}


def _implicit_tag(node: Any) -> str:
    """The tag Resolver.resolve gives an untagged scalar."""
    if not node.style:  # plain ('' from libyaml, None from the pure-Python composer), not quoted or block
        value = node.value
        for tag, regexp in _IMPLICIT.get(value[:1], ()):
            if regexp.match(value):
                return tag
    return _STR


def _is_text(node: Any) -> bool:
    """A scalar that is certainly text (most are: quoted, or not starting like a number, yes/no or null)."""
    return type(node) is yaml.ScalarNode and (bool(node.style) or node.value[:1] not in _IMPLICIT)


def _build(loader: Any, node: Any, depth: int) -> Any:
    """The value SafeConstructor would build for `node`, which is at nesting `depth` (1 = top).
    Text, nearly every node, is taken inline: this walk is the loader's hot loop."""
    node_type = type(node)
    if node_type is yaml.ScalarNode:
        construct = _SCALARS.get(_implicit_tag(node), _Declined)
        if construct is _Declined:  # '<<' or '=': StrictLoader rejects them as tags
            raise _Declined
        return node.value if construct is None else construct(loader, node)
    if depth > MAX_DEPTH:
        raise _Declined
    depth += 1
    if node_type is yaml.SequenceNode:
        return [item.value if _is_text(item) else _build(loader, item, depth) for item in node.value]
    mapping: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key = key_node.value
        if not (_is_text(key_node) or _is_str_scalar(key_node)) or key in mapping:
            raise _Declined  # a repeated key, or one that is not text
        mapping[key] = value_node.value if _is_text(value_node) else _build(loader, value_node, depth)
    return mapping


def _is_str_scalar(node: Any) -> bool:
    return type(node) is yaml.ScalarNode and _implicit_tag(node) == _STR


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


@dataclass
class RawEvidence:
    """Everything read from an evidence folder, before validation."""

    root: Path
    records: dict[str, list[LoadedFile]]
    """Record files by kind (source, finding, ...)."""
    vocabularies: dict[str, LoadedFile]
    """Vocabulary files by name (themes, stakeholders, ...)."""
    problems: list[Problem]
    unreadable: dict[str, set[str]] = field(default_factory=dict)
    """Record kind -> file stems that could not be read (already reported)."""
    unread_kinds: set[str] = field(default_factory=set)
    """Record kinds whose whole folder was refused (already reported): references to them go unchecked."""


def load_evidence(evidence_dir: Path, root: Path) -> RawEvidence:
    """Read every file under `evidence_dir`; collect, never raise, problems."""
    problems: list[Problem] = []
    records: dict[str, list[LoadedFile]] = {kind: [] for kind in RECORD_DIRS.values()}
    vocabularies: dict[str, LoadedFile] = {}
    unreadable: dict[str, set[str]] = {kind: set() for kind in RECORD_DIRS.values()}
    unread_kinds: set[str] = set()
    linked = link_problem(evidence_dir, root, display_path(evidence_dir, root))
    if linked is not None:
        return RawEvidence(root, records, vocabularies, [linked], unreadable)
    if not evidence_dir.is_dir():
        problems.append(Problem(display_path(evidence_dir, root), 0, 0, "evidence folder not found"))
        return RawEvidence(root, records, vocabularies, problems, unreadable)
    for name in VOCABULARY_FILES:
        path = evidence_dir / f"{name}.yaml"
        if path.is_symlink():
            problems.append(Problem(display_path(path, root), 0, 0, "is a symbolic link", LINK_HINT))
            continue
        if not path.exists():
            problems.append(Problem(display_path(path, root), 0, 0, f"vocabulary file {name}.yaml is missing"))
            continue
        loaded, found = read_yaml(path, root)
        problems.extend(found)
        if loaded is not None:
            vocabularies[name] = loaded
    for entry in sorted(evidence_dir.iterdir()):
        shown = display_path(entry, root)
        if entry.is_symlink():
            problems.append(Problem(shown, 0, 0, "is a symbolic link", LINK_HINT))
            if entry.name in RECORD_DIRS:
                unread_kinds.add(RECORD_DIRS[entry.name])
            continue
        if entry.is_dir():
            kind = RECORD_DIRS.get(entry.name)
            if kind is None:
                problems.append(Problem(shown, 0, 0, f"unknown folder '{entry.name}' in evidence/",
                                        "records go in " + ", ".join(f"{d}/" for d in RECORD_DIRS)))
                continue
            _load_folder(entry, shown, root, records[kind], unreadable[kind], problems)
        elif entry.suffix == ".yaml" and entry.stem in VOCABULARY_FILES:
            continue
        elif not entry.name.startswith(".") and entry.name != "README.md":
            problems.append(Problem(shown, 0, 0, "unexpected file in evidence/",
                                    "vocabularies are themes/stakeholders/schemes/glossary.yaml; records go in subfolders"))
    return RawEvidence(root, records, vocabularies, problems, unreadable, unread_kinds)


def _load_folder(folder: Path, shown: str, root: Path, loaded_files: list[LoadedFile], unreadable: set[str],
                 problems: list[Problem]) -> None:
    """Read one record folder's files in name order (os.scandir: no stat call per file)."""
    with os.scandir(folder) as listing:
        entries = sorted((entry for entry in listing if not entry.name.startswith(".")), key=lambda e: e.name)
    lexical = folder.is_absolute() and folder.is_relative_to(root)  # then display_path is plain joining
    for entry in entries:
        path = folder / entry.name
        file_shown = f"{shown}/{entry.name}" if lexical else display_path(path, root)
        if entry.is_symlink():
            problems.append(Problem(file_shown, 0, 0, "is a symbolic link", LINK_HINT))
            unreadable.add(path.stem)
            continue
        if not entry.name.endswith(".yaml") or not entry.is_file():
            problems.append(Problem(file_shown, 0, 0, "not a record file", "records are files named <id>.yaml"))
            unreadable.add(path.stem)
            continue
        loaded, found = read_yaml(path, root, file_shown)
        problems.extend(found)
        if loaded is not None:
            loaded_files.append(loaded)
        else:
            unreadable.add(path.stem)
