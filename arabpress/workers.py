"""Lifetime of the worker processes a command forks: where they import from, and when they end.

Two gaps between a process pool on a terminal and one in a deployed job:

- A scrapyd job imports the project from its egg, which scrapyd puts on ``sys.path``, not
  from an installed package. Python 3.11's fork server imports its preload modules before it
  applies the parent's ``sys.path`` (it applies it to each child only), so it could not import
  the project from the egg and forked every worker cold. The fork server is therefore started
  with the parent's ``sys.path`` as its ``PYTHONPATH`` (fork_server_path).
- A worker blocked on its pool's queue never learns that the process that started it was
  killed (SIGKILL, the OOM killer): the queue's pipe has other writers, so it sees no end of
  file. Each worker watches the sentinel multiprocessing gives it of that process (a pipe
  whose write end that process holds; in a forked pool, the workers forked after it hold a
  copy too, so they end one after the other) and ends when it closes (end_with_parent). The
  kernel's parent-death signal would not do: a fork server's workers are its children, and
  it stays up as long as they do.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import sys
import threading
from collections.abc import Iterator


@contextlib.contextmanager
def fork_server_path() -> Iterator[None]:
    """Let a process started within the block import what this process can (its sys.path as PYTHONPATH)."""
    before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(entry for entry in sys.path if entry)
    try:
        yield
    finally:
        if before is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = before


def end_with_parent() -> None:
    """End this worker process when the process that started it ends (a watching thread)."""
    parent = multiprocessing.parent_process()
    if parent is None:
        raise RuntimeError("end_with_parent is for processes started by multiprocessing")
    sentinel = parent.sentinel
    threading.Thread(target=_exit_on_close, args=(sentinel,), name="end-with-parent", daemon=True).start()


def _exit_on_close(sentinel: int) -> None:
    """Wait for the parent's sentinel to close, then end the process at once (no cleanup is owed)."""
    multiprocessing.connection.wait([sentinel])
    os._exit(1)
