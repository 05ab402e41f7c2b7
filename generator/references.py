"""The reference list, split so that no page grows with the bibliography.

references/index.md lists the letters (with how many references each holds); each letter has its own
page, references/<letter>.md, continued on references/<letter>-2.md ... after `page_size` entries.
A reference is filed under the first letter of its formatted (Harvard) text, which is also the
order the entries are listed in; accents are dropped (Ó -> o) and an entry starting with a digit or
symbol goes under "other". Each entry shows its Harvard text, the records citing it and, folded, its
BibTeX (with Material's copy button), so a reader can cite any work, not only those with a source page. `ReferenceList.url` is the one place that knows which page holds a key.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

from markupsafe import Markup

from generator.fragments import chunks, numbered
from generator.textsafe import code_html

OTHER = "other"
REFERENCES_PER_PAGE = 50
"""References on one letter page. Each entry carries its BibTeX, so an entry is long: Zensical's
search refuses a page with more than 8,192 token positions, and 100 entries of a 20,000-record
benchmark corpus came to 8,626 (the letter E); 50 keep a page well under that, and under 200 KB."""


def letter_of(text: str) -> str:
    """The letter a reference's text is filed under: a-z, or OTHER."""
    first = next((c for c in unicodedata.normalize("NFKD", text) if c.isalnum()), "")
    first = first.lower()
    return first if "a" <= first <= "z" else OTHER


class ReferenceList:
    """Pages of the reference list for one bibliography (computed once, on first use)."""

    def __init__(self, references: Mapping[str, Any], page_size: int):
        self._references = references
        self._page_size = page_size
        self._letters: dict[str, list[tuple[str, list[Any]]]] | None = None
        self._stems: dict[str, str] = {}

    @property
    def letters(self) -> dict[str, list[tuple[str, list[Any]]]]:
        """{letter: [(page stem, the references on that page)]}, letters in order, OTHER last."""
        if self._letters is None:
            grouped: dict[str, list[Any]] = defaultdict(list)
            for ref in sorted(self._references.values(), key=lambda ref: ref.plain.lower()):
                grouped[letter_of(ref.plain)].append(ref)
            self._letters = {
                letter: [(numbered(letter, number), run)
                         for number, run in enumerate(chunks(refs, self._page_size), start=1)]
                for letter, refs in sorted(grouped.items(), key=lambda item: (item[0] == OTHER, item[0]))}
            self._stems = {ref.key: stem for pages in self._letters.values() for stem, refs in pages for ref in refs}
        return self._letters

    def url(self, key: str, base: str = "../") -> Markup:
        """Relative link to a reference's entry, from a page `base` away from docs/kb/."""
        self.letters  # noqa: B018 - fills the key -> page map on first use
        return Markup(f"{base}references/{self._stems[key]}.md#{key}")

    def pages(self, page: Callable[..., str]) -> dict[str, str]:
        """The index of letters and every letter's pages, rendered with `page(template, **context)`."""
        counts = {letter: sum(len(refs) for _, refs in pages) for letter, pages in self.letters.items()}
        out = {"references/index.md": page("references.md.j2", letters=self.letters, counts=counts)}
        for letter, pages in self.letters.items():
            for number, (stem, refs) in enumerate(pages, 1):
                out[f"references/{stem}.md"] = page(
                    "references_letter.md.j2", letters=self.letters, counts=counts, letter=letter,
                    references=refs, number=number, pages=[s for s, _ in pages],
                    bibtex=lambda ref: Markup(code_html(ref.bibtex)))
        return out
