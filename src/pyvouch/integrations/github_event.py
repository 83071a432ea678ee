"""The GitHub Actions event a run was started by, read from ``$GITHUB_EVENT_PATH``.

Only what the action needs: the event's name, and for a pull request the base branch and the
base commit the payload names. Nothing here is trusted yet: `base_revision.trusted_base`
checks the base against the repository before `diff` reads any trust input at it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pyvouch.errors import InputError, UsageError
from pyvouch.jsontext import loads
from pyvouch.limits import MAX_EVENT_PAYLOAD_BYTES

PULL_REQUEST_EVENTS = ("pull_request", "pull_request_target")
_SHA = re.compile(r"(?:[0-9a-f]{40}|[0-9a-f]{64})")


@dataclass(frozen=True, slots=True)
class PullRequestBase:
    """What the payload says the pull request is reviewed against."""

    ref: str
    """The base branch name (``main``)."""
    sha: str
    """The base commit the payload names (40 or 64 hex digits)."""
    number: int | None = None


@dataclass(frozen=True, slots=True)
class Event:
    name: str
    base: PullRequestBase | None
    """Set for pull_request and pull_request_target events, else None."""

    @property
    def is_pull_request(self) -> bool:
        return self.base is not None


def _text(value: object, where: str, path: Path) -> str:
    if not isinstance(value, str) or not value:
        raise InputError(path, f"{where} is missing or not a string")
    return value


def _pull_request_base(
    payload: dict[str, object], path: Path, env_base_ref: str
) -> PullRequestBase:
    pr = payload.get("pull_request")
    if not isinstance(pr, dict):
        raise InputError(path, "a pull request event without a pull_request object")
    base = pr.get("base")
    if not isinstance(base, dict):
        raise InputError(path, "pull_request.base is missing")
    ref = _text(base.get("ref"), "pull_request.base.ref", path)
    sha = _text(base.get("sha"), "pull_request.base.sha", path).lower()
    if not _SHA.fullmatch(sha):
        raise InputError(path, f"pull_request.base.sha {sha[:80]!r} is not a commit id")
    if env_base_ref and env_base_ref != ref:
        raise InputError(
            path,
            f"pull_request.base.ref {ref[:80]!r} differs from $GITHUB_BASE_REF "
            f"{env_base_ref[:80]!r}: the payload does not describe this run",
        )
    number = pr.get("number")
    return PullRequestBase(ref, sha, number if isinstance(number, int) else None)


def read_event(name: str, path: Path | None, env_base_ref: str = "") -> Event:
    """The event ``name`` ($GITHUB_EVENT_NAME) with its payload at ``path``.

    A pull request event needs the payload (its base); other events do not read it."""
    if not name:
        raise UsageError("$GITHUB_EVENT_NAME is not set: run this inside GitHub Actions")
    if name not in PULL_REQUEST_EVENTS:
        return Event(name, None)
    if path is None:
        raise UsageError(f"a {name} event needs $GITHUB_EVENT_PATH (the event payload)")
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_EVENT_PAYLOAD_BYTES + 1)
    except OSError as err:
        raise InputError(path, f"cannot read the event payload: {err.strerror or err}") from None
    if len(raw) > MAX_EVENT_PAYLOAD_BYTES:
        raise InputError(path, f"the event payload is larger than {MAX_EVENT_PAYLOAD_BYTES} bytes")
    try:
        payload = loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise InputError(path, f"the event payload is not JSON: {err}") from None
    if not isinstance(payload, dict):
        raise InputError(path, "the event payload is not a JSON object")
    return Event(name, _pull_request_base(payload, path, env_base_ref))
