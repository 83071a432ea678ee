"""The verdict cache's storage: authenticated entries, the machine key, failures as misses."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from pyvouch.machine_key import KEY_FILE, load_or_create_key
from pyvouch.model import AttestationInfo, Finding, Publisher, Status
from pyvouch.verify.dist import DistFile
from pyvouch.verify.trust import choose_trust_root, load_trust_root
from pyvouch.verify.verdicts import (
    VerdictCache,
    decode_finding,
    encode_finding,
    verdict_key,
)

DIST = DistFile("demo-1.0-py3-none-any.whl", "ab" * 32)
PUBLISHER = Publisher("GitHub", repository="o/demo", workflow="release.yml", subject="s")
FINDING = Finding(
    DIST.ref(),
    Status.INVALID,
    "attestation invalid: the signature does not verify",
    publisher=PUBLISHER,
    attestations=(
        AttestationInfo(
            "https://docs.pypi.org/attestations/publish/v1", PUBLISHER, 7, 1700, False, "bad"
        ),
    ),
)


def _key(**change: object) -> str:
    args: dict[str, object] = {
        "trust_root_sha256": "00" * 32,
        "trust_root_source": "file root.json",
        "dist": DIST,
        "provenance": b'{"attestation_bundles": []}',
        "provenance_url": "http://127.0.0.1/p",
    }
    args.update(change)
    return verdict_key(**args)  # type: ignore[arg-type]


def test_every_input_changes_the_key() -> None:
    base = _key()
    others = {
        _key(trust_root_sha256="11" * 32),
        _key(trust_root_source="file other.json"),
        _key(dist=DistFile(DIST.filename, "cd" * 32)),
        _key(dist=DistFile("demo-1.0.tar.gz", DIST.sha256)),
        _key(provenance=b'{"attestation_bundles": [1]}'),
        _key(provenance_url="http://127.0.0.1/q"),
    }
    assert base not in others and len(others) == 6


def test_an_upgrade_of_the_verifying_libraries_changes_every_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A verdict from an older sigstore must not outlive an upgrade that fixes a flaw."""
    import importlib.metadata

    from pyvouch.verify import verdicts

    before = _key()
    real = importlib.metadata.version

    def upgraded(name: str) -> str:
        return "4.99.0" if name == "sigstore" else real(name)

    verdicts.implementation_fingerprint.cache_clear()
    monkeypatch.setattr(importlib.metadata, "version", upgraded)
    try:
        assert _key() != before
    finally:
        monkeypatch.undo()
        verdicts.implementation_fingerprint.cache_clear()
    assert _key() == before


def test_round_trip(tmp_path: Path) -> None:
    assert decode_finding(encode_finding(FINDING), DIST) == FINDING
    cache = VerdictCache.open(tmp_path / "cache", tmp_path / "data")
    assert cache is not None
    key = _key()
    assert cache.get(key, DIST) is None
    cache.put(key, FINDING)
    assert cache.get(key, DIST) == FINDING


def test_entries_need_the_machine_key(tmp_path: Path) -> None:
    cache = VerdictCache.open(tmp_path / "cache", tmp_path / "data")
    assert cache is not None
    key = _key()
    cache.put(key, FINDING)
    other = VerdictCache.open(tmp_path / "cache", tmp_path / "other-data")
    assert other is not None and other.secret != cache.secret
    assert other.get(key, DIST) is None  # same directory, another machine key: a miss


def test_an_entry_is_sealed_for_its_key_and_purpose(tmp_path: Path) -> None:
    """The entry format is stable (HMAC-SHA256 over ``pyvouch-verdict-mac/1\\0KEY\\0VALUE``,
    written before the MAC moved to `machine_key`), and a MAC made for another key, another
    purpose or a changed value is refused."""
    cache = VerdictCache.open(tmp_path / "cache", tmp_path / "data")
    assert cache is not None
    key, other_key = _key(), _key(provenance_url="http://127.0.0.1/q")
    value = encode_finding(FINDING)
    path = cache.root / key[:2] / f"{key}.json"
    path.parent.mkdir(parents=True)

    def seal(message: bytes) -> str:
        return hmac.new(cache.secret, message, hashlib.sha256).hexdigest()

    def stored(mac: object, body: bytes = value) -> Finding | None:
        path.write_text(json.dumps({"value": body.decode(), "mac": mac}))
        return cache.get(key, DIST)

    honest = seal(b"pyvouch-verdict-mac/1\0" + key.encode() + b"\0" + value)
    assert stored(honest) == FINDING
    assert stored(seal(b"pyvouch-verdict-mac/1\0" + other_key.encode() + b"\0" + value)) is None
    assert stored(seal(b"index-v1/page\0" + key.encode() + b"\0" + value)) is None
    assert stored(seal(key.encode() + b"\0" + value)) is None
    tampered = value.replace(b"invalid", b"verified")
    assert tampered != value and stored(honest, tampered) is None
    assert stored(honest.upper()) is None
    assert stored(None) is None and stored(7) is None


def test_unsure_findings_are_not_stored(tmp_path: Path) -> None:
    cache = VerdictCache.open(tmp_path / "cache", tmp_path / "data")
    assert cache is not None
    unknown = Finding(DIST.ref(), Status.UNKNOWN, "lookup failed")
    checked = Finding(DIST.ref(), Status.VERIFIED, "ok", PUBLISHER, identity_checked=True)
    cache.put(_key(), unknown)
    cache.put(_key(provenance=b"x"), checked)
    assert not list((tmp_path / "cache").rglob("*.json"))


def test_key_is_private_and_shared(tmp_path: Path) -> None:
    first = load_or_create_key(tmp_path / "d")
    assert first is not None and len(first) == 32
    assert stat.S_IMODE((tmp_path / "d" / KEY_FILE).stat().st_mode) == 0o600
    assert load_or_create_key(tmp_path / "d") == first


def test_a_short_key_or_unusable_directory_turns_the_cache_off(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / KEY_FILE).write_bytes(b"short")
    assert load_or_create_key(tmp_path / "d") is None
    assert VerdictCache.open(tmp_path / "c", tmp_path / "d") is None
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert load_or_create_key(blocker / "sub") is None


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_key_turns_the_cache_off(tmp_path: Path) -> None:
    assert load_or_create_key(tmp_path / "d") is not None
    (tmp_path / "d" / KEY_FILE).chmod(0)
    assert load_or_create_key(tmp_path / "d") is None


def test_choosing_a_root_imports_no_sigstore_and_matches_loading(tmp_path: Path) -> None:
    chosen = choose_trust_root(base=tmp_path)
    loaded = load_trust_root(base=tmp_path)
    assert (chosen.name, chosen.source, chosen.sha256) == (
        loaded.name,
        loaded.source,
        loaded.sha256,
    )
    code = (
        "import sys; from pathlib import Path; from pyvouch.verify.trust import choose_trust_root;"
        f"r = choose_trust_root(base=Path({str(tmp_path)!r}));"
        "assert r.name == 'production' and len(r.data) > 1000;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sigstore', 'tuf')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"
