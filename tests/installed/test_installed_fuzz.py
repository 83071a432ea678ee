"""Hostile installed metadata and wheel bytes: a reason, never a traceback."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyvouch.installed.record import RecordUnavailable, read_record, wheel_tags
from pyvouch.installed.wheel import WheelProblem, read_wheel
from tests.support.installed_sites import TOOL_FILES, write_wheel

ROW = st.lists(
    st.one_of(
        st.text(max_size=40),
        st.sampled_from(["sha256=", "md5=", "sha256=AAAA", "tool/x.py", "..", "/etc/x", "-1"]),
    ),
    max_size=5,
).map(",".join)


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(ROW, max_size=6), wheel=st.text(max_size=200))
def test_any_record_is_read_or_refused_with_a_reason(
    tmp_path_factory: pytest.TempPathFactory, rows: list[str], wheel: str
) -> None:
    folder = tmp_path_factory.mktemp("record") / "x-1.0.dist-info"
    folder.mkdir()
    (folder / "RECORD").write_text("\n".join(rows), encoding="utf-8", errors="surrogatepass")
    (folder / "WHEEL").write_text(wheel, encoding="utf-8", errors="surrogatepass")
    wheel_tags(folder)
    try:
        record = read_record(folder)
    except RecordUnavailable as err:
        assert err.reason
    else:
        assert all(r.digest is None or r.algorithm for r in record.rows)


def _valid_wheel(tmp: Path) -> bytes:
    return write_wheel(tmp, "tool", "1.0", TOOL_FILES).read_bytes()


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_any_corruption_of_a_wheel_is_refused_with_a_reason(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    tmp = tmp_path_factory.mktemp("wheel")
    original = bytearray(_valid_wheel(tmp))
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(original) - 1))
        original[at] = data.draw(st.integers(0, 255))
    try:
        read_wheel(io.BytesIO(bytes(original)), "tool-1.0-py3-none-any.whl")
    except WheelProblem as err:
        assert err.reason


@settings(max_examples=100, deadline=None)
@given(blob=st.binary(max_size=600))
def test_any_bytes_are_refused_with_a_reason(blob: bytes) -> None:
    try:
        read_wheel(io.BytesIO(blob), "tool-1.0-py3-none-any.whl")
    except WheelProblem as err:
        assert err.reason


def test_corrupt_deflate_stream_is_refused_with_a_reason(tmp_path: Path) -> None:
    """The compressed bytes themselves broken (zlib or zipfile may notice first)."""
    path = write_wheel(tmp_path, "tool", "1.0", {"tool/big.py": b"x = 1\n" * 2000})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("tool/big.py")
    start = info.header_offset + 30 + len(info.filename.encode())
    for i in range(start + 2, start + 12):
        data[i] ^= 0xFF
    with pytest.raises(WheelProblem, match=r"cannot be unpacked|zip"):
        read_wheel(io.BytesIO(bytes(data)), "tool-1.0-py3-none-any.whl")
