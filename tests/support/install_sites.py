"""Loopback indexes and a runner for the install gate's end-to-end tests.

The real site holds two real PyPI wheels without dependencies: ``rfc8785-0.1.2`` with its real
(staging-signed) PEP 740 attestation, and ``pypi_attestations-0.0.19``, published without one.
The minted site holds small wheels signed by the local test authority, one of which depends on
an unattested one. `pyvouch install` runs as a subprocess, exactly as a user runs it, with pip
configuration switched off so pip reaches nothing but the loopback index.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tests.support.policy_sites import Minter, Signer, build_site
from tests.support.venvs import PIP_TIMEOUT, Venv, quiet_pip_env

ASSETS = Path(__file__).resolve().parent.parent / "assets" / "attestations"
ATTESTED_WHEEL = "rfc8785-0.1.2-py3-none-any.whl"
UNATTESTED_WHEEL = "pypi_attestations-0.0.19-py3-none-any.whl"
APP = Signer("acme/gated-app", "release.yml")


def real_dists(folder: Path, *, attestations: bool = True) -> Path:
    """The two real wheels (and the attested one's attestation, unless told not to)."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ASSETS / ATTESTED_WHEEL, folder / ATTESTED_WHEEL)
    shutil.copyfile(ASSETS / UNATTESTED_WHEEL, folder / UNATTESTED_WHEEL)
    if attestations:
        name = f"{ATTESTED_WHEEL}.publish.attestation"
        shutil.copyfile(ASSETS / name, folder / name)
    return folder


def write_wheel(
    folder: Path,
    project: str,
    version: str,
    requires: tuple[str, ...] = (),
    modules: dict[str, str] | None = None,
) -> Path:
    """A minimal valid wheel with ``Requires-Dist`` lines (and ``modules``: path -> source
    instead of the one ``__init__.py``)."""
    folder.mkdir(parents=True, exist_ok=True)
    module = project.replace("-", "_")
    dist_info = f"{module}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {project}\nVersion: {version}\n"
    metadata += "".join(f"Requires-Dist: {r}\n" for r in requires)
    sources = modules or {f"{module}/__init__.py": f'__version__ = "{version}"\n'}
    files = {
        **{name: text.encode() for name, text in sources.items()},
        f"{dist_info}/METADATA": metadata.encode(),
        f"{dist_info}/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: pyvouch-tests\nRoot-Is-Purelib: true\n"
            b"Tag: py3-none-any\n"
        ),
    }
    record = []
    for name, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    path = folder / f"{module}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), data)
    return path


def minted_site(minter: Minter, root: Path) -> Path:
    """``gated-app`` 1.0 (signed as APP, requires ``gated-lib``), ``gated-lib`` 1.0 (no
    attestation) and ``gated-solo`` 1.0 (signed as APP, no dependencies)."""
    dists = root / "dists"
    app = write_wheel(dists, "gated-app", "1.0", ("gated-lib>=1.0",))
    write_wheel(dists, "gated-lib", "1.0")
    solo = write_wheel(dists, "gated-solo", "1.0")
    minter.sign([app, solo], APP)
    return build_site(dists, root / "site")


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def pyvouch_install(
    *args: str | Path, cwd: Path, env: Mapping[str, str | None] | None = None
) -> Run:
    """``python -m pyvouch install ARGS`` with pip reaching only what ARGS name (``env``:
    variables to set on top, or to remove with None). pip installs unless ARGS name an
    installer: the scratch venvs have no pip, which would make uv the default."""
    if "--installer" not in args:
        args = ("--installer", "pip", *args)
    environ = quiet_pip_env()
    for key, value in (env or {}).items():
        if value is None:
            environ.pop(key, None)
        else:
            environ[key] = value
    done = subprocess.run(
        [sys.executable, "-m", "pyvouch", "install", *(str(a) for a in args)],
        capture_output=True,
        text=True,
        check=False,
        timeout=2 * PIP_TIMEOUT,
        env=environ,
        cwd=cwd,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return Run(done.returncode, done.stdout, done.stderr)


def installed(venv: Venv) -> dict[str, str]:
    """``pip list`` of the venv: normalized name -> version."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv.python), "list", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=PIP_TIMEOUT,
        env=quiet_pip_env(),
    )
    return {p["name"].lower().replace("_", "-"): p["version"] for p in json.loads(done.stdout)}
