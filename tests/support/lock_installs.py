# ruff: noqa: E501  (lock files written verbatim, with their long lines)
"""A minted loopback site and lock files of its wheels in every format `install --lock` reads.

The site (`lock_site`): ``gated-solo`` and ``gated-two`` signed as APP, ``gated-lib`` without an
attestation, ``gated-imp`` signed as an attacker's repository, ``gated-bad`` carrying the
attestation of another file (invalid for its digest). ``lock_text(fmt, wheels)`` writes a lock
of the given wheels as each tool writes it (pylock.toml, uv.lock, poetry.lock, pdm.lock,
Pipfile.lock, hashed requirements.txt); pylock.toml and poetry.lock carry each wheel's marker.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from tests.support.install_sites import APP, write_wheel
from tests.support.policy_sites import Minter, Signer, build_site

ATTACKER = Signer("attacker/gated-imp", "release.yml")
PROJECTS = ("gated-solo", "gated-two", "gated-lib", "gated-imp", "gated-bad")
LOCK_FORMATS = (
    "pylock.toml",
    "uv.lock",
    "poetry.lock",
    "pdm.lock",
    "Pipfile.lock",
    "requirements.txt",
)


@dataclass(frozen=True)
class Wheel:
    project: str
    version: str
    filename: str
    sha256: str
    url: str
    marker: str | None = None

    @property
    def module(self) -> str:
        return self.project.replace("-", "_")


def lock_site(minter: Minter, root: Path) -> Path:
    """The site folder (see the module docstring); its wheels stay in ``root / "dists"``."""
    dists = root / "dists"
    wheels = {p: write_wheel(dists, p, "1.0") for p in PROJECTS}
    minter.sign([wheels["gated-solo"], wheels["gated-two"], wheels["gated-bad"]], APP)
    minter.sign([wheels["gated-imp"]], ATTACKER)
    site = build_site(dists, root / "site")
    # gated-bad's provenance is gated-two's: a real signature, over other bytes
    integrity = site / "integrity"
    two = integrity / "gated-two" / "1.0" / wheels["gated-two"].name / "provenance"
    bad = integrity / "gated-bad" / "1.0" / wheels["gated-bad"].name / "provenance"
    shutil.copyfile(two, bad)
    return site


def wheel(site_url: str, dists: Path, project: str, marker: str | None = None) -> Wheel:
    """``project`` 1.0's wheel as served at ``site_url`` (the server's base URL)."""
    filename = f"{project.replace('-', '_')}-1.0-py3-none-any.whl"
    digest = hashlib.sha256((dists / filename).read_bytes()).hexdigest()
    return Wheel(project, "1.0", filename, digest, f"{site_url}/files/{project}/{filename}", marker)


def _pylock(wheels: list[Wheel]) -> str:
    out = 'lock-version = "1.0"\ncreated-by = "pyvouch-tests"\n'
    for w in wheels:
        marker = f"marker = '{w.marker}'\n" if w.marker else ""
        out += (
            f'\n[[packages]]\nname = "{w.project}"\nversion = "{w.version}"\n{marker}'
            f'wheels = [{{ name = "{w.filename}", url = "{w.url}", hashes = {{ sha256 = "{w.sha256}" }} }}]\n'
        )
    return out


def _uv(wheels: list[Wheel]) -> str:
    out = 'version = 1\nrevision = 3\nrequires-python = ">=3.9"\n'
    for w in wheels:
        out += (
            f'\n[[package]]\nname = "{w.project}"\nversion = "{w.version}"\n'
            'source = { registry = "https://pypi.org/simple" }\n'
            f'wheels = [{{ url = "{w.url}", hash = "sha256:{w.sha256}" }}]\n'
        )
    return out


def _poetry(wheels: list[Wheel]) -> str:
    out = ""
    for w in wheels:
        marker = f"markers = '{w.marker}'\n" if w.marker else ""
        out += (
            f'[[package]]\nname = "{w.project}"\nversion = "{w.version}"\ndescription = ""\n'
            f'optional = false\npython-versions = ">=3.9"\ngroups = ["main"]\n{marker}'
            f'files = [\n    {{file = "{w.filename}", hash = "sha256:{w.sha256}"}},\n]\n\n'
        )
    return out + '[metadata]\nlock-version = "2.1"\npython-versions = "^3.9"\ncontent-hash = "x"\n'


def _pdm(wheels: list[Wheel]) -> str:
    out = (
        '[metadata]\ngroups = ["default"]\nstrategy = ["inherit_metadata"]\nlock_version = "4.5.0"\n'
        'content_hash = "sha256:x"\n'
    )
    for w in wheels:
        out += (
            f'\n[[package]]\nname = "{w.project}"\nversion = "{w.version}"\ngroups = ["default"]\n'
            f'files = [\n    {{file = "{w.filename}", hash = "sha256:{w.sha256}"}},\n]\n'
        )
    return out


def _pipfile(wheels: list[Wheel]) -> str:
    doc = {
        "_meta": {
            "hash": {"sha256": "x"},
            "pipfile-spec": 6,
            "requires": {},
            "sources": [{"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": True}],
        },
        "default": {
            w.project: {
                "hashes": [f"sha256:{w.sha256}"],
                "index": "pypi",
                "version": f"=={w.version}",
            }
            for w in wheels
        },
        "develop": {},
    }
    return json.dumps(doc, indent=4) + "\n"


def _requirements(wheels: list[Wheel]) -> str:
    return "".join(f"{w.project}=={w.version} --hash=sha256:{w.sha256}\n" for w in wheels)


_WRITERS = {
    "pylock.toml": _pylock,
    "uv.lock": _uv,
    "poetry.lock": _poetry,
    "pdm.lock": _pdm,
    "Pipfile.lock": _pipfile,
    "requirements.txt": _requirements,
}


def write_lock(folder: Path, fmt: str, wheels: list[Wheel]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / fmt
    path.write_text(_WRITERS[fmt](wheels), encoding="utf-8")
    return path
