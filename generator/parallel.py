"""Render on two cores: a forked child renders every other page and streams them back, in order.

Both processes run the same (deterministic) page sequence; `Renderer.page` renders only the pages
whose turn is its process's and returns None for the others. The parent yields its own pages and,
for each of the child's turns, the page the child sent through a pipe, checking the path matches.
The output is the same sequence, byte for byte, as rendering in one process. The child inherits the
knowledge base by fork (nothing is copied up front) and writes nothing to disk.

Fork is used only where it is safe: a platform with fork, two usable cores, and no other threads
in the process (a forked child holds only the calling thread; `serve` runs threads, so it renders
in one process).
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
import traceback
from collections.abc import Iterator
from typing import Any, BinaryIO

PARENT, CHILD = 0, 1
MIN_RECORDS = 1000
"""Below this many records a fork costs more than it saves."""
_END = "end"
_ERROR = "error"


def can_fork() -> bool:
    """True where a forked render worker is safe and useful."""
    if not hasattr(os, "fork") or threading.active_count() != 1:
        return False
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores >= 2


def forked_pages(renderer: Any) -> Iterator[tuple[str, str]]:
    """`renderer.iter_pages()`, with every other page rendered by a forked child."""
    read_fd, write_fd = os.pipe()
    _widen(write_fd)
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_fd)
        _child(renderer, write_fd)
    os.close(write_fd)
    finished = False
    try:
        with os.fdopen(read_fd, "rb") as stream:
            renderer.share = PARENT
            for path, text in renderer.iter_pages():
                yield path, text if text is not None else _receive(stream, path)
            _expect_end(stream)
        finished = True
    finally:
        renderer.share = None
        _reap(pid, finished)


def _child(renderer: Any, fd: int) -> None:
    status = 1
    try:
        with os.fdopen(fd, "wb") as stream:
            try:
                renderer.share = CHILD
                for path, text in renderer.iter_pages():
                    if text is not None:
                        pickle.dump((path, text), stream, protocol=pickle.HIGHEST_PROTOCOL)
                pickle.dump(_END, stream)
                status = 0
            except BaseException as exc:  # hand the error to the parent, which raises it
                pickle.dump((_ERROR, _picklable(exc)), stream)
    except BaseException:
        pass
    finally:
        os._exit(status)


def _picklable(exc: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return RuntimeError("the render worker failed:\n" + "".join(traceback.format_exception(exc)))


def _load(stream: BinaryIO) -> Any:
    try:
        return pickle.load(stream)
    except EOFError:
        raise RuntimeError("the render worker stopped before sending every page") from None


def _checked(message: Any) -> Any:
    if isinstance(message, tuple) and message[0] == _ERROR:
        raise message[1]
    return message


def _expect_end(stream: BinaryIO) -> None:
    if _checked(_load(stream)) != _END:
        raise RuntimeError("the render worker sent more pages than expected")


def _receive(stream: BinaryIO, path: str) -> str:
    message = _checked(_load(stream))
    if not isinstance(message, tuple) or message[0] != path:
        raise RuntimeError(f"the render worker sent {message[0]!r} where {path!r} was due")
    return message[1]


def _widen(fd: int) -> None:
    """A 1 MB pipe buffer, so the child can run several pages ahead (Linux; best effort)."""
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    except (ImportError, OSError):
        pass


def _reap(pid: int, finished: bool) -> None:
    if not finished:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    os.waitpid(pid, 0)
