"""`pyvouch scan -`: a lock or requirements on standard input, its format told by its content,
scanned exactly as the same text read from a file."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from pyvouch.cli.main import cli
from tests.scan.conftest import Scan
from tests.support.scan_sites import LOCKS, requirements_pinned
from tests.support.static_server import StaticServer


def scan_stdin(scan: Scan, text: str | bytes, *args: str) -> Result:
    env = {"PYVOUCH_CACHE_DIR": str(scan.cache), "PIP_INDEX_URL": None, "NO_COLOR": "1"}
    return CliRunner().invoke(cli, ["scan", "-", *args], input=text, env=env)


def statuses(doc: dict[str, Any]) -> dict[str, tuple[str | None, str]]:
    return {p["name"]: (p["version"], p["status"]) for p in doc["packages"]}


@pytest.mark.parametrize("name", sorted(LOCKS))
def test_every_format_on_stdin_scans_as_its_file_does(
    scan: Scan, served: StaticServer, name: str
) -> None:
    text = LOCKS[name]()
    lock = scan.write(name, text)
    code, from_file = scan.json(str(lock), "--index-url", served.index_url)
    piped = scan_stdin(scan, text, "--index-url", served.index_url, "--format", "json")
    assert piped.exit_code == code, piped.output
    doc = json.loads(piped.stdout)
    assert statuses(doc) == statuses(from_file)
    assert doc["source"] == "<stdin>"
    assert doc["source_format"] == from_file["source_format"]


def test_plain_requirements_are_told_by_nothing_else_matching(
    scan: Scan, served: StaticServer
) -> None:
    piped = scan_stdin(scan, requirements_pinned(), "--index-url", served.index_url)
    assert piped.exit_code == 0, piped.output
    assert "sampleproject" in piped.output and "<stdin>" not in piped.output.split("\n")[0]
    dry = scan_stdin(scan, "# pinned\nsampleproject==3.0.0\n", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "sampleproject 3.0.0" in dry.output


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("", "standard input is empty"),
        ("   \n\n", "standard input is empty"),
        ('{"name": "not a lock"}', "cannot tell the format"),
        ("[1, 2]", "cannot tell the format"),
        ('[tool.other]\nkey = "value"\n', "cannot tell the format"),
        ("sampleproject>=3\n", "pip resolves files, not standard input"),
        ("sampleproject==3.0.0 --no-such-option\n", "unknown option"),
        (b"sampleproject==3.0.0 \xff\n", "not UTF-8"),
    ],
)
def test_what_cannot_be_read_from_stdin_is_one_line_exit_2(
    scan: Scan, text: str | bytes, said: str
) -> None:
    result = scan_stdin(scan, text, "--dry-run")
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("pyvouch: error: <stdin>"), result.stderr
    assert said in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_the_pin_file_beside_stdin_is_the_working_directorys(
    scan: Scan, served: StaticServer
) -> None:
    """A lock on standard input has no folder of its own: the pins of ./pyvouch.lock.toml
    apply, as they would to a lock in the working directory (here: another publisher, a
    mismatch that enforce blocks)."""
    scan.write(
        "pyvouch.lock.toml",
        'lock-version = "1"\n\n[[packages]]\nname = "gitlab-oidc-project"\n\n'
        '[[packages.attestation-identities]]\nkind = "GitHub"\nrepository = "other/repo"\n'
        'workflow = "r.yml"\n',
    )
    piped = scan_stdin(
        scan, LOCKS["uv.lock"](), "--index-url", served.index_url, "--mode", "enforce"
    )
    assert piped.exit_code == 1, piped.output
    assert "mismatch" in piped.output


def test_pin_never_edits_a_pylock_that_came_on_stdin(scan: Scan, served: StaticServer) -> None:
    """There is no file to edit: the pins go to ./pyvouch.lock.toml, and no file named
    after standard input appears."""
    env = {"PYVOUCH_CACHE_DIR": str(scan.cache), "PIP_INDEX_URL": None}
    result = CliRunner().invoke(
        cli, ["pin", "-", "--index-url", served.index_url], input=LOCKS["pylock.toml"](), env=env
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in scan.workdir.iterdir()) == ["pyvouch.lock.toml"]
    assert "gitlab-oidc-project" in (scan.workdir / "pyvouch.lock.toml").read_text()


def test_a_terminal_on_stdin_is_not_waited_on(tmp_path: Path) -> None:
    """`pyvouch scan -` typed at a prompt says what it wants instead of hanging."""
    primary, secondary = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "pyvouch", "scan", "-", "--dry-run"],
            stdin=secondary,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
            check=False,
        )
    finally:
        os.close(primary)
        os.close(secondary)
    assert proc.returncode == 2, proc.stderr
    assert "standard input, which is a terminal" in proc.stderr
