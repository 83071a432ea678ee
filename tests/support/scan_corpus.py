"""A small minted corpus (verified, invalid, unattested and identity-changed files), its site
served on 127.0.0.1, a pylock.toml naming the latest release's files, and a runner of
`python -m pyvouch scan` in a subprocess that records which modules it imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

from pyvouch.testing.corpus import CorpusConfig, Manifest, ManifestFile, generate

# 12 packages: some unattested, some invalid (bad signature, altered statement), some changed.
SCAN_CORPUS = CorpusConfig(packages=12, seed=5, unattested=0.2, invalid=0.25, identity_changed=0.1)


def make_corpus(out: Path) -> Manifest:
    return generate(SCAN_CORPUS, out, jobs=1)


def latest_files(manifest: Manifest) -> list[ManifestFile]:
    """The files of each project's latest release (manifest files are sorted by version)."""
    latest: dict[str, list[ManifestFile]] = {}
    for f in manifest.files:
        group = latest.setdefault(f.project, [])
        if group and group[0].version != f.version:
            group.clear()
        group.append(f)
    return [f for group in latest.values() for f in group]


def write_pylock(path: Path, files: list[ManifestFile]) -> None:
    parts = ['lock-version = "1.0"\ncreated-by = "pyvouch-tests"\n']
    by_project: dict[str, list[ManifestFile]] = {}
    for f in files:
        by_project.setdefault(f.project, []).append(f)
    for project, group in by_project.items():
        block = f'\n[[packages]]\nname = "{project}"\nversion = "{group[0].version}"\n'
        for f in group:
            entry = (
                f'{{ name = "{f.filename}", url = "https://files.invalid/{f.filename}", '
                f'hashes = {{ sha256 = "{f.sha256}" }} }}'
            )
            block += (
                f"wheels = [{entry}]\n" if f.filename.endswith(".whl") else f"sdist = {entry}\n"
            )
        parts.append(block)
    path.write_text("".join(parts), encoding="utf-8")


_WRAPPER = textwrap.dedent(
    """
    import atexit, json, runpy, sys
    out = sys.argv[1]
    atexit.register(lambda: open(out, "w").write(json.dumps(sorted(sys.modules))))
    sys.argv = ["pyvouch", *sys.argv[2:]]
    runpy.run_module("pyvouch", run_name="__main__")
    """
)


@dataclass(frozen=True)
class Run:
    returncode: int
    stderr: str
    report: dict[str, object]
    modules: frozenset[str]

    def imported(self, package: str) -> bool:
        return any(m == package or m.startswith(package + ".") for m in self.modules)

    def statuses(self) -> dict[str, tuple[str, str]]:
        packages = self.report["packages"]
        assert isinstance(packages, list)
        return {f["filename"]: (f["status"], f["reason"]) for p in packages for f in p["files"]}


def run_scan(work: Path, *args: str, data_dir: Path, cache_dir: Path) -> Run:
    """`python -m pyvouch scan ARGS --format json --output FILE` in a subprocess."""
    modules = work / "modules.json"
    report = work / "report.json"
    env = {
        **os.environ,
        "PYVOUCH_DATA_DIR": str(data_dir),
        "PYVOUCH_CACHE_DIR": str(cache_dir),
        "NO_COLOR": "1",
    }
    env.pop("PIP_INDEX_URL", None)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _WRAPPER,
            str(modules),
            "scan",
            *args,
            "--format",
            "json",
            "--output",
            str(report),
        ],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    doc = json.loads(report.read_text()) if report.is_file() else {}
    return Run(done.returncode, done.stderr, doc, frozenset(json.loads(modules.read_text())))
