"""Matching over the real PyPA advisory snapshot: real packages at real versions whose
advisories are known, boundaries (``fixed`` and ``last_affected`` exactly), pre- and
post-releases, withdrawn entries, aliases merged, PEP 503 names."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pyvouch.model import Package
from pyvouch.vulns import local_db
from pyvouch.vulns.check import VulnSources, check_packages
from pyvouch.vulns.local_db import AdvisoryDatabase, load_database
from pyvouch.vulns.model import Level, PackageVulns, VulnStatus
from pyvouch.vulns.osv_api import OsvSettings
from tests.vulns.conftest import SNAPSHOT, needs_snapshot

pytestmark = [pytest.mark.corpus, needs_snapshot]


def _check(db: Path, cache: Path, *pins: tuple[str, str]) -> list[PackageVulns]:
    packages = [Package(name, version) for name, version in pins]
    sources = VulnSources(db=db, osv=OsvSettings(cache_dir=cache))
    return list(check_packages(packages, sources).packages)


@pytest.fixture
def cache(snapshot_db: AdvisoryDatabase, snapshot_cache: Path) -> Path:
    return snapshot_cache


def _ids(pkg: PackageVulns) -> set[str]:
    return {i for f in pkg.findings for i in f.ids}


def test_the_snapshot_loads_with_its_three_unusable_files_named(
    snapshot_db: AdvisoryDatabase,
) -> None:
    assert len(snapshot_db) == 2659
    skipped = "\n".join(snapshot_db.skipped)
    assert "binderhub/PYSEC-2021-371.yaml" in skipped and "'0.2.0-n653'" in skipped
    assert "steam/PYSEC-2019-125.yaml" in skipped and "'2019-09-12'" in skipped
    assert len(snapshot_db.skipped) == 2
    # The packages those advisories name are not "no known vulnerabilities" but unknown.
    assert set(snapshot_db.unusable) == {"binderhub", "steam"}


def test_a_package_whose_advisory_is_unusable_is_unknown(cache: Path) -> None:
    (steam,) = _check(SNAPSHOT, cache, ("steam", "0.9.0"))
    assert steam.status is VulnStatus.UNKNOWN
    assert "PYSEC-2019-125" in steam.reason and "2019-09-12" in steam.reason


def test_old_jinja2_has_its_known_advisories_with_aliases(cache: Path) -> None:
    (old,) = _check(SNAPSHOT, cache, ("Jinja2", "2.10"))
    assert old.status is VulnStatus.AFFECTED
    by_id = {f.id: f for f in old.findings}
    sandbox = by_id["PYSEC-2019-217"]
    assert set(sandbox.aliases) == {"CVE-2019-10906", "GHSA-462w-v97r-4m45"}
    assert sandbox.fixed == ("2.10.1",)
    assert "PYSEC-2021-66" in by_id  # ReDoS in urlize, fixed in 2.11.3
    assert by_id["PYSEC-2021-66"].fixed == ("2.11.3",)


def test_fixed_exactly_is_not_affected_and_the_release_below_is(cache: Path) -> None:
    below, fixed, pre, post = _check(
        SNAPSHOT,
        cache,
        ("jinja2", "2.10"),
        ("jinja2", "2.10.1"),
        ("jinja2", "2.10.1rc1"),
        ("jinja2", "2.10.1.post1"),
    )
    assert "PYSEC-2019-217" in _ids(below)
    assert "PYSEC-2019-217" not in _ids(fixed)
    assert "PYSEC-2021-66" in _ids(fixed)  # still below 2.11.3
    # A pre-release of the fixed version sorts below it (PEP 440): affected by the range.
    assert "PYSEC-2019-217" in _ids(pre)
    (finding,) = [f for f in pre.findings if f.id == "PYSEC-2019-217"]
    assert "range introduced 0, fixed 2.10.1" in finding.matched
    # A post-release of the fixed version sorts above it: not affected.
    assert "PYSEC-2019-217" not in _ids(post)


def test_last_affected_exactly_is_affected_and_above_is_not(cache: Path) -> None:
    at, above, legacy = _check(
        SNAPSHOT, cache, ("py", "1.11.0"), ("py", "1.11.1"), ("py", "0.8.0a2")
    )
    assert "PYSEC-2022-42969" in _ids(at)
    assert "PYSEC-2022-42969" not in _ids(above)
    assert above.status is VulnStatus.NO_KNOWN
    # Listed as "0.8.0-alpha2": the same PEP 440 version.
    assert "PYSEC-2022-42969" in _ids(legacy)


def test_withdrawn_advisories_are_ignored(cache: Path) -> None:
    (redis,) = _check(SNAPSHOT, cache, ("redis", "4.5.3"))
    assert "PYSEC-2023-73" not in _ids(redis)  # withdrawn 2023-06-06, lists every release


def test_pyyaml_urllib3_requests_django(cache: Path) -> None:
    pyyaml, urllib3, requests_old, requests_new, django = _check(
        SNAPSHOT,
        cache,
        ("PyYAML", "5.3"),
        ("urllib3", "1.24.1"),
        ("requests", "2.19.0"),
        ("requests", "2.31.0"),
        ("Django", "3.2"),
    )
    assert {"PYSEC-2020-96", "PYSEC-2021-142"} <= _ids(pyyaml)
    assert "CVE-2020-1747" in _ids(pyyaml)
    (cookie,) = [f for f in urllib3.findings if f.id == "PYSEC-2023-192"]
    assert cookie.rating.level is Level.HIGH and cookie.rating.score == pytest.approx(8.1)
    assert cookie.rating.vector and cookie.rating.vector.startswith("CVSS:3.1/")
    assert cookie.fixed == ("1.26.17", "2.0.6")
    assert "PYSEC-2018-28" in _ids(requests_old)
    assert requests_new.status is VulnStatus.NO_KNOWN
    assert "advisory database" in requests_new.reason
    assert len(django.findings) >= 20
    assert all(f.package == "django" and f.version == "3.2" for f in django.findings)
    # No advisory id is reported twice for one package (aliases merged).
    ids = [i for f in django.findings for i in f.ids]
    assert len(ids) == len(set(ids))


def test_a_ghsa_copy_of_a_pysec_advisory_merges_into_one_finding(tmp_path: Path) -> None:
    db = tmp_path / "db"
    shutil.copytree(SNAPSHOT / "vulns" / "jinja2", db / "jinja2")
    (db / "jinja2" / "GHSA-462w-v97r-4m45.json").write_text(
        """{"id": "GHSA-462w-v97r-4m45", "modified": "2024-01-01T00:00:00Z",
        "aliases": ["CVE-2019-10906"], "summary": "Jinja2 sandbox escape via string formatting",
        "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:N/A:N"}],
        "affected": [{"package": {"ecosystem": "PyPI", "name": "Jinja2"},
          "ranges": [{"type": "ECOSYSTEM",
                      "events": [{"introduced": "0"}, {"fixed": "2.10.1"}]}]}]}""",
        encoding="utf-8",
    )
    (pkg,) = _check(db, tmp_path / "cache", ("jinja2", "2.10"))
    merged = [f for f in pkg.findings if "CVE-2019-10906" in f.ids]
    assert len(merged) == 1
    (finding,) = merged
    assert finding.id == "PYSEC-2019-217"
    assert set(finding.aliases) == {"CVE-2019-10906", "GHSA-462w-v97r-4m45"}
    # The severity comes from the GHSA copy's vector (the PYSEC entry has none).
    assert finding.rating.level is Level.HIGH and finding.rating.score == pytest.approx(8.6)
    assert finding.summary == "Jinja2 sandbox escape via string formatting"


def test_the_warm_database_is_read_from_the_sealed_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "db"
    shutil.copytree(SNAPSHOT / "vulns" / "urllib3", db / "urllib3")
    first = load_database(db, cache_dir=tmp_path / "cache")
    with monkeypatch.context() as patch:  # a warm load parses no file
        patch.setattr(local_db, "decode", _no_parsing)
        warm = load_database(db, cache_dir=tmp_path / "cache")
    assert warm.documents == first.documents
    # A change to a file (its size or time) is a different database: read again.
    victim = sorted((db / "urllib3").iterdir())[0]
    victim.write_text("id: [broken\n", encoding="utf-8")
    fresh = load_database(db, cache_dir=tmp_path / "cache")
    assert any(victim.name in s and "not valid YAML" in s for s in fresh.skipped)
    assert len(fresh) == len(first) - 1


def _no_parsing(data: bytes, name: str) -> object:
    raise AssertionError(f"{name} was parsed on a warm load")


def test_a_planted_cache_entry_is_a_miss(tmp_path: Path) -> None:
    """An entry that hides urllib3's advisories, written without the machine key (or with
    the value changed after sealing), is ignored: the database is read again."""
    db = tmp_path / "db"
    shutil.copytree(SNAPSHOT / "vulns" / "urllib3", db / "urllib3")
    cache = tmp_path / "cache"
    honest = load_database(db, cache_dir=cache)
    (entry,) = (cache / local_db.CACHE_LAYOUT).rglob("*.sealed")
    mac, _, value = entry.read_bytes().partition(b"\n")
    doc = json.loads(value)
    doc["documents"] = []
    entry.write_bytes(mac + b"\n" + json.dumps(doc).encode())
    again = load_database(db, cache_dir=cache)
    assert len(again) == len(honest) > 0
    (pkg,) = _check(db, cache, ("urllib3", "1.24.1"))
    assert pkg.status is VulnStatus.AFFECTED
