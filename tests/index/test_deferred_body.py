"""A warm scan whose verdict is cached does not read the provenance body (issue 14): the verdict
key takes the body's digest from the sealed metadata. What that must not open: a body planted
beside an honest sealed entry is never trusted, with or without a verdict; a body gone or
damaged is asked for again when it is needed."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.index.test_cache_trust import (
    brief,
    corpus,
    env,
    honest,
    honest_answer,
    mallory_provenance,
    provenance_requests,
    scan,
)
from tests.support.cache_plants import Corpus, entries
from tests.support.index_servers import IndexServer

__all__ = ["corpus", "env", "honest"]  # fixtures shared with test_cache_trust


def _body(cache: Path) -> Path:
    (meta,) = entries(cache, "provenance")  # only goodpkg has provenance to keep
    return meta.with_suffix(".body")


def test_a_planted_body_beside_a_cached_verdict_changes_nothing(
    corpus: Corpus, honest: IndexServer, env: Path
) -> None:
    """The verdict was reached over the bytes the sealed metadata names; a body swapped for
    mallory's provenance of the same file is not read, and not trusted when it is."""
    assert brief(scan(corpus, honest, env)) == honest_answer(corpus)
    body = _body(env)
    body.write_bytes(mallory_provenance(corpus, corpus.good))
    before = provenance_requests(honest, corpus.good)
    assert brief(scan(corpus, honest, env)) == honest_answer(corpus)
    assert provenance_requests(honest, corpus.good) == before  # the verdict answered
    # Without the verdict the body is read, its digest is not the sealed one: asked again.
    shutil.rmtree(env / "verdicts-v1")
    assert brief(scan(corpus, honest, env)) == honest_answer(corpus)
    assert provenance_requests(honest, corpus.good) == before + 1


def test_a_missing_body_without_a_verdict_is_fetched_again_and_kept(
    corpus: Corpus, honest: IndexServer, env: Path
) -> None:
    scan(corpus, honest, env)
    kept = _body(env).read_bytes()
    _body(env).unlink()
    shutil.rmtree(env / "verdicts-v1")
    before = provenance_requests(honest, corpus.good)
    assert brief(scan(corpus, honest, env)) == honest_answer(corpus)
    assert provenance_requests(honest, corpus.good) == before + 1
    assert _body(env).read_bytes() == kept  # kept again for the next run
    # Offline, a body that is gone is not invented: the file cannot be verified.
    _body(env).unlink()
    shutil.rmtree(env / "verdicts-v1")
    offline = brief(scan(corpus, honest, env, "--offline"))
    assert offline[corpus.victim.name] == honest_answer(corpus)[corpus.victim.name]
    assert offline[corpus.good.name][0] == "unknown"


def test_a_sealed_entry_whose_body_digest_is_not_hex_is_a_miss(tmp_path: Path) -> None:
    """The sealed body digest becomes a verdict key (``bytes.fromhex``): an entry sealed with
    this machine's key but naming no sha256 (another writer of the key) is a miss, never a
    crash, and an honest entry beside it is still read."""
    import json

    from pyvouch.index.cache import IndexCache

    index = "https://index.example/simple/"
    cache = IndexCache(tmp_path, secret=b"k" * 32)
    cache.put_provenance(index, "a" * 64, "good-1.0.tar.gz", b'{"version": 1}')
    entry = cache.get_provenance_entry(index, "a" * 64, "good-1.0.tar.gz")
    assert entry is not None and len(entry.body_sha256) == 64
    cache.put_provenance(index, "b" * 64, "odd-1.0.tar.gz", b"{}")
    (meta_path,) = [p for p in entries(tmp_path, "provenance") if p.read_text().find("odd") > 0]
    meta = json.loads(meta_path.read_text())
    for bad in ("z" * 64, "A" * 64, "ab"):
        meta["body_sha256"] = bad
        resealed = cache._seal("provenance", {k: v for k, v in meta.items() if k != "mac"})
        assert resealed is not None
        meta_path.write_text(json.dumps(resealed))
        assert cache.get_provenance_entry(index, "b" * 64, "odd-1.0.tar.gz") is None
        assert cache.get_provenance(index, "b" * 64, "odd-1.0.tar.gz") is None
