"""A throwaway redis-server on a free 127.0.0.1 port, for the shared-frontier tests.

Registered in conftest.py through ``pytest_plugins``. A machine without redis-server
fails the tests that need it (scripts/setup.sh installs it); nothing is skipped.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from arabpress.local.process import ServerStartError
from arabpress.local.redis import LocalRedis


@pytest.fixture
def redis_url() -> Iterator[str]:
    """Start an empty, non-persistent redis-server for one test and return its URL."""
    try:
        with LocalRedis() as server:
            yield server.url
    except (FileNotFoundError, ServerStartError) as error:
        pytest.fail(f"redis-server for the tests: {error}", pytrace=False)
