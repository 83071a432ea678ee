"""The verdict cache on the scan path: a warm scan reuses verdicts without importing sigstore;
a poisoned cache directory, a missing or new machine key only make pyvouch verify again."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyvouch.machine_key import KEY_FILE
from pyvouch.sources.formats import BUILT_IN, PYLOCK
from pyvouch.testing.corpus import Manifest
from pyvouch.verify.verdicts import LAYOUT
from tests.support.scan_corpus import Run, latest_files, make_corpus, run_scan, write_pylock
from tests.support.static_server import StaticServer, serve_directory

CRYPTO = ("sigstore", "pypi_attestations", "tuf", "cyclonedx", "rich", "cryptography")
# What a scan of a lock file never uses (start-up): pydantic comes with the verification
# libraries; the installed-distribution checks and the environment reader serve environments.
UNUSED = (
    "pydantic", "pyvouch.installed", "pyvouch.pipeline.installed", "pyvouch.verify.load",
    *(r.module for r in BUILT_IN if r is not PYLOCK), "pyvouch.pipeline.vulns",
    "pyvouch.vulns.model", "pyvouch.reachability", "pyvouch.report.vulns_report",
)  # fmt: skip
# With every file attested nothing is looked for beside a file, and nothing is asked at all.
ATTESTED_UNUSED = ("pyvouch.index.beside", "pyvouch.index.http_engine", "aiohttp")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manifest]:
    out = tmp_path_factory.mktemp("verdict-corpus") / "c"
    return out, make_corpus(out)


@pytest.fixture
def served(corpus: tuple[Path, Manifest]) -> Iterator[StaticServer]:
    with serve_directory(corpus[0] / "site", negotiate=True) as server:
        yield server


class Scanner:
    def __init__(self, tmp: Path, corpus: tuple[Path, Manifest], served: StaticServer) -> None:
        self.work = tmp / "work"
        self.work.mkdir()
        out, manifest = corpus
        self.files = latest_files(manifest)
        self.lock = self.work / "pylock.toml"
        write_pylock(self.lock, self.files)
        self.root = out / "trusted_root.json"
        self.index_url = served.index_url
        self.data = tmp / "data"
        self.cache = tmp / "cache"

    def __call__(self, *, data: Path | None = None) -> Run:
        run = run_scan(
            self.work,
            str(self.lock),
            "--index-url", self.index_url,
            "--trust-root", str(self.root),
            "--cache-dir", str(self.cache),
            data_dir=data or self.data,
            cache_dir=self.cache,
        )  # fmt: skip
        # Without a policy: 1 when any file is invalid or a mismatch (the corpus has some).
        failed = {"invalid", "mismatch"} & set(self.expected().values())
        assert run.returncode == (1 if failed else 0), run.stderr[-2000:]
        return run

    def expected(self) -> dict[str, str]:
        return {f.filename: f.expected for f in self.files}

    def entries(self) -> list[Path]:
        return sorted((self.cache / LAYOUT).rglob("*.json"))


@pytest.fixture
def scanner(tmp_path: Path, corpus: tuple[Path, Manifest], served: StaticServer) -> Scanner:
    return Scanner(tmp_path, corpus, served)


def _status_only(run: Run) -> dict[str, str]:
    return {name: status for name, (status, _) in run.statuses().items()}


def test_warm_scan_reuses_verdicts_and_imports_no_cryptography(scanner: Scanner) -> None:
    cold = scanner()
    assert _status_only(cold) == scanner.expected()
    assert {"verified", "invalid", "unattested"} <= set(scanner.expected().values())
    assert cold.imported("sigstore")
    served = sum(1 for s in scanner.expected().values() if s != "unattested")
    assert len(scanner.entries()) == served  # one verdict per file with provenance
    key = scanner.data / KEY_FILE
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert len(key.read_bytes()) == 32

    warm = scanner()
    assert warm.statuses() == cold.statuses()  # statuses and reasons alike
    assert warm.report["packages"] == cold.report["packages"]
    for package in CRYPTO:
        assert not warm.imported(package), package
    for module in UNUSED:
        assert not warm.imported(module), module


def test_a_warm_scan_of_attested_files_makes_no_request_and_loads_no_http_client(
    scanner: Scanner, served: StaticServer
) -> None:
    attested = [f for f in scanner.files if f.expected in ("verified", "invalid")]
    assert {f.expected for f in attested} == {"verified", "invalid"}
    scanner.files = attested
    write_pylock(scanner.lock, attested)
    cold = scanner()
    asked = len(served.requests)
    warm = scanner()
    assert warm.statuses() == cold.statuses()
    assert len(served.requests) == asked
    for module in (*CRYPTO, *UNUSED, *ATTESTED_UNUSED):
        assert not warm.imported(module), module


def test_a_new_machine_key_verifies_again(scanner: Scanner, tmp_path: Path) -> None:
    cold = scanner()
    other = tmp_path / "other-data"
    warm = scanner(data=other)
    assert warm.imported("sigstore")  # nothing cached could be trusted: verified again
    assert warm.statuses() == cold.statuses()
    assert (other / KEY_FILE).is_file()
    assert (other / KEY_FILE).read_bytes() != (scanner.data / KEY_FILE).read_bytes()


def test_a_missing_key_means_verifying_again(scanner: Scanner) -> None:
    cold = scanner()
    (scanner.data / KEY_FILE).unlink()
    warm = scanner()
    assert warm.imported("sigstore")
    assert warm.statuses() == cold.statuses()


def _forge(entry: Path, value: dict[str, object], secret: bytes) -> None:
    raw = json.dumps(value, sort_keys=True, separators=(",", ":")).encode()
    message = b"pyvouch-verdict-mac/1\0" + entry.stem.encode() + b"\0" + raw
    mac = hmac.new(secret, message, hashlib.sha256).hexdigest()
    entry.write_text(json.dumps({"value": raw.decode(), "mac": mac}))


def test_a_poisoned_cache_cannot_make_anything_verified(scanner: Scanner) -> None:
    cold = scanner()
    invalid = {n for n, s in _status_only(cold).items() if s == "invalid"}
    assert invalid
    entries = scanner.entries()
    genuine = {e: json.loads(e.read_text()) for e in entries}
    verified_value = next(
        json.loads(v["value"]) for v in genuine.values() if '"verified"' in v["value"]
    )
    # 1. Every entry rewritten to "verified", MAC'd with a key the attacker made up.
    attacker = secrets.token_bytes(32)
    for entry in entries:
        _forge(entry, verified_value, attacker)
    warm = scanner()
    assert warm.statuses() == cold.statuses()
    assert warm.imported("sigstore")  # every verdict was rejected and verified again
    # Re-verifying replaced the forged entries with genuine ones.
    assert scanner().statuses() == cold.statuses()

    # 2. Genuine entries (valid MACs) moved to other keys: a verified file's verdict copied
    # over every other entry. The MAC covers the key, so none of them is accepted.
    donor = next(e for e, v in genuine.items() if '"verified"' in v["value"])
    for entry in entries:
        if entry != donor:
            shutil.copyfile(donor, entry)
    assert scanner().statuses() == cold.statuses()

    # 3. The value edited under its genuine MAC; and garbage.
    for n, entry in enumerate(entries):
        if n % 2:
            obj = json.loads(entry.read_text())
            obj["value"] = obj["value"].replace('"invalid"', '"verified"')
            entry.write_text(json.dumps(obj))
        else:
            entry.write_bytes(b"\x00not json")
    assert scanner().statuses() == cold.statuses()
