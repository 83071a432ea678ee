"""The index client against real HTTP servers on 127.0.0.1: states, faults, cache, offline."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pyvouch.errors import IndexLookupError, OfflineMiss
from pyvouch.index.cache import LAYOUT as CACHE_LAYOUT
from pyvouch.index.client import (
    IndexClient,
    ProjectPage,
    ProvenanceLookup,
    ProvenanceState,
    lookup_provenance,
    resolve_index_url,
)
from tests.support.index_servers import (
    ABSENT,
    PEP691_JSON,
    IndexServer,
    PageFile,
    Reply,
    asset,
    html_page,
    json_page,
    serve,
    sha256_of,
)

pytestmark = pytest.mark.timeout(30)

SDIST = "pypi_attestations-0.0.19.tar.gz"
WHEEL = "pypi_attestations-0.0.19-py3-none-any.whl"
PROJECT = "pypi-attestations"
PROVENANCE = asset(f"{SDIST}.provenance")
SDIST_SHA = sha256_of(asset(SDIST))
WHEEL_SHA = sha256_of(asset(WHEEL))
PAGE = f"/simple/{PROJECT}/"
PROV_PATH = f"/files/{SDIST}.provenance"
INTEGRITY_SDIST = f"/integrity/{PROJECT}/0.0.19/{SDIST}/provenance"
INTEGRITY_WHEEL = f"/integrity/{PROJECT}/0.0.19/{WHEEL}/provenance"
INTEGRITY_JSON = "application/vnd.pypi.integrity.v1+json"


@pytest.fixture
def server() -> Iterator[IndexServer]:
    with serve() as s:
        yield s


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def fast(cache_dir: Path, **overrides: Any) -> dict[str, Any]:
    """Client settings that keep every fault test short and bounded."""
    settings: dict[str, Any] = {
        "cache_dir": cache_dir,
        "timeout": 0.3,
        "total_timeout": 3.0,
        "retries": 2,
        "backoff": 0.01,
    }
    settings.update(overrides)
    return settings


def lookup(
    index: str, project: str, filename: str, sha256: str | None = None, **kwargs: Any
) -> tuple[ProvenanceLookup, IndexClient]:
    async def run() -> tuple[ProvenanceLookup, IndexClient]:
        async with IndexClient(index, **kwargs) as client:
            return await client.provenance(project, filename, sha256), client

    return asyncio.run(run())


def page_of(index: str, project: str, **kwargs: Any) -> ProjectPage:
    async def run() -> ProjectPage:
        async with IndexClient(index, **kwargs) as client:
            return await client.project(project)

    return asyncio.run(run())


def pep740_index(server: IndexServer, *, api_version: str = "1.3", etag: bool = False) -> None:
    """A JSON index like PyPI: the sdist has provenance, the wheel a null key."""
    files = [
        PageFile(SDIST, f"/files/{SDIST}", SDIST_SHA, provenance=PROV_PATH),
        PageFile(WHEEL, f"/files/{WHEEL}", WHEEL_SHA, provenance=None),
    ]
    headers = {"ETag": '"page-v1"'} if etag else {}
    server.route(
        PAGE,
        Reply(
            body=json_page(PROJECT, files, api_version), content_type=PEP691_JSON, headers=headers
        ),
    )
    server.route(PROV_PATH, Reply(body=PROVENANCE, content_type=INTEGRITY_JSON))


def stripping_mirror(server: IndexServer, *, api_version: str = "1.1") -> None:
    """What this machine's PyPI mirror does: api-version 1.1, no keys, integrity 404."""
    files = [
        PageFile(SDIST, f"/files/{SDIST}", SDIST_SHA),
        PageFile(WHEEL, f"/files/{WHEEL}", WHEEL_SHA),
    ]
    server.route(PAGE, Reply(body=json_page(PROJECT, files, api_version), content_type=PEP691_JSON))


# -- the four states ---------------------------------------------------------------------


def test_served_returns_the_exact_bytes(server: IndexServer, cache_dir: Path) -> None:
    pep740_index(server)
    result, client = lookup(
        server.url("/simple/"), "PyPI_Attestations", SDIST, None, **fast(cache_dir)
    )
    assert result.state is ProvenanceState.SERVED
    assert result.provenance == PROVENANCE
    assert result.sha256 == SDIST_SHA
    assert result.url == server.url(PROV_PATH)
    assert result.project == PROJECT
    page_request = next(r for r in server.requests if r.path == PAGE)
    assert page_request.headers["accept"].startswith(PEP691_JSON)
    assert client.stats.provenance_requests == 1


def test_null_key_means_none_published_without_a_request(
    server: IndexServer, cache_dir: Path
) -> None:
    pep740_index(server)
    result, client = lookup(server.url("/simple/"), PROJECT, WHEEL, **fast(cache_dir))
    assert result.state is ProvenanceState.NONE
    assert result.provenance is None
    assert "publishes none" in result.reason
    assert client.stats.provenance_requests == 0


@pytest.mark.parametrize("filename", [SDIST, WHEEL])
def test_stripping_mirror_is_not_served_never_none(
    server: IndexServer, cache_dir: Path, filename: str
) -> None:
    stripping_mirror(server)
    result, _ = lookup(server.url("/simple/"), PROJECT, filename, **fast(cache_dir))
    assert result.state is ProvenanceState.NOT_SERVED
    assert "api-version 1.1" in result.reason
    assert "its page lists no provenance keys" in result.reason
    assert "integrity endpoint 404" in result.reason
    # The integrity endpoint was asked exactly once (a 404 is an answer, not a fault).
    assert server.count("/integrity/") == 1


def test_mirror_announcing_1_3_without_keys_cannot_tell(
    server: IndexServer, cache_dir: Path
) -> None:
    stripping_mirror(server, api_version="1.3")
    result, _ = lookup(server.url("/simple/"), PROJECT, SDIST, **fast(cache_dir))
    assert result.state is ProvenanceState.NOT_SERVED
    assert "cannot tell" in result.reason


def test_keys_count_more_than_the_announced_version(server: IndexServer, cache_dir: Path) -> None:
    """Pulp serves provenance keys while announcing api-version 1.1."""
    pep740_index(server, api_version="1.1")
    served, _ = lookup(server.url("/simple/"), PROJECT, SDIST, **fast(cache_dir))
    none, _ = lookup(server.url("/simple/"), PROJECT, WHEEL, **fast(cache_dir))
    assert served.state is ProvenanceState.SERVED
    assert none.state is ProvenanceState.NONE
    assert "api-version 1.1" in none.reason


def test_html_page_with_data_provenance(server: IndexServer, cache_dir: Path) -> None:
    files = [
        # relative URLs, resolved against the page URL
        PageFile(
            SDIST,
            f"../../files/{SDIST}",
            SDIST_SHA,
            provenance=f"../../files/{SDIST}.provenance",
            requires_python=">=3.9",
            core_metadata="sha256=abc",
        ),
        PageFile(WHEEL, f"../../files/{WHEEL}", WHEEL_SHA, yanked="broken build"),
    ]
    server.route(
        PAGE, Reply(body=html_page(PROJECT, files), content_type="text/html; charset=utf-8")
    )
    server.route(PROV_PATH, Reply(body=PROVENANCE, content_type="application/octet-stream"))
    page = page_of(server.url("/simple/"), PROJECT, **fast(cache_dir))
    assert page.api_version == "1.3"
    assert page.serves_provenance
    sdist, wheel = page.files
    assert sdist.url == server.url(f"/files/{SDIST}")
    assert sdist.sha256 == SDIST_SHA
    assert sdist.provenance_url == server.url(PROV_PATH)
    assert sdist.requires_python == ">=3.9"
    assert sdist.core_metadata == "sha256=abc"
    assert wheel.yanked == "broken build"
    assert not wheel.provenance_key

    served, _ = lookup(server.url("/simple/"), PROJECT, SDIST, SDIST_SHA, **fast(cache_dir))
    assert served.state is ProvenanceState.SERVED
    assert served.provenance == PROVENANCE
    # The wheel has no data-provenance on a page that shows the index serves provenance:
    # the integrity endpoint is asked, and its 404 means none published.
    none, _ = lookup(server.url("/simple/"), PROJECT, WHEEL, **fast(cache_dir))
    assert none.state is ProvenanceState.NONE
    assert none.url == server.url(INTEGRITY_WHEEL)
    assert server.count(INTEGRITY_WHEEL) == 1


def test_integrity_endpoint_fallback(server: IndexServer, cache_dir: Path) -> None:
    """PyPI-style: the page gives no provenance URL, the integrity API has it."""
    files = [PageFile(SDIST, f"/files/{SDIST}", SDIST_SHA)]
    server.route(
        PAGE, Reply(body=html_page(PROJECT, files, api_version="1.0"), content_type="text/html")
    )
    server.route(INTEGRITY_SDIST, Reply(body=PROVENANCE, content_type=INTEGRITY_JSON))
    result, _ = lookup(server.url("/simple/"), PROJECT, SDIST, **fast(cache_dir))
    assert result.state is ProvenanceState.SERVED
    assert result.provenance == PROVENANCE
    assert result.url == server.url(INTEGRITY_SDIST)
    assert "integrity endpoint" in result.reason


def test_integrity_endpoint_answering_html_is_not_provenance(
    server: IndexServer, cache_dir: Path
) -> None:
    """A catch-all web server answering 200 text/html for every path is no provenance."""
    stripping_mirror(server)
    server.route(INTEGRITY_SDIST, Reply(body=b"<html>welcome</html>", content_type="text/html"))
    result, _ = lookup(server.url("/simple/"), PROJECT, SDIST, **fast(cache_dir))
    assert result.state is ProvenanceState.NOT_SERVED
    assert "text/html" in result.reason


# -- lookups that cannot succeed --------------------------------------------------------


def test_unknown_project_raises_and_provenance_reports_error(
    server: IndexServer, cache_dir: Path
) -> None:
    with pytest.raises(IndexLookupError, match="not on the index"):
        page_of(server.url("/simple/"), "nope", **fast(cache_dir))
    result, _ = lookup(server.url("/simple/"), "nope", "nope-1.0.tar.gz", **fast(cache_dir))
    assert result.state is ProvenanceState.ERROR
    assert "HTTP 404" in result.reason


def test_file_not_listed_and_digest_mismatch(server: IndexServer, cache_dir: Path) -> None:
    pep740_index(server)
    missing, _ = lookup(server.url("/simple/"), PROJECT, "other-1.0.tar.gz", **fast(cache_dir))
    assert missing.state is ProvenanceState.ERROR
    assert "not listed" in missing.reason
    wrong, _ = lookup(server.url("/simple/"), PROJECT, SDIST, "ab" * 32, **fast(cache_dir))
    assert wrong.state is ProvenanceState.ERROR
    assert SDIST_SHA in wrong.reason and "ab" * 32 in wrong.reason
    assert server.count("/files/") == 0


def test_listed_provenance_url_that_404s_is_an_error(server: IndexServer, cache_dir: Path) -> None:
    pep740_index(server)
    server.route(PROV_PATH, Reply(status=404, body=b"gone", content_type="text/plain"))
    result, _ = lookup(server.url("/simple/"), PROJECT, SDIST, **fast(cache_dir))
    assert result.state is ProvenanceState.ERROR
    assert "HTTP 404" in result.reason


# -- faults ------------------------------------------------------------------------------


def test_timeout_is_bounded_and_reported(server: IndexServer, cache_dir: Path) -> None:
    pep740_index(server)
    server.route(PROV_PATH, Reply(body=PROVENANCE, delay=1.0))
    result, client = lookup(server.url("/simple/"), PROJECT, SDIST, **fast(cache_dir, retries=1))
    assert result.state is ProvenanceState.ERROR
    assert "timed out" in result.reason
    assert "2 attempts" in result.reason
    assert server.count(PROV_PATH) == 2
    assert client.stats.retries == 1


def test_wall_clock_cap_per_attempt(server: IndexServer, cache_dir: Path) -> None:
    """A server slower than the per-attempt cap is cut off even when reads never time out."""
    pep740_index(server)
    server.route(PROV_PATH, Reply(body=PROVENANCE, delay=1.0))
    settings = fast(cache_dir, timeout=5.0, total_timeout=0.3, retries=0)
    result, _ = lookup(server.url("/simple/"), PROJECT, SDIST, **settings)
    assert result.state is ProvenanceState.ERROR
    assert "no complete answer within 0.3 s" in result.reason
    assert server.count(PROV_PATH) == 1


def test_odd_provenance_urls_are_errors_not_exceptions(
    server: IndexServer, cache_dir: Path
) -> None:
    files = [
        PageFile("a-1.0.tar.gz", "/files/a-1.0.tar.gz", provenance="ftp://127.0.0.1/x"),
        PageFile("b-1.0.tar.gz", "/files/b-1.0.tar.gz", provenance="http://127.0.0.1:99999/x"),
    ]
    server.route("/simple/a/", Reply(body=json_page("a", files), content_type=PEP691_JSON))
    for filename in ("a-1.0.tar.gz", "b-1.0.tar.gz"):
        result, _ = lookup(server.url("/simple/"), "a", filename, **fast(cache_dir))
        assert result.state is ProvenanceState.ERROR, result.reason


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_transient_status_then_success(server: IndexServer, cache_dir: Path, status: int) -> None:
    pep740_index(server)
    server.route(
        PROV_PATH,
        Reply(
            status=status,
            body=b"busy",
            content_type="text/plain",
            headers={"Retry-After": "0"} if status == 429 else {},
        ),
        Reply(body=PROVENANCE, content_type=INTEGRITY_JSON),
    )
    result, client = lookup(server.url("/simple/"), PROJECT, SDIST, **fast(cache_dir))
    assert result.state is ProvenanceState.SERVED
    assert result.provenance == PROVENANCE
    assert server.count(PROV_PATH) == 2
    assert client.stats.retries == 1


def test_page_500_then_success(server: IndexServer, cache_dir: Path) -> None:
    pep740_index(server)
    good = server.routes[PAGE][0]
    server.route(PAGE, Reply(status=500, content_type="text/plain"), good)
    page = page_of(server.url("/simple/"), PROJECT, **fast(cache_dir))
    assert len(page.files) == 2
    assert server.count(PAGE) == 2


def test_persistent_503_gives_up_after_the_retries(server: IndexServer, cache_dir: Path) -> None:
    pep740_index(server)
    server.route(PROV_PATH, Reply(status=503, content_type="text/plain"))
    result, _ = lookup(server.url("/simple/"), PROJECT, SDIST, **fast(cache_dir, retries=3))
    assert result.state is ProvenanceState.ERROR
    assert "HTTP 503" in result.reason and "4 attempts" in result.reason
    assert server.count(PROV_PATH) == 4


def test_long_retry_after_is_not_waited_for(server: IndexServer, cache_dir: Path) -> None:
    pep740_index(server)
    server.route(PROV_PATH, Reply(status=429, headers={"Retry-After": "3600"}))
    result, _ = lookup(server.url("/simple/"), PROJECT, SDIST, **fast(cache_dir))
    assert result.state is ProvenanceState.ERROR
    assert "HTTP 429" in result.reason and "3600 s" in result.reason
    assert server.count(PROV_PATH) == 1


def test_truncated_json(server: IndexServer, cache_dir: Path) -> None:
    pep740_index(server)
    server.route(PROV_PATH, Reply(body=PROVENANCE[: len(PROVENANCE) // 2]))
    result, _ = lookup(server.url("/simple/"), PROJECT, SDIST, **fast(cache_dir))
    assert result.state is ProvenanceState.ERROR
    assert "truncated JSON" in result.reason
    assert server.count(PROV_PATH) == 1  # a bad body is an answer: no retry


def test_connection_closed_mid_body_is_retried_then_reported(
    server: IndexServer, cache_dir: Path
) -> None:
    pep740_index(server)
    server.route(PROV_PATH, Reply(body=PROVENANCE, truncate_to=100))
    result, _ = lookup(server.url("/simple/"), PROJECT, SDIST, **fast(cache_dir))
    assert result.state is ProvenanceState.ERROR
    assert "connection error" in result.reason
    assert server.count(PROV_PATH) == 3


def test_truncated_page_json(server: IndexServer, cache_dir: Path) -> None:
    body = json_page(PROJECT, [PageFile(SDIST, f"/files/{SDIST}", SDIST_SHA, provenance=None)])
    server.route(PAGE, Reply(body=body[:-20], content_type=PEP691_JSON))
    with pytest.raises(IndexLookupError, match="truncated JSON"):
        page_of(server.url("/simple/"), PROJECT, **fast(cache_dir))


@pytest.mark.parametrize("content_type", [PEP691_JSON, "text/html"])
def test_invalid_utf8_page(server: IndexServer, cache_dir: Path, content_type: str) -> None:
    server.route(PAGE, Reply(body=b'{"name": "x\xff\xfe"}', content_type=content_type))
    with pytest.raises(IndexLookupError, match=r"not valid UTF-8 \(byte 11\)"):
        page_of(server.url("/simple/"), PROJECT, **fast(cache_dir))
    result, _ = lookup(server.url("/simple/"), PROJECT, SDIST, **fast(cache_dir))
    assert result.state is ProvenanceState.ERROR
    assert "UTF-8" in result.reason


def test_invalid_utf8_provenance(server: IndexServer, cache_dir: Path) -> None:
    pep740_index(server)
    server.route(PROV_PATH, Reply(body=b'{"attestation_bundles": ["\xc3\x28"]}'))
    result, _ = lookup(server.url("/simple/"), PROJECT, SDIST, **fast(cache_dir))
    assert result.state is ProvenanceState.ERROR
    assert "not valid UTF-8" in result.reason


@pytest.mark.parametrize("announce_length", [True, False])
def test_huge_provenance_is_cut_off(
    server: IndexServer, cache_dir: Path, announce_length: bool
) -> None:
    pep740_index(server)
    server.route(PROV_PATH, Reply(generate=6 * 1024 * 1024, announce_length=announce_length))
    result, client = lookup(server.url("/simple/"), PROJECT, SDIST, **fast(cache_dir))
    assert result.state is ProvenanceState.ERROR
    assert "limit of 5242880 bytes" in result.reason
    assert server.count(PROV_PATH) == 1
    # Stopped at the limit, not at the end of the 6 MiB: the chunk that crosses it is whatever
    # aiohttp had buffered (up to its high-water mark, 2 x 64 KiB, plus one socket read of up
    # to 256 KiB), so the overshoot varies with timing (29 to 197 KiB measured on a quiet
    # machine, over 256 KiB under load) but stays under 512 KiB; the full body would be 1 MiB
    # over.
    assert client.stats.bytes_received <= 5 * 1024 * 1024 + 512 * 1024


def test_huge_page_is_cut_off(server: IndexServer, cache_dir: Path) -> None:
    server.route(
        PAGE, Reply(generate=21 * 1024 * 1024, announce_length=False, content_type=PEP691_JSON)
    )
    with pytest.raises(IndexLookupError, match="limit of 20971520 bytes"):
        page_of(server.url("/simple/"), PROJECT, **fast(cache_dir))


@pytest.mark.parametrize(
    "content_type", ["application/octet-stream", "text/plain", None, "image/png"]
)
def test_page_with_wrong_content_type(
    server: IndexServer, cache_dir: Path, content_type: str | None
) -> None:
    body = json_page(PROJECT, [PageFile(SDIST, f"/files/{SDIST}", SDIST_SHA, provenance=None)])
    server.route(PAGE, Reply(body=body, content_type=content_type))
    with pytest.raises(IndexLookupError, match="content type"):
        page_of(server.url("/simple/"), PROJECT, **fast(cache_dir))


def test_provenance_with_wrong_content_type(server: IndexServer, cache_dir: Path) -> None:
    pep740_index(server)
    server.route(PROV_PATH, Reply(body=PROVENANCE, content_type="text/html; charset=utf-8"))
    result, _ = lookup(server.url("/simple/"), PROJECT, SDIST, **fast(cache_dir))
    assert result.state is ProvenanceState.ERROR
    assert "wrong content type 'text/html'" in result.reason


def test_json_that_is_not_provenance(server: IndexServer, cache_dir: Path) -> None:
    pep740_index(server)
    server.route(PROV_PATH, Reply(body=b'{"message": "hello"}'))
    result, _ = lookup(server.url("/simple/"), PROJECT, SDIST, **fast(cache_dir))
    assert result.state is ProvenanceState.ERROR
    assert "attestation_bundles" in result.reason


# -- redirects ---------------------------------------------------------------------------


def test_same_host_redirect_is_followed_quietly(server: IndexServer, cache_dir: Path) -> None:
    pep740_index(server)
    server.route("/moved/", Reply(status=301, headers={"Location": PROV_PATH}))
    server.routes[PAGE][0].body = json_page(
        PROJECT, [PageFile(SDIST, f"/files/{SDIST}", SDIST_SHA, provenance="/moved/")]
    )
    result, _ = lookup(server.url("/simple/"), PROJECT, SDIST, **fast(cache_dir))
    assert result.state is ProvenanceState.SERVED
    assert result.warnings == ()


def test_redirect_to_another_host_is_followed_and_reported(
    server: IndexServer, cache_dir: Path
) -> None:
    pep740_index(server)
    body = server.routes[PAGE][0].body
    server.route("/mirror/pypi-attestations/", Reply(body=body, content_type=PEP691_JSON))
    server.route(
        PAGE,
        Reply(
            status=302, headers={"Location": server.other_host_url("/mirror/pypi-attestations/")}
        ),
    )
    index = f"http://user:s3cret@127.0.0.1:{server.port}/simple/"
    page = page_of(index, PROJECT, **fast(cache_dir))
    assert len(page.warnings) == 1
    assert "another host" in page.warnings[0]
    assert server.other_host_url("/mirror/") in page.warnings[0]
    # Relative URLs resolve against where the page was finally served from.
    assert page.files[0].provenance_url == server.other_host_url(PROV_PATH)
    # Credentials for the index never travel to the other host.
    first = next(r for r in server.requests if r.path == PAGE)
    moved = next(r for r in server.requests if r.path.startswith("/mirror/"))
    assert first.headers["authorization"] == "Basic " + base64.b64encode(b"user:s3cret").decode()
    assert "authorization" not in moved.headers
    result, _ = lookup(index, PROJECT, SDIST, **fast(cache_dir, use_cache=False))
    assert result.state is ProvenanceState.SERVED
    assert "another host" in result.reason
    assert "s3cret" not in result.reason + "".join(result.warnings)


def test_redirect_to_another_host_is_named_again_from_the_cache(
    server: IndexServer, cache_dir: Path
) -> None:
    """A page and a provenance fetched through another host, then used from the cache (warm and
    offline): the redirect is named again, and no credential is kept with it."""
    pep740_index(server)
    body = server.routes[PAGE][0].body
    server.route("/mirror/pypi-attestations/", Reply(body=body, content_type=PEP691_JSON))
    server.route(
        PAGE,
        Reply(
            status=302, headers={"Location": server.other_host_url("/mirror/pypi-attestations/")}
        ),
    )
    server.route(
        "/other/prov", Reply(body=PROVENANCE, content_type=INTEGRITY_JSON)
    )  # the provenance the moved page lists redirects once more
    server.route(PROV_PATH, Reply(status=302, headers={"Location": "/other/prov"}))
    index = f"http://user:s3cret@127.0.0.1:{server.port}/simple/"
    moved_page = f"to another host: {server.other_host_url('/mirror/pypi-attestations/')}"
    first, _ = lookup(index, PROJECT, SDIST, SDIST_SHA, **fast(cache_dir))
    assert first.state is ProvenanceState.SERVED and not first.from_cache
    assert moved_page in first.reason
    for offline in (False, True):
        again, client = lookup(index, PROJECT, SDIST, SDIST_SHA, **fast(cache_dir, offline=offline))
        assert again.from_cache and client.stats.provenance_requests == 0
        assert moved_page in again.reason, again.reason
        assert any(moved_page in w for w in again.warnings)
        assert "s3cret" not in again.reason + "".join(again.warnings)
    # The page itself, read offline from the cache, still says where it was served from.
    page = page_of(index, PROJECT, **fast(cache_dir, offline=True))
    assert any(moved_page in w for w in page.warnings), page.warnings
    wheel, _ = lookup(index, PROJECT, WHEEL, WHEEL_SHA, **fast(cache_dir, offline=True))
    assert wheel.state is ProvenanceState.NONE
    assert moved_page in wheel.reason


def test_a_cached_provenance_with_unreadable_warnings_is_a_miss(
    server: IndexServer, cache_dir: Path
) -> None:
    pep740_index(server)
    first, _ = lookup(server.url("/simple/"), PROJECT, SDIST, SDIST_SHA, **fast(cache_dir))
    assert first.state is ProvenanceState.SERVED
    (meta_path,) = (cache_dir / CACHE_LAYOUT / "provenance").rglob("*.json")
    meta = json.loads(meta_path.read_text())
    assert meta["warnings"] == []
    meta["warnings"] = [{"not": "a string"}]  # (the entry's MAC no longer matches either)
    meta_path.write_text(json.dumps(meta))
    again, client = lookup(server.url("/simple/"), PROJECT, SDIST, SDIST_SHA, **fast(cache_dir))
    assert again.state is ProvenanceState.SERVED and not again.from_cache
    assert client.stats.provenance_requests == 1


@pytest.mark.parametrize(
    "failure",
    [Reply(status=500), Reply(status=404), Reply(generate=6 * 1024 * 1024)],
    ids=["500", "404", "too-large"],
)
def test_a_failure_on_the_other_host_names_the_redirect(
    server: IndexServer, cache_dir: Path, failure: Reply
) -> None:
    """The provenance URL moves to another host, which fails there: the failure says how it
    got there, in the reason and the warnings."""
    pep740_index(server)
    server.route(PROV_PATH, Reply(status=302, headers={"Location": server.other_host_url("/x")}))
    server.route("/x", failure)
    result, _ = lookup(server.url("/simple/"), PROJECT, SDIST, SDIST_SHA, **fast(cache_dir))
    assert result.state is ProvenanceState.ERROR
    moved = f"to another host: {server.other_host_url('/x')}"
    assert moved in result.reason
    assert result.reason.count(moved) == 1
    assert any(moved in w for w in result.warnings)


def test_a_page_that_fails_on_the_other_host_names_the_redirect(
    server: IndexServer, cache_dir: Path
) -> None:
    server.route(PAGE, Reply(status=302, headers={"Location": server.other_host_url("/x/")}))
    server.route("/x/", Reply(status=503))
    with pytest.raises(IndexLookupError, match=r"to another host: http://localhost:\d+/x/"):
        page_of(server.url("/simple/"), PROJECT, **fast(cache_dir, retries=0))


def test_redirect_to_another_host_can_be_refused(server: IndexServer, cache_dir: Path) -> None:
    server.route(PAGE, Reply(status=302, headers={"Location": server.other_host_url("/x/")}))
    with pytest.raises(IndexLookupError, match=r"refused redirect .* to another host"):
        page_of(server.url("/simple/"), PROJECT, **fast(cache_dir, redirects="refuse"))
    assert server.count("/x/") == 0


def test_redirect_to_a_malformed_url_is_refused(server: IndexServer, cache_dir: Path) -> None:
    server.route(PAGE, Reply(status=302, headers={"Location": "http://[unclosed/simple/"}))
    with pytest.raises(IndexLookupError, match="malformed URL"):
        page_of(server.url("/simple/"), PROJECT, **fast(cache_dir))
    # and a provenance lookup through the same page is an error state, never a crash
    result, _ = lookup(server.url("/simple/"), PROJECT, SDIST, **fast(cache_dir))
    assert result.state is ProvenanceState.ERROR
    assert "malformed URL" in result.reason


def test_redirect_loop_is_bounded(server: IndexServer, cache_dir: Path) -> None:
    server.route(PAGE, Reply(status=302, headers={"Location": PAGE}))
    with pytest.raises(IndexLookupError, match="too many redirects"):
        page_of(server.url("/simple/"), PROJECT, **fast(cache_dir))
    assert server.count(PAGE) == 6


# -- cache -------------------------------------------------------------------------------


def test_second_run_makes_no_provenance_requests(server: IndexServer, cache_dir: Path) -> None:
    pep740_index(server, etag=True)
    index = server.url("/simple/")
    first, c1 = lookup(index, PROJECT, SDIST, **fast(cache_dir))
    assert first.state is ProvenanceState.SERVED and not first.from_cache
    assert c1.stats.provenance_requests == 1

    # Without a digest the page is needed: it is revalidated (304), the provenance is cached.
    second, c2 = lookup(index, PROJECT, SDIST, **fast(cache_dir))
    assert second.state is ProvenanceState.SERVED and second.from_cache
    assert second.provenance == PROVENANCE
    assert second.url == server.url(PROV_PATH)
    assert c2.stats.provenance_requests == 0
    assert c2.stats.page_requests == 1 and c2.stats.page_revalidated == 1
    revalidation = [r for r in server.requests if r.path == PAGE][-1]
    assert revalidation.headers["if-none-match"] == '"page-v1"'

    # With the digest known, not even the page is asked.
    before = len(server.requests)
    third, c3 = lookup(index, PROJECT, SDIST, SDIST_SHA, **fast(cache_dir))
    assert third.state is ProvenanceState.SERVED and third.provenance == PROVENANCE
    assert c3.stats.requests == 0 and len(server.requests) == before


def test_page_revalidated_with_last_modified(server: IndexServer, cache_dir: Path) -> None:
    pep740_index(server)
    server.routes[PAGE][0].headers["Last-Modified"] = "Wed, 21 Oct 2015 07:28:00 GMT"
    index = server.url("/simple/")
    page_of(index, PROJECT, **fast(cache_dir))

    async def run() -> tuple[ProjectPage, IndexClient]:
        async with IndexClient(index, **fast(cache_dir)) as client:
            return await client.project(PROJECT), client

    page, client = asyncio.run(run())
    assert len(page.files) == 2
    assert client.stats.page_revalidated == 1
    last = [r for r in server.requests if r.path == PAGE][-1]
    assert last.headers["if-modified-since"] == "Wed, 21 Oct 2015 07:28:00 GMT"


def test_changed_page_is_refetched(server: IndexServer, cache_dir: Path) -> None:
    pep740_index(server, etag=True)
    index = server.url("/simple/")
    assert len(page_of(index, PROJECT, **fast(cache_dir)).files) == 2
    one = json_page(PROJECT, [PageFile(SDIST, f"/files/{SDIST}", SDIST_SHA, provenance=None)])
    server.route(PAGE, Reply(body=one, content_type=PEP691_JSON, headers={"ETag": '"page-v2"'}))
    page = page_of(index, PROJECT, **fast(cache_dir))
    assert len(page.files) == 1 and page.files[0].provenance_url is None


def test_offline_reads_the_cache_only(server: IndexServer, cache_dir: Path) -> None:
    pep740_index(server)
    index = server.url("/simple/")
    lookup(index, PROJECT, SDIST, **fast(cache_dir))
    server.stop()  # nothing answers any more

    served, client = lookup(index, PROJECT, SDIST, offline=True, **fast(cache_dir))
    assert served.state is ProvenanceState.SERVED and served.provenance == PROVENANCE
    none, _ = lookup(index, PROJECT, WHEEL, offline=True, **fast(cache_dir))
    assert none.state is ProvenanceState.NONE  # from the cached page
    assert client.stats.requests == 0

    cold = cache_dir.parent / "cold"
    missing, _ = lookup(index, PROJECT, SDIST, offline=True, **fast(cold))
    assert missing.state is ProvenanceState.ERROR
    assert missing.reason.startswith("offline: not in cache")
    with pytest.raises(OfflineMiss, match="offline: not in cache"):
        page_of(index, PROJECT, offline=True, **fast(cold))


def test_offline_integrity_lookup_is_a_miss(server: IndexServer, cache_dir: Path) -> None:
    stripping_mirror(server)
    index = server.url("/simple/")
    lookup(index, PROJECT, SDIST, **fast(cache_dir))
    result, client = lookup(index, PROJECT, SDIST, offline=True, **fast(cache_dir))
    assert result.state is ProvenanceState.ERROR
    assert result.reason.startswith("offline: not in cache")
    assert client.stats.requests == 0


def test_corrupt_provenance_cache_entry_is_refetched(server: IndexServer, cache_dir: Path) -> None:
    pep740_index(server)
    index = server.url("/simple/")
    lookup(index, PROJECT, SDIST, **fast(cache_dir))
    bodies = list((cache_dir / "index-v2" / "provenance").rglob("*.body"))
    assert len(bodies) == 1
    bodies[0].write_bytes(b'{"attestation_bundles": []}')  # well-formed, but not what was served

    result, client = lookup(index, PROJECT, SDIST, SDIST_SHA, **fast(cache_dir))
    assert result.state is ProvenanceState.SERVED
    assert result.provenance == PROVENANCE and not result.from_cache
    assert client.stats.provenance_requests == 1
    assert bodies[0].read_bytes() == PROVENANCE  # repaired


def test_corrupt_page_cache_entry_is_refetched(server: IndexServer, cache_dir: Path) -> None:
    pep740_index(server, etag=True)
    index = server.url("/simple/")
    page_of(index, PROJECT, **fast(cache_dir))
    for meta in (cache_dir / "index-v2" / "pages").rglob("*.json"):
        meta.write_text("{not json")
    page = page_of(index, PROJECT, **fast(cache_dir))
    assert len(page.files) == 2
    last = [r for r in server.requests if r.path == PAGE][-1]
    assert "if-none-match" not in last.headers  # the broken entry was not trusted
    with pytest.raises(OfflineMiss):
        for meta in (cache_dir / "index-v2" / "pages").rglob("*.body"):
            meta.write_bytes(b"tampered")
        page_of(index, PROJECT, offline=True, **fast(cache_dir))


# -- credentials, configuration, concurrency ---------------------------------------------


def test_credentials_never_appear_in_messages_or_cache(
    server: IndexServer, cache_dir: Path
) -> None:
    pep740_index(server)
    server.route(PROV_PATH, Reply(status=500))
    index = f"http://alice:s3cret-pw@127.0.0.1:{server.port}/simple/"
    result, client = lookup(index, PROJECT, SDIST, **fast(cache_dir))
    assert result.state is ProvenanceState.ERROR
    assert client.index_url == server.url("/simple/")
    with pytest.raises(IndexLookupError) as err:
        page_of(index, "missing-project", **fast(cache_dir))
    shown = " ".join([result.reason, *result.warnings, str(err.value), str(result.url)])
    assert "s3cret-pw" not in shown and "alice" not in shown
    for path in cache_dir.rglob("*"):
        if path.is_file():
            assert b"s3cret-pw" not in path.read_bytes()
            assert "s3cret" not in path.name


def test_credentials_from_netrc(
    server: IndexServer, cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login bob password hunter2\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    pep740_index(server)
    page_of(server.url("/simple/"), PROJECT, **fast(cache_dir))
    sent = server.requests[-1].headers["authorization"]
    assert sent == "Basic " + base64.b64encode(b"bob:hunter2").decode()


def test_index_url_from_pip_index_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIP_INDEX_URL", "https://mirror.example/root/simple")
    assert resolve_index_url() == "https://mirror.example/root/simple/"
    assert resolve_index_url("http://other.example/simple/") == "http://other.example/simple/"
    monkeypatch.delenv("PIP_INDEX_URL")
    assert resolve_index_url() == "https://pypi.org/simple/"


def test_cache_dir_from_environment(
    server: IndexServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYVOUCH_CACHE_DIR", str(tmp_path / "envcache"))
    pep740_index(server)
    result = lookup_provenance(PROJECT, SDIST, index_url=server.url("/simple/"), timeout=2.0)
    assert result.state is ProvenanceState.SERVED
    assert list((tmp_path / "envcache" / "index-v2" / "provenance").rglob("*.body"))


def test_concurrency_is_bounded_and_pages_are_shared(server: IndexServer, cache_dir: Path) -> None:
    names = [f"pkg-{i}.0.tar.gz" for i in range(12)]
    files = [PageFile(n, f"/files/{n}", sha256_of(n.encode()), provenance=f"/p/{n}") for n in names]
    server.route("/simple/pkg/", Reply(body=json_page("pkg", files), content_type=PEP691_JSON))
    for n in names:
        server.route(f"/p/{n}", Reply(body=PROVENANCE, delay=0.05))

    async def run() -> list[ProvenanceLookup]:
        async with IndexClient(server.url("/simple/"), **fast(cache_dir, concurrency=3)) as c:
            return await c.provenance_many(("pkg", n, None) for n in names)

    results = asyncio.run(run())
    assert [r.state for r in results] == [ProvenanceState.SERVED] * len(names)
    assert [r.filename for r in results] == names
    assert server.count("/simple/pkg/") == 1
    assert 1 <= server.max_in_flight <= 3


def test_provenance_key_absent_constant_is_distinct() -> None:
    """Guard for the page builders: ABSENT must differ from None (null key)."""
    assert ABSENT is not None
    with_null = json_page("x", [PageFile("x-1.tar.gz", "/x", provenance=None)])
    without = json_page("x", [PageFile("x-1.tar.gz", "/x")])
    assert b'"provenance": null' in with_null
    assert b"provenance" not in without
