"""One of the concurrent writers of test_concurrency: opens the store (a new database: every
writer races to migrate it), waits for the start signal, records its scans, and records the
shared runs too (a retried CI job)."""

from __future__ import annotations

import sys
import time
import uuid
from pathlib import Path

from pyvouch.store.engine import open_store
from pyvouch.store.location import resolve_store
from pyvouch.store.write import record_scan
from tests.support.store_records import package_record, scan_record


def run_id(label: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"pyvouch-test:{label}"))


def main(url: str, worker: int, scans: int, shared: int, go: Path) -> None:
    deadline = time.monotonic() + 120
    while not go.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    with open_store(resolve_store(url)) as store:
        packages = tuple(package_record(f"pkg-{i}") for i in range(5))
        labels = [f"w{worker}-{i}" for i in range(scans)]
        for i, label in enumerate(labels):
            record_scan(
                store, scan_record(packages, repository=f"repo-{worker}", run_id=run_id(label))
            )
            if i < shared:  # every writer also records the same shared runs
                record_scan(
                    store, scan_record(packages, repository="shared", run_id=run_id(f"shared-{i}"))
                )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), Path(sys.argv[5]))
