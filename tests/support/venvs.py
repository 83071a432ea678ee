"""Scratch virtualenvs for real pip installs, kept fast.

The venv is made without pip (no ensurepip run); the pip of the test interpreter installs into
it with ``pip --python <venv python>``. pip's user and site configuration is switched off so an
install can only reach the index the test names.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PIP_TIMEOUT = 180


@dataclass(frozen=True)
class Venv:
    root: Path

    @property
    def python(self) -> Path:
        return self.root / "bin" / "python"

    def run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.python), *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
            env=quiet_pip_env(),
        )

    def pip_install(self, *args: str, index_url: str) -> subprocess.CompletedProcess[str]:
        """``pip install --index-url INDEX_URL ARGS`` into this venv (no cache, no other index)."""
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "--python",
                str(self.python),
                "install",
                "--no-cache-dir",
                "--index-url",
                index_url,
                "--retries",
                "0",
                "--timeout",
                "30",
                *args,
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=PIP_TIMEOUT,
            env=quiet_pip_env(),
        )


def quiet_pip_env() -> dict[str, str]:
    """The environment without pip configuration that could add another index."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    return env


def make_venv(path: Path) -> Venv:
    """A new virtualenv at ``path`` without pip in it."""
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(path)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return Venv(path)
