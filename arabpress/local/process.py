"""Start a server process on a free local port and wait until it answers."""

from __future__ import annotations

import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Self


class ServerStartError(RuntimeError):
    """A local server did not come up."""


class LocalServer:
    """A server started on entering a ``with`` block and stopped on leaving it."""

    def start(self) -> str:
        """Start the server and return the address to reach it at."""
        raise NotImplementedError

    def stop(self) -> None:
        """Stop the server."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


class WorkdirServer(LocalServer):
    """A server process with a temporary folder of its own; stopping it removes both."""

    def __init__(self, startup_timeout: float) -> None:
        self.startup_timeout = startup_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._workdir: tempfile.TemporaryDirectory[str] | None = None

    def make_workdir(self, prefix: str) -> Path:
        """Create the server's temporary folder and return it."""
        self._workdir = tempfile.TemporaryDirectory(prefix=prefix)
        return Path(self._workdir.name)

    def launch(self, command: Sequence[str], port: int, what: str, log: Path | None = None) -> None:
        """Start *command* and wait until it accepts connections on *port*."""
        self._process = start(command, log=log)
        wait_until(lambda: port_open(port), self._process, self.startup_timeout, what, log)

    def stop(self) -> None:
        """Stop the server and delete its folder."""
        if self._process is not None:
            stop(self._process)
            self._process = None
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(
    ready: Callable[[], bool], process: subprocess.Popen[bytes], timeout: float, what: str, log: Path | None = None
) -> None:
    """Poll *ready* until it is true; raise if *process* dies or *timeout* passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerStartError(f"{what} exited with code {process.returncode}{_tail(log)}")
        if ready():
            return
        time.sleep(0.1)
    stop(process)
    raise ServerStartError(f"{what} did not answer within {timeout:.0f}s{_tail(log)}")


def port_open(port: int) -> bool:
    """Return True when something accepts connections on 127.0.0.1:*port*."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def start(command: Sequence[str], log: Path | None = None) -> subprocess.Popen[bytes]:
    """Start *command* with its output appended to *log*, or discarded."""
    if log is None:
        return subprocess.Popen(list(command), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with log.open("ab") as output:
        # The child keeps its own copy of the descriptor.
        return subprocess.Popen(list(command), stdout=output, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen[bytes], timeout: float = 10) -> None:
    """Terminate *process*, killing it when it does not exit in time."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdout is not None:
        process.stdout.close()


def _tail(log: Path | None, lines: int = 5) -> str:
    """Return the last lines of *log* for an error message."""
    if log is None or not log.is_file():
        return ""
    tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-lines:]
    return ": " + " | ".join(tail) if tail else ""
