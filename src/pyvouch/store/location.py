"""Where the store is: ``--store``, else ``PYVOUCH_STORE``, else the policy's ``store``, else
SQLite in pyvouch's data directory.

A location is a path (SQLite) or a ``postgresql://`` URL. `StoreLocation.shown` is what every
message names: the URL without its password (the user name stays, so a wrong role is seen).
The password lives only in the `sqlalchemy.URL` handed to the engine.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from pyvouch.errors import StoreError
from pyvouch.machine_key import data_dir
from pyvouch.store import STORE_ENV
from pyvouch.urls import strip_credentials

DEFAULT_FILE = "history.sqlite3"
_POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


@dataclass(frozen=True)
class StoreLocation:
    url: URL
    """What the engine connects with (holds the password; never shown)."""
    shown: str
    """The location for messages: a path, or the URL without its password."""
    path: Path | None = None
    """The SQLite file, for a SQLite store."""

    @property
    def is_postgres(self) -> bool:
        return self.url.get_backend_name() == "postgresql"

    def __repr__(self) -> str:  # never the password, even in a traceback or a debugger
        return f"StoreLocation({self.shown!r})"


def default_store_path() -> Path:
    return data_dir() / DEFAULT_FILE


def _postgres(text: str) -> StoreLocation:
    scheme = text.split("://", 1)[0].lower()
    try:
        url = make_url(text)
    except (ArgumentError, ValueError):
        raise StoreError(
            f"store URL {strip_credentials(text)!r} cannot be read as "
            "postgresql://USER:PASSWORD@HOST:PORT/DATABASE"
        ) from None
    if scheme not in _POSTGRES_SCHEMES:
        raise StoreError(f"store URL scheme {scheme!r} is not postgresql://")
    url = url.set(drivername="postgresql+psycopg")
    if not url.host and not url.query.get("host"):
        raise StoreError(f"store URL {url.render_as_string(hide_password=True)!r} names no host")
    if not url.database:
        raise StoreError(
            f"store URL {url.render_as_string(hide_password=True)!r} names no database"
        )
    shown = url.set(drivername="postgresql").render_as_string(hide_password=True)
    return StoreLocation(url, shown)


def _sqlite(path: Path) -> StoreLocation:
    path = path.expanduser()
    return StoreLocation(URL.create("sqlite", database=str(path)), str(path), path)


def resolve_store(given: str | None, policy_store: str | None = None) -> StoreLocation:
    """The store named by the flag, the environment, the policy, or the default (in order)."""
    for text in (given, os.environ.get(STORE_ENV) or None, policy_store):
        if text is None:
            continue
        if not text.strip():
            raise StoreError("the store location is empty")
        if "://" in text:
            return _postgres(text)
        return _sqlite(Path(text))
    return _sqlite(default_store_path())
