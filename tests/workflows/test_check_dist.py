"""`pyvouch check DIST_DIR` on folders built here, and with real attestations beside real dists
(tests/assets/attestations): a production one verifies, the staging rfc8785 one is refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from pyvouch.model import Severity
from pyvouch.publish_check import check_dist_dir
from tests.support.workflow_samples import ASSETS, invoke, write_sdist, write_wheel


def levels(result, level: Severity) -> list[str]:  # type: ignore[no-untyped-def]
    return [f"{f.file}: {f.message}" for f in result.findings if f.level is level]


def test_a_good_pair_is_ready(tmp_path: Path) -> None:
    write_wheel(tmp_path)
    write_sdist(tmp_path)
    result = check_dist_dir(tmp_path)
    assert result.findings == [] and len(result.dists) == 2
    run = invoke(["check", str(tmp_path)])
    assert run.exit_code == 0 and "ready to upload" in run.output


def test_wheel_without_sdist_warns_and_strict_fails(tmp_path: Path) -> None:
    write_wheel(tmp_path)
    result = check_dist_dir(tmp_path)
    assert any("wheels but no sdist" in m for m in levels(result, Severity.WARNING))
    assert invoke(["check", str(tmp_path)]).exit_code == 0
    assert invoke(["check", "--strict", str(tmp_path)]).exit_code == 1


def test_sdist_without_wheel_warns(tmp_path: Path) -> None:
    write_sdist(tmp_path)
    assert any("no wheel" in m for m in levels(check_dist_dir(tmp_path), Severity.WARNING))


def test_metadata_must_match_the_file_name(tmp_path: Path) -> None:
    write_wheel(tmp_path, meta_version="1.1")
    write_sdist(tmp_path, pkg_info=False)
    errors = levels(check_dist_dir(tmp_path), Severity.ERROR)
    assert any("METADATA says version 1.1" in e for e in errors)
    assert any("has no PKG-INFO" in e for e in errors)
    assert invoke(["check", str(tmp_path)]).exit_code == 1


def test_mixed_versions_projects_and_stray_files(tmp_path: Path) -> None:
    write_wheel(tmp_path, version="1.0")
    write_sdist(tmp_path, version="1.1")
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "demo-1.0-py3-none-any.whl.asc").write_text("x")
    (tmp_path / "demo-1.0-py3-none-any-extra.whl").write_text("x")
    result = check_dist_dir(tmp_path)
    errors = levels(result, Severity.ERROR)
    assert any("more than one version" in e for e in errors)
    assert any("not a valid distribution file name" in e for e in errors)
    warnings = levels(result, Severity.WARNING)
    assert any(w.startswith("notes.txt:") for w in warnings)
    assert any("PGP signature" in w for w in warnings)
    write_wheel(tmp_path, name="other", version="1.0")
    assert any(
        "more than one project" in e for e in levels(check_dist_dir(tmp_path), Severity.ERROR)
    )


def test_bad_input_exits_2(tmp_path: Path) -> None:
    assert invoke(["check", str(tmp_path / "nope")]).exit_code == 2
    (tmp_path / "x.txt").write_text("x")
    run = invoke(["check", str(tmp_path)])
    assert run.exit_code == 2 and "no wheels or sdists" in run.output
    assert invoke(["check", str(tmp_path / "x.txt")]).exit_code == 2


def _real(tmp_path: Path, *names: str) -> Path:
    for name in names:
        shutil.copy(ASSETS / name, tmp_path / name)
    return tmp_path


def test_real_attestation_verifies_against_the_publisher(tmp_path: Path) -> None:
    _real(
        tmp_path,
        "pypi_attestations-0.0.19.tar.gz",
        "pypi_attestations-0.0.19-py3-none-any.whl",
        "pypi_attestations-0.0.19.tar.gz.publish.attestation",
    )
    good = invoke(
        ["check", str(tmp_path), "--publisher", "github:trailofbits/pypi-attestations:release.yml"]
    )
    assert good.exit_code == 0, good.output
    assert "signed by github:trailofbits/pypi-attestations:release.yml, as expected" in good.output
    wrong = invoke(["check", str(tmp_path), "--publisher", "github:someone/else"])
    assert wrong.exit_code == 1 and "(mismatch)" in wrong.output


def test_attestation_for_another_file_is_invalid(tmp_path: Path) -> None:
    _real(tmp_path, "pypi_attestations-0.0.19-py3-none-any.whl", "pypi_attestations-0.0.19.tar.gz")
    shutil.copy(
        ASSETS / "pypi_attestations-0.0.19.tar.gz.publish.attestation",
        tmp_path / "pypi_attestations-0.0.19-py3-none-any.whl.publish.attestation",
    )
    run = invoke(["check", "--format", "json", str(tmp_path)])
    doc = json.loads(run.output)
    assert run.exit_code == 1
    assert any("(invalid)" in f["message"] for f in doc["findings"])


def test_staging_signature_beside_its_wheel_is_refused(tmp_path: Path) -> None:
    _real(
        tmp_path,
        "rfc8785-0.1.2-py3-none-any.whl",
        "rfc8785-0.1.2-py3-none-any.whl.publish.attestation",
    )
    result = check_dist_dir(tmp_path)
    errors = levels(result, Severity.ERROR)
    assert len(errors) == 1 and "TEST signature" in errors[0]
    assert "william@yossarian.net" in errors[0]
    assert invoke(["check", str(tmp_path)]).exit_code == 1


def test_orphan_attestation_is_an_error(tmp_path: Path) -> None:
    write_wheel(tmp_path)
    write_sdist(tmp_path)
    shutil.copy(ASSETS / "rfc8785-0.1.2-py3-none-any.whl.publish.attestation", tmp_path)
    assert any(
        "not in this directory" in e for e in levels(check_dist_dir(tmp_path), Severity.ERROR)
    )
