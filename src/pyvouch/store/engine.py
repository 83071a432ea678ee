"""Opening a store: connect, refuse what is not ours or is newer, migrate an older one.

`open_store` connects once, reads the schema revision from pyvouch's own version table and:

- a revision this pyvouch does not know (a newer pyvouch wrote the store): `StoreError`,
  nothing changed;
- an older revision, or an empty database: migrated to the newest in one transaction (on
  PostgreSQL under an advisory lock, so sixteen CI jobs opening a new store at once migrate
  it once);
- a file that is not SQLite, refused credentials, a database that does not exist: one line,
  `StoreError` (exit 2); a server that cannot be reached: `StoreUnavailable` (exit 3).

No message holds the password of the store URL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, select, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from pyvouch.errors import StoreError, StoreUnavailable
from pyvouch.redact import excerpt
from pyvouch.store.location import StoreLocation
from pyvouch.store.tables import SCHEMA_HEAD, VERSION_TABLE, metadata, schema_version

if TYPE_CHECKING:  # Alembic is imported only when a store must be created or migrated
    from alembic.script import ScriptDirectory

CONNECT_TIMEOUT = 10
_MIGRATION_LOCK = 0x70797663  # "pyvc": pg_advisory_xact_lock key of pyvouch's migrations
_UNREACHABLE = (
    "connection refused",
    "timeout expired",
    "could not translate host name",
    "no route to host",
    "network is unreachable",
    "could not connect",
    "server closed the connection",
    "connection timed out",
)


def script_directory() -> ScriptDirectory:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    location = resources.files("pyvouch.store").joinpath("migrations")
    config = Config()
    config.set_main_option("script_location", str(location))
    return ScriptDirectory.from_config(config)


def head_revision() -> str:
    head = script_directory().get_current_head()
    assert head is not None
    return head


def store_error(location: StoreLocation, err: SQLAlchemyError, doing: str) -> StoreError:
    """A database error as one line that names the store without its password."""
    original = err.orig if isinstance(err, DBAPIError) else err
    detail = " ".join(str(original).split())
    password = location.url.password
    if password:
        detail = detail.replace(str(password), "***")
    detail = excerpt(detail, 300)
    cls = StoreUnavailable if any(s in detail.lower() for s in _UNREACHABLE) else StoreError
    return cls(f"store {location.shown}: {doing}: {detail}")


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    # The driver's own transaction handling begins only before DML; pyvouch's "begin" event
    # takes the write lock at the start instead, so a migration's DDL is in the transaction
    # and two writers queue rather than fail halfway.
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _engine(location: StoreLocation) -> Engine:
    if location.is_postgres:
        return create_engine(
            location.url,
            connect_args={"connect_timeout": CONNECT_TIMEOUT, "application_name": "pyvouch"},
            pool_pre_ping=False,
            hide_parameters=True,
        )
    engine = create_engine(location.url, hide_parameters=True, connect_args={"timeout": 30})
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


@dataclass
class Store:
    """An open store. ``with store.begin() as conn:`` for one transaction."""

    location: StoreLocation
    engine: Engine

    @contextmanager
    def begin(self, doing: str = "query") -> Iterator[Connection]:
        try:
            with self.engine.begin() as conn:
                yield conn
        except SQLAlchemyError as err:
            raise store_error(self.location, err, doing) from None

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _current(conn: Connection) -> tuple[str, ...]:
    from alembic.runtime.migration import MigrationContext

    context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
    return tuple(context.get_current_heads())


def _migrate(conn: Connection, location: StoreLocation, target: str) -> None:
    from alembic.config import Config
    from alembic.runtime.environment import EnvironmentContext

    script = script_directory()
    current = _current(conn)
    for rev in current:
        try:
            known = script.get_revision(rev)
        except Exception:  # alembic raises its own errors for unknown revisions
            known = None
        if known is None:
            raise StoreError(
                f"store {location.shown} has schema revision {excerpt(rev, 40)!r}, which this "
                "pyvouch does not know: it was written by a newer pyvouch (upgrade pyvouch); "
                "nothing was changed"
            )
    if current == (target,):
        return
    if not current:
        _refuse_foreign(conn, location)

    def upgrade(rev: Any, _context: Any) -> Any:
        return script._upgrade_revs(target, rev)

    config = Config()
    with EnvironmentContext(config, script, fn=upgrade, destination_rev=target) as env:
        env.configure(
            connection=conn,
            target_metadata=metadata,
            version_table=VERSION_TABLE,
            transactional_ddl=True,
        )
        env.run_migrations()


def _refuse_foreign(conn: Connection, location: StoreLocation) -> None:
    """A database with no pyvouch schema is created only where it takes nothing from anyone:
    a SQLite file with no tables, or a PostgreSQL database none of whose tables has one of
    pyvouch's names. Another application's database is refused and left as it was."""
    found = set(inspect(conn).get_table_names())
    ours = set(metadata.tables)
    clash = sorted(found if location.path is not None else found & ours)
    if clash:
        shown = ", ".join(excerpt(name, 40) for name in clash[:5])
        more = f" and {len(clash) - 5} more" if len(clash) > 5 else ""
        raise StoreError(
            f"store {location.shown} is not a pyvouch store: it holds other tables ({shown}{more}) "
            "and no pyvouch schema; nothing was changed"
        )


def _at_head(engine: Engine) -> bool:
    """The store is at the newest schema (read without Alembic: the common case is cheap)."""
    with engine.begin() as conn:
        if not inspect(conn).has_table(VERSION_TABLE):
            return False
        found = list(conn.execute(select(schema_version.c.version_num)).scalars())
    return found == [SCHEMA_HEAD]


def open_store(location: StoreLocation, *, create: bool = True, target: str | None = None) -> Store:
    """The store at ``location``, migrated to ``target`` (default: the newest schema).

    ``create=False`` refuses a SQLite file that does not exist (reading history from nothing).
    """
    if location.path is not None:
        if not location.path.exists():
            if not create:
                raise StoreError(f"no store at {location.shown}: record a scan first (--record)")
            try:
                location.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise StoreError(f"store {location.shown}: {err.strerror}") from None
        elif location.path.is_dir():
            raise StoreError(f"store {location.shown} is a directory, not a SQLite file")
    engine = _engine(location)
    try:
        if target is None and _at_head(engine):
            return Store(location, engine)
        with engine.begin() as conn:
            if location.is_postgres:
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            _migrate(conn, location, target or SCHEMA_HEAD)
    except SQLAlchemyError as err:
        engine.dispose()
        raise store_error(location, err, "cannot open") from None
    except BaseException:
        engine.dispose()
        raise
    return Store(location, engine)
