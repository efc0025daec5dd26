"""A small client of the scrapyd JSON API, used by ``arabpress schedule``.

Only what scheduling and deploying need: list a project's jobs, schedule a spider, read
the end of a job's log, list and remove deployed versions. Every failure
(unreachable server, refused credentials, an error answer) is a ScrapydError whose
message is one line, fit for a cron log.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urljoin, urlsplit
from urllib.request import Request, urlopen

# States of a job that is not finished yet, as listjobs.json names them.
ACTIVE_STATES = ("pending", "running")
# Bytes of a job log's end that hold its last lines (the crawl's checks come last).
LOG_TAIL_BYTES = 16 * 1024


class ScrapydError(Exception):
    """scrapyd could not be reached or answered an error; the message is one line."""


class ScrapydUnreachable(ScrapydError):
    """No scrapyd answered at the URL (refused, timed out, unknown host)."""


@dataclass(frozen=True)
class Job:
    """A job of a scrapyd project, as listjobs.json describes it."""

    id: str
    spider: str
    state: str  # "pending", "running" or "finished"
    start_time: str | None = None
    log_url: str | None = None  # the job's log on scrapyd (running and finished jobs)


def normalize_url(url: str) -> str:
    """Return the scrapyd base URL with a trailing slash, or raise ValueError."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"the scrapyd URL must be http(s)://HOST:PORT/, such as http://127.0.0.1:6800/, not {url!r}")
    return url.strip().rstrip("/") + "/"


def one_line(text: str) -> str:
    """Return *text* on one line (scrapyd messages can hold tracebacks)."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "(no message)"


class ScrapydClient:
    """Call the scrapyd API at *url*, with HTTP basic authentication when a username is given."""

    def __init__(self, url: str, username: str = "", password: str = "", timeout: float = 30) -> None:
        self.url = normalize_url(url)
        self.timeout = timeout
        self._authorization = ""
        if username:
            token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
            self._authorization = f"Basic {token}"

    def call(
        self, endpoint: str, query: Mapping[str, str] | None = None, form: Sequence[tuple[str, str]] = ()
    ) -> dict[str, Any]:
        """GET *endpoint* (or POST *form* to it) and return its JSON answer, or raise ScrapydError."""
        address = urljoin(self.url, endpoint)
        if query:
            address += "?" + urlencode(query)
        data = urlencode(list(form)).encode("utf-8") if form else None
        request = Request(address, data=data, method="POST" if data is not None else "GET")  # noqa: S310 - http(s) checked
        answer = self._decode(endpoint, self._read(request, endpoint)[0])
        if answer.get("status") != "ok":
            message = one_line(str(answer.get("message", answer)))
            raise ScrapydError(f"scrapyd at {self.url} refused {endpoint}: {message}")
        return answer

    def _read(self, request: Request, endpoint: str) -> tuple[bytes, dict[str, str]]:
        """Send *request* with the credentials and return the answer's body and headers, or raise ScrapydError."""
        if self._authorization:
            request.add_header("Authorization", self._authorization)
        try:
            with urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - http(s) checked
                return response.read(), dict(response.headers.items())
        except HTTPError as error:
            raise ScrapydError(self._http_error(endpoint, error)) from None
        except (URLError, OSError) as error:
            reason = error.reason if isinstance(error, URLError) else error
            raise ScrapydUnreachable(f"cannot reach scrapyd at {self.url}: {reason}") from None

    def log_tail(self, log_url: str, size: int = LOG_TAIL_BYTES) -> list[str]:
        """Return the last lines of a job's log (*log_url* as listjobs.json gives it), from its last *size* bytes."""
        address = urljoin(self.url, log_url)
        head = Request(address, method="HEAD")  # noqa: S310 - http(s) checked
        length = int(self._read(head, log_url)[1].get("Content-Length") or 0)
        # An explicit start: twisted's file server fails a suffix range longer than the file.
        start = max(0, length - size)
        request = Request(address, headers={"Range": f"bytes={start}-"})  # noqa: S310 - http(s) checked
        lines = self._read(request, log_url)[0].decode("utf-8", "replace").splitlines()
        # The first line is cut when the log is longer than what was read.
        return lines[1:] if start and lines else lines

    def daemon_status(self) -> dict[str, Any]:
        """Return daemonstatus.json: the server's pending, running and finished counts."""
        return self.call("daemonstatus.json")

    def projects(self) -> list[str]:
        """Return the names of the deployed projects."""
        return [str(name) for name in self.call("listprojects.json").get("projects", [])]

    def versions(self, project: str) -> list[str]:
        """Return the deployed versions of *project*, oldest first (the last is the one jobs run)."""
        return [str(version) for version in self.call("listversions.json", {"project": project}).get("versions", [])]

    def delete_version(self, project: str, version: str) -> None:
        """Remove one deployed version of *project*."""
        self.call("delversion.json", form=[("project", project), ("version", version)])

    def jobs(self, project: str) -> list[Job]:
        """Return every job of *project* that scrapyd knows: pending, running and finished."""
        answer = self.call("listjobs.json", {"project": project})
        jobs = []
        for state in (*ACTIVE_STATES, "finished"):
            for entry in answer.get(state, []):
                jobs.append(
                    Job(str(entry["id"]), str(entry["spider"]), state, entry.get("start_time"), entry.get("log_url"))
                )
        return jobs

    def job(self, project: str, job_id: str) -> Job | None:
        """Return the job *job_id* of *project*, or None when scrapyd does not list it (cancelled before it ran)."""
        return next((job for job in self.jobs(project) if job.id == job_id), None)

    def active_jobs(self, project: str, spider: str) -> list[Job]:
        """Return the pending and running jobs of *spider* in *project*."""
        return [job for job in self.jobs(project) if job.spider == spider and job.state in ACTIVE_STATES]

    def schedule(
        self,
        project: str,
        spider: str,
        arguments: Sequence[tuple[str, str]] = (),
        settings: Sequence[tuple[str, str]] = (),
    ) -> str:
        """Schedule a run of *spider* with spider *arguments* and Scrapy *settings*; return its job id."""
        form = [("project", project), ("spider", spider)]
        form += [("setting", f"{name}={value}") for name, value in settings]
        form += list(arguments)
        answer = self.call("schedule.json", form=form)
        return str(answer["jobid"])

    def _http_error(self, endpoint: str, error: HTTPError) -> str:
        """Describe an HTTP error answer in one line."""
        if error.code == 401:
            return (
                f"scrapyd at {self.url} refused the credentials (HTTP 401): "
                "give --username/--password or set SCRAPYD_USERNAME/SCRAPYD_PASSWORD"
            )
        detail = error.reason
        try:
            message = json.loads(error.read()).get("message")
        except (ValueError, AttributeError, OSError):
            message = None
        if message:
            detail = one_line(str(message))
        return f"scrapyd at {self.url} answered HTTP {error.code} to {endpoint}: {detail}"

    def _decode(self, endpoint: str, body: bytes) -> dict[str, Any]:
        """Parse a JSON object answer, or raise ScrapydError."""
        try:
            answer = json.loads(body)
        except ValueError:
            raise ScrapydError(f"{self.url}{endpoint} did not answer JSON: is this a scrapyd server?") from None
        if not isinstance(answer, dict):
            raise ScrapydError(f"{self.url}{endpoint} answered {type(answer).__name__}, not a JSON object")
        return answer
