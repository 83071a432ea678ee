"""The store's schema as it is at the newest migration (SQLAlchemy Core).

This is a public interface: teams query these tables with their own tools (docs/store.md
describes every column). The migrations in ``migrations/versions`` create and change them;
this module only names them for pyvouch's own queries. A change here comes with a migration.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend: PostgreSQL keeps ``timestamptz``;
    SQLite, which has no time zones, stores naive UTC text (so comparisons are right) and
    hands it back as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if isinstance(value, datetime) and dialect.name == "sqlite":
            if value.tzinfo is not None:
                value = value.astimezone(UTC)
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if not isinstance(value, datetime):
            return None
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


SCHEMA_HEAD = "0002"
"""The newest migration (``migrations/versions``; a test holds the two the same)."""
VERSION_TABLE = "pyvouch_schema_version"
"""Alembic's version table, under a name of pyvouch's own (a team's database may hold others)."""

metadata = MetaData()

schema_version = Table(
    VERSION_TABLE, MetaData(), Column("version_num", String(32), primary_key=True)
)
"""Alembic's table (kept out of `metadata`: Alembic owns it)."""

scans = Table(
    "scans",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(64), nullable=False, unique=True),
    Column("repository", String(512), nullable=False),
    Column("commit", String(64)),
    Column("branch", String(256)),
    Column("lock_path", Text, nullable=False),
    Column("lock_format", String(64), nullable=False),
    Column("index_url", Text, nullable=False),
    Column("mode", String(16), nullable=False),
    Column("pyvouch_version", String(64), nullable=False),
    Column("sigstore_version", String(64)),
    Column("scanned_at", UTCDateTime, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("package_count", Integer, nullable=False),
    Column("evidence", String(16), nullable=False),
    Index("ix_scans_repository_scanned_at", "repository", "scanned_at"),
    Index("ix_scans_scanned_at", "scanned_at"),
)

scan_packages = Table(
    "scan_packages",
    metadata,
    Column("scan_id", Integer, primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("name", String(256), nullable=False),
    Column("version", String(256)),
    Column("status", String(32), nullable=False),
    Column("coverage", String(16), nullable=False),
    Column("tier", String(32)),
    Column("origin", Text),
    Column("note", Text),
    Column("action", String(16)),
    Column("rule", Text),
    Column("reasons", Text, nullable=False),
    Column("regression", Text),
    ForeignKeyConstraint(["scan_id"], ["scans.id"], ondelete="CASCADE"),
    Index("ix_scan_packages_name", "name"),
)

scan_files = Table(
    "scan_files",
    metadata,
    Column("scan_id", Integer, primary_key=True),
    Column("package_position", Integer, primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("filename", Text, nullable=False),
    Column("sha256", String(64)),
    Column("status", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Column("publisher", Text),
    Column("publisher_json", Text),
    Column("predicate_types", Text, nullable=False),
    Column("log_index", BigInteger),
    Column("identity_checked", Boolean, nullable=False),
    ForeignKeyConstraint(
        ["scan_id", "package_position"],
        ["scan_packages.scan_id", "scan_packages.position"],
        ondelete="CASCADE",
    ),
)
