"""A wheel whose compressed METADATA is corrupt: a clear message naming it, never a traceback
(`pyvouch check` before upload, `pyvouch index build` for a registry)."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

import pytest

from tests.support.cli_runs import invoke

METADATA = b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n\n" + b"x" * 4000


def corrupt_wheel(folder: Path) -> Path:
    wheel = folder / "demo-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("demo-1.0.dist-info/METADATA", METADATA)
        archive.writestr("demo-1.0.dist-info/WHEEL", b"Wheel-Version: 1.0\n")
        archive.writestr("demo/__init__.py", b"")
    data = bytearray(wheel.read_bytes())
    with zipfile.ZipFile(wheel) as archive:
        info = archive.getinfo("demo-1.0.dist-info/METADATA")
    start = info.header_offset + 30 + len(info.filename.encode())
    for i in range(start + 2, start + 12):  # inside the deflate stream, not the headers
        data[i] ^= 0xFF
    wheel.write_bytes(bytes(data))
    with zipfile.ZipFile(wheel) as archive, pytest.raises((zlib.error, zipfile.BadZipFile)):
        archive.read("demo-1.0.dist-info/METADATA")  # the corruption is real
    return wheel


def test_check_reports_the_corrupt_wheel_as_an_error(tmp_path: Path) -> None:
    """Before upload: a wheel whose metadata cannot be read is a finding (exit 1)."""
    dists = tmp_path / "dist"
    dists.mkdir()
    wheel = corrupt_wheel(dists)
    run = invoke(["check", dists])
    assert run.code == 1, run.stderr
    assert run.stderr == ""
    (error,) = [line.strip() for line in run.stdout.splitlines() if line.startswith("  error ")]
    assert error.startswith(f"error     {wheel.name}: the wheel is not a readable zip archive (")
    assert "NOT ready to upload" in run.stdout


def test_index_build_serves_it_without_metadata_and_says_so(tmp_path: Path) -> None:
    """A registry still serves the file by its digest, without metadata, and warns."""
    dists = tmp_path / "dist"
    dists.mkdir()
    wheel = corrupt_wheel(dists)
    run = invoke(["index", "build", dists, "--out", tmp_path / "site"])
    assert run.code == 0, run.stderr
    (warning,) = run.stderr.splitlines()
    assert warning.startswith(f"pyvouch: warning: {wheel.name}: cannot read its metadata (")
    assert warning.endswith("); served without metadata")
    assert (tmp_path / "site" / "files" / "demo" / wheel.name).is_file()
