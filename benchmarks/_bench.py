"""Shared parts of the benchmarks: the cached corpus, a process-tree memory sampler, machine."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from pyvouch.testing.corpus import CorpusConfig, generate

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
DEFAULT_SEED = 740
DEFAULT_PACKAGES = 2500
MAX_PACKAGES = 10000
PYVOUCH = [sys.executable, "-m", "pyvouch"]


def corpus_dir(
    packages: int = DEFAULT_PACKAGES, seed: int = DEFAULT_SEED, base: Path = OUT
) -> Path:
    """Where the corpus for (packages, seed) lives: the benchmarks read it there."""
    return base / f"corpus-seed{seed}-n{packages}"


def corpus(packages: int = DEFAULT_PACKAGES, seed: int = DEFAULT_SEED, base: Path = OUT) -> Path:
    """The corpus for (packages, seed) under ``base``: generated once, reused when present."""
    out = corpus_dir(packages, seed, base)
    if (out / "manifest.json").is_file():
        return out
    if out.exists():
        shutil.rmtree(out)  # an interrupted generation
    tmp = base / f".{out.name}.tmp-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    print(f"bench: generating {out.name} (once; reused afterwards)", file=sys.stderr)
    generate(CorpusConfig(packages=packages, seed=seed), tmp)
    tmp.rename(out)
    return out


def precompile() -> None:
    """Write the bytecode of the pyvouch package the benchmarks run (``__pycache__``).

    An installed pyvouch has it (pip compiles on install); a source checkout run with
    ``PYTHONDONTWRITEBYTECODE`` set (as in some sandboxes and CI images) would otherwise
    compile ~100 modules from source in every process, ~0.1 to 0.15 s of CPU that no user pays.
    """
    import compileall

    import pyvouch

    compileall.compile_dir(str(Path(pyvouch.__file__).parent), quiet=1)


def manifest(corpus_dir: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((corpus_dir / "manifest.json").read_text())
    return data


def _tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_bytes()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def _kib(pid: int, path: str, key: bytes) -> int:
    try:
        for line in Path(f"/proc/{pid}/{path}").read_bytes().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


@dataclass
class TreeMemory:
    """Samples a process tree every ``interval`` s: peak of summed RSS and of summed PSS.

    RSS summed over forked workers counts the pages they share with the parent once per
    process (an upper bound); PSS splits shared pages between the sharers (the fair figure).
    """

    pid: int
    interval: float = 0.05
    peak_rss_kib: int = 0
    peak_pss_kib: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> TreeMemory:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            pids = _tree(self.pid)
            rss = sum(_kib(p, "status", b"VmRSS:") for p in pids)
            pss = sum(_kib(p, "smaps_rollup", b"Pss:") for p in pids)
            self.peak_rss_kib = max(self.peak_rss_kib, rss)
            self.peak_pss_kib = max(self.peak_pss_kib, pss)
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


@dataclass
class Run:
    wall_s: float
    returncode: int
    stdout: bytes
    stderr: bytes
    peak_rss_mb: float
    peak_pss_mb: float
    cpu_s: float = 0.0
    """User + system CPU of the process and every descendant it waited for (its workers)."""
    load_1m: float = 0.0
    """The one-minute load average when the run ended (the machine may be shared)."""


def run_measured(
    argv: list[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> Run:
    """Run ``argv``; wall time and the peak memory of its process tree."""
    before = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sampler = TreeMemory(proc.pid).start()
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - start
    sampler.stop()
    return Run(
        wall,
        proc.returncode,
        stdout,
        stderr,
        round(sampler.peak_rss_kib / 1024, 1),
        round(sampler.peak_pss_kib / 1024, 1),
        cpu_s=_children_cpu() - before,
        load_1m=round(os.getloadavg()[0], 2),
    )


def _children_cpu() -> float:
    """CPU seconds (user + system) of this process's waited-for children and their own."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def machine() -> dict[str, object]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": len(os.sched_getaffinity(0)),
        "cpu": model,
        "python": platform.python_version(),
        "load_1m": round(os.getloadavg()[0], 2),
    }


ATTESTATION_SUFFIX = ".publish.attestation"


def crypto_floor_s(corpus_dir: Path, names: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds bare sigstore ``Verifier.verify_dsse`` takes over these files'
    attestations.

    One after the other in this process (one core), bundles converted beforehand: the
    cryptography alone. Files without an attestation are skipped; an attestation that does not
    verify (the corpus's invalid ones) counts for the time sigstore takes to refuse it.
    """
    from pypi_attestations import Attestation
    from sigstore.models import TrustedRoot
    from sigstore.verify import Verifier

    class _AnyIdentity:  # sigstore's UnsafeNoOp logs a warning per call
        def verify(self, cert: object) -> None:
            return None

    verifier = Verifier(trusted_root=TrustedRoot.from_file(str(corpus_dir / "trusted_root.json")))
    paths = [corpus_dir / "dists" / (n + ATTESTATION_SUFFIX) for n in names]
    bundles = [
        Attestation.model_validate_json(p.read_bytes()).to_bundle() for p in paths if p.is_file()
    ]
    policy = _AnyIdentity()
    start, cpu = time.perf_counter(), time.process_time()
    for bundle in bundles:
        # An invalid attestation: sigstore refuses it (VerificationError), the time counts.
        with contextlib.suppress(Exception):
            verifier.verify_dsse(bundle, policy)  # type: ignore[arg-type]
    return time.perf_counter() - start, time.process_time() - cpu
