"""A minimal TUF repository, signed with throwaway keys and served on 127.0.0.1.

It publishes one target, ``trusted_root.json``, so `pyvouch trust update` can be tested end to
end against a real TUF client flow without the Sigstore TUF CDN.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import (  # type: ignore[attr-defined]
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer


def build_repository(directory: Path, trusted_root: bytes) -> bytes:
    """Write a signed TUF repository publishing ``trusted_root`` into ``directory``.

    Returns the root.json bytes a client bootstraps from.
    """
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "targets").mkdir(exist_ok=True)
    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)
    signer = CryptoSigner.generate_ecdsa()
    root = Root(expires=expires, consistent_snapshot=False)
    for role in ("root", "timestamp", "snapshot", "targets"):
        root.add_key(signer.public_key, role)
    target_path = directory / "targets" / "trusted_root.json"
    target_path.write_bytes(trusted_root)
    targets = Targets(expires=expires)
    targets.targets["trusted_root.json"] = TargetFile.from_file(
        "trusted_root.json", str(target_path)
    )
    snapshot = Snapshot(expires=expires)
    snapshot.meta["targets.json"] = MetaFile(version=targets.version)
    timestamp = Timestamp(expires=expires)
    timestamp.snapshot_meta = MetaFile(version=snapshot.version)
    serializer = JSONSerializer(compact=False)
    root_bytes = b""
    for name, signed in (
        ("1.root.json", root),
        ("targets.json", targets),
        ("snapshot.json", snapshot),
        ("timestamp.json", timestamp),
    ):
        metadata: Metadata[Any] = Metadata(signed)
        metadata.sign(signer)
        data = metadata.to_bytes(serializer)
        (directory / name).write_bytes(data)
        if name == "1.root.json":
            root_bytes = data
    return root_bytes


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve_tuf(directory: Path) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
