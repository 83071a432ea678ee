"""The README runs as written, top to bottom, as a newcomer pastes it into one terminal.

Every ```sh block of README.md is taken in order into ONE bash script (variables, the working
directory and background servers carry over from block to block, as in a terminal), run in a
scratch directory. Each command's exit code is recorded and checked: 0, unless the command's
trailing comment starts with ``# exit N``. A trailing ``# needs: WHAT`` marks a command that
cannot run here; WHAT must be one of NEEDS below, each such command is reported as a skipped
test with its reason, and the list of them is fixed (``test_only_the_named_commands_are_left_out``),
so nothing is left out silently.

What the README leaves to the reader's own project, the test fills in (the README says so):
``dist/`` (a wheel and an sdist of mypackage 1.0), ``pyproject.toml``, ``OWNER/REPO``,
``cosign.key``/``cosign.pub`` and ``COSIGN_PASSWORD=...``, ``trust_config.json`` and ``$TOKEN``
(the local test Sigstore authority, served on 127.0.0.1), an ambient GitHub Actions identity
pointed at that authority, and free loopback ports for 8000, 8001 and 8002. ``pyvouch`` and
``python3`` are the test interpreter's virtualenv's (its ``bin/`` first on PATH); pip reads no
user or site configuration; HOME, PYVOUCH_CACHE_DIR and PYVOUCH_DATA_DIR are in the scratch
directory.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from pyvouch.testing import TestAuthority, github_claims
from tests.support.blob_signing import cosign_encrypted_pem, public_pem
from tests.support.policy_sites import write_sdist, write_wheel
from tests.support.venvs import quiet_pip_env

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
BIN = Path(sys.executable).parent
SCRIPT_TIMEOUT = 600

# Why a command marked `# needs: WHAT` cannot run in this test.
NEEDS = {
    "install": "installs pyvouch into the current Python; the test runs the pyvouch under test",
    "suite": "runs the whole test suite, this test included (CI runs it as .ci/run)",
    "network": "reaches a public index on the internet; this machine reaches none",
    "ci": "signs with Sigstore's public instance (Fulcio, Rekor), unreachable from here; "
    "the --trust-config line signs the same way with the local test authority",
    "minutes": "takes minutes; tests/benchmarks_support runs the benchmark scripts at tiny sizes",
}
# The commands left out, by reason: changing this list is a decision, not an accident.
LEFT_OUT = {"install": 1, "suite": 1, "network": 1, "ci": 1, "minutes": 3}

OWNER_REPO = "octo-org/octo-repo"  # OWNER/REPO; the ambient identity signs as this repository
COSIGN_PASSWORD = "correct horse battery staple"
ANNOTATION = re.compile(r"\s#\s*(?:exit (?P<exit>\d+)\b|needs: (?P<needs>[a-z]+)\b)")


@dataclass(frozen=True)
class Command:
    index: int
    line: int  # README line of the command's first line
    text: str  # as written, continuation lines included
    expect: int
    needs: str | None

    @property
    def label(self) -> str:
        first = self.text.splitlines()[0]
        return f"L{self.line}: {first[:60]}"


def readme_commands(text: str) -> list[Command]:
    """The commands of every ```sh block, in order, with their expected exit codes."""
    commands: list[Command] = []
    in_block = False
    pending: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not in_block:
            in_block = line.strip() == "```sh"
            continue
        if line.strip() == "```":
            assert not pending, f"README line {number}: a block ends inside a command"
            in_block = False
            continue
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if not pending:
            start = number
        pending.append(line)
        if line.rstrip().endswith("\\"):
            continue
        found = ANNOTATION.search(pending[-1])
        expect = int(found["exit"]) if found and found["exit"] else 0
        needs = found["needs"] if found and found["needs"] else None
        commands.append(Command(len(commands), start, "\n".join(pending), expect, needs))
        pending = []
    assert not in_block, "README ends inside a ```sh block"
    return commands


COMMANDS = readme_commands(README.read_text(encoding="utf-8"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def filled(command: Command, ports: dict[str, int]) -> str:
    """The command with the README's placeholders replaced by what the test provides."""
    text = command.text.replace("OWNER/REPO", OWNER_REPO)
    text = text.replace("COSIGN_PASSWORD=...", f"COSIGN_PASSWORD='{COSIGN_PASSWORD}'")
    for written, port in ports.items():
        text = re.sub(rf"\b{written}\b", str(port), text)
    return text


def prepare_scratch(scratch: Path, authority: TestAuthority) -> None:
    """The clone's files the README uses, and the reader's own project it leaves to them."""
    assets = "tests/assets/attestations"
    shutil.copytree(ROOT / assets, scratch / assets)
    (scratch / "pyproject.toml").write_text(
        '[project]\nname = "mypackage"\nversion = "1.0"\n', encoding="utf-8"
    )
    write_wheel(scratch / "dist", "mypackage", "1.0")
    write_sdist(scratch / "dist", "mypackage", "1.0")
    key = ec.generate_private_key(ec.SECP256R1())
    (scratch / "cosign.key").write_bytes(cosign_encrypted_pem(key, COSIGN_PASSWORD.encode()))
    (scratch / "cosign.pub").write_bytes(public_pem(key))
    trust = authority.write_trust_files(scratch / ".trust")
    shutil.copyfile(trust["trust_config"], scratch / "trust_config.json")
    (scratch / "home").mkdir()


def script_env(scratch: Path, authority: TestAuthority) -> dict[str, str]:
    env = quiet_pip_env()
    for name in (
        "SIGSTORE_ID_TOKEN",
        "PYVOUCH_IDENTITY_TOKEN",
        "CIRCLECI",
        "GOOGLE_SERVICE_ACCOUNT_NAME",
        "BUILDKITE",
        "GITLAB_CI",
        "VIRTUAL_ENV",
        "PIP_INDEX_URL",
    ):
        env.pop(name, None)
    claims = github_claims(OWNER_REPO, "release.yml")
    authority.register_ambient_token("readme-request-token", authority.github, claims)
    env.update(
        {
            "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
            "HOME": str(scratch / "home"),
            "XDG_CACHE_HOME": str(scratch / "home" / ".cache"),
            "PYVOUCH_CACHE_DIR": str(scratch / ".pyvouch-cache"),
            "PYVOUCH_DATA_DIR": str(scratch / ".pyvouch-data"),
            "PIP_NO_CACHE_DIR": "1",
            "TOKEN": authority.github.mint(claims),
            "GITHUB_ACTIONS": "true",
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "readme-request-token",
            "ACTIONS_ID_TOKEN_REQUEST_URL": f"{authority.base_url}/gha/token",
        }
    )
    return env


@dataclass(frozen=True)
class Outcome:
    returncode: int | None  # None: never reached
    stdout: str
    stderr: str


@dataclass(frozen=True)
class ReadmeRun:
    outcomes: dict[int, Outcome]
    scratch: Path
    left_running: bool  # processes of the script still alive after it ended


@pytest.fixture(scope="module")
def readme_run(tmp_path_factory: pytest.TempPathFactory) -> ReadmeRun:
    assert (BIN / "pyvouch").is_file(), f"no pyvouch entry point in {BIN}: pip install -e ."
    scratch = tmp_path_factory.mktemp("readme")
    logs = tmp_path_factory.mktemp("readme-logs")
    results = logs / "results"
    ports = {"8000": free_port(), "8001": free_port(), "8002": free_port()}
    authority = TestAuthority()
    with authority.serve():
        prepare_scratch(scratch, authority)
        lines = ["#!/usr/bin/env bash", f"cd '{scratch}'"]
        for command in COMMANDS:
            if command.needs is not None:
                lines.append(f"# left out (needs: {command.needs}), README line {command.line}")
                continue
            out, err = logs / f"{command.index}.out", logs / f"{command.index}.err"
            lines.append("{ " + filled(command, ports) + f"\n}} >'{out}' 2>'{err}'")
            lines.append(f"echo \"{command.index} $?\" >>'{results}'")
        script = logs / "readme.sh"
        script.write_text("\n".join(lines) + "\n", encoding="utf-8")
        proc = subprocess.Popen(
            ["bash", str(script)],
            cwd=scratch,
            env=script_env(scratch, authority),
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        left_running = True
        try:
            proc.wait(timeout=SCRIPT_TIMEOUT)
            left_running = still_running(proc.pid)
        finally:
            # The script and anything it left running (a server a failed command did not stop).
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    codes: dict[int, int] = {}
    if results.exists():
        for row in results.read_text().splitlines():
            index, code = row.split()
            codes[int(index)] = int(code)

    def read(path: Path) -> str:
        return path.read_text(errors="replace") if path.exists() else ""

    outcomes = {
        c.index: Outcome(
            codes.get(c.index),
            read(logs / f"{c.index}.out"),
            read(logs / f"{c.index}.err"),
        )
        for c in COMMANDS
    }
    return ReadmeRun(outcomes, scratch, left_running)


def still_running(group: int, patience: float = 15.0) -> bool:
    """Whether a process of the process group ``group`` is still there after ``patience``
    seconds (a server the script just sent SIGTERM takes a moment to exit)."""
    deadline = time.monotonic() + patience
    while True:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return False
        if time.monotonic() > deadline:
            return True
        time.sleep(0.1)


def outcome_of(run: ReadmeRun, start: str) -> Outcome:
    """The outcome of the one README command that starts with ``start``."""
    found = [c for c in COMMANDS if c.text.startswith(start)]
    assert len(found) == 1, f"{len(found)} README commands start with {start!r}"
    return run.outcomes[found[0].index]


@pytest.mark.parametrize("command", COMMANDS, ids=[c.label for c in COMMANDS])
def test_readme_command(command: Command, readme_run: ReadmeRun) -> None:
    if command.needs is not None:
        assert command.needs in NEEDS, f"README line {command.line}: unknown need {command.needs}"
        pytest.skip(f"README line {command.line} needs {command.needs}: {NEEDS[command.needs]}")
    outcome = readme_run.outcomes[command.index]
    shown = f"README line {command.line}:\n{command.text}\n--- stdout\n{outcome.stdout[-3000:]}"
    shown += f"\n--- stderr\n{outcome.stderr[-3000:]}"
    assert outcome.returncode is not None, f"never ran (the script stopped before it)\n{shown}"
    assert outcome.returncode == command.expect, shown
    assert "Traceback" not in outcome.stderr, shown


def test_the_readme_stops_the_servers_it_starts(readme_run: ReadmeRun) -> None:
    assert not readme_run.left_running, "a process the README started was still running"


def test_the_walk_did_what_the_readme_says(readme_run: ReadmeRun) -> None:
    """A few results beyond exit codes: the gate installed the verified wheel, the second
    sign-blob run skipped the bundles of the first, plain pip installed from the built site."""
    venv = readme_run.scratch / "demo" / "venv"
    assert list(venv.glob("lib/python*/site-packages/rfc8785/__init__.py"))
    assert list(venv.glob("lib/python*/site-packages/mypackage/__init__.py"))
    rerun = outcome_of(readme_run, "pyvouch sign-blob dist/* --trust-config")
    assert "skipped dist/mypackage-1.0.tar.gz.sigstore.json: a Sigstore bundle" in rerun.stderr
    assert "signed 2 file(s)" in rerun.stdout
    plan = outcome_of(readme_run, "pyvouch sign dist/ --dry-run")
    assert OWNER_REPO in plan.stdout  # the ambient identity the test provides
    signed = sorted(p.name for p in (readme_run.scratch / "attest").iterdir())
    assert signed == [
        "mypackage-1.0-py3-none-any.whl.publish.attestation",
        "mypackage-1.0.tar.gz.publish.attestation",
    ]
    assert not (readme_run.scratch / "corpus").exists()


def test_the_new_walks_did_what_the_readme_says(readme_run: ReadmeRun) -> None:
    """verify --package verified both files by the bundles beside them (and the other signer
    is a mismatch); the vulnerability scan blocked while exposure was unknown and allowed
    once the code was shown not to import the package; reachability said so."""
    beside = "pyvouch verify --package mypackage==1.0 --index-url http://127.0.0.1:8002/simple/"
    honest = outcome_of(
        readme_run, beside + " \\\n    --trust-root trust_config.json --publisher github:OWNER"
    )
    for name in ("mypackage-1.0-py3-none-any.whl", "mypackage-1.0.tar.gz"):
        assert f"verified {name} [sigstore-bundle]" in honest.stdout
    assert f"github:{OWNER_REPO}:release.yml" in honest.stdout
    forged = outcome_of(
        readme_run, beside + " \\\n    --trust-root trust_config.json --publisher github:mallory"
    )
    assert forged.stdout.count("mismatch mypackage-1.0") == 2
    vulns = "pyvouch scan demo/lock.txt $I --staging --vulns --vuln-db demo/osv"
    blocked = outcome_of(readme_run, vulns + "                  # exit 1")
    assert "DEMO-2026-1  critical  unknown" in blocked.stdout
    assert "1 blocked by policy" in blocked.stdout
    allowed = outcome_of(readme_run, vulns + " --source")
    assert "DEMO-2026-1  critical  not-imported" in allowed.stdout
    assert "blocked" not in allowed.stdout
    reach = outcome_of(readme_run, "pyvouch reachability demo/lock.txt")
    assert "rfc8785: not-imported: installed" in reach.stdout


def test_only_the_named_commands_are_left_out() -> None:
    found = Counter(c.needs for c in COMMANDS if c.needs is not None)
    assert dict(found) == LEFT_OUT
    assert len(COMMANDS) - sum(LEFT_OUT.values()) >= 30  # the README really is exercised


def test_annotations_are_read() -> None:
    """The parser reads `# exit N` and `# needs: WHAT` only as a trailing comment's start."""
    text = (
        "```sh\n# exit 5 (a comment line, not an annotation)\n"
        "pyvouch a  # exit 1: why\n"
        "pyvouch b \\\n    --x   # needs: network (why)\n"
        "pyvouch c  # verified, exit 3 is prose\n```\n"
    )
    got = [(c.text.split()[1], c.expect, c.needs, c.line) for c in readme_commands(text)]
    assert got == [("a", 1, None, 3), ("b", 0, "network", 4), ("c", 0, None, 6)]


def test_the_history_walk_recorded_two_repositories_and_built_the_dashboard(
    readme_run: ReadmeRun,
) -> None:
    """scan --record and record of the other repository's report made two scans; history and
    the dashboard show them (the dashboard's own numbers are tested in tests/dashboard)."""
    scans = outcome_of(readme_run, "pyvouch history scans --store demo/history.sqlite3")
    assert "github.com/you/app" in scans.stdout
    assert "github.com/you/lib" in scans.stdout
    package = outcome_of(readme_run, "pyvouch history package sampleproject")
    assert "verified" in package.stdout
    index = readme_run.scratch / "demo" / "dashboard" / "index.html"
    assert "github.com/you/lib" in index.read_text("utf-8")
