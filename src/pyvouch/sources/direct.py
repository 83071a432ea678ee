"""PEP 610 ``direct_url.json`` data (also pip's report ``download_info``), via
``packaging.direct_url``: where a distribution came from, as an origin and a file."""

from __future__ import annotations

from typing import Any

from packaging.direct_url import DirectUrl, DirectUrlValidationError

from pyvouch.digests import parse_pair, split_sha256
from pyvouch.model import FileRef
from pyvouch.sources.base import filename_from_url


def read(data: Any) -> DirectUrl:
    """Raises ValueError with packaging's message for invalid data."""
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    try:
        return DirectUrl.from_dict(data)
    except DirectUrlValidationError as err:
        raise ValueError(str(err)) from None


def origin_of(direct: DirectUrl) -> str:
    """``vcs:git+URL@COMMIT``, ``editable:URL``, ``directory:URL``, ``path:URL``, ``url:URL``."""
    if direct.vcs_info is not None:
        sub = f"#subdirectory={direct.subdirectory}" if direct.subdirectory else ""
        return f"vcs:{direct.vcs_info.vcs}+{direct.url}@{direct.vcs_info.commit_id}{sub}"
    if direct.dir_info is not None:
        return f"{'editable' if direct.dir_info.editable else 'directory'}:{direct.url}"
    return f"{'path' if direct.url.startswith('file:') else 'url'}:{direct.url}"


def file_of(direct: DirectUrl) -> FileRef | None:
    """The archive a direct URL names, with every digest recorded. Raises ValueError
    (`DigestError`) for a malformed one."""
    if direct.archive_info is None:
        return None
    hashes = direct.archive_info.hashes or {}
    pairs = [parse_pair(a, v) for a, v in hashes.items() if isinstance(v, str)]
    sha256, others = split_sha256(pairs)
    return FileRef(
        filename=filename_from_url(direct.url),
        sha256=sha256,
        url=direct.url if not direct.url.startswith("file:") else None,
        other_digests=others,
    )
