"""What one file imports, and how, read with ast (pyvouch.reachability.parse / graph.targets)."""

from __future__ import annotations

import pytest

from pyvouch.reachability.graph import targets
from pyvouch.reachability.parse import Computed, ImportRef, Kind, read_imports

SOURCE = b"""\
from __future__ import annotations
import typing
import a.b.c as abc
from . import sibling
from ..up import thing

if typing.TYPE_CHECKING:
    import typed_only
else:
    import not_typed

try:
    import fast_json
except (ValueError, ModuleNotFoundError):
    import slow_json

try:
    import plain_try
except ValueError:
    pass


class Holder:
    import in_class

    def method(self):
        from lazy.mod import name as alias
        return __import__("dunder.mod")


def load(name):
    import importlib
    importlib.import_module("literal.mod")
    importlib.import_module(".rel", package="pkg.sub")
    importlib.import_module(name)
    return importlib.import_module(f"plugins.{name}")
"""


def _by_module(source: bytes) -> dict[str, ImportRef]:
    return {r.module or f".{r.names}": r for r in read_imports(source).imports}


def test_every_import_is_found_with_its_kind_and_line() -> None:
    found = _by_module(SOURCE)
    assert found["a.b.c"] == ImportRef(0, "a.b.c", (), 3, Kind.RUNTIME)
    assert found[".('sibling',)"] == ImportRef(1, "", ("sibling",), 4, Kind.RUNTIME)
    assert found["up"] == ImportRef(2, "up", ("thing",), 5, Kind.RUNTIME)
    assert found["typed_only"].kind is Kind.TYPE_CHECKING
    assert found["not_typed"].kind is Kind.RUNTIME
    assert found["fast_json"].kind is Kind.FALLBACK_TRY
    assert found["slow_json"].kind is Kind.FALLBACK_EXCEPT
    assert found["plain_try"].kind is Kind.RUNTIME  # except ValueError is no import fallback
    assert found["in_class"].line == 24
    assert found["lazy.mod"] == ImportRef(0, "lazy.mod", ("name",), 27, Kind.RUNTIME)
    assert found["dunder.mod"].kind is Kind.DYNAMIC
    assert found["literal.mod"] == ImportRef(0, "literal.mod", (), 33, Kind.DYNAMIC)
    assert found["pkg.sub.rel"].kind is Kind.DYNAMIC


def test_computed_dynamic_imports_keep_their_place() -> None:
    assert read_imports(SOURCE).computed == (
        Computed(35, "name"),
        Computed(36, "f'plugins.{name}'"),
    )


def test_attribute_references_follow_bindings_and_aliases() -> None:
    source = b"""\
import requests
import xml.etree.ElementTree as ET
from jinja2 import sandbox
from yaml import load as yaml_load

requests.get("u")
ET.fromstring("<a/>")
sandbox.SandboxedEnvironment()
xml.etree.ElementTree.parse
"""
    refs = set(read_imports(source, attributes=True).attributes)
    assert ("requests", "get", 6) in refs
    assert ("xml.etree.ElementTree", "fromstring", 7) in refs
    assert ("jinja2", "sandbox", 3) in refs
    assert ("jinja2.sandbox", "SandboxedEnvironment", 8) in refs
    assert ("yaml", "load", 4) in refs
    assert ("xml.etree.ElementTree", "parse", 9) not in refs  # xml itself was never bound
    assert read_imports(source).attributes == ()  # only when asked


@pytest.mark.parametrize(
    ("ref", "importer", "is_package", "expected"),
    [
        (ImportRef(0, "a.b", ("c",), 1, Kind.RUNTIME), "x", False, ["a", "a.b", "a.b.c"]),
        (ImportRef(1, "", ("sib",), 1, Kind.RUNTIME), "pkg.mod", False, ["pkg", "pkg.sib"]),
        (ImportRef(1, "sub", (), 1, Kind.RUNTIME), "pkg", True, ["pkg", "pkg.sub"]),
        (ImportRef(2, "up", (), 1, Kind.RUNTIME), "pkg.a.mod", False, ["pkg", "pkg.up"]),
        (ImportRef(3, "up", (), 1, Kind.RUNTIME), "pkg.mod", False, None),  # above the top
        (ImportRef(1, "", ("x",), 1, Kind.RUNTIME), "top", False, None),
    ],
)
def test_relative_imports_resolve_from_the_importing_module(
    ref: ImportRef, importer: str, is_package: bool, expected: list[str] | None
) -> None:
    got = targets(ref, importer, is_package)
    assert (None if got is None else [name for name, _ in got]) == expected
