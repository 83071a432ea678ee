"""pip installs from a built site, served by a plain static server, into a scratch venv."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pyvouch.registry.static_site import build_site
from tests.index_build.conftest import copy_attested
from tests.support.static_server import serve_directory
from tests.support.venvs import make_venv, quiet_pip_env

pytestmark = pytest.mark.slow

PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "vouch-demo-pkg"
version = "0.3.1"
requires-python = ">=3.8"
description = "A package built by the pyvouch test suite"

[tool.setuptools]
py-modules = ["vouch_demo"]
"""


def build_demo_package(tmp_path: Path, out: Path) -> None:
    project = tmp_path / "demo"
    project.mkdir()
    (project / "pyproject.toml").write_text(PYPROJECT)
    (project / "vouch_demo.py").write_text('ANSWER = "served by a pyvouch static index"\n')
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(project)],
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
        env=quiet_pip_env(),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_pip_installs_from_a_built_site(tmp_path: Path) -> None:
    dists = tmp_path / "dists"
    build_demo_package(tmp_path, dists)
    built = sorted(p.name for p in dists.iterdir())
    assert any(n.endswith(".whl") for n in built) and any(n.endswith(".tar.gz") for n in built)
    # A real attested wheel too (rfc8785 has no dependencies).
    copy_attested(dists, ("rfc8785-0.1.2-py3-none-any.whl",))
    site = tmp_path / "site"
    result = build_site(dists, site)
    assert (result.projects, result.files, result.files_with_provenance) == (2, 3, 1)

    venv = make_venv(tmp_path / "venv")
    with serve_directory(site) as server:
        proc = venv.pip_install("vouch-demo-pkg==0.3.1", "rfc8785", index_url=server.index_url)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        requested = [path for _method, path, _accept in server.requests]
    # pip read the pages, took the PEP 658 metadata, then the wheels (not the sdist).
    assert "/simple/vouch-demo-pkg/" in requested
    assert "/simple/rfc8785/" in requested
    assert any(p.endswith(".whl.metadata") for p in requested)
    assert not any(p.endswith(".tar.gz") for p in requested)
    assert len(requested) < 30

    check = venv.run(
        "-c",
        "import vouch_demo, rfc8785\n"
        "print(vouch_demo.ANSWER)\n"
        "print(rfc8785.dumps({'b': 1}).decode())",
    )
    assert check.returncode == 0, check.stderr
    assert check.stdout.splitlines() == ["served by a pyvouch static index", '{"b":1}']


def test_pip_reports_a_missing_project(tmp_path: Path) -> None:
    """The same setup fails when the project is not in the site (the test above can fail)."""
    dists = copy_attested(tmp_path / "dists", ("rfc8785-0.1.2-py3-none-any.whl",))
    site = tmp_path / "site"
    build_site(dists, site)
    venv = make_venv(tmp_path / "venv")
    with serve_directory(site) as server:
        proc = venv.pip_install("vouch-demo-pkg", index_url=server.index_url)
    assert proc.returncode != 0
    assert "No matching distribution found for vouch-demo-pkg" in proc.stderr
