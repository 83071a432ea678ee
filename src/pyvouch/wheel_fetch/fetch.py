"""Download the verified wheel and read its members, trusting it only by its digest."""

from __future__ import annotations

import asyncio
import hashlib
import tempfile
from typing import IO

from pyvouch.index.client import IndexClient, noted
from pyvouch.installed.wheel import Limits, WheelManifest, WheelProblem, read_wheel
from pyvouch.limits import MAX_WHEEL_DOWNLOAD_BYTES
from pyvouch.wheel_fetch.manifests import ManifestCache

WHEEL_LIMIT = MAX_WHEEL_DOWNLOAD_BYTES
"""Largest wheel downloaded for a comparison (bytes)."""


class _HashingFile:
    """A download's body into a temporary file, hashed as it arrives."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.hasher = hashlib.sha256()

    def reset(self) -> None:
        self.handle.seek(0)
        self.handle.truncate()
        self.hasher = hashlib.sha256()

    def write(self, chunk: bytes) -> None:
        self.handle.write(chunk)
        self.hasher.update(chunk)


async def verified_wheel(
    client: IndexClient,
    *,
    filename: str,
    url: str,
    sha256: str,
    limit: int = WHEEL_LIMIT,
    limits: Limits | None = None,
    cache: ManifestCache | None = None,
) -> tuple[WheelManifest, tuple[str, ...]]:
    """The manifest of the wheel at ``url``, whose bytes must have ``sha256`` (the digest its
    attestation was verified for), and the download's warnings; from ``cache`` when it holds
    an authenticated one. Raises WheelProblem or IndexLookupError (both name the redirects to
    another host followed, in their reason and, but for OfflineMiss, their ``warnings``)."""
    if cache is not None and (kept := cache.get(sha256)) is not None:
        return kept, ()
    with tempfile.TemporaryFile(prefix="pyvouch-wheel-") as handle:
        sink = _HashingFile(handle)
        warnings = await client.download(url, sink, limit=limit)
        got = sink.hasher.hexdigest()
        if got != sha256.lower():
            raise WheelProblem(
                noted(
                    f"the downloaded {filename} has sha256 {got}, not the verified "
                    f"{sha256.lower()}",
                    warnings,
                ),
                warnings,
            )
        handle.flush()
        handle.seek(0)
        try:
            manifest = await asyncio.to_thread(read_wheel, handle, filename, limits)
        except WheelProblem as err:
            raise WheelProblem(noted(err.reason, warnings), warnings) from None
    if cache is not None:
        cache.put(sha256, manifest)
    return manifest, warnings
