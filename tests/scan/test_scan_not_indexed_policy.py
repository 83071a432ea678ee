"""Rule 4 (issue 8): pins and the critical tier are not escaped by changing the source.

sampleproject is verified on the loopback index. The attacker's move: the lock now takes it
from a direct URL, a git checkout, a local path or an editable directory (pylock.toml, uv.lock,
requirements.txt), where there is nothing to verify. In enforce that blocks (exit 1) when the
package is pinned (by `--pin`, the policy file, or the lock's own attestation-identities) or
critical, with the reason; collect reports the would-be block; an exception with a future
expiry admits it, an expired one does not. An unpinned long-tail package still passes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.scan.conftest import Scan, packages_of
from tests.support.index_servers import IndexServer
from tests.support.switched_locks import GOOGLE_IDENTITY, NAME, PIN, SWITCHED

CASES = [(fmt, kind) for fmt, kinds in SWITCHED.items() for kind in kinds]


def _decision(scan: Scan, lock: Path, mirror: IndexServer, *args: str) -> tuple[int, Any]:
    code, doc = scan.json(str(lock), "--index-url", mirror.url("/simple/"), *args)
    package = packages_of(doc)[NAME]
    assert package["status"] == "not-indexed", package
    return code, package["decision"]


@pytest.mark.parametrize(("fmt", "kind"), CASES)
def test_a_critical_package_from_outside_the_index_blocks(
    scan: Scan, mirror: IndexServer, fmt: str, kind: str
) -> None:
    lock = scan.write(fmt, SWITCHED[fmt][kind])
    code, decision = _decision(scan, lock, mirror, "--mode", "enforce", "--critical", NAME)
    assert code == 1, decision
    assert decision["action"] == "block"
    assert decision["rule"] == "critical:verified"
    assert "not-indexed (" in decision["reasons"][0]
    assert "the critical tier requires verified" in decision["reasons"][0]


@pytest.mark.parametrize(("fmt", "kind"), CASES)
def test_a_pinned_package_from_outside_the_index_blocks(
    scan: Scan, mirror: IndexServer, fmt: str, kind: str
) -> None:
    lock = scan.write(fmt, SWITCHED[fmt][kind])
    code, decision = _decision(scan, lock, mirror, "--mode", "enforce", "--pin", f"{NAME}={PIN}")
    assert code == 1, decision
    assert decision["action"] == "block"
    assert decision["rule"] == "long-tail:pin-regression"
    assert f"is pinned to {PIN}" in decision["reasons"][0]
    # Collect reports the same would-be block and exits 0.
    code, decision = _decision(scan, lock, mirror, "--mode", "collect", "--pin", f"{NAME}={PIN}")
    assert code == 0
    assert decision["action"] == "block"
    # Without a pin or a tier that requires verification it passes, as before.
    code, decision = _decision(scan, lock, mirror, "--mode", "enforce")
    assert code == 0
    assert decision["action"] == "allow"


@pytest.mark.parametrize("kind", sorted(SWITCHED["pylock.toml"]))
def test_the_lock_s_own_pin_is_not_escaped(scan: Scan, mirror: IndexServer, kind: str) -> None:
    """The pin recorded in the pylock itself (attestation-identities) still holds."""
    text = (
        SWITCHED["pylock.toml"][kind] + f"\n[[packages.attestation-identities]]\n{GOOGLE_IDENTITY}"
    )
    lock = scan.write("pylock.toml", text)
    code, decision = _decision(scan, lock, mirror, "--mode", "enforce")
    assert code == 1, decision
    assert decision["rule"] == "long-tail:pin-regression"
    assert "pinned in" in decision["reasons"][0] and "pylock.toml" in decision["reasons"][0]


@pytest.mark.parametrize(("fmt", "kind"), [("pylock.toml", "git"), ("uv.lock", "url")])
def test_an_exception_admits_until_it_expires(
    scan: Scan, mirror: IndexServer, fmt: str, kind: str
) -> None:
    lock = scan.write(fmt, SWITCHED[fmt][kind])
    policy = (
        f'mode = "enforce"\n[tiers.critical]\npackages = ["{NAME}"]\n'
        f'[publishers]\n{NAME} = "{PIN}"\n'
        f'[[exceptions]]\npackage = "{NAME}"\nreason = "vendored fork, reviewed"\n'
        'owner = "security@example.com"\nexpires = {expires}\n'
    )
    scan.write("pyvouch.toml", policy.replace("{expires}", "2999-01-01"))
    code, decision = _decision(scan, lock, mirror)
    assert code == 0, decision
    assert decision["action"] == "allow"
    assert (
        decision["rule"].startswith(f"exception:{NAME}")
        and "security@example.com" in (decision["rule"])
    )
    assert any(r.startswith("excepted: not-indexed") for r in decision["reasons"])

    scan.write("pyvouch.toml", policy.replace("{expires}", "2020-01-01"))
    code, decision = _decision(scan, lock, mirror)
    assert code == 1, decision
    assert decision["action"] == "block"
    assert decision["rule"].startswith(f"exception-expired:{NAME}")
