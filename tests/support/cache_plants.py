"""What an attacker who can write pyvouch's cache directory plants there, and the sites to plant
it against.

The honest site (built with `pyvouch index build`) lists ``victim-1.0`` with ``provenance:
null`` (unattested) and ``goodpkg-1.0`` with provenance signed by `HONEST`. The attacker holds
the same two wheels signed by `MALLORY` with the local test authority: real PEP 740 provenance
that verifies for exactly these bytes. A cache entry carrying it must never turn into a status.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from pyvouch.index.cache import IndexCache
from pyvouch.index.simple import normalize_name
from tests.support.policy_sites import Minter, Signer, build_site, write_wheel

HONEST = Signer("acme/goodpkg", "release.yml")
MALLORY = Signer("mallory/evil", "publish.yml")
VICTIM = ("victim", "1.0")
GOOD = ("goodpkg", "1.0")
FOREIGN_KEY = b"\x5a" * 32
"""Another machine's key (or one the attacker chose): what a restored cache can carry."""


@dataclass(frozen=True)
class Corpus:
    honest_site: Path
    attacker_site: Path
    """The same wheels, both signed by `MALLORY` (an index the attacker runs)."""
    victim: Path
    good: Path
    trust_root: Path

    @staticmethod
    def sha256(wheel: Path) -> str:
        return hashlib.sha256(wheel.read_bytes()).hexdigest()

    @staticmethod
    def provenance(site: Path, wheel: Path) -> bytes:
        project, version = wheel.name.split("-")[:2]
        folder = site / "integrity" / normalize_name(project) / version / wheel.name
        return (folder / "provenance").read_bytes()

    def pylock(self, path: Path, *wheels: Path) -> Path:
        """A pylock.toml pinning ``wheels`` (default both) by name and sha256."""
        parts = ['lock-version = "1.0"\ncreated-by = "pyvouch-tests"\n']
        for wheel in wheels or (self.victim, self.good):
            project, version = wheel.name.split("-")[:2]
            parts.append(
                f'\n[[packages]]\nname = "{project}"\nversion = "{version}"\n'
                f'wheels = [{{ name = "{wheel.name}", url = "https://files.invalid/{wheel.name}", '
                f'hashes = {{ sha256 = "{self.sha256(wheel)}" }} }}]\n'
            )
        path.write_text("".join(parts), encoding="utf-8")
        return path


def make_corpus(minter: Minter, root: Path) -> Corpus:
    honest = root / "honest-dists"
    victim = write_wheel(honest, *VICTIM)
    good = write_wheel(honest, *GOOD)
    minter.sign([good], HONEST)
    attacker = root / "attacker-dists"
    attacker.mkdir()
    copies = [Path(shutil.copy2(w, attacker / w.name)) for w in (victim, good)]
    minter.sign(copies, MALLORY)
    trust = minter.authority.write_trust_files(root / "trust")["trusted_root"]
    return Corpus(
        honest_site=build_site(honest, root / "honest-site"),
        attacker_site=build_site(attacker, root / "attacker-site"),
        victim=victim,
        good=good,
        trust_root=trust,
    )


# ---- planting ----------------------------------------------------------------------------


def plant_unsealed_provenance(
    cache_dir: Path, index_url: str, wheel: Path, body: bytes, *, layout: str | None = None
) -> None:
    """A provenance entry as the previous layout wrote it (no MAC), at the place the client
    reads (``layout`` default: the current one; ``index-v1``: where old versions read)."""
    cache = IndexCache(cache_dir)
    if layout is not None:
        cache.root = cache_dir / layout
    sha = Corpus.sha256(wheel)
    meta_path, body_path = cache._provenance_paths(index_url, sha, wheel.name)
    meta = {
        "index": index_url,
        "sha256": sha,
        "filename": wheel.name,
        "url": f"{index_url}evil/provenance",
        "body_sha256": hashlib.sha256(body).hexdigest(),
    }
    write_entry(meta_path, body_path, meta, body)


def plant_sealed_provenance(
    cache_dir: Path, index_url: str, wheel: Path, body: bytes, secret: bytes
) -> None:
    """A provenance entry sealed with ``secret`` (another machine's key, or the attacker's)."""
    IndexCache(cache_dir, secret=secret).put_provenance(
        index_url, Corpus.sha256(wheel), wheel.name, body, url=f"{index_url}evil/provenance"
    )


def plant_route(cache_dir: Path, index_url: str, secret: bytes | None) -> None:
    """A route hint saying "ask the integrity URLs first", sealed with ``secret`` or (None)
    written as the previous layout wrote it."""
    cache = IndexCache(cache_dir, secret=secret)
    if secret is not None:
        cache.put_direct_route(index_url, True)
        return
    path = cache._route_path(index_url)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"index": index_url, "direct": True}), encoding="utf-8")


def write_entry(meta_path: Path, body_path: Path, meta: dict[str, object], body: bytes) -> None:
    meta_path.parent.mkdir(parents=True, exist_ok=True)
    body_path.write_bytes(body)
    meta_path.write_text(json.dumps(meta, sort_keys=True), encoding="utf-8")


def entries(cache_dir: Path, kind: str) -> list[Path]:
    """The metadata files of ``kind`` (provenance, pages, routes) in the current layout."""
    return sorted((cache_dir / "index-v2" / kind).rglob("*.json"))
