"""The canonical release workflow: build in one job, publish with Trusted Publishing from another.

Actions are pinned by commit SHA with the release in a comment. pyvouch cannot reach GitHub
from where it was written, so each SHA was taken from real release workflows that pin the same
commit with the same version comment (``ACTION_PINS`` says which); `pyvouch workflow lint`
flags any action that is not pinned this way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pyvouch import __version__
from pyvouch.errors import InputError, UsageError
from pyvouch.model import Publisher
from pyvouch.tomlfile import read_toml

# action: (commit SHA, release tag, real workflows seen pinning exactly this commit+tag)
ACTION_PINS: dict[str, tuple[str, str, str]] = {
    "actions/checkout": (
        "3d3c42e5aac5ba805825da76410c181273ba90b1",
        "v7.0.1",
        "pypa/pip, pypa/pip-audit, psf/black, sigstore/sigstore-python, DataDog",
    ),
    "actions/setup-python": (
        "5fda3b95a4ea91299a34e894583c3862153e4b97",
        "v7.0.0",
        "pypa/pip, pypa/pip-audit, psf/black, DataDog",
    ),
    "actions/upload-artifact": (
        "043fb46d1a93c77aae656e7c1c64a875d1fc6a0a",
        "v7.0.1",
        "pypa/pip, pypa/pip-audit, psf/black, python-poetry/poetry, OpenAstronomy",
    ),
    "actions/download-artifact": (
        "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c",
        "v8.0.1",
        "pypa/pip, pypa/pip-audit, psf/black, python-poetry/poetry, astral-sh/uv",
    ),
    "pypa/gh-action-pypi-publish": (
        "dc37677b2e1c63e2034f94d8a5b11f265b73ba33",
        "v1.14.2",
        "pypa/pip, pypa/pip-audit, psf/black, sigstore/sigstore-python, Comfy-Org, DataDog",
    ),
}

DEFAULT_OUTPUT = Path(".github/workflows/release.yml")
DEFAULT_ENVIRONMENT = "pypi"
BUILD_BACKENDS = ("auto", "build", "uv")
_PROJECT_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")


def _uses(action: str) -> str:
    sha, tag, _ = ACTION_PINS[action]
    return f"{action}@{sha} # {tag}"


def publishing_page(project: str | None) -> str:
    """Where on PyPI a Trusted Publisher is added (the project's, else a pending one)."""
    if project:
        return f"https://pypi.org/manage/project/{project}/settings/publishing/"
    return "https://pypi.org/manage/account/publishing/ (a pending publisher for a new project)"


@dataclass(frozen=True, slots=True)
class TrustedPublisherSettings:
    """What to enter on PyPI (project > Settings > Publishing > Add a new publisher: GitHub)."""

    owner: str | None
    repository: str | None
    workflow: str
    environment: str

    def render(self, project: str | None) -> str:
        lines = [
            f"Register this Trusted Publisher on PyPI ({publishing_page(project)}):",
            f"  PyPI project name: {project or '(your project name)'}",
            f"  Owner:             {self.owner or '(your GitHub user or organisation)'}",
            f"  Repository name:   {self.repository or '(your repository)'}",
            f"  Workflow name:     {self.workflow}",
            f"  Environment name:  {self.environment}",
            f"Then create the environment '{self.environment}' in the repository's settings "
            "(Settings > Environments), ideally with required reviewers.",
        ]
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Generated:
    text: str
    settings: TrustedPublisherSettings
    project: str | None
    notes: tuple[str, ...]


def _read_pyproject(path: Path) -> dict[str, object]:
    try:
        return read_toml(path, error=InputError, limit=None)
    except InputError:
        if not path.exists():
            return {}
        raise


def _project_and_backend(pyproject: Path) -> tuple[str | None, str | None]:
    data = _read_pyproject(pyproject)
    project = data.get("project")
    name = project.get("name") if isinstance(project, dict) else None
    system = data.get("build-system")
    backend = system.get("build-backend") if isinstance(system, dict) else None
    return (
        name if isinstance(name, str) else None,
        backend if isinstance(backend, str) else None,
    )


def _build_step(tool: str) -> list[str]:
    if tool == "uv":
        return [
            "      - name: Build the sdist and wheel",
            "        run: |",
            "          python -m pip install --upgrade uv",
            "          uv build",
        ]
    return [
        "      - name: Build the sdist and wheel",
        "        run: |",
        "          python -m pip install --upgrade build",
        "          python -m build",
    ]


@dataclass(frozen=True, slots=True)
class ProjectFacts:
    """What a generated release workflow (GitHub or GitLab) takes from the project."""

    project: str | None
    tool: str
    """``build`` or ``uv``."""
    notes: tuple[str, ...]


def project_facts(
    build_backend: str, project: str | None, pyproject: Path = Path("pyproject.toml")
) -> ProjectFacts:
    """The PyPI project name (given, else pyproject.toml's), the build tool, and notes (a
    backend that builds native code)."""
    if build_backend not in BUILD_BACKENDS:
        raise UsageError(f"--build-backend must be one of {', '.join(BUILD_BACKENDS)}")
    found_name, backend = _project_and_backend(pyproject)
    project = project or found_name
    if project is not None and not _PROJECT_NAME.fullmatch(project):
        raise UsageError(f"{project!r} is not a valid project name")
    notes: list[str] = []
    if backend and backend.startswith(("maturin", "scikit_build_core", "mesonpy")):
        notes.append(
            f"{pyproject} uses the {backend} backend: `python -m build` makes one wheel for "
            "the runner's platform only. For compiled extensions, build wheels per platform "
            "(cibuildwheel, PyO3/maturin-action) in jobs that `publish` needs."
        )
    return ProjectFacts(
        project, "build" if build_backend == "auto" else build_backend, tuple(notes)
    )


def generate_workflow(
    publisher: Publisher | None,
    *,
    output: Path = DEFAULT_OUTPUT,
    build_backend: str = "auto",
    dispatch: bool = False,
    project: str | None = None,
    pyproject: Path = Path("pyproject.toml"),
) -> Generated:
    """The workflow text and the Trusted Publisher settings that go with it."""
    if build_backend not in BUILD_BACKENDS:
        raise UsageError(f"--build-backend must be one of {', '.join(BUILD_BACKENDS)}")
    if publisher is not None and publisher.kind != "GitHub":
        raise UsageError("--publisher must be github:OWNER/REPO[:WORKFLOW][@ENVIRONMENT]")
    workflow = output.name
    if publisher is not None and publisher.workflow and publisher.workflow != workflow:
        raise UsageError(
            f"--publisher names workflow {publisher.workflow}, but --output writes {workflow}: "
            "PyPI matches the workflow's file name, so they must agree"
        )
    if not workflow.endswith((".yml", ".yaml")):
        raise UsageError(f"--output must be a .yml or .yaml file, not {workflow}")
    environment = (publisher.environment if publisher else None) or DEFAULT_ENVIRONMENT
    facts = project_facts(build_backend, project, pyproject)
    project, tool, notes = facts.project, facts.tool, list(facts.notes)
    owner, repo = None, None
    if publisher is not None and publisher.repository:
        owner, _, repo = publisher.repository.partition("/")
    settings = TrustedPublisherSettings(owner, repo, workflow, environment)

    triggers = ["on:", "  release:", "    types:", "      - published"]
    if dispatch:
        triggers.append("  workflow_dispatch:")
    env_lines = [f"      name: {environment}"]
    if project:
        env_lines.append(f"      url: https://pypi.org/p/{project}")
    lines = [
        f"# Generated by pyvouch {__version__} (`pyvouch workflow init`).",
        "# Builds the sdist and wheel in a job without credentials, then publishes them to PyPI",
        "# with Trusted Publishing; gh-action-pypi-publish makes a PEP 740 attestation for each",
        "# file (on by default). PyPI Trusted Publisher for this workflow:",
        f"#   owner {owner or 'OWNER'}, repository {repo or 'REPO'}, workflow {workflow}, "
        f"environment {environment}",
        "# Actions are pinned by commit SHA; keep them current with Dependabot or Renovate.",
        "name: release",
        "",
        *triggers,
        "",
        "permissions: {}",
        "",
        "jobs:",
        "  build:",
        "    name: Build the distributions",
        "    runs-on: ubuntu-latest",
        "    permissions:",
        "      contents: read",
        "    steps:",
        f"      - uses: {_uses('actions/checkout')}",
        "        with:",
        "          persist-credentials: false",
        f"      - uses: {_uses('actions/setup-python')}",
        "        with:",
        '          python-version: "3.x"',
        *_build_step(tool),
        "      - name: Store the distributions",
        f"        uses: {_uses('actions/upload-artifact')}",
        "        with:",
        "          name: dist",
        "          path: dist/",
        "          if-no-files-found: error",
        "",
        "  publish:",
        "    name: Publish to PyPI",
        "    needs: build",
        "    runs-on: ubuntu-latest",
        "    environment:",
        *env_lines,
        "    permissions:",
        "      id-token: write # Trusted Publishing and PEP 740 attestations",
        "    steps:",
        "      - name: Download the distributions",
        f"        uses: {_uses('actions/download-artifact')}",
        "        with:",
        "          name: dist",
        "          path: dist/",
        "      - name: Publish to PyPI",
        f"        uses: {_uses('pypa/gh-action-pypi-publish')}",
    ]
    return Generated("\n".join(lines) + "\n", settings, project, tuple(notes))
