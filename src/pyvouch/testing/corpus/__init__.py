"""A benchmark corpus: N packages with real dists, attestations and a static site.

``generate(CorpusConfig(packages=N, seed=S), out)`` writes::

    OUT/dists/            every sdist and wheel, and <dist>.publish.attestation beside the attested
    OUT/site/             the static PEP 503/691/740 site (`pyvouch index build`, dists hard-linked)
    OUT/trusted_root.json the test authority's trusted root: the only root the corpus verifies under
    OUT/manifest.json     what every file is and what it must verify as

Every package has a tiny but valid sdist (``PKG-INFO``, ``pyproject.toml``, one module) and
wheel (module, ``METADATA``, ``WHEEL``, ``RECORD``), built directly with tarfile/zipfile with
fixed times and owners. Each package is published by a GitHub repository; its attestations are
minted with one `TestAuthority` through sigstore's own ``Signer`` (one short-lived certificate
per release, for both its files, as a CI job signing a release does).

Shares (of packages, exclusive) change the package's latest release:

- ``unattested``: published without attestations;
- ``invalid``: attestations that do not verify, alternately a flipped bit in the DSSE
  signature (``bad-signature``) or a statement edited after signing (``altered-statement``);
  both still name the file and its digest, so ``pyvouch index build`` (which does not verify
  signatures) serves them;
- ``identity-changed``: signed by another repository (a fork took over); these packages get one
  more release, so the previous one, signed by the usual repository, is there to compare with.

Deterministic for a seed: names, versions, repositories, file bytes, which package gets which
share. Not deterministic: the signatures, keys, certificates and log entries (ECDSA is
randomised and the authority's keys are fresh), so attestation bytes and log indexes differ
between runs; the manifest holds nothing that varies.

Minting uses every core with ONE authority (one trusted root, one log): forked workers build
dists, get certificates from the authority's CA (its keys are inherited) and sign; each log entry
is sent over a pipe to the parent, which alone appends to the transparency log and answers with
the integrated entry, as Rekor would.

Modules: ``plan`` (the seed's plan), ``dists`` (the bytes of each sdist and wheel), ``signing``
(one package's attestations, spoilt where planned), ``mint`` (every package, on every core, one
log), ``manifest`` (what each file must verify as); this one puts them together.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from pyvouch.testing.authority import TestAuthority
from pyvouch.testing.corpus.dists import build_sdist, build_wheel, sdist_filename, wheel_filename
from pyvouch.testing.corpus.manifest import Manifest, ManifestFile, expected_status, load_manifest
from pyvouch.testing.corpus.mint import mint
from pyvouch.testing.corpus.plan import (
    ALTERED_STATEMENT,
    ATTESTED,
    BAD_SIGNATURE,
    IDENTITY_CHANGED,
    INVALID,
    MAX_PACKAGES,
    UNATTESTED,
    CorpusConfig,
    PlannedPackage,
    Release,
    plan,
)
from pyvouch.testing.corpus.signing import ATTESTATION_SUFFIX

__all__ = [
    "ALTERED_STATEMENT",
    "ATTESTATION_SUFFIX",
    "ATTESTED",
    "BAD_SIGNATURE",
    "IDENTITY_CHANGED",
    "INVALID",
    "MAX_PACKAGES",
    "UNATTESTED",
    "CorpusConfig",
    "Manifest",
    "ManifestFile",
    "PlannedPackage",
    "Release",
    "build_sdist",
    "build_wheel",
    "expected_status",
    "generate",
    "load_manifest",
    "mint",
    "plan",
    "sdist_filename",
    "wheel_filename",
]


def generate(
    config: CorpusConfig,
    out: Path,
    *,
    jobs: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> Manifest:
    """Mint the corpus into ``out`` (which must not exist or be empty) and build its site."""
    from pyvouch.registry.static_site import build_site

    packages = plan(config)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} exists and is not empty")
    out.mkdir(parents=True, exist_ok=True)
    authority = TestAuthority(name="pyvouch-corpus")
    (out / "trusted_root.json").write_text(
        json.dumps(authority.trusted_root(), indent=2), encoding="utf-8"
    )
    rows = mint(packages, authority, out / "dists", config.seed, jobs=jobs, progress=progress)
    rows.sort(key=lambda r: (r.project, r.version, r.filename))
    if progress is not None:
        progress(f"minted {len(authority.log.entries)} attestations; building the site")
    build_site(out / "dists", out / "site", link=True)
    manifest = Manifest(config, packages, rows)
    (out / "manifest.json").write_text(
        json.dumps(manifest.to_json(), indent=1) + "\n", encoding="utf-8"
    )
    return manifest
