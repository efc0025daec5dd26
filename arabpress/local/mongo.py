"""A throwaway MongoDB-compatible server: mongod when installed, else FerretDB (SQLite).

FerretDB 1.x speaks the MongoDB wire protocol and needs no other service with its SQLite
backend; ``scripts/install-ferretdb.sh`` builds it with the Go toolchain into .tools/bin.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from arabpress.local.process import WorkdirServer, free_port

FERRETDB_HINT = "install one with: bash scripts/install-ferretdb.sh (needs Go), or set MONGO_URI"


def tool_dirs() -> list[Path]:
    """Return the folders searched for server binaries besides PATH."""
    project_tools = Path(__file__).resolve().parents[2] / ".tools" / "bin"
    gopath = Path(os.environ.get("GOPATH", Path.home() / "go")) / "bin"
    return [project_tools, gopath]


def find_binary(name: str) -> str | None:
    """Return the path of the *name* executable on PATH or in the project's tool folders."""
    found = shutil.which(name)
    if found:
        return found
    for folder in tool_dirs():
        candidate = folder / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


class LocalMongo(WorkdirServer):
    """Start a MongoDB-compatible server on a free 127.0.0.1 port; use as a context manager."""

    def __init__(self, startup_timeout: float = 60) -> None:
        super().__init__(startup_timeout)
        self.uri = ""
        self.kind = ""

    def start(self) -> str:
        """Start the server and return its MongoDB URI."""
        mongod = find_binary("mongod")
        ferretdb = find_binary("ferretdb")
        if mongod is None and ferretdb is None:
            raise FileNotFoundError(f"no MongoDB-compatible server found (mongod or ferretdb): {FERRETDB_HINT}")
        data = self.make_workdir("arabpress-mongo-")
        log = data / "server.log"
        port = free_port()
        if mongod is not None:
            self.kind = "mongod"
            command = [mongod, "--bind_ip", "127.0.0.1", "--port", str(port), "--dbpath", str(data)]
        else:
            assert ferretdb is not None
            self.kind = "ferretdb"
            sqlite_dir = data / "sqlite"
            sqlite_dir.mkdir()
            command = [
                ferretdb,
                "--handler=sqlite",
                f"--sqlite-url=file:{sqlite_dir}/",
                f"--listen-addr=127.0.0.1:{port}",
                f"--debug-addr=127.0.0.1:{free_port()}",
                "--telemetry=disable",
                "--log-level=warn",
                f"--state-dir={data}",
            ]
        self.launch(command, port, self.kind, log)
        self.uri = f"mongodb://127.0.0.1:{port}/"
        return self.uri
