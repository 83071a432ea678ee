"""Every redirect to another host is named (issue 8, rule 10).

A loopback copy of the attested site whose answers move to another host (the same server
named `localhost` instead of 127.0.0.1):

- sampleproject's project page redirects there (its sdist verifies);
- gitlab-oidc-project's provenance URL redirects there (its sdist verifies);
- pypi-attestations' sdist provenance URL redirects there, to another file's provenance (it
  fails: `invalid`); its wheel, not redirected, says nothing of it.

The other host must be named in each touched file's reason and in the JSON warnings, for
verified files as well as failed ones: on the first run, on a warm run (provenance and verdicts
from the cache), offline, on the direct route, and in `pyvouch verify`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pyvouch.cli.main import cli
from pyvouch.index.cache import IndexCache
from pyvouch.machine_key import data_dir, load_or_create_key
from tests.scan.conftest import Scan, files_of
from tests.support.index_servers import PEP691_JSON, IndexServer, Reply
from tests.support.scan_sites import (
    ASSETS,
    GITLAB,
    LOCKS,
    PA_SDIST,
    PA_WHEEL,
    SAMPLE,
    provenance_path,
)

MOVED_PAGE = "/moved/simple/sampleproject/"
# The page's relative provenance URL (../../integrity/...) resolves against the moved page.
MOVED_SAMPLE_PROVENANCE = "/moved" + provenance_path(SAMPLE)
ELSEWHERE_GITLAB = "/elsewhere/gitlab/provenance"
ELSEWHERE_PA = "/elsewhere/pa/provenance"


def redirect(target: str) -> Reply:
    return Reply(status=302, headers={"Location": target}, content_type=None)


@pytest.fixture
def moving(mirror: IndexServer, site: Path) -> IndexServer:
    """The faithful mirror, with three answers moved to another host."""
    page = (site / "simple" / "sampleproject" / "index.json").read_bytes()
    body = {
        d: (site / provenance_path(d).lstrip("/")).read_bytes() for d in (SAMPLE, GITLAB, PA_SDIST)
    }
    mirror.route("/simple/sampleproject/", redirect(mirror.other_host_url(MOVED_PAGE)))
    mirror.route(MOVED_PAGE, Reply(body=page, content_type=PEP691_JSON))
    mirror.route(MOVED_SAMPLE_PROVENANCE, Reply(body=body[SAMPLE]))
    mirror.route(provenance_path(GITLAB), redirect(mirror.other_host_url(ELSEWHERE_GITLAB)))
    mirror.route(ELSEWHERE_GITLAB, Reply(body=body[GITLAB]))
    mirror.route(provenance_path(PA_SDIST), redirect(mirror.other_host_url(ELSEWHERE_PA)))
    mirror.route(ELSEWHERE_PA, Reply(body=body[GITLAB]))  # another file's provenance
    return mirror


def moved_to(server: IndexServer, path: str) -> str:
    return f"to another host: {server.other_host_url(path)}"


def assert_named(doc: dict[str, Any], server: IndexServer) -> None:
    """Each touched file names the other host in its reason, and the JSON warnings list each
    redirect; the untouched file says nothing of it."""
    files = files_of(doc)
    expected = {
        SAMPLE.filename: ("verified", moved_to(server, MOVED_PAGE)),
        GITLAB.filename: ("verified", moved_to(server, ELSEWHERE_GITLAB)),
        PA_SDIST.filename: ("invalid", moved_to(server, ELSEWHERE_PA)),
    }
    for filename, (status, named) in expected.items():
        entry = files[filename]
        assert entry["status"] == status, entry
        assert named in entry["reason"], entry
        assert "localhost" in entry["reason"]
        assert sum(named in w for w in doc["warnings"]) == 1, doc["warnings"]
    assert files[PA_WHEEL.filename]["status"] == "unattested"
    assert "localhost" not in files[PA_WHEEL.filename]["reason"]
    assert all("localhost" in w for w in doc["warnings"])


def test_redirects_are_named_cold_warm_and_offline(scan: Scan, moving: IndexServer) -> None:
    lock = scan.write("uv.lock", LOCKS["uv.lock"]())
    url = moving.url("/simple/")
    code, cold = scan.json(str(lock), "--index-url", url)
    assert code == 1  # no policy: an invalid file still fails the scan
    assert_named(cold, moving)
    requests = moving.count(ELSEWHERE_GITLAB)
    code, warm = scan.json(str(lock), "--index-url", url)
    assert code == 1
    assert moving.count(ELSEWHERE_GITLAB) == requests  # the provenance came from the cache
    assert_named(warm, moving)
    code, offline = scan.json(str(lock), "--index-url", url, "--offline")
    assert code == 1
    assert_named(offline, moving)


def test_redirects_are_named_in_the_table(scan: Scan, moving: IndexServer) -> None:
    lock = scan.write("uv.lock", LOCKS["uv.lock"]())
    result = scan(str(lock), "--index-url", moving.url("/simple/"))
    assert result.exit_code == 1
    # The table wraps long lines: compare without the white space it adds.
    warnings = "".join(result.stdout[result.stdout.index("warning:") :].split())
    for path in (MOVED_PAGE, ELSEWHERE_GITLAB, ELSEWHERE_PA):
        assert moved_to(moving, path).replace(" ", "") in warnings, result.stdout


def test_redirects_are_named_on_the_direct_route(scan: Scan, moving: IndexServer) -> None:
    """An index known to serve provenance at its integrity URLs is asked there without the
    page: a provenance URL that redirects is named all the same, whether the file verifies
    or not; a page that was not read redirected nothing."""
    url = moving.url("/simple/")
    cache = IndexCache(scan.cache, secret=load_or_create_key(data_dir()))
    cache.put_direct_route(url, True)
    lock = scan.write("uv.lock", LOCKS["uv.lock"]())
    code, doc = scan.json(str(lock), "--index-url", url)
    assert code == 1
    assert moving.count("/simple/gitlab-oidc-project/") == 0  # went direct
    files = files_of(doc)
    gitlab, pa = files[GITLAB.filename], files[PA_SDIST.filename]
    assert gitlab["status"] == "verified"
    assert moved_to(moving, ELSEWHERE_GITLAB) in gitlab["reason"]
    assert pa["status"] == "invalid"
    assert moved_to(moving, ELSEWHERE_PA) in pa["reason"]
    assert files[SAMPLE.filename]["status"] == "verified"
    assert moving.count(MOVED_PAGE) == 0 and "localhost" not in files[SAMPLE.filename]["reason"]
    for path in (ELSEWHERE_GITLAB, ELSEWHERE_PA):
        assert any(moved_to(moving, path) in w for w in doc["warnings"]), doc["warnings"]
    # warm, from the cache: the direct answer was kept with its warning
    code, warm = scan.json(str(lock), "--index-url", url)
    assert code == 1
    warm_gitlab = files_of(warm)[GITLAB.filename]
    assert warm_gitlab["status"] == "verified"
    assert moved_to(moving, ELSEWHERE_GITLAB) in warm_gitlab["reason"]


@pytest.mark.parametrize(
    ("dist", "status", "path"),
    [(SAMPLE, "verified", MOVED_PAGE), (PA_SDIST, "invalid", ELSEWHERE_PA)],
    ids=["verified-page-redirect", "invalid-provenance-redirect"],
)
def test_verify_names_the_redirect(
    moving: IndexServer, tmp_path: Path, dist: Any, status: str, path: str
) -> None:
    env = {"PYVOUCH_CACHE_DIR": str(tmp_path / "cache"), "PIP_INDEX_URL": None, "NO_COLOR": "1"}
    args = ["verify", str(ASSETS / dist.filename), "--index-url", moving.url("/simple/")]
    for run in ("cold", "warm"):
        result = CliRunner().invoke(
            cli, [*args, "--format", "json"], env=env, catch_exceptions=False
        )
        assert result.exit_code == (0 if status == "verified" else 1), (run, result.output)
        doc = json.loads(result.stdout)
        (finding,) = doc["results"]
        assert finding["status"] == status
        assert moved_to(moving, path) in finding["reason"], (run, finding)
        assert any(moved_to(moving, path) in w for w in doc["warnings"]), (run, doc)
    text = CliRunner().invoke(cli, args, env=env, catch_exceptions=False)
    assert moved_to(moving, path) in text.stdout


def test_pin_names_the_redirect(scan: Scan, moving: IndexServer) -> None:
    """`pin` records identities from verified files: one fetched through another host says so."""
    lock = scan.write("uv.lock", LOCKS["uv.lock"]())
    env = {"PYVOUCH_CACHE_DIR": str(scan.cache), "PIP_INDEX_URL": None, "NO_COLOR": "1"}
    result = CliRunner().invoke(
        cli,
        ["pin", str(lock), "--index-url", moving.url("/simple/"), "--dry-run"],
        env=env,
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    for path in (MOVED_PAGE, ELSEWHERE_GITLAB):
        assert "pyvouch: warning: redirected from" in result.stderr
        assert moved_to(moving, path) in result.stderr, result.stderr


def test_index_check_names_the_redirect(moving: IndexServer) -> None:
    args = ["index", "check", moving.url("/simple/"), "--upstream", ""]
    for project in ("sampleproject", "gitlab-oidc-project"):
        args += ["--project", project]
    result = CliRunner().invoke(cli, [*args, "--format", "json"], catch_exceptions=False)
    doc = json.loads(result.stdout)
    assert doc["verdict"] == "passes" and result.exit_code == 0
    for path in (MOVED_PAGE, ELSEWHERE_GITLAB):
        assert any(moved_to(moving, path) in w for w in doc["warnings"]), doc["warnings"]
    files = {f["filename"]: f for p in doc["projects"] for f in p["files"]}
    assert moved_to(moving, ELSEWHERE_GITLAB) in files[GITLAB.filename]["index"]["reason"]
    assert moved_to(moving, MOVED_PAGE) in files[SAMPLE.filename]["index"]["reason"]
    text = CliRunner().invoke(cli, args, catch_exceptions=False).stdout
    assert f"warning: redirected from {moving.url('/simple/sampleproject/')}" in text
