"""When each record file was added and last changed, from one `git log` over evidence/."""

from __future__ import annotations

import subprocess
from pathlib import Path


def file_dates(root: Path, folder: str = "evidence") -> dict[str, tuple[str, str]]:
    """Map 'evidence/<kind>/<id>.yaml' -> (added, last changed) as ISO 8601 commit times (the date
    is the first ten characters; the time orders changes made on one day). Empty outside git."""
    try:
        out = subprocess.run(
            ["git", "log", "--no-renames", "--format=@%cI", "--name-only", "--", folder],
            cwd=root, capture_output=True, text=True, timeout=60, check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    dates: dict[str, tuple[str, str]] = {}
    current = ""
    for line in out.splitlines():  # newest commit first
        if line.startswith("@"):
            current = line[1:]
        elif line.strip():
            last = dates.get(line, (current, current))[1]
            dates[line] = (current, last)  # keeps overwriting 'added' with older dates
    return dates
