"""The import graph, walked breadth first from first-party code through the dependencies' own
code: the first (shortest) chain by which each distribution is reached.

Type-only imports (``if TYPE_CHECKING``) are not followed; both sides of an ImportError
fallback are. Importing ``a.b.c`` runs ``a`` and ``a.b`` too, and ``from a import b`` imports
the submodule ``a.b`` when there is one: each is an edge.
"""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pyvouch.reachability.finder import Finder, Found
from pyvouch.reachability.mapping import Distributions, How
from pyvouch.reachability.parse import Computed, FileImports, ImportRef, Kind

FIRST_PARTY = ""
"""The owner of first-party modules."""
_KIND_ORDER = {
    Kind.RUNTIME: 0,
    Kind.DYNAMIC: 1,
    Kind.FALLBACK_TRY: 2,
    Kind.FALLBACK_EXCEPT: 3,
    Kind.TYPE_CHECKING: 4,
}
_STDLIB = frozenset(sys.stdlib_module_names)


@dataclass(frozen=True)
class Reach:
    """How a distribution was first reached."""

    chain: tuple[str, ...]
    file: Path
    line: int
    kind: Kind
    """How the first-party file imports the chain's first module (or, when ``direct``, the
    distribution's)."""
    how: How
    direct: bool = False
    """First-party code imports the distribution's module itself (``file``, ``line``: where)."""


@dataclass
class Node:
    name: str
    found: Found | None
    owners: frozenset[str]
    parent: str | None
    line: int
    kind: Kind


@dataclass
class Walk:
    """Everything one walk saw."""

    reached: dict[str, Reach] = field(default_factory=dict)
    computed_first_party: list[tuple[Path, Computed]] = field(default_factory=list)
    computed_elsewhere: list[tuple[Path, Computed]] = field(default_factory=list)
    not_followed: dict[str, str] = field(default_factory=dict)
    """Reached distributions whose code could not be followed -> why."""
    modules: int = 0


@dataclass(frozen=True)
class Root:
    module: str
    path: Path
    imports: FileImports
    is_package: bool


def targets(ref: ImportRef, importer: str, is_package: bool) -> list[tuple[str, bool]] | None:
    """The modules ``ref`` names from module ``importer``: every prefix of the base module,
    then ``base.name`` for each name, marked True: they are modules only if one is found
    (``from a import b`` may import an attribute); None when a relative import climbs above
    the top-level package."""
    if ref.level:
        package = importer if is_package else importer.rpartition(".")[0]
        parts = package.split(".") if package else []
        if ref.level - 1 > len(parts) or (not parts and ref.level):
            return None
        parts = parts[: len(parts) - (ref.level - 1)]
        base = ".".join([*parts, ref.module] if ref.module else parts)
    else:
        base = ref.module
    if not base:
        return None
    pieces = base.split(".")
    names = [(".".join(pieces[: i + 1]), False) for i in range(len(pieces))]
    names.extend((f"{base}.{n}", True) for n in ref.names)
    return names


class Graph:
    def __init__(
        self,
        first_party: Finder,
        site: Finder | None,
        dists: Distributions,
        read: Callable[[Path], FileImports | None],
        unread: Callable[[Path], bool] = lambda _: False,
    ) -> None:
        self.first_party = first_party
        self.site = site
        self.dists = dists
        self.read = read
        self.unread = unread
        self.nodes: dict[str, Node] = {}

    def _resolve(self, name: str) -> tuple[Found | None, frozenset[str], How | None]:
        found = self.first_party.find(name)
        if found is not None:
            return found, frozenset({FIRST_PARTY}), None
        top = self.first_party.find(name.split(".", 1)[0])
        if top is not None and (top.path is not None or top.compiled):
            return None, frozenset({FIRST_PARTY}), None  # under a first-party module
        if name.split(".", 1)[0] in _STDLIB:
            return None, frozenset(), None
        found = self.site.find(name) if self.site is not None else None
        if found is not None and found.path is None and not found.compiled:
            return found, frozenset(), None  # a namespace package runs no one's code
        owners, how = self.dists.owner(name, found.path if found is not None else None)
        return found, owners, how

    def walk(self, roots: Iterable[Root], seen: dict[str, Node] | None = None) -> Walk:
        """Walk from ``roots``; modules in ``seen`` (an earlier walk's) are not walked again."""
        result = Walk()
        nodes = self.nodes if seen is None else dict(seen)
        queue: deque[tuple[str, Path, FileImports, bool]] = deque()
        edges: list[tuple[int, str, int, str, bool, Kind, Root]] = []
        for root in roots:
            first = frozenset({FIRST_PARTY})
            nodes.setdefault(root.module, Node(root.module, None, first, None, 0, Kind.RUNTIME))
            result.computed_first_party.extend((root.path, c) for c in root.imports.computed)
            for ref in root.imports.imports:
                if ref.kind is Kind.TYPE_CHECKING:
                    continue
                for target, optional in targets(ref, root.module, root.is_package) or ():
                    order = _KIND_ORDER[ref.kind]
                    edge = (order, str(root.path), ref.line, target, optional, ref.kind, root)
                    edges.append(edge)
        # The first edges in order: a plain import is the evidence before a fallback.
        edges.sort(key=lambda e: e[:3])
        self._origin: dict[str, tuple[Path, int, Kind]] = {}
        for _, _, line, target, optional, kind, root in edges:
            self._origin.setdefault(root.module, (root.path, line, kind))
            self._visit(target, optional, root.module, line, kind, nodes, queue, result, root.path)
        while queue:
            module, path, imports, is_package = queue.popleft()
            result.computed_elsewhere.extend((path, c) for c in imports.computed)
            for ref in imports.imports:
                if ref.kind is Kind.TYPE_CHECKING:
                    continue
                for target, optional in targets(ref, module, is_package) or ():
                    self._visit(
                        target, optional, module, ref.line, ref.kind, nodes, queue, result, None
                    )
        result.modules = len(nodes)
        if seen is None:
            self.nodes = nodes
        return result

    def _visit(
        self,
        name: str,
        optional: bool,
        parent: str,
        line: int,
        kind: Kind,
        nodes: dict[str, Node],
        queue: deque[tuple[str, Path, FileImports, bool]],
        result: Walk,
        root_path: Path | None,
    ) -> None:
        if name in nodes:
            return
        found, owners, how = self._resolve(name)
        if found is None and (optional or not owners or FIRST_PARTY in owners):
            return  # the standard library, an attribute (``from a import name``), or unknown
        nodes[name] = Node(name, found, owners, parent, line, kind)
        origin = self._origin
        origin[name] = (root_path, line, kind) if root_path is not None else origin[parent]
        for owner in owners - {FIRST_PARTY}:
            if owner not in result.reached and how is not None:
                result.reached[owner] = self._reach(name, nodes, how, root_path)
        if found is None or found.path is None:
            if found is None:
                for owner in owners:
                    result.not_followed.setdefault(owner, f"{name} is not installed")
            return
        imports = self.read(found.path)
        if imports is None and self.unread(found.path):
            for owner in owners - {FIRST_PARTY}:
                result.not_followed.setdefault(owner, f"{found.path} could not be read")
        if imports is not None:
            queue.append((name, found.path, imports, found.is_package))

    def _reach(self, name: str, nodes: dict[str, Node], how: How, root: Path | None) -> Reach:
        node = nodes[name]
        chain = self._chain(name, nodes)
        parent = nodes[node.parent] if node.parent is not None else None
        if parent is not None and FIRST_PARTY in parent.owners:
            # A first-party module imports it: that module's file, unless it is a root (the
            # walk has no Found for roots; their file is the origin's).
            here = parent.found.path if parent.found is not None else None
            file = here or root or self._origin[name][0]
            return Reach(chain, file, node.line, node.kind, how, direct=True)
        file, line, kind = self._origin[name]
        return Reach(chain, file, line, kind, how)

    @staticmethod
    def _chain(name: str, nodes: dict[str, Node]) -> tuple[str, ...]:
        chain = [name]
        current = nodes[name].parent
        while current is not None and current in nodes:
            chain.append(current)
            current = nodes[current].parent
        return tuple(reversed(chain))
