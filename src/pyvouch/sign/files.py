"""Writing signatures beside (or away from) the files they sign: all of them, or none.

Shared by `pyvouch sign` (PEP 740 attestations) and `pyvouch sign-blob` (Sigstore bundles).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pyvouch.errors import InputError, SigningError, UsageError
from pyvouch.user_files import write_all


def check_unique_targets(pairs: Sequence[tuple[Path, Path]]) -> None:
    """No two (source, target) pairs write the same target (the second would silently replace
    the first, leaving one file with a signature for other bytes)."""
    seen: dict[Path, Path] = {}
    for source, target in pairs:
        key = target.resolve()
        if key in seen:
            raise UsageError(f"{seen[key]} and {source} would both write {target}")
        seen[key] = source


def check_output_dir(output_dir: Path | None) -> None:
    """``--output-dir`` must be a directory that exists: pyvouch creates no directory the user
    names (the rule of every file it writes, `pyvouch.user_files`), so a mistyped path is
    refused before anything is signed instead of growing a tree."""
    if output_dir is not None and not output_dir.is_dir():
        what = "not a directory" if output_dir.exists() else "no such directory"
        raise InputError(output_dir, f"cannot write: {what} (pyvouch creates none; make it first)")


def write_all_or_nothing(
    items: Sequence[tuple[Path, str]], output_dir: Path | None, what: str
) -> list[Path]:
    """Write every ``(target, text)`` or none (`pyvouch.user_files.write_all`: temporary files,
    then renames, rolled back on error; through symbolic links; special files written as
    they are).

    New files get the usual permissions (0666 less the umask), not mkstemp's 0600: a signature
    is public data that a web server or another CI user must be able to read.
    """
    check_output_dir(output_dir)
    try:
        return write_all(items)
    except (OSError, InputError) as err:
        raise SigningError(f"writing {what} failed, none kept: {err}") from None
