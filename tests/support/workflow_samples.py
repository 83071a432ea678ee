"""Helpers for the workflow linter and `pyvouch check` tests: small workflows and tiny dists."""

from __future__ import annotations

import io
import tarfile
import textwrap
import zipfile
from pathlib import Path

from click.testing import CliRunner, Result

from pyvouch.cli.main import cli
from pyvouch.workflows.lint import LintFinding, LintResult, lint_workflows
from pyvouch.workflows.model import parse_workflow_text

SHARED_WORKFLOWS = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "workflows"
ASSETS = Path(__file__).resolve().parents[1] / "assets" / "attestations"

PUBLISH_SHA = "pypa/gh-action-pypi-publish@dc37677b2e1c63e2034f94d8a5b11f265b73ba33 # v1.14.2"


def lint_text(text: str, name: str = "release.yml", publisher: object = None) -> LintResult:
    workflow = parse_workflow_text(textwrap.dedent(text), Path(name))
    return lint_workflows([workflow], publisher, together=False)  # type: ignore[arg-type]


def rules(result: LintResult, rule: str | None = None) -> list[LintFinding]:
    return [f for f in result.findings if rule is None or f.rule == rule]


def invoke(args: list[str]) -> Result:
    return CliRunner().invoke(cli, args, catch_exceptions=False)


def write_wheel(
    directory: Path,
    name: str = "demo",
    version: str = "1.0",
    *,
    meta_name: str | None = None,
    meta_version: str | None = None,
) -> Path:
    path = directory / f"{name}-{version}-py3-none-any.whl"
    info = f"{name}-{version}.dist-info"
    metadata = (
        f"Metadata-Version: 2.1\nName: {meta_name or name}\nVersion: {meta_version or version}\n"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{name}/__init__.py", "")
        archive.writestr(f"{info}/METADATA", metadata)
        archive.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\n")
        archive.writestr(f"{info}/RECORD", "")
    return path


def write_sdist(
    directory: Path,
    name: str = "demo",
    version: str = "1.0",
    *,
    pkg_info: bool = True,
    meta_version: str | None = None,
) -> Path:
    path = directory / f"{name}-{version}.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        files = {f"{name}-{version}/pyproject.toml": b"[project]\n"}
        if pkg_info:
            files[f"{name}-{version}/PKG-INFO"] = (
                f"Metadata-Version: 2.1\nName: {name}\nVersion: {meta_version or version}\n"
            ).encode()
        for member, data in files.items():
            info = tarfile.TarInfo(member)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path
