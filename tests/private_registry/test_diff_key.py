"""`pyvouch diff`: the public key a policy names for a package is a trust input read at the
base, like the policy; a pull request that swaps the key file is a trust change that blocks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives.asymmetric import ec

from pyvouch.cli.main import cli
from tests.policy_cmds.test_diff_trust import Repo
from tests.support.beside_signatures import pem_public

POLICY = 'mode = "enforce"\n[packages.privpkg]\nkey = "keys/cosign.pub"\nallow-no-tlog = true\n'


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    r = Repo(tmp_path / "repo")
    monkeypatch.chdir(r.root)
    (r.root / "keys").mkdir()
    pem_public(ec.generate_private_key(ec.SECP256R1()), r.root / "keys" / "cosign.pub")
    r.write_paths({"pyvouch.toml": POLICY, "requirements.txt": "privpkg==1.0\n"})
    r.commit("base")
    return r


def _diff() -> Result:
    result = CliRunner().invoke(
        cli, ["diff", "--base", "main", "requirements.txt", "--no-lookup", "--format", "json"]
    )
    assert "Traceback" not in result.output, result.output
    return result


def _changes(result: Result) -> list[str]:
    return [c["detail"] for c in json.loads(result.output)["trust_changes"]["changes"]]


def test_a_swapped_key_file_is_a_trust_change(repo: Repo, tmp_path: Path) -> None:
    repo.git("checkout", "-q", "-b", "pr")
    pem_public(ec.generate_private_key(ec.SECP256R1()), repo.root / "keys" / "cosign.pub")
    repo.write_paths({"requirements.txt": "privpkg==1.1\n"})
    repo.commit("pull request: a new release, and the attacker's key")
    result = _diff()
    assert result.exit_code == 1, result.output
    assert "the public key for privpkg changed" in _changes(result)


def test_an_honest_change_keeps_the_key(repo: Repo) -> None:
    repo.git("checkout", "-q", "-b", "pr")
    repo.write_paths({"requirements.txt": "privpkg==1.1\n"})
    repo.commit("pull request: a new release")
    result = _diff()
    assert _changes(result) == []
    assert result.exit_code == 0, result.output
