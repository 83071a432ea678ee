"""`pyvouch diff`: a change under review cannot vouch for itself (issue 8, rule 2).

Every attack is a pull request in a real git repository that moves ``vault`` (critical and
pinned at the base to ``octo/vault``) to a release minted by the test authority for the
attacker's identity (``mallory/vault``), and also edits something the review trusts: the
lock's own identities, the pin file, the policy, or the index. Each is blocked in enforce
(exit 1) and the report names the trust-input change; the honest pull request still passes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from pyvouch.cli.main import cli
from tests.support.policy_sites import (
    Minter,
    Release,
    Signer,
    build_site,
    publish,
    sha256_of,
    wheel_name,
)
from tests.support.static_server import StaticServer, serve_directory

GOOD = Signer("octo/vault", "release.yml")
MALLORY = Signer("mallory/vault", "release.yml")
MOVED = Signer("octo-org/vault", "release.yml")
HELPER = Signer("octo/helper", "release.yml")

RELEASES = (
    Release("vault", "1.0", GOOD),
    Release("vault", "1.1", MALLORY),  # a release signed by another publisher
    Release("vault", "1.2", None),  # a release without an attestation
    Release("vault", "1.3", MOVED),  # the project moved to another organisation
    Release("helper", "1.0", HELPER),
    Release("helper", "2.0", HELPER),
)
# The attacker's index serves the same wheels, every one attested by mallory.
EVIL_RELEASES = tuple(Release(r.project, r.version, MALLORY) for r in RELEASES)


@dataclass(frozen=True)
class World:
    good: StaticServer
    evil: StaticServer
    dists: dict[str, Path]
    trust_root: Path

    @property
    def good_index(self) -> str:
        return self.good.index_url

    @property
    def evil_index(self) -> str:
        return self.evil.index_url


@pytest.fixture(scope="module")
def world(
    minter: Minter, trust_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    root = tmp_path_factory.mktemp("trust")
    dists = publish(minter, root / "good-dists", RELEASES)
    evil = publish(minter, root / "evil-dists", EVIL_RELEASES)
    assert all(sha256_of(dists[n]) == sha256_of(evil[n]) for n in dists)  # the same bytes
    good_site = build_site(root / "good-dists", root / "good-site")
    evil_site = build_site(root / "evil-dists", root / "evil-site")
    with (
        serve_directory(good_site, negotiate=True) as good,
        serve_directory(evil_site, negotiate=True) as bad,
    ):
        yield World(good, bad, dists, trust_root)


@pytest.fixture(autouse=True)
def _no_ambient_approval(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYVOUCH_APPROVED_BY", raising=False)


# ---- files ---------------------------------------------------------------------------------


def identity_tables(table: str, signers: Sequence[Signer]) -> list[str]:
    out: list[str] = []
    for s in signers:
        out += [
            f"[[{table}]]",
            'kind = "GitHub"',
            f'repository = "{s.repository}"',
            f'workflow = "{s.workflow}"',
            "",
        ]
    return out


@dataclass(frozen=True)
class Locked:
    name: str
    version: str
    identities: tuple[Signer, ...] = ()
    index: str | None = None


def pylock(world: World, *entries: Locked) -> str:
    lines = ['lock-version = "1.0"', 'created-by = "tests"', ""]
    for e in entries:
        wheel = wheel_name(e.name, e.version)
        lines += ["[[packages]]", f'name = "{e.name}"', f'version = "{e.version}"']
        if e.index:
            lines.append(f'index = "{e.index}"')
        lines += [
            "",
            "[[packages.wheels]]",
            f'name = "{wheel}"',
            f'url = "https://files.example/{wheel}"',
            f'hashes = {{ sha256 = "{sha256_of(world.dists[wheel])}" }}',
            "",
        ]
        lines += identity_tables("packages.attestation-identities", e.identities)
    return "\n".join(lines)


def pin_file(**pins: Signer) -> str:
    lines = ['lock-version = "1"', ""]
    for name, signer in pins.items():
        lines += ["[[packages]]", f'name = "{name}"', ""]
        lines += identity_tables("packages.attestation-identities", [signer])
    return "\n".join(lines)


def policy(*extra: str, index: str | None = None, mode: str = "enforce") -> str:
    lines = [f'mode = "{mode}"']
    if index:
        lines.append(f'index-url = "{index}"')
    lines += extra
    lines += ["", "[tiers.critical]", 'packages = ["vault"]', ""]
    return "\n".join(lines)


# ---- a git repository with a base branch and a pull request -------------------------------


class Repo:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        proc = subprocess.run(
            ["git", "-C", str(self.root), "-c", "user.name=t", "-c", "user.email=t@example.org",
             "-c", "commit.gpgsign=false", *args],
            check=True, capture_output=True, timeout=30,
        )  # fmt: skip
        return proc.stdout.decode()

    def write_paths(self, files: dict[str, str | None]) -> None:
        """Write each file (relative path -> text), or delete it (None)."""
        for rel, text in files.items():
            path = self.root / rel
            if text is None:
                path.unlink()
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")

    def commit(self, message: str) -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)

    def pull_request(self, files: dict[str, str | None]) -> None:
        """Commit ``files`` as the base on main, then a branch ``pr`` checked out."""
        self.git("checkout", "-q", "-b", "pr")
        self.write_paths(files)
        self.commit("pull request")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    r = Repo(tmp_path / "repo")
    monkeypatch.chdir(r.root)  # the policy is found in the current directory, as in CI
    return r


def review(
    world: World,
    lock: str,
    *extra: str,
    base: str = "main",
    env: dict[str, str] | None = None,
) -> Result:
    result = CliRunner().invoke(
        cli,
        ["diff", "--base", base, lock, "--trust-root", str(world.trust_root),
         "--format", "json", *extra],
        env=env,
    )  # fmt: skip
    assert "Traceback" not in result.output, result.output
    return result


def doc(result: Result) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(result.output)
    assert out["schema"] == "pyvouch-diff/1"
    return out


def trust_details(result: Result) -> list[str]:
    return [f"{c['input']}: {c['detail']}" for c in doc(result)["trust_changes"]["changes"]]


def entry(result: Result, name: str) -> dict[str, Any]:
    found = {c["name"]: c for c in doc(result)["changes"]}
    return found[name]


def assert_blocked(result: Result, *needles: str) -> None:
    """Exit 1, the trust changes blocked, and each needle in one trust-change line."""
    assert result.exit_code == 1, result.output
    trust = doc(result)["trust_changes"]
    assert trust["action"] == "block", trust
    lines = trust_details(result)
    for needle in needles:
        assert any(needle in line for line in lines), (needle, lines)


# ---- (a) the lock's own attestation-identities (PEP 751) -----------------------------------


def base_pylock(repo: Repo, world: World) -> None:
    repo.write_paths(
        {
            "pyvouch.toml": policy(index=world.good_index),
            "app/pylock.toml": pylock(
                world, Locked("vault", "1.0", (GOOD,)), Locked("helper", "1.0", (HELPER,))
            ),
        }
    )
    repo.commit("base")


def test_an_honest_pull_request_passes(repo: Repo, world: World) -> None:
    base_pylock(repo, world)
    repo.pull_request(
        {
            "app/pylock.toml": pylock(
                world, Locked("vault", "1.0", (GOOD,)), Locked("helper", "2.0", (HELPER,))
            )
        }
    )
    result = review(world, "app/pylock.toml")
    assert result.exit_code == 0, result.output
    assert doc(result)["trust_changes"]["changes"] == []
    assert entry(result, "helper")["status"] == "verified"
    assert entry(result, "helper")["decision"]["action"] == "allow"


def test_a_rewritten_lock_identity_does_not_vouch_for_the_release(repo: Repo, world: World) -> None:
    base_pylock(repo, world)
    repo.pull_request(
        {
            "app/pylock.toml": pylock(
                world, Locked("vault", "1.1", (MALLORY,)), Locked("helper", "1.0", (HELPER,))
            )
        }
    )
    result = review(world, "app/pylock.toml")
    assert_blocked(
        result,
        "lock-identities: vault: identities changed from github:octo/vault:release.yml to "
        "github:mallory/vault:release.yml",
    )
    vault = entry(result, "vault")
    assert vault["status"] == "mismatch"
    assert vault["decision"]["rule"] == "critical:pin-mismatch"
    # The pin that judged it is the base's, named as such.
    assert "pinned in main:app/pylock.toml" in vault["decision"]["reasons"][0]


def test_a_lock_identity_added_next_to_the_bump_is_not_trusted(repo: Repo, world: World) -> None:
    # A second identity, the attacker's, beside the real one: "any pin matches" must not
    # let the head widen the pin.
    base_pylock(repo, world)
    repo.pull_request(
        {
            "app/pylock.toml": pylock(
                world,
                Locked("vault", "1.1", (GOOD, MALLORY)),
                Locked("helper", "1.0", (HELPER,)),
            )
        }
    )
    result = review(world, "app/pylock.toml")
    assert_blocked(result, "lock-identities: vault: identities changed")
    assert entry(result, "vault")["status"] == "mismatch"


def test_the_head_deleting_a_lock_identity_is_a_change(repo: Repo, world: World) -> None:
    base_pylock(repo, world)
    repo.pull_request(
        {
            "app/pylock.toml": pylock(
                world, Locked("vault", "1.1"), Locked("helper", "1.0", (HELPER,))
            )
        }
    )
    result = review(world, "app/pylock.toml")
    assert_blocked(result, "lock-identities: vault: identities removed")
    assert entry(result, "vault")["status"] == "mismatch"


# ---- (c) an identity-only edit ---------------------------------------------------------------


def test_an_identity_only_edit_is_listed_as_a_change_and_blocks(repo: Repo, world: World) -> None:
    # No version moves: the pull request only re-pins vault to the attacker, preparing the
    # next one. It is listed as a change and blocks.
    base_pylock(repo, world)
    repo.pull_request(
        {
            "app/pylock.toml": pylock(
                world, Locked("vault", "1.0", (MALLORY,)), Locked("helper", "1.0", (HELPER,))
            )
        }
    )
    result = review(world, "app/pylock.toml")
    assert_blocked(result, "lock-identities: vault: identities changed")
    vault = entry(result, "vault")
    assert vault["change"] == "changed"
    assert vault["detail"] == "same version and files, other attestation identities"
    # Judged by the base's pin, the unchanged release still verifies.
    assert vault["status"] == "verified"
    # --no-lookup needs no network to see it, and blocks the same.
    offline = review(world, "app/pylock.toml", "--no-lookup")
    assert_blocked(offline, "lock-identities: vault: identities changed")


def test_an_identity_only_pin_file_edit_blocks(repo: Repo, world: World) -> None:
    repo.write_paths(
        {
            "pyvouch.toml": policy(index=world.good_index),
            "app/requirements.txt": "vault==1.0\n",
            "app/pyvouch.lock.toml": pin_file(vault=GOOD),
        }
    )
    repo.commit("base")
    repo.pull_request({"app/pyvouch.lock.toml": pin_file(vault=MALLORY)})
    result = review(world, "app/requirements.txt")
    assert_blocked(
        result,
        "pin-file: vault: pin changed from github:octo/vault:release.yml to "
        "github:mallory/vault:release.yml",
    )
    assert doc(result)["changes"] == []


# ---- (b) the pin file ----------------------------------------------------------------------


def base_requirements(repo: Repo, world: World, pins: str | None = None) -> None:
    files: dict[str, str | None] = {
        "pyvouch.toml": policy(index=world.good_index),
        "app/requirements.txt": "vault==1.0\nhelper==1.0\n",
    }
    if pins is not None:
        files["app/pyvouch.lock.toml"] = pins
    repo.write_paths(files)
    repo.commit("base")


BUMP = "vault==1.1\nhelper==1.0\n"


def test_a_pin_file_added_by_the_head_is_not_trusted(repo: Repo, world: World) -> None:
    base_requirements(repo, world)
    repo.pull_request(
        {"app/requirements.txt": BUMP, "app/pyvouch.lock.toml": pin_file(vault=MALLORY)}
    )
    result = review(world, "app/requirements.txt")
    assert_blocked(
        result,
        "pin-file: the head adds a pin file",
        "pin-file: vault: pin added (github:mallory/vault:release.yml)",
    )
    vault = entry(result, "vault")
    assert vault["status"] == "mismatch"  # the base's verified identity is the pin
    assert vault["base_publishers"] == [GOOD.spec]


def test_a_pin_file_edited_by_the_head_is_not_trusted(repo: Repo, world: World) -> None:
    base_requirements(repo, world, pin_file(vault=GOOD))
    repo.pull_request(
        {"app/requirements.txt": BUMP, "app/pyvouch.lock.toml": pin_file(vault=MALLORY)}
    )
    result = review(world, "app/requirements.txt")
    assert_blocked(result, "pin-file: vault: pin changed")
    assert entry(result, "vault")["status"] == "mismatch"
    assert (
        "pinned in main:app/pyvouch.lock.toml" in entry(result, "vault")["decision"]["reasons"][0]
    )


def test_the_head_deleting_the_pin_file_is_a_change(repo: Repo, world: World) -> None:
    base_requirements(repo, world, pin_file(vault=GOOD, helper=HELPER))
    repo.pull_request({"app/requirements.txt": BUMP, "app/pyvouch.lock.toml": None})
    result = review(world, "app/requirements.txt")
    assert_blocked(
        result, "pin-file: the head deletes the pin file", "pin-file: helper: pin removed"
    )
    assert entry(result, "vault")["status"] == "mismatch"


def test_two_lock_files_trust_the_pin_file_next_to_the_base(
    tmp_path: Path, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without git: BASE and HEAD locks in two folders, each with its own pin file.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyvouch.toml").write_text(policy(index=world.good_index), encoding="utf-8")
    for side, text, pins in (
        ("base", "vault==1.0\n", pin_file(vault=GOOD)),
        ("head", "vault==1.1\n", pin_file(vault=MALLORY)),
    ):
        (tmp_path / side).mkdir()
        (tmp_path / side / "requirements.txt").write_text(text, encoding="utf-8")
        (tmp_path / side / "pyvouch.lock.toml").write_text(pins, encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        ["diff", "base/requirements.txt", "head/requirements.txt", "--trust-root",
         str(world.trust_root), "--format", "json"],
    )  # fmt: skip
    assert_blocked(result, "pin-file: vault: pin changed")
    assert entry(result, "vault")["status"] == "mismatch"


# ---- (d) the index ---------------------------------------------------------------------------


def base_indexed(repo: Repo, world: World) -> None:
    # The index comes from the lock itself (the policy names none).
    repo.write_paths(
        {
            "pyvouch.toml": policy(),
            "app/requirements.txt": f"--index-url {world.good_index}\nvault==1.0\n",
        }
    )
    repo.commit("base")


@pytest.mark.parametrize(
    "head",
    [
        "--index-url {evil}\nvault==1.1\n",
        "-i {evil}\nvault==1.1\n",
        "--index-url={evil}\nvault==1.1\n",
        "--index-url {good}\n--extra-index-url {evil}\nvault==1.1\n",
        "-r more.txt\nvault==1.1\n",
    ],
    ids=["index-url", "-i", "index-url=", "extra-index-url", "nested-file"],
)
def test_the_head_pointing_at_another_index_is_blocked(repo: Repo, world: World, head: str) -> None:
    base_indexed(repo, world)
    repo.pull_request(
        {
            "app/requirements.txt": head.format(evil=world.evil_index, good=world.good_index),
            "app/more.txt": f"--index-url {world.evil_index}\n",
        }
    )
    result = review(world, "app/requirements.txt")
    assert_blocked(result, f"index: the head adds {world.evil_index.rstrip('/')}")
    # Looked up on the base's index: mallory's release is a mismatch there.
    assert doc(result)["index_url"].rstrip("/") == world.good_index.rstrip("/")
    assert entry(result, "vault")["status"] == "mismatch"


def test_a_pylock_package_moved_to_another_index_is_blocked(repo: Repo, world: World) -> None:
    base_pylock(repo, world)
    repo.pull_request(
        {
            "app/pylock.toml": pylock(
                world,
                Locked("vault", "1.1", (GOOD,), index=world.evil_index),
                Locked("helper", "1.0", (HELPER,)),
            )
        }
    )
    result = review(world, "app/pylock.toml")
    assert_blocked(result, f"index: vault: taken from {world.evil_index.rstrip('/')}")


def test_a_uv_lock_registry_change_is_blocked(repo: Repo, world: World) -> None:
    def uv_lock(version: str, registry: str) -> str:
        wheel = wheel_name("vault", version)
        return (
            'version = 1\nrequires-python = ">=3.9"\n\n[[package]]\nname = "vault"\n'
            f'version = "{version}"\nsource = {{ registry = "{registry}" }}\n'
            f'wheels = [{{ url = "https://files.example/{wheel}", '
            f'hash = "sha256:{sha256_of(world.dists[wheel])}" }}]\n'
        )

    repo.write_paths(
        {
            "pyvouch.toml": policy(index=world.good_index),
            "uv.lock": uv_lock("1.0", "https://pypi.org/simple"),
        }
    )
    repo.commit("base")
    repo.pull_request({"uv.lock": uv_lock("1.1", world.evil_index)})
    result = review(world, "uv.lock")
    assert_blocked(result, "index: vault: taken from")


# ---- (e) the policy --------------------------------------------------------------------------


def base_policy_repo(repo: Repo, world: World, config: str) -> None:
    repo.write_paths({"pyvouch.toml": config, "app/requirements.txt": "vault==1.0\n"})
    repo.commit("base")


def test_the_head_relaxing_the_mode_is_blocked(repo: Repo, world: World) -> None:
    base_policy_repo(repo, world, policy(index=world.good_index))
    repo.pull_request(
        {
            "pyvouch.toml": policy(index=world.good_index, mode="collect"),
            "app/requirements.txt": "vault==1.1\n",
        }
    )
    result = review(world, "app/requirements.txt")
    assert_blocked(result, "policy: mode changed: 'enforce' -> 'collect'")
    assert doc(result)["mode"] == "enforce"


def test_the_head_pinning_the_attacker_in_the_policy_is_blocked(repo: Repo, world: World) -> None:
    base = policy(f'\n[publishers]\nvault = "{GOOD.spec}"', index=world.good_index)
    base_policy_repo(repo, world, base)
    head = policy(f'\n[publishers]\nvault = "{MALLORY.spec}"', index=world.good_index)
    repo.pull_request({"pyvouch.toml": head, "app/requirements.txt": "vault==1.1\n"})
    result = review(world, "app/requirements.txt")
    assert_blocked(result, "policy: publishers changed: publishers.vault")
    assert entry(result, "vault")["status"] == "mismatch"


def test_the_head_excepting_an_unsigned_release_is_blocked(repo: Repo, world: World) -> None:
    base_policy_repo(repo, world, policy(index=world.good_index))
    exception = (
        '\n[[exceptions]]\npackage = "vault"\nreason = "trust me"\nowner = "mallory"\n'
        "expires = 2099-01-01"
    )
    repo.pull_request(
        {
            "pyvouch.toml": policy(exception, index=world.good_index),
            "app/requirements.txt": "vault==1.2\n",
        }
    )
    result = review(world, "app/requirements.txt")
    assert_blocked(result, "policy: exceptions added")
    assert entry(result, "vault")["decision"]["action"] == "block"


def test_the_head_moving_the_package_out_of_the_critical_tier_is_blocked(
    repo: Repo, world: World
) -> None:
    base_policy_repo(repo, world, policy(index=world.good_index))
    relaxed = (
        f'mode = "enforce"\nindex-url = "{world.good_index}"\n\n'
        '[tiers.long-tail]\nrequire = "any"\n'
    )
    repo.pull_request({"pyvouch.toml": relaxed, "app/requirements.txt": "vault==1.2\n"})
    result = review(world, "app/requirements.txt")
    assert_blocked(result, "policy: tiers changed: tiers.critical, tiers.long-tail")


def test_the_head_pointing_the_policy_at_another_index_is_blocked(repo: Repo, world: World) -> None:
    base_policy_repo(repo, world, policy(index=world.good_index))
    repo.pull_request(
        {
            "pyvouch.toml": policy(index=world.evil_index),
            "app/requirements.txt": "vault==1.1\n",
        }
    )
    result = review(world, "app/requirements.txt")
    assert_blocked(result, "policy: index-url changed")
    assert doc(result)["index_url"].rstrip("/") == world.good_index.rstrip("/")
    assert entry(result, "vault")["status"] == "mismatch"


def test_a_policy_added_by_the_head_is_not_trusted(repo: Repo, world: World) -> None:
    # The base has no policy; CI names the mode and the index on the command line.
    repo.write_paths({"app/requirements.txt": "vault==1.0\n"})
    repo.commit("base")
    repo.pull_request(
        {
            "pyvouch.toml": policy(f'\n[publishers]\nvault = "{MALLORY.spec}"', mode="collect"),
            "app/requirements.txt": "vault==1.1\n",
        }
    )
    result = review(
        world, "app/requirements.txt", "--mode", "enforce", "--index-url", world.good_index
    )
    assert_blocked(result, "policy: the head adds a policy; the base has none")
    assert entry(result, "vault")["status"] == "mismatch"


def test_the_policy_moved_to_pyproject_unchanged_is_no_change(repo: Repo, world: World) -> None:
    config = policy(index=world.good_index)
    base_policy_repo(repo, world, config)
    tool = "\n".join(
        line if not line.startswith("[") else line.replace("[", "[tool.pyvouch.", 1)
        for line in config.splitlines()
    )
    pyproject = '[project]\nname = "app"\nversion = "0"\n\n[tool.pyvouch]\n' + tool + "\n"
    repo.pull_request({"pyvouch.toml": None, "pyproject.toml": pyproject})
    result = review(world, "app/requirements.txt")
    assert result.exit_code == 0, result.output
    assert doc(result)["trust_changes"]["changes"] == []


# ---- approval ------------------------------------------------------------------------------


def approving_base(repo: Repo, world: World) -> None:
    base_pylock(repo, world)
    repo.write_paths(
        {
            "pyvouch.toml": policy(
                '\n[trust-changes]\napproved-by = ["alice", "carol"]', index=world.good_index
            )
        }
    )
    repo.commit("approvers")


def test_a_named_approver_admits_a_re_pin_and_nobody_else_does(repo: Repo, world: World) -> None:
    # An honest move: vault now publishes from octo-org, re-pinned in the same PR.
    approving_base(repo, world)
    repo.pull_request(
        {
            "app/pylock.toml": pylock(
                world, Locked("vault", "1.3", (MOVED,)), Locked("helper", "1.0", (HELPER,))
            )
        }
    )
    unapproved = review(world, "app/pylock.toml")
    assert_blocked(unapproved, "lock-identities: vault: identities changed")
    assert (
        "approval by alice or carol (--approved-by) admits them"
        in (doc(unapproved)["trust_changes"]["summary"])
    )
    assert review(world, "app/pylock.toml", "--approved-by", "bob").exit_code == 1

    approved = review(world, "app/pylock.toml", "--approved-by", "bob", "--approved-by", "Alice")
    assert approved.exit_code == 0, approved.output
    trust = doc(approved)["trust_changes"]
    assert (trust["action"], trust["approved_by"]) == ("allow", ["Alice"])
    assert entry(approved, "vault")["status"] == "verified"  # judged by the approved pin
    # From CI's environment, as a list of approving reviewers.
    env = review(world, "app/pylock.toml", env={"PYVOUCH_APPROVED_BY": "dave carol"})
    assert env.exit_code == 0, env.output


def test_an_approved_trust_change_still_judges_the_release(repo: Repo, world: World) -> None:
    # Approval admits the reviewed inputs, not whatever they would let through: the head's
    # identity for vault is octo-org, and mallory's release is still a mismatch.
    approving_base(repo, world)
    repo.pull_request(
        {
            "app/pylock.toml": pylock(
                world, Locked("vault", "1.1", (MOVED,)), Locked("helper", "1.0", (HELPER,))
            )
        }
    )
    result = review(world, "app/pylock.toml", "--approved-by", "alice")
    assert result.exit_code == 1, result.output
    assert doc(result)["trust_changes"]["action"] == "allow"
    assert entry(result, "vault")["status"] == "mismatch"


def test_the_head_cannot_name_its_own_approver(repo: Repo, world: World) -> None:
    base_pylock(repo, world)
    repo.pull_request(
        {
            "pyvouch.toml": policy(
                '\n[trust-changes]\napproved-by = ["mallory"]', index=world.good_index
            ),
            "app/pylock.toml": pylock(
                world, Locked("vault", "1.1", (MALLORY,)), Locked("helper", "1.0", (HELPER,))
            ),
        }
    )
    result = review(world, "app/pylock.toml", "--approved-by", "mallory")
    assert_blocked(result, "policy: trust-changes added", "lock-identities: vault")
    assert (
        "the base policy names no one who may approve" in (doc(result)["trust_changes"]["summary"])
    )


def test_warn_mode_reports_trust_changes_without_failing(repo: Repo, world: World) -> None:
    base_pylock(repo, world)
    repo.pull_request(
        {
            "app/pylock.toml": pylock(
                world, Locked("vault", "1.0", (MALLORY,)), Locked("helper", "1.0", (HELPER,))
            )
        }
    )
    result = review(world, "app/pylock.toml", "--mode", "warn")
    assert result.exit_code == 0, result.output
    assert doc(result)["trust_changes"]["action"] == "warn"


# ---- the lock's own history ------------------------------------------------------------------


def test_a_renamed_lock_has_nothing_at_the_base_to_vouch_for_it(repo: Repo, world: World) -> None:
    base_requirements(repo, world, pin_file(vault=GOOD))
    # The lock moves away from its pin file, and vault moves to mallory's release.
    repo.pull_request(
        {
            "app/requirements.txt": None,
            "other/requirements.txt": BUMP,
        }
    )
    result = review(world, "other/requirements.txt")
    assert_blocked(
        result, "lock: main:other/requirements.txt does not exist: a new or renamed lock"
    )
    assert entry(result, "vault")["change"] == "added"


def test_a_new_lock_with_identities_is_a_trust_change(repo: Repo, world: World) -> None:
    repo.write_paths({"pyvouch.toml": policy(index=world.good_index)})
    repo.commit("base")
    repo.pull_request({"app/pylock.toml": pylock(world, Locked("vault", "1.1", (MALLORY,)))})
    result = review(world, "app/pylock.toml")
    assert_blocked(
        result,
        "lock: main:app/pylock.toml does not exist",
        "lock-identities: vault: identities declared for a package the base does not lock",
    )


def test_a_base_that_is_the_checked_out_commit_is_named(repo: Repo, world: World) -> None:
    base_pylock(repo, world)
    repo.pull_request(
        {
            "app/pylock.toml": pylock(
                world, Locked("vault", "1.1", (MALLORY,)), Locked("helper", "1.0", (HELPER,))
            )
        }
    )
    result = review(world, "app/pylock.toml", base="HEAD")
    assert result.exit_code == 0, result.output  # nothing uncommitted: nothing to review
    assert any("--base HEAD is the commit checked out here" in w for w in doc(result)["warnings"])


def test_a_symlinked_pin_file_at_the_base_is_not_followed(repo: Repo, world: World) -> None:
    base_requirements(repo, world)
    (repo.root / "app" / "pyvouch.lock.toml").symlink_to("../elsewhere.toml")
    repo.commit("a symlinked pin file")
    repo.pull_request({"app/requirements.txt": BUMP})
    result = review(world, "app/requirements.txt")
    assert result.exit_code == 2, result.output
    assert "main:app/pyvouch.lock.toml: is a symlink at this revision" in result.output
    assert result.output.strip().count("\n") == 0


def test_markdown_names_the_trust_changes_first(repo: Repo, world: World) -> None:
    base_requirements(repo, world)
    repo.pull_request(
        {"app/requirements.txt": BUMP, "app/pyvouch.lock.toml": pin_file(vault=MALLORY)}
    )
    result = CliRunner().invoke(
        cli,
        ["diff", "--base", "main", "app/requirements.txt", "--trust-root",
         str(world.trust_root)],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    text = result.output.replace("\\", "")
    first = text.index("**Trust inputs changed:**")
    assert first < text.index("change(s) blocked by the policy")
    assert "pin-file (app/pyvouch.lock.toml): vault: pin added" in text


@pytest.mark.parametrize(
    ("head", "named"),
    [
        ("--find-links {evil}\nvault==1.1\n", "index: the head adds --find-links {evil}"),
        ("-f {evil}\nvault==1.1\n", "index: the head adds --find-links {evil}"),
        ("--no-index\nvault==1.1\n", "index: the head adds --no-index"),
    ],
    ids=["find-links", "-f", "no-index"],
)
def test_other_places_to_take_files_from_are_trust_changes(
    repo: Repo, world: World, head: str, named: str
) -> None:
    base_indexed(repo, world)
    evil = world.evil.url + "/files"
    repo.pull_request(
        {"app/requirements.txt": f"--index-url {world.good_index}\n" + head.format(evil=evil)}
    )
    result = review(world, "app/requirements.txt")
    assert_blocked(result, named.format(evil=evil))


def test_the_project_s_own_index_settings_are_trust_changes(repo: Repo, world: World) -> None:
    project = '[project]\nname = "app"\nversion = "0"\n'
    repo.write_paths(
        {
            "pyvouch.toml": policy(index=world.good_index),
            "app/requirements.txt": "vault==1.0\n",
            "app/pyproject.toml": project,
        }
    )
    repo.commit("base")
    uv_index = (
        '\n[[tool.uv.index]]\nname = "corp"\nurl = "http://user:s3cret@127.0.0.1:1/simple"\n'
        "default = true\n"
    )
    repo.pull_request(
        {"app/pyproject.toml": project + uv_index, "app/requirements.txt": "vault==1.1\n"}
    )
    result = review(world, "app/requirements.txt")
    assert_blocked(result, "index: tool.uv.index changed: (none) -> ")
    assert "s3cret" not in result.output
    assert "http://127.0.0.1:1/simple" in result.output


def test_credentials_in_an_added_index_are_not_reported(repo: Repo, world: World) -> None:
    base_indexed(repo, world)
    repo.pull_request(
        {
            "app/requirements.txt": f"--index-url {world.good_index}\n"
            "--extra-index-url http://mallory:hunter2@127.0.0.1:1/simple\nvault==1.0\n"
        }
    )
    result = review(world, "app/requirements.txt", "--no-lookup")
    assert_blocked(result, "index: the head adds http://127.0.0.1:1/simple")
    assert "hunter2" not in result.output


def test_a_config_file_named_on_the_command_line_is_read_at_the_base(
    repo: Repo, world: World
) -> None:
    # CI names the policy file; the pull request edits that file.
    repo.write_paths(
        {
            "ci/pyvouch-ci.toml": policy(index=world.good_index),
            "app/requirements.txt": "vault==1.0\n",
        }
    )
    repo.commit("base")
    repo.pull_request(
        {
            "ci/pyvouch-ci.toml": policy(index=world.good_index, mode="collect"),
            "app/requirements.txt": "vault==1.1\n",
        }
    )
    result = review(world, "app/requirements.txt", "--config", "ci/pyvouch-ci.toml")
    assert_blocked(result, "policy: mode changed: 'enforce' -> 'collect'")
    assert doc(result)["mode"] == "enforce"
    # A policy outside the repository is no part of the change: read as it is.
    outside = repo.root.parent / "outside.toml"
    outside.write_text(policy(index=world.good_index, mode="collect"), encoding="utf-8")
    result = review(world, "app/requirements.txt", "--config", str(outside))
    assert result.exit_code == 0, result.output
    assert doc(result)["trust_changes"]["changes"] == []
    assert doc(result)["mode"] == "collect"


def test_a_policy_index_with_credentials_is_reported_without_them(repo: Repo, world: World) -> None:
    base_policy_repo(repo, world, policy(index=world.good_index))
    repo.pull_request({"pyvouch.toml": policy(index="https://mallory:hunter2@127.0.0.1:1/simple")})
    result = review(world, "app/requirements.txt", "--no-lookup")
    assert_blocked(result, "policy: index-url changed")
    assert "hunter2" not in result.output


def test_requirement_files_included_at_the_base_are_read_at_the_base(
    repo: Repo, world: World
) -> None:
    # An honest layout: requirements.txt includes base.txt, which constrains with pins.txt.
    repo.write_paths(
        {
            "pyvouch.toml": policy(index=world.good_index),
            "app/requirements.txt": "-r reqs/base.txt\nhelper==1.0\n",
            "app/reqs/base.txt": "-c ../pins.txt\nvault\n",
            "app/pins.txt": "vault==1.0\n",
        }
    )
    repo.commit("base")
    repo.pull_request({"app/requirements.txt": "-r reqs/base.txt\nhelper==2.0\n"})
    result = review(world, "app/requirements.txt")
    assert result.exit_code == 0, result.output
    assert {c["name"]: c["change"] for c in doc(result)["changes"]} == {"helper": "changed"}
    # The pull request edits an included file: read at each side, vault moves.
    repo.write_paths({"app/pins.txt": "vault==1.1\n"})
    result = review(world, "app/requirements.txt")
    assert result.exit_code == 1, result.output
    assert entry(result, "vault")["status"] == "mismatch"
    assert (entry(result, "vault")["base_version"], entry(result, "vault")["head_version"]) == (
        "1.0",
        "1.1",
    )


def test_a_base_include_that_is_missing_names_the_revision(repo: Repo, world: World) -> None:
    repo.write_paths(
        {"pyvouch.toml": policy(index=world.good_index), "app/requirements.txt": "-r gone.txt\n"}
    )
    repo.commit("base")
    repo.pull_request({"app/requirements.txt": "vault==1.0\n"})
    result = review(world, "app/requirements.txt")
    assert result.exit_code == 2, result.output
    assert result.output == (
        "pyvouch: error: main:app/requirements.txt:line 1: included file 'gone.txt' not found\n"
    )
    assert "pyvouch-diff-" not in result.output
