"""Writing signatures beside (or away from) the files they sign: all of them, or none.

Shared by `pyvouch sign` (PEP 740 attestations) and `pyvouch sign-blob` (Sigstore bundles).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from pyvouch.errors import InputError, SigningError, UsageError


def check_unique_targets(pairs: Sequence[tuple[Path, Path]]) -> None:
    """No two (source, target) pairs write the same target (the second would silently replace
    the first, leaving one file with a signature for other bytes)."""
    seen: dict[Path, Path] = {}
    for source, target in pairs:
        key = target.resolve()
        if key in seen:
            raise UsageError(f"{seen[key]} and {source} would both write {target}")
        seen[key] = source


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_all_or_nothing(
    items: Sequence[tuple[Path, str]], output_dir: Path | None, what: str
) -> list[Path]:
    """Write every ``(target, text)`` or none: temp files, then renames, rolled back on error.

    Files get the usual permissions (0666 less the umask), not mkstemp's 0600: a signature is
    public data that a web server or another CI user must be able to read.
    """
    if output_dir is not None:
        try:
            output_dir.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise InputError(output_dir, f"cannot create output directory ({err})") from None
    mode = 0o666 & ~_umask()
    staged: list[tuple[Path, Path]] = []
    done: list[tuple[Path, bytes | None]] = []
    try:
        for target, text in items:
            fd, tmp_name = tempfile.mkstemp(prefix=".pyvouch-", dir=target.parent)
            staged.append((Path(tmp_name), target))
            os.fchmod(fd, mode)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
        for tmp, target in staged:
            previous = target.read_bytes() if target.exists() else None
            tmp.replace(target)
            done.append((target, previous))
    except OSError as err:
        for target, previous in reversed(done):
            if previous is None:
                target.unlink(missing_ok=True)
            else:
                target.write_bytes(previous)
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise SigningError(f"writing {what} failed, none kept: {err}") from None
    return [target for target, _ in done]
