"""The story of issue 5, end to end, on a real lock file against a loopback index.

A team has pip's own `build-project/pylock.toml` (real, unchanged; the four real wheels it
locks are served by a loopback index built with `pyvouch index build`, with attestations
minted by the local test authority). It goes, one documented command at a time:

    policy init -> scan (collect) -> readiness -> pin -> scan (enforce, critical tier)

and then two pull requests arrive: one upgrades a critical dependency to a release signed by
another publisher, one upgrades a critical dependency to a release without an attestation.
Both block, with a message that says exactly that, in `scan` and in `diff`.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from pyvouch.cli.main import cli
from pyvouch.testing import TestAuthority
from tests.support.policy_sites import (
    STORY_DROP,
    STORY_LOCK,
    STORY_SWAP,
    Minter,
    build_site,
    bump,
    story_dists,
    wheel_name,
)
from tests.support.static_server import StaticServer, serve_directory

pytestmark = pytest.mark.skipif(
    not STORY_LOCK.is_file(), reason=f"{STORY_LOCK} is absent (../shared/fixtures not here)"
)


@pytest.fixture(scope="module")
def sites(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[StaticServer, StaticServer, Path]]:
    """The index before the pull requests, and after (the new releases published)."""
    minter = Minter(TestAuthority())
    root = tmp_path_factory.mktemp("story")
    trust = minter.authority.write_trust_files(root / "trust")["trusted_root"]
    before = build_site(story_dists(minter, root / "dists-before"), root / "before")
    after = build_site(
        story_dists(minter, root / "dists-after", extra=(STORY_SWAP, STORY_DROP)), root / "after"
    )
    with (
        serve_directory(before, negotiate=True) as old,
        serve_directory(after, negotiate=True) as new,
    ):
        yield old, new, trust


def pyvouch(*args: str | Path) -> Result:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    return result


def decisions(result: Result) -> dict[str, dict[str, Any]]:
    doc = json.loads(result.output)
    return {p["name"]: p["decision"] for p in doc["packages"]}


def test_collect_readiness_pin_enforce_then_block_a_swap_and_a_drop(
    sites: tuple[StaticServer, StaticServer, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before, after, trust = sites
    project = tmp_path / "project"
    project.mkdir()
    lock = project / "pylock.toml"
    shutil.copyfile(STORY_LOCK, lock)
    monkeypatch.chdir(project)
    index = ("--index-url", before.index_url, "--trust-root", trust)

    # 1. A starting policy, in collect mode.
    init = pyvouch("policy", "init", "pylock.toml")
    assert init.exit_code == 0, init.output
    policy_file = project / "pyvouch.toml"
    assert tomllib.loads(policy_file.read_text("utf-8"))["mode"] == "collect"

    # 2. Collect: the scan reports, nothing fails.
    collect = pyvouch("scan", "pylock.toml", *index, "--format", "json")
    assert collect.exit_code == 0, collect.output
    assert json.loads(collect.output)["mode"] == "collect"

    # 3. Readiness: which dependencies sign consistently enough to enforce now.
    ready = pyvouch("readiness", "pylock.toml", *index, "--format", "json")
    assert ready.exit_code == 0, ready.output
    report = json.loads(ready.output)
    verdicts = {p["name"]: p["verdict"] for p in report["packages"]}
    assert verdicts == {
        "build": "ready",
        "packaging": "ready",
        "flit-core": "close",
        "pyproject-hooks": "never-signs",
    }
    # The snippet names the ready packages and their publishers; --apply merges exactly that
    # into the policy file, keeping the rest (comments included) as it was.
    snippet = tomllib.loads(report["snippet"])
    assert snippet["publishers"] == {
        "build": "github:pypa/build:cd.yml",
        "packaging": "github:pypa/packaging:publish.yml",
    }
    policy_before = policy_file.read_text("utf-8")
    applied = pyvouch("readiness", "pylock.toml", *index, "--apply", "--no-snippet")
    assert applied.exit_code == 0, applied.output
    policy_after = policy_file.read_text("utf-8")
    assert tomllib.loads(policy_after)["publishers"] == snippet["publishers"]
    assert set(snippet["tiers"]["critical"]["packages"]) <= set(
        tomllib.loads(policy_after)["tiers"]["critical"]["packages"]
    )
    kept = [line for line in policy_before.splitlines() if line.startswith("#")]
    assert kept and all(line in policy_after.splitlines() for line in kept)

    # 4. Pin every identity that verifies now into the lock itself.
    pinned = pyvouch("pin", "pylock.toml", *index)
    assert pinned.exit_code == 0, pinned.output
    assert "3 pinned, 0 kept, 1 not pinned" in pinned.output
    assert "skip  pyproject-hooks 1.2.0: not pinned" in pinned.output

    # 5. Enforce for the critical tier: today's lock passes.
    assert pyvouch("policy", "mode", "enforce").exit_code == 0
    assert tomllib.loads(policy_file.read_text("utf-8"))["mode"] == "enforce"
    enforce = pyvouch("scan", "pylock.toml", *index, "--format", "json")
    assert enforce.exit_code == 0, enforce.output
    ok = decisions(enforce)
    assert ok["packaging"]["rule"] == "critical:verified"
    assert ok["packaging"]["action"] == "allow"
    assert ok["pyproject-hooks"]["action"] == "allow"  # the long tail: trust on first use

    base_text = lock.read_text("utf-8")
    new_index = ("--index-url", after.index_url, "--trust-root", trust)

    # 6. A pull request upgrades packaging to a release signed by someone else.
    swap = project / "swap.pylock.toml"
    swap_wheel = Path(wheel_name(STORY_SWAP.project, STORY_SWAP.version))
    swap.write_text(
        bump(base_text, "packaging", "26.3", _served(after, swap_wheel)), encoding="utf-8"
    )
    blocked = pyvouch("scan", swap, *new_index, "--format", "json")
    assert blocked.exit_code == 1, blocked.output
    verdict = decisions(blocked)["packaging"]
    assert verdict["action"] == "block"
    assert verdict["rule"] == "critical:pin-mismatch"
    assert verdict["reasons"][0].startswith(
        "publisher changed from github:pypa/packaging:publish.yml (pinned in pyvouch.toml "
        "[publishers]) to github:mallory/packaging:publish.yml for packaging-26.4-py3-none-any.whl"
    )
    review = pyvouch("diff", lock, swap, *new_index, "--format", "markdown")
    assert review.exit_code == 1, review.output
    assert "packaging" in review.output and "26.3" in review.output and "26.4" in review.output
    assert "publisher changed from github:pypa/packaging:publish.yml" in review.output.replace(
        "\\", ""
    )

    # 7. A pull request upgrades build to a release published without an attestation.
    drop = project / "drop.pylock.toml"
    drop_wheel = Path(wheel_name(STORY_DROP.project, STORY_DROP.version))
    drop.write_text(bump(base_text, "build", "1.5.0", _served(after, drop_wheel)), encoding="utf-8")
    blocked = pyvouch("scan", drop, *new_index, "--format", "json")
    assert blocked.exit_code == 1, blocked.output
    verdict = decisions(blocked)["build"]
    assert verdict["action"] == "block"
    assert verdict["rule"] == "critical:pin-regression"
    assert verdict["reasons"] == [
        "attestation lost: build is pinned to github:pypa/build:cd.yml (pinned in pyvouch.toml "
        "[publishers]) but the index serves none for build-1.5.1-py3-none-any.whl"
    ]
    review = pyvouch("diff", lock, drop, *new_index, "--format", "text")
    assert review.exit_code == 1, review.output
    assert "attestation lost: build is pinned to github:pypa/build:cd.yml" in review.output


def _served(server: StaticServer, wheel: Path) -> Path:
    """The wheel file as the index serves it (its bytes decide the digest in the lock)."""
    project = wheel.name.split("-")[0].replace("_", "-")
    return server.root / "files" / project / wheel.name
