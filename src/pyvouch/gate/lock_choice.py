"""What `pyvouch install --lock` takes from a lock: which packages, and for each the one file
the installer would take on the target.

A lock names files (pylock.toml, uv.lock, poetry.lock, pdm.lock) or only their digests
(Pipfile.lock, hashed requirements; the index page then names the files). Of a package's
files the installer takes the wheel whose tags the target prefers most (``sys_tags()`` of the
target, in its order, as pip and uv rank them; a higher build tag first among equals); an sdist
only with ``--allow-sdists``, and only when no wheel fits (pip and uv prefer wheels too). The
chosen file must carry a sha256 in the lock: that digest is what is verified and what the
installer is told to accept, and nothing else.

Refused before anything is looked up (exit 2, one line naming the lock and the package): a
package without a pinned version or without a sha256 for the chosen file, a package none of
whose files installs on the target (a lock for another interpreter or platform), a VCS
checkout, and a file from outside the index unless ``--allow-not-indexed`` (then pinned by its
hash, as the gate does for pip's direct URLs). A local directory or editable package (the
project itself, in uv.lock and pylock) is left out and said: the lock gate installs only
archives.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pyvouch.dist_names import dist_name
from pyvouch.errors import InputError
from pyvouch.model import FileRef, Package
from pyvouch.sources.pip_report import ReportItem

_LEFT_OUT = ("editable:", "directory:")


@dataclass(frozen=True, slots=True)
class Locked:
    """A locked package the gate will install: its files, or the digests to find them by."""

    package: Package
    files: tuple[FileRef, ...]
    """The files the lock names (with a filename)."""
    digests: tuple[str, ...]
    """sha256 digests the lock pins without naming their files (matched on the index page)."""


def admit(
    packages: Sequence[Package],
    lock: Path,
    *,
    allow_not_indexed: bool,
    warn: Callable[[str], None],
    leave_out_local: bool = True,
) -> list[Locked]:
    """The packages to install, or an `InputError` for the first that cannot be gated
    (``leave_out_local``: a local directory or editable is said and left out, else refused)."""
    out: list[Locked] = []
    for package in packages:
        label = f"{package.name} {package.version or ''}".strip()
        origin = package.origin
        if origin is not None and origin.startswith(_LEFT_OUT) and leave_out_local:
            warn(f"{label} is {origin}: not installed by --lock (install it yourself after)")
            continue
        if origin is not None and not origin.startswith("url:"):
            raise InputError(
                lock,
                f"{label} comes from {origin}: it cannot be pinned by an index file's hash, "
                "so pyvouch install --lock cannot gate it",
            )
        if origin is not None and not allow_not_indexed:
            raise InputError(
                lock,
                f"{label} comes from {origin}, not the index: there is nothing to verify; give "
                "--allow-not-indexed to install it pinned by its hash",
            )
        if not package.version:
            raise InputError(lock, f"{package.name} has no pinned version")
        named = tuple(f for f in package.files if f.filename)
        digests = (
            *package.hashes,
            *(f.sha256 for f in package.files if not f.filename and f.sha256),
        )
        if not named and not digests:
            raise InputError(
                lock,
                f"{label}: the lock pins no sha256 for it; pyvouch install --lock installs only "
                "files pinned by sha256 (use a lock with hashes, or requirements with --hash)",
            )
        out.append(Locked(package, named, tuple(dict.fromkeys(d.lower() for d in digests))))
    return out


def _rank(file: FileRef, ranks: dict[str, int]) -> tuple[int, tuple[int | str, ...]] | None:
    """Lower is better; None when the file does not install on the target."""
    parsed = dist_name(file.filename)
    if parsed is None:
        return None
    if parsed.kind == "sdist":
        return (len(ranks), ())
    fits = [ranks[str(tag)] for tag in parsed.tags if str(tag) in ranks]
    if not fits:
        return None
    return (min(fits), tuple(-x if isinstance(x, int) else x for x in parsed.build))


def choose(
    locked: Locked,
    files: Sequence[FileRef],
    tags: Sequence[str],
    lock: Path,
    *,
    allow_sdists: bool,
    target: str,
) -> FileRef:
    """The one file of ``files`` the installer would take on a target with ``tags``."""
    package = locked.package
    label = f"{package.name} {package.version}"
    ranks = {tag: i for i, tag in enumerate(tags)}
    ranked: list[tuple[tuple[int, tuple[int | str, ...]], int, FileRef]] = []
    for n, file in enumerate(files):
        rank = _rank(file, ranks)
        if rank is None or (rank[0] == len(ranks) and not allow_sdists):
            continue
        ranked.append((rank, n, file))
    if not ranked:
        sdists = [f for f in files if (d := dist_name(f.filename)) and d.kind == "sdist"]
        listed = ", ".join(f.filename for f in files[:4]) + (", ..." if len(files) > 4 else "")
        hint = (
            "only an sdist fits, and the gate installs wheels only (--allow-sdists builds it, "
            "ungated)"
            if sdists and len(sdists) == len(files)
            else "the lock was made for another interpreter or platform"
        )
        raise InputError(
            lock, f"{label}: none of its files installs on {target} ({listed}): {hint}"
        )
    chosen = min(ranked, key=lambda r: (r[0], r[1]))[2]
    if chosen.sha256 is None:
        raise InputError(
            lock,
            f"{label}: the lock records no sha256 for {chosen.filename} (an attestation covers "
            "sha256, and the installer is pinned by it): pyvouch install --lock refuses it",
        )
    return chosen


def item(locked: Locked, chosen: FileRef) -> ReportItem:
    """The chosen file as the gate's pinned requirement (`plan.requirements_text`)."""
    package = locked.package
    return ReportItem(
        name=package.name,
        version=package.version or "",
        url=chosen.url or "",
        file=chosen,
        origin=package.origin,
    )
