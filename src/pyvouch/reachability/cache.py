"""Parsed files' imports kept between runs, keyed by the file's digest and sealed with the
machine key (`pyvouch.index.sealed`).

An exposure is a prioritisation, not a trust decision, but a planted entry could make a file
look as if it imported nothing and hide a reachable vulnerability as not-imported; so an entry
counts only when its MAC, made with the machine key kept outside the cache directory, verifies
over the key and the value. A planted or edited entry costs a parse, never an exposure.

The key is the sha256 of the layout, the Python version whose grammar parsed the file, what
was read (imports only, or with attribute references) and the file's bytes: the same bytes
under another name share an entry, an edited file never does.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass, field
from typing import Any

from pyvouch.index.sealed import SealedCache, write_sealed
from pyvouch.reachability.parse import Computed, FileImports, ImportRef, Kind

LAYOUT = "reachability-imports-v1"
_MAC_PURPOSE = "pyvouch-reachability-imports/1"
_GRAMMAR = f"{sys.version_info[0]}.{sys.version_info[1]}"


def cache_key(source: bytes, *, attributes: bool) -> str:
    what = b"attributes" if attributes else b"imports"
    head = f"{LAYOUT}\0{_GRAMMAR}\0".encode() + what + b"\0"
    return hashlib.sha256(head + source).hexdigest()


@dataclass(frozen=True)
class Parsed:
    """A file's imports, or why it could not be parsed."""

    imports: FileImports | None
    problem: str | None = None


def encode(parsed: Parsed) -> bytes:
    found = parsed.imports
    value: dict[str, Any] = {"problem": parsed.problem}
    if found is not None:
        value["i"] = [
            [r.level, r.module, list(r.names), r.line, r.kind.value] for r in found.imports
        ]
        value["c"] = [[c.line, c.expression] for c in found.computed]
        value["a"] = [list(a) for a in found.attributes]
    return json.dumps(value, separators=(",", ":")).encode()


_KINDS = {kind.value: kind for kind in Kind}


def _ref(item: list[Any]) -> ImportRef:
    level, module, names, line, kind = item
    if type(level) is not int or type(module) is not str or type(line) is not int:
        raise ValueError("import")
    if not all(type(n) is str for n in names):
        raise ValueError("names")
    return ImportRef(level, module, tuple(names), line, _KINDS[kind])


def decode(data: bytes) -> Parsed:
    """What `encode` wrote; ValueError (KeyError, TypeError) if it is not that. (An entry
    whose seal verifies was written by `encode`; the checks guard against layout drift.)"""
    obj = json.loads(data)
    problem = obj["problem"]
    if problem is not None:
        if type(problem) is not str:
            raise ValueError("problem")
        return Parsed(None, problem)
    imports = tuple(map(_ref, obj["i"]))
    computed = tuple(Computed(int(ln), str(e)) for ln, e in obj["c"])
    attributes = tuple((str(m), str(a), int(ln)) for m, a, ln in obj["a"])
    return Parsed(FileImports(imports, computed, attributes))


WRITE_BATCH = 64
"""Entries handed to a writer thread at once: one job per entry costs more in handing over
(the GIL, the queue) than the write itself."""


@dataclass(frozen=True)
class ImportsCache(SealedCache):
    """Parsed imports under ``<cache dir>/reachability-imports-v1`` (`SealedCache.open`: None
    without a machine key, or with one inside the cache)."""

    LAYOUT = LAYOUT
    PURPOSE = _MAC_PURPOSE

    pending: list[tuple[str, bytes]] = field(default_factory=list)

    def get(self, key: str) -> Parsed | None:
        return self.decoded(key, decode)

    def put(self, key: str, parsed: Parsed) -> None:
        """Store ``parsed`` under ``key`` (in batches on ``writes``' threads; `flush`)."""
        self.pending.append((key, encode(parsed)))
        if len(self.pending) >= WRITE_BATCH:
            self.flush()

    def flush(self) -> None:
        batch = list(self.pending)
        self.pending.clear()
        if not batch:
            return

        def write() -> None:
            for key, value in batch:
                write_sealed(self.root, self.secret, _MAC_PURPOSE, key, value)

        if self.writes is None:
            write()
        else:
            self.writes.submit(write)
