"""Suite-wide: pyvouch's data dir (trust updates, the verdict-cache key) and its cache dir are
scratch directories, never the user's, unless a test sets its own: the suite writes nothing
outside its temporary directories. And an exception that escapes a command run in process
fails the test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner, Result


@pytest.fixture(scope="session", autouse=True)
def _scratch_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYVOUCH_DATA_DIR", str(tmp_path_factory.mktemp("pyvouch-data")))
        patch.setenv("PYVOUCH_CACHE_DIR", str(tmp_path_factory.mktemp("pyvouch-cache")))
        yield


@pytest.fixture(scope="session", autouse=True)
def _escaped_exceptions_fail_the_test() -> Iterator[None]:
    """`CliRunner.invoke` raises what escapes a command into the test. Click's default catches
    it and reports exit 1, which a test expecting "findings: exit 1" would take for a pass
    (a user would have seen a traceback). A test that means to look at
    ``result.exception`` passes ``catch_exceptions=True``."""
    original = CliRunner.invoke

    def invoke(self: CliRunner, *args: Any, catch_exceptions: bool = False, **kw: Any) -> Result:
        return original(self, *args, catch_exceptions=catch_exceptions, **kw)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(CliRunner, "invoke", invoke)
        yield
