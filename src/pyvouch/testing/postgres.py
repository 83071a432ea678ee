"""A private PostgreSQL 15 cluster for the store's tests and benchmarks: initdb + pg_ctl on a
free loopback port, under a temporary directory, stopped afterwards.

PostgreSQL refuses to run as root, so as root the server binaries run as the ``postgres`` user
(``runuser -u postgres --``) with a data directory it owns. The superuser ``pyvouch`` has a
password and TCP connections must give it (scram-sha-256), so the tests can check that a
password in a store URL never reaches pyvouch's output.

`start_cluster` raises `ClusterUnavailable` when the binaries or the user are missing: the
fixture skips on a developer's machine without PostgreSQL and fails under ``CI=true``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

BIN_DIRS = (Path("/usr/lib/postgresql/15/bin"),)
USER = "pyvouch"
PASSWORD = "s3cr3t-Pa55word-never-printed"  # noqa: S105 - the private test cluster's


class ClusterUnavailable(RuntimeError):
    """PostgreSQL cannot be started here."""


@dataclass(frozen=True)
class Cluster:
    port: int
    root: Path

    def url(self, database: str = "postgres", *, password: str = PASSWORD) -> str:
        return f"postgresql://{USER}:{password}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new empty database; its URL."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def _bin_dir() -> Path:
    for candidate in BIN_DIRS:
        if (candidate / "initdb").is_file() and (candidate / "pg_ctl").is_file():
            return candidate
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    raise ClusterUnavailable("initdb/pg_ctl of PostgreSQL 15 not found")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _as_server_user() -> tuple[list[str], int | None, int | None]:
    """The command prefix to run the server's binaries, and the uid/gid to own its files."""
    if os.geteuid() != 0:
        return [], None, None
    import pwd

    try:
        entry = pwd.getpwnam("postgres")
    except KeyError:
        raise ClusterUnavailable("running as root and there is no postgres user") from None
    return ["runuser", "-u", "postgres", "--"], entry.pw_uid, entry.pw_gid


def _run(cmd: list[str], timeout: float = 120) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        raise ClusterUnavailable(f"{Path(cmd[-1]).name}: {(proc.stderr or proc.stdout)[-500:]}")


@contextlib.contextmanager
def start_cluster() -> Iterator[Cluster]:
    """A running cluster for the duration of the block; stopped and removed afterwards."""
    bin_dir = _bin_dir()
    prefix, uid, gid = _as_server_user()
    root = Path(tempfile.mkdtemp(prefix="pyvouch-pg-"))
    try:
        if uid is not None and gid is not None:
            os.chown(root, uid, gid)
        data = root / "data"
        pwfile = root / "pw"
        pwfile.write_text(PASSWORD + "\n")
        if uid is not None and gid is not None:
            os.chown(pwfile, uid, gid)
        _run(
            [
                *prefix,
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                USER,
                f"--pwfile={pwfile}",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--no-sync",
            ]
        )
        port = _free_port()
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=100 -c shared_buffers=32MB"
        )
        _run(
            [
                *prefix,
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(root / "log"),
                "-w",
                "-t",
                "60",
                "start",
            ]
        )
        try:
            yield Cluster(port, root)
        finally:
            subprocess.run(
                [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                capture_output=True,
                timeout=60,
                check=False,
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)
