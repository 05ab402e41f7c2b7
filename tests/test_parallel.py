"""Rendering with a forked second process gives the same pages, in the same order, as one process;
a failure in either process stops the render with the error, and leaves no child behind."""

from __future__ import annotations

import os

import pytest

from generator.pipeline import check
from generator.render import Renderer, iter_pages

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def test_forked_render_matches_one_process(fixture_project):
    kb = check(fixture_project)
    alone = _texts(iter_pages(kb, fixture_project, git_dates=False, fork=False))
    forked = _texts(iter_pages(kb, fixture_project, git_dates=False, fork=True))
    assert forked == alone
    assert len(alone) > 20


@pytest.fixture
def forked(monkeypatch) -> list[int]:
    """The pids of the children forked during the test (other tests' processes may also be our
    children in a full run, so each test checks its own)."""
    pids: list[int] = []
    real_fork = os.fork

    def recording_fork() -> int:
        pid = real_fork()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", recording_fork)
    return pids


def test_an_error_in_the_child_is_raised_in_the_parent(fixture_project, monkeypatch, forked):
    kb = check(fixture_project)
    parent = os.getpid()
    real_render = Renderer._render

    def fails_in_the_child(self, template, **context):
        if os.getpid() != parent:
            raise ValueError(f"cannot render {template}")
        return real_render(self, template, **context)

    monkeypatch.setattr(Renderer, "_render", fails_in_the_child)
    with pytest.raises(ValueError, match="cannot render"):
        list(iter_pages(kb, fixture_project, git_dates=False, fork=True))
    _assert_reaped(forked)


def test_stopping_early_leaves_no_child(fixture_project, forked):
    kb = check(fixture_project)
    pages = iter_pages(kb, fixture_project, git_dates=False, fork=True)
    next(pages), next(pages), next(pages)
    pages.close()
    _assert_reaped(forked)


def _texts(pages) -> list[tuple[str, str]]:
    """(path, text) in order, with text that came in pieces joined."""
    return [(path, text if isinstance(text, str) else "".join(text)) for path, text in pages]


def _assert_reaped(pids: list[int]) -> None:
    """One child was forked, and it has exited and been waited for (no zombie, nothing running)."""
    assert len(pids) == 1
    with pytest.raises(ChildProcessError):
        os.waitpid(pids[0], os.WNOHANG)
