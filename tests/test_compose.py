"""docker-compose.yml, .env.example and the images: checked without a Docker engine.

`docker compose config` runs where Docker Compose is installed (its test exists only
there); the structural checks, on the files parsed with pyyaml, run everywhere.
The commands the services run are run natively here or in test_scrapyd.py (the scrapyd
entrypoint), test_schedule.py (the crontab line) and test_demo.py.
"""

from __future__ import annotations

import fnmatch
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml

from arabpress.cli import build_parser
from arabpress.local.process import free_port, port_open
from arabpress.settings import ENVIRONMENT_OVERRIDES

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
DOCKERIGNORE = ROOT / "deploy" / "Dockerfile.dockerignore"
SERVICES = {"mongo", "redis", "site", "scrapyd", "scheduler"}
# ${NAME}, ${NAME:-default}, ${NAME:?message}: compose's interpolation.
VARIABLE = re.compile(r"\$\{(?P<name>[A-Z_][A-Z0-9_]*)(?P<modifier>:?[-?][^}]*)?\}")
SECRET_KEY = re.compile(r"USERNAME|PASSWORD")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """The parsed docker-compose.yml."""
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def env_example() -> dict[str, str]:
    """The variables .env.example sets."""
    values = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, sep, value = line.partition("=")
            assert sep, f".env.example: not NAME=VALUE: {line!r}"
            values[name.strip()] = value.strip()
    return values


def environment(service: dict[str, Any]) -> dict[str, str]:
    """A service's environment as a mapping."""
    env = service.get("environment", {})
    assert isinstance(env, dict), "write environment as a mapping"
    return {str(name): str(value) for name, value in env.items()}


def docker_compose() -> list[str] | None:
    """Return the command that runs Docker Compose here, or None when this machine has none."""
    docker = shutil.which("docker")
    if docker is None:
        return None
    version = subprocess.run([docker, "compose", "version"], capture_output=True, text=True, check=False)
    return [docker, "compose"] if version.returncode == 0 else None


def check_docker_compose_config(command: list[str], compose: dict[str, Any]) -> None:
    """Docker Compose itself resolves the file with .env.example: same services, variables read."""
    result = subprocess.run(
        [*command, "--env-file", str(ENV_EXAMPLE), "-f", str(COMPOSE), "config", "--format", "json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    resolved = json.loads(result.stdout)
    assert set(resolved["services"]) == set(compose["services"])
    assert resolved["services"]["scrapyd"]["environment"]["ARABPRESS_BASE_URL"] == env_example()["ARABPRESS_BASE_URL"]


DOCKER_COMPOSE = docker_compose()
if DOCKER_COMPOSE is not None:
    # Defined only where Compose exists, so that a machine without it reports no skipped test;
    # the structural tests below check the same files everywhere.

    def test_docker_compose_config(compose: dict[str, Any]) -> None:
        assert DOCKER_COMPOSE is not None
        check_docker_compose_config(DOCKER_COMPOSE, compose)


def test_healthchecks_gate_the_services_that_wait_for_them(compose: dict[str, Any]) -> None:
    services = compose["services"]
    mongo_check = services["mongo"]["healthcheck"]
    assert mongo_check["test"][0] == "CMD" and "ping" in " ".join(mongo_check["test"])
    for field in ("interval", "timeout"):
        assert re.fullmatch(r"\d+s", str(mongo_check[field])), f"mongo healthcheck {field}: {mongo_check[field]!r}"
    assert int(mongo_check["retries"]) >= 1
    waits = {
        (name, dependency): str(condition.get("condition"))
        for name, service in services.items()
        for dependency, condition in (service.get("depends_on") or {}).items()
    }
    assert waits[("scrapyd", "mongo")] == "service_healthy"
    for (name, dependency), condition in waits.items():
        assert dependency in services, f"{name} depends on {dependency}, which is no service"
        assert condition in ("service_started", "service_healthy"), (name, dependency, condition)
        if condition == "service_healthy":
            assert "healthcheck" in services[dependency], f"{name} waits for {dependency} to be healthy: no healthcheck"


def test_services_and_named_volumes(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) >= SERVICES
    declared = set(compose.get("volumes") or {})
    used = set()
    for name, service in services.items():
        for mount in service.get("volumes", []):
            source = str(mount).split(":", 1)[0]
            if source.startswith("./"):  # a read-only folder of the repository
                assert str(mount).endswith(":ro") and (ROOT / source).is_dir(), f"{name}: {mount!r}"
                continue
            assert source in declared, f"{name}: {mount!r} is not a named volume"
            used.add(source)
        assert service.get("restart") == "unless-stopped", name
    assert used == declared
    assert any(str(m).endswith(":/data/db") for m in services["mongo"]["volumes"])
    assert any(str(m).endswith(":/var/lib/scrapyd") for m in services["scrapyd"]["volumes"])


def test_ports_are_published_on_loopback_only(compose: dict[str, Any]) -> None:
    published = []
    for name, service in compose["services"].items():
        for port in service.get("ports", []):
            assert isinstance(port, str) and port.startswith("127.0.0.1:"), (
                f"{name}: {port!r} is not bound to 127.0.0.1"
            )
            published.append(name)
    assert set(published) == {"mongo", "redis", "scrapyd"}


def test_credentials_come_from_env_file(compose: dict[str, Any]) -> None:
    services = compose["services"]
    example = env_example()
    referenced = set()
    for name, service in services.items():
        for key, value in environment(service).items():
            references = list(VARIABLE.finditer(value))
            referenced.update(match["name"] for match in references)
            if SECRET_KEY.search(key):
                assert len(references) == 1 and references[0][0] == value, f"{name}: {key} is not taken from .env"
            for match in references:
                assert match["name"] in example or (match["modifier"] or "").startswith(":-"), (
                    f"{name}: {key} uses ${{{match['name']}}}, which .env.example does not set"
                )
    assert environment(services["mongo"])["MONGO_INITDB_ROOT_PASSWORD"].startswith("${MONGO_ROOT_PASSWORD:?")
    assert environment(services["scrapyd"])["MONGO_URI"].startswith("mongodb://")
    for name in ("scrapyd", "scheduler"):
        assert environment(services[name])["SCRAPYD_PASSWORD"].startswith("${SCRAPYD_PASSWORD:?")
    assert set(example) <= referenced, f".env.example sets unused variables: {set(example) - referenced}"
    assert ".env" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_the_crawler_connects_as_its_own_user_not_as_root(compose: dict[str, Any]) -> None:
    services = compose["services"]
    uri = environment(services["scrapyd"])["MONGO_URI"]
    assert "${MONGO_CRAWLER_USERNAME}:${MONGO_CRAWLER_PASSWORD}@" in uri
    assert "authSource=${MONGO_DATABASE:-arabpress}" in uri
    assert not any("ROOT" in match["name"] for match in VARIABLE.finditer(uri))
    mongo = environment(services["mongo"])
    for name in ("MONGO_CRAWLER_USERNAME", "MONGO_CRAWLER_PASSWORD", "MONGO_READER_USERNAME", "MONGO_READER_PASSWORD"):
        assert mongo[name].startswith(f"${{{name}:?"), name
    # The mongo image runs the scripts of this folder once, on an empty data volume.
    assert "./deploy/mongo-init:/docker-entrypoint-initdb.d:ro" in services["mongo"]["volumes"]
    assert (ROOT / "deploy" / "mongo-init" / "create-users.js").is_file()


def test_crawl_settings_reach_the_jobs(compose: dict[str, Any]) -> None:
    env = environment(compose["services"]["scrapyd"])
    crawl_settings = {name for name in env if not name.startswith("SCRAPYD_")}
    assert {"MONGO_URI", "ARABPRESS_BASE_URL"} <= crawl_settings
    # Each one is a setting the environment overrides, or it would be ignored by the crawl.
    assert crawl_settings <= set(ENVIRONMENT_OVERRIDES)
    assert env["ARABPRESS_BASE_URL"] == "${ARABPRESS_BASE_URL:-http://site:8123}"
    assert env_example()["ARABPRESS_BASE_URL"] == "http://site:8123"
    scheduler = environment(compose["services"]["scheduler"])
    assert scheduler["SCRAPYD_URL"] == "http://scrapyd:6800/"


def dockerfile_targets() -> set[str]:
    """The stage names of deploy/Dockerfile."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    return set(re.findall(r"^FROM\s+\S+\s+AS\s+(\S+)", text, flags=re.MULTILINE | re.IGNORECASE))


def test_images_build_from_the_repository(compose: dict[str, Any]) -> None:
    targets = dockerfile_targets()
    for name in ("site", "scrapyd", "scheduler"):
        build = compose["services"][name]["build"]
        assert build["context"] == "."
        assert (ROOT / build["dockerfile"]).resolve() == DOCKERFILE
        assert build["target"] in targets
    for name in ("mongo", "redis"):
        assert "build" not in compose["services"][name]
        assert compose["services"][name]["image"].split(":")[0] == name
    text = DOCKERFILE.read_text(encoding="utf-8")
    sources = re.findall(r"^COPY\s+(?:--\S+\s+)*(\S+)\s+\S+$", text, flags=re.MULTILINE)
    assert sources
    for source in sources:
        assert (ROOT / source).exists(), f"the Dockerfile copies {source}, which is not in the repository"
    entrypoint = ROOT / "deploy" / "scrapyd-entrypoint.sh"
    assert '"/app/deploy/scrapyd-entrypoint.sh"' in text
    assert os.access(entrypoint, os.X_OK)
    assert "/app/deploy/crontab" in text and (ROOT / "deploy" / "crontab").is_file()


def ignored(path: str, patterns: list[str]) -> bool:
    """Whether a .dockerignore-style pattern list leaves *path* out of the build context."""
    parts = path.split("/")
    return any(
        fnmatch.fnmatch(path, pattern.removeprefix("**/"))
        or any(fnmatch.fnmatch(part, pattern.removeprefix("**/")) for part in parts)
        for pattern in patterns
    )


def test_build_context_keeps_what_the_images_need() -> None:
    patterns = [
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for needed in (
        "pyproject.toml",
        "setup.py",
        "scrapy.cfg",
        "README.md",
        "arabpress/settings.py",
        "deploy/crontab",
        "deploy/scrapyd-entrypoint.sh",
        "deploy/versions.py",
        "arabpress/sample_site/pages/robots.txt",
    ):
        assert (ROOT / needed).exists(), needed
        assert not ignored(needed, patterns), f"the build context leaves out {needed}"
    for unwanted in (".venv/bin/python", ".git/HEAD", ".env", "tests/conftest.py", ".tools/bin/ferretdb"):
        assert ignored(unwanted, patterns), f"the build context would carry {unwanted}"


def test_scrapyd_image_installs_the_dependencies_but_not_the_project() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "requirements.py"), "deploy"], capture_output=True, text=True, check=True
    )
    names = {re.split(r"[<>=~!\[; ]", line, maxsplit=1)[0].lower() for line in result.stdout.splitlines()}
    # lxml_html_clean: trafilatura (through justext) fails at import without it.
    assert {"scrapy", "pymongo", "dateparser", "lxml_html_clean", "scrapyd", "scrapyd-client"} <= names
    assert "arabpress" not in names
    unknown = subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "requirements.py"), "nosuch"], capture_output=True, text=True
    )
    assert unknown.returncode != 0
    assert "no such extra in pyproject.toml: nosuch" in unknown.stderr


def test_service_commands_exist(compose: dict[str, Any]) -> None:
    site = compose["services"]["site"]["command"]
    assert site[:3] == ["python", "-m", "arabpress.sitesrv"]
    assert importlib.util.find_spec("arabpress.sitesrv") is not None
    scheduler = compose["services"]["scheduler"]["command"]
    assert scheduler[:2] == ["sh", "-c"]
    first, _, second = scheduler[2].partition("; ")
    assert second == "exec supercronic /app/deploy/crontab"
    words = first.split()
    assert words[0] == "arabpress"
    parsed = build_parser().parse_args(words[1:])
    assert parsed.command == "schedule" and parsed.wait == 300


def test_site_command_serves_the_sample_under_the_compose_origin(compose: dict[str, Any]) -> None:
    """The `site` service's command, run natively on a loopback port: pages name http://site:8123."""
    command = list(compose["services"]["site"]["command"])
    port = free_port()
    command[0] = sys.executable
    command[command.index("--host") + 1] = "127.0.0.1"
    command[command.index("--port") + 1] = str(port)
    origin = command[command.index("--origin") + 1]
    assert origin == "http://site:8123"
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert process.stdout is not None
        assert process.stdout.readline().decode().strip() == origin
        assert port_open(port)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt", timeout=10) as response:
            robots = response.read().decode()
        assert "Sitemap: http://site:8123/" in robots
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/post-sitemap.xml", timeout=10) as response:
            sitemap = response.read().decode()
        assert "<loc>http://site:8123/" in sitemap and "https://www.arabpress.example" not in sitemap
    finally:
        process.terminate()
        process.wait(10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def test_site_rejects_an_origin_that_is_not_a_url() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "arabpress.sitesrv", "--port", "0", "--origin", "site:8123"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "--origin must be an http(s) URL such as http://site:8123, not 'site:8123'" in result.stderr
