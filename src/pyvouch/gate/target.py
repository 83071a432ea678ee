"""The interpreter an installer installs into, as it sees itself: its marker environment, the
wheel tags it accepts in its order of preference, and what is installed in it.

`pyvouch install --lock` evaluates the lock's markers and chooses wheels for the TARGET (the
virtualenv pip or uv installs into), never for pyvouch's own interpreter, which may be another
Python version or platform. The target is asked directly: it runs ``packaging``'s own
``default_environment()`` and ``sys_tags()`` (pyvouch's copy of ``packaging``, put first on its
path, so the answer does not depend on what the target has installed), isolated (``-I``: no
user site, no ``PYTHON*`` variables, nothing from the current directory).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import packaging
from packaging.utils import canonicalize_name

from pyvouch.errors import UsageError
from pyvouch.gate.tool_run import run_tool
from pyvouch.redact import first_line

_TIMEOUT_S = 60.0

_PROBE = """
import importlib.metadata, importlib.util, json, sys
sys.path.insert(0, sys.argv[1])
from packaging.markers import default_environment
from packaging.tags import sys_tags
print(json.dumps({
    "environment": default_environment(),
    "tags": [str(t) for t in sys_tags()],
    "pip": importlib.util.find_spec("pip") is not None,
    "installed": sorted({d.metadata["Name"] or "" for d in importlib.metadata.distributions()}),
}))
"""


@dataclass(frozen=True, slots=True)
class Target:
    python: Path
    environment: dict[str, str]
    """``packaging.markers.default_environment()`` in the target."""
    tags: tuple[str, ...]
    """``packaging.tags.sys_tags()`` in the target: most preferred first."""
    has_pip: bool
    installed: frozenset[str] = frozenset()
    """The normalized names of the distributions installed in the target."""

    def describe(self) -> str:
        env = self.environment
        return (
            f"{self.python} (python {env.get('python_full_version', '?')}, "
            f"{env.get('sys_platform', '?')} {env.get('platform_machine', '?')})"
        )


def probe_target(python: Path, env: Mapping[str, str]) -> Target:
    """Ask ``python`` for its marker environment, wheel tags and whether it has pip."""
    source = Path(next(iter(packaging.__path__)))
    with tempfile.TemporaryDirectory(prefix="pyvouch-target-") as tmp:
        # only packaging on the target's path, not the rest of pyvouch's site-packages
        (Path(tmp) / "packaging").symlink_to(source, target_is_directory=True)
        done = run_tool(
            [str(python), "-I", "-c", _PROBE, tmp], env=env, what=str(python), timeout=_TIMEOUT_S
        )
    if done.returncode != 0:
        detail = first_line(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "")
        raise UsageError(
            f"{python} could not say which wheels it takes (exit {done.returncode}"
            + (f": {detail})" if detail else ")")
        )
    try:
        answer = json.loads(done.stdout)
        environment = {str(k): str(v) for k, v in answer["environment"].items()}
        tags = tuple(str(t) for t in answer["tags"])
        has_pip = bool(answer["pip"])
        installed = frozenset(canonicalize_name(str(n)) for n in answer["installed"] if n)
    except (ValueError, KeyError, TypeError, AttributeError):
        raise UsageError(f"{python} gave no readable answer about its wheel tags") from None
    return Target(python, environment, tags, has_pip, installed)
