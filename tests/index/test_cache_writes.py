"""Cache writes on background threads: complete after `flush`, failures dropped."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pyvouch.index.cache import IndexCache
from pyvouch.index.writes import BackgroundWrites, atomic_write


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


def test_writes_leave_no_temporary_files_and_make_their_directories(tmp_path: Path) -> None:
    writes = BackgroundWrites()
    cache = IndexCache(tmp_path / "deep" / "cache", writes=writes, secret=b"k" * 32)
    for n in range(20):
        cache.put_page(f"http://i/simple/p{n}/", b"x" * n, "text/html", None, None)
    writes.flush()
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(written) == 40  # a metadata file and a body per page
    assert not [p for p in written if p.name.endswith(".tmp")]


def test_a_planted_link_is_replaced_never_written_through(tmp_path: Path) -> None:
    """Someone who can write in the cache directory points an entry at a file of the user's:
    the write replaces the link, the user's file is untouched."""
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"the user's own")
    target = tmp_path / "cache" / "entry.json"
    target.parent.mkdir()
    target.symlink_to(victim)
    atomic_write(target, b"cache entry")
    assert victim.read_bytes() == b"the user's own"
    assert not target.is_symlink()
    assert target.read_bytes() == b"cache entry"


def test_writes_not_flushed_are_written_at_exit(tmp_path: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from pyvouch.index.writes import BackgroundWrites"
        ", atomic_write\n"
        "w = BackgroundWrites()\n"
        "for n in range(200):\n"
        "    w.submit(lambda n=n: atomic_write(Path(sys.argv[1]) / f'{n % 7}' / f'{n}', b'x'))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True, env=env, timeout=60)
    assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 200
