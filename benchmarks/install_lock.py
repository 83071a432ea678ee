"""Install benchmark: `pyvouch install --lock` of a 200-package lock against the bare installer.

    python benchmarks/install_lock.py [--packages 200] [--latency-ms 50] [--runs 5]
        [--installers pip,uv] [--corpus-packages 300] [--seed 740]

The site is the benchmark corpus (`pyvouch.testing.corpus`, generated once into
benchmarks/out/ and reused), served on 127.0.0.1 with ``--latency-ms`` before every answer
(`scan.serve`). The lock is a pylock.toml of the wheels of ``--packages`` corpus projects whose
latest release verifies (picked with the seed), so the gate passes and installs all of them.

For each installer, each run makes two fresh virtualenvs (without pip) and installs the same
files into each, timed as subprocesses:

- bare: the installer alone with the same hashes and no resolution: ``pip --python VENV
  install --no-deps --require-hashes --index-url URL -r REQS`` / ``uv pip install --python
  VENV --no-deps --require-hashes --index-url URL -r REQS`` (REQS: ``name==version
  --hash=sha256:...`` per package, what the gate hands the installer);
- gated: ``pyvouch install --lock pylock.toml --python VENV --installer I`` with a warm
  provenance cache (one untimed gated run first fills it).

Installer caches are warm for both (pip's default cache; one ``UV_CACHE_DIR`` for both uv
runs). Prints one JSON line: per installer the medians of ``bare_s``, ``gated_s`` and
``overhead_s`` (gated minus bare, per run), and the index requests of a warm gated run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _bench
from scan import serve


def verified_wheels(corpus: Path, packages: int, seed: int) -> list[dict[str, Any]]:
    """The wheel of the latest release of ``packages`` projects that verify, with the seed."""
    files = _bench.manifest(corpus)["files"]
    assert isinstance(files, list)
    latest: dict[str, list[dict[str, Any]]] = {}
    for f in files:  # sorted; the last version of a project wins
        group = latest.setdefault(f["project"], [])
        if group and group[0]["version"] != f["version"]:
            group.clear()
        group.append(f)
    good = sorted(
        name for name, group in latest.items() if all(f["expected"] == "verified" for f in group)
    )
    if packages > len(good):
        raise SystemExit(f"the corpus has {len(good)} verified projects, fewer than {packages}")
    chosen = sorted(random.Random(seed).sample(good, packages))
    return [f for name in chosen for f in latest[name] if f["filename"].endswith(".whl")]


def write_inputs(wheels: list[dict[str, Any]], work: Path, index_url: str) -> tuple[Path, Path]:
    """The lock (pylock.toml) and the bare installer's requirements (the same digests)."""
    files_url = index_url.removesuffix("simple/") + "files"
    parts = ['lock-version = "1.0"\ncreated-by = "pyvouch-benchmark"\n']
    lines = []
    for w in wheels:
        parts.append(
            f'\n[[packages]]\nname = "{w["project"]}"\nversion = "{w["version"]}"\n'
            f'wheels = [{{ name = "{w["filename"]}", '
            f'url = "{files_url}/{w["project"]}/{w["filename"]}", '
            f'hashes = {{ sha256 = "{w["sha256"]}" }} }}]\n'
        )
        lines.append(f"{w['project']}=={w['version']} --hash=sha256:{w['sha256']}\n")
    lock, reqs = work / "pylock.toml", work / "requirements.txt"
    lock.write_text("".join(parts), encoding="utf-8")
    reqs.write_text("".join(lines), encoding="utf-8")
    return lock, reqs


def fresh_venv(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    return path / "bin" / "python"


def bare(installer: str, uv: str, python: Path, index_url: str, reqs: Path) -> list[str]:
    common = ["--no-deps", "--require-hashes", "--index-url", index_url, "-r", str(reqs)]
    if installer == "uv":
        return [uv, "pip", "install", "--no-config", "--python", str(python), *common]
    return [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", *common]


def timed(argv: list[str], env: dict[str, str], what: str) -> float:
    run = _bench.run_measured(argv, env=env)
    if run.returncode != 0:
        sys.stderr.write(run.stderr.decode(errors="replace")[-3000:])
        raise SystemExit(f"{what} exited {run.returncode}")
    return run.wall_s


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=int, default=200)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--installers", default="pip,uv")
    parser.add_argument("--corpus-packages", type=int, default=300)
    parser.add_argument("--seed", type=int, default=_bench.DEFAULT_SEED)
    parser.add_argument("--corpus", type=Path, help="use this corpus instead of the cached one")
    args = parser.parse_args(argv)
    corpus = args.corpus or _bench.corpus(args.corpus_packages, args.seed)
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="pyvouch-install-bench-") as tmp:
        work = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_"))}
        env.update(
            NO_COLOR="1",
            PIP_DISABLE_PIP_VERSION_CHECK="1",
            UV_CACHE_DIR=str(work / "uv-cache"),
            PYVOUCH_CACHE_DIR=str(work / "pyvouch-cache"),
        )
        wheels = verified_wheels(corpus, args.packages, args.seed)
        with serve(corpus / "site", args.latency_ms) as (index_url, counter):
            lock, reqs = write_inputs(wheels, work, index_url)
            for installer in args.installers.split(","):

                def gated(python: Path, installer: str = installer) -> list[str]:
                    return [
                        *_bench.PYVOUCH, "install", "--lock", str(lock), "--python", str(python),
                        "--installer", installer, "--index-url", index_url,
                        "--trust-root", str(corpus / "trusted_root.json"), "--format", "json",
                        "--output", str(work / "report.json"),
                    ]  # fmt: skip

                venv = work / "venv"
                # warm: the provenance cache (gated) and the installer's cache (both)
                timed(gated(fresh_venv(venv)), env, "pyvouch install (warm-up)")
                timed(bare(installer, uv, fresh_venv(venv), index_url, reqs), env, "bare")
                report = json.loads((work / "report.json").read_text())
                statuses = {p["status"] for p in report["packages"]}
                if statuses != {"verified"} or len(report["packages"]) != len(wheels):
                    raise SystemExit(f"the gate's report is not all verified: {statuses}")
                bare_s, gated_s, overhead, requests = [], [], [], []
                for _ in range(args.runs):
                    b = timed(bare(installer, uv, fresh_venv(venv), index_url, reqs), env, "bare")
                    before = len(counter)
                    g = timed(gated(fresh_venv(venv)), env, "pyvouch install")
                    requests.append(len(counter) - before)
                    bare_s.append(b)
                    gated_s.append(g)
                    overhead.append(g - b)
                results[installer] = {
                    "bare_s": round(statistics.median(bare_s), 3),
                    "gated_s": round(statistics.median(gated_s), 3),
                    "overhead_s": round(statistics.median(overhead), 3),
                    "gated_requests": int(statistics.median(requests)),
                    "overhead_all_s": [round(x, 3) for x in overhead],
                }
    print(
        json.dumps(
            {
                "packages": args.packages,
                "latency_ms": args.latency_ms,
                "runs": args.runs,
                **results,
                "corpus": str(corpus),
                **_bench.machine(),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
