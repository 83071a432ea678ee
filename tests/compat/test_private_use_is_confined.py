"""No module of pyvouch outside compat/ reaches into sigstore's or pypi-attestations' private
parts: every such use goes through `pyvouch.compat.sigstore_private`, where it is listed and
tested. Walks the syntax tree of every module under src/pyvouch."""

from __future__ import annotations

import ast
from pathlib import Path

import pyvouch

SRC = Path(pyvouch.__file__).resolve().parent
COMPAT = SRC / "compat"
PRIVATE_PACKAGES = ("sigstore", "pypi_attestations", "sigstore_models")
# Underscore attributes of sigstore's objects: those pyvouch uses through compat/, and the
# likeliest next ones. Flagged on any object but self and cls.
PRIVATE_ATTRIBUTES = {
    "_inner",
    "_verify",
    "_dsse_envelope",
    "_from_v1_response",
    "_verify_signed_timestamp",
    "_TYPE",
    "_build_hashed_rekord_request",
    "_build_dsse_request",
    "_to_parts",
    "_from_parts",
    "_signing_ctx",
    "_rekor",
    "_fulcio",
    "_trusted_root",
}
# pyvouch.testing.local subclasses sigstore's RekorLogSubmitter: it must define these hooks,
# which sigstore's Signer calls; the compat module lists and tests them.
HOOK_DEFINITIONS = {
    ("testing/local.py", "_build_hashed_rekord_request"),
    ("testing/local.py", "_build_dsse_request"),
}


def _is_private_module(module: str) -> bool:
    parts = module.split(".")
    return parts[0] in PRIVATE_PACKAGES and any(p.startswith("_") for p in parts[1:])


def private_uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] not in PRIVATE_PACKAGES:
                continue
            if _is_private_module(node.module):
                found.append(f"{node.lineno}: from {node.module} import ...")
            for alias in node.names:
                if alias.name.startswith("_"):
                    found.append(f"{node.lineno}: from {node.module} import {alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if _is_private_module(alias.name):
                    found.append(f"{node.lineno}: import {alias.name}")
        elif isinstance(node, ast.Attribute) and node.attr in PRIVATE_ATTRIBUTES:
            owner = node.value
            if isinstance(owner, ast.Name) and owner.id in {"self", "cls"}:
                continue
            found.append(f"{node.lineno}: .{node.attr}")
    return found


def test_private_apis_are_used_only_in_compat() -> None:
    offenders = {}
    for path in sorted(SRC.rglob("*.py")):
        if COMPAT in path.parents:
            continue
        uses = private_uses(path)
        if uses:
            offenders[str(path.relative_to(SRC))] = uses
    assert offenders == {}, "use pyvouch.compat.sigstore_private instead"


def test_the_check_sees_each_kind_of_private_use(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from sigstore._internal.rekor import RekorClientError\n"
        "from sigstore.dsse import _Statement\n"
        "import pypi_attestations._impl\n"
        "from sigstore_models.bundle.v1 import Bundle as _Fine\n"
        "x = bundle._inner\n"
        "y = self._inner\n"
        "entry._verify(keyring)\n",
        encoding="utf-8",
    )
    assert [use.split(":")[0] for use in private_uses(sample)] == ["1", "2", "3", "5", "7"]


def test_the_hooks_testing_local_defines_are_known() -> None:
    """The subclass hooks are method definitions (not attribute uses): listed here so a new
    one is a decision, and named in the compat module's docstring."""
    local = (SRC / "testing" / "local.py").read_text(encoding="utf-8")
    tree = ast.parse(local)
    defined = {
        ("testing/local.py", node.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name.startswith("_build_")
    }
    assert defined == HOOK_DEFINITIONS
    doc = (COMPAT / "sigstore_private.py").read_text(encoding="utf-8")
    for _, name in HOOK_DEFINITIONS:
        assert name in doc
