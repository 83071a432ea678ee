# ruff: noqa: E501  (a lock file written verbatim, with its long lines)
"""`pyvouch policy init`: a starting policy in collect mode that loads back, never an
overwrite without --force."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pyvouch.cli.main import cli
from pyvouch.policy.config import parse_config
from pyvouch.policy.schema import Mode
from pyvouch.policy_files.config_file import load_config
from tests.support.policy_sites import SHARED_LOCKS

UV = SHARED_LOCKS / "uv" / "sigstore-python.uv.lock"

LOCK = """\
version = 1
requires-python = ">=3.9"

[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }
dependencies = [{ name = "requests" }, { name = "cryptography" }]

[[package]]
name = "requests"
version = "2.32.3"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "urllib3" }, { name = "idna" }]
wheels = [{ url = "https://files.example/requests-2.32.3-py3-none-any.whl", hash = "sha256:%(a)s" }]

[[package]]
name = "cryptography"
version = "43.0.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "cffi" }]
wheels = [{ url = "https://files.example/cryptography-43.0.0-cp39-abi3-manylinux_2_28_x86_64.whl", hash = "sha256:%(b)s" }]

[[package]]
name = "cffi"
version = "1.17.1"
source = { registry = "https://pypi.org/simple" }
sdist = { url = "https://files.example/cffi-1.17.1.tar.gz", hash = "sha256:%(c)s" }

[[package]]
name = "urllib3"
version = "2.2.3"
source = { registry = "https://pypi.org/simple" }
wheels = [{ url = "https://files.example/urllib3-2.2.3-py3-none-any.whl", hash = "sha256:%(d)s" }]

[[package]]
name = "idna"
version = "3.10"
source = { registry = "https://pypi.org/simple" }
wheels = [{ url = "https://files.example/idna-3.10-py3-none-any.whl", hash = "sha256:%(e)s" }]
""" % {k: k * 64 for k in "abcde"}


def run(*args: str | Path) -> Result:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    return result


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "uv.lock").write_text(LOCK, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_init_writes_a_collect_policy_with_reasons(project: Path) -> None:
    result = run("policy", "init", "uv.lock")
    assert result.exit_code == 0, result.output
    written = project / "pyvouch.toml"
    policy = load_config(written)
    assert policy.mode is Mode.COLLECT
    # requests and cryptography: direct (the editable root's dependencies); cryptography also
    # native; cffi builds from source; nothing has two dependents.
    assert policy.critical.packages == ("cffi", "cryptography", "requests")
    text = written.read_text("utf-8")
    assert '"cryptography",  # direct dependency; native code' in text
    assert '"cffi",  # installed from source (runs its build hooks)' in text


def test_init_never_overwrites_without_force(project: Path) -> None:
    written = project / "pyvouch.toml"
    written.write_text('mode = "enforce"\n', encoding="utf-8")
    refused = run("policy", "init", "uv.lock")
    assert refused.exit_code == 2
    assert "pyvouch.toml exists; pass --force" in refused.output
    assert written.read_text("utf-8") == 'mode = "enforce"\n'
    forced = run("policy", "init", "uv.lock", "--force")
    assert forced.exit_code == 0, forced.output
    assert load_config(written).mode is Mode.COLLECT


def test_stdout_and_pyproject_forms_write_nothing(project: Path) -> None:
    out = run("policy", "init", "uv.lock", "--stdout")
    assert out.exit_code == 0
    assert parse_config(tomllib.loads(out.output), project / "x.toml").mode is Mode.COLLECT
    table = run("policy", "init", "uv.lock", "--pyproject")
    assert table.exit_code == 0
    data = tomllib.loads(table.output)["tool"]["pyvouch"]
    assert parse_config(data, project / "pyproject.toml", "tool.pyvouch").critical.packages
    assert not (project / "pyvouch.toml").exists()


def test_a_pyproject_policy_is_not_shadowed(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.pyvouch]\nmode = "warn"\n', encoding="utf-8")
    result = run("policy", "init", "uv.lock")
    assert result.exit_code == 2
    assert "already has a [tool.pyvouch] table" in result.output
    assert not (project / "pyvouch.toml").exists()


def test_direct_dependencies_come_from_pyproject(project: Path) -> None:
    lock = project / "requirements.txt"
    lock.write_text("idna==3.10\nsix==1.17.0\n", encoding="utf-8")
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\nversion = "1"\ndependencies = ["IDNA>=3"]\n', encoding="utf-8"
    )
    result = run("policy", "init", lock, "--stdout")
    assert result.exit_code == 0, result.output
    assert parse_config(tomllib.loads(result.output), lock).critical.packages == ("idna",)


@pytest.mark.corpus
@pytest.mark.skipif(not UV.is_file(), reason="../shared/fixtures/lockfiles is absent")
def test_a_real_uv_lock_gets_the_most_depended_upon(tmp_path: Path) -> None:
    result = run("policy", "init", UV, "--stdout", "--top", "3")
    assert result.exit_code == 0, result.output
    policy = parse_config(tomllib.loads(result.output), tmp_path / "pyvouch.toml")
    assert policy.mode is Mode.COLLECT
    depended = [line for line in result.output.splitlines() if "depended on by" in line]
    assert 1 <= len(depended) <= 3
    assert "native code" in result.output  # sigstore's lock has compiled wheels (cryptography)


@pytest.mark.parametrize("printing", ["--stdout", "--pyproject"])
def test_printing_with_an_output_file_is_refused_not_ignored(project: Path, printing: str) -> None:
    """--stdout/--pyproject write nothing, so an --output beside them would be silently
    ignored: the combination is refused (exit 2) and no file appears."""
    result = run("policy", "init", "uv.lock", printing, "--output", "mine.toml")
    assert result.exit_code == 2
    assert f"{printing} prints the policy and writes nothing" in result.output
    assert "[tiers" not in result.output and "[tool" not in result.output
    assert not (project / "mine.toml").exists() and not (project / "pyvouch.toml").exists()
    honoured = run("policy", "init", "uv.lock", "--output", "mine.toml")
    assert honoured.exit_code == 0, honoured.output
    assert load_config(project / "mine.toml").mode is Mode.COLLECT
