"""A benchmark corpus: N packages with real dists, attestations and a static site.

``generate(CorpusConfig(packages=N, seed=S), out)`` writes::

    OUT/dists/            every sdist and wheel, and <dist>.publish.attestation beside the attested
    OUT/site/             the static PEP 503/691/740 site (`pyvouch index build`, dists hard-linked)
    OUT/trusted_root.json the test authority's trusted root: the only root the corpus verifies under
    OUT/manifest.json     what every file is and what it must verify as

Every package has a tiny but valid sdist (``PKG-INFO``, ``pyproject.toml``, one module) and
wheel (module, ``METADATA``, ``WHEEL``, ``RECORD``), built directly with tarfile/zipfile with
fixed times and owners. Each package is published by a GitHub repository; its attestations are
minted with one `TestAuthority` through sigstore's own ``Signer`` (one short-lived certificate
per release, for both its files, as a CI job signing a release does).

Shares (of packages, exclusive) change the package's latest release:

- ``unattested``: published without attestations;
- ``invalid``: attestations that do not verify, alternately a flipped bit in the DSSE
  signature (``bad-signature``) or a statement edited after signing (``altered-statement``);
  both still name the file and its digest, so ``pyvouch index build`` (which does not verify
  signatures) serves them;
- ``identity-changed``: signed by another repository (a fork took over); these packages get one
  more release, so the previous one, signed by the usual repository, is there to compare with.

Deterministic for a seed: names, versions, repositories, file bytes, which package gets which
share. Not deterministic: the signatures, keys, certificates and log entries (ECDSA is
randomised and the authority's keys are fresh), so attestation bytes and log indexes differ
between runs; the manifest holds nothing that varies.

Minting uses every core with ONE authority (one trusted root, one log): forked workers build
dists, get certificates from the authority's CA (its keys are inherited) and sign; each log entry
is sent over a pipe to the parent, which alone appends to the transparency log and answers with
the integrated entry, as Rekor would.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import multiprocessing
import os
import random
import tarfile
import traceback
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from pypi_attestations import Attestation, Distribution
from sigstore._internal.rekor import EntryRequestBody
from sigstore.models import ClientTrustConfig, TransparencyLogEntry
from sigstore.oidc import IdentityToken
from sigstore.sign import SigningContext

from pyvouch.testing.authority import AuthorityError, TestAuthority
from pyvouch.testing.local import LocalFulcio, LocalRekor, local_signing_context
from pyvouch.testing.oidc import github_claims

MAX_PACKAGES = 10_000
ATTESTATION_SUFFIX = ".publish.attestation"

ATTESTED = "attested"
UNATTESTED = "unattested"
INVALID = "invalid"
IDENTITY_CHANGED = "identity-changed"

BAD_SIGNATURE = "bad-signature"
ALTERED_STATEMENT = "altered-statement"

_CONSONANTS = "bcdfghjklmnprstvz"
_VOWELS = "aeiou"
_WORKFLOWS = ("release.yml", "publish.yml", "pypi.yml")
_ZIP_TIME = (2024, 1, 1, 0, 0, 0)
_TAR_MTIME = 1704067200  # 2024-01-01


@dataclass(frozen=True)
class CorpusConfig:
    packages: int
    seed: int = 0
    unattested: float = 0.1
    invalid: float = 0.02
    identity_changed: float = 0.05
    releases: int = 1
    """Releases per package (identity-changed packages get one more)."""

    def check(self) -> None:
        if not 1 <= self.packages <= MAX_PACKAGES:
            raise ValueError(f"packages must be 1..{MAX_PACKAGES}, not {self.packages}")
        if self.releases < 1:
            raise ValueError("releases must be at least 1")
        shares = (self.unattested, self.invalid, self.identity_changed)
        if any(s < 0 for s in shares) or sum(shares) > 1:
            raise ValueError("shares must be >= 0 and add up to at most 1")


@dataclass(frozen=True)
class Release:
    version: str
    signer: str | None
    """The GitHub repository that signs this release (None: published unattested)."""
    workflow: str
    kind: str
    """attested, unattested, invalid or identity-changed."""
    defect: str | None = None
    """For invalid releases: bad-signature or altered-statement."""


@dataclass(frozen=True)
class PlannedPackage:
    name: str
    repository: str
    workflow: str
    category: str
    releases: tuple[Release, ...]

    @property
    def publisher(self) -> str:
        """The usual publisher, as a pyvouch publisher spec (what a pin would name)."""
        return f"github:{self.repository}:{self.workflow}"


@dataclass(frozen=True)
class ManifestFile:
    project: str
    version: str
    filename: str
    sha256: str
    kind: str
    defect: str | None
    signed_by: str | None
    """Publisher spec of the certificate that signed it (None if unattested)."""
    publisher: str
    """The package's usual publisher spec."""
    expected: str
    """Status when verified with no expected publisher."""
    expected_pinned: str
    """Status when verified expecting ``publisher``."""


@dataclass
class Manifest:
    config: CorpusConfig
    packages: list[PlannedPackage]
    files: list[ManifestFile] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": "pyvouch-corpus/1",
            "config": asdict(self.config),
            "nondeterministic": "signatures, certificates, keys, log entries and log indexes",
            "packages": [
                {
                    "name": p.name,
                    "publisher": p.publisher,
                    "category": p.category,
                    "versions": [r.version for r in p.releases],
                }
                for p in self.packages
            ],
            "files": [asdict(f) for f in self.files],
        }


# ---- the plan: everything that depends only on the seed ------------------------------------


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_CONSONANTS) + rng.choice(_VOWELS) for _ in range(rng.randint(2, 3)))


def _unique_names(rng: random.Random, count: int) -> list[str]:
    names: set[str] = set()
    ordered: list[str] = []
    while len(ordered) < count:
        name = f"{_word(rng)}-{_word(rng)}"
        if name not in names:
            names.add(name)
            ordered.append(name)
    return ordered


def _versions(rng: random.Random, count: int) -> list[str]:
    major, minor, patch = rng.randint(0, 4), rng.randint(0, 20), rng.randint(0, 9)
    out = []
    for _ in range(count):
        out.append(f"{major}.{minor}.{patch}")
        if rng.random() < 0.7:
            patch += 1
        else:
            minor, patch = minor + 1, 0
    return out


def plan(config: CorpusConfig) -> list[PlannedPackage]:
    """Which packages exist and how each release is published; a function of the seed only."""
    config.check()
    rng = random.Random(config.seed)  # noqa: S311  (reproducible test data, not secrets)
    names = _unique_names(rng, config.packages)
    owners = _unique_names(rng, max(1, config.packages // 4))
    order = list(range(config.packages))
    rng.shuffle(order)
    counts = [
        (UNATTESTED, round(config.unattested * config.packages)),
        (INVALID, round(config.invalid * config.packages)),
        (IDENTITY_CHANGED, round(config.identity_changed * config.packages)),
    ]
    category = [ATTESTED] * config.packages
    start = 0
    for kind, count in counts:
        for index in order[start : start + count]:
            category[index] = kind
        start += count

    packages = []
    invalid_seen = 0
    for index, name in enumerate(names):
        owner = rng.choice(owners)
        workflow = rng.choice(_WORKFLOWS)
        repository = f"{owner}/{name}"
        kind = category[index]
        count = config.releases + (1 if kind == IDENTITY_CHANGED else 0)
        versions = _versions(rng, count)
        releases = [Release(v, repository, workflow, ATTESTED) for v in versions[:-1]]
        last = versions[-1]
        if kind == ATTESTED:
            releases.append(Release(last, repository, workflow, ATTESTED))
        elif kind == UNATTESTED:
            releases.append(Release(last, None, workflow, UNATTESTED))
        elif kind == INVALID:
            defect = BAD_SIGNATURE if invalid_seen % 2 == 0 else ALTERED_STATEMENT
            invalid_seen += 1
            releases.append(Release(last, repository, workflow, INVALID, defect))
        else:
            other = f"{_word(rng)}-{owner}/{name}"
            releases.append(Release(last, other, workflow, IDENTITY_CHANGED))
        packages.append(PlannedPackage(name, repository, workflow, kind, tuple(releases)))
    return packages


# ---- the dists: deterministic bytes ------------------------------------------------------


def _module(name: str) -> str:
    return name.replace("-", "_")


def wheel_filename(name: str, version: str) -> str:
    return f"{_module(name)}-{version}-py3-none-any.whl"


def sdist_filename(name: str, version: str) -> str:
    return f"{_module(name)}-{version}.tar.gz"


def _metadata(name: str, version: str) -> bytes:
    return (
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        f"Summary: pyvouch benchmark corpus package {name}\nRequires-Python: >=3.9\n"
    ).encode()


def _module_source(name: str, version: str, seed: int) -> bytes:
    token = hashlib.sha256(f"{seed}:{name}:{version}".encode()).hexdigest()[:16]
    return f'__version__ = "{version}"\nCORPUS_TOKEN = "{token}"\n'.encode()


def build_wheel(name: str, version: str, seed: int) -> bytes:
    """A minimal valid wheel: one module, METADATA, WHEEL and RECORD, stored uncompressed."""
    module = _module(name)
    dist_info = f"{module}-{version}.dist-info"
    files = {
        f"{module}/__init__.py": _module_source(name, version, seed),
        f"{dist_info}/METADATA": _metadata(name, version),
        f"{dist_info}/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: pyvouch-corpus\nRoot-Is-Purelib: true\n"
            b"Tag: py3-none-any\n"
        ),
    }
    record = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as zf:
        for path, data in files.items():
            info = zipfile.ZipInfo(path, date_time=_ZIP_TIME)
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return buffer.getvalue()


def build_sdist(name: str, version: str, seed: int) -> bytes:
    """A minimal sdist: PKG-INFO, pyproject.toml and one module; fixed times, owners and gzip."""
    root = f"{_module(name)}-{version}"
    files = {
        f"{root}/PKG-INFO": _metadata(name, version),
        f"{root}/pyproject.toml": (
            f'[project]\nname = "{name}"\nversion = "{version}"\n\n'
            '[build-system]\nrequires = ["flit_core>=3.9"]\nbuild-backend = "flit_core.buildapi"\n'
        ).encode(),
        f"{root}/{_module(name)}/__init__.py": _module_source(name, version, seed),
    }
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path, data in files.items():
            info = tarfile.TarInfo(path)
            info.size, info.mtime, info.mode = len(data), _TAR_MTIME, 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    import gzip

    return gzip.compress(raw.getvalue(), compresslevel=9, mtime=0)


# ---- minting -----------------------------------------------------------------------------


def _spoil(attestation: Attestation, defect: str) -> Attestation:
    """An attestation that still names its file and digest but no longer verifies."""
    envelope = attestation.envelope
    if defect == BAD_SIGNATURE:
        signature = bytearray(envelope.signature)
        signature[-1] ^= 0x01  # the last byte of s: still DER, no longer the signature
        return attestation.model_copy(
            update={"envelope": envelope.model_copy(update={"signature": bytes(signature)})}
        )
    statement = json.loads(envelope.statement)
    statement["predicate"] = {"edited": "after signing"}
    edited = json.dumps(statement, separators=(",", ":")).encode()
    return attestation.model_copy(
        update={"envelope": envelope.model_copy(update={"statement": edited})}
    )


def _status(kind: str, pinned: bool) -> str:
    if kind == UNATTESTED:
        return "unattested"
    if kind == INVALID:
        return "invalid"
    if kind == IDENTITY_CHANGED and pinned:
        return "mismatch"
    return "verified"


def _mint_package(
    package: PlannedPackage,
    authority: TestAuthority,
    context: SigningContext,
    dists_dir: Path,
    seed: int,
) -> list[ManifestFile]:
    rows: list[ManifestFile] = []
    for release in package.releases:
        built = [
            (sdist_filename(package.name, release.version), build_sdist),
            (wheel_filename(package.name, release.version), build_wheel),
        ]
        dists = []
        for filename, builder in built:
            data = builder(package.name, release.version, seed)
            (dists_dir / filename).write_bytes(data)
            dists.append((filename, hashlib.sha256(data).hexdigest()))
        if release.signer is not None:
            token = authority.github.mint(github_claims(release.signer, release.workflow))
            with context.signer(IdentityToken(token), cache=True) as signer:
                for filename, digest in dists:
                    attestation = Attestation.sign(
                        signer, Distribution(name=filename, digest=digest)
                    )
                    if release.defect is not None:
                        attestation = _spoil(attestation, release.defect)
                    path = dists_dir / (filename + ATTESTATION_SUFFIX)
                    path.write_text(attestation.model_dump_json(), encoding="utf-8")
        signed_by = (
            f"github:{release.signer}:{release.workflow}" if release.signer is not None else None
        )
        rows.extend(
            ManifestFile(
                project=package.name,
                version=release.version,
                filename=filename,
                sha256=digest,
                kind=release.kind,
                defect=release.defect,
                signed_by=signed_by,
                publisher=package.publisher,
                expected=_status(release.kind, pinned=False),
                expected_pinned=_status(release.kind, pinned=True),
            )
            for filename, digest in dists
        )
    return rows


class _PipeRekor(LocalRekor):
    """Rekor for a forked minting worker: entries go over a pipe to the one log, in the parent."""

    def __init__(self, authority: TestAuthority, conn: Connection) -> None:
        super().__init__(authority)
        self._conn = conn

    def create_entry(self, request: EntryRequestBody) -> TransparencyLogEntry:
        self._conn.send(("entry", dict(request)))
        reply = self._conn.recv()
        if reply[0] != "ok":
            raise RuntimeError(f"the transparency log refused the entry: {reply[1]}")
        return TransparencyLogEntry._from_v1_response(reply[1])


def _worker_context(authority: TestAuthority, conn: Connection) -> SigningContext:
    trust = ClientTrustConfig.from_json(json.dumps(authority.client_trust_config()))
    return SigningContext(
        fulcio=LocalFulcio(authority),
        rekor=_PipeRekor(authority, conn),
        trusted_root=trust.trusted_root,
    )


def _worker(
    conn: Connection,
    authority: TestAuthority,
    packages: Sequence[PlannedPackage],
    dists_dir: Path,
    seed: int,
) -> None:
    try:
        context = _worker_context(authority, conn)
        rows: list[ManifestFile] = []
        for package in packages:
            rows.extend(_mint_package(package, authority, context, dists_dir, seed))
        conn.send(("done", rows))
    except BaseException:  # reported to the parent, which raises
        conn.send(("failed", traceback.format_exc()))
    finally:
        conn.close()


def _serve_log(authority: TestAuthority, conns: list[Connection]) -> list[ManifestFile]:
    """Answer the workers' log entries until every worker is done; their rows."""
    rows: list[ManifestFile] = []
    pending = list(conns)
    while pending:
        for ready in wait(pending):
            assert isinstance(ready, Connection)
            try:
                message = ready.recv()
            except EOFError:
                raise RuntimeError("a minting worker died without reporting") from None
            if message[0] == "entry":
                try:
                    ready.send(("ok", authority.submit_entry(message[1])))
                except AuthorityError as err:
                    ready.send(("error", err.message))
            elif message[0] == "done":
                rows.extend(message[1])
                pending.remove(ready)
            else:
                raise RuntimeError(f"a minting worker failed:\n{message[1]}")
    return rows


def mint(
    packages: Sequence[PlannedPackage],
    authority: TestAuthority,
    dists_dir: Path,
    seed: int,
    *,
    jobs: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[ManifestFile]:
    """Write every package's dists and attestations into ``dists_dir``; the manifest rows."""
    dists_dir.mkdir(parents=True, exist_ok=True)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(packages)))
    if jobs == 1 or "fork" not in multiprocessing.get_all_start_methods():
        context = local_signing_context(authority)
        rows: list[ManifestFile] = []
        for package in packages:
            rows.extend(_mint_package(package, authority, context, dists_dir, seed))
        return rows
    fork = multiprocessing.get_context("fork")
    conns, procs = [], []
    for w in range(jobs):
        parent_end, child_end = fork.Pipe()
        proc = fork.Process(
            target=_worker,
            args=(child_end, authority, packages[w::jobs], dists_dir, seed),
            daemon=True,
        )
        proc.start()
        child_end.close()
        conns.append(parent_end)
        procs.append(proc)
    if progress is not None:
        progress(f"minting with {jobs} workers")
    try:
        return _serve_log(authority, conns)
    finally:
        for proc in procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()


def generate(
    config: CorpusConfig,
    out: Path,
    *,
    jobs: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> Manifest:
    """Mint the corpus into ``out`` (which must not exist or be empty) and build its site."""
    from pyvouch.index.static_site import build_site

    packages = plan(config)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} exists and is not empty")
    out.mkdir(parents=True, exist_ok=True)
    authority = TestAuthority(name="pyvouch-corpus")
    (out / "trusted_root.json").write_text(
        json.dumps(authority.trusted_root(), indent=2), encoding="utf-8"
    )
    rows = mint(packages, authority, out / "dists", config.seed, jobs=jobs, progress=progress)
    rows.sort(key=lambda r: (r.project, r.version, r.filename))
    if progress is not None:
        progress(f"minted {len(authority.log.entries)} attestations; building the site")
    build_site(out / "dists", out / "site", link=True)
    manifest = Manifest(config, packages, rows)
    (out / "manifest.json").write_text(
        json.dumps(manifest.to_json(), indent=1) + "\n", encoding="utf-8"
    )
    return manifest


def load_manifest(out: Path) -> dict[str, Any]:
    """The manifest of a generated corpus, as JSON."""
    data: dict[str, Any] = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return data
