"""`pyvouch verify` through the real CLI (subprocess, network cut): output, exit codes, bad input,
and the default mode against a loopback index."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.verify_helpers import asset, run_cli
from tests.support.verify_index import indexed, serve_index

SAMPLE = "sampleproject-4.0.0.tar.gz"
GOOGLE = "sampleproject-3.0.0.tar.gz"


def test_text_output_one_line_per_file_and_warning(tmp_path: Path) -> None:
    run = run_cli(
        [
            "verify",
            str(asset(SAMPLE)),
            str(asset(GOOGLE)),
            "--provenance",
            str(asset(f"{SAMPLE}.provenance")),
        ],
        tmp_path,
    )
    assert run.code == 1  # the Google sdist has no attestation among those given
    lines = run.stdout.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("verified") and SAMPLE in lines[0]
    assert lines[1].startswith("unattested") and GOOGLE in lines[1]
    assert "\x1b[" not in run.stdout  # NO_COLOR and not a tty
    assert "identity NOT checked for 1 file(s)" in run.stderr


def test_mismatch_exits_1_and_names_both(tmp_path: Path) -> None:
    run = run_cli(
        [
            "verify",
            str(asset(SAMPLE)),
            "--provenance",
            str(asset(f"{SAMPLE}.provenance")),
            "--publisher",
            "github:pypa/sampleproject2",
        ],
        tmp_path,
    )
    assert run.code == 1
    assert run.stdout.startswith("mismatch")
    assert "expected github:pypa/sampleproject2" in run.stdout
    assert "signed by github:pypa/sampleproject:release.yml" in run.stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["verify", "missing.whl", "--attestation", "x"], "cannot read"),
        (["verify", "{dist}", "--attestation", "{tmp}/bad.json"], "not JSON"),
        (["verify", "{dist}", "--attestation", "{tmp}/unknown.json"], "unknown content"),
        (["verify", "{dist}", "--attestation", "{dist}"], "not JSON"),
        (["verify", "{dist}", "--attestation", "{tmp}"], "is a directory"),
        (["verify", "{tmp}", "--attestation", "{dist}.provenance"], "is a directory"),
        (["verify", "{dist}", "--publisher", "github:pypa", "--attestation", "x"], "OWNER/REPO"),
        (["verify", "{dist}", "--publisher", "nope:x"], "unknown kind"),
        (["verify", "{dist}", "--publisher", '{"kind": 1}'], "'kind' must be one of"),
        (["verify", "{dist}", "--staging", "--trust-root", "{tmp}/bad.json"], "not both"),
        (["verify", "{dist}", "--trust-root", "{tmp}/bad.json", "--attestation", "x"], "not JSON"),
        (["verify", "{tmp}/notadist.txt"], "not a wheel or sdist filename"),
        (["inspect", "{tmp}/unknown.json"], "unknown content"),
        (["inspect", "{tmp}/nothing-here"], "cannot read"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, args: list[str], words: str) -> None:
    (tmp_path / "bad.json").write_text("{oops")
    (tmp_path / "unknown.json").write_text('{"hello": "world"}')
    (tmp_path / "notadist.txt").write_text("x")
    filled = [a.replace("{dist}", str(asset(SAMPLE))).replace("{tmp}", str(tmp_path)) for a in args]
    run = run_cli(filled, tmp_path)
    assert run.code == 2, (run.stdout, run.stderr)
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert words in lines[0]


def test_unreadable_attestation_file(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can read files whatever their mode")
    path = tmp_path / "locked.attestation"
    path.write_text("{}")
    path.chmod(0)
    run = run_cli(["verify", str(asset(SAMPLE)), "--attestation", str(path)], tmp_path)
    assert run.code == 2
    assert "cannot read" in run.stderr


def test_default_mode_reads_provenance_from_the_index(tmp_path: Path) -> None:
    files = [
        indexed(asset(SAMPLE), "sampleproject", asset(f"{SAMPLE}.provenance")),
        indexed(asset(GOOGLE), "sampleproject", None),
    ]
    with serve_index(files) as index:
        run = run_cli(
            [
                "verify",
                str(asset(SAMPLE)),
                str(asset(GOOGLE)),
                "--index-url",
                index.index_url,
                "--publisher",
                "github:pypa/sampleproject:release.yml",
                "--format",
                "json",
            ],
            tmp_path,
            NO_PROXY="127.0.0.1",
            no_proxy="127.0.0.1",
        )
        requests = list(index.requests)
    assert run.code == 1, run.stderr
    results = {r["file"]: r for r in run.json()["results"]}
    assert results[SAMPLE]["status"] == "verified"
    assert results[SAMPLE]["identity_checked"] is True
    assert results[GOOGLE]["status"] == "unattested"
    assert len(requests) <= 4

    # The answer is cached by digest: offline now verifies without the index.
    offline = run_cli(
        ["verify", str(asset(SAMPLE)), "--offline", "--index-url", index.index_url],
        tmp_path,
    )
    assert offline.code == 0, offline.stderr
    assert offline.stdout.startswith("verified")


def test_a_stripping_index_is_unknown_never_unattested(tmp_path: Path) -> None:
    files = [indexed(asset(SAMPLE), "sampleproject", asset(f"{SAMPLE}.provenance"))]
    with serve_index(files, strip=True) as index:
        run = run_cli(
            ["verify", str(asset(SAMPLE)), "--index-url", index.index_url, "--format", "json"],
            tmp_path,
            NO_PROXY="127.0.0.1",
            no_proxy="127.0.0.1",
        )
    assert run.code == 3, run.stderr
    (result,) = run.json()["results"]
    assert result["status"] == "unknown"
    assert "does not serve provenance" in result["reason"]


def test_unreachable_index_is_unknown_and_exit_3(tmp_path: Path) -> None:
    run = run_cli(
        ["verify", str(asset(SAMPLE)), "--index-url", "http://127.0.0.1:9/simple/"],
        tmp_path,
        NO_PROXY="127.0.0.1",
        no_proxy="127.0.0.1",
    )
    assert run.code == 3
    assert run.stdout.startswith("unknown")
