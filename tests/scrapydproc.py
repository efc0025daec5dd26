"""Run deploy/scrapyd-entrypoint.sh natively: a real scrapyd on a free 127.0.0.1 port, the project deployed.

The configuration is deploy/scrapyd.conf (what the scrapyd image installs) with the port,
the folders and the credentials of the test written over it, in a temporary folder.
"""

from __future__ import annotations

import configparser
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

from arabpress.local.process import free_port

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ENTRYPOINT = PROJECT_ROOT / "deploy" / "scrapyd-entrypoint.sh"
SCRAPYD_CONF = PROJECT_ROOT / "deploy" / "scrapyd.conf"
USERNAME = "operator"
PASSWORD = "s3cret-for-tests"
DEPLOYED_LINE = "project arabpress deployed"


def tool_path(bin_dir: Path | None = None) -> str:
    """Return PATH with *bin_dir* (default: this interpreter's folder) first, so scrapyd and scrapyd-deploy are its."""
    return os.pathsep.join([str(bin_dir or Path(sys.executable).parent), os.environ.get("PATH", "")])


class ScrapydProcess:
    """scrapyd started by the project's entrypoint script, with its state in *home*."""

    def __init__(
        self,
        home: Path,
        env: dict[str, str] | None = None,
        conf: dict[str, str] | None = None,
        bin_dir: Path | None = None,
        entrypoint: Path = ENTRYPOINT,
    ) -> None:
        self.home = home
        self.entrypoint = entrypoint  # the entrypoint of a copy of the project, to deploy changed code
        # The virtualenv whose scrapyd, scrapyd-deploy and python run (default: this one).
        self.bin_dir = bin_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.auth = (USERNAME, PASSWORD)
        self.log = home / "entrypoint.log"
        self.extra_env = env or {}
        self.conf = {
            "bind_address": "127.0.0.1",
            "http_port": str(self.port),
            "username": USERNAME,
            "password": PASSWORD,
            "dbs_dir": str(home / "dbs"),
            "eggs_dir": str(home / "eggs"),
            "logs_dir": str(home / "logs"),
            "items_dir": str(home / "items"),
            "poll_interval": "0.5",
            **(conf or {}),
        }
        self._process: subprocess.Popen[bytes] | None = None
        self._log_start = 0

    def write_conf(self) -> Path:
        """Write scrapyd.conf into *home*: the project's file with this test's values over it."""
        parser = configparser.ConfigParser()
        parser.read(SCRAPYD_CONF, encoding="utf-8")
        for name, value in self.conf.items():
            parser.set("scrapyd", name, value)
        path = self.home / "scrapyd.conf"
        with path.open("w", encoding="utf-8") as handle:
            parser.write(handle)
        return path

    def environment(self) -> dict[str, str]:
        """Return the entrypoint's environment: this one, the test's settings and the API credentials."""
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("SCRAPY_", "SCRAPYD_")) and name not in ("PYTHONPATH", "VIRTUAL_ENV")
        }
        env.update(
            PATH=tool_path(self.bin_dir),
            SCRAPYD_HOME=str(self.home),
            SCRAPYD_HTTP_PORT=str(self.port),
            SCRAPYD_USERNAME=USERNAME,
            SCRAPYD_PASSWORD=PASSWORD,
        )
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 90) -> None:
        """Run the entrypoint and wait until it has deployed the project."""
        self.home.mkdir(parents=True, exist_ok=True)
        self.write_conf()
        # A restart appends to the same log: only what this start prints counts.
        self._log_start = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(
                ["sh", str(self.entrypoint)],
                cwd=self.home,
                env=self.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while DEPLOYED_LINE not in self.log_text()[self._log_start :]:
            if self._process.poll() is not None:
                raise AssertionError(f"scrapyd entrypoint exited with {self._process.returncode}:\n{self.log_text()}")
            if time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"scrapyd was not deployed within {timeout:.0f}s:\n{self.log_text()}")
            time.sleep(0.1)

    def stop(self, timeout: float = 20) -> int | None:
        """Stop the entrypoint (it passes SIGTERM to scrapyd), then anything left in its process group."""
        process, self._process = self._process, None
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        with contextlib.suppress(ProcessLookupError):  # the group is gone when nothing was left
            os.killpg(process.pid, signal.SIGKILL)  # the group this test started: a crawl still running
        return process.returncode

    def log_text(self) -> str:
        """Return what the entrypoint and scrapyd printed so far."""
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def api(self, endpoint: str, data: dict[str, Any] | list[tuple[str, str]] | None = None, **params: str) -> Any:
        """Call the API with the credentials; return the JSON answer, which must say status ok."""
        if data is None:
            response = requests.get(self.url + endpoint, params=params, auth=self.auth, timeout=30)
        else:
            response = requests.post(self.url + endpoint, data=data, auth=self.auth, timeout=30)
        assert response.status_code == 200, f"{endpoint}: HTTP {response.status_code} {response.text[:300]}"
        answer = response.json()
        assert answer.get("status") == "ok", f"{endpoint}: {answer}"
        return answer

    def job_state(self, job_id: str, project: str = "arabpress") -> str | None:
        """Return "pending", "running" or "finished" for *job_id*, or None when scrapyd does not list it."""
        jobs = self.api("listjobs.json", project=project)
        for state in ("pending", "running", "finished"):
            if any(job["id"] == job_id for job in jobs[state]):
                return state
        return None

    def wait_finished(self, job_id: str, timeout: float = 120) -> None:
        """Wait until scrapyd lists *job_id* as finished."""
        deadline = time.monotonic() + timeout
        while (state := self.job_state(job_id)) != "finished":
            if time.monotonic() > deadline:
                raise AssertionError(f"job {job_id} still {state} after {timeout:.0f}s:\n{self.job_logs()}")
            time.sleep(0.5)

    def job_logs(self) -> str:
        """Return the crawl logs that scrapyd kept, for failure messages."""
        logs = sorted((self.home / "logs").rglob("*.log"))
        return "\n".join(path.read_text(encoding="utf-8", errors="replace")[-4000:] for path in logs)
