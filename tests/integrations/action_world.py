"""A repository as the action meets it: a bare ``origin`` (the base branch as GitHub has it,
which a pull request cannot write) and a workspace cloned from it, a policy and a lock whose
wheels a loopback index serves with attestations minted by the test authority."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.support.policy_sites import Signer, sha256_of, wheel_name
from tests.support.static_server import StaticServer

GOOD = Signer("octo/vault", "release.yml")
MALLORY = Signer("mallory/vault", "release.yml")
HELPER = Signer("octo/helper", "release.yml")


@dataclass(frozen=True)
class World:
    server: StaticServer
    dists: dict[str, Path]
    trust_root: Path

    @property
    def index(self) -> str:
        return self.server.index_url


def pylock(world: World, *entries: tuple[str, str]) -> str:
    lines = ['lock-version = "1.0"', 'created-by = "tests"', ""]
    for name, version in entries:
        wheel = wheel_name(name, version)
        lines += [
            "[[packages]]",
            f'name = "{name}"',
            f'version = "{version}"',
            "",
            "[[packages.wheels]]",
            f'name = "{wheel}"',
            f'url = "https://files.example/{wheel}"',
            f'hashes = {{ sha256 = "{sha256_of(world.dists[wheel])}" }}',
            "",
        ]
    return "\n".join(lines)


def pins(**signers: Signer) -> str:
    lines = ['lock-version = "1"', ""]
    for name, s in signers.items():
        lines += [
            "[[packages]]",
            f'name = "{name}"',
            "",
            "[[packages.attestation-identities]]",
            'kind = "GitHub"',
            f'repository = "{s.repository}"',
            f'workflow = "{s.workflow}"',
            "",
        ]
    return "\n".join(lines)


def policy(index: str, mode: str = "enforce", critical: Sequence[str] = ("vault",)) -> str:
    names = ", ".join(f'"{c}"' for c in critical)
    return f'mode = "{mode}"\nindex-url = "{index}"\n\n[tiers.critical]\npackages = [{names}]\n'


class Repo:
    """``origin`` (bare) and ``workspace`` (its clone), with commits made in the workspace."""

    def __init__(self, root: Path) -> None:
        self.origin = root / "origin.git"
        self.workspace = root / "workspace"
        self.workspace.mkdir(parents=True)
        self._git(root, "init", "-q", "--bare", "-b", "main", str(self.origin))
        self.git("init", "-q", "-b", "main")
        self.git("remote", "add", "origin", str(self.origin))

    def _git(self, where: Path, *args: str) -> str:
        proc = subprocess.run(
            ["git", "-C", str(where), "-c", "user.name=t", "-c", "user.email=t@example.org",
             "-c", "commit.gpgsign=false", *args],
            check=True, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        return proc.stdout.strip()

    def git(self, *args: str) -> str:
        return self._git(self.workspace, *args)

    def commit(self, files: dict[str, str], message: str) -> str:
        for rel, text in files.items():
            path = self.workspace / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")

    def push_main(self) -> str:
        self.git("push", "-q", "origin", "main")
        return self.git("rev-parse", "HEAD")

    def branch(self, name: str) -> None:
        self.git("checkout", "-q", "-b", name)


def pr_payload(base_sha: str, base_ref: str = "main", number: int = 7) -> dict[str, object]:
    return {
        "action": "synchronize",
        "number": number,
        "pull_request": {
            "number": number,
            "base": {"ref": base_ref, "sha": base_sha},
            "head": {"ref": "feature", "sha": "0" * 40},
        },
    }
