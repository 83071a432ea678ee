"""`policy.trust_inputs` without git or network: what counts as a change to what is trusted."""

from __future__ import annotations

from pyvouch.model import Action, Package
from pyvouch.policy.schema import Mode, Policy
from pyvouch.policy.trust_inputs import (
    TrustInput,
    TrustSide,
    approvals,
    judging_policy,
    review_trust,
    trust_changes,
    without_identities,
)

GOOD = {"kind": "GitHub", "repository": "octo/vault", "workflow": "release.yml"}
OTHER = {"kind": "GitHub", "repository": "octo/vault", "workflow": "other.yml"}


def side(*packages: Package, **kw: object) -> TrustSide:
    return TrustSide("lock", packages=packages, **kw)  # type: ignore[arg-type]


def test_the_same_inputs_are_no_change() -> None:
    a = side(Package("vault", "1.0", attestation_identities=(GOOD, OTHER)))
    b = side(Package("Vault", "1.1", attestation_identities=(OTHER, GOOD)))
    assert trust_changes(a, b) == []


def test_identities_leaving_with_their_package_are_no_change() -> None:
    base = side(Package("vault", "1.0", attestation_identities=(GOOD,)), Package("x", "1"))
    assert trust_changes(base, side(Package("x", "1"))) == []


def test_an_unreadable_identity_is_still_a_change_and_still_pins() -> None:
    bad = {"kind": "GitHub", "repository": "octo/vault", "vcs_ref": "x"}
    base = side(Package("vault", "1.0", attestation_identities=(GOOD,)))
    head = side(Package("vault", "1.0", attestation_identities=(bad,)))
    (change,) = trust_changes(base, head)
    assert change.input is TrustInput.LOCK_IDENTITIES
    assert "unreadable: unknown field 'vcs_ref'" in change.detail
    # Judged with the head (approved), the unreadable identity is a pin nothing matches.
    pins = judging_policy(Policy(), head).lock_pins["vault"]
    assert [p.identity.kind for p in pins] == ["Unreadable"]
    assert without_identities(head.packages)[0].attestation_identities == ()


def test_a_package_moving_between_known_indexes_is_a_change() -> None:
    base = side(Package("vault", "1"), Package("x", "1", index_url="https://corp/simple"))
    head = side(Package("vault", "1", index_url="https://corp/simple/"), Package("x", "1"))
    details = [c.detail for c in trust_changes(base, head)]
    assert details == [
        "vault: taken from https://corp/simple (the base: the default index)",
        "x: taken from the default index (the base: https://corp/simple)",
    ]


def test_only_the_base_list_approves_and_case_does_not_matter() -> None:
    base = Policy(mode=Mode.ENFORCE, trust_change_approvers=("Alice",))
    assert approvals(base, ["alice", "mallory", " ALICE "]) == ("alice", "ALICE")
    assert approvals(Policy(), ["alice"]) == ()
    change = trust_changes(side(), side(Package("v", "1", attestation_identities=(GOOD,))))
    blocked = review_trust(change, base, ["mallory"])
    assert (blocked.action, blocked.blocks) == (Action.BLOCK, True)
    assert "approval by Alice (--approved-by) admits them" in blocked.summary()
    approved = review_trust(change, base, ["alice"])
    assert (approved.action, approved.blocks, approved.approved) == (Action.ALLOW, False, True)
    collect = review_trust(change, Policy(), [])
    assert (collect.action, collect.blocks) == (Action.BLOCK, False)
    assert "would block in enforce" in collect.summary()


def test_moving_the_history_store_is_a_policy_change_shown_without_its_password() -> None:
    """History pins come from the store the policy names: pointing it elsewhere (a store the
    pull request's author fills) is a trust-input change, and its password is never shown."""
    base = side(policy_table={"mode": "enforce", "store": "postgresql://ci:s3cret@db/pyvouch"})
    head = side(policy_table={"mode": "enforce", "store": "postgresql://me:hunter2@evil/pv"})
    (change,) = trust_changes(base, head)
    assert change.input is TrustInput.POLICY
    assert change.detail.startswith("store changed: ")
    assert "evil/pv" in change.detail
    assert "s3cret" not in change.detail
    assert "hunter2" not in change.detail
