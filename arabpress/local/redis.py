"""A throwaway redis-server on a free 127.0.0.1 port (shared-frontier tests and benchmarks)."""

from __future__ import annotations

import shutil
from pathlib import Path

from arabpress.local.process import WorkdirServer, free_port

REDIS_HINT = "install redis-server (bash scripts/setup.sh; Debian: apt-get install redis-server)"


class LocalRedis(WorkdirServer):
    """Start an empty, non-persistent redis-server; use as a context manager."""

    def __init__(self, startup_timeout: float = 20) -> None:
        super().__init__(startup_timeout)
        self.url = ""

    def start(self) -> str:
        """Start the server and return its URL."""
        binary = shutil.which("redis-server") or (
            "/usr/bin/redis-server" if Path("/usr/bin/redis-server").is_file() else None
        )
        if binary is None:
            raise FileNotFoundError(f"no redis-server found: {REDIS_HINT}")
        workdir = self.make_workdir("arabpress-redis-")
        port = free_port()
        command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        command += ["--dir", str(workdir)]  # it logs to its output, which goes to redis.log
        self.launch(command, port, "redis-server", workdir / "redis.log")
        self.url = f"redis://127.0.0.1:{port}/0"
        return self.url
