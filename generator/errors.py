"""Problems found in the evidence, and the exception that carries them to the CLI edge."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the evidence, located as precisely as the input allows."""

    path: str
    """File the problem is in, relative to the project root where possible."""
    line: int
    """1-based line number (0 when the whole file is meant)."""
    column: int
    """1-based column number (0 when the whole line or file is meant)."""
    message: str
    """What is wrong."""
    hint: str = ""
    """How to fix it, where we can say."""

    def location(self) -> str:
        if self.line and self.column:
            return f"{self.path}:{self.line}:{self.column}"
        if self.line:
            return f"{self.path}:{self.line}"
        return self.path

    def __str__(self) -> str:
        text = f"{self.location()}: {self.message}"
        return f"{text}; {self.hint}" if self.hint else text


class EvidenceError(Exception):
    """Raised when the evidence has one or more problems; carries all of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__(f"{len(self.problems)} problem(s) in the evidence")


class BuildError(Exception):
    """Raised when the site engine fails after the evidence passed its checks."""
