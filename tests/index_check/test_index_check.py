"""`pyvouch index check`: a loopback upstream (a site built from the real attested fixtures),
a stripping mirror of it, and a faithful mirror. Nothing here reaches the internet."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pyvouch.cli.main import cli
from tests.support.index_servers import IndexServer, Reply, serve
from tests.support.scan_sites import PROJECTS, build_site, mirror_site
from tests.support.static_server import StaticServer, serve_directory

FAST = ("--timeout", "2", "--retries", "0")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(tmp_path_factory.mktemp("check-site"))


@pytest.fixture
def upstream(site: Path) -> Iterator[IndexServer]:
    with serve() as server:
        mirror_site(server, site)
        yield server


@pytest.fixture
def stripping(site: Path) -> Iterator[IndexServer]:
    with serve() as server:
        mirror_site(server, site, strip=True)
        yield server


@pytest.fixture
def faithful(site: Path) -> Iterator[StaticServer]:
    with serve_directory(site, negotiate=True) as server:
        yield server


def closed_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/simple/"


def check(*args: str) -> Result:
    project_args = [a for p in PROJECTS for a in ("--project", p)]
    return CliRunner().invoke(
        cli, ["index", "check", *args, *project_args, *FAST], catch_exceptions=False
    )


def check_json(*args: str) -> tuple[int, dict[str, object]]:
    result = check(*args, "--format", "json")
    return result.exit_code, json.loads(result.stdout)


def test_stripping_mirror_is_said_plainly(upstream: IndexServer, stripping: IndexServer) -> None:
    result = check(stripping.url("/simple/"), "--upstream", upstream.url("/simple/"))
    assert result.exit_code == 1, result.output
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("drops: this index does not serve PEP 740 provenance")
    assert "api-version 1.1" in last and "lists no provenance keys" in last
    assert "integrity endpoint answers HTTP 404" in last
    # the three attested sdists are attested upstream and bare here; the wheel has none upstream
    assert "no provenance for 3 of the 3 sampled files the upstream attests" in last


def test_stripping_mirror_json(upstream: IndexServer, stripping: IndexServer) -> None:
    code, doc = check_json(stripping.url("/simple/"), "--upstream", upstream.url("/simple/"))
    assert code == 1
    assert doc["verdict"] == "drops"
    files = {f["filename"]: f for p in doc["projects"] for f in p["files"]}  # type: ignore[attr-defined]
    assert files["pypi_attestations-0.0.19.tar.gz"]["outcome"] == "dropped"
    assert files["pypi_attestations-0.0.19.tar.gz"]["index"]["state"] == "not-served"
    assert files["pypi_attestations-0.0.19.tar.gz"]["upstream"]["state"] == "served"
    assert files["pypi_attestations-0.0.19-py3-none-any.whl"]["outcome"] == "not-compared"
    assert {p["index_api_version"] for p in doc["projects"]} == {"1.1"}  # type: ignore[attr-defined]


def test_faithful_mirror_passes(upstream: IndexServer, faithful: StaticServer) -> None:
    result = check(faithful.index_url, "--upstream", upstream.url("/simple/"))
    assert result.exit_code == 0, result.output
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("passes: this index passes PEP 740 provenance through")
    assert "all 3 sampled files" in last


def test_an_index_that_drops_some_files(site: Path, upstream: IndexServer) -> None:
    with serve() as partial:
        mirror_site(partial, site)
        page = json.loads((site / "simple" / "sampleproject" / "index.json").read_text())
        for entry in page["files"]:
            entry["provenance"] = None  # this index claims sampleproject published none
        partial.route("/simple/sampleproject/", Reply(body=json.dumps(page).encode()))
        result = check(partial.url("/simple/"), "--upstream", upstream.url("/simple/"))
    assert result.exit_code == 1, result.output
    assert "drops PEP 740 provenance for some files: 1 of the 3 sampled files" in result.stdout


def test_unreachable_upstream_judges_the_index_alone(stripping: IndexServer) -> None:
    result = check(stripping.url("/simple/"), "--upstream", closed_url())
    assert result.exit_code == 1, result.output
    assert "cannot be reached" in result.stdout
    last = result.stdout.strip().splitlines()[-1]
    assert "does not serve PEP 740 provenance" in last and "cannot compare" in last


def test_unreachable_upstream_faithful_index_still_serves(faithful: StaticServer) -> None:
    result = check(faithful.index_url, "--upstream", closed_url())
    assert result.exit_code == 0, result.output
    last = result.stdout.strip().splitlines()[-1]
    assert "serves PEP 740 provenance (3 of the 4 files looked up on it" in last
    assert "cannot compare" in last


def test_index_that_cannot_be_reached_is_undetermined(upstream: IndexServer) -> None:
    result = check(closed_url(), "--upstream", upstream.url("/simple/"))
    assert result.exit_code == 3, result.output
    assert result.stdout.strip().splitlines()[-1].startswith("undetermined: cannot tell")


def test_same_url_as_upstream(stripping: IndexServer) -> None:
    url = stripping.url("/simple/")
    result = check(url, "--upstream", url)
    assert result.exit_code == 1
    assert "is the index itself" in result.stdout
    before = len(stripping.requests)
    assert before <= 3 * 6  # pages and integrity probes only: bounded


def test_bad_url_is_usage_error() -> None:
    result = check("ftp://example.invalid/simple/")
    assert result.exit_code == 2
    assert "http(s)" in result.stderr


@pytest.mark.parametrize("name", ["", " ", "two words", "../etc", "-flag", "a/b"])
def test_a_project_that_is_no_name_is_a_usage_error(name: str) -> None:
    """Not a network problem: exit 2 with the bad value named, before anything is asked (the
    index URL is closed; asking it would exit 3)."""
    result = CliRunner().invoke(cli, ["index", "check", closed_url(), "--project", name, *FAST])
    assert result.exit_code == 2, result.output
    assert f"--project {name!r} is not a project name" in result.output
    assert "reach" not in result.output
