"""`pyvouch diff`: real lock pairs (no lookups), git history in a scratch repository, and
statuses, identity changes, lost attestations and signed alternatives on a loopback index."""

from __future__ import annotations

import json
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from packaging.utils import canonicalize_name

from pyvouch.cli.main import cli
from pyvouch.policy_files.alternatives import default_alternatives
from tests.support.policy_sites import (
    SHARED_LOCKS,
    Minter,
    Release,
    Signer,
    build_site,
    publish,
)
from tests.support.static_server import StaticServer, serve_directory


def pyvouch(*args: str | Path) -> Result:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    return result


def changes(result: Result) -> dict[str, dict[str, Any]]:
    doc = json.loads(result.output)
    assert doc["schema"] == "pyvouch-diff/1"
    return {c["name"]: c for c in doc["changes"]}


# ---- real lock pairs, nothing looked up --------------------------------------------------

POETRY_11 = SHARED_LOCKS / "poetry" / "cyclonedx-python.regression-issue702.lock11.poetry.lock"
POETRY_21 = SHARED_LOCKS / "poetry" / "cyclonedx-python.regression-issue702.lock21.poetry.lock"
UV = SHARED_LOCKS / "uv" / "comfy-cli.uv.lock"
PYLOCK = SHARED_LOCKS / "pylock" / "comfy-cli.pylock.toml"

corpus = pytest.mark.corpus


def _poetry_versions(path: Path) -> dict[str, set[str]]:
    """An independent reading (plain tomllib) of name -> versions in a poetry.lock."""
    out: dict[str, set[str]] = {}
    for p in tomllib.loads(path.read_text("utf-8"))["package"]:
        name = p["name"].lower().replace("_", "-").replace(".", "-")
        out.setdefault(name, set()).add(p["version"])
    return out


@corpus
@pytest.mark.skipif(not POETRY_11.is_file(), reason="../shared/fixtures/lockfiles is absent")
def test_real_poetry_pair_matches_an_independent_reading() -> None:
    result = pyvouch("diff", POETRY_11, POETRY_21, "--no-lookup", "--format", "json")
    assert result.exit_code == 0, result.output
    found = changes(result)
    old, new = _poetry_versions(POETRY_11), _poetry_versions(POETRY_21)
    assert {n for n, c in found.items() if c["change"] == "added"} == new.keys() - old.keys()
    assert {n for n, c in found.items() if c["change"] == "removed"} == old.keys() - new.keys()
    changed_versions = {n for n in old.keys() & new.keys() if old[n] != new[n]}
    changed = {n for n, c in found.items() if c["change"] == "changed"}
    # Every version change is reported; a package may also change files at the same version.
    assert changed_versions <= changed
    for name in changed_versions:
        assert set(found[name]["head_version"].split(", ")) == new[name]
        assert found[name]["status"] is None  # nothing looked up
    # The reverse diff swaps added and removed.
    back = changes(pyvouch("diff", POETRY_21, POETRY_11, "--no-lookup", "--format", "json"))
    assert {n for n, c in back.items() if c["change"] == "added"} == old.keys() - new.keys()
    assert {n for n, c in back.items() if c["change"] == "changed"} == changed


@corpus
@pytest.mark.skipif(not UV.is_file(), reason="../shared/fixtures/lockfiles is absent")
@pytest.mark.parametrize("lock", [UV, PYLOCK], ids=["uv", "pylock"])
def test_a_real_lock_against_itself_has_no_changes(lock: Path) -> None:
    result = pyvouch("diff", lock, lock, "--no-lookup", "--format", "text")
    assert result.exit_code == 0, result.output
    assert "0 added, 0 removed, 0 changed" in result.output


@corpus
@pytest.mark.skipif(not UV.is_file(), reason="../shared/fixtures/lockfiles is absent")
def test_a_cross_format_pair_matches_an_independent_reading() -> None:
    # comfy-cli's uv.lock and its pylock.toml (exported by uv, without the dev tools).
    result = pyvouch("diff", UV, PYLOCK, "--no-lookup", "--format", "json")
    assert result.exit_code == 0, result.output
    found = changes(result)

    def versions(entries: list[dict[str, Any]]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for p in entries:
            out.setdefault(canonicalize_name(p["name"]), set()).add(p.get("version", "?"))
        return out

    old = versions(tomllib.loads(UV.read_text("utf-8"))["package"])
    new = versions(tomllib.loads(PYLOCK.read_text("utf-8"))["packages"])
    assert {n for n, c in found.items() if c["change"] == "removed"} == old.keys() - new.keys()
    assert {n for n, c in found.items() if c["change"] == "added"} == new.keys() - old.keys()
    moved = {n for n in old.keys() & new.keys() if old[n] != new[n]}
    assert moved <= {n for n, c in found.items() if c["change"] == "changed"}
    assert found["requests"]["base_version"] == "2.33.0"
    assert found["requests"]["head_version"] == "2.32.4"
    # Same version, other files: reported as a change of files.
    same = [c for c in found.values() if c["change"] == "changed" and c["detail"]]
    assert same and all(c["detail"] == "same version, other files" for c in same)


def test_usage_errors_are_one_line_exit_2(tmp_path: Path) -> None:
    one = pyvouch("diff", tmp_path / "a.toml")
    assert one.exit_code == 2
    assert "give two lock files" in one.output
    missing = pyvouch("diff", tmp_path / "a.toml", tmp_path / "b.toml")
    assert missing.exit_code == 2
    assert "a.toml" in missing.output and missing.output.strip().count("\n") == 0


# ---- git history in a scratch repository --------------------------------------------------

V1 = "build==1.2.0\nflit-core==3.9.0\npackaging==24.0\n"
V2 = "build==1.3.0\npackaging==24.0\nrequests==2.32.3\n"


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        check=True,
        capture_output=True,
        timeout=30,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    (repo / "app").mkdir(parents=True)
    git(repo, "init", "-q")
    lock = repo / "app" / "requirements.txt"
    lock.write_text(V1, encoding="utf-8")
    git(repo, "add", "app/requirements.txt")
    git(repo, "commit", "-q", "-m", "v1")
    lock.write_text(V2, encoding="utf-8")
    git(repo, "commit", "-q", "-a", "-m", "v2")
    return repo


def test_base_git_ref_reads_the_lock_at_that_revision(repo: Path) -> None:
    lock = repo / "app" / "requirements.txt"
    result = pyvouch("diff", "--base", "HEAD~1", lock, "--no-lookup", "--format", "json")
    assert result.exit_code == 0, result.output
    found = changes(result)
    assert {n: (c["change"], c["base_version"], c["head_version"]) for n, c in found.items()} == {
        "build": ("changed", "1.2.0", "1.3.0"),
        "flit-core": ("removed", "3.9.0", "-"),
        "requests": ("added", "-", "2.32.3"),
    }
    assert json.loads(result.output)["base"] == "HEAD~1:app/requirements.txt"
    # The working tree against HEAD: an uncommitted edit is the change.
    lock.write_text(V2.replace("requests==2.32.3", "requests==2.32.4"), encoding="utf-8")
    found = changes(pyvouch("diff", "--base", "HEAD", lock, "--no-lookup", "--format", "json"))
    assert {n: c["change"] for n, c in found.items()} == {"requests": "changed"}


def test_a_bad_git_ref_is_one_line_exit_2(repo: Path) -> None:
    lock = repo / "app" / "requirements.txt"
    result = pyvouch("diff", "--base", "no-such-ref", lock, "--no-lookup")
    assert result.exit_code == 2
    assert "cannot read it at 'no-such-ref': git knows no such commit" in result.output
    assert result.output.strip().count("\n") == 0
    assert pyvouch("diff", "--base", "--help=x", lock).exit_code == 2


# ---- statuses, identity changes and alternatives on a loopback index ---------------------

A = Signer("octo/changer", "release.yml")
B = Signer("someone-else/changer", "release.yml")
SIGNED = Signer("octo/signed-lib", "release.yml")


@pytest.fixture(scope="module")
def server(minter: Minter, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StaticServer]:
    root = tmp_path_factory.mktemp("diff")
    publish(
        minter,
        root / "dists",
        [
            Release("changer", "1.0", A),
            Release("changer", "1.1", B),
            Release("dropper", "1.0", A),
            Release("dropper", "1.1", None),
            Release("steady", "1.0", SIGNED),
            Release("steady", "1.1", SIGNED),
            Release("unsigned-lib", "1.0", None),
            Release("also-unsigned", "2.0", None),
            Release("signed-lib", "3.0", SIGNED),
        ],
    )
    site = build_site(root / "dists", root / "site")
    with serve_directory(site, negotiate=True) as srv:
        yield srv


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path, Path]:
    base = tmp_path / "base.txt"
    head = tmp_path / "head.txt"
    base.write_text("changer==1.0\ndropper==1.0\nsteady==1.0\n", encoding="utf-8")
    head.write_text(
        "changer==1.1\ndropper==1.1\nsteady==1.1\nunsigned-lib==1.0\n", encoding="utf-8"
    )
    alternatives = tmp_path / "alternatives.toml"
    alternatives.write_text(
        'alternatives-version = "1"\n[alternatives]\n'
        'unsigned-lib = ["also-unsigned", "signed-lib", "not-on-the-index"]\n',
        encoding="utf-8",
    )
    return base, head, alternatives


def test_identity_changes_lost_attestations_and_alternatives(
    pair: tuple[Path, Path, Path], server: StaticServer, trust_root: Path
) -> None:
    base, head, alternatives = pair
    args = (
        "diff", base, head, "--index-url", server.index_url, "--trust-root", trust_root,
        "--alternatives", alternatives, "--format", "json",
    )  # fmt: skip
    enforce = pyvouch(*args, "--mode", "enforce")
    assert enforce.exit_code == 1, enforce.output
    found = changes(enforce)
    changer = found["changer"]
    assert changer["status"] == "mismatch"
    assert changer["base_publishers"] == ["github:octo/changer:release.yml"]
    assert changer["publishers"] == ["github:someone-else/changer:release.yml"]
    assert changer["decision"]["action"] == "block"
    assert changer["decision"]["rule"] == "long-tail:pin-mismatch"
    assert changer["decision"]["reasons"][0] == (
        f"publisher changed from github:octo/changer:release.yml (pinned in {base} (verified "
        "at 1.0)) to github:someone-else/changer:release.yml for changer-1.1-py3-none-any.whl "
        "(repository differs: expected octo/changer, found someone-else/changer)"
    )
    dropper = found["dropper"]
    assert dropper["status"] == "unattested"
    assert dropper["decision"]["rule"] == "long-tail:pin-regression"
    assert dropper["notes"] == [
        "attestation lost: 1.0 was signed by github:octo/changer:release.yml, 1.1 has none"
    ]
    assert found["steady"]["decision"]["action"] == "allow"
    assert found["steady"]["status"] == "verified"
    added = found["unsigned-lib"]
    assert (added["change"], added["status"]) == ("added", "unattested")
    assert added["alternatives"] == [
        "signed-lib 3.0 (verified as github:octo/signed-lib:release.yml)"
    ]

    # Collect mode: the same findings, exit 0.
    collect = pyvouch(*args)
    assert collect.exit_code == 0, collect.output
    assert changes(collect)["changer"]["decision"]["rule"] == "long-tail:pin-mismatch"

    # Markdown for the pull request says it in words.
    md = pyvouch(*args[:-2], "--format", "markdown", "--mode", "enforce")
    assert md.exit_code == 1
    text = md.output.replace("\\", "")
    assert "**2 change(s) blocked by the policy:**" in text
    assert "consider signed-lib 3.0 (verified as github:octo/signed-lib:release.yml)" in text
    assert "also-unsigned" not in text


def test_alternatives_file_errors_name_the_key(
    pair: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    base, head, _ = pair
    bad = tmp_path / "bad.toml"
    bad.write_text('alternatives-version = "1"\n[alternatives]\nfoo = "bar"\n', encoding="utf-8")
    result = pyvouch("diff", base, head, "--no-lookup", "--alternatives", bad)
    assert result.exit_code == 2
    assert "bad.toml:alternatives.foo: must be a non-empty array of package names" in result.output


def test_the_shipped_alternatives_load() -> None:
    shipped = default_alternatives()
    assert shipped["pycrypto"] == ("cryptography", "pycryptodome")
    assert all(name not in alts for name, alts in shipped.items())
