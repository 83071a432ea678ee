"""`pyvouch readiness` against a loopback index whose release histories mix attested,
unattested and identity-changed releases, signed by the local test authority."""

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
from pyvouch.policy.config import parse_config
from tests.support.policy_sites import (
    Minter,
    Release,
    Signer,
    build_site,
    publish,
    strip_provenance,
    write_sdist,
)
from tests.support.static_server import StaticServer, serve_directory

A = Signer("octo/steady", "release.yml")
B = Signer("octo/newcomer", "release.yml")
OLD = Signer("someone/old-home", "publish.yml")

# project -> releases, oldest first
HISTORIES: dict[str, list[tuple[str, Signer | None]]] = {
    # every release signed by one identity: ready
    "steady": [("1.0", A), ("1.1", A), ("1.2", A), ("2.0", A)],
    # the newest release is signed by someone else: close (publisher changed)
    "swapped": [("1.0", A), ("1.1", A), ("1.2", B)],
    # changed its publisher long ago, then signed consistently: close (changed once)
    "moved": [("0.9", OLD), ("1.0", A), ("1.1", A), ("1.2", A)],
    # signed before, the newest is not: not-ready
    "lapsed": [("1.0", A), ("1.1", A), ("1.2", None)],
    # a gap inside the window: close
    "gappy": [("1.0", A), ("1.1", None), ("1.2", A)],
    # nothing signed: never-signs
    "unsigned": [("1.0", None), ("1.1", None)],
    # the newest signs, the locked old one did not: close (upgrade first)
    "late": [("0.1", None), ("1.0", A), ("1.1", A), ("1.2", A)],
}
LOCKED = {
    "steady": "2.0",
    "swapped": "1.2",
    "moved": "1.2",
    "lapsed": "1.2",
    "gappy": "1.2",
    "unsigned": "1.1",
    "late": "0.1",
    "partly": "1.0",
}


@pytest.fixture(scope="module")
def site(minter: Minter, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("readiness")
    dists = root / "dists"
    releases = [
        Release(project, version, signer)
        for project, history in HISTORIES.items()
        for version, signer in history
    ]
    publish(minter, dists, releases)
    # "partly": the wheel is signed, the sdist next to it is not.
    publish(minter, dists, [Release("partly", "1.0", A)])
    write_sdist(dists, "partly", "1.0")
    return build_site(dists, root / "site")


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[StaticServer]:
    with serve_directory(site, negotiate=True) as srv:
        yield srv


@pytest.fixture
def lock(tmp_path: Path) -> Path:
    path = tmp_path / "requirements.txt"
    path.write_text("".join(f"{p}=={v}\n" for p, v in LOCKED.items()), encoding="utf-8")
    return path


def readiness(lock: Path, server: StaticServer, trust_root: Path, *extra: str | Path) -> Result:
    result = CliRunner().invoke(
        cli,
        [
            "readiness", str(lock), "--index-url", server.index_url,
            "--trust-root", str(trust_root), *map(str, extra),
        ],
    )  # fmt: skip
    assert "Traceback" not in result.output, result.output
    return result


def as_json(result: Result, code: int = 0) -> dict[str, Any]:
    assert result.exit_code == code, result.output
    doc: dict[str, Any] = json.loads(result.output)
    assert doc["schema"] == "pyvouch-readiness/1"
    return doc


def by_name(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in doc["packages"]}


def test_verdicts_follow_the_release_histories(
    lock: Path, server: StaticServer, trust_root: Path
) -> None:
    found = by_name(as_json(readiness(lock, server, trust_root, "--format", "json")))
    assert {n: p["verdict"] for n, p in found.items()} == {
        "steady": "ready",
        "swapped": "close",
        "moved": "close",
        "lapsed": "not-ready",
        "gappy": "close",
        "unsigned": "never-signs",
        "late": "close",
        "partly": "close",
    }
    steady = found["steady"]
    assert steady["pin"] == "github:octo/steady:release.yml"
    assert steady["signs_since"] == "1.0"
    assert [r["version"] for r in steady["releases"]] == ["2.0", "1.2", "1.1", "1.0"]
    assert all(r["state"] == "signed" and r["verified"] == 1 for r in steady["releases"])

    swapped = found["swapped"]
    assert swapped["publisher"] == "github:octo/newcomer:release.yml"
    assert swapped["identity_changes"] == [
        "github:octo/steady:release.yml -> github:octo/newcomer:release.yml at 1.2"
    ]
    assert swapped["signs_since"] == "1.2"

    moved = found["moved"]
    assert moved["identity_changes"] == [
        "github:someone/old-home:publish.yml -> github:octo/steady:release.yml at 1.0"
    ]
    assert moved["signs_since"] == "1.0"

    assert found["lapsed"]["reasons"][0] == (
        "stopped signing: 1.2 is unsigned, last signed release 1.1"
    )
    assert "1.1 has no attestation" in found["gappy"]["reasons"]
    assert found["unsigned"]["reasons"] == [
        "none of the 2 files of the last 2 releases carries an attestation"
    ]
    assert found["late"]["reasons"] == [
        "the locked release 0.1 is unsigned; upgrade before enforcing"
    ]
    partly = found["partly"]["releases"][0]
    assert (partly["files"], partly["verified"], partly["state"]) == (2, 1, "partly-signed")
    assert found["partly"]["reasons"] == [
        "1.0: only 1 of 2 files verified (not: partly-1.0.tar.gz)"
    ]


def test_window_and_release_count(lock: Path, server: StaticServer, trust_root: Path) -> None:
    # With a window of one release, the gap two releases back no longer matters...
    found = by_name(
        as_json(readiness(lock, server, trust_root, "--format", "json", "--window", "1"))
    )
    assert found["gappy"]["verdict"] == "ready"
    # ...and looking at fewer releases hides the old publisher of "moved".
    found = by_name(
        as_json(
            readiness(
                lock, server, trust_root, "--format", "json", "--releases", "3", "--window", "3"
            )
        )
    )
    assert found["moved"]["verdict"] == "ready"
    assert len(found["moved"]["releases"]) == 3
    assert found["moved"]["releases_listed"] == 4
    bad = readiness(lock, server, trust_root, "--releases", "2", "--window", "3")
    assert bad.exit_code == 2
    assert "--window 3 is larger than --releases 2" in bad.output


def test_snippet_is_a_valid_policy_with_the_ready_packages(
    lock: Path, server: StaticServer, trust_root: Path, tmp_path: Path
) -> None:
    doc = as_json(readiness(lock, server, trust_root, "--format", "json"))
    snippet = doc["snippet"]
    data = tomllib.loads(snippet)
    policy = parse_config(data["tool"]["pyvouch"], tmp_path / "pyproject.toml", "tool.pyvouch")
    assert policy.critical.packages == ("steady",)
    assert {n: [p.identity.to_spec() for p in ps] for n, ps in policy.publishers.items()} == {
        "steady": ["github:octo/steady:release.yml"]
    }
    assert "# close, not yet: swapped" in snippet


def test_text_and_markdown_say_the_same(lock: Path, server: StaticServer, trust_root: Path) -> None:
    table = readiness(lock, server, trust_root)
    assert table.exit_code == 0, table.output
    assert "8 packages: 1 ready, 5 close, 1 not-ready, 1 never-signs" in table.output
    assert "[tool.pyvouch.tiers.critical]" in table.output
    markdown = readiness(lock, server, trust_root, "--format", "markdown")
    assert markdown.exit_code == 0
    assert "| steady | 2.0 | ready | 4/4 | 4/4 | github:octo/steady:release.yml | 1.0 |" in (
        markdown.output
    )
    assert "```toml" in markdown.output


def test_an_index_without_provenance_is_cannot_tell_never_never_signs(
    lock: Path, site: Path, tmp_path: Path, trust_root: Path
) -> None:
    mirror = tmp_path / "mirror"
    shutil.copytree(site, mirror)
    strip_provenance(mirror)
    with serve_directory(mirror, negotiate=True) as srv:
        found = by_name(as_json(readiness(lock, srv, trust_root, "--format", "json"), 3))
    assert {p["verdict"] for p in found.values()} == {"cannot-tell"}
    assert "does not serve" in found["unsigned"]["reasons"][0]


def test_critical_only_reads_the_policy(
    lock: Path, server: StaticServer, trust_root: Path, tmp_path: Path
) -> None:
    config = tmp_path / "pyvouch.toml"
    config.write_text('[tiers.critical]\npackages = ["steady", "lap*"]\n', encoding="utf-8")
    doc = as_json(
        readiness(
            lock, server, trust_root, "--format", "json", "--critical-only", "--config", config
        ),
        1,  # lapsed is critical and not ready
    )
    assert sorted(by_name(doc)) == ["lapsed", "steady"]
    # The snippet keeps the configured critical tier, and is in pyvouch.toml's form.
    data = tomllib.loads(doc["snippet"])
    assert data["tiers"]["critical"]["packages"] == ["steady", "lap*"]
    assert data["publishers"] == {"steady": "github:octo/steady:release.yml"}

    config.write_text('[tiers.critical]\npackages = ["nothing-here"]\n', encoding="utf-8")
    empty = readiness(lock, server, trust_root, "--critical-only", "--config", config)
    assert empty.exit_code == 2
    assert "no package of the lock is in the critical tier" in empty.output


def test_a_project_missing_from_the_index_is_cannot_tell(
    tmp_path: Path, server: StaticServer, trust_root: Path
) -> None:
    lock = tmp_path / "requirements.txt"
    lock.write_text("not-on-this-index==1.0\n", encoding="utf-8")
    found = by_name(as_json(readiness(lock, server, trust_root, "--format", "json"), 3))
    assert found["not-on-this-index"]["verdict"] == "cannot-tell"
    assert "not on the index" in found["not-on-this-index"]["reasons"][0]


def _lock(tmp_path: Path, *names: str) -> Path:
    path = tmp_path / "requirements.txt"
    path.write_text("".join(f"{n}=={LOCKED.get(n, '1.0')}\n" for n in names), encoding="utf-8")
    return path


def _critical(tmp_path: Path, *names: str) -> Path:
    config = tmp_path / "pyvouch.toml"
    listed = ", ".join(f'"{n}"' for n in names)
    config.write_text(f"[tiers.critical]\npackages = [{listed}]\n", encoding="utf-8")
    return config


def test_exit_codes_without_critical_only_answer_whether_everything_was_told(
    tmp_path: Path, server: StaticServer, trust_root: Path
) -> None:
    """0 when every package was told, ready or not (a lock's long tail is mostly not ready,
    and that is no finding); 3 as soon as one cannot be told."""
    told = readiness(_lock(tmp_path, "steady", "lapsed", "unsigned"), server, trust_root)
    assert told.exit_code == 0, told.output
    assert "never-signs" in told.output and "not-ready" in told.output
    untold = readiness(_lock(tmp_path, "steady", "not-on-this-index"), server, trust_root)
    assert untold.exit_code == 3, untold.output
    assert "cannot-tell" in untold.output


@pytest.mark.parametrize(
    ("critical", "others", "code"),
    [
        (("steady",), ("unsigned", "lapsed"), 0),  # the critical tier is ready
        (("steady", "swapped"), (), 1),  # close: a publisher changed
        (("steady", "lapsed"), (), 1),  # stopped signing
        (("steady", "unsigned"), (), 1),  # never signed
        (("steady", "not-on-this-index"), (), 3),  # cannot tell, nothing failed
        (("lapsed", "not-on-this-index"), (), 1),  # a failure outweighs cannot-tell
    ],
)
def test_exit_codes_with_critical_only_hold_the_critical_tier_to_ready(
    tmp_path: Path,
    server: StaticServer,
    trust_root: Path,
    critical: tuple[str, ...],
    others: tuple[str, ...],
    code: int,
) -> None:
    lock = _lock(tmp_path, *critical, *others)
    config = _critical(tmp_path, *critical)
    result = readiness(lock, server, trust_root, "--critical-only", "--config", config)
    assert result.exit_code == code, result.output


def test_exit_code_holds_with_apply(tmp_path: Path, server: StaticServer, trust_root: Path) -> None:
    lock = _lock(tmp_path, "steady", "not-on-this-index")
    config = tmp_path / "pyvouch.toml"
    config.write_text('mode = "collect"\n', encoding="utf-8")
    result = readiness(lock, server, trust_root, "--apply", "--no-snippet", "--config", config)
    assert result.exit_code == 3, result.output
    assert "steady" in config.read_text(encoding="utf-8")


SHARED_POLICY = """\
# shared policy: reviewed by the security team
mode = "collect"  # start by collecting

[tiers.critical]
packages = ["requests"]  # the HTTP stack
"""


def test_apply_edits_a_shared_crlf_policy_through_its_link(
    lock: Path, server: StaticServer, trust_root: Path, tmp_path: Path
) -> None:
    """Rule 12: --apply on a symlinked policy edits the shared target (the link stays), and
    keeps its BOM, CRLF line endings and mode; only the added lines are new."""
    import stat

    shared = tmp_path / "shared"
    shared.mkdir()
    target = shared / "pyvouch.toml"
    before = b"\xef\xbb\xbf" + SHARED_POLICY.replace("\n", "\r\n").encode()
    target.write_bytes(before)
    target.chmod(0o600)
    link = tmp_path / "pyvouch.toml"
    link.symlink_to(target)
    result = readiness(lock, server, trust_root, "--apply", "--no-snippet", "--config", link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and str(link.readlink()) == str(target)
    assert sorted(p.name for p in shared.iterdir()) == ["pyvouch.toml"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    after = target.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf")
    assert after.count(b"\n") == after.count(b"\r\n"), "a line lost its CRLF"
    old_lines = before[3:].split(b"\r\n")
    new_lines = after[3:].split(b"\r\n")
    kept = [line for line in old_lines if line in new_lines]
    assert kept == [line for line in old_lines if not line.startswith(b"packages = ")]
    data = tomllib.loads(after[3:].decode("utf-8"))
    assert data["tiers"]["critical"]["packages"] == ["requests", "steady"]
    assert data["publishers"] == {"steady": "github:octo/steady:release.yml"}
    assert b"# the HTTP stack" in after and b"# shared policy" in after
