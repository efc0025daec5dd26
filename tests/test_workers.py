"""Worker processes as a deployed job has them: imported from a zipped egg, and never left behind."""

from __future__ import annotations

import gc
import json
import os
import signal
import site
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

import arabpress
from tests.crawl import PROJECT_ROOT

# A job's process with a second thread (as a scrapyd job has): its workers come from the fork
# server. It imports the project from the zip first on its path, as scrapyd's runner does.
EGG_PROBE = """
import json, sys, threading
sys.path.insert(0, sys.argv[1])
threading.Thread(target=threading.Event().wait, daemon=True).start()
from arabpress import reextract
with reextract.worker_pool(2, {}) as pool:
    answer = pool.submit(eval, "(__import__('arabpress.reextract').reextract.warmed, __import__('arabpress').__file__)")
    warmed, where = answer.result(timeout=120)
print(json.dumps({"job": reextract.__file__, "warmed": warmed, "worker": where}))
"""


def zipped_package(folder: Path) -> Path:
    """Zip the arabpress package (code and package data) as an egg holds it."""
    package = Path(arabpress.__file__).parent
    egg = folder / "arabpress.egg"
    with zipfile.ZipFile(egg, "w") as archive:
        for path in package.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, path.relative_to(package.parent).as_posix())
    return egg


def test_workers_of_a_job_run_from_a_zipped_egg_import_it_and_start_warm(tmp_path: Path) -> None:
    egg = zipped_package(tmp_path)
    # -S: no site folder and no .pth file, so the project is importable from the egg only,
    # as on a scrapyd host where the dependencies are installed and the project is not.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(site.getsitepackages())}
    command = [sys.executable, "-S", "-c", EGG_PROBE, str(egg)]
    done = subprocess.run(command, cwd="/", env=env, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert report["job"].startswith(str(egg))
    # The fork server imported the project from the same egg, and warmed up before forking.
    assert report["worker"].startswith(str(egg)), report
    assert report["warmed"] is True


def gone(pid: int) -> bool:
    """Tell whether a process has ended (a zombie, not yet reaped, has)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rpartition(")")[2].split()[0] == "Z"  # the state follows the command's name


@pytest.mark.parametrize("threaded", [False, True])
def test_workers_end_when_the_process_that_started_them_is_killed(threaded: bool) -> None:
    command = [sys.executable, "-m", "tests.worker_probe", "pids", *(["threaded"] if threaded else [])]
    probe = subprocess.Popen(
        command, cwd=PROJECT_ROOT, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert probe.stdout is not None
    started = json.loads(probe.stdout.readline() or "{}")
    processes = [*started.get("workers", []), *([started["fork_server"]] if started.get("fork_server") else [])]
    try:
        assert len(started.get("workers", [])) == 2, probe.stderr.read() if probe.poll() is not None else started
        assert (started["fork_server"] is not None) is threaded
        probe.send_signal(signal.SIGKILL)  # no handler runs: nothing of the probe's own can clean up
        probe.wait(timeout=10)
        deadline = time.monotonic() + 15
        while not all(gone(pid) for pid in processes) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [pid for pid in processes if not gone(pid)] == []
    finally:
        for pid in processes:
            if not gone(pid):
                os.kill(pid, signal.SIGKILL)
        if probe.poll() is None:
            probe.kill()


def test_a_page_a_worker_extracts_is_freed_without_the_cyclic_garbage_collector() -> None:
    from scrapy.http import Response
    from scrapy.selector import Selector

    from arabpress import reextract
    from tests.worker_probe import warm_page

    reextract.InlineExecutor({})  # this process's pipelines, as a worker builds its own
    first, second = (warm_page(path) for path in reextract.WARM_PAGES)
    assert reextract.extract_page(first)[0] is not None  # lazily built tables are built by now
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)  # what the collector finds unreachable is kept in gc.garbage
    try:
        document, _ = reextract.extract_page(second)
        assert document is not None
        gc.collect()
        # The page's response and its parsed tree were freed as the extraction went: the
        # collector finds neither (a response caching its selector makes a cycle of the two).
        assert [kind for kind in map(type, gc.garbage) if issubclass(kind, Response | Selector)] == []
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
