"""Building clients from settings, masking credentials, and the one-line start-up errors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from scrapy.settings import Settings

from arabpress.local.process import free_port
from arabpress.storage.connection import (
    MongoUnavailable,
    check_server,
    client_from_settings,
    open_server,
    project_settings,
    redact_uri,
)


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("mongodb://127.0.0.1:27017", "mongodb://127.0.0.1:27017"),
        (
            "mongodb://crawler:s3cret@db1:27017,db2:27017/?replicaSet=rs0",
            "mongodb://crawler:***@db1:27017,db2:27017/?replicaSet=rs0",
        ),
        (
            "mongodb+srv://crawler:p%40ss@cluster.example/arabpress?tls=true",
            "mongodb+srv://crawler:***@cluster.example/arabpress?tls=true",
        ),
        ("mongodb://crawler@db1/?authMechanism=MONGODB-X509", "mongodb://crawler@db1/?authMechanism=MONGODB-X509"),
        (
            "mongodb://db1/?tls=true&tlsCertificateKeyFilePassword=hunter2&w=1",
            "mongodb://db1/?tls=true&tlsCertificateKeyFilePassword=***&w=1",
        ),
    ],
)
def test_redact_uri_hides_passwords_only(uri: str, expected: str) -> None:
    assert redact_uri(uri) == expected


def settings_for(uri: str, timeout: float = 0.5) -> Settings:
    """Return project settings pointing at *uri* with a short server selection timeout."""
    return project_settings(MONGO_URI=uri, MONGO_SERVER_SELECTION_TIMEOUT=str(timeout))


def test_unreachable_server_is_one_line_with_masked_credentials() -> None:
    port = free_port()
    uri = f"mongodb://crawler:s3cret@127.0.0.1:{port}/?authSource=admin"
    with pytest.raises(MongoUnavailable) as caught:
        open_server(settings_for(uri))
    message = str(caught.value)
    assert message.startswith(f"MongoDB at mongodb://crawler:***@127.0.0.1:{port}/?authSource=admin is unreachable: ")
    assert "s3cret" not in message
    assert "\n" not in message and "Topology" not in message


def test_invalid_uri_is_one_line() -> None:
    with pytest.raises(MongoUnavailable, match=r"^MONGO_URI 'http://nowhere' is not valid: "):
        client_from_settings(settings_for("http://nowhere"))


def test_client_reads_dates_as_aware_utc(mongo_uri: str, mongo_database: str) -> None:
    settings = settings_for(mongo_uri, timeout=5)
    with client_from_settings(settings) as client:
        check_server(client, mongo_uri)
        collection = client[mongo_database]["dates"]
        collection.insert_one({"at": datetime(2026, 2, 1, 12, 0, tzinfo=UTC)})
        found = collection.find_one({}, {"_id": 0})
        assert found is not None
        assert found["at"] == datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
        assert found["at"].utcoffset() is not None and found["at"].utcoffset().total_seconds() == 0


def test_environment_overrides_reach_command_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONGO_DATABASE", "from_environment")
    assert project_settings().get("MONGO_DATABASE") == "from_environment"
    assert project_settings(MONGO_DATABASE="from_option").get("MONGO_DATABASE") == "from_option"
