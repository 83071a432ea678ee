"""A change under review that moves a verified package to a git checkout, a direct URL or a
local path (issue 8, rule 4 through `pyvouch diff`): the base's verified identity pins it, so
enforce blocks the head with the reason, though nothing in the head could be verified."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pyvouch.cli.main import cli
from tests.scan.conftest import Scan
from tests.support.digest_locks import write_lock
from tests.support.index_servers import IndexServer
from tests.support.scan_sites import SAMPLE
from tests.support.switched_locks import NAME, SWITCHED


@pytest.mark.parametrize("kind", ["git", "url", "path", "editable"])
def test_moving_a_verified_package_off_the_index_blocks_the_change(
    scan: Scan, mirror: IndexServer, kind: str
) -> None:
    base = write_lock(scan.workdir, "pylock.toml", SAMPLE, [("sha256", SAMPLE.sha256)])
    base = base.rename(scan.workdir / "base-pylock.toml")
    head = scan.write("pylock.toml", SWITCHED["pylock.toml"][kind])
    result = CliRunner().invoke(
        cli,
        [
            "diff",
            str(base),
            str(head),
            "--index-url",
            mirror.url("/simple/"),
            "--mode",
            "enforce",
            "--format",
            "json",
        ],
        env={"PYVOUCH_CACHE_DIR": str(scan.cache), "PIP_INDEX_URL": None, "NO_COLOR": "1"},
        catch_exceptions=False,
    )
    assert result.exit_code == 1, result.output
    text = json.dumps(json.loads(result.stdout))
    assert "pin-regression" in text and "not-indexed (" in text, text
    assert NAME in text
