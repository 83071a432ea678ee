"""Loopback sites for the policy command tests (pin, readiness, diff, the story).

Release histories are written as small but real wheels, signed in-process by the local test
authority (`pyvouch.testing`: a real ``sigstore`` Signer, real certificates and log entries),
and built into a static PEP 503/691/740 site with `pyvouch index build`. Verification then
uses the authority's trusted root (``--trust-root``), never the production one.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner
from pypi_attestations import Attestation, Distribution
from sigstore.oidc import IdentityToken

from pyvouch.cli.main import cli
from pyvouch.testing import TestAuthority, github_claims
from pyvouch.testing.local import local_signing_context

STORY_ASSETS = Path(__file__).resolve().parent.parent / "assets" / "policy_story"
SHARED_LOCKS = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "lockfiles"


@dataclass(frozen=True)
class Signer:
    """Who signs a file: a GitHub repository and workflow (None: the file stays unattested)."""

    repository: str
    workflow: str = "release.yml"

    @property
    def spec(self) -> str:
        return f"github:{self.repository}:{self.workflow}"


def wheel_name(project: str, version: str) -> str:
    return f"{project.replace('-', '_')}-{version}-py3-none-any.whl"


def sdist_name(project: str, version: str) -> str:
    return f"{project.replace('-', '_')}-{version}.tar.gz"


def write_wheel(folder: Path, project: str, version: str) -> Path:
    """A minimal valid wheel (METADATA, WHEEL, RECORD and one module)."""
    folder.mkdir(parents=True, exist_ok=True)
    module = project.replace("-", "_")
    dist_info = f"{module}-{version}.dist-info"
    files = {
        f"{module}/__init__.py": f'__version__ = "{version}"\n'.encode(),
        f"{dist_info}/METADATA": (
            f"Metadata-Version: 2.1\nName: {project}\nVersion: {version}\nRequires-Python: >=3.9\n"
        ).encode(),
        f"{dist_info}/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: pyvouch-tests\nRoot-Is-Purelib: true\n"
            b"Tag: py3-none-any\n"
        ),
    }
    record = []
    for name, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    path = folder / wheel_name(project, version)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            zf.writestr(info, data)
    return path


def write_sdist(folder: Path, project: str, version: str) -> Path:
    """A minimal sdist (``PKG-INFO`` and ``pyproject.toml``)."""
    import io
    import tarfile

    folder.mkdir(parents=True, exist_ok=True)
    base = f"{project.replace('-', '_')}-{version}"
    members = {
        f"{base}/PKG-INFO": f"Metadata-Version: 2.1\nName: {project}\nVersion: {version}\n",
        f"{base}/pyproject.toml": f'[project]\nname = "{project}"\nversion = "{version}"\n',
    }
    path = folder / sdist_name(project, version)
    with tarfile.open(path, "w:gz") as tar:
        for name, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1704067200
            tar.addfile(info, io.BytesIO(data))
    return path


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Minter:
    """Signs dists with the test authority, one identity token per signer."""

    def __init__(self, authority: TestAuthority) -> None:
        self.authority = authority
        self.context = local_signing_context(authority)

    def sign(self, dists: Iterable[Path], signer: Signer) -> list[Path]:
        """Write ``<dist>.publish.attestation`` next to each dist, signed as ``signer``."""
        token = IdentityToken(
            self.authority.github.mint(github_claims(signer.repository, signer.workflow))
        )
        written = []
        with self.context.signer(token, cache=True) as sig:
            for dist in dists:
                attestation = Attestation.sign(sig, Distribution.from_file(dist))
                out = dist.with_name(dist.name + ".publish.attestation")
                out.write_text(attestation.model_dump_json(), encoding="utf-8")
                written.append(out)
        return written


def build_site(dists: Path, out: Path) -> Path:
    """`pyvouch index build DISTS --out OUT` (in-process, through click)."""
    if out.exists():
        shutil.rmtree(out)
    result = CliRunner().invoke(cli, ["index", "build", str(dists), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


@dataclass(frozen=True)
class Release:
    project: str
    version: str
    signer: Signer | None
    """None: published without an attestation."""


def publish(minter: Minter, dists: Path, releases: Iterable[Release]) -> dict[str, Path]:
    """Write a wheel per release into ``dists`` and sign the attested ones; filename -> path."""
    out: dict[str, Path] = {}
    by_signer: dict[Signer, list[Path]] = {}
    for release in releases:
        path = write_wheel(dists, release.project, release.version)
        out[path.name] = path
        if release.signer is not None:
            by_signer.setdefault(release.signer, []).append(path)
    for signer, paths in by_signer.items():
        minter.sign(paths, signer)
    return out


# ---- the story: pip's build-project/pylock.toml against a loopback index --------------------

STORY_LOCK = SHARED_LOCKS / "pylock" / "pip.build-project.pylock.toml"

BUILD = Signer("pypa/build", "cd.yml")
FLIT = Signer("pypa/flit", "publish.yml")
FLIT_OLD = Signer("takluyver/flit", "release.yml")
PACKAGING = Signer("pypa/packaging", "publish.yml")
MALLORY = Signer("mallory/packaging", "publish.yml")

# The locked (real) wheels and who signs them on the loopback index; None = unattested.
STORY_LOCKED: dict[str, Signer | None] = {
    "build-1.5.0-py3-none-any.whl": BUILD,
    "flit_core-4.0.2-py3-none-any.whl": FLIT,
    "packaging-26.3-py3-none-any.whl": PACKAGING,
    "pyproject_hooks-1.2.0-py3-none-any.whl": None,
}

# Older releases (small synthetic wheels): packaging and build sign consistently (ready),
# flit-core has a gap and changed its publisher once (close), pyproject-hooks never signs.
STORY_HISTORY: tuple[Release, ...] = (
    Release("packaging", "25.0", PACKAGING),
    Release("packaging", "26.0", PACKAGING),
    Release("packaging", "26.1", PACKAGING),
    Release("packaging", "26.2", PACKAGING),
    Release("build", "1.3.0", BUILD),
    Release("build", "1.4.0", BUILD),
    Release("build", "1.4.2", BUILD),
    Release("flit-core", "3.11.0", FLIT_OLD),
    Release("flit-core", "3.12.0", FLIT),
    Release("flit-core", "4.0.0", None),
    Release("flit-core", "4.0.1", FLIT),
    Release("pyproject-hooks", "1.0.0", None),
    Release("pyproject-hooks", "1.1.0", None),
)

# What later pull requests upgrade to: a packaging release signed by someone else, and a build
# release published without an attestation.
STORY_SWAP = Release("packaging", "26.4", MALLORY)
STORY_DROP = Release("build", "1.5.1", None)


def story_dists(minter: Minter, folder: Path, extra: Iterable[Release] = ()) -> Path:
    """The real locked wheels (signed as `STORY_LOCKED` says), the history and ``extra``."""
    folder.mkdir(parents=True, exist_ok=True)
    by_signer: dict[Signer, list[Path]] = {}
    for name, signer in STORY_LOCKED.items():
        path = folder / name
        shutil.copyfile(STORY_ASSETS / name, path)
        if signer is not None:
            by_signer.setdefault(signer, []).append(path)
    for signer, paths in by_signer.items():
        minter.sign(paths, signer)
    publish(minter, folder, (*STORY_HISTORY, *extra))
    return folder


def bump(lock_text: str, project: str, old_version: str, wheel: Path) -> str:
    """``lock_text`` (pip's pylock layout) with ``project`` moved to ``wheel``'s version: the
    version, wheel name, URL and sha256 change, everything else stays (as a locker would)."""
    lines = lock_text.splitlines(keepends=True)
    out: list[str] = []
    in_package = False
    version = wheel.name.split("-")[1]
    for line in lines:
        if line.startswith("[[packages]]"):
            in_package = False
        elif line.strip() == f'name = "{project}"':
            in_package = True
        if in_package and line.strip() == f'version = "{old_version}"':
            line = f'version = "{version}"\n'
        elif in_package and line.startswith("name = ") and line.strip().endswith('.whl"'):
            line = f'name = "{wheel.name}"\n'
        elif in_package and line.startswith("url = "):
            line = f'url = "https://files.example/{wheel.name}"\n'
        elif in_package and line.startswith("sha256 = "):
            line = f'sha256 = "{sha256_of(wheel)}"\n'
        out.append(line)
    result = "".join(out)
    assert result != lock_text
    return result


def strip_provenance(site: Path) -> None:
    """Make ``site`` look like a mirror that strips PEP 740: api-version 1.1, no provenance
    keys or attributes, no integrity endpoint."""
    import json
    import re

    for page in site.glob("simple/*/index.json"):
        doc = json.loads(page.read_text("utf-8"))
        doc["meta"]["api-version"] = "1.1"
        for entry in doc.get("files", []):
            entry.pop("provenance", None)
        page.write_text(json.dumps(doc), encoding="utf-8")
    for page in site.glob("simple/*/index.html"):
        text = page.read_text("utf-8")
        text = re.sub(r'\s+data-provenance="[^"]*"', "", text)
        text = text.replace('content="1.3"', 'content="1.1"')
        page.write_text(text, encoding="utf-8")
    shutil.rmtree(site / "integrity", ignore_errors=True)


def identity_only_changes(old: str, new: str) -> list[str]:
    """Lines of ``new`` vs ``old`` that are not identity tables or blank lines: every line of
    ``old`` must survive in order unless it belongs to an identity table. Returns problems."""
    import difflib

    def identity_lines(lines: list[str]) -> set[int]:
        out: set[int] = set()
        inside = False
        for i, line in enumerate(lines):
            if line.startswith("["):
                inside = line.strip() == "[[packages.attestation-identities]]"
            if inside or not line.strip():
                out.add(i)
        return out

    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    a_ok, b_ok = identity_lines(a), identity_lines(b)
    problems = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        problems += [f"-{a[i]!r}" for i in range(i1, i2) if i not in a_ok]
        problems += [f"+{b[j]!r}" for j in range(j1, j2) if j not in b_ok]
    return problems
