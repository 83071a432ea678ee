"""The TUF roots shipped inside the installed ``sigstore`` package, found without importing it.

A private file layout of sigstore (``sigstore/_store/<quoted TUF URL>/<name>``), listed with the
other private touchpoints in `pyvouch.compat.sigstore_private`; kept apart from it because a
fully cached scan reads these files and must not import sigstore.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from urllib import parse

from pyvouch.errors import TrustRootError


def sigstore_package_dir() -> Path:
    """The installed ``sigstore`` package's directory; `TrustRootError` if it is missing."""
    spec = importlib.util.find_spec("sigstore")
    locations = spec.submodule_search_locations if spec is not None else None
    if not locations:
        raise TrustRootError("the sigstore package is not installed")
    return Path(next(iter(locations)))


def shipped_trust_file(tuf_url: str, name: str) -> Path:
    """Where sigstore keeps ``name`` (``root.json``, ``trusted_root.json``) for ``tuf_url``."""
    return sigstore_package_dir() / "_store" / parse.quote(tuf_url, safe="") / name
