"""A small client of the scrapyd JSON API, used by ``arabpress schedule``.

Only what scheduling needs: list a project's jobs and schedule a spider. Every failure
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
        if self._authorization:
            request.add_header("Authorization", self._authorization)
        try:
            with urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - http(s) checked
                body = response.read()
        except HTTPError as error:
            raise ScrapydError(self._http_error(endpoint, error)) from None
        except (URLError, OSError) as error:
            reason = error.reason if isinstance(error, URLError) else error
            raise ScrapydUnreachable(f"cannot reach scrapyd at {self.url}: {reason}") from None
        answer = self._decode(endpoint, body)
        if answer.get("status") != "ok":
            message = one_line(str(answer.get("message", answer)))
            raise ScrapydError(f"scrapyd at {self.url} refused {endpoint}: {message}")
        return answer

    def daemon_status(self) -> dict[str, Any]:
        """Return daemonstatus.json: the server's pending, running and finished counts."""
        return self.call("daemonstatus.json")

    def projects(self) -> list[str]:
        """Return the names of the deployed projects."""
        return [str(name) for name in self.call("listprojects.json").get("projects", [])]

    def jobs(self, project: str) -> list[Job]:
        """Return every job of *project* that scrapyd knows: pending, running and finished."""
        answer = self.call("listjobs.json", {"project": project})
        jobs = []
        for state in (*ACTIVE_STATES, "finished"):
            for entry in answer.get(state, []):
                jobs.append(Job(str(entry["id"]), str(entry["spider"]), state, entry.get("start_time")))
        return jobs

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
