"""Small first-party projects that import real packages, for the reachability tests.

`install` lays a distribution into a site-packages as an installer does (files, dist-info with
METADATA and RECORD). `PACKAGES` are installed from PyPI (pinned) into one scratch venv per session
(`tests/reachability/conftest.py`); `write_demo` writes a project that reaches each of them
in one way: directly, only through another package's imports, never, only from tests,
through a literal dynamic import, in a try/except ImportError fallback, only for type
checking.
"""

from __future__ import annotations

from pathlib import Path

PACKAGES = (
    "requests==2.32.3",  # direct; pulls urllib3, idna, charset-normalizer, certifi (transitive)
    "colorama==0.4.6",  # installed, never imported
    "iniconfig==2.0.0",  # imported only from tests
    "tomli==2.0.1",  # importlib.import_module("tomli")
    "attrs==24.2.0",  # imported only under TYPE_CHECKING
    "pyparsing==3.1.4",  # tried, with an ImportError fallback
    "pluggy==1.5.0",  # a dev-only tool, never imported
)

DEMO_INIT = """\
import requests
from requests.sessions import Session as HttpSession

from . import util


def fetch(url):
    return requests.get(url), HttpSession()
"""

DEMO_UTIL = """\
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import attr

try:
    import pyparsing
except ImportError:
    pyparsing = None


def load_toml():
    return importlib.import_module("tomli")
"""

DEMO_TEST = """\
import iniconfig

import demo


def test_it():
    assert demo and iniconfig
"""


def write_demo(root: Path) -> Path:
    """The project at ``root`` (a src layout; tests in ``tests/``)."""
    package = root / "src" / "demo"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(DEMO_INIT, encoding="utf-8")
    (package / "util.py").write_text(DEMO_UTIL, encoding="utf-8")
    (root / "tests").mkdir()
    (root / "tests" / "test_demo.py").write_text(DEMO_TEST, encoding="utf-8")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "1.0"\n', encoding="utf-8"
    )
    return root


def install(site: Path, name: str, files: dict[str, str]) -> None:
    """``name`` 1.0 installed into ``site``: its files and a dist-info whose RECORD lists
    them."""
    for rel, text in files.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text, encoding="utf-8")
    info = site / f"{name.replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n\nA long description.\nName: no\n",
        encoding="utf-8",
    )
    record = [f"{rel},sha256=x,1" for rel in files] + [f"{info.name}/RECORD,,"]
    (info / "RECORD").write_text("\n".join(record) + "\n", encoding="utf-8")
