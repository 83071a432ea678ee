"""Size limits: how much pyvouch reads of anything it did not write, in one place.

Each limit is far above what an honest input needs and low enough that a hostile one cannot
exhaust memory. Whatever is over its limit is refused with a one-line error (or, where the
read is best effort, skipped), never truncated silently.
"""

from __future__ import annotations

MIB = 1024 * 1024

MAX_CONFIG_BYTES = 4 * MIB
"""A policy file, ``pyvouch.lock.toml`` or an alternatives file (`pyvouch.tomlfile`)."""

MAX_DIST_METADATA_BYTES = 4 * MIB
"""A ``METADATA`` / ``PKG-INFO`` inside a wheel or sdist (`check`, `index build`); a real one
is a few KiB."""

MAX_LOCK_BYTES = 64 * MIB
"""A lock, requirements file or SBOM that `scan`, `install --lock`, `diff` and `readiness` read
(a file, an ``-r`` include, or standard input). The largest real locks are a few MiB."""

MAX_LOCK_GRAPH_BYTES = 16 * MIB
"""A lock read for its dependency graph (`policy init`; best effort: a larger one has none)."""

MAX_PIP_INPUT_BYTES = 16 * MIB
"""A requirements or constraints file the install gate reads before pip does."""

MAX_ATTESTATION_BYTES = 16 * MIB
"""An attestation, provenance object or Sigstore bundle file (`verify`, `check`,
`verify-blob`)."""

MAX_WORKFLOW_BYTES = 2 * MIB
"""A GitHub Actions workflow file (`workflow lint`)."""

MAX_EVENT_PAYLOAD_BYTES = 16 * MIB
"""A GitHub Actions event payload ($GITHUB_EVENT_PATH; the GitHub Action's steps)."""

MAX_GIT_BLOB_BYTES = 64 * MIB
"""A file read from a git revision (`diff`)."""

MAX_INDEX_PAGE_BYTES = 20 * MIB
"""A project page of an index (PEP 503 / 691)."""

MAX_PROVENANCE_BYTES = 5 * MIB
"""A provenance object an index serves (PEP 740)."""

MAX_ADVISORY_BYTES = 4 * MIB
"""One OSV advisory (a file of a vulnerability database, a member of its zip, an API answer
for one id); a real one is a few KiB."""

MAX_ADVISORY_DB_MEMBERS = 200_000
"""Advisory files in one database directory or zip (the whole PyPI ecosystem is ~20,000)."""

MAX_OSV_BATCH_BYTES = 32 * MIB
"""One answer of the OSV API's ``querybatch`` (ids only, for up to 1,000 packages)."""

MAX_PYTHON_SOURCE_BYTES = 4 * MIB
"""A Python file read for its imports (reachability; best effort: a larger one is skipped and
said so). The largest modules of big real projects are a few hundred KiB."""

GIB = 1024 * MIB

MAX_WHEEL_DOWNLOAD_BYTES = 2 * GIB
"""A wheel downloaded to compare an installed environment with it (`scan` of an environment)."""

MAX_WHEEL_MEMBERS = 100_000
"""The files inside such a wheel."""

MAX_WHEEL_UNPACKED_BYTES = 8 * GIB
"""Their size unpacked, all together (a zip bomb stops here)."""

MAX_ENTRY_POINTS_BYTES = 1 * MIB
"""Its ``entry_points.txt``."""

MAX_BESIDE_BUNDLE_BYTES = 1 * MIB
"""A Sigstore bundle an index serves beside a file (``FILE.sigstore.json``); a real one is a
few KiB."""

MAX_BESIDE_SIGNATURE_BYTES = 64 * 1024
"""cosign's detached ``FILE.sig`` (base64) or ``FILE.crt`` (PEM) beside a file on an index."""

MAX_REPORT_BYTES = 64 * MIB
"""A pyvouch report (JSON or CycloneDX) that `pyvouch record` ingests."""
