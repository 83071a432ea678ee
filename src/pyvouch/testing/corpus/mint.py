"""Minting the whole corpus on every core with ONE authority (one trusted root, one log).

Forked workers build dists, get certificates from the authority's CA (its keys are inherited)
and sign; each log entry is sent over a pipe to the parent, which alone appends to the
transparency log and answers with the integrated entry, as Rekor would.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import traceback
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection, wait
from pathlib import Path

from sigstore.models import ClientTrustConfig, TransparencyLogEntry
from sigstore.sign import SigningContext

from pyvouch.compat.sigstore_private import EntryRequestBody, log_entry_from_v1_response
from pyvouch.testing.authority import AuthorityError, TestAuthority
from pyvouch.testing.corpus.manifest import ManifestFile
from pyvouch.testing.corpus.plan import PlannedPackage
from pyvouch.testing.corpus.signing import sign_package
from pyvouch.testing.local import LocalFulcio, LocalRekor, local_signing_context


class _PipeRekor(LocalRekor):
    """Rekor for a forked minting worker: entries go over a pipe to the one log, in the parent."""

    def __init__(self, authority: TestAuthority, conn: Connection) -> None:
        super().__init__(authority)
        self._conn = conn

    def create_entry(self, request: EntryRequestBody) -> TransparencyLogEntry:
        self._conn.send(("entry", dict(request)))
        reply = self._conn.recv()
        if reply[0] != "ok":
            raise RuntimeError(f"the transparency log refused the entry: {reply[1]}")
        return log_entry_from_v1_response(reply[1])


def _worker_context(authority: TestAuthority, conn: Connection) -> SigningContext:
    trust = ClientTrustConfig.from_json(json.dumps(authority.client_trust_config()))
    return SigningContext(
        fulcio=LocalFulcio(authority),
        rekor=_PipeRekor(authority, conn),
        trusted_root=trust.trusted_root,
    )


def _worker(
    conn: Connection,
    authority: TestAuthority,
    packages: Sequence[PlannedPackage],
    dists_dir: Path,
    seed: int,
) -> None:
    try:
        context = _worker_context(authority, conn)
        rows: list[ManifestFile] = []
        for package in packages:
            rows.extend(sign_package(package, authority, context, dists_dir, seed))
        conn.send(("done", rows))
    except BaseException:  # reported to the parent, which raises
        conn.send(("failed", traceback.format_exc()))
    finally:
        conn.close()


def _serve_log(authority: TestAuthority, conns: list[Connection]) -> list[ManifestFile]:
    """Answer the workers' log entries until every worker is done; their rows."""
    rows: list[ManifestFile] = []
    pending = list(conns)
    while pending:
        for ready in wait(pending):
            assert isinstance(ready, Connection)
            try:
                message = ready.recv()
            except EOFError:
                raise RuntimeError("a minting worker died without reporting") from None
            if message[0] == "entry":
                try:
                    ready.send(("ok", authority.submit_entry(message[1])))
                except AuthorityError as err:
                    ready.send(("error", err.message))
            elif message[0] == "done":
                rows.extend(message[1])
                pending.remove(ready)
            else:
                raise RuntimeError(f"a minting worker failed:\n{message[1]}")
    return rows


def mint(
    packages: Sequence[PlannedPackage],
    authority: TestAuthority,
    dists_dir: Path,
    seed: int,
    *,
    jobs: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[ManifestFile]:
    """Write every package's dists and attestations into ``dists_dir``; the manifest rows."""
    dists_dir.mkdir(parents=True, exist_ok=True)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(packages)))
    if jobs == 1 or "fork" not in multiprocessing.get_all_start_methods():
        context = local_signing_context(authority)
        rows: list[ManifestFile] = []
        for package in packages:
            rows.extend(sign_package(package, authority, context, dists_dir, seed))
        return rows
    fork = multiprocessing.get_context("fork")
    conns, procs = [], []
    for w in range(jobs):
        parent_end, child_end = fork.Pipe()
        proc = fork.Process(
            target=_worker,
            args=(child_end, authority, packages[w::jobs], dists_dir, seed),
            daemon=True,
        )
        proc.start()
        child_end.close()
        conns.append(parent_end)
        procs.append(proc)
    if progress is not None:
        progress(f"minting with {jobs} workers")
    try:
        return _serve_log(authority, conns)
    finally:
        for proc in procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()
