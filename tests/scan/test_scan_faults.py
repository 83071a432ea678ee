"""Faults in the middle of a scan: a timeout, 5xx after retries, a dropped connection, each
for SOME packages. Those files are `unknown` with the reason, the rest are verified, and the
exit code says the result is incomplete. Bounded: short timeouts, one retry."""

from __future__ import annotations

from tests.scan.conftest import Scan, files_of, packages_of
from tests.support.index_servers import IndexServer, Reply
from tests.support.scan_sites import GITLAB, LOCKS, PA_SDIST, PA_WHEEL, SAMPLE, provenance_path

FAST = ("--timeout", "0.5", "--retries", "1")


def test_faults_for_some_packages_leave_the_rest_verified(scan: Scan, mirror: IndexServer) -> None:
    # sampleproject: its page times out; gitlab: its provenance answers 503 every time;
    # pypi-attestations: its sdist's provenance connection drops half-way.
    mirror.route("/simple/sampleproject/", Reply(status=200, body=b"{}", delay=3.0))
    mirror.route(
        provenance_path(GITLAB), Reply(status=503, body=b"busy", content_type="text/plain")
    )
    body = b'{"version": 1, "attestation_bundles": []}' + b" " * 4000
    mirror.route(provenance_path(PA_SDIST), Reply(body=body, truncate_to=100))
    lock = scan.write("uv.lock", LOCKS["uv.lock"]())
    code, doc = scan.json(str(lock), "--index-url", mirror.url("/simple/"), *FAST)
    assert code == 3
    files = files_of(doc)
    sample = files[SAMPLE.filename]
    assert sample["status"] == "unknown"
    assert "sampleproject" in sample["reason"] and "0.5" in sample["reason"]
    gitlab = files[GITLAB.filename]
    assert gitlab["status"] == "unknown" and "503" in gitlab["reason"]
    dropped = files[PA_SDIST.filename]
    assert dropped["status"] == "unknown"
    assert provenance_path(PA_SDIST) in dropped["reason"]
    # the rest of the scan completed: the wheel's null provenance key is still an answer
    assert files[PA_WHEEL.filename]["status"] == "unattested"
    assert doc["summary"]["unknown"] == 3
    # bounded: one retry each, no more
    assert mirror.count("/simple/sampleproject/") == 2
    assert mirror.count(provenance_path(GITLAB)) == 2
    assert mirror.count(provenance_path(PA_SDIST)) <= 2


def test_one_fault_does_not_spoil_the_others(scan: Scan, mirror: IndexServer) -> None:
    mirror.route(
        "/simple/gitlab-oidc-project/", Reply(status=500, body=b"oops", content_type="text/plain")
    )
    lock = scan.write("requirements.txt", LOCKS["requirements.txt"]())
    code, doc = scan.json(str(lock), "--index-url", mirror.url("/simple/"), *FAST)
    assert code == 3
    packages = packages_of(doc)
    assert packages["gitlab-oidc-project"]["status"] == "unknown"
    (gitlab_file,) = packages["gitlab-oidc-project"]["files"]
    assert "HTTP 500" in gitlab_file["reason"]
    assert packages["sampleproject"]["status"] == "verified"
    assert files_of(doc)[PA_SDIST.filename]["status"] == "verified"


def test_a_transient_5xx_is_retried_and_verifies(
    scan: Scan, mirror: IndexServer, site: object
) -> None:
    good = mirror.next_reply(provenance_path(SAMPLE))
    mirror.route(
        provenance_path(SAMPLE), Reply(status=502, body=b"", content_type="text/plain"), good
    )
    lock = scan.write("uv.lock", LOCKS["uv.lock"]())
    code, doc = scan.json(
        str(lock), "--index-url", mirror.url("/simple/"), "--timeout", "2", "--retries", "1"
    )
    assert code == 0
    assert files_of(doc)[SAMPLE.filename]["status"] == "verified"
    assert mirror.count(provenance_path(SAMPLE)) == 2
