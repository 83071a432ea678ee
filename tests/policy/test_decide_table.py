"""Decisions table-driven over statuses x tiers x modes x pins x exceptions.

Every row states the expected action, rule and exit code, each reasoned from docs/policy.md:
  - invalid blocks in every tier, and no exception covers it;
  - a verified identity other than the pinned one (pin-mismatch) blocks in every tier;
  - an expired exception blocks;
  - a pinned package that lost its attestation (pin-regression) blocks unless the tier
    requires "any" (then it warns);
  - critical tier (default require "verified"): unattested / legacy-signed block, unknown warns
    and makes enforce exit 3, not-indexed blocks (a source change escapes no tier);
  - a pinned package that now comes from a path, VCS, editable or URL blocks as a lost
    attestation does (warns where the tier requires "any");
  - long tail (default require "no-regression"): trust on first use, only regressions fail;
    a pinned package whose status is unknown cannot be told, so it warns and exits 3;
  - a valid exception turns the tier's warn/block into allow, naming itself;
  - modes: collect shows the would-be action and exits 0; warn shows blocks as warnings and
    exits 0; enforce exits 1 on a block, 3 on an incomplete must-verify package, else 0.

Packages: "requests" and "django-rest" are critical ("requests", "django*"); "six" is long tail.
Today is 2026-01-15; a valid exception expires 2027-03-31; an expired one on 2025-12-31.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import pytest

from pyvouch.model import Action, PackageResult, ScanResult, Status
from pyvouch.policy.decide import decide, decide_all
from tests.support.policy_builders import (
    EXPIRED_ON,
    ID_A,
    ID_B,
    PIN_A,
    TODAY,
    VALID_UNTIL,
    config_text,
    policy_from,
    result,
)

V, M, INV, U, L, K = (
    Status.VERIFIED,
    Status.MISMATCH,
    Status.INVALID,
    Status.UNATTESTED,
    Status.LEGACY_SIGNED,
    Status.UNKNOWN,
)
ALLOW, WARN, BLOCK = Action.ALLOW, Action.WARN, Action.BLOCK
EXC_OK = "exception:{name} (expires 2027-03-31, owner alice@example.com)"
EXC_EXPIRED = "exception-expired:{name} (expired 2025-12-31, owner alice@example.com)"


@dataclass(frozen=True)
class Row:
    id: str
    name: str
    statuses: tuple[Status, ...]
    action: Action
    rule: str
    exit: int
    mode: str = "enforce"
    signer: Any = ID_A
    pinned: bool = False
    exception: date | None = None
    critical_require: str | None = None
    long_tail_require: str | None = None
    origin: str | None = None
    reason_has: tuple[str, ...] = field(default=())


ROWS = [
    # --- critical tier, require "verified" (default), enforce ---------------------------
    Row("crit-verified-nopin", "requests", (V,), ALLOW, "critical:verified", 0),
    Row("crit-verified-pin-same", "requests", (V,), ALLOW, "critical:verified", 0, pinned=True),
    Row(
        "crit-verified-pin-other",
        "requests",
        (V,),
        BLOCK,
        "critical:pin-mismatch",
        1,
        signer=ID_B,
        pinned=True,
        reason_has=(
            "publisher changed from github:psf/requests:publish.yml",
            "to github:evil/requests:publish.yml",
        ),
    ),
    Row(
        "crit-mismatch-status",
        "requests",
        (M,),
        BLOCK,
        "critical:pin-mismatch",
        1,
        signer=ID_B,
        pinned=True,
    ),
    Row("crit-unattested", "requests", (U,), BLOCK, "critical:verified", 1),
    Row("crit-legacy", "requests", (L,), BLOCK, "critical:verified", 1),
    Row(
        "crit-unattested-pinned",
        "requests",
        (U,),
        BLOCK,
        "critical:pin-regression",
        1,
        pinned=True,
        reason_has=(
            "attestation lost: requests is pinned to github:psf/requests:publish.yml",
            "serves none",
        ),
    ),
    Row(
        "crit-legacy-pinned",
        "requests",
        (L,),
        BLOCK,
        "critical:pin-regression",
        1,
        pinned=True,
        reason_has=("only a PGP signature",),
    ),
    Row(
        "crit-unknown", "requests", (K,), WARN, "critical:verified", 3, reason_has=("cannot tell",)
    ),
    Row("crit-unknown-pinned", "requests", (K,), WARN, "critical:verified", 3, pinned=True),
    Row("crit-invalid", "requests", (INV,), BLOCK, "critical:invalid", 1),
    Row("crit-glob", "Django_REST", (U,), BLOCK, "critical:verified", 1),
    # Changing the source does not escape the tier (issue 8, rule 4): nothing to verify blocks.
    Row(
        "crit-not-indexed",
        "requests",
        (),
        BLOCK,
        "critical:verified",
        1,
        origin="vcs:git+https://x",
        reason_has=("not-indexed (vcs:git+https://x)", "the critical tier requires verified"),
    ),
    Row(
        "crit-not-indexed-pinned",
        "requests",
        (),
        BLOCK,
        "critical:pin-regression",
        1,
        origin="url:https://files.example/requests-2.32.3-py3-none-any.whl",
        pinned=True,
        reason_has=("is pinned to github:psf/requests", "no attestation to hold to its pin"),
    ),
    Row(
        "crit-not-indexed-verified-pinned",
        "requests",
        (),
        BLOCK,
        "critical:verified-pinned",
        1,
        origin="editable:./requests",
        critical_require="verified-pinned",
    ),
    Row(
        "crit-not-indexed-collect",
        "requests",
        (),
        BLOCK,
        "critical:verified",
        0,
        mode="collect",
        origin="path:./requests-2.32.3.tar.gz",
    ),
    Row(
        "crit-not-indexed-warn-mode",
        "requests",
        (),
        WARN,
        "critical:verified",
        0,
        mode="warn",
        origin="directory:./requests",
        reason_has=("would block in enforce mode",),
    ),
    Row(
        "crit-not-indexed-pinned-expired-exception",
        "requests",
        (),
        BLOCK,
        EXC_EXPIRED,
        1,
        origin="vcs:git+https://x",
        pinned=True,
        exception=EXPIRED_ON,
    ),
    Row(
        "crit-not-indexed-pinned-valid-exception",
        "requests",
        (),
        ALLOW,
        EXC_OK,
        0,
        origin="vcs:git+https://x",
        pinned=True,
        exception=VALID_UNTIL,
        reason_has=("excepted: not-indexed",),
    ),
    # several files: the worst decides
    Row("crit-mixed-verified-unattested", "requests", (V, U), BLOCK, "critical:verified", 1),
    Row("crit-mixed-verified-unknown", "requests", (V, K), WARN, "critical:verified", 3),
    Row("crit-mixed-unattested-unknown", "requests", (U, K), BLOCK, "critical:verified", 1),
    Row("crit-mixed-invalid-verified", "requests", (INV, V), BLOCK, "critical:invalid", 1),
    Row(
        "crit-mixed-one-file-other-signer",
        "requests",
        (V, V),
        BLOCK,
        "critical:pin-mismatch",
        1,
        signer=ID_B,
        pinned=True,
    ),
    # --- critical tier, require "verified-pinned" ---------------------------------------
    Row(
        "pinned-req-verified-nopin",
        "requests",
        (V,),
        BLOCK,
        "critical:verified-pinned",
        1,
        critical_require="verified-pinned",
        reason_has=("no pinned identity",),
    ),
    Row(
        "pinned-req-verified-pin",
        "requests",
        (V,),
        ALLOW,
        "critical:verified-pinned",
        0,
        pinned=True,
        critical_require="verified-pinned",
    ),
    # --- long tail, require "no-regression" (default) -----------------------------------
    Row("tail-verified", "six", (V,), ALLOW, "long-tail:no-regression", 0),
    Row("tail-unattested", "six", (U,), ALLOW, "long-tail:no-regression", 0),
    Row("tail-legacy", "six", (L,), ALLOW, "long-tail:no-regression", 0),
    Row("tail-unknown", "six", (K,), ALLOW, "long-tail:no-regression", 0),
    Row("tail-unattested-pinned", "six", (U,), BLOCK, "long-tail:pin-regression", 1, pinned=True),
    Row("tail-legacy-pinned", "six", (L,), BLOCK, "long-tail:pin-regression", 1, pinned=True),
    Row(
        "tail-verified-pin-other",
        "six",
        (V,),
        BLOCK,
        "long-tail:pin-mismatch",
        1,
        signer=ID_B,
        pinned=True,
    ),
    Row("tail-invalid", "six", (INV,), BLOCK, "long-tail:invalid", 1),
    Row("tail-unknown-pinned", "six", (K,), WARN, "long-tail:no-regression", 3, pinned=True),
    Row("tail-not-indexed", "six", (), ALLOW, "long-tail:no-regression", 0, origin="./vendor/six"),
    Row(
        "tail-not-indexed-pinned",
        "six",
        (),
        BLOCK,
        "long-tail:pin-regression",
        1,
        origin="./vendor/six",
        pinned=True,
        reason_has=("six is pinned to",),
    ),
    Row(
        "tail-not-indexed-verified",
        "six",
        (),
        BLOCK,
        "long-tail:verified",
        1,
        origin="url:https://files.example/six-1.17.0.tar.gz",
        long_tail_require="verified",
    ),
    Row(
        "tail-not-indexed-pinned-any",
        "six",
        (),
        WARN,
        "long-tail:any",
        0,
        origin="./vendor/six",
        pinned=True,
        long_tail_require="any",
    ),
    # --- long tail, require "any": only attack signals block ----------------------------
    Row(
        "any-unattested-pinned",
        "six",
        (U,),
        WARN,
        "long-tail:any",
        0,
        pinned=True,
        long_tail_require="any",
    ),
    Row(
        "any-unknown-pinned",
        "six",
        (K,),
        ALLOW,
        "long-tail:any",
        0,
        pinned=True,
        long_tail_require="any",
    ),
    Row(
        "any-pin-other",
        "six",
        (V,),
        BLOCK,
        "long-tail:pin-mismatch",
        1,
        signer=ID_B,
        pinned=True,
        long_tail_require="any",
    ),
    Row("any-invalid", "six", (INV,), BLOCK, "long-tail:invalid", 1, long_tail_require="any"),
    # --- long tail raised to "verified" --------------------------------------------------
    Row(
        "tail-req-verified-unattested",
        "six",
        (U,),
        BLOCK,
        "long-tail:verified",
        1,
        long_tail_require="verified",
    ),
    # --- exceptions ---------------------------------------------------------------------
    Row(
        "exc-valid-unattested",
        "requests",
        (U,),
        ALLOW,
        EXC_OK,
        0,
        exception=VALID_UNTIL,
        reason_has=("vendor does not sign yet", "excepted: unattested"),
    ),
    Row(
        "exc-valid-unknown-not-incomplete",
        "requests",
        (K,),
        ALLOW,
        EXC_OK,
        0,
        exception=VALID_UNTIL,
    ),
    Row("exc-valid-regression", "six", (U,), ALLOW, EXC_OK, 0, pinned=True, exception=VALID_UNTIL),
    Row(
        "exc-valid-not-indexed",
        "requests",
        (),
        ALLOW,
        EXC_OK,
        0,
        origin="./vendor",
        exception=VALID_UNTIL,
    ),
    Row(
        "exc-valid-today-is-last-day",
        "requests",
        (U,),
        ALLOW,
        "exception:requests (expires 2026-01-15, owner alice@example.com)",
        0,
        exception=TODAY,
    ),
    Row(
        "exc-not-needed",
        "requests",
        (V,),
        ALLOW,
        "critical:verified",
        0,
        exception=VALID_UNTIL,
        reason_has=("is not needed",),
    ),
    Row(
        "exc-does-not-cover-invalid",
        "requests",
        (INV,),
        BLOCK,
        "critical:invalid",
        1,
        exception=VALID_UNTIL,
        reason_has=("does not cover",),
    ),
    Row(
        "exc-does-not-cover-mismatch",
        "requests",
        (V,),
        BLOCK,
        "critical:pin-mismatch",
        1,
        signer=ID_B,
        pinned=True,
        exception=VALID_UNTIL,
    ),
    Row(
        "exc-expired-unattested",
        "requests",
        (U,),
        BLOCK,
        EXC_EXPIRED,
        1,
        exception=EXPIRED_ON,
        reason_has=("expired on 2025-12-31", "renew or remove it", "exceptions[0]"),
    ),
    Row(
        "exc-expired-even-if-verified",
        "requests",
        (V,),
        BLOCK,
        EXC_EXPIRED,
        1,
        exception=EXPIRED_ON,
    ),
    Row("exc-expired-long-tail", "six", (U,), BLOCK, EXC_EXPIRED, 1, exception=EXPIRED_ON),
    Row(
        "exc-expired-invalid-still-invalid",
        "requests",
        (INV,),
        BLOCK,
        "critical:invalid",
        1,
        exception=EXPIRED_ON,
    ),
    # --- modes --------------------------------------------------------------------------
    Row("collect-block", "requests", (U,), BLOCK, "critical:verified", 0, mode="collect"),
    Row("collect-unknown", "requests", (K,), WARN, "critical:verified", 0, mode="collect"),
    Row(
        "collect-mismatch",
        "requests",
        (V,),
        BLOCK,
        "critical:pin-mismatch",
        0,
        mode="collect",
        signer=ID_B,
        pinned=True,
    ),
    Row(
        "warn-block-shown-as-warn",
        "requests",
        (U,),
        WARN,
        "critical:verified",
        0,
        mode="warn",
        reason_has=("would block in enforce mode",),
    ),
    Row("warn-invalid", "requests", (INV,), WARN, "critical:invalid", 0, mode="warn"),
    Row("warn-unknown", "requests", (K,), WARN, "critical:verified", 0, mode="warn"),
    Row("warn-allow", "requests", (V,), ALLOW, "critical:verified", 0, mode="warn"),
    Row(
        "warn-expired-exception",
        "requests",
        (U,),
        WARN,
        EXC_EXPIRED,
        0,
        mode="warn",
        exception=EXPIRED_ON,
    ),
]


def _case(row: Row) -> tuple[PackageResult, Any]:
    policy = policy_from(
        config_text(
            mode=row.mode,
            critical_require=row.critical_require,
            long_tail_require=row.long_tail_require,
            publishers={row.name: PIN_A} if row.pinned else None,
            exception=(row.name, row.exception) if row.exception else None,
        )
    )
    res = result(row.name, *row.statuses, publisher=row.signer, origin=row.origin)
    return res, policy


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_decision_table(row: Row) -> None:
    res, policy = _case(row)
    decision = decide(res, policy, TODAY)
    assert (decision.action, decision.rule) == (row.action, row.rule.format(name=row.name.lower()))
    assert decision.reasons, "every decision says why"
    text = " | ".join(decision.reasons)
    for needle in row.reason_has:
        assert needle in text
    scan = ScanResult(source="pylock.toml", source_format="pylock", index_url="x", packages=(res,))
    decided, code = decide_all(scan, policy, TODAY)
    assert code == row.exit
    assert decided.packages[0].decision == decision
    assert decided.mode == row.mode


def test_rows_cover_every_status_tier_and_mode() -> None:
    """The table is the specification: it must reach every status, tier, mode and exception."""
    statuses = {s for r in ROWS for s in r.statuses} | {
        Status.NOT_INDEXED for r in ROWS if r.origin
    }
    assert statuses == set(Status)
    assert {r.rule.split(":")[0] for r in ROWS} >= {
        "critical",
        "long-tail",
        "exception",
        "exception-expired",
    }
    assert {r.mode for r in ROWS} == {"collect", "warn", "enforce"}
    assert {r.exit for r in ROWS} == {0, 1, 3}


def _scan(*results: PackageResult) -> ScanResult:
    return ScanResult(
        source="pylock.toml",
        source_format="pylock",
        index_url="http://127.0.0.1:1/simple/",
        packages=results,
        warnings=("from the scan",),
    )


@pytest.mark.parametrize(
    ("mode", "statuses", "code"),
    [
        # requests is critical, six long tail. A block anywhere wins over incomplete.
        ("enforce", {"requests": (K,), "six": (V,)}, 3),
        ("enforce", {"requests": (K,), "six": (INV,)}, 1),
        ("enforce", {"requests": (U,), "six": (K,)}, 1),
        ("enforce", {"requests": (V,), "six": (U,)}, 0),
        ("warn", {"requests": (K,), "six": (INV,)}, 0),
        ("collect", {"requests": (U,), "six": (INV,)}, 0),
    ],
)
def test_exit_code_over_several_packages(
    mode: str, statuses: dict[str, tuple[Status, ...]], code: int
) -> None:
    policy = policy_from(config_text(mode=mode))
    scan = _scan(*(result(name, *s) for name, s in statuses.items()))
    decided, got = decide_all(scan, policy, TODAY)
    assert got == code
    assert all(p.decision is not None for p in decided.packages)
    assert [p.package.name for p in decided.packages] == list(statuses)
    assert decided.source == scan.source


def test_expired_exception_for_an_absent_package_is_a_warning_not_a_block() -> None:
    policy = policy_from(config_text(exception=("gone", EXPIRED_ON)))
    decided, code = decide_all(_scan(result("six", V)), policy, TODAY)
    assert code == 0
    assert decided.warnings[0] == "from the scan"
    assert "the exception for gone" in decided.warnings[1]
    assert "matches no package in this scan" in decided.warnings[1]
    # an unexpired one for an absent package says nothing
    policy = policy_from(config_text(exception=("gone", VALID_UNTIL)))
    assert decide_all(_scan(result("six", V)), policy, TODAY)[0].warnings == ("from the scan",)


def test_package_without_files_in_critical_tier_is_incomplete() -> None:
    res = result("requests", note="the index lists no files for requests 1.0")
    policy = policy_from(config_text())
    decision = decide(res, policy, TODAY)
    assert (decision.action, decision.rule) == (WARN, "critical:verified")
    assert "the index lists no files" in decision.reasons[0]
    assert decide_all(_scan(res), policy, TODAY)[1] == 3


def test_verified_without_identity_but_checked_by_verifier_counts_as_pinned() -> None:
    policy = policy_from(config_text(publishers={"requests": PIN_A}))
    res = result("requests", V)
    unchecked = replace(res, findings=(replace(res.findings[0], publisher=None),))
    checked = replace(
        res, findings=(replace(res.findings[0], publisher=None, identity_checked=True),)
    )
    assert decide(checked, policy, TODAY).action is ALLOW
    # a verified file whose identity nobody knows cannot be compared with the pin
    decision = decide(unchecked, policy, TODAY)
    assert (decision.action, decision.rule) == (WARN, "critical:verified")
    assert decide_all(_scan(unchecked), policy, TODAY)[1] == 3
