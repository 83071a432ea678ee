# ruff: noqa: E501  (lock files written verbatim, with their long lines)
"""Lock files that pin one fixture dist by any digests, in every lock format pyvouch reads.

``write_lock(fmt, dist, digests)`` writes the lock named as that format's tools name it;
``digests`` is ``[(algorithm, hex), ...]`` as the lock should record them (algorithm spelled
as the test wants: ``sha512``, ``SHA512``, ``whirlpool``...). ``digest_of(dist, algorithm)``
computes a real digest of the fixture's bytes; ``OTHER`` is other bytes, for attacks.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from tests.support.index_servers import PEP691_JSON, IndexServer, Reply
from tests.support.scan_sites import ASSETS, FILES, Dist

OTHER = b"other bytes, served by someone else under the same name\n"

FORMATS = (
    "pylock.toml",
    "uv.lock",
    "poetry.lock",
    "pdm.lock",
    "requirements.txt",
    "Pipfile.lock",
    "sbom.cdx.json",
)

_CYCLONEDX_NAMES = {
    "sha256": "SHA-256",
    "sha384": "SHA-384",
    "sha512": "SHA-512",
    "md5": "MD5",
    "sha1": "SHA-1",
}


def digest_of(dist: Dist, algorithm: str, data: bytes | None = None) -> str:
    """``algorithm`` (a hashlib name) of the dist's real bytes, or of ``data``."""
    body = (ASSETS / dist.filename).read_bytes() if data is None else data
    return hashlib.new(algorithm, body).hexdigest()


def _one(digests: list[tuple[str, str]]) -> tuple[str, str]:
    assert len(digests) == 1, "this format records one digest per file"
    return digests[0]


def lock_text(fmt: str, dist: Dist, digests: list[tuple[str, str]]) -> str:
    name, version, filename = dist.project, dist.version, dist.filename
    url = f"{FILES}/{filename}"
    kind = "wheels" if filename.endswith(".whl") else "sdist"
    if fmt == "pylock.toml":
        table = ", ".join(f'{a} = "{v}"' for a, v in digests)
        entry = f'{{ name = "{filename}", url = "{url}", hashes = {{ {table} }} }}'
        dists = f"wheels = [{entry}]" if kind == "wheels" else f"sdist = {entry}"
        return (
            'lock-version = "1.0"\ncreated-by = "pyvouch-tests"\n\n[[packages]]\n'
            f'name = "{name}"\nversion = "{version}"\nindex = "https://pypi.org/simple"\n{dists}\n'
        )
    if fmt == "uv.lock":
        a, v = _one(digests)
        entry = f'{{ url = "{url}", hash = "{a}:{v}" }}'
        dists = f"wheels = [{entry}]" if kind == "wheels" else f"sdist = {entry}"
        return (
            'version = 1\nrevision = 3\nrequires-python = ">=3.9"\n\n[[package]]\n'
            f'name = "{name}"\nversion = "{version}"\nsource = {{ registry = "https://pypi.org/simple" }}\n{dists}\n'
        )
    if fmt == "poetry.lock":
        files = ",\n".join(f'    {{file = "{filename}", hash = "{a}:{v}"}}' for a, v in digests)
        return (
            f'[[package]]\nname = "{name}"\nversion = "{version}"\ndescription = ""\noptional = false\n'
            f'python-versions = ">=3.9"\ngroups = ["main"]\nfiles = [\n{files},\n]\n\n'
            '[metadata]\nlock-version = "2.1"\npython-versions = "^3.9"\ncontent-hash = "x"\n'
        )
    if fmt == "pdm.lock":
        files = ",\n".join(f'    {{file = "{filename}", hash = "{a}:{v}"}}' for a, v in digests)
        return (
            '[metadata]\ngroups = ["default"]\nstrategy = ["inherit_metadata"]\nlock_version = "4.5.0"\n'
            f'content_hash = "sha256:x"\n\n[[package]]\nname = "{name}"\nversion = "{version}"\n'
            f'groups = ["default"]\nfiles = [\n{files},\n]\n'
        )
    if fmt == "requirements.txt":
        hashes = " ".join(f"--hash={a}:{v}" for a, v in digests)
        return f"{name}=={version} {hashes}\n"
    if fmt == "Pipfile.lock":
        doc = {
            "_meta": {
                "hash": {"sha256": "x"},
                "pipfile-spec": 6,
                "requires": {},
                "sources": [{"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": True}],
            },
            "default": {
                name: {
                    "hashes": [f"{a}:{v}" for a, v in digests],
                    "index": "pypi",
                    "version": f"=={version}",
                }
            },
            "develop": {},
        }
        return json.dumps(doc, indent=4) + "\n"
    if fmt == "sbom.cdx.json":
        bom = {
            "bomFormat": "CycloneDX",
            "specVersion": "1.6",
            "version": 1,
            "components": [
                {
                    "type": "library",
                    "name": name,
                    "version": version,
                    "purl": f"pkg:pypi/{name}@{version}?file_name={filename}",
                    "hashes": [
                        {"alg": _CYCLONEDX_NAMES.get(a, a), "content": v} for a, v in digests
                    ],
                }
            ],
        }
        return json.dumps(bom, indent=2) + "\n"
    raise AssertionError(fmt)


def write_lock(folder: Path, fmt: str, dist: Dist, digests: list[tuple[str, str]]) -> Path:
    path = folder / fmt
    path.write_text(lock_text(fmt, dist, digests), encoding="utf-8")
    return path


def list_digests(server: IndexServer, site: Path, dist: Dist, hashes: dict[str, str]) -> None:
    """Route ``dist``'s project page on ``server`` (a `mirror_site` copy of ``site``) with
    ``hashes`` as the page's digests for that file (the index's word, nothing more)."""
    page = site / "simple" / dist.project / "index.json"
    doc: dict[str, Any] = json.loads(page.read_text("utf-8"))
    for entry in doc["files"]:
        if entry["filename"] == dist.filename:
            entry["hashes"] = hashes
    body = json.dumps(doc).encode()
    server.route(f"/simple/{dist.project}/", Reply(body=body, content_type=PEP691_JSON))
