"""Sealed entries are read with ``os.read`` (`pyvouch.index.sealed.read_bytes`): whole, however
large, and whatever stands at the entry's place, a miss when it is not a sealed file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pyvouch.index.cache import IndexCache
from pyvouch.index.sealed import entry_path, read_bytes, read_sealed, write_sealed

SECRET = b"k" * 32
PURPOSE = "test-purpose/1"
KEY = "ab" + "0" * 62


@pytest.mark.parametrize("size", [0, 1, (1 << 16) - 1, 1 << 16, (1 << 16) + 1, 5 << 16])
def test_a_value_of_any_size_is_read_whole(tmp_path: Path, size: int) -> None:
    value = bytes(range(32, 127)) * (size // 95 + 1)
    value = value[:size]
    write_sealed(tmp_path, SECRET, PURPOSE, KEY, value)
    assert read_sealed(tmp_path, SECRET, PURPOSE, KEY) == value
    raw = entry_path(tmp_path, KEY).read_bytes()
    assert read_bytes(os.fspath(entry_path(tmp_path, KEY))) == raw


def test_a_truncated_entry_is_a_miss(tmp_path: Path) -> None:
    write_sealed(tmp_path, SECRET, PURPOSE, KEY, b"x" * (3 << 16))
    path = entry_path(tmp_path, KEY)
    path.write_bytes(path.read_bytes()[: (1 << 16) + 7])
    assert read_sealed(tmp_path, SECRET, PURPOSE, KEY) is None


def test_a_directory_or_nothing_at_the_entry_s_place_is_a_miss(tmp_path: Path) -> None:
    assert read_sealed(tmp_path, SECRET, PURPOSE, KEY) is None
    entry_path(tmp_path, KEY).mkdir(parents=True)
    assert read_sealed(tmp_path, SECRET, PURPOSE, KEY) is None
    with pytest.raises(OSError):
        read_bytes(os.fspath(entry_path(tmp_path, KEY)))


def test_index_cache_entries_read_back_and_a_directory_in_place_is_a_miss(tmp_path: Path) -> None:
    cache = IndexCache(tmp_path, secret=SECRET)
    body = b'{"attestation_bundles": []}' * 5000  # larger than one read
    cache.put_provenance("https://pypi.org/simple/", "a" * 64, "demo-1.0.tar.gz", body)
    got = cache.get_provenance("https://pypi.org/simple/", "a" * 64, "demo-1.0.tar.gz")
    assert got is not None and got.body == body
    meta, body_path = cache._provenance_paths(
        "https://pypi.org/simple/", "a" * 64, "demo-1.0.tar.gz"
    )
    body_path.unlink()
    body_path.mkdir()
    assert cache.get_provenance("https://pypi.org/simple/", "a" * 64, "demo-1.0.tar.gz") is None
    meta.unlink()
    meta.mkdir()
    assert (
        cache.get_provenance_entry("https://pypi.org/simple/", "a" * 64, "demo-1.0.tar.gz") is None
    )
