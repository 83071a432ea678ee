"""`analyse`: a `ReachabilityRequest` in, a `ReachabilityReport` out (no printing)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name

from pyvouch.errors import InputError
from pyvouch.index.cache import default_cache_dir
from pyvouch.index.writes import BackgroundWrites
from pyvouch.reachability.cache import ImportsCache
from pyvouch.reachability.classify import Facts, classify
from pyvouch.reachability.finder import Finder
from pyvouch.reachability.first_party import FirstParty, collect
from pyvouch.reachability.graph import Graph, Root
from pyvouch.reachability.mapping import Distributions, site_dirs
from pyvouch.reachability.model import LockedDistribution, ReachabilityReport, ReachabilityRequest
from pyvouch.reachability.parse import FileImports
from pyvouch.reachability.reader import Reader


@dataclass(frozen=True)
class Counts:
    """What a run read (for benchmarks and progress lines)."""

    first_party_files: int
    modules: int
    parsed: int
    cached: int


def analyse(request: ReachabilityRequest) -> ReachabilityReport:
    """How first-party code reaches each locked distribution (or each installed one when the
    request names none). Never raises for what it reads: what it cannot read is in
    ``skipped``."""
    return analyse_counted(request)[0]


def analyse_counted(request: ReachabilityRequest) -> tuple[ReachabilityReport, Counts]:
    writes = BackgroundWrites()
    cache = None
    if request.use_cache:
        cache = ImportsCache.open(request.cache_dir or default_cache_dir(), writes=writes)
    reader = Reader(cache)
    try:
        report, counts = _analyse(request, reader)
    finally:
        if cache is not None:
            cache.flush()
        writes.flush()
    return report, counts


def _roots(
    first_party: FirstParty, reader: Reader, tests: bool, attributes: bool = False
) -> list[Root]:
    roots = []
    for source in first_party.files:
        if source.is_test != tests:
            continue
        imports = reader.imports(source.path, attributes=attributes)
        if imports is None:
            continue
        is_package = source.path.name == "__init__.py"
        roots.append(Root(source.module, source.path, imports, is_package))
    return roots


def _dev_roots(
    graph: Graph, dists: Distributions, dev: Iterable[str], reader: Reader
) -> dict[str, tuple[str, Root]]:
    """The top-level modules of dev-only distributions: tools run in development, whose own
    imports are test-only too."""
    roots: dict[str, tuple[str, Root]] = {}
    for name in sorted(dev):
        for top in sorted(dists.tops_of.get(name, ())):
            found = graph.site.find(top) if graph.site is not None else None
            if found is None or found.path is None:
                continue
            imports = reader.imports(found.path)
            if imports is not None:
                roots[top] = (name, Root(top, found.path, imports, found.is_package))
    return roots


def _analyse(request: ReachabilityRequest, reader: Reader) -> tuple[ReachabilityReport, Counts]:
    for given in request.source_dirs:
        if not given.exists():
            raise InputError(given, "no such source directory or file")
    if request.environment is not None and not request.environment.is_dir():
        raise InputError(request.environment, "no such environment directory")
    first_party = collect(
        request.source_dirs,
        request.test_dirs,
        patterns=request.test_patterns,
        exclude=request.exclude,
    )
    dists = Distributions()
    sites: list[Path] = []
    notes: list[str] = []
    if request.environment is not None:
        sites = site_dirs(request.environment)
        if not sites:
            notes.append(f"{request.environment}: no site-packages found; not read")
        dists.read_environment(sites)
    locked: dict[str, LockedDistribution] = {canonicalize_name(d.name): d for d in request.locked}
    missing = [d for name, d in locked.items() if name not in dists.installed]
    if missing and request.fetch_wheels:
        # Imported here: the index client only when a wheel is to be fetched.
        from pyvouch.reachability.wheels import add_wheel_manifests

        notes.extend(add_wheel_manifests(dists, missing, request))
    guessed = {name: dists.add_guess(name) for name in locked if name not in dists.tops_of}

    def read(path: Path) -> FileImports | None:
        return reader.imports(path)

    site = Finder(sites) if sites else None
    # Only the first-party files' own top-level names are first-party: a package given as a
    # source has its parent as import root, and that parent may hold other things.
    tops = frozenset(s.module.split(".", 1)[0] for s in first_party.files)
    own = Finder(first_party.roots, tops)
    graph = Graph(own, site, dists, read, reader.unread.__contains__)
    runtime_roots = _roots(first_party, reader, tests=False, attributes=bool(request.symbols))
    runtime = graph.walk(runtime_roots)
    dev = {name for name, d in locked.items() if d.dev_only}
    dev_roots = _dev_roots(graph, dists, dev, reader)
    test_roots = _roots(first_party, reader, tests=True) + [r for _, r in dev_roots.values()]
    tests = graph.walk(test_roots, seen=graph.nodes)
    names = list(locked) if locked else sorted(dists.installed)
    facts = Facts(
        runtime=runtime,
        tests=tests,
        dev_only=dev,
        guessed=guessed,
        known=dists,
        environment=bool(sites),
        first_party_read=any(not s.is_test for s in first_party.files),
        type_only=_type_only(graph, runtime_roots),
        dev_roots={top: name for top, (name, _) in dev_roots.items()},
        unread_first_party=[
            s.path for s in first_party.files if not s.is_test and s.path in reader.unread
        ],
    )
    by_distribution = {name: classify(name, facts) for name in names}
    report = ReachabilityReport(
        by_distribution=by_distribution,
        symbol_uses=_symbol_uses(request.symbols, runtime_roots),
        skipped=tuple([*first_party.skipped, *notes, *reader.skipped]),
    )
    counts = Counts(len(first_party.files), len(graph.nodes), reader.parsed, reader.cached)
    return report, counts


def _type_only(graph: Graph, roots: list[Root]) -> dict[str, tuple[Path, int]]:
    """Distributions a first-party file imports under ``if TYPE_CHECKING`` (file, line)."""
    found: dict[str, tuple[Path, int]] = {}
    for root in roots:
        for ref in root.imports.imports:
            if ref.kind.value != "type-checking" or ref.level:
                continue
            owners, _ = graph.dists.owner(ref.module, None)
            for owner in owners:
                found.setdefault(owner, (root.path, ref.line))
    return found


def _symbol_uses(
    symbols: tuple[tuple[str, str], ...], roots: list[Root]
) -> dict[tuple[str, str], tuple[tuple[str, int], ...]]:
    wanted = set(symbols)
    uses: dict[tuple[str, str], list[tuple[str, int]]] = {pair: [] for pair in symbols}
    if not wanted:
        return {}
    for root in roots:
        for module, attribute, line in root.imports.attributes:
            if (module, attribute) in wanted:
                uses[(module, attribute)].append((str(root.path), line))
    return {pair: tuple(sorted(set(found))) for pair, found in uses.items()}
