"""deploy/mongo-init/create-users.js, the least-privilege users of docker-compose, run with mongosh."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.storage_helpers import client_for, server_is_ferretdb
from tests.test_querying_docs import mongosh_binary

SCRIPT = Path(__file__).resolve().parents[1] / "deploy" / "mongo-init" / "create-users.js"


def run_script(uri: str, database: str) -> subprocess.CompletedProcess[str]:
    """Run the init script against *uri* as the mongo image does, for *database*."""
    env = {
        **os.environ,
        "MONGO_DATABASE": database,
        "MONGO_CRAWLER_USERNAME": "crawler",
        "MONGO_CRAWLER_PASSWORD": "crawler-secret",
        "MONGO_READER_USERNAME": "reader",
        "MONGO_READER_PASSWORD": "reader-secret",
    }
    command = [mongosh_binary(), uri, "--quiet", "--norc", "--file", str(SCRIPT)]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=False)


def test_the_init_script_gives_the_crawler_read_write_and_the_team_read(mongo_uri: str, mongo_database: str) -> None:
    result = run_script(mongo_uri, mongo_database)
    with client_for(mongo_uri) as client:
        if server_is_ferretdb(client):
            # FerretDB 1.x has no user management (docs/storage.md): compose runs mongo:7.
            assert result.returncode != 0 and "createUser" in result.stdout + result.stderr
            return
        try:
            assert result.returncode == 0, result.stderr
            users = client[mongo_database].command("usersInfo")["users"]
            roles = {user["user"]: user["roles"] for user in users}
            assert roles == {
                "crawler": [{"role": "readWrite", "db": mongo_database}],
                "reader": [{"role": "read", "db": mongo_database}],
            }
        finally:
            client[mongo_database].command("dropAllUsersFromDatabase")


def test_the_init_script_refuses_a_user_without_a_password(mongo_uri: str) -> None:
    command = [mongosh_binary(), mongo_uri, "--quiet", "--norc", "--file", str(SCRIPT)]
    env = {key: value for key, value in os.environ.items() if not key.startswith("MONGO_")}
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=False)
    assert result.returncode != 0
    assert "needs its username and password" in result.stdout + result.stderr
