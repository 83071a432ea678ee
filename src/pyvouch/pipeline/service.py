"""`Pipeline`: lookup -> verify -> finding, for one index, in one place.

One `Pipeline` holds one `IndexClient` (bounded concurrency, retries with backoff, its
authenticated cache), a `LookupVerifier` (served provenance verified on other cores while
lookups continue, with the authenticated verdict cache: a verdict already reached for the same
file, provenance and trust root is reused without importing sigstore) and the direct-route
confirmation (an integrity URL asked without the project page that did not verify is checked
against what the page says before its verdict stands). Scan, readiness's release history,
diff, the install gate and `verify`'s index route all turn files into findings through it.

What the index client warned about (a redirect to another host, on a page or a provenance URL,
now or when a cached answer was fetched) is named in the reason of every finding it touched
(`note`) and kept once each, in the order first seen (`warnings`).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AsyncExitStack
from dataclasses import replace
from typing import TYPE_CHECKING

from pyvouch.errors import IndexLookupError
from pyvouch.index.cache import default_cache_dir
from pyvouch.index.client import IndexClient, ProvenanceLookup, ProvenanceState, noted
from pyvouch.index.simple import ProjectPage
from pyvouch.machine_key import data_dir
from pyvouch.model import FileRef, Finding, Publisher, SignatureKind, Status
from pyvouch.pipeline.options import ScanOptions
from pyvouch.verify.deferred import DeferredVerifier
from pyvouch.verify.digest_pins import account_for_other_digests
from pyvouch.verify.dist import DistFile
from pyvouch.verify.parallel import LookupVerifier
from pyvouch.verify.verdicts import VerdictCache
from pyvouch.wheel_fetch.manifests import ManifestCache

if TYPE_CHECKING:  # sigstore is imported only when something must really be verified
    from pyvouch.verify.attestations import AttestationVerifier


_BESIDE_STATES = (ProvenanceState.NONE, ProvenanceState.NOT_SERVED)
"""Lookups after which signatures beside the file are looked for: the index serves no PEP 740
provenance for it (PEP 740 comes first). Offline, a lookup that could not be answered from
the cache also looks for a signature that verified earlier (only those are cached)."""


def _verdicts(options: ScanOptions, client: IndexClient) -> VerdictCache | None:
    if not options.verdict_cache:
        return None
    # Written on the client's cache-writing threads; closing the client waits for them.
    return VerdictCache.open(options.cache_dir or default_cache_dir(), data_dir(), client.writes)


def _manifests(options: ScanOptions, client: IndexClient) -> ManifestCache | None:
    """Wheel manifests for environment scans, cached (authenticated) beside the verdicts."""
    if not options.verdict_cache:
        return None
    return ManifestCache.open(options.cache_dir or default_cache_dir(), data_dir(), client.writes)


class Pipeline:
    """``async with Pipeline(verifier, options, expected_files) as pipe: await pipe.finding(...)``.

    ``verifier`` may be a `DeferredVerifier` (built on the first verdict that is not cached).
    ``expected_files`` is how many files are about to be checked: with many, verification runs
    in a forked pool (see `pyvouch.verify.parallel.LookupVerifier`)."""

    def __init__(
        self,
        verifier: AttestationVerifier | DeferredVerifier,
        options: ScanOptions,
        expected_files: int,
    ) -> None:
        self.options = options
        self._verifier = verifier
        self._expected_files = expected_files
        self._stack = AsyncExitStack()
        self._client: IndexClient | None = None
        self._checks: LookupVerifier | None = None
        self._manifests: ManifestCache | None = None
        self._manifests_opened = False
        self._warnings: dict[str, None] = {}

    async def __aenter__(self) -> Pipeline:
        options = self.options
        async with AsyncExitStack() as stack:
            client = await stack.enter_async_context(
                IndexClient(
                    options.index_url,
                    cache_dir=options.cache_dir,
                    offline=options.offline,
                    concurrency=options.jobs,
                    timeout=options.timeout,
                    retries=options.retries,
                    backoff=options.backoff,
                    refresh=options.refresh,
                )
            )
            checks = await stack.enter_async_context(
                LookupVerifier(
                    self._verifier, self._expected_files, verdicts=_verdicts(options, client)
                )
            )
            self._stack = stack.pop_all()
        self._client, self._checks = client, checks
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()

    @property
    def client(self) -> IndexClient:
        assert self._client is not None, "use Pipeline as an async context manager"
        return self._client

    @property
    def checks(self) -> LookupVerifier:
        assert self._checks is not None, "use Pipeline as an async context manager"
        return self._checks

    @property
    def manifests(self) -> ManifestCache | None:
        """The wheel manifests of environment scans (opened on first use)."""
        if not self._manifests_opened:
            self._manifests = _manifests(self.options, self.client)
            self._manifests_opened = True
        return self._manifests

    @property
    def index_url(self) -> str:
        """The index URL, without credentials."""
        return self.client.index_url

    @property
    def warnings(self) -> tuple[str, ...]:
        """What the index client warned about, once each, in the order first seen."""
        return tuple(self._warnings)

    def keep(self, warnings: Sequence[str]) -> None:
        """Keep ``warnings`` for `warnings` (once each)."""
        self._warnings.update(dict.fromkeys(warnings))

    def note(self, finding: Finding, warnings: Sequence[str]) -> Finding:
        """``finding`` whose reason names ``warnings``; they are kept for `warnings` too."""
        self.keep(warnings)
        reason = noted(finding.reason, warnings)
        return finding if reason == finding.reason else replace(finding, reason=reason)

    async def project(self, project: str) -> ProjectPage:
        """The index's page for ``project``; `IndexLookupError` when it cannot be read."""
        return await self.client.project(project)

    async def lookup(
        self, project: str, filename: str, sha256: str | None, *, direct: bool = True
    ) -> ProvenanceLookup:
        """What the index says of one file's provenance (never raises for index faults)."""
        return await self.client.provenance(
            project, filename, sha256, direct=direct, defer_body=True
        )

    async def check(
        self, dist: DistFile, lookup: ProvenanceLookup, expected: Publisher | None = None
    ) -> tuple[Finding, ProvenanceLookup]:
        """The finding for ``dist`` given ``lookup``, and the lookup it finally rests on.

        A direct answer (asked without the project page) that did not verify is confirmed
        against the page: the page route's answer (an ERROR when the page does not list the
        file or lists another digest) is then what the finding says."""
        if lookup.body_deferred:  # from the cache: its body is read only when no verdict is
            cached = self.checks.cached_verdict(dist, lookup, expected)
            if cached is None:
                lookup = await self.client.with_body(lookup)
                finding = await self.checks.finding(dist, lookup, expected, look_up=False)
            else:
                finding = cached
        else:
            finding = await self.checks.finding(dist, lookup, expected)
        offline_error = lookup.state is ProvenanceState.ERROR and self.client.offline
        if self.options.beside_signatures and (lookup.state in _BESIDE_STATES or offline_error):
            finding = await self._beside(dist, lookup, expected, finding)
        finding = self._keyed(lookup, finding)
        if lookup.direct:
            if finding.status is not Status.VERIFIED:  # let the page say what it would say
                confirmed = await self.client.confirm_direct(lookup)
                if confirmed is not lookup:
                    lookup = confirmed
                    finding = await self.checks.finding(dist, confirmed, expected)
            self.client.keep_direct(lookup)
        return finding, lookup

    def _keyed(self, lookup: ProvenanceLookup, finding: Finding) -> Finding:
        """A package the policy gives a key must be signed with it: a PEP 740 attestation
        that verified, by whoever, is `mismatch` (the key is the identity expected)."""
        source = self.options.signatures.own_key(lookup.project) if lookup.project else None
        if source is None or finding.status is not Status.VERIFIED:
            return finding
        if finding.signature_kind is not SignatureKind.PEP740:
            return finding
        who = finding.publisher.to_spec() if finding.publisher else "an unknown publisher"
        reason = (
            f"the attestation verified, but the policy expects a signature with the key "
            f"{source}, not a PEP 740 attestation by {who}"
        )
        return replace(finding, status=Status.MISMATCH, reason=reason, identity_checked=False)

    async def _beside(
        self, dist: DistFile, lookup: ProvenanceLookup, expected: Publisher | None, found: Finding
    ) -> Finding:
        """The index serves no PEP 740 provenance for ``dist``: the signatures beside it
        (`pyvouch.verify.beside`) decide, when there are any; else ``found`` stands."""
        if lookup.project is None:
            return found
        signatures = await self.client.signatures(lookup.project, dist.filename, dist.sha256)
        if signatures is None or not signatures.found:  # nothing beside: no sigstore import
            return found
        from pyvouch.verify.beside import verify_beside

        root = self.checks.source.get().root
        expectation = self.options.signatures.for_package(lookup.project)
        beside = verify_beside(dist, signatures, expectation, expected, root)
        if beside is None:
            return found
        if beside.status is Status.VERIFIED:
            self.client.keep_signatures(dist.sha256, signatures)
        self.keep(signatures.warnings)
        return beside

    async def finding(self, project: str, ref: FileRef) -> Finding:
        """Look up, verify and record one file a source named (by name, digest or both)."""
        lookup = await self.lookup(project, ref.filename, ref.sha256)
        digest = ref.sha256 or lookup.sha256
        if digest is None:
            return Finding(ref, Status.UNKNOWN, f"no sha256 is known for {ref.filename}")
        finding, lookup = await self.check(DistFile(filename=ref.filename, sha256=digest), lookup)
        # Keep what the source recorded (url, size, other digests) alongside the digest that
        # was checked.
        file = FileRef(ref.filename, digest, ref.url, ref.size, ref.other_digests)
        result = self.note(replace(finding, file=file), lookup.warnings)
        if not ref.other_digests:
            return result
        try:
            listed = await self.project(project)
        except IndexLookupError:
            listed = None
        entry = listed.file(ref.filename) if listed is not None else None
        return account_for_other_digests(result, ref, entry)
