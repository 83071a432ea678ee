"""`pyvouch.digests`: algorithm names as hashlib names them, digest shapes, and what index
pages list (PEP 691 ``hashes``, PEP 503 fragments)."""

from __future__ import annotations

import hashlib

import pytest

from pyvouch.digests import (
    DigestError,
    algorithm_name,
    compute,
    disagreements,
    known,
    parse_spec,
    split_sha256,
)
from pyvouch.index.simple import parse_html_page, parse_json_page

DATA = b"some bytes"
SHA256 = hashlib.sha256(DATA).hexdigest()
SHA512 = hashlib.sha512(DATA).hexdigest()


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("SHA-512", "sha512"),
        ("sha512", "sha512"),
        ("SHA3-256", "sha3_256"),
        ("BLAKE2b-256", "blake2b_256"),
        ("BLAKE2b-512", "blake2b"),
        ("MD5", "md5"),
        ("Whirlpool", "whirlpool"),
    ],
)
def test_names(raw: str, name: str) -> None:
    assert algorithm_name(raw) == name


def test_known_and_computed() -> None:
    assert known("sha512") and known("blake2b_256") and not known("whirlpool")
    assert not known("shake_128")  # variable length: not a file digest
    got = compute(DATA, ["sha256", "sha512", "blake2b_256", "whirlpool"])
    assert got == {
        "sha256": SHA256,
        "sha512": SHA512,
        "blake2b_256": hashlib.blake2b(DATA, digest_size=32).hexdigest(),
    }


def test_specs() -> None:
    assert parse_spec(f"SHA512:{SHA512.upper()}") == ("sha512", SHA512)
    assert parse_spec(f"sha256={SHA256}") == ("sha256", SHA256)
    assert parse_spec("whirlpool:ABC") == ("whirlpool", "abc")
    for bad in ("sha512", f"sha512:{SHA256}", "sha256:xyz", ":abc", "sha 2:ab", "sha256:"):
        with pytest.raises(DigestError):
            parse_spec(bad)


def test_split_and_contradictions() -> None:
    assert split_sha256([("sha512", SHA512), ("sha256", SHA256)]) == (
        SHA256,
        (("sha512", SHA512),),
    )
    with pytest.raises(DigestError, match="two different sha512"):
        split_sha256([("sha512", SHA512), ("sha512", "0" * 128)])
    assert disagreements({"sha512": SHA512}, {"sha512": "0" * 128, "sha256": SHA256})
    assert not disagreements({"sha512": SHA512}, {"sha256": SHA256})


def test_pages_keep_every_listed_digest() -> None:
    json_page = (
        b'{"meta": {"api-version": "1.3"}, "name": "p", "files": [{"filename": "p-1.tar.gz",'
        b' "url": "p-1.tar.gz", "hashes": {"sha256": "' + SHA256.upper().encode() + b'",'
        b' "SHA512": "' + SHA512.encode() + b'", "blake2b_256": "ab", "bad": 3}}]}'
    )
    (entry,) = parse_json_page(json_page, "https://i.example/simple/p/").files
    assert entry.sha256 == SHA256
    assert entry.digest_map() == {"sha256": SHA256, "sha512": SHA512, "blake2b_256": "ab"}
    html = f'<a href="p-1.tar.gz#sha512={SHA512.upper()}">p-1.tar.gz</a>'.encode()
    (entry,) = parse_html_page(html, "https://i.example/simple/p/", project="p").files
    assert entry.sha256 is None
    assert entry.digest_map() == {"sha512": SHA512}
