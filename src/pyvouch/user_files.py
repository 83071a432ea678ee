"""Writing the files a user names: reports (``--output``), policies, locks, pin files,
workflows, signatures. One writer, so every command treats what it writes to the same way:

- a **regular file** is replaced atomically: a temporary file in the same directory, then
  ``os.replace``; the file keeps its permission bits (and its owner, where we may set it);
- a **symbolic link** is written through, to its final target, atomically as above: the link
  stays a link and whoever shares the target sees the change. A dangling link creates its
  target (as a shell's ``>`` does); a link loop is an error;
- a **character device or FIFO** (``/dev/null``, ``/dev/stdout``, a named pipe) is opened and
  written directly, never replaced;
- a **directory**, **block device** or **socket** is refused with a one-line error (exit 2).

A **folder** that pyvouch builds as a whole (``index build --out``, ``dashboard --out``) is
checked with `check_output_folder` (not a file or link; empty, absent, or one pyvouch built
before, known by its marker file) and replaced with `replace_folder`: filled in a temporary
folder beside it, then swapped in; on an error the previous folder stays as it was.

Text that pyvouch edits in place (a lock, a policy, a pin file) is read with `read_document`
and written with `EditableText.encode`: the file's UTF-8 BOM and CRLF line endings come back
exactly as they were, so an edit changes only the bytes it must.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from pyvouch.errors import InputError


class Kind(Enum):
    NEW = "new"
    REGULAR = "regular"
    SPECIAL = "special"


@dataclass(frozen=True, slots=True)
class Destination:
    """Where the bytes for ``named`` really go, and how."""

    named: Path
    target: Path
    """``named`` with its symbolic links resolved (for SPECIAL: ``named`` itself)."""
    kind: Kind
    mode: int | None = None
    owner: tuple[int, int] | None = None


def umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _cannot(path: Path, err: OSError) -> InputError:
    return InputError(path, f"cannot write: {err.strerror or err}")


def destination(path: Path) -> Destination:
    """Classify ``path`` for writing; raises `InputError` for what pyvouch will not write."""
    try:
        st = path.stat()  # follows symbolic links
    except FileNotFoundError:
        st = None
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise InputError(path, "cannot write: a loop of symbolic links") from None
        raise _cannot(path, err) from None
    if st is None:
        target = Path(os.path.realpath(path))
        if not target.parent.is_dir():
            where = f" (the link points to {target})" if target != path.absolute() else ""
            raise InputError(path, f"cannot write: no directory {target.parent}{where}")
        return Destination(path, target, Kind.NEW)
    if stat.S_ISREG(st.st_mode):
        return Destination(
            path,
            Path(os.path.realpath(path)),
            Kind.REGULAR,
            stat.S_IMODE(st.st_mode),
            (st.st_uid, st.st_gid),
        )
    if stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode):
        return Destination(path, path, Kind.SPECIAL)
    what = (
        "a directory"
        if stat.S_ISDIR(st.st_mode)
        else "a block device"
        if stat.S_ISBLK(st.st_mode)
        else "a socket"
        if stat.S_ISSOCK(st.st_mode)
        else "not a regular file"
    )
    raise InputError(path, f"cannot write: {what}")


def _stage(dest: Destination, data: bytes) -> Path:
    """``data`` in a temporary file beside ``dest.target``, with the mode and owner it will
    have; the caller renames it into place."""
    fd, name = tempfile.mkstemp(dir=dest.target.parent, prefix=f".{dest.target.name}.")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.chmod(dest.mode if dest.mode is not None else 0o666 & ~umask())
        if dest.owner is not None and dest.owner != (os.getuid(), os.getgid()):
            with contextlib.suppress(OSError):  # only root may give a file away
                os.chown(tmp, *dest.owner)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _write_special(dest: Destination, data: bytes) -> None:
    fd = os.open(dest.target, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def write_file(path: Path, data: bytes | str) -> Path:
    """Write ``data`` (str: UTF-8) to ``path`` whole or not at all, as the module says.
    Returns the path the bytes went to. Raises `InputError` (exit 2) naming ``path``."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    dest = destination(path)
    try:
        if dest.kind is Kind.SPECIAL:
            _write_special(dest, raw)
        else:
            _stage(dest, raw).replace(dest.target)
    except OSError as err:
        raise _cannot(path, err) from None
    return dest.target


def write_all(items: Sequence[tuple[Path, bytes | str]]) -> list[Path]:
    """Write every ``(path, data)`` or none: all temporary files first, then the renames,
    rolled back on an error. Special files are written last (they cannot be rolled back).

    Raises `OSError` (or `InputError` for a destination refused up front); the caller says
    what failed."""
    dests = [destination(path) for path, _ in items]
    raws = [d.encode("utf-8") if isinstance(d, str) else d for _, d in items]
    staged: list[tuple[Path, Destination]] = []
    done: list[tuple[Destination, bytes | None]] = []
    try:
        for dest, raw in zip(dests, raws, strict=True):
            if dest.kind is not Kind.SPECIAL:
                staged.append((_stage(dest, raw), dest))
        for tmp, dest in staged:
            previous = dest.target.read_bytes() if dest.kind is Kind.REGULAR else None
            tmp.replace(dest.target)
            done.append((dest, previous))
    except BaseException:
        for dest, previous in reversed(done):
            with contextlib.suppress(OSError):
                if previous is None:
                    dest.target.unlink()
                else:
                    _stage(dest, previous).replace(dest.target)
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    for dest, raw in zip(dests, raws, strict=True):
        if dest.kind is Kind.SPECIAL:
            _write_special(dest, raw)
    return [d.named for d in dests]


# ---- text edited in place ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EditableText:
    """A text file as read for editing: ``text`` with CRLF line endings read as ``\\n`` when
    every line ends in CRLF (a file mixing both is given as it is), and how to write it back."""

    text: str
    bom: bool = False
    crlf: bool = False

    def encode(self, text: str) -> bytes:
        """``text`` (an edit of `text`) as bytes in the file's own form."""
        if self.crlf:
            text = text.replace("\n", "\r\n")
        return (codecs.BOM_UTF8 if self.bom else b"") + text.encode("utf-8")


def read_document(path: Path) -> EditableText:
    """``path`` as UTF-8 text for editing; `InputError` when unreadable or not UTF-8."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror or err}") from None
    bom = raw.startswith(codecs.BOM_UTF8)
    try:
        text = raw[len(codecs.BOM_UTF8) if bom else 0 :].decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(path, f"not UTF-8 text (byte {err.start})") from None
    lf = text.count("\n")
    crlf = lf > 0 and text.count("\r\n") == lf
    return EditableText(text.replace("\r\n", "\n") if crlf else text, bom, crlf)


def write_document(path: Path, original: EditableText | None, text: str) -> Path:
    """Write the edited ``text`` of ``original`` (None: a new file, UTF-8 with LF) to ``path``."""
    return write_file(path, (original or EditableText("")).encode(text))


# ---- folders built as a whole --------------------------------------------------------------


def check_output_folder(out: Path, marker: str, what: str) -> None:
    """Refuse an output folder that a rebuild must not replace: a file, a link, or a folder
    with content that pyvouch did not build (no ``marker`` file in it). ``what`` names what
    pyvouch builds there ("a site", "a dashboard"). Raises `InputError` (exit 2)."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise InputError(out, "exists and is not a folder; refusing to replace it")
    if out.is_dir() and any(out.iterdir()) and not (out / marker).is_file():
        raise InputError(
            out,
            f"exists, is not empty and is not {what} pyvouch built (no {marker}); "
            "refusing to replace it",
        )


def replace_folder(out: Path, fill: Callable[[Path], None], what: str) -> None:
    """Make ``out`` what ``fill`` writes into an empty folder, as a whole: ``fill`` writes a
    temporary folder beside ``out``, which then takes its place; the previous ``out`` is
    removed only after, and put back if the swap fails. Raises `InputError` (exit 2)."""
    parent = out.absolute().parent
    if not parent.is_dir():  # the folder is made; the folder it goes in is not
        raise InputError(out, f"cannot write: no directory {parent}")
    tag = f"{os.getpid()}-{secrets.token_hex(4)}"
    tmp = parent / f".{out.name}.tmp-{tag}"
    old = parent / f".{out.name}.old-{tag}"
    moved_old = False
    try:
        tmp.mkdir()
        fill(tmp)
        if out.is_dir():
            out.rename(old)
            moved_old = True
        tmp.replace(out)
    except OSError as err:
        if moved_old and not out.exists():
            with contextlib.suppress(OSError):
                old.rename(out)  # put the previous folder back
        raise InputError(out, f"cannot write {what} ({err.strerror or err})") from err
    finally:
        for leftover in (tmp, old):
            if leftover.exists():
                with contextlib.suppress(OSError):
                    shutil.rmtree(leftover)
