"""Malformed advisory files are skipped with a named reason and the rest are still used; a
database path that is no database is one clear error; OSV's matching rules, case by case."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from packaging.version import Version

from pyvouch.errors import InputError
from pyvouch.limits import MAX_ADVISORY_BYTES
from pyvouch.model import Package
from pyvouch.vulns.check import VulnSources, check_packages
from pyvouch.vulns.local_db import load_database
from pyvouch.vulns.matching import match
from pyvouch.vulns.model import Level, VulnStatus
from pyvouch.vulns.osv import AdvisoryProblem, parse_advisory
from pyvouch.vulns.osv_api import OsvSettings
from pyvouch.vulns.severity import rate


def advisory(
    ident: str, *events: dict[str, str], name: str = "demo", **extra: Any
) -> dict[str, Any]:
    return {
        "id": ident,
        "modified": "2025-01-01T00:00:00Z",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": name},
                "ranges": [{"type": "ECOSYSTEM", "events": list(events)}],
            }
        ],
        **extra,
    }


GOOD = advisory("PYSEC-0000-1", {"introduced": "0"}, {"fixed": "2.0"})


def _db(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    root = tmp_path / "db"
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def _status(db: Path, tmp_path: Path, name: str, version: str) -> tuple[VulnStatus, str]:
    sources = VulnSources(db=db, osv=OsvSettings(cache_dir=tmp_path / "cache"))
    (pkg,) = check_packages([Package(name, version)], sources).packages
    return pkg.status, pkg.reason


BROKEN: dict[str, tuple[str | bytes, str]] = {
    "broken.json": ('{"id": "X", "modified": ', "not valid JSON"),
    "broken.yaml": ("id: [unclosed\nmodified: x\n", "not valid YAML"),
    "list.json": ("[1, 2]", "not an OSV document"),
    "no-id.json": (json.dumps({"modified": "x", "affected": []}), "id: must be a non-empty"),
    "no-modified.json": (json.dumps({"id": "X-1"}), "modified: missing"),
    "bad-version.json": (
        json.dumps(advisory("X-2", {"introduced": "0"}, {"fixed": "not a version"})),
        "fixed 'not a version' is not a PEP 440 version",
    ),
    "bad-event.json": (
        json.dumps(advisory("X-3", {"introduced": "0"}, {"patched": "1.0"})),
        "unknown event 'patched'",
    ),
    "no-introduced.json": (
        json.dumps(advisory("X-4", {"fixed": "1.0"})),
        "a range without an introduced event",
    ),
    "two-keys.json": (
        json.dumps(advisory("X-5", {"introduced": "0", "fixed": "1.0"})),
        "an event must be a mapping with one key",
    ),
    "surrogate.json": (b'{"id": "X-6\\ud800", "modified": "x"}', "not valid JSON"),
    "bad-utf8.yaml": (b"id: X-7\nmodified: \xff\xfe\n", "not valid YAML"),
    "deep.json": ("[" * 100_000 + "]" * 100_000, "not valid JSON"),
}


def test_each_malformed_file_is_skipped_with_its_reason_and_the_rest_is_used(
    tmp_path: Path,
) -> None:
    files: dict[str, str | bytes] = {name: body for name, (body, _) in BROKEN.items()}
    files["good.json"] = json.dumps(GOOD)
    db = load_database(_db(tmp_path, files), cache_dir=tmp_path / "cache")
    assert len(db) == 1
    for name, (_, reason) in BROKEN.items():
        (line,) = [s for s in db.skipped if s.split(": ")[0].endswith(name)]
        assert reason in line, line
    assert len(db.skipped) == len(BROKEN)
    assert [a.id for a in db.advisories("demo")] == ["PYSEC-0000-1"]


def test_a_package_named_by_an_unusable_advisory_is_unknown_not_clear(tmp_path: Path) -> None:
    bad = advisory("GHSA-bad", {"introduced": "0"}, {"fixed": "1.0-weird-x"}, name="Other_Pkg")
    db = _db(tmp_path, {"good.json": json.dumps(GOOD), "bad.json": json.dumps(bad)})
    status, reason = _status(db, tmp_path, "other-pkg", "0.5")
    assert status is VulnStatus.UNKNOWN
    assert "GHSA-bad" in reason and "1.0-weird-x" in reason
    # A package no advisory names is "no known", with the source that answered.
    status, reason = _status(db, tmp_path, "unrelated", "1.0")
    assert status is VulnStatus.NO_KNOWN and "advisory database" in reason


def test_a_huge_file_is_skipped_unread(tmp_path: Path) -> None:
    db = _db(
        tmp_path,
        {"good.json": json.dumps(GOOD), "huge.json": b" " * (MAX_ADVISORY_BYTES + 1)},
    )
    loaded = load_database(db, cache_dir=tmp_path / "cache")
    assert len(loaded) == 1
    assert any("huge.json: larger than" in s for s in loaded.skipped)


def test_a_yaml_alias_bomb_is_refused_without_expanding(tmp_path: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 12):
        bomb += (
            f"{'b' * i}: &{'b' * i} [{', '.join(['*' + ('b' * (i - 1) if i > 1 else 'a')] * 9)}]\n"
        )
    bomb += "id: X-9\nmodified: x\n"
    bomb += "affected: [{package: {ecosystem: PyPI, name: demo}, versions: *bbbbbbbbbbb}]\n"
    db = _db(tmp_path, {"good.json": json.dumps(GOOD), "bomb.yaml": bomb})
    loaded = load_database(db, cache_dir=tmp_path / "cache")
    assert any("bomb.yaml" in s and "list of strings" in s for s in loaded.skipped)


def test_a_symlink_loop_in_the_database_is_not_followed(tmp_path: Path) -> None:
    db = _db(tmp_path, {"demo/good.json": json.dumps(GOOD)})
    (db / "demo" / "loop").symlink_to(db, target_is_directory=True)
    assert len(load_database(db, cache_dir=tmp_path / "cache")) == 1


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda p: p / "missing", "no such advisory database"),
        (lambda p: (p / "empty").mkdir() or p / "empty", "holds no OSV advisory files"),
        (
            lambda p: (p / "x.txt").write_text("hello", encoding="utf-8") and p / "x.txt",
            "not an advisory database",
        ),
        (
            lambda p: (
                (p / "d" / "a.json").parent.mkdir()
                or ((p / "d" / "a.json").write_text("{", encoding="utf-8") and p / "d")
            ),
            "no usable advisory",
        ),
    ],
)
def test_a_path_that_is_no_database_is_one_clear_error(
    tmp_path: Path, make: Any, problem: str
) -> None:
    with pytest.raises(InputError) as info:
        load_database(make(tmp_path), cache_dir=tmp_path / "cache")
    assert problem in str(info.value)
    assert "\n" not in str(info.value)


def test_osv_s_per_ecosystem_zip_is_read(tmp_path: Path) -> None:
    path = tmp_path / "all.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("PYSEC-0000-1.json", json.dumps(GOOD))
        archive.writestr("broken.json", "{")
    db = load_database(path, cache_dir=tmp_path / "cache")
    assert len(db) == 1
    assert any("all.zip!broken.json" in s for s in db.skipped)
    status, _ = _status(path, tmp_path, "demo", "1.5")
    assert status is VulnStatus.AFFECTED


def _affected(doc: dict[str, Any], version: str, name: str = "demo") -> bool:
    return match(parse_advisory(doc), name, Version(version)) is not None


@pytest.mark.parametrize(
    ("events", "affected", "clear"),
    [
        # Two ranges in one: [1.0, 1.5) and [2.0, 2.5).
        (
            [{"introduced": "1.0"}, {"fixed": "1.5"}, {"introduced": "2.0"}, {"fixed": "2.5"}],
            ["1.0", "1.4.9", "2.0", "2.4"],
            ["0.9", "1.5", "1.7", "2.5", "3.0"],
        ),
        # Events out of order in the file are sorted first.
        (
            [{"fixed": "2.5"}, {"introduced": "2.0"}, {"fixed": "1.5"}, {"introduced": "1.0"}],
            ["1.2", "2.2"],
            ["1.6", "2.6"],
        ),
        # last_affected: the version itself is affected, the next one is not.
        ([{"introduced": "0"}, {"last_affected": "3.1"}], ["3.1", "3.1rc1"], ["3.1.post1", "3.2"]),
        # limit: versions at or above it are outside the range.
        ([{"introduced": "1.0"}, {"limit": "2.0"}], ["1.0", "1.9"], ["2.0", "2.1", "0.5"]),
        ([{"introduced": "1.0"}, {"limit": "*"}], ["1.0", "9.0"], ["0.9"]),
        # Pre-releases and dev releases sort below the release.
        (
            [{"introduced": "2.0"}, {"fixed": "2.1"}],
            ["2.1rc2", "2.1.dev0", "2.0"],
            ["2.0rc1", "2.1"],
        ),
    ],
)
def test_ranges_follow_osv_rules(
    events: list[dict[str, str]], affected: list[str], clear: list[str]
) -> None:
    doc = advisory("X", *events)
    for version in affected:
        assert _affected(doc, version), version
    for version in clear:
        assert not _affected(doc, version), version


def test_an_explicit_versions_list_matches_by_pep_440_equality() -> None:
    doc = {
        "id": "X",
        "modified": "x",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "Demo.Pkg"},
                "versions": ["1.0-alpha1", "2.0"],
            }
        ],
    }
    assert _affected(doc, "1.0a1", "demo-pkg")
    assert _affected(doc, "2.0.0", "demo-pkg")
    assert not _affected(doc, "2.0.1", "demo-pkg")
    assert not _affected(doc, "2.0", "demo")


def test_withdrawn_and_other_ecosystems_never_match() -> None:
    withdrawn = advisory("X", {"introduced": "0"}, withdrawn="2024-01-01T00:00:00Z")
    assert not _affected(withdrawn, "1.0")
    npm = advisory("Y", {"introduced": "0"})
    npm["affected"][0]["package"]["ecosystem"] = "npm"
    assert not _affected(npm, "1.0")


def test_cvss_v3_and_v4_vectors_are_scored_and_the_worst_wins() -> None:
    v3 = parse_advisory(
        advisory(
            "A",
            {"introduced": "0"},
            severity=[{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N"}],
        )
    )
    v4 = parse_advisory(
        advisory(
            "B",
            {"introduced": "0"},
            severity=[
                {
                    "type": "CVSS_V4",
                    "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                }
            ],
        )
    )
    assert rate([v3]).level is Level.MEDIUM and rate([v3]).score == pytest.approx(5.3)
    both = rate([v3, v4])
    assert both.level is Level.CRITICAL and both.score == pytest.approx(9.3)
    assert both.vector is not None and both.vector.startswith("CVSS:4.0/")


def test_a_broken_vector_falls_back_to_the_database_rating_then_unknown() -> None:
    broken = [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:X/garbage"}]
    rated = parse_advisory(
        advisory(
            "A", {"introduced": "0"}, severity=broken, database_specific={"severity": "MODERATE"}
        )
    )
    assert rate([rated]).level is Level.MEDIUM
    assert "own rating" in rate([rated]).source
    bare = parse_advisory(advisory("B", {"introduced": "0"}, severity=broken))
    assert rate([bare]).level is Level.UNKNOWN


def test_aliases_merge_through_a_third_advisory(tmp_path: Path) -> None:
    a = advisory("PYSEC-1", {"introduced": "0"}, aliases=["CVE-1"])
    b = advisory("GHSA-2", {"introduced": "0"}, {"fixed": "3.0"}, aliases=["CVE-2"])
    c = advisory("OSV-3", {"introduced": "0"}, aliases=["CVE-1", "GHSA-2"])
    d = advisory("PYSEC-4", {"introduced": "0"})
    files = {f"{x['id']}.json": json.dumps(x) for x in (a, b, c, d)}
    sources = VulnSources(db=_db(tmp_path, files), osv=OsvSettings(cache_dir=tmp_path / "c"))
    (pkg,) = check_packages([Package("demo", "1.0")], sources).packages
    assert sorted(f.ids for f in pkg.findings) == [
        ("PYSEC-1", "CVE-1", "CVE-2", "GHSA-2", "OSV-3"),
        ("PYSEC-4",),
    ]
    (merged,) = [f for f in pkg.findings if f.id == "PYSEC-1"]
    assert merged.fixed == ("3.0",)


@pytest.mark.parametrize(
    ("package", "reason"),
    [
        (Package("demo", None), "no version"),
        (Package("demo", "1.0", origin="path ../demo"), "not from an index"),
        (Package("demo", "not-a-version!"), "not a PEP 440 version"),
    ],
)
def test_what_cannot_be_matched_is_unknown_with_its_reason(
    tmp_path: Path, package: Package, reason: str
) -> None:
    sources = VulnSources(
        db=_db(tmp_path, {"a.json": json.dumps(GOOD)}), osv=OsvSettings(cache_dir=tmp_path / "c")
    )
    (pkg,) = check_packages([package], sources).packages
    assert pkg.status is VulnStatus.UNKNOWN and reason in pkg.reason


def test_offline_without_a_database_is_unknown_never_clear() -> None:
    (pkg,) = check_packages([Package("demo", "1.0")], VulnSources(offline=True)).packages
    assert pkg.status is VulnStatus.UNKNOWN and "offline" in pkg.reason


def test_parse_errors_name_the_place() -> None:
    with pytest.raises(AdvisoryProblem, match=r"affected\[0\]\.ranges\[0\]\.events\[1\]"):
        parse_advisory(advisory("X", {"introduced": "0"}, {"fixed": "bad version"}))
