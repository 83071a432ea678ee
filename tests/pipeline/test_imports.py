"""The pipeline is a service without a command line: importing it imports no click, and the
modules on a scan's path import no cryptography (a warm scan imports no sigstore)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import pyvouch.pipeline

MODULES = sorted(
    f"pyvouch.pipeline.{m.name}" for m in pkgutil.iter_modules(pyvouch.pipeline.__path__)
)
# `verify` verifies whatever it is given, so it may import the cryptography up front.
LIGHT = [m for m in MODULES if m != "pyvouch.pipeline.verify"]
CRYPTO = ("sigstore", "pypi_attestations", "cryptography", "tuf", "rich")


def imported_after(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return set(done.stdout.split())


def test_every_module_is_listed() -> None:
    assert "pyvouch.pipeline.scan" in MODULES and "pyvouch.pipeline.service" in MODULES
    assert len(MODULES) >= 8


def test_no_module_of_the_pipeline_imports_click() -> None:
    loaded = imported_after(", ".join(["pyvouch.pipeline", *MODULES]))
    assert set(MODULES) <= loaded
    assert not {m for m in loaded if m.split(".")[0] == "click"}


@pytest.mark.parametrize("module", LIGHT)
def test_the_scan_path_imports_no_cryptography(module: str) -> None:
    loaded = imported_after(module)
    assert not {m for m in loaded if m.split(".")[0] in CRYPTO}
