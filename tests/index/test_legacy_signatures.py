"""Legacy PGP signatures: listed by the index (PEP 691 `gpg-sig`, PEP 503 `data-gpg-sig`).

A file with no provenance and only a PGP signature is `legacy-signed` (which policy counts as
unattested); a PGP signature never makes a file look verified, and provenance wins over it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pyvouch.index.client import ProvenanceState
from pyvouch.model import Status
from pyvouch.verify.attestations import AttestationVerifier, DistFile
from pyvouch.verify.lookup import finding_for_lookup
from pyvouch.verify.trust import load_trust_root
from tests.index.test_index_client import (
    PAGE,
    PROJECT,
    PROV_PATH,
    PROVENANCE,
    SDIST,
    SDIST_SHA,
    WHEEL,
    WHEEL_SHA,
    fast,
    lookup,
)
from tests.support.index_servers import (
    PEP691_JSON,
    IndexServer,
    PageFile,
    Reply,
    html_page,
    json_page,
    serve,
)


@pytest.fixture
def server() -> Iterator[IndexServer]:
    with serve() as s:
        yield s


def _files() -> list[PageFile]:
    return [
        PageFile(SDIST, f"/files/{SDIST}", SDIST_SHA, provenance=PROV_PATH, gpg_sig=True),
        PageFile(WHEEL, f"/files/{WHEEL}", WHEEL_SHA, provenance=None, gpg_sig=True),
    ]


@pytest.mark.parametrize("page_format", ["json", "html"])
def test_pgp_only_file_is_legacy_signed(
    server: IndexServer, tmp_path: Path, page_format: str
) -> None:
    if page_format == "json":
        body, kind = json_page(PROJECT, _files()), PEP691_JSON
    else:
        body, kind = html_page(PROJECT, _files()), "text/html"
    server.route(PAGE, Reply(body=body, content_type=kind))
    server.route(PROV_PATH, Reply(body=PROVENANCE, content_type="application/json"))
    verifier = AttestationVerifier(load_trust_root())

    # (In HTML the wheel has no provenance attribute; the sdist's shows that the index serves
    # PEP 740, so the integrity endpoint's 404 means "none published".)
    wheel, _ = lookup(server.url("/simple/"), PROJECT, WHEEL, **fast(tmp_path))
    assert wheel.legacy_signature
    assert wheel.state is ProvenanceState.NONE
    finding = finding_for_lookup(DistFile(WHEEL, WHEEL_SHA), wheel, verifier, None)
    assert finding.status is Status.LEGACY_SIGNED
    assert "legacy PGP signature" in finding.reason

    sdist, _ = lookup(server.url("/simple/"), PROJECT, SDIST, **fast(tmp_path / "2"))
    finding = finding_for_lookup(DistFile(SDIST, SDIST_SHA), sdist, verifier, None)
    assert finding.status is Status.VERIFIED  # provenance wins over the PGP signature


def test_no_gpg_key_is_plain_unattested(server: IndexServer, tmp_path: Path) -> None:
    files = [PageFile(WHEEL, f"/files/{WHEEL}", WHEEL_SHA, provenance=None)]
    server.route(PAGE, Reply(body=json_page(PROJECT, files), content_type=PEP691_JSON))
    wheel, _ = lookup(server.url("/simple/"), PROJECT, WHEEL, **fast(tmp_path))
    assert not wheel.legacy_signature
    verifier = AttestationVerifier(load_trust_root())
    finding = finding_for_lookup(DistFile(WHEEL, WHEEL_SHA), wheel, verifier, None)
    assert finding.status is Status.UNATTESTED


def test_malformed_gpg_sig_is_a_page_error(server: IndexServer, tmp_path: Path) -> None:
    body = json_page(PROJECT, _files()).replace(b'"gpg-sig": true', b'"gpg-sig": "yes"')
    server.route(PAGE, Reply(body=body, content_type=PEP691_JSON))
    wheel, _ = lookup(server.url("/simple/"), PROJECT, WHEEL, **fast(tmp_path))
    assert wheel.state is ProvenanceState.ERROR
    assert "gpg-sig" in wheel.reason


def test_verify_reads_the_page_even_with_a_remembered_direct_route(
    server: IndexServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found in review: `pyvouch verify` must say what the page says (another digest listed),
    whatever route an earlier scan remembered for the index."""
    from pyvouch.index.cache import IndexCache
    from pyvouch.pipeline.options import ScanOptions
    from pyvouch.pipeline.verify import verify_from_index

    rebuilt = tmp_path / SDIST
    rebuilt.write_bytes(b"a local rebuild with the same name")
    files = [PageFile(SDIST, f"/files/{SDIST}", SDIST_SHA, provenance=PROV_PATH)]
    server.route(PAGE, Reply(body=json_page(PROJECT, files), content_type=PEP691_JSON))
    server.route(PROV_PATH, Reply(body=PROVENANCE, content_type="application/json"))
    monkeypatch.setenv("PYVOUCH_CACHE_DIR", str(tmp_path / "cache"))
    from pyvouch.machine_key import key_for_cache

    own = IndexCache(tmp_path / "cache", secret=key_for_cache(tmp_path / "cache"))
    own.put_direct_route(server.url("/simple/"), True)  # remembered on this machine
    outcome = verify_from_index(
        [rebuilt],
        AttestationVerifier(load_trust_root()),
        None,
        ScanOptions(index_url=server.url("/simple/")),
    )
    (finding,) = outcome.findings
    assert finding.status is Status.UNKNOWN
    assert f"lists sha256 {SDIST_SHA}" in finding.reason


def test_a_planted_page_in_the_cache_cannot_make_unknown_unattested(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found in review: pages tell "none published" from "not served", so a page entry is used
    only with a MAC made with the machine key (kept outside the cache directory)."""
    from pyvouch.index.cache import IndexCache
    from pyvouch.machine_key import load_or_create_key

    monkeypatch.setenv("PYVOUCH_DATA_DIR", str(tmp_path / "data"))
    index = "http://127.0.0.1:9/simple/"  # nothing listens: offline answers come from the cache
    page = json_page(PROJECT, [PageFile(WHEEL, f"/files/{WHEEL}", WHEEL_SHA, provenance=None)])
    planted = IndexCache(tmp_path / "cache", secret=b"\x01" * 32)  # another machine's key
    planted.put_page(f"{index}{PROJECT}/", page, PEP691_JSON, '"e1"', None)
    wheel, _ = lookup(index, PROJECT, WHEEL, WHEEL_SHA, cache_dir=tmp_path / "cache", offline=True)
    assert wheel.state is ProvenanceState.ERROR  # shown as unknown, never as unattested

    # the same page cached on this machine (its own key) is used
    own = IndexCache(tmp_path / "cache", secret=load_or_create_key(tmp_path / "data"))
    own.put_page(f"{index}{PROJECT}/", page, PEP691_JSON, '"e1"', None)
    wheel, _ = lookup(index, PROJECT, WHEEL, WHEEL_SHA, cache_dir=tmp_path / "cache", offline=True)
    assert wheel.state is ProvenanceState.NONE
