"""Where an index lives: the index URL to use, its root, and PyPI's integrity URL of a file."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from pyvouch.errors import UsageError
from pyvouch.index.simple import file_version, normalize_name
from pyvouch.urls import http_url_problem, shown

DEFAULT_INDEX_URL = "https://pypi.org/simple/"


def resolve_index_url(index_url: str | None = None, what: str = "index URL") -> str:
    """The index URL to use: the argument, else `$PIP_INDEX_URL`, else PyPI. Ends with `/`.

    A URL that is not http(s) with a host and a valid port is a `UsageError` naming ``what``
    (where the argument came from) or ``$PIP_INDEX_URL``."""
    from_env = os.environ.get("PIP_INDEX_URL")
    url = (index_url or from_env or DEFAULT_INDEX_URL).strip()
    source = what if index_url else "$PIP_INDEX_URL"
    problem = http_url_problem(url, source)
    if problem is not None:
        raise UsageError(problem)
    parts = urlsplit(url)
    if parts.query or parts.fragment:
        raise UsageError(f"{source} must not carry a query or fragment: {shown(url)}")
    return url if url.endswith("/") else url + "/"


def index_root(index_url: str) -> str:
    """The index URL without its trailing `simple/` (or devpi's `+simple/`), where PyPI's
    integrity API lives. An index URL not ending in `simple/` is its own root."""
    base = index_url if index_url.endswith("/") else index_url + "/"
    for suffix in ("/+simple/", "/simple/"):
        if base.endswith(suffix):
            return base[: -len(suffix) + 1]
    return base


def integrity_url(index_url: str, project: str, filename: str) -> str | None:
    """PyPI's integrity endpoint for a file, or None when the filename names no version."""
    version = file_version(filename)
    if version is None:
        return None
    root = index_root(index_url)
    return f"{root}integrity/{normalize_name(project)}/{version}/{filename}/provenance"
