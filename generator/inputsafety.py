"""Two classes of contributor input that must never reach the build: files that are not plain files
inside the repository (a link could publish, or print in a public CI log, a file from elsewhere on
the build machine), and invisible or direction-changing characters (a record could display text other
than what a reviewer reads in the diff: "Trojan Source").

Only the standard library: the loader and bib.py call it on every file they read.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

from generator.errors import Problem

LINK_HINT = ("replace the link with a plain file committed in the repository; links are refused so that "
             "a pull request cannot publish files from elsewhere on the build machine")
SPECIAL_HINT = "only plain files and folders belong here"


def link_problem(path: Path, root: Path, shown: str) -> Problem | None:
    """A problem when `path`, or any folder between `root` and it, is a symbolic link, or when `path`
    is something other than a plain file or folder (a pipe would hang the build). Never follows the
    link and never says where it points."""
    try:
        relative = path.relative_to(root)
    except ValueError:
        return Problem(shown, 0, 0, "is outside the repository", LINK_HINT)
    current = root
    for part in relative.parts:
        current = current / part
        try:
            mode = os.lstat(current).st_mode
        except FileNotFoundError:
            return None  # a missing file is reported by whoever needs it
        except OSError as exc:
            return Problem(shown, 0, 0, f"cannot read file: {exc.strerror}")
        if stat.S_ISLNK(mode):
            where = "is" if current == path else f"lies under '{current.relative_to(root).as_posix()}', which is"
            return Problem(shown, 0, 0, f"{where} a symbolic link", LINK_HINT)
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            return Problem(shown, 0, 0, "is not a plain file or folder", SPECIAL_HINT)
    return None


def tree_link_problems(folder: Path, root: Path) -> list[Problem]:
    """Every link and special file at or below `folder` (which may be missing), without following any."""
    shown = folder.relative_to(root).as_posix()
    top = link_problem(folder, root, shown)
    if top is not None or not folder.is_dir():
        return [top] if top is not None else []
    problems = []
    for here, folders, files in os.walk(folder, followlinks=False):
        for name in sorted(folders + files):
            path = Path(here) / name
            mode = os.lstat(path).st_mode
            if stat.S_ISLNK(mode):
                problems.append(Problem(path.relative_to(root).as_posix(), 0, 0, "is a symbolic link", LINK_HINT))
            elif not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                problems.append(Problem(path.relative_to(root).as_posix(), 0, 0,
                                        "is not a plain file or folder", SPECIAL_HINT))
        folders[:] = [name for name in folders if not os.path.islink(os.path.join(here, name))]
    return problems


# --- invisible and direction-changing characters ------------------------------------------------

ALLOWED_CONTROLS = frozenset("\n\t\r")
"""Line breaks and tab: YAML and BibTeX need them."""
INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
"""Letters that display as nothing (Hangul fillers, the blank Braille pattern)."""
_INVISIBLE_LETTER = re.compile("[" + "".join(sorted(INVISIBLE_LETTERS)) + "]")
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cn"})
"""Controls, format characters (bidirectional controls, zero-width characters, soft hyphen),
line and paragraph separators, private-use and unassigned code points."""
MAX_REPORTED = 10
"""Problems reported per file; a file full of them gets one more line saying how many."""
INVISIBLE_HINT = ("delete it: it cannot be seen in a review, and direction controls can make the page show "
                  "text other than what the file says; type plain text (ordinary spaces and punctuation)")


def _plainly_visible(text: str) -> bool:
    """True for text with nothing to refuse, decided in C for almost every line."""
    return text.isprintable() and not _INVISIBLE_LETTER.search(text)


def refused_character(char: str) -> bool:
    if char in ALLOWED_CONTROLS:
        return False
    return char in INVISIBLE_LETTERS or unicodedata.category(char) in REFUSED_CATEGORIES


def describe(char: str) -> str:
    """'U+202E RIGHT-TO-LEFT OVERRIDE'."""
    name = unicodedata.name(char, "")
    if not name and unicodedata.category(char) == "Cc":
        name = "control character"
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


def refused_characters(text: str) -> Iterator[tuple[int, int, str]]:
    """(line, column, character), 1-based, for each refused character in `text`. Lines that are all
    printable (almost every line) are passed by one C-level check."""
    for number, line in enumerate(text.split("\n"), start=1):
        if _plainly_visible(line):
            continue
        for column, char in enumerate(line, start=1):
            if refused_character(char):
                yield number, column, char


def invisible_problems(text: str, shown: str) -> list[Problem]:
    """A located problem for each refused character in a file's text (at most MAX_REPORTED)."""
    problems: list[Problem] = []
    found = 0
    beyond = None
    for line, column, char in refused_characters(text):
        found += 1
        if found <= MAX_REPORTED:
            problems.append(Problem(shown, line, column, f"invisible character {describe(char)}", INVISIBLE_HINT))
        elif beyond is None:
            beyond = (line, column)
    if beyond is not None:
        problems.append(Problem(shown, *beyond, f"{found - MAX_REPORTED} more invisible characters from here on",
                                INVISIBLE_HINT))
    return problems


def strings_in(value: object, keypath: tuple = ()) -> Iterable[tuple[tuple, str]]:
    """(keypath, string) for every key and string value in parsed YAML; a key's path ends in it."""
    if isinstance(value, str):
        yield keypath, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str):
                yield keypath + (key,), key
            yield from strings_in(item, keypath + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from strings_in(item, keypath + (index,))


def first_refused(text: str) -> str | None:
    if _plainly_visible(text):
        return None
    return next((char for char in text if refused_character(char)), None)
