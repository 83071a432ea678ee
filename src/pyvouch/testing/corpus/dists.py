"""The corpus dists: a tiny but valid sdist and wheel per release, with deterministic bytes.

Built directly with tarfile/zipfile, with fixed times and owners; the module inside carries a
token derived from the seed, name and version, so every file has its own digest.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import tarfile
import zipfile

_ZIP_TIME = (2024, 1, 1, 0, 0, 0)
_TAR_MTIME = 1704067200  # 2024-01-01


def _module(name: str) -> str:
    return name.replace("-", "_")


def wheel_filename(name: str, version: str) -> str:
    return f"{_module(name)}-{version}-py3-none-any.whl"


def sdist_filename(name: str, version: str) -> str:
    return f"{_module(name)}-{version}.tar.gz"


def _metadata(name: str, version: str) -> bytes:
    return (
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        f"Summary: pyvouch benchmark corpus package {name}\nRequires-Python: >=3.9\n"
    ).encode()


def _module_source(name: str, version: str, seed: int) -> bytes:
    token = hashlib.sha256(f"{seed}:{name}:{version}".encode()).hexdigest()[:16]
    return f'__version__ = "{version}"\nCORPUS_TOKEN = "{token}"\n'.encode()


def build_wheel(name: str, version: str, seed: int) -> bytes:
    """A minimal valid wheel: one module, METADATA, WHEEL and RECORD, stored uncompressed."""
    module = _module(name)
    dist_info = f"{module}-{version}.dist-info"
    files = {
        f"{module}/__init__.py": _module_source(name, version, seed),
        f"{dist_info}/METADATA": _metadata(name, version),
        f"{dist_info}/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: pyvouch-corpus\nRoot-Is-Purelib: true\n"
            b"Tag: py3-none-any\n"
        ),
    }
    record = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as zf:
        for path, data in files.items():
            info = zipfile.ZipInfo(path, date_time=_ZIP_TIME)
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return buffer.getvalue()


def build_sdist(name: str, version: str, seed: int) -> bytes:
    """A minimal sdist: PKG-INFO, pyproject.toml and one module; fixed times, owners and gzip."""
    root = f"{_module(name)}-{version}"
    files = {
        f"{root}/PKG-INFO": _metadata(name, version),
        f"{root}/pyproject.toml": (
            f'[project]\nname = "{name}"\nversion = "{version}"\n\n'
            '[build-system]\nrequires = ["flit_core>=3.9"]\nbuild-backend = "flit_core.buildapi"\n'
        ).encode(),
        f"{root}/{_module(name)}/__init__.py": _module_source(name, version, seed),
    }
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path, data in files.items():
            info = tarfile.TarInfo(path)
            info.size, info.mtime, info.mode = len(data), _TAR_MTIME, 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), compresslevel=9, mtime=0)
