"""Wheel manifests kept between scans, authenticated, so that a warm environment scan need not
download every wheel again (and an offline one can still compare).

An entry is keyed by the wheel's sha256 (the digest its attestation was verified for) and
carries an HMAC-SHA256, made with the machine key kept outside the cache directory
(`pyvouch.machine_key`), over that digest and the manifest. An entry whose MAC does not
verify, that cannot be parsed, or any entry when there is no key, is a miss: the wheel is
downloaded again. A planted or edited entry therefore costs a download, never a status.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from pyvouch.index.sealed import SealedCache

if TYPE_CHECKING:  # every scan builds the cache, only installed checks read wheels (start-up)
    from pyvouch.installed.wheel import Member, WheelManifest

LAYOUT = "wheel-manifests-v1"
_MAC_PURPOSE = "pyvouch-wheel-manifest/1"
_HEX64 = re.compile(r"[0-9a-f]{64}")


def encode(manifest: WheelManifest) -> bytes:
    value = {
        "filename": manifest.filename,
        "dist_info": manifest.dist_info,
        "entry_points": sorted(manifest.entry_points),
        "members": {
            name: [
                m.sha256.hex(),
                m.size,
                m.script_body_sha256.hex() if m.script_body_sha256 is not None else None,
            ]
            for name, m in sorted(manifest.members.items())
        },
    }
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def _digest(obj: Any) -> bytes:
    if not isinstance(obj, str) or not _HEX64.fullmatch(obj):
        raise ValueError("digest")
    return bytes.fromhex(obj)


def _member(obj: Any) -> Member:
    from pyvouch.installed.wheel import Member

    if not isinstance(obj, list) or len(obj) != 3:
        raise ValueError("member")
    sha, size, body = obj
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ValueError("size")
    return Member(_digest(sha), size, None if body is None else _digest(body))


def decode(data: bytes) -> WheelManifest:
    """The manifest `encode` wrote; ValueError if it is not one."""
    from pyvouch.installed.wheel import WheelManifest

    obj = json.loads(data)
    if not isinstance(obj, dict):
        raise ValueError("manifest")
    filename, dist_info = obj.get("filename"), obj.get("dist_info")
    entry_points, members = obj.get("entry_points"), obj.get("members")
    if not isinstance(filename, str) or not isinstance(dist_info, str):
        raise ValueError("names")
    if not isinstance(entry_points, list) or not all(isinstance(e, str) for e in entry_points):
        raise ValueError("entry points")
    if not isinstance(members, dict):
        raise ValueError("members")
    return WheelManifest(
        filename,
        dist_info,
        {str(name): _member(m) for name, m in members.items()},
        frozenset(entry_points),
    )


class ManifestCache(SealedCache):
    """Manifests under ``<cache dir>/wheel-manifests-v1``, authenticated with ``secret``.
    Reads that fail for any reason are misses; writes that fail are ignored."""

    LAYOUT = LAYOUT
    PURPOSE = _MAC_PURPOSE

    def get(self, sha256: str) -> WheelManifest | None:
        sha256 = sha256.lower()
        if not _HEX64.fullmatch(sha256):
            return None
        return self.decoded(sha256, decode)

    def put(self, sha256: str, manifest: WheelManifest) -> None:
        sha256 = sha256.lower()
        if _HEX64.fullmatch(sha256):
            self.write(sha256, encode(manifest))
