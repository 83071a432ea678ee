"""`pyvouch dashboard --out DIR`: read the store, render every page, then write the folder.

Order matters for "nothing written on bad input": the output folder is checked first, the
store is opened (refused if absent, newer, foreign or unreachable) and read, every page is
rendered in memory, and only then is the folder written, as a whole (`user_files.replace_folder`:
a temporary folder swapped in; a previous dashboard is replaced, anything else is refused).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pyvouch import __version__
from pyvouch.dashboard.gather import gather
from pyvouch.dashboard.render import INDEX, pages
from pyvouch.store.engine import open_store
from pyvouch.store.location import StoreLocation
from pyvouch.user_files import check_output_folder, replace_folder

MARKER = ".pyvouch-dashboard"


@dataclass(frozen=True, slots=True)
class DashboardBuilt:
    out: Path
    index: Path
    store: str
    """The store as shown (never its password)."""
    repositories: int
    packages: int
    pages: int


def _fill(folder: Path, rendered: list[tuple[str, str]]) -> None:
    for relative, html in rendered:
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
    marker = {"generator": "pyvouch dashboard", "version": __version__}
    (folder / MARKER).write_text(json.dumps(marker) + "\n", encoding="utf-8")


def build_dashboard(
    location: StoreLocation, out: Path, *, now: datetime | None = None
) -> DashboardBuilt:
    """Build the dashboard of the store at ``location`` into ``out``."""
    check_output_folder(out, MARKER, "a dashboard")
    with open_store(location, create=False) as store:
        board = gather(store, now or datetime.now(UTC))
        shown = store.location.shown
    rendered = list(pages(board))
    replace_folder(out, lambda folder: _fill(folder, rendered), "the dashboard")
    return DashboardBuilt(
        out=out,
        index=out / INDEX,
        store=shown,
        repositories=len(board.repositories),
        packages=len(board.packages),
        pages=len(rendered),
    )
