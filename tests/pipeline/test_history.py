"""Release histories (readiness, diff's alternatives) gathered through the pipeline: the
verdict cache, the identity each file proves, the locked release when it is older."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyvouch.model import Status
from pyvouch.pipeline.history import histories
from pyvouch.pipeline.options import ScanOptions
from pyvouch.verify.deferred import DeferredVerifier
from pyvouch.verify.trust import choose_trust_root
from tests.pipeline.conftest import Site, must_not_verify


def options(site: Site, cache: Path) -> ScanOptions:
    return ScanOptions(index_url=site.server.index_url, cache_dir=cache, timeout=30.0)


def verifier(site: Site) -> DeferredVerifier:
    return DeferredVerifier(choose_trust_root(trust_root_file=site.trust_root))


def test_each_release_is_verified_and_names_who_signed_it(site: Site, workdir: Path) -> None:
    found, index_url = histories(
        [("alpha", None), ("beta", None), ("gamma", None)],
        verifier(site),
        options(site, workdir.parent / "cache"),
        count=10,
    )
    assert index_url == site.server.index_url
    alpha, beta, gamma = found
    assert [r.version for r in alpha.releases] == ["1.1", "1.0"]  # newest first
    for release in alpha.releases:
        [finding] = release.findings
        assert finding.status is Status.VERIFIED
        assert finding.publisher is not None and finding.publisher.repository == "octo/alpha"
    assert [f.status for r in beta.releases for f in r.findings] == [Status.UNATTESTED]
    # the attacker's signature verifies as the attacker: the identity is recorded, never hidden
    [gamma_file] = gamma.releases[0].findings
    assert gamma_file.status is Status.VERIFIED
    assert gamma_file.publisher is not None and gamma_file.publisher.repository == "mallory/alpha"


def test_an_older_locked_release_comes_along(site: Site, workdir: Path) -> None:
    [alpha], _ = histories(
        [("alpha", "1.0")], verifier(site), options(site, workdir.parent / "cache"), count=1
    )
    assert [r.version for r in alpha.releases] == ["1.1"]
    assert alpha.locked is not None and alpha.locked.version == "1.0"
    assert alpha.total_releases == 2


def test_a_second_run_takes_its_verdicts_from_the_cache(site: Site, workdir: Path) -> None:
    wanted = [("alpha", None), ("gamma", None)]
    cold, _ = histories(wanted, verifier(site), options(site, workdir.parent / "cache"))
    warm, _ = histories(
        wanted, must_not_verify(verifier(site)), options(site, workdir.parent / "cache")
    )
    assert warm == cold


def test_without_the_cache_everything_is_verified_again(site: Site, workdir: Path) -> None:
    """The honest counterpart: the cold run really verifies (a strict verifier fails it)."""
    wanted = [("alpha", None)]
    with pytest.raises(AssertionError, match="verified again"):
        histories(wanted, must_not_verify(verifier(site)), options(site, workdir.parent / "c2"))


def test_a_project_the_index_does_not_have_is_an_error_not_a_history(
    site: Site, workdir: Path
) -> None:
    [missing], _ = histories(
        [("no-such-project", None)], verifier(site), options(site, workdir.parent / "cache")
    )
    assert missing.error is not None and not missing.releases
