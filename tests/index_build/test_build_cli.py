"""`pyvouch index build` as a user runs it: summary, determinism, and bad input (exit 2)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from pyvouch.errors import InputError, UsageError
from pyvouch.registry.static_site import SITE_MARKER, build_site
from tests.index_build.conftest import (
    ASSETS,
    copy_assets,
    copy_attested,
    run_cli,
    run_cli_process,
    site_bytes,
)

SDIST = "pypi_attestations-0.0.19.tar.gz"
WHEEL = "pypi_attestations-0.0.19-py3-none-any.whl"


def assert_one_line_error(stderr: str, *needles: str) -> None:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def assert_nothing_written(out: Path) -> None:
    assert not out.exists()
    leftovers = [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]
    assert leftovers == []


def test_cli_builds_and_summarises(attested_dir: Path, tmp_path: Path) -> None:
    (attested_dir / "README.txt").write_text("not a dist\n")
    out = tmp_path / "site"
    proc = run_cli_process("index", "build", str(attested_dir), "--out", str(out))
    assert proc.code == 0, proc.stderr
    assert proc.stdout.strip() == (
        f"built {out}: 5 projects, 7 files, 6 with provenance (7 attestations)"
    )
    assert "warning: ignored README.txt" in proc.stderr
    assert "rfc8785-0.1.2-py3-none-any.whl: signed by william@yossarian.net" in proc.stderr
    assert (out / "simple/index.html").is_file()
    assert not (out / "files/README.txt").exists()


def test_same_input_gives_byte_identical_sites(tmp_path: Path) -> None:
    first = copy_attested(tmp_path / "a")
    # Same files, copied in the opposite order and with other times.
    second = tmp_path / "b"
    second.mkdir()
    for path in sorted(first.iterdir(), reverse=True):
        shutil.copyfile(path, second / path.name)
        os.utime(second / path.name, (1_000_000_000, 1_000_000_000))
    build_site(first, tmp_path / "site-a")
    build_site(second, tmp_path / "site-b")
    a, b = site_bytes(tmp_path / "site-a"), site_bytes(tmp_path / "site-b")
    assert list(a) == list(b)
    assert a == b
    # And a rebuild over the first site gives the same bytes again.
    build_site(first, tmp_path / "site-a")
    assert site_bytes(tmp_path / "site-a") == a


def test_base_url_makes_absolute_urls(tmp_path: Path) -> None:
    src = copy_attested(tmp_path / "in", (SDIST,))
    build_site(src, tmp_path / "site", base_url="https://pkgs.example.test/pyvouch/")
    page = json.loads((tmp_path / "site/simple/pypi-attestations/index.json").read_text())
    (entry,) = page["files"]
    assert entry["url"] == f"https://pkgs.example.test/pyvouch/files/pypi-attestations/{SDIST}"
    assert entry["provenance"] == (
        f"https://pkgs.example.test/pyvouch/integrity/pypi-attestations/0.0.19/{SDIST}/provenance"
    )
    html = (tmp_path / "site/simple/pypi-attestations/index.html").read_text()
    assert 'data-provenance="https://pkgs.example.test/pyvouch/integrity/' in html


def test_bad_base_url_is_usage_error(tmp_path: Path) -> None:
    src = copy_attested(tmp_path / "in", (SDIST,))
    with pytest.raises(UsageError, match="base-url"):
        build_site(src, tmp_path / "site", base_url="ftp://x/")


def test_link_hard_links_the_dists(tmp_path: Path) -> None:
    src = copy_attested(tmp_path / "in", (SDIST,))
    build_site(src, tmp_path / "site", link=True)
    served = tmp_path / "site/files/pypi-attestations" / SDIST
    assert served.stat().st_ino == (src / SDIST).stat().st_ino


def test_attestation_of_another_dist_is_rejected(tmp_path: Path) -> None:
    src = copy_assets(tmp_path / "in", WHEEL)
    shutil.copyfile(ASSETS / f"{SDIST}.publish.attestation", src / f"{WHEEL}.publish.attestation")
    out = tmp_path / "out" / "site"
    proc = run_cli("index", "build", str(src), "--out", str(out))
    assert proc.code == 2
    assert_one_line_error(
        proc.stderr, f"{WHEEL}.publish.attestation", f"attestation is for '{SDIST}'"
    )
    assert not out.parent.exists()  # not even the parent folder was made


def test_attestation_for_changed_bytes_is_rejected(tmp_path: Path) -> None:
    src = copy_attested(tmp_path / "in", (SDIST,))
    data = bytearray((src / SDIST).read_bytes())
    data[-1] ^= 1
    (src / SDIST).write_bytes(bytes(data))
    out = tmp_path / "site"
    proc = run_cli("index", "build", str(src), "--out", str(out))
    assert proc.code == 2
    assert_one_line_error(proc.stderr, "sha256 9bb1add0", "does not match")
    assert_nothing_written(out)


def test_malformed_attestation_json_names_the_file(tmp_path: Path) -> None:
    src = copy_assets(tmp_path / "in", SDIST)
    text = (ASSETS / f"{SDIST}.publish.attestation").read_text()
    (src / f"{SDIST}.publish.attestation").write_text(text[: len(text) // 2])
    out = tmp_path / "site"
    proc = run_cli("index", "build", str(src), "--out", str(out))
    assert proc.code == 2
    assert_one_line_error(proc.stderr, f"{SDIST}.publish.attestation:1:", "not valid JSON")
    assert_nothing_written(out)


@pytest.mark.parametrize(
    ("mutate", "problem"),
    [
        (lambda a: a.pop("envelope"), "envelope"),
        (lambda a: a.__setitem__("version", 2), "version"),
        (lambda a: a["envelope"].__setitem__("statement", "bm90IGpzb24="), "statement is not JSON"),
        (
            lambda a: a["verification_material"].__setitem__("certificate", "AAAA"),
            "certificate",
        ),
    ],
)
def test_structurally_bad_attestation_is_rejected(
    tmp_path: Path, mutate: object, problem: str
) -> None:
    src = copy_assets(tmp_path / "in", SDIST)
    body = json.loads((ASSETS / f"{SDIST}.publish.attestation").read_text())
    mutate(body)  # type: ignore[operator]
    (src / f"{SDIST}.publish.attestation").write_text(json.dumps(body))
    with pytest.raises(InputError, match=problem) as info:
        build_site(src, tmp_path / "site")
    assert info.value.path.endswith(f"{SDIST}.publish.attestation")
    assert_nothing_written(tmp_path / "site")


def test_bad_provenance_names_the_place(tmp_path: Path) -> None:
    src = copy_assets(tmp_path / "in", WHEEL)
    provenance = json.loads((ASSETS / f"{SDIST}.provenance").read_text())
    (src / f"{WHEEL}.provenance").write_text(json.dumps(provenance))
    with pytest.raises(InputError) as info:
        build_site(src, tmp_path / "site")
    assert str(info.value).endswith(
        f"{WHEEL}.provenance:attestation_bundles[0].attestations[0]: "
        f"attestation is for '{SDIST}', not for '{WHEEL}'"
    )


def test_unparseable_dist_filename_is_rejected(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copyfile(ASSETS / SDIST, src / "not-a-valid-name.tar.gz")
    proc = run_cli("index", "build", str(src), "--out", str(tmp_path / "site"))
    assert proc.code == 2
    assert_one_line_error(proc.stderr, "not-a-valid-name.tar.gz", "not a valid distribution")


def test_attestation_without_its_dist_is_rejected(tmp_path: Path) -> None:
    src = copy_assets(tmp_path / "in", f"{SDIST}.publish.attestation", WHEEL)
    proc = run_cli("index", "build", str(src), "--out", str(tmp_path / "site"))
    assert proc.code == 2
    assert_one_line_error(proc.stderr, f"no distribution named {SDIST}")


def test_missing_input_folder_is_usage_error(tmp_path: Path) -> None:
    proc = run_cli("index", "build", str(tmp_path / "nope"), "--out", str(tmp_path / "site"))
    assert proc.code == 2
    assert "Traceback" not in proc.stderr


def test_refuses_to_replace_a_folder_it_did_not_build(tmp_path: Path) -> None:
    src = copy_attested(tmp_path / "in", (SDIST,))
    out = tmp_path / "precious"
    out.mkdir()
    (out / "notes.txt").write_text("keep me\n")
    proc = run_cli("index", "build", str(src), "--out", str(out))
    assert proc.code == 2
    assert_one_line_error(proc.stderr, "precious", "refusing to replace it")
    assert (out / "notes.txt").read_text() == "keep me\n"


def test_refuses_an_output_that_contains_the_input(tmp_path: Path) -> None:
    src = copy_attested(tmp_path / "site" / "dists", (SDIST,))
    with pytest.raises(UsageError, match="contains the input folder"):
        build_site(src, tmp_path / "site")
    assert (src / SDIST).is_file()


def test_rebuild_replaces_a_site_and_a_failed_rebuild_keeps_it(tmp_path: Path) -> None:
    src = copy_attested(tmp_path / "in", (SDIST, WHEEL))
    out = tmp_path / "site"
    build_site(src, out)
    assert (out / SITE_MARKER).is_file()
    (src / WHEEL).unlink()
    build_site(src, out)
    assert not (out / "files/pypi-attestations" / WHEEL).exists()
    before = site_bytes(out)

    (src / f"{SDIST}.slsa.attestation").write_text("{")
    with pytest.raises(InputError):
        build_site(src, out)
    assert site_bytes(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site.")] == []


def test_the_folder_the_site_goes_in_must_exist(tmp_path: Path) -> None:
    """The site folder itself is made (or replaced); the folders above it are not: a
    mistyped --out is one line, exit 2, and grows no tree (the rule of every file pyvouch
    writes)."""
    src = copy_attested(tmp_path / "in", (SDIST,))
    out = tmp_path / "no" / "such" / "site"
    proc = run_cli("index", "build", str(src), "--out", str(out))
    assert proc.code == 2
    assert_one_line_error(proc.stderr, str(out), f"no directory {tmp_path / 'no' / 'such'}")
    assert not (tmp_path / "no").exists()
