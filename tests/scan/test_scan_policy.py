"""Policy through `pyvouch scan`: flags alone make a policy; the mode decides the exit code."""

from __future__ import annotations

from tests.scan.conftest import Scan, packages_of
from tests.support.index_servers import IndexServer
from tests.support.scan_sites import LOCKS
from tests.support.static_server import StaticServer


def test_enforce_blocks_an_unattested_critical_package(scan: Scan, served: StaticServer) -> None:
    lock = scan.write("uv.lock", LOCKS["uv.lock"]())
    args = (str(lock), "--index-url", served.index_url, "--mode", "enforce")
    code, doc = scan.json(*args, "--critical", "pypi-attestations")
    assert code == 1
    packages = packages_of(doc)
    assert packages["pypi-attestations"]["decision"]["action"] == "block"
    assert packages["sampleproject"]["decision"]["action"] == "allow"
    # the same lock without the critical flag passes in enforce (long tail: no regression)
    code, _ = scan.json(*args)
    assert code == 0


def test_warn_mode_shows_the_block_and_exits_zero(scan: Scan, served: StaticServer) -> None:
    lock = scan.write("uv.lock", LOCKS["uv.lock"]())
    code, doc = scan.json(
        str(lock),
        "--index-url",
        served.index_url,
        "--mode",
        "warn",
        "--critical",
        "pypi-attestations",
    )
    assert code == 0
    assert packages_of(doc)["pypi-attestations"]["decision"]["action"] in ("warn", "block")


def test_a_pin_to_another_publisher_blocks(scan: Scan, served: StaticServer) -> None:
    lock = scan.write("pylock.toml", LOCKS["pylock.toml"]())
    code, doc = scan.json(
        str(lock),
        "--index-url",
        served.index_url,
        "--mode",
        "enforce",
        "--pin",
        "gitlab-oidc-project=github:other/repo:release.yml",
    )
    assert code == 1
    decision = packages_of(doc)["gitlab-oidc-project"]["decision"]
    assert decision["action"] == "block"
    text = " ".join(decision["reasons"])
    assert "github:other/repo" in text and "gitlab:facutuesca/gitlab-oidc-project" in text
    # DESIGN.md's vocabulary: a good signature by another than the pinned identity is `mismatch`
    package = packages_of(doc)["gitlab-oidc-project"]
    assert package["status"] == "mismatch"
    assert [f["status"] for f in package["files"]] == ["mismatch"]
    assert not package["files"][0]["identity_checked"]


def test_the_right_pin_passes(scan: Scan, served: StaticServer) -> None:
    lock = scan.write("pylock.toml", LOCKS["pylock.toml"]())
    code, doc = scan.json(
        str(lock),
        "--index-url",
        served.index_url,
        "--mode",
        "enforce",
        "--critical",
        "gitlab-oidc-project",
        "--pin",
        "gitlab-oidc-project=gitlab:facutuesca/gitlab-oidc-project:.gitlab-ci.yml",
    )
    assert code == 0
    package = packages_of(doc)["gitlab-oidc-project"]
    assert package["decision"]["action"] == "allow"
    # the pin is what checked the identity, and the file says so
    assert package["status"] == "verified"
    assert package["files"][0]["identity_checked"] is True
    assert "matches the pinned" in package["files"][0]["reason"]


def test_unknown_critical_package_is_incomplete(scan: Scan, stripping: IndexServer) -> None:
    lock = scan.write("uv.lock", LOCKS["uv.lock"]())
    code, doc = scan.json(
        str(lock),
        "--index-url",
        stripping.url("/simple/"),
        "--mode",
        "enforce",
        "--critical",
        "sampleproject",
    )
    assert code == 3
    assert packages_of(doc)["sampleproject"]["status"] == "unknown"


def test_policy_file_is_found_in_the_working_directory(scan: Scan, stripping: IndexServer) -> None:
    scan.write("pyvouch.toml", 'mode = "collect"\n')
    lock = scan.write("uv.lock", LOCKS["uv.lock"]())
    code, _ = scan.json(str(lock), "--index-url", stripping.url("/simple/"))
    assert code == 0  # a policy in collect mode: unknown is shown, not an error


def _pin_file(identity: str) -> str:
    return (
        'lock-version = "1"\n\n[[packages]]\nname = "gitlab-oidc-project"\n\n'
        f"[[packages.attestation-identities]]\n{identity}\n"
    )


def test_pins_in_pyvouch_lock_toml_are_enforced(scan: Scan, served: StaticServer) -> None:
    lock = scan.write("uv.lock", LOCKS["uv.lock"]())
    args = (str(lock), "--index-url", served.index_url, "--mode", "enforce")
    # The pin file next to the lock names another publisher: a mismatch, blocked.
    pins = lock.parent / "pyvouch.lock.toml"
    pins.write_text(_pin_file('kind = "GitHub"\nrepository = "other/repo"\nworkflow = "r.yml"'))
    code, doc = scan.json(*args)
    assert code == 1
    decision = packages_of(doc)["gitlab-oidc-project"]["decision"]
    assert decision["action"] == "block"
    assert "github:other/repo" in " ".join(decision["reasons"])
    # The right identity passes.
    pins.write_text(
        _pin_file(
            'kind = "GitLab"\nrepository = "facutuesca/gitlab-oidc-project"\n'
            'workflow_filepath = ".gitlab-ci.yml"'
        )
    )
    code, doc = scan.json(*args)
    assert code == 0
    assert packages_of(doc)["gitlab-oidc-project"]["decision"]["action"] == "allow"


def test_collect_says_in_its_summary_what_enforce_would_block(
    scan: Scan, served: StaticServer
) -> None:
    """collect exits 0 whatever it finds; its summary line says how many packages enforce
    would have blocked (table and Markdown alike), and enforce on the same lock blocks them."""
    lock = scan.write("uv.lock", LOCKS["uv.lock"]())
    args = (str(lock), "--index-url", served.index_url, "--critical", "pypi-attestations")
    collect = scan(*args, "--mode", "collect")
    assert collect.exit_code == 0, collect.output
    assert "; collect: 1 package would block in enforce" in collect.output
    markdown = scan(*args, "--mode", "collect", "--format", "markdown")
    assert "collect: 1 package would block in enforce" in markdown.output
    enforce = scan(*args, "--mode", "enforce")
    assert enforce.exit_code == 1
    assert "would block" not in enforce.output
    # two blocked: the count follows
    two = scan(*args, "--mode", "collect", "--critical", "sampleproject", "--pin",
               "sampleproject=github:someone/else:release.yml")  # fmt: skip
    assert two.exit_code == 0, two.output
    assert "collect: 2 packages would block in enforce" in two.output


def test_collect_with_nothing_blocked_and_scans_without_a_policy_say_nothing_of_enforce(
    scan: Scan, served: StaticServer
) -> None:
    lock = scan.write("uv.lock", LOCKS["uv.lock"]())
    clean = scan(str(lock), "--index-url", served.index_url, "--mode", "collect")
    assert clean.exit_code == 0
    assert "would block" not in clean.output
    # without a policy file or --mode nothing is decided, so nothing would block
    bare = scan(str(lock), "--index-url", served.index_url, "--critical", "pypi-attestations")
    assert "would block" not in bare.output and "[block]" not in bare.output
    # a policy file in collect mode (no --mode) decides, and the line counts its blocks
    scan.write("pyvouch.toml", 'mode = "collect"\n[tiers.critical]\npackages = ["pypi-*"]\n')
    configured = scan(str(lock), "--index-url", served.index_url)
    assert configured.exit_code == 0
    assert "collect: 1 package would block in enforce" in configured.output
