"""Suite-wide: pyvouch's data dir (trust updates, the verdict-cache key) and its cache dir are
scratch directories, never the user's, unless a test sets its own: the suite writes nothing
outside its temporary directories."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session", autouse=True)
def _scratch_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYVOUCH_DATA_DIR", str(tmp_path_factory.mktemp("pyvouch-data")))
        patch.setenv("PYVOUCH_CACHE_DIR", str(tmp_path_factory.mktemp("pyvouch-cache")))
        yield
