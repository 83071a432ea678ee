"""Every real lock file in ../shared/fixtures/lockfiles, read in place.

`scan --dry-run` lists its packages; a real scan against a loopback index that lists each
package's files the way this machine's PyPI mirror does (api-version 1.1, no provenance keys,
integrity endpoint 404) completes with only `unknown` / `not-indexed`, and exits 3.
Skipped, saying why, when the shared folder is absent."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from pyvouch.sources import load_packages
from tests.scan.conftest import Scan
from tests.support.index_servers import PEP691_JSON, IndexServer, Reply, serve

LOCKFILES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "lockfiles"
CORPUS = sorted(p for p in LOCKFILES.rglob("*") if p.is_file()) if LOCKFILES.is_dir() else []

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not CORPUS, reason=f"shared lock files not found at {LOCKFILES}"),
]


def _ids() -> list[str]:
    return [p.name for p in CORPUS] or ["absent"]


def _fake_digest(label: str) -> str:
    return hashlib.sha256(label.encode()).hexdigest()


def _stripped_pages(lock: Path) -> dict[str, list[dict[str, object]]]:
    """Project pages naming every file the scan will ask for, without provenance keys."""
    pages: dict[str, list[dict[str, object]]] = {}
    for package in load_packages(lock, resolve=False).packages:
        if package.origin is not None:
            continue
        name = canonicalize_name(package.name)
        files = pages.setdefault(name, [])
        dist = name.replace("-", "_")
        version = package.version or "0"
        named = [(f.filename, f.sha256) for f in package.files if f.filename]
        if not named and package.hashes:
            named = [
                (f"{dist}-{version}-{i}-py3-none-any.whl", digest)
                # one name per distinct digest: the same bytes under two names is a riddle
                for i, digest in enumerate(dict.fromkeys(package.hashes), start=1)
            ]
        if not named:
            named = [(f"{dist}-{version}.tar.gz", None)]
        for filename, digest in named:
            if any(f["filename"] == filename for f in files):
                continue  # one entry per file: a page listing it twice contradicts itself
            files.append(
                {
                    "filename": filename,
                    "url": f"/files/{filename}",
                    "hashes": {"sha256": digest or _fake_digest(filename)},
                }
            )
    return pages


@pytest.fixture
def mirror_for() -> Iterator[Callable[[Path], IndexServer]]:
    with ExitStack() as stack:

        def make(lock: Path) -> IndexServer:
            server = stack.enter_context(serve())
            for name, files in _stripped_pages(lock).items():
                doc = {"meta": {"api-version": "1.1"}, "name": name, "files": files}
                body = json.dumps(doc).encode()
                server.route(f"/simple/{name}/", Reply(body=body, content_type=PEP691_JSON))
            return server

        yield make


@pytest.mark.parametrize("lock", CORPUS, ids=_ids())
def test_dry_run_lists_every_package(scan: Scan, lock: Path) -> None:
    result = scan(str(lock), "--dry-run", "--no-resolve")
    assert result.exit_code == 0, result.output
    last = result.stdout.strip().splitlines()[-1]
    count = int(last.split()[0])
    assert count > 0 and last.endswith("nothing was looked up (--dry-run)")


@pytest.mark.timeout(120)
@pytest.mark.parametrize("lock", CORPUS, ids=_ids())
def test_scan_against_a_stripping_mirror_is_unknown_never_unattested(
    scan: Scan, lock: Path, mirror_for: Callable[[Path], IndexServer]
) -> None:
    server = mirror_for(lock)
    code, doc = scan.json(
        str(lock),
        "--index-url",
        server.url("/simple/"),
        "--no-resolve",
        "--timeout",
        "10",
        "--retries",
        "1",
        "--jobs",
        "4",  # http.server's listen backlog is 5: more connections at once stall on SYN retries
    )
    assert code == 3
    statuses = {p["status"] for p in doc["packages"]}
    assert statuses <= {"unknown", "not-indexed"}, statuses
    assert "unknown" in statuses
    files = [f for p in doc["packages"] for f in p["files"]]
    assert files and all(f["status"] == "unknown" for f in files)
    # A lock may name one filename with two digests (pipenv's pylock.toml does); the index
    # lists one digest per filename, so the other is a digest mismatch: still unknown.
    digests: dict[str, set[str]] = {}
    for f in files:
        digests.setdefault(f["filename"], set()).add(f["sha256"])
    for f in files:
        if len(digests[f["filename"]]) > 1 and "not the expected" in f["reason"]:
            continue
        assert "does not serve provenance" in f["reason"], f
    # bounded: one page per project and one integrity request per file (each retried once at
    # most), and for each file the two signatures beside it (.sigstore.json, .sig: 404)
    beside = [r for r in server.requests if r.path.endswith((".sigstore.json", ".sig"))]
    assert len(beside) <= 2 * len(files)
    pages_and_integrity = len(server.requests) - len(beside)
    assert pages_and_integrity <= 2 * (len({p["name"] for p in doc["packages"]}) + len(files))
