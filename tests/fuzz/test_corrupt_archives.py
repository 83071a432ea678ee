"""A wheel whose compressed METADATA is corrupt: a clear message naming it, never a traceback
(`pyvouch check` before upload, `pyvouch index build` for a registry)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

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


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pyvouch", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.mark.parametrize("command", ["check", "index-build"])
def test_corrupt_wheel_is_one_clear_line(tmp_path: Path, command: str) -> None:
    dists = tmp_path / "dist"
    dists.mkdir()
    wheel = corrupt_wheel(dists)
    if command == "check":
        # before upload: a wheel whose metadata cannot be read is a finding
        proc = run("check", dists)
        assert proc.returncode in (1, 2), proc.stderr
    else:
        # a registry still serves the file by its digest, without metadata, and says so
        proc = run("index", "build", dists, "--out", tmp_path / "site")
        assert proc.returncode == 0, proc.stderr
        assert "cannot read its metadata" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert wheel.name in proc.stdout + proc.stderr
