"""Sigstore trust roots: which root verifies, where it comes from, and how it is refreshed.

- Production by default: the ``trusted_root.json`` that ships inside the ``sigstore`` package,
  unless ``pyvouch trust update`` has fetched a newer one over TUF *and* that copy still
  verifies against the TUF metadata anchored in the root of trust shipped with ``sigstore``
  (checked again on every load). An unverified or tampered cache is never used.
- ``--staging``: the staging root shipped alongside (or its TUF-verified refresh).
- ``--trust-root FILE``: a trusted root JSON, or a ClientTrustConfig JSON, the user names.

Loading never touches the network. Only `update_trust_root` does, with a bounded timeout.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import shutil
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib import parse

from pyvouch.compat.sigstore_store import shipped_trust_file
from pyvouch.errors import InputError, TrustRootError, TrustUpdateError, UsageError
from pyvouch.machine_key import DATA_ENV, data_dir

# sigstore and tuf are imported where they are used: choosing a root's bytes (and digesting
# them, which keys the verdict cache) needs neither, so a fully cached scan never loads them.
if TYPE_CHECKING:
    from sigstore.models import TrustedRoot
    from sigstore.verify import Verifier

PRODUCTION_TUF_URL = "https://tuf-repo-cdn.sigstore.dev"
STAGING_TUF_URL = "https://tuf-repo-cdn.sigstage.dev"
TRUSTED_ROOT_TARGET = "trusted_root.json"
_TRUSTED_ROOT_MEDIA = "application/vnd.dev.sigstore.trustedroot"
_CLIENT_CONFIG_MEDIA = "application/vnd.dev.sigstore.clienttrustconfig"
_STAMP = "pyvouch-update.json"


@dataclass(frozen=True, slots=True)
class TrustRoot:
    """A loaded trusted root and a sentence saying where it came from."""

    name: str
    """``production``, ``staging`` or ``custom``."""
    source: str
    trusted_root: TrustedRoot
    sha256: str | None = None
    """sha256 of the JSON bytes the root was parsed from, when known."""

    def verifier(self) -> Verifier:
        """One `Verifier` for this root; build it once and reuse it for every attestation."""
        from sigstore.errors import Error as SigstoreError
        from sigstore.verify import Verifier

        try:
            return Verifier(trusted_root=self.trusted_root)
        except (SigstoreError, ValueError) as err:
            raise TrustRootError(f"trust root ({self.source}) is unusable: {err}") from None


@dataclass(frozen=True, slots=True)
class Instance:
    """A Sigstore instance's TUF repository and the roots pyvouch anchors it to."""

    name: str
    tuf_url: str
    bootstrap_root: bytes
    """The TUF root.json every stored update must chain from."""
    shipped_trusted_root: bytes | None
    """The trusted root to use when no verified update is stored."""


def instance(staging: bool = False) -> Instance:
    """Production or staging, anchored in the TUF root shipped inside ``sigstore``."""
    name, url = ("staging", STAGING_TUF_URL) if staging else ("production", PRODUCTION_TUF_URL)
    return Instance(name, url, _shipped(url, "root.json"), _shipped(url, TRUSTED_ROOT_TARGET))


def _os_problem(err: BaseException) -> str:
    if isinstance(err, OSError) and err.strerror:
        return err.strerror
    return " ".join(str(err).split())[:200] or type(err).__name__


def _instance_dir(base: Path, tuf_url: str) -> Path:
    return base / "trust" / parse.quote(tuf_url, safe="")


def _shipped(tuf_url: str, name: str) -> bytes:
    return shipped_trust_file(tuf_url, name).read_bytes()


def _media_type(data: bytes, where: str) -> str:
    """The JSON's mediaType if it names a trusted root or client trust config; else
    `InputError`. Checks the shape only (no sigstore import)."""
    try:
        obj = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise InputError(where, f"not JSON ({err})") from None
    media_type = obj.get("mediaType") if isinstance(obj, dict) else None
    if isinstance(media_type, str) and media_type.startswith(
        (_CLIENT_CONFIG_MEDIA, _TRUSTED_ROOT_MEDIA)
    ):
        return media_type
    raise InputError(
        where,
        "not a Sigstore trusted root or client trust config "
        f"(mediaType {media_type!r}; expected {_TRUSTED_ROOT_MEDIA}+json...)",
    )


def _parse_trusted_root(data: bytes, where: str) -> TrustedRoot:
    """A `TrustedRoot` from trusted-root JSON or ClientTrustConfig JSON bytes."""
    media_type = _media_type(data, where)
    from sigstore.models import ClientTrustConfig, TrustedRoot
    from sigstore_models.trustroot.v1 import TrustedRoot as _InnerTrustedRoot

    try:
        if media_type.startswith(_CLIENT_CONFIG_MEDIA):
            return ClientTrustConfig.from_json(data.decode()).trusted_root
        return TrustedRoot(_InnerTrustedRoot.from_json(data))
    except Exception as err:  # the models raise pydantic, ValueError and sigstore errors alike
        problem = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError(where, f"not a valid Sigstore trusted root ({problem})") from None


def _verified_cache(inst: Instance, base: Path) -> tuple[bytes, str] | None:
    """The trusted root `trust update` stored, if it still verifies; else None.

    Re-checked on every load, offline: the root metadata chain from the root shipped with
    ``sigstore`` to the newest stored root (each version signed by its predecessor's and its
    own threshold), the targets metadata signed by that root, and the stored trusted root's
    length and hashes as the targets metadata lists them.
    """
    tuf_url = inst.tuf_url
    directory = _instance_dir(base, tuf_url)
    target = directory / "targets" / TRUSTED_ROOT_TARGET
    if not target.is_file():
        return None
    from tuf.api.exceptions import RepositoryError
    from tuf.api.metadata import Metadata, Root, Targets  # type: ignore[attr-defined]

    try:
        trusted = Metadata[Root].from_bytes(inst.bootstrap_root)
        version = trusted.signed.version
        while (candidate := directory / "root_history" / f"{version + 1}.root.json").is_file():
            new = Metadata[Root].from_bytes(candidate.read_bytes())
            trusted.verify_delegate(Root.type, new)
            new.verify_delegate(Root.type, new)
            if new.signed.version != version + 1:
                return None
            trusted, version = new, version + 1
        targets = Metadata[Targets].from_bytes((directory / "targets.json").read_bytes())
        trusted.verify_delegate(Targets.type, targets)
        info = targets.signed.targets.get(TRUSTED_ROOT_TARGET)
        if info is None:
            return None
        data = target.read_bytes()
        info.verify_length_and_hashes(data)
    except (OSError, ValueError, RepositoryError):
        return None
    stamp = _read_stamp(directory)
    when = stamp.get("updated", "unknown time") if stamp else "unknown time"
    return data, f"TUF-verified copy from {tuf_url} (updated {when}) in {directory}"


def _read_stamp(directory: Path) -> dict[str, Any] | None:
    try:
        obj = json.loads((directory / _STAMP).read_text())
    except (OSError, ValueError, RecursionError):
        return None
    return obj if isinstance(obj, dict) else None


@dataclass(frozen=True, slots=True)
class TrustRootBytes:
    """The trust root chosen, before parsing: its bytes and where they came from."""

    name: str
    """``production``, ``staging`` or ``custom``."""
    source: str
    data: bytes
    where: str
    """How a parse error names the input (the file, or the source sentence)."""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def parse(self) -> TrustRoot:
        """The parsed root (imports sigstore); `InputError` if the bytes are not a root."""
        return TrustRoot(
            self.name, self.source, _parse_trusted_root(self.data, self.where), self.sha256
        )


def choose_trust_root(
    *,
    staging: bool = False,
    trust_root_file: Path | None = None,
    base: Path | None = None,
    inst: Instance | None = None,
) -> TrustRootBytes:
    """The bytes of the trust root to verify with, as `load_trust_root` chooses them.

    Never uses the network and never imports sigstore (tuf only to re-check a stored update).
    """
    if trust_root_file is not None:
        if staging:
            raise UsageError("give --staging or --trust-root, not both")
        try:
            data = trust_root_file.read_bytes()
        except OSError as err:
            raise InputError(trust_root_file, f"cannot read ({err.strerror or err})") from None
        _media_type(data, str(trust_root_file))  # a file that is no root at all fails now
        return TrustRootBytes("custom", f"file {trust_root_file}", data, str(trust_root_file))
    inst = inst or instance(staging)
    cached = _verified_cache(inst, base or data_dir())
    if cached is not None:
        data, source = cached
        return TrustRootBytes(inst.name, source, data, source)
    if inst.shipped_trusted_root is None:
        raise TrustRootError(f"no verified {inst.name} trust root; run `pyvouch trust update`")
    source = f"shipped with sigstore {importlib.metadata.version('sigstore')}"
    return TrustRootBytes(inst.name, source, inst.shipped_trusted_root, source)


def load_trust_root(
    *,
    staging: bool = False,
    trust_root_file: Path | None = None,
    base: Path | None = None,
    inst: Instance | None = None,
) -> TrustRoot:
    """The trust root to verify with. Never uses the network."""
    return choose_trust_root(
        staging=staging, trust_root_file=trust_root_file, base=base, inst=inst
    ).parse()


@dataclass(frozen=True, slots=True)
class UpdateResult:
    name: str
    tuf_url: str
    directory: Path
    sha256: str
    changed: bool


def _run_update(inst: Instance, work: Path, timeout: float) -> Path:
    """Refresh TUF metadata in ``work`` and download the trusted root; its verified path."""
    from tuf.ngclient.config import UpdaterConfig
    from tuf.ngclient.updater import Updater
    from tuf.ngclient.urllib3_fetcher import Urllib3Fetcher

    tuf_url = inst.tuf_url
    bootstrap = None if (work / "root.json").is_file() else inst.bootstrap_root
    (work / "targets").mkdir(parents=True, exist_ok=True)
    updater = Updater(
        metadata_dir=str(work),
        metadata_base_url=tuf_url,
        target_dir=str(work / "targets"),
        target_base_url=tuf_url.rstrip("/") + "/targets/",
        fetcher=Urllib3Fetcher(socket_timeout=max(1, int(timeout)), app_user_agent="pyvouch"),
        config=UpdaterConfig(app_user_agent="pyvouch"),
        bootstrap=bootstrap,
    )
    updater.refresh()
    info = updater.get_targetinfo(TRUSTED_ROOT_TARGET)
    if info is None:
        raise TrustUpdateError(f"{tuf_url} lists no {TRUSTED_ROOT_TARGET}")
    path = updater.find_cached_target(info) or updater.download_target(info)
    return Path(path)


def update_trust_root(
    *,
    staging: bool = False,
    timeout: float = 20.0,
    base: Path | None = None,
    inst: Instance | None = None,
) -> UpdateResult:
    """Refresh the trust root over TUF, into pyvouch's data directory.

    The work happens in a scratch copy; only when TUF verified the new trusted root does the
    copy replace the stored one. On any failure (including ``timeout`` seconds passing) nothing
    stored changes and `TrustRootError` says why.
    """
    inst = inst or instance(staging)
    name, url = inst.name, inst.tuf_url
    directory = _instance_dir(base or data_dir(), url)
    work = directory.with_name(directory.name + f".update-{time.monotonic_ns()}")
    try:
        if directory.is_dir():
            shutil.copytree(directory, work, symlinks=True)
        else:
            work.mkdir(parents=True)
    except (OSError, shutil.Error) as os_err:
        shutil.rmtree(work, ignore_errors=True)
        raise InputError(
            base or data_dir(),
            "cannot store a trust root in this data directory "
            f"(${DATA_ENV}; {_os_problem(os_err)}); the trust root in use is unchanged",
        ) from None

    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["path"] = _run_update(inst, work, timeout)
        except BaseException as err:  # reported to the caller below
            outcome["error"] = err

    thread = threading.Thread(target=target, name="pyvouch-trust-update", daemon=True)
    thread.start()
    thread.join(timeout)
    try:
        if thread.is_alive():
            raise TrustUpdateError(
                f"trust update: {url} did not answer within {timeout:g}s; "
                "the trust root in use is unchanged"
            )
        if "error" in outcome:
            err = outcome["error"]
            detail = str(err).splitlines()[0] if str(err) else type(err).__name__
            cause = err.__cause__ or err.__context__
            if cause is not None and str(cause):
                detail += f"; cause: {str(cause).splitlines()[0][:200]}"
            raise TrustUpdateError(
                f"trust update: could not refresh from {url} ({type(err).__name__}: {detail}); "
                "the trust root in use is unchanged"
            )
        data = Path(outcome["path"]).read_bytes()
        _parse_trusted_root(data, f"{url} {TRUSTED_ROOT_TARGET}")
        digest = hashlib.sha256(data).hexdigest()
        previous = _read_stamp(directory) if directory.is_dir() else None
        stamp = {"updated": datetime.now(UTC).isoformat(timespec="seconds"), "sha256": digest}
        (work / _STAMP).write_text(json.dumps(stamp))
        old = directory.with_name(directory.name + ".old")
        if directory.is_dir():
            directory.rename(old)
        work.rename(directory)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        if not thread.is_alive():
            shutil.rmtree(work, ignore_errors=True)
    changed = previous is None or previous.get("sha256") != digest
    return UpdateResult(name, url, directory, digest, changed)
