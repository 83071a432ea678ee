"""The house has no cycles: every import points down the layers, and the deciding layers load
no network or crypto stack.

The order is written here once and, for readers, in DESIGN.md ("Layers"); a test keeps the two
the same. A module may import its own package and any package of a lower layer, never one of
its own layer or above (so two packages of one layer are independent of each other).
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import pyvouch

SRC = Path(pyvouch.__file__).parent
DESIGN = Path(__file__).resolve().parent.parent / "DESIGN.md"

# Lowest first. "pyvouch" is the package's own __init__ (the version).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("pyvouch", "errors", "redact", "limits"),
    (
        "digests",
        "dist_names",
        "model",
        "machine_key",
        "user_files",
        "git_revision",
        "tomlfile",
        "urls",
        "jsontext",
        "fenced_pip",
        "compat",  # the private parts of sigstore and pypi-attestations (imports only errors)
    ),
    ("index", "installed"),  # installed: RECORD and the installed files, local only
    ("wheel_fetch",),  # the verified wheel downloaded, its manifest sealed in the cache
    ("sources", "verify", "reachability"),
    ("vulns",),
    ("policy", "registry", "sign", "publish_check", "release_history"),
    ("policy_files", "diff_inputs", "gate", "store"),
    ("pipeline",),
    ("report",),
    ("workflows", "dashboard", "integrations"),
    ("testing",),
    ("cli",),
    ("__main__",),
)

# Importing these must not load a network client or the signature stack.
PURE_PACKAGES = ("pyvouch.policy", "pyvouch.sources", "pyvouch.policy_files", "pyvouch.model")
HEAVY = ("sigstore", "aiohttp", "httpx", "pypi_attestations")


def _level() -> dict[str, int]:
    return {name: i for i, layer in enumerate(LAYERS) for name in layer}


def _module_name(path: Path, root: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts.pop()
    return ".".join(parts), is_package


def _unit(module: str) -> str:
    """The layer unit of a dotted module: its top-level package or module under pyvouch."""
    parts = module.split(".")
    if len(parts) == 1 or parts[1] == "__version__":
        return "pyvouch"
    return parts[1]


def _imported(tree: ast.AST, module: str, is_package: bool) -> list[tuple[str, int]]:
    """Every pyvouch module ``tree`` imports (lazy and TYPE_CHECKING imports included)."""
    out: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target == "pyvouch":  # from pyvouch import x: x may be a package
                out += [(f"pyvouch.{alias.name}", node.lineno) for alias in node.names]
            else:
                out.append((target, node.lineno))
    return [(name, line) for name, line in out if name == "pyvouch" or name.startswith("pyvouch.")]


def upward_imports(root: Path) -> list[str]:
    """Each import under ``root`` (a ``pyvouch`` source tree) that points up or sideways."""
    level = _level()
    problems: list[str] = []
    for path in sorted(root.rglob("*.py")):
        module, is_package = _module_name(path, root)
        source = _unit(module)
        if source not in level:
            problems.append(f"{path}: package {source!r} has no layer in LAYERS")
            continue
        tree = ast.parse(path.read_text("utf-8"), str(path))
        for target, line in _imported(tree, module, is_package):
            unit = _unit(target)
            if unit == source:
                continue
            if unit not in level:
                problems.append(f"{path}:{line}: imports {target}, which has no layer")
            elif level[unit] >= level[source]:
                problems.append(
                    f"{path}:{line}: {source} (layer {level[source] + 1}) imports {target} "
                    f"(layer {level[unit] + 1})"
                )
    return problems


def test_every_import_points_down() -> None:
    assert upward_imports(SRC) == []


def test_every_package_has_a_layer() -> None:
    units = {p.stem for p in SRC.glob("*.py")} | {p.parent.name for p in SRC.glob("*/__init__.py")}
    units.discard("__init__")
    assert sorted(units - set(_level())) == []


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")


@pytest.mark.parametrize(
    ("rel", "text", "expected"),
    [
        # the index client reaching up into the verifier
        ("index/client.py", "from pyvouch.verify.identity import x\n", "index (layer 3)"),
        # a lazy import inside a function counts too
        ("policy/decide.py", "def f():\n    import pyvouch.pipeline\n", "imports pyvouch.pipeline"),
        # a type-only import still ties the layers together
        (
            "sources/uv.py",
            "import typing\nif typing.TYPE_CHECKING:\n    from pyvouch.verify import c\n",
            "sources (layer 5) imports pyvouch.verify",
        ),
        # a relative import that climbs out of the package
        ("policy/pins.py", "from ..report import table\n", "imports pyvouch.report"),
        # `from pyvouch import cli` names a package
        ("model.py", "from pyvouch import cli\n", "imports pyvouch.cli"),
        # the deciding layer reading its own output layer
        ("policy/diff.py", "from pyvouch.policy_files.edit import set_mode\n", "policy_files"),
        # a package that nobody placed
        ("newthing/__init__.py", "", "has no layer"),
    ],
)
def test_the_walker_sees_each_kind_of_upward_import(
    tmp_path: Path, rel: str, text: str, expected: str
) -> None:
    root = tmp_path / "pyvouch"
    _write(root, "__init__.py", "")
    _write(root, rel, text)
    problems = upward_imports(root)
    assert len(problems) == 1, problems
    assert expected in problems[0]


def test_the_walker_accepts_downward_and_own_package_imports(tmp_path: Path) -> None:
    root = tmp_path / "pyvouch"
    _write(root, "__init__.py", "")
    _write(root, "cli/x.py", "from pyvouch.policy import decide\nfrom . import y\n")
    _write(root, "policy/decide.py", "from pyvouch.policy.schema import P\nimport pyvouch.model\n")
    _write(root, "index/client.py", "from pyvouch import __version__\nfrom .simple import s\n")
    assert upward_imports(root) == []


def _design_layers() -> tuple[tuple[str, ...], ...]:
    text = DESIGN.read_text("utf-8")
    block = text.split("## Layers", 1)[1].split("```", 2)[1]
    rows = []
    for line in block.splitlines():
        number, _, names = line.strip().partition(" ")
        if number.isdigit():
            rows.append(tuple(n.strip() for n in names.split(",")))
    return tuple(rows)


def test_design_md_states_the_same_layers() -> None:
    assert _design_layers() == LAYERS


def _loaded_after_import(packages: tuple[str, ...]) -> dict[str, list[str]]:
    code = f"""
import importlib, json, pkgutil, sys
out = {{}}
for name in {list(packages)!r}:
    package = importlib.import_module(name)
    names = [name]
    if hasattr(package, "__path__"):
        names += [m.name for m in pkgutil.walk_packages(package.__path__, name + ".")]
    for module in names:
        importlib.import_module(module)
loaded = {{m.split(".")[0] for m in sys.modules}}
print(json.dumps(sorted(h for h in {list(HEAVY)!r} if h in loaded)))
"""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC.parent), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return {"heavy": json.loads(done.stdout)}


@pytest.mark.parametrize("package", PURE_PACKAGES)
def test_deciding_layers_load_no_network_or_signature_stack(package: str) -> None:
    """Every module of the package imported (not just its __init__): none of them pulls in
    sigstore, an HTTP client or pypi-attestations."""
    assert _loaded_after_import((package,)) == {"heavy": []}


def test_the_import_check_sees_a_heavy_import() -> None:
    """The check is live: the index transport's engine does load aiohttp, and the verifier
    sigstore."""
    loaded = _loaded_after_import(("pyvouch.index.http_engine", "pyvouch.verify.attestations"))
    assert loaded == {"heavy": sorted(["aiohttp", "pypi_attestations", "sigstore"])}
