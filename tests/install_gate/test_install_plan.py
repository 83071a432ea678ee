"""`run_install_plan` and `install_pinned` called directly: pip's arguments in, the gate's
plan (decided scan, exit code, hash-pinned requirements) out; nothing is installed until
`install_pinned` is called with a plan the gate passed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pyvouch.errors import EXIT_FINDINGS, EXIT_OK
from pyvouch.model import Action, Status
from pyvouch.pipeline.install import InstallRequest, PipFailed, install_pinned, run_install_plan
from pyvouch.pipeline.settings import LookupFlags
from pyvouch.policy.overrides import Overrides
from pyvouch.testing import TestAuthority
from tests.support.install_sites import installed, minted_site
from tests.support.policy_sites import Minter
from tests.support.static_server import StaticServer, serve_directory
from tests.support.venvs import Venv, make_venv, quiet_pip_env

pytestmark = pytest.mark.slow

PIP_QUIET = ("--no-cache-dir", "--retries", "0", "--timeout", "30")


@pytest.fixture(scope="module")
def minted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[StaticServer, Path]]:
    minter = Minter(TestAuthority())
    root = tmp_path_factory.mktemp("plan-minted")
    trust = minter.authority.write_trust_files(root / "trust")["trusted_root"]
    with serve_directory(minted_site(minter, root), negotiate=True) as server:
        yield server, trust


@pytest.fixture
def venv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Venv:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PYVOUCH_DATA_DIR", str(tmp_path / "data"))
    return make_venv(tmp_path / "venv")


def request(
    minted: tuple[StaticServer, Path], venv: Venv, *args: str, overrides: Overrides | None = None
) -> InstallRequest:
    server, trust = minted
    lookup = LookupFlags(
        index_url=server.index_url,
        offline=False,
        jobs=4,
        timeout=30.0,
        retries=1,
        staging=False,
        trust_root=trust,
        cache_dir=None,
        config_path=None,
    )
    return InstallRequest(
        (*args, *PIP_QUIET),
        lookup,
        overrides or Overrides(),
        python=str(venv.python),
        env=quiet_pip_env(),
    )


def requirements(text: str) -> str:
    """The requirement lines of ``text``, continuation lines joined, comments left out."""
    lines = text.replace("\\\n", " ").splitlines()
    return "\n".join(" ".join(line.split()) for line in lines if not line.startswith("#"))


def test_a_verified_plan_installs_exactly_the_pinned_file(
    minted: tuple[StaticServer, Path], venv: Venv
) -> None:
    plan = run_install_plan(request(minted, venv, "gated-solo"))
    assert plan.exit_code == EXIT_OK
    assert plan.result is not None
    [package] = plan.result.packages
    assert package.status is Status.VERIFIED
    [finding] = package.findings
    assert f"gated-solo==1.0 --hash=sha256:{finding.file.sha256}" in requirements(plan.pinned)
    assert installed(venv) == {}  # planning installs nothing
    assert install_pinned(plan, machine=True) == 0
    assert installed(venv) == {"gated-solo": "1.0"}


def test_an_unattested_dependency_blocks_the_whole_plan(
    minted: tuple[StaticServer, Path], venv: Venv
) -> None:
    warnings: list[str] = []
    plan = run_install_plan(request(minted, venv, "gated-app"), warn=warnings.append)
    assert plan.exit_code == EXIT_FINDINGS
    assert plan.mode == "enforce"  # the gate's floor, whatever no policy file says
    assert plan.result is not None
    decisions = {p.package.name: p.decision for p in plan.result.packages}
    lib = decisions["gated-lib"]
    assert lib is not None and lib.action is Action.BLOCK
    with pytest.raises(AssertionError):
        install_pinned(plan, machine=True)
    assert installed(venv) == {}
    assert warnings == []


def test_the_floor_is_relaxed_only_by_a_flag(minted: tuple[StaticServer, Path], venv: Venv) -> None:
    plan = run_install_plan(request(minted, venv, "gated-app", overrides=Overrides(mode="collect")))
    assert plan.exit_code == EXIT_OK and plan.mode == "collect"
    assert "gated-lib==1.0 --hash=sha256:" in requirements(plan.pinned)


def test_pip_failing_to_resolve_is_an_error_with_pips_own_lines(
    minted: tuple[StaticServer, Path], venv: Venv
) -> None:
    with pytest.raises(PipFailed) as caught:
        run_install_plan(request(minted, venv, "no-such-project-anywhere"))
    assert "pip could not resolve the requirements" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert any(line.startswith("ERROR:") for line in caught.value.lines)
    assert not any(line.startswith("Traceback") for line in caught.value.lines)
