"""The CLI frame: version, usage errors exit 2 with one line, never a traceback."""

from __future__ import annotations

from pyvouch import __version__
from tests.support.cli_runs import invoke, run_process


def test_version_through_the_real_entry_point() -> None:
    """The smoke test of ``python -m pyvouch`` itself."""
    run = run_process(["--version"])
    assert run.code == 0, run.stderr
    assert run.stdout == f"pyvouch, version {__version__}\n"


def test_unknown_command_is_usage_error() -> None:
    run = invoke(["no-such-command"])
    assert run.code == 2
    assert run.stdout == ""
    assert "No such command 'no-such-command'" in run.stderr
    assert "Traceback" not in run.stderr
