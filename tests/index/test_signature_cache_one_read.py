"""The signature cache answers "signatures", "nothing beside (recently)" or "ask the index" in
one read of the entry both kinds share (issue 14): each seal still names its kind, so an entry
of one kind never passes for the other, and a planted entry stays a miss."""

from __future__ import annotations

import json
from pathlib import Path

from pyvouch.index.beside import (
    _ABSENT_PURPOSE,
    _PURPOSE,
    ABSENT_LIFETIME,
    BesideFile,
    BesideSignatures,
    SignatureCache,
)
from pyvouch.index.sealed import entry_path, write_sealed

INDEX = "http://127.0.0.1:1/simple/"
FILE = "http://127.0.0.1:1/files/demo-1.0-py3-none-any.whl"
DIGEST = "ab" * 32
SECRET = b"k" * 32
NOW = 4e9


def _cache(root: Path, *, secret: bytes = SECRET, refresh: bool = False) -> SignatureCache:
    return SignatureCache(root, secret, None, refresh=refresh, clock=lambda: NOW)


def _signatures() -> BesideSignatures:
    return BesideSignatures(FILE, bundle=BesideFile(FILE + ".sigstore.json", body=b"{}"))


def _key(cache: SignatureCache) -> str:
    return cache._key(INDEX, DIGEST, FILE)


def test_signatures_and_absence_each_in_one_read(tmp_path: Path) -> None:
    cache = _cache(tmp_path)
    assert cache.lookup(INDEX, DIGEST, FILE) is None  # nothing cached: ask the index
    cache.put(INDEX, DIGEST, _signatures())
    found = cache.lookup(INDEX, DIGEST, FILE)
    assert found is not None and found.found and found.bundle is not None
    assert found == cache.get(INDEX, DIGEST, FILE)
    cache.put_absent(INDEX, DIGEST, FILE)  # the same key: now "nothing beside"
    absent = cache.lookup(INDEX, DIGEST, FILE)
    assert absent is not None and not absent.found
    assert cache.get(INDEX, DIGEST, FILE) is None and cache.absent(INDEX, DIGEST, FILE)


def test_an_absence_too_old_or_refreshed_means_asking_again(tmp_path: Path) -> None:
    _cache(tmp_path).put_absent(INDEX, DIGEST, FILE)
    later = SignatureCache(tmp_path, SECRET, None, clock=lambda: NOW + ABSENT_LIFETIME)
    assert later.lookup(INDEX, DIGEST, FILE) is None
    assert _cache(tmp_path, refresh=True).lookup(INDEX, DIGEST, FILE) is None


def test_an_entry_sealed_as_one_kind_never_answers_as_the_other(tmp_path: Path) -> None:
    cache = _cache(tmp_path)
    key = _key(cache)
    # Signatures' JSON sealed as an absence: not signatures (and not a valid absence either).
    write_sealed(cache.root, SECRET, _ABSENT_PURPOSE, key, _signatures().to_json(), None)
    assert cache.lookup(INDEX, DIGEST, FILE) is None
    # An absence's JSON sealed as signatures: not "nothing beside" (the index is asked).
    seen = json.dumps({"seen_at": NOW}).encode()
    write_sealed(cache.root, SECRET, _PURPOSE, key, seen, None)
    assert cache.lookup(INDEX, DIGEST, FILE) is None


def test_planted_entries_are_misses(tmp_path: Path) -> None:
    cache = _cache(tmp_path)
    key = _key(cache)
    other = _cache(tmp_path, secret=b"another machine's key, 32 bytes!")
    other.put(INDEX, DIGEST, _signatures())  # another key's seal
    assert cache.lookup(INDEX, DIGEST, FILE) is None
    other.put_absent(INDEX, DIGEST, FILE)
    assert cache.lookup(INDEX, DIGEST, FILE) is None
    # This machine's entry with its value altered, or its MAC missing, or not JSON.
    cache.put(INDEX, DIGEST, _signatures())
    path = entry_path(cache.root, key)
    entry = json.loads(path.read_text())
    altered = entry["value"].replace("e30=", "W10=")  # the bundle's body: {} becomes []
    assert altered != entry["value"]
    path.write_text(json.dumps({**entry, "value": altered}))
    assert cache.lookup(INDEX, DIGEST, FILE) is None
    path.write_text(json.dumps({"value": entry["value"]}))
    assert cache.lookup(INDEX, DIGEST, FILE) is None
    path.write_text("not json")
    assert cache.lookup(INDEX, DIGEST, FILE) is None
    # An honest entry for another file, copied under this file's key: its URL says so.
    elsewhere = BesideSignatures(FILE + "x", bundle=BesideFile(FILE + "x.sigstore.json", b"{}"))
    write_sealed(cache.root, SECRET, _PURPOSE, key, elsewhere.to_json(), None)
    assert cache.lookup(INDEX, DIGEST, FILE) is None
