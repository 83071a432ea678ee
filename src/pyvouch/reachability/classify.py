"""One distribution's exposure from what the walks saw, with the evidence in words.

``not-imported`` is said only when the analysis could have seen an import: the distribution's
modules are known (not guessed), the code that reaches others was all followed, and no
first-party code imports by a computed name; otherwise ``unknown``, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyvouch.reachability.graph import Reach, Walk
from pyvouch.reachability.mapping import Distributions, How
from pyvouch.reachability.model import Evidence, Exposure
from pyvouch.reachability.parse import Computed, Kind

_PLACES = 3

_KIND_NOTE = {
    Kind.RUNTIME: "",
    Kind.DYNAMIC: "imported by importlib.import_module / __import__ with a literal name",
    Kind.FALLBACK_TRY: "imported in a try block that falls back on ImportError",
    Kind.FALLBACK_EXCEPT: "imported as the fallback in an except ImportError block",
    Kind.TYPE_CHECKING: "",
}


@dataclass(frozen=True)
class Facts:
    runtime: Walk
    tests: Walk
    dev_only: set[str]
    guessed: dict[str, str]
    """Distributions whose modules are only guessed -> the guessed module."""
    known: Distributions
    environment: bool
    first_party_read: bool
    """Whether any first-party (non-test) file was found."""
    type_only: dict[str, tuple[Path, int]]
    unread_first_party: list[Path]
    """First-party (non-test) files that could not be read at all."""
    dev_roots: dict[str, str]
    """Top-level modules of dev-only distributions (walked as test code) -> distribution."""


def _places(found: list[tuple[Path, Computed]]) -> str:
    shown = "; ".join(f"{p}:{c.line} ({c.expression})" for p, c in found[:_PLACES])
    more = f" and {len(found) - _PLACES} more" if len(found) > _PLACES else ""
    return shown + more


def _reached(name: str, reach: Reach, exposure: Exposure, facts: Facts, extra: str) -> Evidence:
    notes = [n for n in (_KIND_NOTE[reach.kind], extra) if n]
    if reach.how is How.GUESS:
        notes.append(f"the module -> distribution mapping is a guess ({reach.chain[-1]})")
    elif reach.how in (How.WHEEL, How.TOP_LEVEL):
        notes.append(f"mapped to the distribution because {reach.how.value}")
    why_not = facts.runtime.not_followed.get(name) or facts.tests.not_followed.get(name)
    if why_not:
        notes.append(f"its own imports were not followed ({why_not})")
    return Evidence(exposure, reach.chain, str(reach.file), reach.line, "; ".join(notes))


def classify(name: str, facts: Facts) -> Evidence:
    reach = facts.runtime.reached.get(name)
    if reach is not None:
        exposure = Exposure.DIRECT if reach.direct else Exposure.TRANSITIVE
        return _reached(name, reach, exposure, facts, "")
    if name in facts.dev_only:
        note = "in a dev-only group of the lock, and no first-party runtime code imports it"
        return Evidence(Exposure.TEST_ONLY, (), None, None, note)
    reach = facts.tests.reached.get(name)
    if reach is not None:
        tool = facts.dev_roots.get(reach.chain[0])
        how = f"imported only by a dev-only tool ({tool})" if tool else "imported only from tests"
        return _reached(name, reach, Exposure.TEST_ONLY, facts, how)
    return _unreached(name, facts)


def _unreached(name: str, facts: Facts) -> Evidence:
    if not facts.first_party_read:
        return Evidence(
            Exposure.UNKNOWN, (), None, None, "no first-party Python file was found to read"
        )
    if facts.unread_first_party:
        shown = ", ".join(str(p) for p in facts.unread_first_party[:_PLACES])
        return Evidence(
            Exposure.UNKNOWN, (), None, None, f"first-party files could not be read: {shown}"
        )
    if name in facts.guessed:
        return Evidence(
            Exposure.UNKNOWN,
            (),
            None,
            None,
            "its modules are not known (not installed in the environment, no wheel manifest); "
            f"the guessed module {facts.guessed[name]!r} is not imported",
        )
    if facts.runtime.computed_first_party:
        return Evidence(
            Exposure.UNKNOWN,
            (),
            None,
            None,
            "first-party code imports by a computed name: "
            + _places(facts.runtime.computed_first_party),
        )
    if not facts.environment:
        return Evidence(
            Exposure.UNKNOWN,
            (),
            None,
            None,
            "no installed environment was given: imports through the dependencies' own code "
            "were not followed, and first-party code does not import it",
        )
    unread = sorted(facts.runtime.not_followed.items())
    if unread:
        shown = "; ".join(f"{dist}: {why}" for dist, why in unread[:_PLACES])
        return Evidence(
            Exposure.UNKNOWN,
            (),
            None,
            None,
            f"the code of reached distributions could not be followed ({shown})",
        )
    notes = ["installed; neither first-party code nor the code it imports imports it"]
    tops = sorted(facts.known.tops_of.get(name, ()))
    if tops:
        notes.append("its modules: " + ", ".join(tops[:5]) + (" ..." if len(tops) > 5 else ""))
    typed = facts.type_only.get(name)
    if typed is not None:
        notes.append(f"imported for type checking only at {typed[0]}:{typed[1]}")
    elsewhere = facts.runtime.computed_elsewhere
    if elsewhere:
        notes.append(
            f"{len(elsewhere)} computed imports in dependencies' code were not resolved "
            f"(plugins, settings): {_places(elsewhere)}"
        )
    return Evidence(Exposure.NOT_IMPORTED, (), None, None, "; ".join(notes))
