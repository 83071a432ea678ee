"""Module names of locked distributions that no installed environment has, from their wheels'
members: the wheel manifest (`pyvouch.wheel_fetch.fetch.verified_wheel`) from the sealed
manifest cache, else downloaded and checked against the lock's sha256."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Coroutine
from typing import Any, TypeVar

from pyvouch.errors import PyvouchError
from pyvouch.index.cache import default_cache_dir
from pyvouch.index.client import IndexClient
from pyvouch.installed.wheel import WheelManifest, WheelProblem
from pyvouch.machine_key import data_dir
from pyvouch.model import FileRef
from pyvouch.reachability.mapping import Distributions
from pyvouch.reachability.model import LockedDistribution, ReachabilityRequest
from pyvouch.wheel_fetch.fetch import verified_wheel
from pyvouch.wheel_fetch.manifests import ManifestCache

T = TypeVar("T")


def _wheel(dist: LockedDistribution) -> FileRef | None:
    for ref in dist.wheels:
        if ref.filename.endswith(".whl") and ref.sha256 and ref.url:
            return ref
    return None


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to the end, also when called from inside a running event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def add_wheel_manifests(
    dists: Distributions, missing: list[LockedDistribution], request: ReachabilityRequest
) -> list[str]:
    """Add the modules of each of ``missing``'s wheels to ``dists``; notes of what failed."""
    wanted = [(d, ref) for d in missing if (ref := _wheel(d)) is not None]
    if not wanted:
        return []
    cache_dir = request.cache_dir or default_cache_dir()
    return _run(_fetch(dists, wanted, request, cache_dir))


async def _fetch(
    dists: Distributions,
    wanted: list[tuple[LockedDistribution, FileRef]],
    request: ReachabilityRequest,
    cache_dir: Any,
) -> list[str]:
    notes: list[str] = []
    async with IndexClient(
        request.index_url, cache_dir=cache_dir, offline=request.offline
    ) as client:
        cache = ManifestCache.open(cache_dir, data_dir(), client.writes)

        async def one(ref: FileRef) -> WheelManifest | str:
            assert ref.sha256 is not None and ref.url is not None
            try:
                manifest, _ = await verified_wheel(
                    client, filename=ref.filename, url=ref.url, sha256=ref.sha256, cache=cache
                )
            except WheelProblem as err:
                return err.reason
            except PyvouchError as err:
                return str(err)
            return manifest

        results = await asyncio.gather(*(one(ref) for _, ref in wanted))
    for (dist, ref), result in zip(wanted, results, strict=True):
        if isinstance(result, str):
            notes.append(f"{dist.name}: its wheel {ref.filename} gave no module names ({result})")
        else:
            dists.add_wheel(dist.name, list(result.members))
    return notes
