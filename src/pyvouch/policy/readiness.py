"""Is a dependency ready to be enforced? Judge its recent release history; suggest a policy.

Verdicts (``window`` = the last K releases, default 3; the history = the last N, default 10):

- ``ready``: every file of the last K releases verified, and every verified file in the
  history proves the same publisher identity; the locked release (when known) verified too;
- ``close``: the newest release carries a verified attestation, but something is short of
  ready: a release or file without one in the window, an identity change in the history, an
  invalid attestation, or an unsigned locked release;
- ``not-ready``: older releases were signed but the newest is not (it stopped signing, or
  its attestation fails verification);
- ``never-signs``: the index serves PEP 740 and no file of the history carries an attestation;
- ``cannot-tell``: the index does not serve provenance (or could not be asked), so nothing can
  be said. This is never reported as ``never-signs``.

Pure: histories in, assessments and TOML text out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from pyvouch.errors import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK
from pyvouch.model import Finding, History, ReleaseFiles, Status
from pyvouch.policy.pin_choice import identity_record, record_spec


class Verdict(StrEnum):
    READY = "ready"
    CLOSE = "close"
    NOT_READY = "not-ready"
    NEVER = "never-signs"
    CANNOT_TELL = "cannot-tell"


class ReleaseState(StrEnum):
    SIGNED = "signed"
    """Every file verified."""
    PARTLY = "partly-signed"
    """Some files verified."""
    UNSIGNED = "unsigned"
    """The index serves PEP 740 and no file carries an attestation."""
    INVALID = "invalid"
    """An attestation fails verification (and none verified)."""
    UNKNOWN = "unknown"
    """Nobody can tell (provenance not served, or the lookup failed)."""


@dataclass(frozen=True, slots=True)
class ReleaseSummary:
    version: str
    state: ReleaseState
    files: int
    verified: int
    identities: tuple[str, ...]
    """Publisher specs the verified files prove."""
    problems: tuple[str, ...] = ()
    """Reasons of the files that did not verify."""


@dataclass(frozen=True, slots=True)
class Assessment:
    name: str
    verdict: Verdict
    reasons: tuple[str, ...]
    releases: tuple[ReleaseSummary, ...]
    """Newest first."""
    locked_version: str | None = None
    locked: ReleaseSummary | None = None
    identity: str | None = None
    """The publisher the newest release's verified files prove (when one)."""
    pin_spec: str | None = None
    """The identity as a `[publishers]` spec, when it is a Trusted Publisher."""
    signs_since: str | None = None
    """The oldest release of the unbroken run of fully signed releases by ``identity``."""
    changes: tuple[str, ...] = ()
    """Identity changes in the history, oldest first (``A -> B at VERSION``)."""
    total_releases: int = 0

    @property
    def signed_releases(self) -> int:
        return sum(r.verified > 0 for r in self.releases)

    @property
    def files(self) -> int:
        return sum(r.files for r in self.releases)

    @property
    def verified_files(self) -> int:
        return sum(r.verified for r in self.releases)


def summarize(release: ReleaseFiles) -> ReleaseSummary:
    findings = release.findings
    verified = [f for f in findings if f.status is Status.VERIFIED]
    identities = tuple(dict.fromkeys(_spec(f) for f in verified))
    problems = tuple(
        f"{f.status.value}: {f.file.filename}: {f.reason}"
        for f in findings
        if f.status is not Status.VERIFIED
    )
    if findings and len(verified) == len(findings):
        state = ReleaseState.SIGNED
    elif verified:
        state = ReleaseState.PARTLY
    elif any(f.status is Status.INVALID for f in findings):
        state = ReleaseState.INVALID
    elif findings and all(f.status in (Status.UNATTESTED, Status.LEGACY_SIGNED) for f in findings):
        state = ReleaseState.UNSIGNED
    else:
        state = ReleaseState.UNKNOWN
    return ReleaseSummary(
        release.version, state, len(findings), len(verified), identities, problems
    )


def _spec(finding: Finding) -> str:
    publisher = finding.publisher
    if publisher is None:  # pragma: no cover - a verified finding names its publisher
        return "an unrecorded identity"
    record = identity_record(publisher)
    return record_spec(record) if record is not None else publisher.to_spec()


def _changes(releases: Sequence[ReleaseSummary]) -> tuple[str, ...]:
    out: list[str] = []
    previous: tuple[str, ...] | None = None
    for release in reversed(releases):  # oldest first
        if not release.identities:
            continue
        if previous is not None and release.identities != previous:
            out.append(
                f"{' + '.join(previous)} -> {' + '.join(release.identities)} at {release.version}"
            )
        previous = release.identities
    return tuple(out)


def _signs_since(releases: Sequence[ReleaseSummary]) -> str | None:
    if not releases or releases[0].state is not ReleaseState.SIGNED:
        return None
    identity = releases[0].identities
    since = releases[0].version
    for release in releases[1:]:
        if release.state is not ReleaseState.SIGNED or release.identities != identity:
            break
        since = release.version
    return since


def _pin_spec(history: History) -> str | None:
    newest = history.releases[0] if history.releases else None
    if newest is None:
        return None
    specs = set()
    for f in newest.findings:
        if f.status is Status.VERIFIED and f.publisher is not None:
            record = identity_record(f.publisher)
            if record is None:
                return None
            specs.add(record_spec(record))
    return specs.pop() if len(specs) == 1 else None


def assess(history: History, window: int = 3) -> Assessment:
    """The verdict for one project's history."""
    releases = tuple(summarize(r) for r in history.releases)
    locked = summarize(history.locked) if history.locked is not None else None
    if history.locked_version is not None and locked is None:
        locked = next((r for r in releases if _same(r.version, history.locked_version)), None)
    base = Assessment(
        name=history.name,
        verdict=Verdict.CANNOT_TELL,
        reasons=(),
        releases=releases,
        locked_version=history.locked_version,
        locked=locked,
        changes=_changes(releases),
        signs_since=_signs_since(releases),
        total_releases=history.total_releases,
    )
    if history.error is not None:
        return replace(
            base,
            verdict=Verdict.CANNOT_TELL,
            reasons=(f"cannot tell: {history.error}",),
        )
    if not releases:
        return replace(
            base,
            verdict=Verdict.CANNOT_TELL,
            reasons=("cannot tell: the index lists no releases with distribution files",),
        )
    newest = releases[0]
    identity = " + ".join(newest.identities) if newest.identities else None
    base = replace(base, identity=identity, pin_spec=_pin_spec(history))
    verified_any = any(r.verified for r in releases)
    n = len(releases)
    history_text = f"the last {n} release{'s' if n != 1 else ''}"

    if not verified_any:
        unknown = [r for r in releases if r.state is ReleaseState.UNKNOWN]
        invalid = [r for r in releases if r.state is ReleaseState.INVALID]
        if invalid:
            return replace(
                base,
                verdict=Verdict.NOT_READY,
                reasons=(
                    f"attestations fail verification in {len(invalid)} of {history_text} "
                    f"({', '.join(r.version for r in invalid)}): {invalid[0].problems[0]}",
                ),
            )
        if unknown:
            return replace(
                base,
                verdict=Verdict.CANNOT_TELL,
                reasons=(f"cannot tell: {unknown[0].problems[0]}",),
            )
        return replace(
            base,
            verdict=Verdict.NEVER,
            reasons=(
                f"none of the {sum(r.files for r in releases)} files of {history_text} "
                "carries an attestation",
            ),
        )

    recent = releases[: min(window, n)]
    reasons: list[str] = []
    gaps = [r for r in recent if r.state is not ReleaseState.SIGNED]
    for r in gaps:
        reasons.append(_gap(r))
    identities = {i for r in releases for i in r.identities}
    if len(identities) > 1:
        reasons += [f"publisher changed: {c}" for c in base.changes] or [
            f"releases are signed by several identities: {', '.join(sorted(identities))}"
        ]
    gap_versions = {r.version for r in gaps}
    if (
        locked is not None
        and locked.state is not ReleaseState.SIGNED
        and locked.version not in gap_versions
    ):
        reasons.append(
            f"the locked release {locked.version} is {locked.state.value}; upgrade before enforcing"
        )
    if base.pin_spec is None and newest.verified:
        reasons.append(
            f"{newest.version} is signed by {identity}, which cannot be pinned as a "
            "Trusted Publisher"
        )
    if not reasons:
        k = len(recent)
        since = base.signs_since
        return replace(
            base,
            verdict=Verdict.READY,
            reasons=(
                f"every file of the last {k} release{'s' if k != 1 else ''} verified as "
                f"{identity}, the only publisher in {history_text}; signs since {since}",
            ),
        )
    if newest.verified:
        return replace(base, verdict=Verdict.CLOSE, reasons=tuple(reasons))
    last_signed = next(r for r in releases if r.verified)
    return replace(
        base,
        verdict=Verdict.NOT_READY,
        reasons=(
            f"stopped signing: {newest.version} is {newest.state.value}, last signed "
            f"release {last_signed.version}",
            *reasons,
        ),
    )


def _gap(r: ReleaseSummary) -> str:
    """Why a release in the window is not fully signed, in one short clause."""
    if r.state is ReleaseState.UNSIGNED:
        return f"{r.version} has no attestation"
    if r.state is ReleaseState.PARTLY:
        unsigned = ", ".join(p.split(": ")[1] for p in r.problems)
        return f"{r.version}: only {r.verified} of {r.files} files verified (not: {unsigned})"
    if r.state is ReleaseState.INVALID:
        return f"{r.version}: attestation fails verification ({r.problems[0]})"
    return f"{r.version}: cannot tell ({r.problems[0] if r.problems else 'no files'})"


def _same(a: str, b: str) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b


def assess_all(histories: Iterable[History], window: int = 3) -> list[Assessment]:
    return [assess(h, window) for h in histories]


def exit_code(assessments: Sequence[Assessment], *, critical_only: bool) -> int:
    """What `pyvouch readiness` exits with (docs/policy.md):

    - 1 with ``critical_only`` when a package of the critical tier is told and not ready
      (close, not-ready, never-signs): enforcing that tier now would block it;
    - else 3 when some package cannot be told: the answer is incomplete;
    - else 0: every package was told (or there was nothing to assess).

    Without ``critical_only`` a package that is not ready is the normal state of a lock's
    long tail, not a finding: only cannot-tell changes the exit code."""
    told = [a for a in assessments if a.verdict is not Verdict.CANNOT_TELL]
    if critical_only and any(a.verdict is not Verdict.READY for a in told):
        return EXIT_FINDINGS
    if len(told) < len(assessments):
        return EXIT_INCOMPLETE
    return EXIT_OK


def _toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def policy_snippet(
    assessments: Sequence[Assessment],
    *,
    pyproject: bool = True,
    critical: Sequence[str] = (),
) -> str:
    """TOML to paste: the critical tier (``critical`` + the ready packages) and the publisher
    of each ready package, with the close ones as comments."""
    prefix = "tool.pyvouch." if pyproject else ""
    ready = [a for a in assessments if a.verdict is Verdict.READY and a.pin_spec]
    close = [a for a in assessments if a.verdict is Verdict.CLOSE]
    names = list(dict.fromkeys([*critical, *(a.name for a in ready)]))
    lines = [
        f"# From `pyvouch readiness`: {len(ready)} of {len(assessments)} packages are ready to "
        "enforce (every file of their",
        "# recent releases verified, one publisher). Paste into your policy; pin them with",
        '# `pyvouch pin`, then set mode = "enforce".',
        f"[{prefix}tiers.critical]",
        "packages = [" + ", ".join(_toml_string(n) for n in names) + "]",
    ]
    for a in close:
        lines.append(f"# close, not yet: {a.name}")
        lines += [f"#   {reason}" for reason in a.reasons]
    lines += ["", f"[{prefix}publishers]"]
    for a in ready:
        assert a.pin_spec is not None
        lines.append(f"{_toml_string(a.name)} = {_toml_string(a.pin_spec)}")
    return "\n".join(lines) + "\n"
