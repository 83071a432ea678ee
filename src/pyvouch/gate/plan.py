"""What the gate asks of a policy, and the hash-pinned requirements file it hands pip.

"Unverified" for the gate: a file whose status is anything but ``verified``. By default the
gate enforces, and both tiers require ``verified`` (a ``verified-pinned`` critical tier stays
so), whatever the policy file says of its mode and tiers: the file's mode and long-tail
requirement describe a phased rollout of `pyvouch scan`, and a gate that let an unattested
file through because the rollout is still collecting would not be a gate. What may relax it:
``--mode``/``--require-*`` flags on the command line (one run, visible in the shell history),
and the policy's exceptions (named, owned, expiring). Pins from the policy, the pin file and
``--pin`` apply as in `pyvouch scan`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from pyvouch.errors import UsageError
from pyvouch.model import PackageResult, Status
from pyvouch.policy.schema import Mode, Policy, Require, Tier
from pyvouch.sources.pip_report import ReportItem


@dataclass(frozen=True, slots=True)
class GateFlags:
    """Which gate defaults the command line overrode."""

    mode_given: bool
    require_critical_given: bool
    require_long_tail_given: bool
    allow_not_indexed: bool = False
    """--allow-not-indexed: an unpinned, non-critical archive from outside the index warns
    instead of blocking (a pinned or critical one still blocks; an exception admits it)."""


def _at_least_verified(tier: Tier) -> Tier:
    if tier.require.must_verify:
        return tier
    return replace(tier, require=Require.VERIFIED)


def gate_policy(policy: Policy, flags: GateFlags) -> Policy:
    """``policy`` (flags already laid over it) with the gate's floor where no flag spoke."""
    out = policy
    if not flags.mode_given:
        out = replace(out, mode=Mode.ENFORCE)
    if not flags.require_critical_given:
        out = replace(out, critical=_at_least_verified(out.critical))
    if not flags.require_long_tail_given:
        out = replace(out, long_tail=_at_least_verified(out.long_tail))
    if flags.allow_not_indexed:
        out = replace(out, allow_not_indexed=True)
    return out


def refuse_unpinnable(items: Iterable[ReportItem], allow_not_indexed: bool) -> None:
    """Items pip would take from outside the index: refused (exit 2) unless allowed, and a
    directory, VCS checkout or editable always (pip cannot pin them by hash)."""
    for item in items:
        if item.origin is None:
            continue
        if not item.archive:
            raise UsageError(
                f"{item.name} {item.version} would be built from {item.origin}: pip cannot pin "
                "it by hash, so pyvouch install cannot gate it; install it separately"
            )
        if not allow_not_indexed:
            raise UsageError(
                f"{item.name} {item.version} comes from {item.origin}, not the index: there is "
                "nothing to verify; give --allow-not-indexed to install it pinned by its hash"
            )
        if item.sha256 is None:
            raise UsageError(f"{item.name} {item.version}: pip reported no sha256 for {item.url}")


def _pinned_digest(item: ReportItem, result: PackageResult) -> str:
    digests = {f.file.sha256 for f in result.findings if f.file.sha256}
    if item.origin is not None and item.sha256:
        digests = {item.sha256}
    if item.sha256 and digests != {item.sha256}:
        # The scan checks the digest pip reported; anything else is a bug, never a pin.
        raise UsageError(f"{item.name}: the checked digest is not the one pip reported")
    if len(digests) != 1:
        raise UsageError(f"{item.name} {item.version}: no single checked sha256 to pin")
    return digests.pop()


def requirements_text(items: list[ReportItem], results: tuple[PackageResult, ...]) -> str:
    """``name==version --hash=sha256:DIGEST`` for every item, the digest the scan checked
    (``name @ URL --hash`` for an allowed not-indexed archive)."""
    lines = [
        "# Written by pyvouch install. pip runs with --require-hashes --no-deps: it installs",
        "# these exact files or nothing.",
    ]
    for item, result in zip(items, results, strict=True):
        digest = _pinned_digest(item, result)
        status = result.status.value if result.findings else Status.NOT_INDEXED.value
        spec = f"{item.name} @ {item.url}" if item.origin else f"{item.name}=={item.version}"
        lines.append(f"# {item.filename}: {status}")
        lines.append(f"{spec} \\\n    --hash=sha256:{digest}")
    return "\n".join(lines) + "\n"
