"""Wheels with every kind of installed file, a minted site of them, and installs by real pip.

``tool`` 1.0 has a package, a top-level module from ``.data/purelib``, a ``#!python`` script
(pip rewrites its first line), a shell script, a data file and a console entry point (pip
writes its launcher); ``other`` 1.0 is a one-module wheel. Both are signed by the test
authority as `tests.support.install_sites.APP`. An attacker's site serves different wheels
under the same names and versions.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.support.install_sites import APP
from tests.support.policy_sites import Minter, build_site
from tests.support.venvs import PIP_TIMEOUT, Venv, make_venv, quiet_pip_env

TOOL_FILES: dict[str, bytes] = {
    "tool/__init__.py": b"def main():\n    print('tool')\n",
    "tool/core.py": b"VALUE = 1\n",
    "tool-1.0.data/purelib/tool_extra.py": b"EXTRA = 2\n",
    "tool-1.0.data/scripts/runme": b"#!python\nprint('runme')\n",
    "tool-1.0.data/scripts/plain.sh": b"#!/bin/sh\necho plain\n",
    "tool-1.0.data/data/share/tool/notes.txt": b"notes\n",
    "tool-1.0.dist-info/entry_points.txt": b"[console_scripts]\ntool = tool:main\n",
}
OTHER_FILES: dict[str, bytes] = {"other.py": b"def answer():\n    return 42\n"}
NS_A_FILES: dict[str, bytes] = {"acme_ns/a/__init__.py": b"A = 1\n"}
NS_B_FILES: dict[str, bytes] = {"acme_ns/b/__init__.py": b"B = 1\n"}
"""Two distributions sharing the namespace package ``acme_ns`` (no ``__init__.py``)."""


def b64(digest: bytes) -> str:
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def write_wheel(
    folder: Path,
    project: str,
    version: str,
    files: dict[str, bytes],
    *,
    tag: str = "py3-none-any",
) -> Path:
    """A valid wheel holding ``files`` (plus METADATA, WHEEL and RECORD)."""
    folder.mkdir(parents=True, exist_ok=True)
    dist_info = f"{project}-{version}.dist-info"
    tags = "".join(f"Tag: {t}\n" for t in _expand(tag))
    members = {
        **files,
        f"{dist_info}/METADATA": (
            f"Metadata-Version: 2.1\nName: {project}\nVersion: {version}\n"
        ).encode(),
        f"{dist_info}/WHEEL": (
            f"Wheel-Version: 1.0\nGenerator: pyvouch-tests\nRoot-Is-Purelib: true\n{tags}"
        ).encode(),
    }
    record = [
        f"{name},sha256={b64(hashlib.sha256(data).digest())},{len(data)}"
        for name, data in members.items()
    ]
    record.append(f"{dist_info}/RECORD,,")
    members[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    path = folder / f"{project}-{version}-{tag}.whl"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), data)
    return path


def _expand(tag: str) -> list[str]:
    py, abi, plat = tag.split("-")
    return [f"{p}-{a}-{q}" for p in py.split(".") for a in abi.split(".") for q in plat.split(".")]


def good_site(minter: Minter, root: Path) -> Path:
    """``tool``, ``other``, ``ns_a`` and ``ns_b``, signed as APP."""
    dists = root / "dists"
    wheels = [
        write_wheel(dists, "tool", "1.0", TOOL_FILES),
        write_wheel(dists, "other", "1.0", OTHER_FILES),
        write_wheel(dists, "ns_a", "1.0", NS_A_FILES),
        write_wheel(dists, "ns_b", "1.0", NS_B_FILES),
    ]
    minter.sign(wheels, APP)
    return build_site(dists, root / "site")


def attacker_site(root: Path, *, tag: str = "py3-none-any") -> Path:
    """``other`` 1.0 again, with other code (unsigned: pip does not look)."""
    dists = root / "dists"
    write_wheel(dists, "other", "1.0", {"other.py": b"import os  # evil\n"}, tag=tag)
    return build_site(dists, root / "site")


def pip_install(venv: Venv, index_url: str, *args: str) -> None:
    done = subprocess.run(
        [
            sys.executable, "-m", "pip", "--python", str(venv.python), "install",
            "--no-cache-dir", "--index-url", index_url, "--retries", "0", "--timeout", "30",
            *args,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=PIP_TIMEOUT,
        env=quiet_pip_env(),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def installed_venv(path: Path, index_url: str, *projects: str) -> Venv:
    venv = make_venv(path)
    pip_install(venv, index_url, *projects)
    return venv


def copy_venv(venv: Venv, path: Path) -> Venv:
    """A copy to tamper with (the launchers' #! lines still name the original's Python)."""
    shutil.copytree(venv.root, path, symlinks=True)
    return Venv(path)


def site_packages(venv: Venv) -> Path:
    (site,) = sorted(venv.root.glob("lib/python3*/site-packages"))
    return site


def rewrite_record(dist_info: Path, path: str, data: bytes | None) -> None:
    """Make RECORD agree with ``path`` now holding ``data`` (None: drop its line), as an
    attacker covering their tracks would."""
    record = dist_info / "RECORD"
    lines = record.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if line.split(",", 1)[0] != path]
    if data is not None:
        kept.append(f"{path},sha256={b64(hashlib.sha256(data).digest())},{len(data)}")
    record.write_text("\n".join(kept) + "\n", encoding="utf-8")
