"""Test inputs for the sources tests: digests, tiny real wheels, a static PEP 503 index.

The wheels are real (zip files pip can read the metadata of); the index is a folder served by
``tests.support.static_server.serve_directory`` on 127.0.0.1.
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import Path


def digest(label: str) -> str:
    """A real SHA-256 digest, distinct per label."""
    return hashlib.sha256(label.encode()).hexdigest()


@dataclass(frozen=True)
class BuiltWheel:
    name: str
    version: str
    path: Path
    sha256: str


def _record_line(arcname: str, data: bytes) -> str:
    d = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{arcname},sha256={d},{len(data)}"


def make_wheel(folder: Path, name: str, version: str, requires: tuple[str, ...] = ()) -> BuiltWheel:
    """A minimal pure-Python wheel ``name-version-py3-none-any.whl`` in ``folder``."""
    dist = name.replace("-", "_")
    info = f"{dist}-{version}.dist-info"
    metadata = "\n".join(
        [
            "Metadata-Version: 2.1",
            f"Name: {name}",
            f"Version: {version}",
            *(f"Requires-Dist: {r}" for r in requires),
            "",
        ]
    ).encode()
    wheel = (
        b"Wheel-Version: 1.0\nGenerator: pyvouch-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    module = f"VALUE = {version!r}\n".encode()
    members = {
        f"{dist}/__init__.py": module,
        f"{info}/METADATA": metadata,
        f"{info}/WHEEL": wheel,
    }
    record = "\n".join([*(_record_line(k, v) for k, v in members.items()), f"{info}/RECORD,,", ""])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        for arcname, data in members.items():
            zf.writestr(arcname, data)
        zf.writestr(f"{info}/RECORD", record)
    return BuiltWheel(name, version, path, hashlib.sha256(path.read_bytes()).hexdigest())


def write_simple_index(root: Path, wheels: list[BuiltWheel]) -> None:
    """A PEP 503 HTML index: ``root/simple/<project>/index.html`` → ``root/files/<wheel>``."""
    files = root / "files"
    files.mkdir(parents=True, exist_ok=True)
    projects: dict[str, list[BuiltWheel]] = {}
    for w in wheels:
        target = files / w.path.name
        if not target.exists():
            target.write_bytes(w.path.read_bytes())
        projects.setdefault(w.name.lower().replace("_", "-"), []).append(w)
    simple = root / "simple"
    simple.mkdir(parents=True, exist_ok=True)
    links = "".join(f'<a href="{p}/">{p}</a>\n' for p in sorted(projects))
    (simple / "index.html").write_text(f"<!DOCTYPE html><html><body>\n{links}</body></html>\n")
    for project, ws in projects.items():
        page = "".join(
            f'<a href="../../files/{w.path.name}#sha256={w.sha256}">{w.path.name}</a>\n' for w in ws
        )
        (simple / project).mkdir(exist_ok=True)
        (simple / project / "index.html").write_text(
            f"<!DOCTYPE html><html><body>\n{page}</body></html>\n"
        )
