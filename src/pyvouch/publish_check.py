"""`pyvouch check DIST_DIR`: is this folder fit to upload as it is?

What upload tools take from a ``dist/`` folder is everything in it: twine and
gh-action-pypi-publish upload every dist and every ``<dist>.*.attestation`` beside it. Once a
file is on PyPI it can never be replaced, so the folder is checked before the upload:

- every name parses as a wheel or sdist (``packaging.utils``), and all are one project and
  one version;
- a wheel's METADATA and an sdist's PKG-INFO exist and name the same project and version as
  the file name;
- wheels come with an sdist of the same version and the other way round (warning);
- no stray files (anything else would be handed to the upload tool by ``dist/*``);
- every attestation beside a dist verifies for that file's digest (against ``--publisher``
  when given), and no attestation is a staging or test signature: uploaded with the file it
  would either be refused or stay published with it for good.
"""

from __future__ import annotations

import tarfile
import zipfile
import zlib
from dataclasses import dataclass, field
from email.parser import HeaderParser
from pathlib import Path

from packaging.utils import (
    NormalizedName,
    canonicalize_name,
)
from packaging.version import InvalidVersion, Version

from pyvouch.dist_names import DistNameError, is_dist_name, parse_dist_name
from pyvouch.errors import InputError, PyvouchError
from pyvouch.limits import MAX_DIST_METADATA_BYTES
from pyvouch.model import Publisher, Severity, Status
from pyvouch.verify.attestations import AttestationVerifier, digest_file
from pyvouch.verify.load import LoadedAttestation, load_attestation_file
from pyvouch.verify.trust import load_trust_root


@dataclass(frozen=True, slots=True)
class CheckFinding:
    level: Severity
    file: str
    message: str


@dataclass(frozen=True, slots=True)
class Dist:
    path: Path
    kind: str  # "wheel" or "sdist"
    name: NormalizedName
    version: Version


@dataclass(slots=True)
class CheckResult:
    directory: Path
    dists: list[Dist] = field(default_factory=list)
    attestations: list[Path] = field(default_factory=list)
    findings: list[CheckFinding] = field(default_factory=list)
    verified: list[str] = field(default_factory=list)

    def add(self, level: Severity, file: str, message: str) -> None:
        self.findings.append(CheckFinding(level, file, message))

    def count(self, level: Severity) -> int:
        return sum(f.level is level for f in self.findings)

    def verdict(self) -> str:
        errors, warnings = self.count(Severity.ERROR), self.count(Severity.WARNING)
        if errors:
            return "NOT ready to upload"
        return "uploadable, with warnings" if warnings else "ready to upload"

    def failed(self, strict: bool) -> bool:
        failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
        return any(f.level in failing for f in self.findings)


def _parse_name(path: Path) -> Dist | str | None:
    """A Dist, None when the name is no dist at all, or why a dist-like name is malformed."""
    if not is_dist_name(path.name):
        return None
    try:
        parsed = parse_dist_name(path.name)
    except DistNameError as err:
        return str(err)
    return Dist(path, parsed.kind, parsed.project, parsed.version)


def _headers(data: bytes) -> tuple[str | None, str | None]:
    message = HeaderParser().parsestr(data.decode("utf-8", errors="replace"))
    return message.get("Name"), message.get("Version")


def _wheel_metadata(dist: Dist) -> tuple[str | None, str | None] | str:
    try:
        with zipfile.ZipFile(dist.path) as archive:
            names = [
                n
                for n in archive.namelist()
                if n.count("/") == 1 and n.endswith(".dist-info/METADATA")
            ]
            if len(names) != 1:
                return f"has {len(names)} *.dist-info/METADATA files, not one"
            info = archive.getinfo(names[0])
            if info.file_size > MAX_DIST_METADATA_BYTES:
                return "its METADATA is implausibly large"
            return _headers(archive.read(names[0]))
    # zlib.error: corrupt deflate data; NotImplementedError / RuntimeError: compression or
    # encryption zipfile cannot read
    except (
        zipfile.BadZipFile,
        OSError,
        KeyError,
        zlib.error,
        NotImplementedError,
        RuntimeError,
    ) as err:
        return f"is not a readable zip archive ({err})"


def _sdist_metadata(dist: Dist) -> tuple[str | None, str | None] | str:
    try:
        if dist.path.name.endswith(".zip"):
            with zipfile.ZipFile(dist.path) as archive:
                names = [n for n in archive.namelist() if n.count("/") == 1]
                pkg = [n for n in names if n.endswith("/PKG-INFO")]
                if not pkg:
                    return "has no PKG-INFO at its top level"
                return _headers(archive.read(pkg[0]))
        with tarfile.open(dist.path, "r:gz") as archive:
            for member in archive:
                parts = member.name.strip("/").split("/")
                if len(parts) == 2 and parts[1] == "PKG-INFO" and member.isfile():
                    if member.size > MAX_DIST_METADATA_BYTES:
                        return "its PKG-INFO is implausibly large"
                    handle = archive.extractfile(member)
                    if handle is None:
                        return "its PKG-INFO cannot be read"
                    return _headers(handle.read())
        return "has no PKG-INFO in its top-level directory (not built by an sdist builder?)"
    except (tarfile.TarError, OSError, EOFError) as err:
        return f"is not a readable archive ({err})"


def _check_metadata(result: CheckResult, dist: Dist) -> None:
    got = _wheel_metadata(dist) if dist.kind == "wheel" else _sdist_metadata(dist)
    what = "METADATA" if dist.kind == "wheel" else "PKG-INFO"
    if isinstance(got, str):
        result.add(Severity.ERROR, dist.path.name, f"the {dist.kind} {got}")
        return
    name, version = got
    if not name or not version:
        result.add(Severity.ERROR, dist.path.name, f"its {what} has no Name or Version")
        return
    if canonicalize_name(name) != dist.name:
        result.add(
            Severity.ERROR,
            dist.path.name,
            f"its {what} names project {name!r}, the file name says {dist.name!r}",
        )
    try:
        same = Version(version) == dist.version
    except InvalidVersion:
        same = False
    if not same:
        result.add(
            Severity.ERROR,
            dist.path.name,
            f"its {what} says version {version}, the file name says {dist.version}",
        )


def _attestation_owner(path: Path, dists: dict[str, Dist]) -> Dist | None:
    """The dist a ``<dist>.<kind>.attestation`` file belongs to."""
    stem = path.name[: -len(".attestation")]
    base = stem.rsplit(".", 1)[0] if "." in stem else stem
    return dists.get(base)


class _Verifiers:
    """Production first; staging only to tell a test signature apart from a broken one."""

    def __init__(self, trust_root: Path | None) -> None:
        self.trust_root = trust_root
        self._production: AttestationVerifier | None = None
        self._staging: AttestationVerifier | None = None

    @property
    def production(self) -> AttestationVerifier:
        if self._production is None:
            self._production = AttestationVerifier(load_trust_root(trust_root_file=self.trust_root))
        return self._production

    @property
    def staging(self) -> AttestationVerifier | None:
        if self.trust_root is not None:
            return None
        if self._staging is None:
            try:
                self._staging = AttestationVerifier(load_trust_root(staging=True))
            except PyvouchError:
                return None
        return self._staging


def _check_attestation(
    result: CheckResult,
    path: Path,
    dist: Dist,
    loaded: tuple[LoadedAttestation, ...],
    verifiers: _Verifiers,
    expected: Publisher | None,
) -> None:
    digest = digest_file(dist.path)
    finding = verifiers.production.verify_file(digest, loaded, expected)
    root = verifiers.production.root
    if finding.status is Status.VERIFIED:
        note = "" if finding.identity_checked else " (no --publisher given: identity not checked)"
        result.verified.append(f"{path.name}: {finding.reason}{note}")
        return
    if finding.status is Status.INVALID and root.name == "production":
        staging = verifiers.staging
        if staging is not None:
            on_staging = staging.verify_file(digest, loaded, None)
            if on_staging.status is Status.VERIFIED:
                signer = on_staging.publisher.to_spec() if on_staging.publisher else "?"
                result.add(
                    Severity.ERROR,
                    path.name,
                    f"is a TEST signature: it verifies only on Sigstore's staging instance "
                    f"(signed by {signer}). Upload tools send every attestation beside the "
                    "dists: PyPI would refuse the upload, and an index that keeps it would "
                    "publish a test signature with the file for good. Remove it and sign "
                    "with production Sigstore (or keep test signatures outside dist/).",
                )
                return
    result.add(
        Severity.ERROR,
        path.name,
        f"does not verify for {dist.path.name} ({finding.status.value}): {finding.reason}",
    )


def check_dist_dir(
    directory: Path,
    *,
    expected: Publisher | None = None,
    trust_root: Path | None = None,
) -> CheckResult:
    if not directory.exists():
        raise InputError(directory, "no such directory")
    if not directory.is_dir():
        raise InputError(directory, "is not a directory (give the folder you upload, e.g. dist/)")
    result = CheckResult(directory)
    try:
        entries = sorted(directory.iterdir())
    except OSError as err:
        raise InputError(directory, f"cannot list ({err.strerror or err})") from None
    dists: dict[str, Dist] = {}
    for entry in entries:
        if entry.is_dir():
            result.add(
                Severity.INFO,
                entry.name + "/",
                "a subdirectory: `dist/*` hands it to the upload tool, which fails on it",
            )
            continue
        if entry.name.endswith(".attestation"):
            result.attestations.append(entry)
            continue
        parsed = _parse_name(entry)
        if isinstance(parsed, Dist):
            dists[entry.name] = parsed
            result.dists.append(parsed)
        elif isinstance(parsed, str):
            result.add(Severity.ERROR, entry.name, f"not a valid distribution file name: {parsed}")
        elif entry.name.endswith(".asc"):
            result.add(
                Severity.WARNING,
                entry.name,
                "a PGP signature: PyPI no longer accepts them; remove it before the upload",
            )
        elif not entry.name.startswith("."):
            result.add(
                Severity.WARNING,
                entry.name,
                "not a wheel, sdist or attestation: an upload of `dist/*` would send it too "
                "(and twine stops at an unknown file type); remove it",
            )
    if not result.dists:
        raise InputError(directory, "no wheels or sdists in this directory")

    projects = sorted({(d.name, str(d.version)) for d in result.dists})
    if len({p for p, _ in projects}) > 1:
        result.add(
            Severity.ERROR,
            str(directory),
            "holds more than one project: "
            + ", ".join(sorted({p for p, _ in projects}))
            + "; upload one project at a time",
        )
    elif len(projects) > 1:
        result.add(
            Severity.ERROR,
            str(directory),
            "holds more than one version: "
            + ", ".join(v for _, v in projects)
            + "; stale files from an older build would be uploaded too",
        )
    for dist in result.dists:
        _check_metadata(result, dist)
    for name, version in projects:
        kinds = {d.kind for d in result.dists if d.name == name and str(d.version) == version}
        if kinds == {"wheel"}:
            result.add(
                Severity.WARNING,
                str(directory),
                f"{name} {version}: wheels but no sdist; build one too (`python -m build` "
                "makes both)",
            )
        elif kinds == {"sdist"}:
            result.add(
                Severity.WARNING,
                str(directory),
                f"{name} {version}: an sdist but no wheel; build one too (`python -m build` "
                "makes both)",
            )

    verifiers = _Verifiers(trust_root)
    for path in result.attestations:
        owner = _attestation_owner(path, dists)
        if owner is None:
            result.add(
                Severity.ERROR,
                path.name,
                "an attestation whose distribution is not in this directory; remove it",
            )
            continue
        try:
            loaded = load_attestation_file(path).attestations
        except InputError as err:
            result.add(Severity.ERROR, path.name, f"unreadable attestation: {err.problem}")
            continue
        _check_attestation(result, path, owner, loaded, verifiers, expected)
    return result
