"""Rule 3 (issue 8): a hash pyvouch did not check is not a match.

The index serves a real, verified file (sampleproject's sdist, its real PEP 740 attestation).
A lock that pins that file by a digest in another algorithm than sha256, of other bytes or of
the right ones, is never reported `verified` for the index's file: an attestation's subject is
a sha256 digest, and the index's own list of digests is only its word. Every lock format,
every algorithm, uppercase hex, unknown algorithm names and malformed digests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scan.conftest import Scan, files_of, packages_of
from tests.support.digest_locks import FORMATS, OTHER, digest_of, list_digests, write_lock
from tests.support.index_servers import IndexServer
from tests.support.scan_sites import SAMPLE

RIGHT_SHA256 = SAMPLE.sha256


def _scan(scan: Scan, lock: Path, mirror: IndexServer, *extra: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    return scan.json(str(lock), "--index-url", mirror.url("/simple/"), *extra)


def _only_file(doc: dict) -> dict:  # type: ignore[type-arg]
    (package,) = doc["packages"]
    assert package["status"] != "verified", package
    (file,) = package["files"]
    return file  # type: ignore[no-any-return]


def test_the_honest_sha256_lock_still_verifies(scan: Scan, mirror: IndexServer) -> None:
    for fmt in FORMATS:
        lock = write_lock(scan.workdir, fmt, SAMPLE, [("sha256", RIGHT_SHA256)])
        code, doc = _scan(scan, lock, mirror)
        assert code == 0, doc
        (file,) = files_of(doc).values()
        assert file["status"] == "verified", (fmt, file["reason"])
        assert "other_digests" not in file


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("bytes_", ["other", "right"])
def test_a_file_pinned_only_by_sha512_is_never_verified(
    scan: Scan, mirror: IndexServer, fmt: str, bytes_: str
) -> None:
    """The attack: the lock pins other bytes by sha512; an installer that checks sha512
    installs them. The index (sha256 only) cannot be compared: unknown, with the reason. The
    same for the right bytes: nothing pyvouch saw ties that sha512 to the signed sha256."""
    sha512 = digest_of(SAMPLE, "sha512", OTHER if bytes_ == "other" else None)
    lock = write_lock(scan.workdir, fmt, SAMPLE, [("sha512", sha512)])
    code, doc = _scan(scan, lock, mirror)
    file = _only_file(doc)
    assert file["status"] == "unknown", file
    assert "sha512" in file["reason"] and "sha256" in file["reason"], file["reason"]
    assert file["other_digests"] == {"sha512": sha512}
    assert packages_of(doc)[SAMPLE.project]["status"] == "unknown"
    assert code == 3  # incomplete: nobody can tell, never a pass
    # Enforced on a critical package: it cannot pass (exit 3: cannot be told).
    code, doc = _scan(scan, lock, mirror, "--mode", "enforce", "--critical", SAMPLE.project)
    assert code == 3, doc
    assert packages_of(doc)[SAMPLE.project]["decision"]["action"] != "allow"


@pytest.mark.parametrize("algorithm", ["sha384", "md5", "sha1", "sha3_256", "blake2b"])
def test_other_algorithms_alone_are_never_verified(
    scan: Scan, mirror: IndexServer, algorithm: str
) -> None:
    for data in (None, OTHER):
        digest = digest_of(SAMPLE, algorithm, data)
        lock = write_lock(scan.workdir, "pylock.toml", SAMPLE, [(algorithm, digest)])
        code, doc = _scan(scan, lock, mirror)
        assert code == 3
        file = _only_file(doc)
        assert file["status"] == "unknown", file
        assert algorithm in file["reason"]
        if algorithm in ("md5", "sha1"):
            assert "broken" in file["reason"]


def test_a_hostile_index_cannot_vouch_for_a_sha512(
    scan: Scan, mirror: IndexServer, site: Path
) -> None:
    """The index lists the signed file's sha256 beside the sha512 of the bytes it would
    serve, and the lock pins that sha512: matching the index's sha512 proves nothing."""
    evil = digest_of(SAMPLE, "sha512", OTHER)
    list_digests(mirror, site, SAMPLE, {"sha256": RIGHT_SHA256, "sha512": evil})
    for fmt in ("pylock.toml", "uv.lock", "requirements.txt", "Pipfile.lock"):
        lock = write_lock(scan.workdir, fmt, SAMPLE, [("sha512", evil)])
        _, doc = _scan(scan, lock, mirror)
        (package,) = doc["packages"]
        assert package["status"] == "unknown", (fmt, package)
        assert all(f["status"] == "unknown" for f in package["files"]), (fmt, package)


def test_the_index_listing_the_same_sha512_is_still_not_a_check(
    scan: Scan, mirror: IndexServer, site: Path
) -> None:
    right = digest_of(SAMPLE, "sha512")
    list_digests(mirror, site, SAMPLE, {"sha256": RIGHT_SHA256, "sha512": right})
    lock = write_lock(scan.workdir, "pylock.toml", SAMPLE, [("sha512", right)])
    _, doc = _scan(scan, lock, mirror)
    file = _only_file(doc)
    assert file["status"] == "unknown"
    assert "index's word" in file["reason"]
    # what the index's own file is, is still said
    assert "verified" in file["reason"]


def test_a_sha512_that_disagrees_with_the_index_is_named(
    scan: Scan, mirror: IndexServer, site: Path
) -> None:
    right = digest_of(SAMPLE, "sha512")
    evil = digest_of(SAMPLE, "sha512", OTHER)
    list_digests(mirror, site, SAMPLE, {"sha256": RIGHT_SHA256, "sha512": right})
    for fmt in ("pylock.toml", "uv.lock", "poetry.lock", "pdm.lock", "sbom.cdx.json"):
        lock = write_lock(scan.workdir, fmt, SAMPLE, [("sha512", evil)])
        _, doc = _scan(scan, lock, mirror)
        file = _only_file(doc)
        assert file["status"] == "unknown", (fmt, file)
        assert "disagree" in file["reason"] and evil[:16] in file["reason"], file["reason"]


@pytest.mark.parametrize("fmt", ["pylock.toml", "poetry.lock", "pdm.lock", "sbom.cdx.json"])
def test_a_right_sha256_beside_a_wrong_sha512_is_not_verified(
    scan: Scan, mirror: IndexServer, site: Path, fmt: str
) -> None:
    """One file, two digests that cannot both be of it: the sha256 verifies, the sha512 lets
    an installer that checks it take other bytes."""
    evil = digest_of(SAMPLE, "sha512", OTHER)
    digests = [("sha256", RIGHT_SHA256), ("sha512", evil)]
    if fmt in ("poetry.lock", "pdm.lock"):  # one digest per file entry: list the file twice
        digests = [("sha512", evil)]
    lock = write_lock(scan.workdir, fmt, SAMPLE, digests)
    if fmt in ("poetry.lock", "pdm.lock"):
        text = lock.read_text()
        extra = f'    {{file = "{SAMPLE.filename}", hash = "sha256:{RIGHT_SHA256}"}},\n'
        lock.write_text(text.replace("files = [\n", "files = [\n" + extra))
    _, doc = _scan(scan, lock, mirror)
    (package,) = doc["packages"]
    assert package["status"] == "unknown", package
    statuses = [f["status"] for f in package["files"]]
    # poetry and pdm list the file twice (one digest an entry): the sha256 entry verifies,
    # the sha512 one cannot; elsewhere the one entry carries both and is not verified.
    two_entries = fmt in ("poetry.lock", "pdm.lock")
    assert statuses == (["verified", "unknown"] if two_entries else ["unknown"]), package
    reasons = " ".join(f["reason"] for f in package["files"])
    assert "sha512" in reasons
    # With the index listing the right sha512, the contradiction is named.
    list_digests(
        mirror, site, SAMPLE, {"sha256": RIGHT_SHA256, "sha512": digest_of(SAMPLE, "sha512")}
    )
    _, doc = _scan(scan, lock, mirror)
    (package,) = doc["packages"]
    assert package["status"] == "unknown"
    assert "disagree" in " ".join(f["reason"] for f in package["files"])


def test_requirements_hash_alternatives_are_each_accounted_for(
    scan: Scan, mirror: IndexServer
) -> None:
    """pip installs a file that matches ANY --hash: a sha512 of other bytes beside the right
    sha256 is another file pip would take, and it cannot be told."""
    evil = digest_of(SAMPLE, "sha512", OTHER)
    lock = write_lock(
        scan.workdir, "requirements.txt", SAMPLE, [("sha256", RIGHT_SHA256), ("sha512", evil)]
    )
    _, doc = _scan(scan, lock, mirror)
    (package,) = doc["packages"]
    assert package["status"] == "unknown"
    by_status = {f["status"]: f for f in package["files"]}
    assert by_status["verified"]["sha256"] == RIGHT_SHA256
    assert by_status["unknown"]["other_digests"] == {"sha512": evil}
    assert "no file at" in by_status["unknown"]["reason"]


def test_uppercase_hex_is_the_same_digest(scan: Scan, mirror: IndexServer) -> None:
    for fmt in ("pylock.toml", "uv.lock", "requirements.txt", "Pipfile.lock", "sbom.cdx.json"):
        lock = write_lock(scan.workdir, fmt, SAMPLE, [("sha256", RIGHT_SHA256.upper())])
        _, doc = _scan(scan, lock, mirror)
        (file,) = files_of(doc).values()
        assert file["status"] == "verified", (fmt, file["reason"])
        assert file["sha256"] == RIGHT_SHA256
    upper = digest_of(SAMPLE, "sha512").upper()
    lock = write_lock(scan.workdir, "pylock.toml", SAMPLE, [("SHA512", upper)])
    _, doc = _scan(scan, lock, mirror)
    file = _only_file(doc)
    assert file["other_digests"] == {"sha512": upper.lower()}
    assert file["status"] == "unknown"


def test_an_unknown_algorithm_is_reported_never_ignored(scan: Scan, mirror: IndexServer) -> None:
    digests = [("sha256", RIGHT_SHA256), ("whirlpool", "ab" * 64)]
    lock = write_lock(scan.workdir, "pylock.toml", SAMPLE, digests)
    _, doc = _scan(scan, lock, mirror)
    file = _only_file(doc)
    assert file["status"] == "unknown"
    assert "cannot compute whirlpool" in file["reason"]
    for fmt in ("uv.lock", "requirements.txt", "sbom.cdx.json"):
        lock = write_lock(scan.workdir, fmt, SAMPLE, [("blake3", "cd" * 32)])
        _, doc = _scan(scan, lock, mirror)
        (package,) = doc["packages"]
        assert package["status"] == "unknown", (fmt, package)
        assert "blake3" in package["files"][0]["reason"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "digest",
    [("sha512", "zz" * 64), ("sha512", "ab" * 32), ("sha256", "ab" * 31), ("sha384", "")],
)
def test_a_malformed_digest_is_bad_input(
    scan: Scan, mirror: IndexServer, fmt: str, digest: tuple[str, str]
) -> None:
    lock = write_lock(scan.workdir, fmt, SAMPLE, [digest])
    result = scan(str(lock), "--index-url", mirror.url("/simple/"))
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.stderr
    assert str(lock.name) in lines[0]


def test_dry_run_names_every_pinned_digest(scan: Scan) -> None:
    evil = digest_of(SAMPLE, "sha512", OTHER)
    for fmt in ("requirements.txt", "Pipfile.lock"):
        lock = write_lock(scan.workdir, fmt, SAMPLE, [("sha256", RIGHT_SHA256), ("sha512", evil)])
        result = scan(str(lock), "--dry-run")
        assert result.exit_code == 0, result.output
        assert f"sha512:{evil}" in result.stdout and f"sha256:{RIGHT_SHA256}" in result.stdout
        assert "None" not in result.stdout
