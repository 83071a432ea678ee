"""ScanResult values for the report-format tests: every status, coverage, decisions, odd text."""

from __future__ import annotations

from pyvouch.model import (
    Action,
    AttestationInfo,
    Decision,
    FileRef,
    Finding,
    Package,
    PackageResult,
    Publisher,
    ScanResult,
    Status,
)

PUBLISH = "https://docs.pypi.org/attestations/publish/v1"
SLSA = "https://slsa.dev/provenance/v1"

REQUESTS_PUB = Publisher(
    kind="GitHub", repository="psf/requests", workflow="publish.yml", environment="pypi"
)
OTHER_PUB = Publisher(kind="GitHub", repository="evil/fork", workflow="release.yml")
GITLAB_PUB = Publisher(kind="GitLab", repository="group/sub/proj", workflow=".gitlab-ci.yml")

UNKNOWN_REASON = "the index does not serve PEP 740 provenance | mirror strips it"
HOSTILE_NAME = "evil|pkg<script>alert(1)</script>"
UNICODE_NAME = "ünïcødé-pkg"


def sha(char: str) -> str:
    return char * 64


def _file(name: str, digest: str | None = None) -> FileRef:
    url = f"https://files.example.org/packages/{name}" if digest else None
    return FileRef(filename=name, sha256=digest, url=url)


def _att(
    publisher: Publisher | None, *, verified: bool, log_index: int | None = 1234
) -> AttestationInfo:
    return AttestationInfo(
        predicate_type=PUBLISH,
        publisher=publisher,
        log_index=log_index,
        integrated_time=1_730_000_000 if log_index is not None else None,
        verified=verified,
        error=None if verified else "signature does not verify",
    )


def _pkg(name: str, version: str | None, *, origin: str | None = None) -> Package:
    return Package(name=name, version=version, source="pylock.toml", origin=origin)


def _decision(pkg: Package, action: Action, rule: str, *reasons: str) -> Decision:
    return Decision(package=pkg, action=action, rule=rule, reasons=reasons)


def every_status() -> ScanResult:
    """One package for each status and coverage, with decisions, hostile and unicode text."""
    requests = _pkg("requests", "2.32.3")
    urllib3 = _pkg("urllib3", "2.2.3")
    hostile = _pkg(HOSTILE_NAME, "1.0|2")
    invalid = _pkg("bad-sig", "0.1")
    swapped = _pkg("swapped", "3.0")
    legacy = _pkg("oldpgp", "0.9")
    local = _pkg("local-thing", None, origin="path")
    uni = _pkg(UNICODE_NAME, "1.0")
    nofiles = _pkg("nofiles", "1.0")
    timeout = _pkg("slow_Pkg", "5.0")
    allowed_warn = _pkg("verified-but-warned", "1.1")
    packages = (
        PackageResult(
            requests,
            (
                Finding(
                    _file("requests-2.32.3-py3-none-any.whl", sha("a")),
                    Status.VERIFIED,
                    "verified",
                    REQUESTS_PUB,
                    (_att(REQUESTS_PUB, verified=True),),
                    identity_checked=True,
                ),
                Finding(
                    _file("requests-2.32.3.tar.gz", sha("b")),
                    Status.VERIFIED,
                    "verified",
                    REQUESTS_PUB,
                    (_att(REQUESTS_PUB, verified=True, log_index=99),),
                    identity_checked=True,
                ),
            ),
            decision=_decision(requests, Action.ALLOW, "critical-pinned"),
        ),
        PackageResult(
            urllib3,
            (
                Finding(
                    _file("urllib3-2.2.3-py3-none-any.whl", sha("c")),
                    Status.VERIFIED,
                    "verified",
                    GITLAB_PUB,
                    (_att(GITLAB_PUB, verified=True),),
                ),
                Finding(
                    _file("urllib3-2.2.3.tar.gz", sha("d")),
                    Status.UNATTESTED,
                    "the index has no provenance for this file",
                ),
            ),
        ),
        PackageResult(
            hostile,
            (
                Finding(
                    _file("evil_pkg-1.0.tar.gz", None),
                    Status.UNKNOWN,
                    UNKNOWN_REASON,
                ),
            ),
        ),
        PackageResult(
            invalid,
            (
                Finding(
                    _file("bad_sig-0.1-py3-none-any.whl", sha("e")),
                    Status.INVALID,
                    "attestation digest does not match the file",
                    None,
                    (_att(OTHER_PUB, verified=False),),
                ),
            ),
            decision=_decision(
                invalid, Action.BLOCK, "critical-verified", "critical package is invalid"
            ),
        ),
        PackageResult(
            swapped,
            (
                Finding(
                    _file("swapped-3.0-py3-none-any.whl", sha("f")),
                    Status.MISMATCH,
                    "publisher github:evil/fork:release.yml is not the pinned github:good/swapped",
                    OTHER_PUB,
                    (_att(OTHER_PUB, verified=True),),
                ),
            ),
            decision=_decision(
                swapped,
                Action.BLOCK,
                "pinned-identity",
                "publisher changed",
                "was github:good/swapped",
            ),
        ),
        PackageResult(
            legacy,
            (
                Finding(
                    _file("oldpgp-0.9.tar.gz", sha("1")),
                    Status.LEGACY_SIGNED,
                    "only a PGP signature (.asc) exists",
                ),
            ),
            decision=_decision(legacy, Action.WARN, "long-tail"),
        ),
        PackageResult(local, ()),
        PackageResult(
            uni,
            (
                Finding(
                    _file("ünïcødé_pkg-1.0-py3-none-any.whl", sha("2")),
                    Status.VERIFIED,
                    "verified — ✓ signed",
                    REQUESTS_PUB,
                    (_att(REQUESTS_PUB, verified=True),),
                    identity_checked=False,
                ),
            ),
        ),
        PackageResult(nofiles, (), note="the release has no files"),
        PackageResult(
            timeout,
            (
                Finding(
                    _file("slow_pkg-5.0.tar.gz", sha("3")),
                    Status.UNKNOWN,
                    "lookup failed: timed out after 3 attempts",
                ),
            ),
        ),
        PackageResult(
            allowed_warn,
            (
                Finding(
                    _file("verified_but_warned-1.1.tar.gz", sha("4")),
                    Status.VERIFIED,
                    "verified",
                    REQUESTS_PUB,
                    (_att(REQUESTS_PUB, verified=True),),
                    identity_checked=True,
                ),
            ),
            decision=_decision(
                allowed_warn, Action.WARN, "exception-expiring", "exception expires in 3 days"
            ),
        ),
    )
    return ScanResult(
        source="pylock.toml",
        source_format="pylock",
        index_url="https://pypi.org/simple/",
        packages=packages,
        warnings=("2 packages skipped by markers", "odd | warning <b>bold</b>"),
        mode="warn",
    )


def empty() -> ScanResult:
    return ScanResult(
        source="uv.lock", source_format="uv", index_url="https://pypi.org/simple/", packages=()
    )


def many_unattested(n: int) -> ScanResult:
    packages = tuple(
        PackageResult(
            _pkg(f"pkg{i:04d}", "1.0"),
            (
                Finding(
                    _file(f"pkg{i:04d}-1.0.tar.gz", sha("9")), Status.UNATTESTED, "no provenance"
                ),
            ),
        )
        for i in range(n)
    )
    return ScanResult(
        source="requirements.txt",
        source_format="requirements",
        index_url="http://127.0.0.1:1/simple/",
        packages=packages,
    )


def package(result: ScanResult, name: str) -> PackageResult:
    for pkg in result.packages:
        if pkg.package.name == name:
            return pkg
    raise KeyError(name)
