"""Resolution with uv: ``uv pip compile --format pylock.toml`` for the target, read back as a lock.

When uv installs (`installers.choose_installer`), uv also resolves, so the gate verifies what
uv would take: ``uv pip compile`` writes a PEP 751 lock of exactly one file set for the target
interpreter (``--python``), from the gate's one index, and `pyvouch install` then installs that
lock as ``--lock`` does (every chosen file verified, then ``--require-hashes --no-deps``).
Nothing is installed by the resolution, and no build code runs: ``--no-build`` (uv may read
static metadata of a local project, but never builds; a local project in the result is refused
by the lock gate), ``--no-config`` and no ``UV_*`` variable (as for the install).

What uv is given: requirement specifiers (written to a requirements file), ``-r FILE`` and
``-c FILE``; any other pip option is refused (one line, exit 2): it is pip's, not uv's.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pyvouch.errors import UsageError
from pyvouch.gate.installers import uv_env
from pyvouch.gate.pip_options import Parsed
from pyvouch.gate.tool_run import run_tool
from pyvouch.redact import first_line

_TIMEOUT_S = 600.0
_TAKEN = {"--requirement": "-r", "--constraint": "-c"}


def compile_command(
    uv: Path, target: Path, index_url: str, given: Parsed, folder: Path, *, allow_sdists: bool
) -> list[str]:
    """``uv pip compile`` for ``given``'s requirements; the lock goes to ``folder/pylock.toml``."""
    sources: list[str] = []
    constraints: list[str] = []
    for g in given.given:
        if g.option.name not in _TAKEN or g.value is None:
            raise UsageError(
                f"{g.origin}: pip option {g.show()}: uv resolves here (--installer uv), and takes "
                "requirements, -r FILE and -c FILE only (or give --installer pip)"
            )
        (sources if g.option.name == "--requirement" else constraints).append(g.value)
    if given.positional:
        listed = folder / "requirements.in"
        listed.write_text("".join(f"{r}\n" for r in given.positional), encoding="utf-8")
        sources.insert(0, str(listed))
    return [
        str(uv),
        "pip",
        "compile",
        "--no-config",
        *(() if allow_sdists else ("--no-build",)),
        "--format",
        "pylock.toml",
        "--python",
        str(target),
        "--index-url",
        index_url,
        "--no-header",
        "--quiet",
        "--output-file",
        str(folder / "pylock.toml"),
        *(arg for c in constraints for arg in ("-c", c)),
        *sources,
    ]


def uv_compile(
    uv: Path,
    target: Path,
    index_url: str,
    given: Parsed,
    folder: Path,
    env: Mapping[str, str],
    *,
    allow_sdists: bool,
) -> Path:
    """The lock uv resolved ``given`` into (in ``folder``); `UsageError` with uv's own last
    error line when it cannot resolve."""
    command = compile_command(uv, target, index_url, given, folder, allow_sdists=allow_sdists)
    done = run_tool(command, env=uv_env(env), what=f"uv ({uv})", timeout=_TIMEOUT_S)
    lock = folder / "pylock.toml"
    if done.returncode != 0 or not lock.is_file():
        lines = [ln.strip() for ln in done.stderr.splitlines() if ln.strip()]
        errors = [ln for ln in lines if ln.startswith(("error:", "\u00d7"))]
        detail = first_line(" ".join(lines[-3:]) if not errors else errors[-1])
        raise UsageError(
            f"uv could not resolve the requirements (uv exit {done.returncode}): {detail}; "
            "nothing was installed"
        )
    return lock
