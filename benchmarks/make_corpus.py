"""Generate the benchmark corpus: N packages, real dists, attestations, a static site.

    python benchmarks/make_corpus.py --packages N --seed S [--out DIR]
        [--unattested 0.1 --invalid 0.02 --identity-changed 0.05 --releases 1 --jobs J]

Writes DIR/dists, DIR/site, DIR/trusted_root.json and DIR/manifest.json (see
`pyvouch.testing.corpus`), then prints one JSON line: counts and seconds taken. Without
``--out``, DIR is benchmarks/out/corpus-seedS-nN/ (ignored by git), where the other benchmarks
look for the corpus; a corpus already there is kept.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from collections import Counter
from pathlib import Path

from pyvouch.testing.corpus import MAX_PACKAGES, CorpusConfig, generate

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _bench


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=int, required=True, help=f"1..{MAX_PACKAGES}")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--out",
        type=Path,
        help="folder to write (default: benchmarks/out/corpus-seedS-nN/, where the benchmarks "
        "read the corpus)",
    )
    parser.add_argument("--unattested", type=float, default=0.1)
    parser.add_argument("--invalid", type=float, default=0.02)
    parser.add_argument("--identity-changed", type=float, default=0.05)
    parser.add_argument("--releases", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=None, help="minting workers (default: cores)")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    config = CorpusConfig(
        packages=args.packages,
        seed=args.seed,
        unattested=args.unattested,
        invalid=args.invalid,
        identity_changed=args.identity_changed,
        releases=args.releases,
    )
    try:
        config.check()
    except ValueError as err:
        parser.error(str(err))

    out: Path = args.out or _bench.corpus_dir(args.packages, args.seed)
    if args.out is None and (out / "manifest.json").is_file():
        print(f"make_corpus: {out} is already there (delete it to regenerate)", file=sys.stderr)
        return 0
    if args.out is None and out.is_dir():
        shutil.rmtree(out)  # an interrupted generation (no manifest)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        parser.error(f"{out} exists and is not an empty folder")

    def say(message: str) -> None:
        if not args.quiet:
            print(f"make_corpus: {message}", file=sys.stderr)

    start = time.perf_counter()
    manifest = generate(config, out, jobs=args.jobs, progress=say)
    elapsed = time.perf_counter() - start
    attestations = sum(1 for f in manifest.files if f.signed_by is not None)
    print(
        json.dumps(
            {
                "out": str(out),
                "packages": len(manifest.packages),
                "files": len(manifest.files),
                "attestations": attestations,
                "expected": dict(sorted(Counter(f.expected for f in manifest.files).items())),
                "seconds": round(elapsed, 2),
                "ms_per_attestation": round(elapsed * 1000 / max(1, attestations), 3),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
