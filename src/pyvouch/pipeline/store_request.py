"""What a command was told about the history store, and the run a scan is: light on purpose.

`pyvouch.pipeline.scan` imports this for every scan; the store itself (SQLAlchemy, the
driver, Alembic) is imported only when a store takes part (`pyvouch.pipeline.recording`), so
a scan without one pays nothing for it.
"""

from __future__ import annotations

import importlib.metadata
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from pyvouch import __version__
from pyvouch.model import ScanRun
from pyvouch.policy.schema import Policy
from pyvouch.store import STORE_ENV


@dataclass(frozen=True, slots=True)
class StoreRequest:
    """What a command was told about the history store."""

    store: str | None = None
    """``--store PATH|URL`` (else ``PYVOUCH_STORE``, the policy's ``store``, the default)."""
    record: bool = False
    """``--record``: write this scan into the store."""
    repository: str | None = None
    commit: str | None = None
    branch: str | None = None
    org: bool = False
    """``--org``: history of every repository in the store, not only this one."""
    history: bool = True
    """Read history (trust on first use) when a store is in use."""

    def in_use(self, policy: Policy) -> bool:
        """A store takes part when asked to record or when one is named anywhere."""
        return self.record or bool(self.store or os.environ.get(STORE_ENV) or policy.store)


def sigstore_version() -> str | None:
    try:
        return importlib.metadata.version("sigstore")
    except importlib.metadata.PackageNotFoundError:
        return None


def new_run(now: datetime | None = None) -> ScanRun:
    """A new scan run: a fresh UUID (its idempotency key in a store), now, the versions."""
    when = (now or datetime.now(UTC)).replace(microsecond=0)
    return ScanRun(str(uuid.uuid4()), when.isoformat(), __version__, sigstore_version())
