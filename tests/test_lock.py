"""The lock files: every environment installs exact, hashed versions that satisfy pyproject's ranges,
and the GitHub files that install them are valid for GitHub (checked by check-jsonschema's schemas)."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from generator import PROJECT_ROOT

LOCKS = {  # lock file -> the extras of pyproject.toml it must cover
    "requirements/runtime.txt": (),
    "requirements/test.txt": ("test",),
    "requirements/bench.txt": ("test", "bench"),
}
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", re.M)


def pinned(lock: str) -> dict[str, tuple[str, str]]:
    """name -> (version, the entry's text up to the next pin)."""
    text = (PROJECT_ROOT / lock).read_text(encoding="utf-8")
    found = list(PIN.finditer(text))
    return {canonicalize_name(m[1]): (m[2], text[m.start(): found[i + 1].start() if i + 1 < len(found) else None])
            for i, m in enumerate(found)}


def required(extras: tuple[str, ...]) -> list[Requirement]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = list(project["dependencies"])
    for extra in extras:
        lines += project["optional-dependencies"][extra]
    lines += [line for line in (PROJECT_ROOT / "requirements/build.in").read_text().splitlines()
              if line and not line.startswith("#")]
    return [Requirement(line) for line in lines]


@pytest.mark.parametrize("lock, extras", LOCKS.items())
def test_lock_pins_every_requirement_within_its_range(lock, extras):
    pins = pinned(lock)
    for requirement in required(extras):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{lock} does not pin {requirement.name}: run `make lock`"
        version = pins[name][0]
        assert requirement.specifier.contains(version, prereleases=True), \
            f"{lock} pins {name}=={version}, outside pyproject's {requirement}: run `make lock`"


@pytest.mark.parametrize("lock", LOCKS)
def test_every_pin_carries_a_hash(lock):
    for name, (version, entry) in pinned(lock).items():
        assert "--hash=sha256:" in entry, f"{lock}: {name}=={version} has no hash"


def test_the_shared_packages_have_one_version_in_every_lock():
    runtime, test, bench = (pinned(lock) for lock in LOCKS)
    for smaller, larger in ((runtime, test), (test, bench)):
        for name, (version, _) in smaller.items():
            assert larger[name][0] == version, (name, version, larger[name][0])


def test_installs_use_the_lock_with_hashes():
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    workflow = (PROJECT_ROOT / ".github/workflows/ci.yml").read_text()
    assert "LOCK := requirements/test.txt" in makefile
    assert "pip install --quiet --require-hashes --no-deps -r $(LOCK)" in makefile
    assert "--require-hashes --no-deps -r requirements/bench.txt" in makefile
    assert "pip install --require-hashes --no-deps -r requirements/test.txt" in workflow
    assert "pip install -e '.[" not in workflow


@pytest.mark.parametrize("schema, files", [
    ("vendor.github-workflows", sorted(str(p) for p in (PROJECT_ROOT / ".github/workflows").glob("*.yml"))),
    ("vendor.dependabot", [str(PROJECT_ROOT / ".github/dependabot.yml")]),
])
def test_github_files_are_valid(schema, files):
    result = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *files],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_scheduled_job_tests_the_newest_allowed_versions():
    workflow = (PROJECT_ROOT / ".github/workflows/newest-versions.yml").read_text()
    assert "schedule:" in workflow and "cron:" in workflow
    assert "make test-newest" in workflow
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    assert "pip install --quiet --upgrade -e '.[test]'" in makefile
