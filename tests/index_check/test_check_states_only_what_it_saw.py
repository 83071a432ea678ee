"""`pyvouch index check` states only what it saw (issue 8, rule 9).

Hostile indexes on loopback, built from the real attested fixtures: pages that list provenance
URLs answering 404, 410, 500 or an HTML catch-all; indexes that serve provenance for some files
and not others; upstreams whose lookups fail. Every case asserts the verdict, the exit code,
the counts, and that no sentence of the verdict contradicts the counts (errors are never
counted as looked up; "attests none" is said only when the upstream attested none).
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pyvouch.cli.main import cli
from tests.support.index_servers import PEP691_JSON, IndexServer, Reply, serve
from tests.support.scan_sites import (
    DISTS,
    GITLAB,
    PA_SDIST,
    PA_WHEEL,
    PROJECTS,
    SAMPLE,
    Dist,
    build_site,
    mirror_site,
    provenance_path,
)

FAST = ("--timeout", "2", "--retries", "0")
ATTESTED = tuple(d for d in DISTS if d.attested)
HTML_CATCH_ALL = Reply(body=b"<html>not found</html>", content_type="text/html")
STATES = ("served", "none", "not_served", "listed_not_served", "errors", "not_listed")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(tmp_path_factory.mktemp("honest-site"))


@pytest.fixture
def upstream(site: Path) -> Iterator[IndexServer]:
    with serve() as server:
        mirror_site(server, site)
        yield server


def closed_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/simple/"


def check(index: str, upstream: str) -> tuple[int, dict[str, Any], str]:
    """(exit code, JSON document, text output) of one check of ``index``."""
    projects = [a for p in PROJECTS for a in ("--project", p)]
    runner = CliRunner()
    base = ["index", "check", index, "--upstream", upstream, *projects, *FAST]
    as_json = runner.invoke(cli, [*base, "--format", "json"], catch_exceptions=False)
    as_text = runner.invoke(cli, base, catch_exceptions=False)
    assert as_json.exit_code == as_text.exit_code, as_text.output
    return as_json.exit_code, json.loads(as_json.stdout), as_text.stdout


def assert_consistent(code: int, doc: dict[str, Any], text: str) -> None:
    """What must hold for every check, whatever the index did."""
    counts = doc["counts"]
    assert code == {"passes": 0, "drops": 1, "undetermined": 3}[doc["verdict"]]
    assert sum(counts[s] for s in STATES) == counts["sampled"]
    assert counts["looked_up"] == counts["sampled"] - counts["errors"] - counts["not_listed"]
    summary = doc["summary"]
    if counts["upstream_served"]:
        assert "attests none" not in summary, summary
    if counts["errors"]:
        assert "lookup" in summary and "failed" in summary, summary
    assert "could be looked up" not in summary  # the old sentence that counted errors
    last = text.strip().splitlines()[-1]
    assert last == f"{doc['verdict']}: {summary}"
    files = [f for p in doc["projects"] for f in p["files"]]
    assert counts["passed"] == sum(f["outcome"] == "passed" for f in files)
    assert counts["dropped"] == sum(f["outcome"] == "dropped" for f in files)
    assert counts["failed"] == sum(f["outcome"] == "failed" for f in files)


def hostile(server: IndexServer, site: Path, replies: dict[Dist, Reply]) -> str:
    """A faithful copy of the site whose listed provenance URLs answer ``replies``."""
    mirror_site(server, site)
    for dist, reply in replies.items():
        server.route(provenance_path(dist), reply)
    return server.url("/simple/")


def files_by_name(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["filename"]: f for p in doc["projects"] for f in p["files"]}


@pytest.mark.parametrize(
    "reply",
    [Reply(status=404), Reply(status=410), HTML_CATCH_ALL],
    ids=["404", "410", "html-catch-all"],
)
def test_listed_provenance_that_is_not_served_drops(
    site: Path, upstream: IndexServer, reply: Reply
) -> None:
    with serve() as bad:
        url = hostile(bad, site, dict.fromkeys(ATTESTED, reply))
        code, doc, text = check(url, upstream.url("/simple/"))
    assert_consistent(code, doc, text)
    assert code == 1 and doc["verdict"] == "drops"
    counts = doc["counts"]
    assert counts["listed_not_served"] == 3 and counts["errors"] == 0
    assert counts["upstream_served"] == 3 and counts["dropped"] == 3 and counts["passed"] == 0
    assert counts["none"] == 1  # the wheel: null on both sides
    assert doc["summary"].startswith("this index drops PEP 740 provenance")
    assert "no provenance for 3 of the 3 sampled files the upstream attests" in doc["summary"]
    assert "provenance URL that does not serve it" in doc["summary"]
    entry = files_by_name(doc)[SAMPLE.filename]
    assert entry["index"]["state"] == "listed-not-served"
    assert entry["outcome"] == "dropped"


def test_listed_provenance_that_fails_is_counted_apart(site: Path, upstream: IndexServer) -> None:
    with serve() as bad:
        url = hostile(bad, site, dict.fromkeys(ATTESTED, Reply(status=500)))
        code, doc, text = check(url, upstream.url("/simple/"))
    assert_consistent(code, doc, text)
    assert code == 3 and doc["verdict"] == "undetermined"
    counts = doc["counts"]
    assert counts["errors"] == 3 and counts["failed"] == 3
    assert counts["looked_up"] == 1 and counts["listed_not_served"] == 0
    assert counts["upstream_served"] == 3
    assert "served provenance for 0 and the lookup failed for 3" in doc["summary"]
    assert "HTTP 500" in doc["summary"]
    assert files_by_name(doc)[SAMPLE.filename]["outcome"] == "failed"


def test_partly_served_drops_for_some_files(site: Path, upstream: IndexServer) -> None:
    with serve() as bad:
        url = hostile(bad, site, {SAMPLE: Reply(status=404)})
        code, doc, text = check(url, upstream.url("/simple/"))
    assert_consistent(code, doc, text)
    assert code == 1 and doc["verdict"] == "drops"
    counts = doc["counts"]
    assert (counts["passed"], counts["dropped"], counts["listed_not_served"]) == (2, 1, 1)
    assert "drops PEP 740 provenance for some files: 1 of the 3" in doc["summary"]
    assert "2 do" in doc["summary"]


def test_partly_failing_cannot_pass(site: Path, upstream: IndexServer) -> None:
    """Two files pass through, one lookup fails: the index is not said to pass."""
    with serve() as bad:
        url = hostile(bad, site, {GITLAB: Reply(status=503)})
        code, doc, text = check(url, upstream.url("/simple/"))
    assert_consistent(code, doc, text)
    assert code == 3 and doc["verdict"] == "undetermined"
    counts = doc["counts"]
    assert (counts["passed"], counts["failed"], counts["errors"]) == (2, 1, 1)
    assert "served provenance for 2 and the lookup failed for 1" in doc["summary"]


def test_partly_served_by_page_keys(site: Path, upstream: IndexServer) -> None:
    """One project's page lists no provenance keys and its integrity endpoint 404s; the other
    projects are served: the per-file reason says what is true of that file."""
    with serve() as bad:
        mirror_site(bad, site)
        page = json.loads((site / "simple" / "sampleproject" / "index.json").read_text())
        for entry in page["files"]:
            entry.pop("provenance", None)
        bad.route("/simple/sampleproject/", Reply(body=json.dumps(page).encode()))
        bad.route(provenance_path(SAMPLE), Reply(status=404))
        code, doc, text = check(bad.url("/simple/"), upstream.url("/simple/"))
    assert_consistent(code, doc, text)
    assert code == 1 and doc["verdict"] == "drops"
    assert (doc["counts"]["passed"], doc["counts"]["not_served"]) == (2, 1)
    assert "lists provenance keys on 2 of its 3 project pages" in doc["summary"]
    reason = files_by_name(doc)[SAMPLE.filename]["index"]["reason"]
    assert f"the index does not serve provenance for {SAMPLE.filename}" in reason
    assert "this index does not serve provenance" not in reason


def test_listed_but_not_served_drops_without_upstream(site: Path) -> None:
    with serve() as bad:
        url = hostile(bad, site, {PA_SDIST: Reply(status=404)})
        code, doc, text = check(url, "")
    assert_consistent(code, doc, text)
    assert code == 1 and doc["verdict"] == "drops"
    assert doc["counts"]["upstream_not_asked"] == doc["counts"]["sampled"] == 4
    assert doc["summary"].startswith("this index lists provenance it does not serve: 1 of the 4")
    assert "cannot compare with the upstream: no upstream given" in doc["summary"]


def test_listed_but_not_served_drops_when_upstream_is_itself(site: Path) -> None:
    with serve() as bad:
        url = hostile(bad, site, dict.fromkeys(ATTESTED, Reply(status=404)))
        code, doc, text = check(url, url)
    assert_consistent(code, doc, text)
    assert code == 1 and doc["verdict"] == "drops"
    assert "is the index itself" in doc["summary"]
    assert doc["counts"]["listed_not_served"] == 3


def test_every_lookup_failing_upstream_is_not_said_to_attest_none(site: Path) -> None:
    """The upstream's provenance all 500s: it is not said to attest none; its failures are
    counted, and the index (which serves) is judged alone."""
    with serve() as up, serve() as index:
        mirror_site(index, site)
        up_url = hostile(up, site, dict.fromkeys(ATTESTED, Reply(status=500)))
        code, doc, text = check(index.url("/simple/"), up_url)
    assert_consistent(code, doc, text)
    assert code == 0 and doc["verdict"] == "passes"
    counts = doc["counts"]
    assert counts["upstream_errors"] == 3 and counts["upstream_served"] == 0
    assert "attests none of the 1 sampled files it answered for" in doc["summary"]
    assert "its lookup failed for 3" in doc["summary"]
    assert "serves PEP 740 provenance (3 of the 4 files looked up on it" in doc["summary"]


def test_upstream_that_truly_attests_none_is_said_so(site: Path) -> None:
    """The true case of the sentence: every upstream file says none."""
    with serve() as up, serve() as index:
        mirror_site(index, site, strip=True)
        for page in sorted((site / "simple").glob("*/index.json")):
            doc = json.loads(page.read_text("utf-8"))
            for entry in doc["files"]:
                entry["provenance"] = None
            up.route(
                f"/simple/{page.parent.name}/",
                Reply(body=json.dumps(doc).encode(), content_type=PEP691_JSON),
            )
        code, doc, text = check(index.url("/simple/"), up.url("/simple/"))
    assert_consistent(code, doc, text)
    assert doc["counts"]["upstream_without"] == 4 and doc["counts"]["upstream_errors"] == 0
    assert "the upstream attests none of the 4 sampled files" in doc["summary"]
    assert code == 1 and doc["verdict"] == "drops"  # the stripping index, judged alone


def test_unreachable_index_counts_failures_not_lookups(upstream: IndexServer) -> None:
    code, doc, text = check(closed_url(), upstream.url("/simple/"))
    assert_consistent(code, doc, text)
    assert code == 3 and doc["verdict"] == "undetermined"
    counts = doc["counts"]
    assert counts["errors"] == 4 and counts["looked_up"] == 0 and counts["failed"] == 3
    assert "the lookup failed for 3" in doc["summary"]


def test_index_that_lists_none_of_the_attested_files(site: Path, upstream: IndexServer) -> None:
    """The index lists only the unattested wheel: nothing is compared, and the reason is that
    the index does not list the files the upstream attests (not that it attests none)."""
    with serve() as index:
        mirror_site(index, site)
        empty = {"meta": {"api-version": "1.3"}, "name": "x", "files": []}
        for name in ("sampleproject", "gitlab-oidc-project"):
            index.route(
                f"/simple/{name}/",
                Reply(body=json.dumps({**empty, "name": name}).encode(), content_type=PEP691_JSON),
            )
        page = json.loads((site / "simple" / "pypi-attestations" / "index.json").read_text())
        page["files"] = [e for e in page["files"] if e["filename"].endswith(".whl")]
        index.route(
            "/simple/pypi-attestations/",
            Reply(body=json.dumps(page).encode(), content_type=PEP691_JSON),
        )
        code, doc, text = check(index.url("/simple/"), upstream.url("/simple/"))
    assert_consistent(code, doc, text)
    assert code == 3 and doc["verdict"] == "undetermined"
    assert doc["counts"]["not_listed"] == 3 and doc["counts"]["none"] == 1
    summary = doc["summary"]
    assert (
        "the upstream attests 3 of the 4 sampled files, but this index does not list 3" in summary
    )
    assert "lists provenance keys on 1 of its 3 project pages" in summary


def test_listed_not_served_while_every_attested_lookup_fails(
    site: Path, upstream: IndexServer
) -> None:
    """The wheel (none upstream) gets a provenance URL that 404s; every attested file's
    provenance answers 500. Nothing is compared, the failures are counted, and the reason
    says the lookups failed, not that the index does not list the files."""
    with serve() as bad:
        url = hostile(bad, site, dict.fromkeys(ATTESTED, Reply(status=500)))
        page = json.loads((site / "simple" / "pypi-attestations" / "index.json").read_text())
        for entry in page["files"]:
            if entry["filename"] == PA_WHEEL.filename:
                entry["provenance"] = "/nowhere/provenance"
        bad.route(
            "/simple/pypi-attestations/",
            Reply(body=json.dumps(page).encode(), content_type=PEP691_JSON),
        )
        code, doc, text = check(url, upstream.url("/simple/"))
    assert_consistent(code, doc, text)
    assert code == 1 and doc["verdict"] == "drops"
    counts = doc["counts"]
    assert (counts["listed_not_served"], counts["failed"], counts["compared"]) == (1, 3, 0)
    assert doc["summary"].startswith("this index lists provenance it does not serve: 1 of the 1")
    assert "the lookup on this index failed for 3 of them" in doc["summary"]
    assert "does not list" not in doc["summary"]


def test_passes_names_the_upstream_failures(site: Path) -> None:
    with serve() as up, serve() as index:
        mirror_site(index, site)
        up_url = hostile(up, site, {GITLAB: Reply(status=500)})
        code, doc, text = check(index.url("/simple/"), up_url)
    assert_consistent(code, doc, text)
    assert code == 0 and doc["verdict"] == "passes"
    assert (doc["counts"]["passed"], doc["counts"]["upstream_errors"]) == (2, 1)
    assert "the upstream's lookup failed for 1 other file(s)" in doc["summary"]


def test_nothing_sampled_is_said_so() -> None:
    """The upstream does not list the projects and the index cannot be reached: nothing was
    sampled, and the sentence says that (not that the upstream attests none)."""
    with serve() as empty:  # answers 404 for every project
        code, doc, text = check(closed_url(), empty.url("/simple/"))
    assert_consistent(code, doc, text)
    assert code == 3 and doc["verdict"] == "undetermined"
    assert doc["counts"]["sampled"] == 0
    assert (
        "no file could be sampled (project 'sampleproject' is not on the index" in (doc["summary"])
    )
    assert "attests none" not in doc["summary"]
