"""`arabpress schedule` and deploy/crontab against a real scrapyd (the project's entrypoint, natively).

This scrapyd polls its queue only every 10 minutes, so a scheduled job stays pending for
the whole module: the refusal to double a run is seen without racing a crawl.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from arabpress.local.process import free_port
from arabpress.local.site import SiteServer
from tests.scrapydproc import PASSWORD, PROJECT_ROOT, USERNAME, ScrapydProcess, tool_path

CRONTAB = PROJECT_ROOT / "deploy" / "crontab"
JOB_ID = re.compile(r"^[0-9a-f]{32}$")
# Allowed values of the five crontab fields: minute, hour, day of month, month, day of week.
CRON_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScrapydProcess]:
    """A deployed scrapyd whose queue is not polled while the tests run."""
    server = ScrapydProcess(tmp_path_factory.mktemp("scrapyd"), conf={"poll_interval": "600"})
    server.start()
    yield server
    server.stop()


@pytest.fixture
def clean_queue(scrapyd: ScrapydProcess) -> Iterator[None]:
    """Cancel the jobs a test left pending, so each test starts with none."""
    yield
    for job in scrapyd.api("listjobs.json", project="arabpress")["pending"]:
        scrapyd.api("cancel.json", {"project": "arabpress", "job": job["id"]})


def schedule(
    *arguments: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run `arabpress schedule` in a child process, without any SCRAPYD_* variable unless given."""
    child_env = {"PATH": tool_path(), **(env or {})}
    command = [sys.executable, "-m", "arabpress.cli", "schedule", *arguments]
    return subprocess.run(command, env=child_env, capture_output=True, text=True, timeout=timeout, cwd=PROJECT_ROOT)


def credentials(scrapyd: ScrapydProcess) -> dict[str, str]:
    """The environment that `arabpress schedule` reads the URL and credentials from."""
    return {"SCRAPYD_URL": scrapyd.url, "SCRAPYD_USERNAME": USERNAME, "SCRAPYD_PASSWORD": PASSWORD}


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    """The command failed with status 2 and one stderr line holding every fragment."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("arabpress schedule: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert result.stdout == ""


def test_schedules_and_refuses_a_second_run_while_one_is_pending(scrapyd: ScrapydProcess, clean_queue: None) -> None:
    first = schedule(
        "--scrapyd", scrapyd.url, "-a", "since=2026-01-01", "-s", "LOG_LEVEL=DEBUG", env=credentials(scrapyd)
    )
    assert first.returncode == 0, first.stderr
    job_id = first.stdout.strip()
    assert JOB_ID.match(job_id), first.stdout
    pending = scrapyd.api("listjobs.json", project="arabpress")["pending"]
    assert [(job["id"], job["spider"]) for job in pending] == [(job_id, "arabpress")]
    assert pending[0]["args"]["since"] == "2026-01-01"
    assert pending[0]["settings"] == {"LOG_LEVEL": "DEBUG"}

    second = schedule("--scrapyd", scrapyd.url, "--username", USERNAME, "--password", PASSWORD)
    assert second.returncode == 3, second.stderr
    assert second.stdout == ""
    assert second.stderr.strip().splitlines() == [
        f"arabpress schedule: not scheduled: arabpress/arabpress is still pending as job {job_id} on {scrapyd.url}"
    ]
    assert [job["id"] for job in scrapyd.api("listjobs.json", project="arabpress")["pending"]] == [job_id]

    # Once that run is gone, the next one goes through.
    scrapyd.api("cancel.json", {"project": "arabpress", "job": job_id})
    third = schedule(env=credentials(scrapyd))
    assert third.returncode == 0, third.stderr
    assert third.stdout.strip() != job_id
    assert scrapyd.job_state(third.stdout.strip()) == "pending"


def test_processes_schedules_jobs_of_one_crawl_on_the_redis_frontier(
    scrapyd: ScrapydProcess, clean_queue: None
) -> None:
    result = schedule("--processes", "3", "-s", "LOG_LEVEL=DEBUG", env=credentials(scrapyd))
    assert result.returncode == 0, result.stderr
    jobs = result.stdout.split()
    assert len(jobs) == 3 and all(JOB_ID.match(job) for job in jobs), result.stdout
    pending = {job["id"]: job for job in scrapyd.api("listjobs.json", project="arabpress")["pending"]}
    assert set(pending) == set(jobs)
    settings = [pending[job]["settings"] for job in jobs]
    crawl = settings[0]["ARABPRESS_CRAWL_ID"]
    assert JOB_ID.match(crawl) and crawl not in jobs
    assert (
        settings
        == [
            {
                "ARABPRESS_REDIS_ENABLED": "1",
                "ARABPRESS_CRAWL_ID": crawl,
                "ARABPRESS_CRAWL_PROCESSES": "3",
                "LOG_LEVEL": "DEBUG",
            }
        ]
        * 3
    )


def crontab_entries() -> list[tuple[list[str], str]]:
    """Return the five time fields and the command of every job line of deploy/crontab."""
    entries = []
    for line in CRONTAB.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split(None, 5)
        assert len(fields) == 6, f"not a crontab job line: {line!r}"
        entries.append((fields[:5], fields[5]))
    return entries


def cron_field_values(field: str, low: int, high: int) -> set[int]:
    """Expand one crontab time field, failing on anything outside its range."""
    values: set[int] = set()
    for part in field.split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        assert step >= 1, field
        if base == "*":
            start, stop = low, high
        elif "-" in base:
            start, stop = (int(bound) for bound in base.split("-", 1))
        else:
            start = stop = int(base)
        assert low <= start <= stop <= high, f"{field!r} is outside {low}-{high}"
        values.update(range(start, stop + 1, step))
    return values


def test_crontab_lines_are_valid_and_their_command_schedules_the_crawl(
    scrapyd: ScrapydProcess, clean_queue: None
) -> None:
    entries = crontab_entries()
    assert entries, "deploy/crontab schedules nothing"
    for fields, command in entries:
        for field, (low, high) in zip(fields, CRON_RANGES, strict=True):
            assert cron_field_values(field, low, high)
        assert command.startswith("arabpress schedule"), command
        # The scheduler image runs the line with sh and the service's environment.
        process = subprocess.Popen(
            ["sh", "-c", command],
            env={"PATH": tool_path(), **credentials(scrapyd)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert process.stdout is not None
            job_id = process.stdout.readline().strip()
            assert JOB_ID.match(job_id), job_id
            assert scrapyd.job_state(job_id) == "pending"
            # --follow waits for the job: gone before it ran, the crawl counts as failed.
            scrapyd.api("cancel.json", {"project": "arabpress", "job": job_id})
            _, stderr = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
        assert process.returncode == 1, stderr
        assert stderr.strip().splitlines() == [
            f"arabpress schedule: job {job_id} is gone from {scrapyd.url}: cancelled before it ran"
        ]


def test_unreachable_scrapyd_is_one_line() -> None:
    url = f"http://127.0.0.1:{free_port()}/"
    assert_one_line_error(schedule("--scrapyd", url), f"cannot reach scrapyd at {url}")


def test_wait_gives_up_after_its_time() -> None:
    url = f"http://127.0.0.1:{free_port()}/"
    started = time.monotonic()
    result = schedule("--scrapyd", url, "--wait", "1")
    assert 1 <= time.monotonic() - started < 30
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("arabpress schedule: waiting up to 1s: cannot reach scrapyd"), lines
    assert lines[-1] == f"arabpress schedule: cannot reach scrapyd at {url}: [Errno 111] Connection refused"
    assert len(lines) == 2


def test_refused_credentials_are_one_line(scrapyd: ScrapydProcess) -> None:
    assert_one_line_error(schedule("--scrapyd", scrapyd.url), "HTTP 401", "SCRAPYD_USERNAME")
    wrong = {**credentials(scrapyd), "SCRAPYD_PASSWORD": "wrong"}
    assert_one_line_error(schedule(env=wrong), "refused the credentials (HTTP 401)")


def test_scrapyd_errors_are_one_line(scrapyd: ScrapydProcess) -> None:
    env = credentials(scrapyd)
    assert_one_line_error(
        schedule("--project", "nosuch", env=env), "project 'nosuch' is not deployed", "scrapyd-deploy"
    )
    assert_one_line_error(schedule("--spider", "nosuch", env=env), "refused schedule.json", "nosuch")
    assert scrapyd.api("listjobs.json", project="arabpress")["pending"] == []


def test_a_server_that_is_not_scrapyd_is_one_line() -> None:
    with SiteServer() as site:
        assert_one_line_error(schedule("--scrapyd", site.origin), "answered HTTP 404 to listprojects.json")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((), "no scrapyd: give --scrapyd URL or set SCRAPYD_URL"),
        (("--scrapyd", "127.0.0.1:6800"), "the scrapyd URL must be http(s)://HOST:PORT/"),
        (("--scrapyd", "http://127.0.0.1:1/", "-a", "since"), "-a takes NAME=VALUE, not 'since'"),
        (("--scrapyd", "http://127.0.0.1:1/", "-s", "=1"), "-s takes NAME=VALUE, not '=1'"),
        (("--scrapyd", "http://127.0.0.1:1/", "--password", "x"), "a password needs a username"),
        (("--scrapyd", "http://127.0.0.1:1/", "--wait", "-1"), "--wait must be 0 or more seconds"),
    ],
)
def test_bad_arguments_are_one_line(arguments: tuple[str, ...], message: str) -> None:
    assert_one_line_error(schedule(*arguments), message)
