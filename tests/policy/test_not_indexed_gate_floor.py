"""The install gate's --allow-not-indexed under rule 4 (issue 8): with the gate's floor (every
tier requires verified), an unpinned long-tail package from outside the index warns; a
critical or pinned one still blocks, and only an exception admits it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from pyvouch.gate.plan import GateFlags, gate_policy
from pyvouch.model import Action
from pyvouch.policy.decide import decide
from pyvouch.policy.schema import Policy
from tests.support.policy_builders import TODAY, VALID_UNTIL, config_text, policy_from, result

ORIGIN = "path:./wheels/six-1.17.0-py2.py3-none-any.whl"
FLAGS = GateFlags(mode_given=False, require_critical_given=False, require_long_tail_given=False)


def _gate(
    allow: bool,
    publishers: dict[str, str] | None = None,
    exception: tuple[str, date] | None = None,
) -> Policy:
    text = config_text(mode="collect", publishers=publishers, exception=exception)
    return gate_policy(policy_from(text), replace(FLAGS, allow_not_indexed=allow))


def test_allow_not_indexed_admits_only_the_unpinned_long_tail() -> None:
    six, requests = result("six", origin=ORIGIN), result("requests", origin=ORIGIN)
    without, allowed = _gate(False), _gate(True)
    assert decide(six, without, TODAY).action is Action.BLOCK
    decision = decide(six, allowed, TODAY)
    assert decision.action is Action.WARN
    assert "allowed by --allow-not-indexed" in decision.reasons[0]
    assert decide(requests, allowed, TODAY).action is Action.BLOCK
    pinned = _gate(True, publishers={"six": "github:benjaminp/six"})
    decision = decide(six, pinned, TODAY)
    assert (decision.action, decision.rule) == (Action.BLOCK, "long-tail:pin-regression")
    excepted = _gate(
        True, publishers={"six": "github:benjaminp/six"}, exception=("six", VALID_UNTIL)
    )
    assert decide(six, excepted, TODAY).action is Action.ALLOW
