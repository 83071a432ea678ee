"""Cache writes on background threads: complete after `flush`, failures dropped."""

from __future__ import annotations

from pathlib import Path

from pyvouch.index.cache import IndexCache
from pyvouch.index.writes import BackgroundWrites


def test_writes_are_complete_after_flush(tmp_path: Path) -> None:
    writes = BackgroundWrites()
    cache = IndexCache(tmp_path, writes=writes, secret=b"k" * 32)
    for n in range(50):
        cache.put_provenance("http://i/simple/", f"{n:064x}", f"p-{n}.tar.gz", b"{}", url="u")
    writes.flush()
    for n in range(50):
        got = cache.get_provenance("http://i/simple/", f"{n:064x}", f"p-{n}.tar.gz")
        assert got is not None and got.body == b"{}"


def test_a_failing_write_is_dropped(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    writes = BackgroundWrites()
    cache = IndexCache(blocker, writes=writes, secret=b"k" * 32)  # its root cannot be created
    cache.put_page("http://i/simple/p/", b"x", "text/html", None, None)
    writes.flush()  # no exception
    assert cache.get_page("http://i/simple/p/") is None
    writes.submit(lambda: None)  # usable again after a flush
    writes.flush()
