"""Benchmark: verify the real fixture attestations, in-process and through one CLI run.

    python benchmarks/verify_fixtures.py [--copies 40] [--repeat 5]

In-process: every production-signed fixture attestation verified by one
`AttestationVerifier` (one trust root, one sigstore Verifier), `--repeat` rounds; reports the
median ms per attestation. CLI: `--copies` copies of each fixture dist in separate folders,
verified by ONE `pyvouch verify` process with the attestations given by `--attestation`;
reports wall time / attestations verified (interpreter start-up included once, not per file).
Also times the pypi-attestations reference (in-process `Attestation.verify` is not usable
offline here, so the reference is sigstore's bare `Verifier.verify_dsse` on the same bundles).
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sigstore.verify.policy import UnsafeNoOp

from pyvouch.verify.attestations import AttestationVerifier, digest_file
from pyvouch.verify.load import load_attestation_file
from pyvouch.verify.trust import load_trust_root

ASSETS = Path(__file__).resolve().parents[1] / "tests" / "assets" / "attestations"

# (dist, attestation files) signed on the production instance (EXPECTED.tsv).
CASES: list[tuple[str, list[str]]] = [
    (
        "pypi_attestations-0.0.19.tar.gz",
        [
            "pypi_attestations-0.0.19.tar.gz.publish.attestation",
            "pypi_attestations-0.0.19.tar.gz.slsa.attestation",
        ],
    ),
    (
        "pypi_attestation_models-0.0.4a2.tar.gz",
        ["pypi_attestation_models-0.0.4a2.tar.gz.attestation"],
    ),
    ("gitlab_oidc_project-0.0.3.tar.gz", ["gitlab_oidc_project-0.0.3.tar.gz.publish.attestation"]),
    ("sampleproject-3.0.0.tar.gz", ["sampleproject-3.0.0.tar.gz.publish.attestation"]),
    ("sampleproject-4.0.0.tar.gz", ["sampleproject-4.0.0.tar.gz.provenance"]),
]


def in_process(repeat: int) -> tuple[float, float, int]:
    verifier = AttestationVerifier(load_trust_root())
    work = []
    for dist_name, att_names in CASES:
        dist = digest_file(ASSETS / dist_name)
        atts = [a for n in att_names for a in load_attestation_file(ASSETS / n).attestations]
        work.append((dist, atts))
    count = sum(len(a) for _, a in work)
    ours, floor = [], []
    bundles = [a.attestation.to_bundle() for _, atts in work for a in atts]
    bare = verifier._verifier  # the same sigstore Verifier, called bare: the floor
    for _ in range(repeat):
        start = time.perf_counter()
        for dist, atts in work:
            finding = verifier.verify_file(dist, atts, None)
            assert finding.status == "verified", finding.reason
        ours.append((time.perf_counter() - start) * 1000 / count)
        start = time.perf_counter()
        for bundle in bundles:
            bare.verify_dsse(bundle, UnsafeNoOp())
        floor.append((time.perf_counter() - start) * 1000 / count)
    return statistics.median(ours), statistics.median(floor), count


def through_cli(copies: int, repeat: int) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files: list[str] = []
        attestations: list[str] = []
        for dist_name, att_names in CASES:
            for n in att_names:
                attestations += ["--attestation", str(ASSETS / n)]
            for i in range(copies):
                folder = root / f"c{i}"
                folder.mkdir(exist_ok=True)
                shutil.copy(ASSETS / dist_name, folder / dist_name)
                files.append(str(folder / dist_name))
        count = copies * sum(len(a) for _, a in CASES)
        cmd = [sys.executable, "-m", "pyvouch", "verify", *files, *attestations, "--format", "json"]
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
            times.append((time.perf_counter() - start) * 1000 / count)
            results = json.loads(proc.stdout)["results"]
            assert proc.returncode == 0, proc.stderr
            assert all(r["status"] == "verified" for r in results)
        return statistics.median(times), count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    ours, floor, count = in_process(args.repeat)
    cli_ms, cli_count = through_cli(args.copies, args.repeat)
    print(
        json.dumps(
            {
                "in_process_ms_per_attestation": round(ours, 3),
                "bare_sigstore_ms_per_attestation": round(floor, 3),
                "attestations_in_process": count,
                "cli_ms_per_attestation": round(cli_ms, 3),
                "attestations_through_cli": cli_count,
                "repeat": args.repeat,
            }
        )
    )


if __name__ == "__main__":
    main()
