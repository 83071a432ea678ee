"""Read one file's imports: only a regular file within the size limit, from the sealed cache
when it holds this file's digest, else parsed (and cached). Whatever cannot be read or parsed
is said in ``skipped`` and has no imports; the analysis goes on."""

from __future__ import annotations

import stat
from pathlib import Path

from pyvouch.limits import MAX_PYTHON_SOURCE_BYTES, MIB
from pyvouch.reachability.cache import ImportsCache, Parsed, cache_key
from pyvouch.reachability.parse import FileImports, read_imports


def _problem(err: SyntaxError | ValueError | RecursionError | MemoryError) -> str:
    if isinstance(err, RecursionError | MemoryError):
        return "nested deeper than the parser follows"
    text = str(err.msg if isinstance(err, SyntaxError) else err)
    if "UTF-8" in text or "codec" in text or "decode" in text:
        return "not UTF-8 and declares no encoding it is in"
    if "null bytes" in text:
        return "holds null bytes (not Python source)"
    where = f" at line {err.lineno}" if isinstance(err, SyntaxError) and err.lineno else ""
    return f"syntax error{where}: {text[:120]}"


class Reader:
    def __init__(self, cache: ImportsCache | None, limit: int = MAX_PYTHON_SOURCE_BYTES) -> None:
        self.cache = cache
        self.limit = limit
        self.skipped: list[str] = []
        self.unread: set[Path] = set()
        """Files not read at all (too large, unreadable, not a regular file): they may import
        anything. (A file read that does not parse cannot run, so imports nothing.)"""
        self.parsed = 0
        self.cached = 0

    def imports(self, path: Path, *, attributes: bool = False) -> FileImports | None:
        """The imports of the file at ``path``; None (and a line in ``skipped``) when it
        cannot be read or parsed."""
        source = self._read(path)
        if source is None:
            return None
        key = cache_key(source, attributes=attributes)
        parsed = self.cache.get(key) if self.cache is not None else None
        if parsed is None:
            parsed = self._parse(source, attributes)
            self.parsed += 1
            if self.cache is not None:
                self.cache.put(key, parsed)
        else:
            self.cached += 1
        if parsed.problem is not None:
            self.skipped.append(f"{path}: {parsed.problem}; its imports are not known")
        return parsed.imports

    def _read(self, path: Path) -> bytes | None:
        try:
            info = path.stat()
            if not stat.S_ISREG(info.st_mode):
                self.skipped.append(f"{path}: not a regular file; not read")
                self.unread.add(path)
                return None
            if info.st_size > self.limit:
                self.skipped.append(
                    f"{path}: larger than {self.limit // MIB} MiB ({info.st_size} bytes); not read"
                )
                self.unread.add(path)
                return None
            with path.open("rb") as handle:
                data = handle.read(self.limit + 1)
        except OSError as err:
            self.skipped.append(f"{path}: cannot be read ({err.strerror or err}); not read")
            self.unread.add(path)
            return None
        if len(data) > self.limit:
            self.skipped.append(f"{path}: grew past {self.limit // MIB} MiB while read; not read")
            self.unread.add(path)
            return None
        return data

    @staticmethod
    def _parse(source: bytes, attributes: bool) -> Parsed:
        try:
            return Parsed(read_imports(source, attributes=attributes))
        except (SyntaxError, ValueError, RecursionError, MemoryError) as err:
            return Parsed(None, _problem(err))
