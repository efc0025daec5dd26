"""Serve a saved site folder (see arabpress.sitesrv) from a child process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from arabpress.local.process import LocalServer, ServerStartError, stop
from arabpress.sitesrv import SAMPLE_SITE


class SiteServer(LocalServer):
    """A static site server on a free 127.0.0.1 port; use as a context manager."""

    def __init__(self, root: Path = SAMPLE_SITE, request_log: Path | None = None) -> None:
        self.root = root
        self.request_log = request_log
        self.origin = ""
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> str:
        """Start the server and return its origin, e.g. ``http://127.0.0.1:8123``."""
        command = [sys.executable, "-m", "arabpress.sitesrv", str(self.root), "--port", "0"]
        if self.request_log is not None:
            command += ["--request-log", str(self.request_log)]
        self._process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert self._process.stdout is not None
        line = self._process.stdout.readline().decode().strip()
        if not line.startswith("http://"):
            error = self._process.stderr.read().decode() if self._process.stderr else ""
            stop(self._process)
            raise ServerStartError(f"site server did not start: {error.strip().splitlines()[-1:] or line}")
        self.origin = line
        return line

    def stop(self) -> None:
        """Stop the server."""
        if self._process is not None:
            stop(self._process)
            if self._process.stderr is not None:
                self._process.stderr.close()
            self._process = None
