"""Make untrusted record text inert in generated Markdown.

Every value interpolated into a template passes through `md_escape` (it is the Jinja environment's
`finalize`), so record text can never become HTML, a Markdown construct, a link or template code:
the characters that carry meaning in HTML or Markdown become numeric character references, which
Markdown leaves alone and browsers display as the original characters.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from markupsafe import Markup


def char_references(characters: str) -> Callable[[str], str]:
    """A function that replaces each of `characters` in a text by its numeric character reference
    (`&#38;` for &): the same as `str.translate` with such a table, about twice as fast on prose,
    where those characters are rare."""
    references = {c: f"&#{ord(c)};" for c in characters}

    def reference(match: re.Match) -> str:
        return references[match.group()]

    return functools.partial(re.compile("[" + re.escape(characters) + "]").sub, reference)


# Characters with meaning in HTML, Markdown, pymdownx extensions, attr_list or Jinja.
_SPECIAL = "&<>\"'\\`*_[]{}()#+!|~^=:$%@"
_TABLE = {ord(c): f"&#{ord(c)};" for c in _SPECIAL}
"""The same encoding as a translate table (the tests' reference for `md_escape`)."""
_encode_special = char_references(_SPECIAL)


def md_escape(text: object) -> str:
    """One line of inert text: whitespace folded, every special character encoded."""
    return _encode_special(" ".join(str(text).split()))  # split() folds the same whitespace as \s, faster


def md_text(text: object) -> Markup:
    return Markup(md_escape(text))


def md_paragraphs(text: object) -> Markup:
    """Inert text that keeps the contributor's paragraph breaks (blank lines)."""
    paragraphs = [md_escape(p) for p in re.split(r"\n\s*\n", str(text)) if p.strip()]
    return Markup("\n\n".join(paragraphs))


def escape_markdown_in_html(html: str) -> str:
    """Encode Markdown specials in the text parts of trusted, already HTML-escaped markup."""
    table = {ord(c): f"&#{ord(c)};" for c in "\\`*_[]{}#+!|~^=$@"}
    return re.sub(r"(<[^>]*>|&#?\w+;)|([^<&]+|&)", lambda m: m.group(1) or m.group(2).translate(table), html)


def finalize(value: object) -> object:
    """Jinja finalize hook: everything not explicitly marked safe is escaped for Markdown."""
    if isinstance(value, Markup) or value is None:
        return value if value is not None else ""
    return Markup(md_escape(value))


_CODE_SPECIAL = "&<>\"'\\`*_[]{}()#+!|~^=:$%@-"
"""Every character with meaning in HTML, Markdown, pymdownx or Jinja."""
_CODE_ENTITIES = {ord(c): f"&#{ord(c)};" for c in _CODE_SPECIAL}
"""The same encoding as a translate table (the tests' reference for `code_html`)."""
_code_references = char_references(_CODE_SPECIAL)


def code_html(text: str) -> str:
    """Verbatim text for a <code> element in a raw HTML block: Markdown leaves raw HTML alone and
    the browser decodes the references, so readers see (and copy) exactly `text`. Every special
    character becomes a character reference; line breaks become \\n."""
    return _code_references("\n".join(str(text).splitlines()))
