"""Schedule a crawl on scrapyd, unless one of the same spider is still pending or running.

This is what the crontab (deploy/crontab) runs. It prints the new job's id (with
``--processes N``: the ids of N jobs of one crawl on the Redis frontier); with
``--follow`` it then waits for the jobs to finish and reads the crawl's verdict at the
end of each job's log. Exit status: 0 scheduled (with --follow: and the crawl passed its
checks), 1 with --follow, the crawl failed its checks or ended without them (the line
says why), 3 not scheduled because a run is still active, 2 any error (scrapyd
unreachable, credentials refused, project not deployed, bad arguments).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid

from arabpress.commands import CommandError
from arabpress.distributed.processes import shared_crawl_settings
from arabpress.monitors import FAILED_VERDICT, PASSED_VERDICT
from arabpress.scrapyd import ScrapydClient, ScrapydError, ScrapydUnreachable

# Exit status when the run is skipped because the previous one is not finished: not an
# error, but a cron log should show it (a crawl outlasting its schedule needs attention).
STILL_ACTIVE = 3
# Seconds between two tries while --wait lets scrapyd come up, and between two looks at a followed job.
WAIT_POLL_SECONDS = 2.0
# Exit status of a followed crawl that failed its checks or ended without them.
CRAWL_FAILED = 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``arabpress schedule``."""
    parser.add_argument(
        "--scrapyd",
        metavar="URL",
        default=os.environ.get("SCRAPYD_URL", ""),
        help="scrapyd base URL, e.g. http://127.0.0.1:6800/ (default: $SCRAPYD_URL)",
    )
    parser.add_argument("--project", default="arabpress", help="scrapyd project (default arabpress)")
    parser.add_argument("--spider", default="arabpress", help="spider to run (default arabpress)")
    for flag, dest, help_text in (
        ("-a", "arguments", "spider argument, e.g. -a since=2026-01-01 (repeatable)"),
        ("-s", "settings", "Scrapy setting for this run only, e.g. -s LOG_LEVEL=DEBUG (repeatable)"),
    ):
        parser.add_argument(flag, dest=dest, metavar="NAME=VALUE", action="append", default=[], help=help_text)
    parser.add_argument(
        "--username", default=os.environ.get("SCRAPYD_USERNAME", ""), help="API user (default: $SCRAPYD_USERNAME)"
    )
    parser.add_argument(
        "--password", default=os.environ.get("SCRAPYD_PASSWORD", ""), help="API password (default: $SCRAPYD_PASSWORD)"
    )
    parser.add_argument(
        "--timeout", type=float, default=30, help="seconds to wait for each scrapyd answer (default 30)"
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="jobs of one crawl sharing the Redis frontier (REDIS_URL of the scrapyd host; default 1)",
    )
    parser.add_argument(
        "--wait",
        type=float,
        default=0,
        metavar="SECONDS",
        help="wait up to SECONDS for scrapyd to answer and have the project deployed (default 0: fail at once)",
    )
    parser.add_argument(
        "--follow",
        action="store_true",
        help="wait for the job to finish; exit 1 when the crawl failed its checks or ended without them",
    )


def parse_pairs(values: list[str], option: str) -> list[tuple[str, str]]:
    """Split each NAME=VALUE of *option*, or raise CommandError."""
    pairs = []
    for value in values:
        name, sep, rest = value.partition("=")
        if not sep or not name.strip():
            raise CommandError(f"{option} takes NAME=VALUE, not {value!r}")
        pairs.append((name.strip(), rest))
    return pairs


def run(args: argparse.Namespace) -> int:
    """Schedule the spider and print the job id; refuse while a run of it is active."""
    if not args.scrapyd:
        raise CommandError("no scrapyd: give --scrapyd URL or set SCRAPYD_URL")
    if args.password and not args.username:
        raise CommandError("a password needs a username: give --username or set SCRAPYD_USERNAME")
    if args.timeout <= 0:
        raise CommandError(f"--timeout must be positive, not {args.timeout}")
    if args.wait < 0:
        raise CommandError(f"--wait must be 0 or more seconds, not {args.wait}")
    if args.processes < 1:
        raise CommandError(f"--processes must be at least 1, not {args.processes}")
    arguments = parse_pairs(args.arguments, "-a")
    settings = parse_pairs(args.settings, "-s")
    try:
        client = ScrapydClient(args.scrapyd, args.username, args.password, timeout=args.timeout)
    except ValueError as error:
        raise CommandError(str(error)) from None
    try:
        wait_for_project(client, args.project, args.wait)
        active = client.active_jobs(args.project, args.spider)
        if active:
            job = active[0]
            since = f" since {job.start_time}" if job.start_time else ""
            print(
                f"arabpress schedule: not scheduled: {args.project}/{args.spider} is still {job.state}"
                f" as job {job.id}{since} on {client.url}",
                file=sys.stderr,
            )
            return STILL_ACTIVE
        jobs = [client.schedule(args.project, args.spider, arguments, job) for job in job_settings(args, settings)]
        for job_id in jobs:
            print(job_id, flush=True)
        if not args.follow:
            return 0
        # Every job is followed to its end; the worst verdict is the status.
        return max([follow(client, args.project, job_id) for job_id in jobs])
    except ScrapydError as error:
        raise CommandError(str(error)) from None


def follow(client: ScrapydClient, project: str, job_id: str) -> int:
    """Wait for job *job_id* to finish; print the crawl's verdict and return the exit status it gives."""
    while True:
        job = client.job(project, job_id)
        if job is None:
            print(
                f"arabpress schedule: job {job_id} is gone from {client.url}: cancelled before it ran", file=sys.stderr
            )
            return CRAWL_FAILED
        if job.state == "finished":
            break
        time.sleep(WAIT_POLL_SECONDS)
    if not job.log_url:
        raise CommandError(f"job {job_id} finished, but scrapyd keeps no log of it (logs_dir) to read its checks from")
    lines = [line for line in client.log_tail(job.log_url) if line.strip()]
    last = lines[-1] if lines else ""
    if PASSED_VERDICT in last:
        print(f"arabpress schedule: job {job_id} finished and passed its checks", file=sys.stderr)
        return 0
    if FAILED_VERDICT in last:
        reason = last.split(FAILED_VERDICT, 1)[1].strip()
        print(f"arabpress schedule: job {job_id} FAILED its checks: {reason}", file=sys.stderr)
        return CRAWL_FAILED
    errors = [line for line in lines if " ERROR: " in line]
    reason = (errors[-1].split(" ERROR: ", 1)[1] if errors else last) or "its log is empty"
    print(f"arabpress schedule: job {job_id} ended without the crawl's checks: {reason}", file=sys.stderr)
    return CRAWL_FAILED


def job_settings(args: argparse.Namespace, settings: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """Return the settings of each job: one as given, or N processes of one shared crawl."""
    if args.processes == 1:
        return [settings]
    crawl = uuid.uuid4().hex
    return [shared_crawl_settings(crawl, args.processes) + settings for _ in range(args.processes)]


def wait_for_project(client: ScrapydClient, project: str, wait: float) -> None:
    """Return once *project* is deployed on scrapyd; retry for *wait* seconds, then raise ScrapydError."""
    deadline = time.monotonic() + wait
    announced = False
    while True:
        try:
            if project in client.projects():
                return
            problem: ScrapydError = ScrapydError(
                f"project {project!r} is not deployed on {client.url}: deploy it with scrapyd-deploy"
            )
        except ScrapydUnreachable as error:
            problem = error
        if time.monotonic() >= deadline:
            raise problem
        if not announced:
            print(f"arabpress schedule: waiting up to {wait:.0f}s: {problem}", file=sys.stderr)
            announced = True
        time.sleep(min(WAIT_POLL_SECONDS, max(deadline - time.monotonic(), 0)))
