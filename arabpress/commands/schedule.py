"""Schedule a crawl on scrapyd, unless one of the same spider is still pending or running.

This is what the crontab (deploy/crontab) runs. It prints the new job's id (with
``--processes N``: the ids of N jobs of one crawl on the Redis frontier). Exit status:
0 scheduled, 3 not scheduled because a run is still active, 2 any error (scrapyd
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
from arabpress.scrapyd import ScrapydClient, ScrapydError, ScrapydUnreachable

# Exit status when the run is skipped because the previous one is not finished: not an
# error, but a cron log should show it (a crawl outlasting its schedule needs attention).
STILL_ACTIVE = 3
# Seconds between two tries while --wait lets scrapyd come up.
WAIT_POLL_SECONDS = 2.0


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
    except ScrapydError as error:
        raise CommandError(str(error)) from None
    for job_id in jobs:
        print(job_id)
    return 0


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
