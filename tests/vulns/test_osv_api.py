"""The OSV API route against a loopback OSV-compatible server serving the real snapshot
(``querybatch`` then ``vulns/{id}``), honest and hostile: every failure makes the packages
concerned ``unknown`` with the reason, never "no known vulnerabilities"."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyvouch.model import Package
from pyvouch.vulns import osv_api
from pyvouch.vulns.check import VulnSources, check_packages
from pyvouch.vulns.model import PackageVulns, VulnStatus
from pyvouch.vulns.osv_api import OsvSettings
from tests.support.osv_server import Fault, OsvServer, load_documents, serve_osv
from tests.vulns.conftest import SNAPSHOT, needs_snapshot

pytestmark = [pytest.mark.corpus, needs_snapshot]

PINS = (("jinja2", "2.10"), ("urllib3", "1.24.1"), ("requests", "2.31.0"), ("redis", "4.5.3"))


@pytest.fixture(scope="module")
def documents() -> dict[str, dict[str, object]]:
    if not (SNAPSHOT / "vulns").is_dir():
        pytest.skip(f"{SNAPSHOT} is absent")
    return load_documents(
        [SNAPSHOT / "vulns" / n for n in ("jinja2", "urllib3", "requests", "redis")]
    )


@pytest.fixture
def server(documents: dict[str, dict[str, object]]) -> Iterator[OsvServer]:
    with serve_osv(documents) as running:
        yield running


def _ask(
    server: OsvServer,
    cache: Path,
    *,
    timeout: float = 30.0,
    retries: int = 2,
    pins: tuple[tuple[str, str], ...] = PINS,
) -> tuple[dict[str, PackageVulns], tuple[str, ...]]:
    settings = OsvSettings(
        url=server.url, timeout=timeout, retries=retries, backoff=0.01, cache_dir=cache
    )
    report = check_packages([Package(n, v) for n, v in pins], VulnSources(osv=settings))
    return {p.name: p for p in report.packages}, report.warnings


def _ids(pkg: PackageVulns) -> set[str]:
    return {i for f in pkg.findings for i in f.ids}


def test_the_api_route_finds_what_the_database_route_finds(
    server: OsvServer, tmp_path: Path, snapshot_cache: Path
) -> None:
    got, warnings = _ask(server, tmp_path)
    local = check_packages(
        [Package(n, v) for n, v in PINS],
        VulnSources(db=SNAPSHOT, osv=OsvSettings(cache_dir=snapshot_cache)),
    )
    for pkg in local.packages:
        assert got[pkg.name].status is pkg.status
        assert _ids(got[pkg.name]) == _ids(pkg)
    assert "PYSEC-2019-217" in _ids(got["jinja2"])
    assert got["requests"].status is VulnStatus.NO_KNOWN
    assert "the OSV API at" in got["requests"].reason
    # The server cites the withdrawn PYSEC-2023-73 for redis; it is not counted, and said so.
    assert "PYSEC-2023-73" not in _ids(got["redis"])
    assert any("PYSEC-2023-73" in w and "not counted" in w for w in warnings)
    assert server.count("querybatch") == 1
    assert all(method == "POST" for method, path in server.requests if "querybatch" in path)


def test_a_warm_run_fetches_no_advisory_again(server: OsvServer, tmp_path: Path) -> None:
    _ask(server, tmp_path)
    fetched = server.count("/v1/vulns/")
    assert fetched > 0
    again, _ = _ask(server, tmp_path)
    assert server.count("/v1/vulns/") == fetched
    assert "PYSEC-2019-217" in _ids(again["jinja2"])


def test_a_planted_advisory_cache_entry_is_a_miss(server: OsvServer, tmp_path: Path) -> None:
    _ask(server, tmp_path)
    for entry in (tmp_path / osv_api.CACHE_LAYOUT).rglob("*.json"):
        sealed = json.loads(entry.read_text(encoding="utf-8"))
        doc = json.loads(sealed["value"])
        doc["affected"] = []  # an entry that would make the package look clean
        sealed["value"] = json.dumps(doc)
        entry.write_text(json.dumps(sealed), encoding="utf-8")
    before = server.count("/v1/vulns/")
    got, _ = _ask(server, tmp_path)
    assert server.count("/v1/vulns/") > before
    assert "PYSEC-2019-217" in _ids(got["jinja2"])


def _all_unknown(got: dict[str, PackageVulns], words: str) -> None:
    for pkg in got.values():
        assert pkg.status is VulnStatus.UNKNOWN, pkg
        assert not pkg.findings
        assert words in pkg.reason, pkg.reason


def test_a_timeout_makes_every_package_unknown(server: OsvServer, tmp_path: Path) -> None:
    server.fail("querybatch", Fault(delay=2.0), Fault(delay=2.0))
    got, _ = _ask(server, tmp_path, timeout=0.3, retries=1)
    _all_unknown(got, "could not answer")


def test_500_then_success_is_answered(server: OsvServer, tmp_path: Path) -> None:
    server.fail("querybatch", Fault(status=500))
    got, _ = _ask(server, tmp_path)
    assert got["jinja2"].status is VulnStatus.AFFECTED
    assert server.count("querybatch") == 2


def test_500_until_the_retries_run_out_is_unknown(server: OsvServer, tmp_path: Path) -> None:
    server.fail("querybatch", *[Fault(status=500)] * 3)
    got, _ = _ask(server, tmp_path, retries=2)
    _all_unknown(got, "HTTP 500")


def test_truncated_json_is_unknown(server: OsvServer, tmp_path: Path) -> None:
    server.fail("querybatch", Fault(body=b'{"results": [{"vulns": [{"id": "PYS'))
    got, _ = _ask(server, tmp_path)
    _all_unknown(got, "not valid JSON")


def test_a_body_cut_short_is_unknown(server: OsvServer, tmp_path: Path) -> None:
    server.fail("querybatch", *[Fault(truncate=True)] * 3)
    got, _ = _ask(server, tmp_path, retries=2)
    _all_unknown(got, "could not answer")


def test_a_hostile_huge_answer_is_cut_off(
    server: OsvServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(osv_api, "MAX_OSV_BATCH_BYTES", 1 << 20)
    server.fail("querybatch", Fault(huge=4 << 20))
    got, _ = _ask(server, tmp_path)
    _all_unknown(got, "exceeds the limit")


def test_an_answer_for_other_packages_than_asked_is_refused(
    server: OsvServer, tmp_path: Path
) -> None:
    """Asked about jinja2 alone, the server answers with urllib3's advisory."""
    forged = {"results": [{"vulns": [{"id": "PYSEC-2023-192", "modified": "x"}]}]}
    server.fail("querybatch", Fault(body=json.dumps(forged).encode()))
    got, _ = _ask(server, tmp_path, pins=(("jinja2", "2.10"),))
    _all_unknown(got, "does not name jinja2")


def test_a_results_list_of_another_length_is_refused(server: OsvServer, tmp_path: Path) -> None:
    server.fail("querybatch", Fault(body=b'{"results": [{}]}'))
    got, _ = _ask(server, tmp_path)
    _all_unknown(got, "one result per query")


def test_an_empty_answer_is_not_no_known(server: OsvServer, tmp_path: Path) -> None:
    server.fail("querybatch", Fault(body=b"{}"))
    got, _ = _ask(server, tmp_path)
    _all_unknown(got, "one result per query")


def test_a_paged_answer_is_unknown(server: OsvServer, tmp_path: Path) -> None:
    paged = {"results": [{"vulns": [], "next_page_token": "abc"}]}
    server.fail("querybatch", Fault(body=json.dumps(paged).encode()))
    got, _ = _ask(server, tmp_path, pins=(("jinja2", "2.10"),))
    _all_unknown(got, "paged")


def test_a_hostile_advisory_id_is_refused(server: OsvServer, tmp_path: Path) -> None:
    forged = {"results": [{"vulns": [{"id": "../../admin", "modified": "x"}]}]}
    server.fail("querybatch", Fault(body=json.dumps(forged).encode()))
    got, _ = _ask(server, tmp_path, pins=(("jinja2", "2.10"),))
    _all_unknown(got, "cites an advisory id")
    assert not any("admin" in path for _m, path in server.requests)


def test_an_advisory_that_cannot_be_fetched_makes_only_its_packages_unknown(
    server: OsvServer, tmp_path: Path
) -> None:
    server.fail("vulns", *[Fault(status=500)] * 50)
    got, _ = _ask(server, tmp_path, retries=0)
    for name in ("jinja2", "urllib3", "redis"):
        assert got[name].status is VulnStatus.UNKNOWN and "HTTP 500" in got[name].reason
    assert got["requests"].status is VulnStatus.NO_KNOWN  # nothing cited: nothing to fetch


def test_an_advisory_answered_under_another_id_is_refused(
    server: OsvServer, documents: dict[str, dict[str, object]], tmp_path: Path
) -> None:
    other = json.dumps(documents["PYSEC-2023-192"]).encode()
    server.fail("vulns", *[Fault(body=other)] * 50)
    got, _ = _ask(server, tmp_path, pins=(("jinja2", "2.10"),))
    _all_unknown(got, "when asked for advisory")


def test_a_redirect_is_not_followed(server: OsvServer, tmp_path: Path) -> None:
    """A query redirected (even to the same host) is refused: its body would not follow."""
    server.fail("querybatch", Fault(status=307, body=b"", headers={"Location": "/v1/elsewhere"}))
    got, _ = _ask(server, tmp_path)
    _all_unknown(got, "refused redirect of a query")
    assert server.count("querybatch") == 1
    assert server.count("elsewhere") == 0


def _release(name: str, version: str, vulns: object) -> bytes:
    doc: dict[str, object] = {"info": {"name": name, "version": version}, "urls": []}
    if vulns is not None:
        doc["vulnerabilities"] = vulns
    return json.dumps(doc).encode()


SANDBOX = {
    "id": "PYSEC-2019-217",
    "aliases": ["CVE-2019-10906", "GHSA-462w-v97r-4m45"],
    "details": "In Pallets Jinja before 2.10.1, str.format_map allows a sandbox escape.",
    "fixed_in": ["2.10.1"],
    "link": "https://osv.dev/vulnerability/PYSEC-2019-217",
    "source": "osv",
    "summary": None,
    "withdrawn": None,
}


@pytest.mark.parametrize(
    ("answer", "status", "words"),
    [
        (_release("Jinja2", "2.10", [SANDBOX]), VulnStatus.AFFECTED, "PyPI's JSON API"),
        (_release("Jinja2", "2.10", []), VulnStatus.NO_KNOWN, "PyPI's JSON API"),
        (_release("Jinja2", "2.10", None), VulnStatus.UNKNOWN, "offers no vulnerabilities list"),
        (_release("urllib3", "1.24.1", [SANDBOX]), VulnStatus.UNKNOWN, "not for jinja2 2.10"),
        (_release("jinja2", "2.11", [SANDBOX]), VulnStatus.UNKNOWN, "not for jinja2 2.10"),
        (b'{"info": {"name": "jinja2", "vers', VulnStatus.UNKNOWN, "not valid JSON"),
    ],
)
def test_the_index_json_api_answers_what_the_osv_api_could_not(
    server: OsvServer, tmp_path: Path, answer: bytes, status: VulnStatus, words: str
) -> None:
    from tests.support.index_servers import Reply, serve

    server.fail("querybatch", *[Fault(status=503)] * 3)
    settings = OsvSettings(url=server.url, retries=0, backoff=0.01, cache_dir=tmp_path)
    with serve() as index:
        index.route("/pypi/jinja2/2.10/json", Reply(body=answer))
        sources = VulnSources(osv=settings, index_url=index.url("/simple/"))
        (pkg,) = check_packages([Package("Jinja2", "2.10")], sources).packages
    assert pkg.status is status, pkg
    assert words in pkg.reason
    if status is VulnStatus.AFFECTED:
        (finding,) = pkg.findings
        assert finding.id == "PYSEC-2019-217" and finding.fixed == ("2.10.1",)
        assert "GHSA-462w-v97r-4m45" in finding.aliases
    if status is VulnStatus.UNKNOWN:
        assert "HTTP 503" in pkg.reason  # why the OSV API was not enough, too


def test_an_index_without_the_json_api_leaves_the_package_unknown(
    server: OsvServer, tmp_path: Path
) -> None:
    from tests.support.index_servers import serve

    server.fail("querybatch", *[Fault(status=503)] * 3)
    settings = OsvSettings(url=server.url, retries=0, backoff=0.01, cache_dir=tmp_path)
    with serve() as index:  # every path answers 404
        sources = VulnSources(osv=settings, index_url=index.url("/simple/"))
        (pkg,) = check_packages([Package("jinja2", "2.10")], sources).packages
    assert pkg.status is VulnStatus.UNKNOWN
    assert "HTTP 503" in pkg.reason and "HTTP 404" in pkg.reason


def test_an_answer_citing_too_many_advisories_is_refused(server: OsvServer, tmp_path: Path) -> None:
    flood = {"results": [{"vulns": [{"id": f"X-{i}", "modified": "x"} for i in range(1001)]}]}
    server.fail("querybatch", Fault(body=json.dumps(flood).encode()))
    got, _ = _ask(server, tmp_path, pins=(("jinja2", "2.10"),))
    _all_unknown(got, "more than 1000")
    assert server.count("/v1/vulns/") == 0
