"""What every report format shares: options, status wording, counts and reasons.

Every format states what was proven and nothing more: ``unknown`` is worded as "could not be
checked", never as unattested, and ``verified`` without a checked identity says so.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from pyvouch.jsontext import indented
from pyvouch.model import Action, Finding, PackageResult, ScanResult, Status

E = TypeVar("E", bound=StrEnum)

SCHEMA_ID = "pyvouch-scan/1"
"""The version tag of pyvouch's JSON scan output."""

IDENTITY_NOT_CHECKED = "verified (identity not checked)"


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """Presentation knobs. Formats ignore the ones that do not apply to them."""

    color: bool = False
    """Colour in human formats (the table); NO_COLOR in the environment still wins."""
    width: int | None = None
    """Line width for the table; None lets rich take COLUMNS or 80."""
    max_rows: int = 200
    """The longest table a Markdown report shows before "... and N more"."""
    base_dir: str | None = None
    """Directory that relative locations (SARIF artifact URIs) are made relative to."""
    compact: bool = False
    """The table as one greppable line per package with the reason shortened (for CI logs
    and files); the default when the output is not a terminal."""
    verbose: bool = False
    """With ``compact``: the whole reason, and one indented line per file that did not
    verify."""


DEFAULT_OPTIONS = RenderOptions()

STATUS_ORDER: tuple[Status, ...] = tuple(Status)
"""Statuses in the order summaries list them (best first, as the enum declares them)."""


def tally(values: Iterable[E], order: Iterable[E]) -> dict[str, int]:
    """How often each member of ``order`` occurs in ``values``: every member present (zero when
    none), in ``order``, keyed by its value. The ``summary`` of every JSON output."""
    counts = Counter(values)
    return {member.value: counts.get(member, 0) for member in order}


def summary_counts(result: ScanResult) -> dict[str, int]:
    """Packages per status, every status present (zero when none), in STATUS_ORDER."""
    return tally((p.status for p in result.packages), STATUS_ORDER)


def summary_line(result: ScanResult) -> str:
    """E.g. ``3 packages: 2 verified, 1 unknown`` (only the statuses that occur); in collect
    mode, when the policy blocked packages, ``...; collect: 1 package would block in enforce``
    (collect exits 0 whatever it found, so the line says what enforce would have done)."""
    total = len(result.packages)
    noun = "package" if total == 1 else "packages"
    parts = [f"{n} {status}" for status, n in summary_counts(result).items() if n]
    line = f"{total} {noun}: {', '.join(parts)}" if parts else f"0 {noun}"
    blocked = would_block(result)
    if blocked:
        what = "package" if blocked == 1 else "packages"
        line += f"; collect: {blocked} {what} would block in enforce"
    return line


def would_block(result: ScanResult) -> int:
    """In collect mode, the packages the policy blocks (shown, not enforced); else 0."""
    if result.mode != "collect":
        return 0
    return sum(
        p.decision is not None and p.decision.action is Action.BLOCK for p in result.packages
    )


def identity_unchecked(findings: tuple[Finding, ...]) -> bool:
    """True when some verified finding was not checked against an expected identity."""
    return any(f.status is Status.VERIFIED and not f.identity_checked for f in findings)


def finding_label(finding: Finding) -> str:
    """The status of one file as a person should read it."""
    if finding.status is Status.VERIFIED and not finding.identity_checked:
        return IDENTITY_NOT_CHECKED
    return finding.status.value


def package_label(pkg: PackageResult) -> str:
    """The package's rolled-up status as a person should read it."""
    status = pkg.status
    if status is Status.VERIFIED and identity_unchecked(pkg.findings):
        return IDENTITY_NOT_CHECKED
    return status.value


def package_reason(pkg: PackageResult) -> str:
    """The main reason for the package's status: those of its worst files, deduplicated."""
    if pkg.package.origin is not None:
        return f"not looked up: {pkg.package.origin}"
    if not pkg.findings:
        return pkg.note or "no files to check"
    status = pkg.status
    reasons: list[str] = []
    for finding in pkg.findings:
        if finding.status is status and finding.reason and finding.reason not in reasons:
            reasons.append(finding.reason)
    worst = sum(f.status is status for f in pkg.findings)
    text = "; ".join(reasons)
    if len(pkg.findings) > 1 and worst < len(pkg.findings):
        text = f"{text} ({worst} of {len(pkg.findings)} files)" if text else text
    return text or (pkg.note or "")


def signature_kinds(pkg: PackageResult) -> list[str]:
    """The kinds of signature the package's verdicts rest on (pep740, sigstore-bundle,
    cosign-sig), in file order, once each."""
    return list(dict.fromkeys(f.signature_kind.value for f in pkg.findings if f.signature_kind))


def with_kinds(text: str, pkg: PackageResult) -> str:
    """``text`` followed by the package's signature kinds in brackets, when there are any."""
    kinds = signature_kinds(pkg)
    if not kinds:
        return text
    return f"{text} [{', '.join(kinds)}]" if text else f"[{', '.join(kinds)}]"


def package_publishers(pkg: PackageResult) -> list[str]:
    """Distinct publisher specs seen on the package's files, in file order."""
    specs: list[str] = []
    for finding in pkg.findings:
        if finding.publisher is not None:
            spec = finding.publisher.to_spec()
            if spec not in specs:
                specs.append(spec)
    return specs


def unknown_statement(result: ScanResult, *, top: int = 3) -> str | None:
    """ "N packages could not be checked: <main reasons>", or None when none is unknown."""
    unknown = [p for p in result.packages if p.status is Status.UNKNOWN]
    if not unknown:
        return None
    reasons: Counter[str] = Counter()
    for pkg in unknown:
        reasons[package_reason(pkg) or "no reason recorded"] += 1
    shown = [f"{reason} ({n})" if n > 1 else reason for reason, n in reasons.most_common(top)]
    more = len(reasons) - len(shown)
    if more > 0:
        shown.append(f"{more} other reason{'s' if more > 1 else ''}")
    noun = "package" if len(unknown) == 1 else "packages"
    return f"{len(unknown)} {noun} could not be checked: {'; '.join(shown)}"


_SPACES = re.compile(r"[\r\n\t\v\f\x1c-\x1f\x85\u2028\u2029]+")


def one_line(text: str) -> str:
    """``text`` on one line, safe for a terminal or a document: line breaks and tabs become a
    space, other characters that are not printable (controls such as ESC, bidirectional
    overrides, zero-width ones) a ``?``."""
    flat = _SPACES.sub(" ", text)
    return "".join(c if c.isprintable() else "?" for c in flat)


def display_version(pkg: PackageResult) -> str:
    return pkg.package.version or "-"


def json_text(document: Any) -> str:
    """How every JSON output is written: indented, UTF-8 kept as is, one trailing newline."""
    return indented(document) + "\n"
