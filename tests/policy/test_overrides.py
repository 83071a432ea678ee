"""Flags laid over the configuration: every setting works with no file at all."""

from __future__ import annotations

import pytest

from pyvouch.errors import EXIT_USAGE, UsageError
from pyvouch.model import Action, Status
from pyvouch.policy.decide import decide
from pyvouch.policy.overrides import Overrides, apply_overrides, parse_pin_flag
from pyvouch.policy.schema import Mode, Policy, Require
from tests.support.policy_builders import ID_A, ID_B, TODAY, config_text, policy_from, result


def test_one_off_run_needs_no_file() -> None:
    policy = apply_overrides(
        Policy(),
        Overrides(
            mode="enforce",
            critical=("requests", "urllib3"),
            pins=("requests=github:psf/requests:publish.yml",),
        ),
    )
    assert policy.mode is Mode.ENFORCE
    assert policy.tier_of("urllib3") is policy.critical
    assert policy.source is None
    verified_b = result("requests", Status.VERIFIED, publisher=ID_B)
    decision = decide(verified_b, policy, TODAY)
    assert (decision.action, decision.rule) == (Action.BLOCK, "critical:pin-mismatch")
    assert "pinned in --pin" in decision.reasons[0]
    assert decide(result("urllib3", Status.UNATTESTED), policy, TODAY).action is Action.BLOCK


def test_flags_win_over_file_and_critical_adds() -> None:
    base = policy_from(
        config_text(
            mode="collect",
            critical=("requests",),
            publishers={"requests": "github:other/requests"},
        )
    )
    policy = apply_overrides(
        base,
        Overrides(
            mode="warn",
            critical=("urllib3", "requests"),
            pins=("Requests=github:psf/requests", "requests=github:psf/requests-mirror"),
            require_critical="verified-pinned",
            require_long_tail="any",
            index_url="http://127.0.0.1:1/simple/",
        ),
    )
    assert policy.mode is Mode.WARN
    assert policy.critical.packages == ("requests", "urllib3")  # file first, no duplicate
    assert policy.critical.require is Require.VERIFIED_PINNED
    assert policy.long_tail.require is Require.ANY
    assert policy.index_url == "http://127.0.0.1:1/simple/"
    # the flag's pins replace the file's for that package; both flag values count
    assert [p.identity.repository for p in policy.publishers["requests"]] == [
        "psf/requests",
        "psf/requests-mirror",
    ]
    assert decide(result("requests", Status.VERIFIED, publisher=ID_A), policy, TODAY).action is (
        Action.ALLOW
    )
    # the file's own policy object is unchanged
    assert base.mode is Mode.COLLECT


def test_no_flags_change_nothing() -> None:
    base = policy_from(config_text())
    assert apply_overrides(base, Overrides()) == base


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (Overrides(mode="strict"), "--mode 'strict': must be one of collect, warn, enforce"),
        (Overrides(critical=("req uests",)), "--critical 'req uests': "),
        (Overrides(critical=("*",)), "matches every package"),
        (Overrides(require_critical="signed"), "--require-critical 'signed'"),
        (Overrides(require_long_tail="x"), "--require-long-tail 'x'"),
        (Overrides(pins=("requests",)), "expected NAME=PUBLISHER_SPEC"),
        (Overrides(pins=("requests=",)), "expected NAME=PUBLISHER_SPEC"),
        (Overrides(pins=("=github:a/b",)), "empty package name"),
        (Overrides(pins=("requests=github:a",)), "GitHub repository must be OWNER/REPO"),
    ],
)
def test_bad_flags_are_usage_errors(flags: Overrides, message: str) -> None:
    with pytest.raises(UsageError) as info:
        apply_overrides(Policy(), flags)
    assert message in str(info.value)
    assert info.value.exit_code == EXIT_USAGE


def test_parse_pin_flag_normalizes_the_name() -> None:
    name, pin = parse_pin_flag("Zope.Interface=github:zopefoundation/zope.interface")
    assert name == "zope-interface"
    assert pin.origin == "--pin"
