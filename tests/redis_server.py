"""A throwaway redis-server on a free 127.0.0.1 port, for the shared-frontier tests.

Registered in conftest.py through ``pytest_plugins``. A machine without redis-server
fails the tests that need it (scripts/setup.sh installs it); nothing is skipped.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from arabpress.local.process import ServerStartError, free_port, port_open, start, stop, wait_until


def redis_binary() -> str:
    """Return the redis-server executable, or fail the test with how to get one."""
    found = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").is_file() else None
    )
    if found is None:
        pytest.fail(
            "no redis-server for the tests: run bash scripts/setup.sh (Debian: apt-get install redis-server)",
            pytrace=False,
        )
    return found


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """Start an empty, non-persistent redis-server for one test and return its URL."""
    workdir = tmp_path / "redis"
    workdir.mkdir()
    log = workdir / "redis.log"
    port = free_port()
    command = [redis_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    command += ["--dir", str(workdir), "--logfile", str(log)]
    process = start(command)
    try:
        wait_until(lambda: port_open(port), process, 20, "redis-server", log)
    except ServerStartError as error:
        pytest.fail(f"redis-server did not start: {error}", pytrace=False)
    yield f"redis://127.0.0.1:{port}/0"
    stop(process)
