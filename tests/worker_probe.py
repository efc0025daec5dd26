"""What re-extraction worker processes start with, asked from inside one (``python -m tests.worker_probe``).

The child process starts a worker pool as ``arabpress reextract`` does (with ``threaded``:
with a second thread running, as in a scrapyd job), asks a worker, sends SIGTERM to its own
process group (run it in a session of its own), tells whether a child process ended, asks
again, and prints the answers as JSON.

With ``pids`` it prints the process ids of its workers (and of its fork server, if any) as a
JSON line instead, then waits to be killed.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from datetime import UTC, datetime
from typing import Any

from arabpress import reextract
from arabpress.storage.pages import Page


def warm_page(path: str) -> Page:
    """Return the sample page the warm-up extracts under *path*, as a stored page."""
    url = reextract.WARM_SITE + path
    body = (reextract.SAMPLE_PAGES / path / "index.html").read_bytes()
    return Page(url, url, url, 200, "text/html; charset=utf-8", "utf-8", datetime.now(UTC), None, "probe", body)


def started_with() -> dict[str, Any]:
    """Return, in a worker, whether it was forked warm, by which process, and what it makes of the warm pages."""
    outcomes = []
    for path in reextract.WARM_PAGES:
        document, reason = reextract.extract_page(warm_page(path))
        outcomes.append(reason if document is None else "article")
    return {"warmed": reextract.warmed, "forked_by": os.getppid(), "outcomes": outcomes}


def main(threaded: bool) -> dict[str, Any]:
    """Start a pool, ask a worker before and after a SIGTERM to the process group."""
    if threaded:
        threading.Thread(target=threading.Event().wait, daemon=True).start()
    # Handled here, as the command handles it (an ignored signal would stay ignored in the
    # processes this one starts, a handled one does not).
    signal.signal(signal.SIGTERM, lambda number, frame: None)
    with reextract.worker_pool(2, {}) as pool:
        first = pool.submit(started_with).result(timeout=120)
        os.killpg(0, signal.SIGTERM)
        time.sleep(0.5)  # for the signal to reach every process of the group
        ended, _ = os.waitpid(-1, os.WNOHANG)  # a child of this process (a worker, the fork server) gone
        after = pool.submit(started_with).result(timeout=120)
    return {"probe": os.getpid(), "first": first, "ended_by_sigterm": ended, "after_sigterm": after}


def serve_pids(threaded: bool) -> None:
    """Start a pool, print the ids of every process it runs on, and wait."""
    if threaded:
        threading.Thread(target=threading.Event().wait, daemon=True).start()
    pool = reextract.worker_pool(2, {})
    workers: set[int] = set()
    while len(workers) < 2:  # each call keeps a worker busy for a moment: both answer
        workers |= {future.result(timeout=120) for future in [pool.submit(busy_pid) for _ in range(4)]}
    print(json.dumps({"workers": sorted(workers), "fork_server": fork_server_pid()}), flush=True)
    threading.Event().wait()


def busy_pid() -> int:
    """Return this process's id after a moment's work."""
    time.sleep(0.2)
    return os.getpid()


def fork_server_pid() -> int | None:
    """Return the id of this process's fork server, if it started one."""
    import multiprocessing.forkserver

    pid: int | None = getattr(multiprocessing.forkserver._forkserver, "_forkserver_pid", None)
    return pid


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if "pids" in arguments:
        serve_pids("threaded" in arguments)
    else:
        print(json.dumps(main(arguments == ["threaded"])))
