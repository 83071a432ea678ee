"""The nouns every module shares: packages, files, publishers, statuses, findings, decisions.

These are plain immutable values. Nothing here does I/O.

Every URL and free text that enters the model is redacted on construction
(`pyvouch.redact`): credentials in a lock's direct URLs or in a reason never reach a report.
Whoever must fetch with credentials keeps its own copy (the index client, pip's report).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

from pyvouch.redact import redact_text


def _redact(obj: object, *names: str) -> None:
    """Redact the named string fields of a frozen dataclass in place (in __post_init__)."""
    for name in names:
        value = getattr(obj, name)
        if isinstance(value, str):
            clean = redact_text(value)
            if clean is not value:
                object.__setattr__(obj, name, clean)


class Status(StrEnum):
    """The one status vocabulary (see DESIGN.md). Ordered from best to worst for roll-ups."""

    VERIFIED = "verified"
    """An attestation verified for this exact digest (and matched the expected identity)."""
    MISMATCH = "mismatch"
    """The signature verified but the publisher identity is not the expected one."""
    INVALID = "invalid"
    """An attestation is present but fails verification."""
    UNATTESTED = "unattested"
    """The index serves PEP 740 and has no provenance for this file."""
    LEGACY_SIGNED = "legacy-signed"
    """Only an old PGP signature exists; counts as unattested for policy."""
    UNKNOWN = "unknown"
    """Nobody can tell: the index does not serve PEP 740, or the lookup failed."""
    NOT_INDEXED = "not-indexed"
    """A local path, VCS checkout, editable or direct URL: nothing to look up."""


class SignatureKind(StrEnum):
    """What a finding's verdict rests on (shown beside the status in every output)."""

    PEP740 = "pep740"
    """PEP 740 attestations the index serves (or given as files)."""
    SIGSTORE_BUNDLE = "sigstore-bundle"
    """A Sigstore bundle beside the file on the index (``FILE.sigstore.json``)."""
    COSIGN_SIG = "cosign-sig"
    """cosign's detached signature beside the file (``FILE.sig``, with ``FILE.crt`` or a key)."""


@dataclass(frozen=True, slots=True)
class FileRef:
    """One distribution file as a source records it."""

    filename: str
    sha256: str | None = None
    url: str | None = None
    size: int | None = None
    other_digests: tuple[tuple[str, str], ...] = ()
    """Every digest the source records for this file besides sha256, as ``(hashlib name,
    lowercase hex)`` sorted by name (`pyvouch.digests`). An attestation covers sha256 only, so
    the scan never calls a file with any of these `verified`: it cannot tie them to the signed
    bytes without the bytes (see docs/sources.md, "Digests")."""

    def __post_init__(self) -> None:
        _redact(self, "url")


@dataclass(frozen=True, slots=True)
class Package:
    """A package as a source (lock file, SBOM, environment) names it."""

    name: str
    version: str | None
    files: tuple[FileRef, ...] = ()
    source: str | None = None
    """Where the package was declared (lock file path), for messages."""
    origin: str | None = None
    """None for an index package; otherwise why it is not indexed (path, vcs, url, editable)."""
    index_url: str | None = None
    """The index the source says this package comes from, when it says."""
    attestation_identities: tuple[dict[str, Any], ...] = ()
    """Pinned identities recorded by the source (PEP 751 `attestation-identities`)."""
    hashes: tuple[str, ...] = ()
    """SHA-256 digests the source pins without naming their files (Pipfile.lock, requirements
    `--hash`, SBOM component hashes). The scan matches them to the index's files by digest.
    A hash-only pin in another algorithm is a `FileRef` without a filename or sha256 whose
    ``other_digests`` hold it."""
    marker: str | None = None
    """The environment marker under which the source installs this package; None = always."""
    installed: str | None = None
    """An installed distribution's ``.dist-info`` directory (environment scans): the scan then
    compares the installed files with the verified wheel (`pyvouch.installed`)."""

    def __post_init__(self) -> None:
        _redact(self, "origin", "index_url", "source")


@dataclass(frozen=True, slots=True)
class Publisher:
    """A publisher identity: what a Trusted Publisher names, or what a certificate proves.

    ``kind`` is one of ``GitHub``, ``GitLab``, ``Google``, ``CircleCI`` for the Trusted
    Publisher kinds, or ``Other`` for an identity outside them (an email, a private issuer).
    ``workflow`` is GitHub's workflow filename or GitLab's workflow file path.
    ``environment`` is None when not stated (not checked); ``""`` means "no environment".
    """

    kind: str
    repository: str | None = None
    workflow: str | None = None
    environment: str | None = None
    email: str | None = None
    project_id: str | None = None
    pipeline_definition_id: str | None = None
    issuer: str | None = None
    subject: str | None = None
    """The certificate's subject (SAN) when the identity was read from a certificate."""

    def to_spec(self) -> str:
        """The shorthand form `pyvouch verify --publisher` accepts."""
        if self.kind == "GitHub" and self.repository:
            spec = f"github:{self.repository}"
        elif self.kind == "GitLab" and self.repository:
            spec = f"gitlab:{self.repository}"
        elif self.kind == "Google" and self.email:
            return f"google:{self.email}"
        elif self.kind == "CircleCI" and self.project_id:
            return f"circleci:{self.project_id}:{self.pipeline_definition_id or ''}"
        else:
            return f"{self.issuer or '?'} {self.subject or self.email or '?'}"
        if self.workflow:
            spec += f":{self.workflow}"
        if self.environment:
            spec += f"@{self.environment}"
        return spec

    def to_dict(self) -> dict[str, str]:
        """The PEP 740 publisher fields that are set (plus issuer/subject when known)."""
        values = ((key, getattr(self, key)) for key in PUBLISHER_FIELDS)
        return {key: value for key, value in values if value is not None}


PUBLISHER_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Publisher))
"""`Publisher`'s fields, ``kind`` first: the keys of its JSON form (`Publisher.to_dict`)."""


@dataclass(frozen=True, slots=True)
class AttestationInfo:
    """What one attestation said, whether or not it verified."""

    predicate_type: str | None
    publisher: Publisher | None
    log_index: int | None = None
    integrated_time: int | None = None
    verified: bool = False
    error: str | None = None

    def __post_init__(self) -> None:
        _redact(self, "error")

    def to_dict(self) -> dict[str, Any]:
        """The attestation as JSON: the one form every output and the verdict cache use."""
        return {
            "predicate_type": self.predicate_type,
            "publisher": self.publisher.to_dict() if self.publisher else None,
            "log_index": self.log_index,
            "integrated_time": self.integrated_time,
            "verified": self.verified,
            "error": self.error,
        }


@dataclass(frozen=True, slots=True)
class Finding:
    """The result for one file."""

    file: FileRef
    status: Status
    reason: str
    publisher: Publisher | None = None
    attestations: tuple[AttestationInfo, ...] = ()
    identity_checked: bool = False
    """True only when an expected identity was given and matched."""
    signature_kind: SignatureKind | None = None
    """What the verdict rests on; None when no signature was found to judge."""

    def __post_init__(self) -> None:
        _redact(self, "reason")

    def to_dict(self) -> dict[str, Any]:
        """The verdict as JSON (without the file, which each output names its own way): the
        one form every output and the verdict cache use."""
        return {
            "status": self.status.value,
            "reason": self.reason,
            "publisher": self.publisher.to_dict() if self.publisher else None,
            "identity_checked": self.identity_checked,
            "signature_kind": self.signature_kind.value if self.signature_kind else None,
            "attestations": [a.to_dict() for a in self.attestations],
        }


class Action(StrEnum):
    ALLOW = "allow"
    WARN = "warn"
    BLOCK = "block"


class Severity(StrEnum):
    """How much a finding of a checker matters (`workflow lint`, `check`, report levels).

    Declared worst first: ``error`` fails the command, ``warning`` fails it only when asked
    (``--strict``), ``info`` is context that needs no change.
    """

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule of a checker (workflow lint, the SARIF rules of a scan): what its findings are."""

    id: str
    name: str
    severity: Severity
    """The default severity of its findings."""
    summary: str


@dataclass(frozen=True, slots=True)
class Decision:
    """The policy's verdict for one package, with the rule that decided it."""

    package: Package
    action: Action
    rule: str
    reasons: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "reasons", tuple(redact_text(r) for r in self.reasons))


class Coverage(StrEnum):
    """How much of a package's files carry verified attestations."""

    ALL = "all"
    SOME = "some"
    NONE = "none"
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "n/a"


# Worst first: the package status is the worst status among its files.
_SEVERITY: tuple[Status, ...] = (
    Status.INVALID,
    Status.MISMATCH,
    Status.UNKNOWN,
    Status.UNATTESTED,
    Status.LEGACY_SIGNED,
    Status.VERIFIED,
    Status.NOT_INDEXED,
)


def worst_status(statuses: list[Status] | tuple[Status, ...]) -> Status:
    """The roll-up of several file statuses: the worst one (UNKNOWN when there are none)."""
    if not statuses:
        return Status.UNKNOWN
    return min(statuses, key=_SEVERITY.index)


@dataclass(frozen=True, slots=True)
class PackageResult:
    """One package after the spine: its findings per file, roll-ups and (optionally) a decision."""

    package: Package
    findings: tuple[Finding, ...]
    decision: Decision | None = None
    note: str | None = None
    """Why there are no findings, when there are none (e.g. the release has no files)."""

    def __post_init__(self) -> None:
        _redact(self, "note")

    @property
    def status(self) -> Status:
        if self.package.origin is not None:
            return Status.NOT_INDEXED
        return worst_status(tuple(f.status for f in self.findings))

    @property
    def coverage(self) -> Coverage:
        if self.package.origin is not None:
            return Coverage.NOT_APPLICABLE
        statuses = [f.status for f in self.findings]
        verified = sum(s is Status.VERIFIED for s in statuses)
        if statuses and verified == len(statuses):
            return Coverage.ALL
        if verified:
            return Coverage.SOME
        if not statuses or Status.UNKNOWN in statuses:
            return Coverage.UNKNOWN
        return Coverage.NONE


@dataclass(frozen=True, slots=True)
class ScanRun:
    """One run of a scan: its idempotency key (a UUID, in the JSON report's ``run.id`` and the
    CycloneDX serial number) and when and by what it ran. Recording the same run twice into a
    history store is one scan."""

    id: str
    scanned_at: str
    """ISO 8601, UTC, seconds."""
    pyvouch_version: str
    sigstore_version: str | None


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Everything a scan found; every report format renders exactly this."""

    source: str
    source_format: str
    index_url: str
    packages: tuple[PackageResult, ...]
    warnings: tuple[str, ...] = ()
    mode: str = "collect"
    run: ScanRun | None = None
    """Set by `pyvouch scan` (the spine alone leaves it out)."""

    def __post_init__(self) -> None:
        _redact(self, "source", "index_url")
        object.__setattr__(self, "warnings", tuple(redact_text(w) for w in self.warnings))

    def count(self, status: Status) -> int:
        return sum(p.status is status for p in self.packages)


@dataclass(frozen=True, slots=True)
class ReleaseFiles:
    """One release of a project and the finding of each of its files."""

    version: str
    findings: tuple[Finding, ...]


@dataclass(frozen=True, slots=True)
class History:
    """A project's recent releases on the index (`pyvouch readiness` judges it)."""

    name: str
    """Normalized project name."""
    releases: tuple[ReleaseFiles, ...] = ()
    """The last N releases, newest first."""
    locked: ReleaseFiles | None = None
    """The locked release when it is older than the last N (else it is among them)."""
    locked_version: str | None = None
    error: str | None = None
    """Why the project page could not be read (then there are no releases)."""
    total_releases: int = 0
    """How many (unyanked) releases the index lists."""
