"""One Python file's imports, read with `ast` (never run).

What a file imports, and how:

- ``import a.b`` / ``from a import b`` anywhere (module level, functions, classes, loops);
- under ``if TYPE_CHECKING:`` (``typing.TYPE_CHECKING`` too): type-only, not a runtime import;
- in the ``try`` body of a ``try`` whose ``except`` catches ImportError (or anything broader),
  and in that ``except``: both are runtime imports, told apart as the tried import and its
  fallback;
- ``importlib.import_module("a.b")`` and ``__import__("a.b")`` with a literal name (and a
  literal ``package`` for a relative one): a dynamic import resolved;
- the same with a name computed at run time: no module, only the place (`Computed`).

For first-party files the references to imported modules' attributes are kept too
(``import m; m.attr``, ``from m import attr``, aliases): the symbols an advisory may name.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    RUNTIME = "runtime"
    TYPE_CHECKING = "type-checking"
    FALLBACK_TRY = "fallback-try"
    """Tried, with an ImportError fallback."""
    FALLBACK_EXCEPT = "fallback-except"
    """The fallback in ``except ImportError``."""
    DYNAMIC = "dynamic"
    """``importlib.import_module`` / ``__import__`` with a literal name."""


@dataclass(frozen=True, slots=True)
class ImportRef:
    level: int
    """Leading dots of a relative import (0: absolute)."""
    module: str
    """The module named (``from a import b``: ``a``; empty for ``from . import b``)."""
    names: tuple[str, ...]
    """``from`` imports: the names imported (each may be a submodule)."""
    line: int
    kind: Kind


@dataclass(frozen=True, slots=True)
class Computed:
    """A dynamic import whose module name is computed at run time."""

    line: int
    expression: str


@dataclass(frozen=True)
class FileImports:
    imports: tuple[ImportRef, ...]
    computed: tuple[Computed, ...]
    attributes: tuple[tuple[str, str, int], ...] = ()
    """(module, attribute, line) references (first-party files only)."""


_EXPRESSION_CHARS = 80
_FALLBACK_ERRORS = frozenset(
    {"ImportError", "ModuleNotFoundError", "Exception", "BaseException", "LookupError"}
)
_DYNAMIC_MARKERS = ("import_module", "__import__")


def read_imports(source: bytes, *, attributes: bool = False) -> FileImports:
    """The imports of ``source`` (bytes: a coding cookie or BOM is honoured as Python does).
    Raises SyntaxError or ValueError (null bytes, undecodable) when it is not Python, and
    RecursionError when it nests deeper than the parser can follow."""
    tree = ast.parse(source)
    walker = _Statements()
    walker.block(tree.body, Kind.RUNTIME)
    imports = walker.imports
    computed: list[Computed] = []
    dynamic = any(marker.encode() in source for marker in _DYNAMIC_MARKERS)
    refs: tuple[tuple[str, str, int], ...] = ()
    if dynamic or attributes:
        refs = _expressions(tree, imports, computed, dynamic=dynamic, attributes=attributes)
    return FileImports(tuple(imports), tuple(computed), refs)


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    caught = handler.type
    if caught is None:
        return True
    names = caught.elts if isinstance(caught, ast.Tuple) else [caught]
    for name in names:
        ident = name.id if isinstance(name, ast.Name) else getattr(name, "attr", None)
        if ident in _FALLBACK_ERRORS:
            return True
    return False


class _Statements:
    """Walks statements only (imports are statements), keeping how each block runs."""

    def __init__(self) -> None:
        self.imports: list[ImportRef] = []

    def block(self, body: list[ast.stmt], kind: Kind) -> None:
        for stmt in body:
            self.statement(stmt, kind)

    def statement(self, stmt: ast.stmt, kind: Kind) -> None:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                self.imports.append(ImportRef(0, alias.name, (), stmt.lineno, kind))
        elif isinstance(stmt, ast.ImportFrom):
            names = tuple(a.name for a in stmt.names if a.name != "*")
            self.imports.append(ImportRef(stmt.level, stmt.module or "", names, stmt.lineno, kind))
        elif isinstance(stmt, ast.If):
            inner = Kind.TYPE_CHECKING if _is_type_checking(stmt.test) else kind
            self.block(stmt.body, inner)
            self.block(stmt.orelse, kind)
        elif isinstance(stmt, ast.Try | ast.TryStar):
            fallback = kind is not Kind.TYPE_CHECKING and any(
                _catches_import_error(h) for h in stmt.handlers
            )
            self.block(stmt.body, Kind.FALLBACK_TRY if fallback else kind)
            for handler in stmt.handlers:
                caught = fallback and _catches_import_error(handler)
                self.block(handler.body, Kind.FALLBACK_EXCEPT if caught else kind)
            self.block(stmt.orelse, kind)
            self.block(stmt.finalbody, kind)
        elif isinstance(stmt, ast.Match):
            for case in stmt.cases:
                self.block(case.body, kind)
        else:
            for name in ("body", "orelse", "finalbody"):
                nested = getattr(stmt, name, None)
                if isinstance(nested, list):
                    self.block(nested, kind)


def _literal(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _dynamic(node: ast.Call, imports: list[ImportRef], computed: list[Computed]) -> None:
    func = node.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    if name not in _DYNAMIC_MARKERS or not node.args:
        return
    target = _literal(node.args[0])
    package: str | None = ""
    if name == "import_module":
        given = node.args[1] if len(node.args) > 1 else None
        for keyword in node.keywords:
            if keyword.arg == "package":
                given = keyword.value
        package = _literal(given) if given is not None else ""
    if target is None or (target.startswith(".") and not package):
        expression = ast.unparse(node.args[0])[:_EXPRESSION_CHARS]
        computed.append(Computed(node.lineno, expression))
        return
    level = len(target) - len(target.lstrip("."))
    if level:
        # import_module(".x", package="a.b") is a.b.x: an absolute name from the package.
        base = (package or "").split(".")
        anchor = base[: len(base) - (level - 1)] if level > 1 else base
        target = ".".join([*anchor, target.lstrip(".")]).strip(".")
    imports.append(ImportRef(0, target, (), node.lineno, Kind.DYNAMIC))


def _dotted(node: ast.expr) -> list[str] | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    parts.reverse()
    return parts


def _expressions(
    tree: ast.Module,
    imports: list[ImportRef],
    computed: list[Computed],
    *,
    dynamic: bool,
    attributes: bool,
) -> tuple[tuple[str, str, int], ...]:
    """One walk over every node: dynamic import calls (when the source names one), and
    (module, attribute, line) for every reference through an absolute import's binding
    (when asked). Bindings are per file: a name bound to a module anywhere counts everywhere
    in it."""
    bound: dict[str, str] = {}
    refs: set[tuple[str, str, int]] = set()
    uses: list[ast.Attribute] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if dynamic:
                _dynamic(node, imports, computed)
        elif not attributes:
            continue
        elif isinstance(node, ast.Attribute):
            uses.append(node)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    bound[alias.asname] = alias.name
                else:
                    top = alias.name.split(".", 1)[0]
                    bound[top] = top
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                if alias.name == "*":
                    continue
                refs.add((node.module, alias.name, node.lineno))
                bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    for use in uses:
        parts = _dotted(use.value)
        if parts is None or parts[0] not in bound:
            continue
        module = ".".join([bound[parts[0]], *parts[1:]])
        refs.add((module, use.attr, use.lineno))
    return tuple(sorted(refs))
