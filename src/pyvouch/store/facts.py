"""What the store's history says of packages about to be decided: the trust-on-first-use facts
the policy receives as plain data (`pyvouch.policy.history`).

Only scans this pyvouch verified itself count (``evidence = 'verified'``, recorded by
``scan --record``): an ingested report is what someone else claims, and an attacker's CI
artifact recorded first must not become the identity everyone is held to. History is also
bound to the index: a package name on another index is another package.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select

from pyvouch.store.engine import Store
from pyvouch.store.records import Evidence
from pyvouch.store.tables import scan_files, scan_packages, scans

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class ObservedIdentity:
    """A publisher identity that verified for a package in an earlier, locally verified scan."""

    name: str
    publisher: dict[str, str]
    """`Publisher.to_dict` as recorded."""
    first_seen: datetime
    repository: str
    """A repository whose scan saw it first (for messages)."""


def index_key(url: str) -> str:
    return url.rstrip("/")


def observed_identities(
    store: Store, names: Iterable[str], *, index_url: str, repository: str | None
) -> dict[str, tuple[ObservedIdentity, ...]]:
    """Per normalized name, every identity that verified for it before (``repository=None``:
    in any repository of the store, ``--org``)."""
    wanted = sorted(set(names))
    found: dict[str, list[ObservedIdentity]] = {}
    joined = scan_files.join(
        scan_packages,
        and_(
            scan_files.c.scan_id == scan_packages.c.scan_id,
            scan_files.c.package_position == scan_packages.c.position,
        ),
    ).join(scans, scans.c.id == scan_files.c.scan_id)
    index_urls = {index_key(index_url), index_key(index_url) + "/"}
    with store.begin("cannot read history") as conn:
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            query = (
                select(
                    scan_packages.c.name,
                    scan_files.c.publisher_json,
                    func.min(scans.c.scanned_at),
                    func.min(scans.c.repository),
                )
                .select_from(joined)
                .where(
                    scans.c.evidence == Evidence.VERIFIED.value,
                    scans.c.index_url.in_(index_urls),
                    scan_files.c.status == "verified",
                    scan_files.c.publisher_json.is_not(None),
                    scan_packages.c.name.in_(chunk),
                )
                .group_by(scan_packages.c.name, scan_files.c.publisher_json)
            )
            if repository is not None:
                query = query.where(scans.c.repository == repository)
            for name, pub_json, first_seen, repo in conn.execute(query):
                try:
                    publisher = json.loads(pub_json)
                except ValueError:
                    continue
                if isinstance(publisher, dict):
                    found.setdefault(name, []).append(
                        ObservedIdentity(name, publisher, first_seen, repo)
                    )
    return {name: tuple(sorted(ids, key=lambda i: i.first_seen)) for name, ids in found.items()}
