"""Build MongoDB clients from settings and check that the server answers."""

from __future__ import annotations

import os
import re
from datetime import UTC
from typing import Any

from pymongo import MongoClient
from pymongo.errors import ConfigurationError, ConnectionFailure, OperationFailure, PyMongoError
from scrapy.settings import BaseSettings, Settings

Client = MongoClient[dict[str, Any]]

# The user:password part of a MongoDB URI, and query options that carry secrets.
_USERINFO = re.compile(r"^(?P<scheme>[a-z+]+://)(?P<user>[^:@/]*):[^@/]*@", re.IGNORECASE)
_SECRET_OPTION = re.compile(r"(?P<name>[?&][^=&]*password[^=&]*)=[^&]*", re.IGNORECASE)


class MongoUnavailable(Exception):
    """The configured MongoDB server cannot be used; the message is one line for the user."""


def redact_uri(uri: str) -> str:
    """Return *uri* with its password (and password options) replaced by ``***``."""
    redacted = _USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:***@", uri)
    return _SECRET_OPTION.sub(lambda m: f"{m['name']}=***", redacted)


def project_settings(**overrides: str | None) -> Settings:
    """Return the project's settings (defaults and environment), for commands run outside Scrapy.

    Keyword arguments that are not None replace settings, e.g. ``MONGO_URI=...``.
    """
    settings = Settings()
    settings.setmodule("arabpress.settings", priority="project")
    # The settings module read the environment when first imported; read it again now.
    for name in settings.getlist("ENVIRONMENT_OVERRIDES"):
        if os.environ.get(name):
            settings.set(name, os.environ[name], priority="project")
    for name, value in overrides.items():
        if value is not None:
            settings.set(name, value, priority="cmdline")
    return settings


def open_server(settings: BaseSettings) -> Client:
    """Return a client whose server answered a ping, or raise MongoUnavailable."""
    client = client_from_settings(settings)
    try:
        check_server(client, str(settings.get("MONGO_URI")))
    except MongoUnavailable:
        client.close()
        raise
    return client


def client_from_settings(settings: BaseSettings) -> Client:
    """Return a MongoClient for MONGO_URI that reads dates as aware UTC datetimes.

    It does not connect until first used; MONGO_URI errors raise MongoUnavailable.
    """
    uri = settings.get("MONGO_URI")
    try:
        return MongoClient(
            uri,
            serverSelectionTimeoutMS=int(settings.getfloat("MONGO_SERVER_SELECTION_TIMEOUT") * 1000),
            socketTimeoutMS=int(settings.getfloat("MONGO_SOCKET_TIMEOUT") * 1000) or None,
            tz_aware=True,
            tzinfo=UTC,
            appname="arabpress",
            connect=False,
        )
    except (ConfigurationError, ValueError, TypeError) as error:
        raise MongoUnavailable(f"MONGO_URI {redact_uri(str(uri))!r} is not valid: {error}") from None


def describe_error(error: BaseException) -> str:
    """Return the first, useful part of a pymongo error message, on one line."""
    details = error.details if isinstance(error, OperationFailure) else None
    message = str((details or {}).get("errmsg") or error)
    # Server selection errors append the timeouts and the whole topology description.
    for tail in (", Timeout:", " (configured timeouts", ", full error:"):
        message = message.split(tail, 1)[0]
    return " ".join(message.split()) or type(error).__name__


def check_server(client: Client, uri: str) -> None:
    """Ping the server; raise MongoUnavailable with one clear line when it cannot be used."""
    where = redact_uri(uri)
    try:
        client.admin.command("ping")
    except ConnectionFailure as error:
        raise MongoUnavailable(f"MongoDB at {where} is unreachable: {describe_error(error)}") from None
    except PyMongoError as error:
        raise MongoUnavailable(f"MongoDB at {where} refused the connection: {describe_error(error)}") from None


def max_document_size(client: Client) -> int:
    """Return the largest document the server stores (16 MiB on MongoDB)."""
    hello = client.admin.command("hello")
    return int(hello.get("maxBsonObjectSize", 16 * 1024 * 1024))
