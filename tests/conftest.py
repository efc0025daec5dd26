"""Shared fixtures: the sample site served locally, a real MongoDB-compatible server.

Servers start on free 127.0.0.1 ports and stop when the session ends. A server that
cannot be had fails the tests that need it with one clear line: nothing is skipped.
Every test that uses the MongoDB server is marked ``storage``: ``MONGO_URI=... pytest -m
storage`` runs them against any MongoDB (docs/storage.md, "Conformance").
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pymongo
import pytest

from arabpress.local.mongo import LocalMongo
from arabpress.local.process import ServerStartError
from arabpress.local.site import SiteServer
from arabpress.sitesrv import SAMPLE_SITE
from arabpress.storage.connection import redact_uri

pytest_plugins = ["tests.redis_server"]


@pytest.fixture(scope="session")
def sample_site() -> Iterator[SiteServer]:
    """The bundled sample site, served unchanged for the whole session."""
    with SiteServer(SAMPLE_SITE) as server:
        yield server


@pytest.fixture
def site_copy(tmp_path: Path) -> Path:
    """A private, editable copy of the sample site folder."""
    root = tmp_path / "site"
    shutil.copytree(SAMPLE_SITE, root)
    return root


@pytest.fixture
def serve_site(tmp_path: Path) -> Iterator[Callable[[Path], SiteServer]]:
    """Start a site server for a folder, logging every requested path; stopped after the test."""
    servers: list[SiteServer] = []

    def serve(root: Path) -> SiteServer:
        server = SiteServer(root, request_log=tmp_path / f"requests-{len(servers)}.log")
        server.start()
        servers.append(server)
        return server

    yield serve
    for server in servers:
        server.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the MongoDB server ``storage``: ``-m storage`` runs them alone."""
    for item in items:
        if "mongo_uri" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.storage)


def pytest_report_header() -> str:
    """Say which server the storage tests use."""
    configured = os.environ.get("MONGO_URI")
    target = f"MONGO_URI ({redact_uri(configured)})" if configured else "a local mongod, else FerretDB"
    return f"storage tests against: {target}"


@pytest.fixture(scope="session")
def mongo_uri() -> Iterator[str]:
    """MONGO_URI when set, else a throwaway mongod or FerretDB started for the session."""
    configured = os.environ.get("MONGO_URI")
    if configured:
        yield configured
        return
    try:
        with LocalMongo() as server:
            yield server.uri
    except (FileNotFoundError, ServerStartError) as error:
        pytest.fail(f"no MongoDB-compatible server for the tests: {error}", pytrace=False)


@pytest.fixture
def mongo_database(mongo_uri: str) -> Iterator[str]:
    """The name of a fresh database, dropped after the test."""
    name = f"arabpress_test_{uuid.uuid4().hex[:12]}"
    yield name
    client: pymongo.MongoClient[dict[str, object]]
    with pymongo.MongoClient(mongo_uri, serverSelectionTimeoutMS=5000) as client:
        client.drop_database(name)
