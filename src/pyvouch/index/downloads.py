"""Downloading a distribution file from an index (the installed-files check and scans that
must read a wheel): bounded, with redirects to another host named."""

from __future__ import annotations

from collections.abc import Callable

from pyvouch.errors import IndexLookupError, OfflineMiss
from pyvouch.index.simple import strip_credentials
from pyvouch.index.states import OFFLINE, noted
from pyvouch.index.transport import BodySink, FetchError, Transport

DOWNLOAD_TIMEOUT = 900.0
"""Wall-clock cap (seconds) on one attempt at downloading a distribution file; reads are
still bounded by the per-read timeout."""


class DownloadFailed(IndexLookupError):
    """A distribution file could not be downloaded; ``warnings`` names the redirects to
    another host followed on the way (the reason names them too)."""

    def __init__(self, reason: str, warnings: tuple[str, ...] = ()) -> None:
        super().__init__(reason)
        self.warnings = warnings


async def download(
    http: Callable[[], Transport],
    url: str,
    sink: BodySink,
    *,
    limit: int,
    offline: bool,
    scrub: Callable[[str], str],
) -> tuple[str, ...]:
    """GET a distribution file into ``sink`` (at most ``limit`` bytes); the warnings
    (redirects to another host). Raises DownloadFailed (OfflineMiss offline)."""
    shown = strip_credentials(url)
    if offline:
        raise OfflineMiss(f"{OFFLINE}: {shown} is not downloaded offline")
    try:
        resp = await http().get(
            url, accept="*/*", limit=limit, kind="file", sink=sink, total_timeout=DOWNLOAD_TIMEOUT
        )
    except FetchError as err:
        raise DownloadFailed(scrub(f"{shown}: {err.reason}"), err.warnings) from None
    if resp.status != 200:
        reason = noted(f"{shown}: HTTP {resp.status}", resp.warnings)
        raise DownloadFailed(scrub(reason), resp.warnings)
    return tuple(scrub(w) for w in resp.warnings)
