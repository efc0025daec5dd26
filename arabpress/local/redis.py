"""A throwaway redis-server on a free 127.0.0.1 port (shared-frontier tests and benchmarks)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from arabpress.local.process import LocalServer, free_port, port_open, start, stop, wait_until

REDIS_HINT = "install redis-server (bash scripts/setup.sh; Debian: apt-get install redis-server)"


class LocalRedis(LocalServer):
    """Start an empty, non-persistent redis-server; use as a context manager."""

    def __init__(self, startup_timeout: float = 20) -> None:
        self.startup_timeout = startup_timeout
        self.url = ""
        self._process: subprocess.Popen[bytes] | None = None
        self._workdir: tempfile.TemporaryDirectory[str] | None = None

    def start(self) -> str:
        """Start the server and return its URL."""
        binary = shutil.which("redis-server") or (
            "/usr/bin/redis-server" if Path("/usr/bin/redis-server").is_file() else None
        )
        if binary is None:
            raise FileNotFoundError(f"no redis-server found: {REDIS_HINT}")
        self._workdir = tempfile.TemporaryDirectory(prefix="arabpress-redis-")
        workdir = Path(self._workdir.name)
        log = workdir / "redis.log"
        port = free_port()
        command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        command += ["--dir", str(workdir), "--logfile", str(log)]
        self._process = start(command)
        wait_until(lambda: port_open(port), self._process, self.startup_timeout, "redis-server", log)
        self.url = f"redis://127.0.0.1:{port}/0"
        return self.url

    def stop(self) -> None:
        """Stop the server and delete its folder."""
        if self._process is not None:
            stop(self._process)
            self._process = None
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None
