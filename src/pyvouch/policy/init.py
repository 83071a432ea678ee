"""`pyvouch policy init`'s pure part: suggest a critical tier from a lock, render a policy.

Suggested as critical, each with its reasons:

- direct dependencies (what the project chose; the caller says which they are);
- packages with native code (a wheel whose ABI or platform tag is not ``none``/``any``):
  compiled code is the hardest to review;
- packages installed from source only (no wheel recorded): installing runs their build hooks;
- the most depended-upon packages in the graph (the top ``top_n`` with at least two
  dependents; the caller gives the counts).

The rendered policy starts in collect mode and explains itself in comments; it is valid
input for `config.parse_config` (the tests load it back).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pyvouch.dist_names import dist_name
from pyvouch.model import Package
from pyvouch.policy.tiers import check_name, normalize


@dataclass(frozen=True, slots=True)
class Suggestion:
    name: str
    """Normalized package name."""
    reasons: tuple[str, ...]


def _wheel_is_native(filename: str) -> bool | None:
    parsed = dist_name(filename)
    if parsed is None or parsed.kind != "wheel":
        return None
    return any(t.abi != "none" or t.platform != "any" for t in parsed.tags)


def _file_reasons(package: Package) -> list[str]:
    wheels = [f.filename for f in package.files if f.filename.endswith(".whl")]
    if any(_wheel_is_native(w) for w in wheels):
        return ["native code"]
    if package.files and not wheels:
        return ["installed from source (runs its build hooks)"]
    return []


def suggest_critical(
    packages: Iterable[Package],
    *,
    direct: Iterable[str] = (),
    dependents: Mapping[str, int] | None = None,
    top_n: int = 5,
) -> tuple[Suggestion, ...]:
    """The packages to suggest as critical, by name, each with why."""
    direct_names = {normalize(n) for n in direct}
    counts = {normalize(k): v for k, v in (dependents or {}).items()}
    ranked = sorted((n for n, c in counts.items() if c >= 2), key=lambda n: (-counts[n], n))
    most_used = set(ranked[:top_n])
    reasons: dict[str, list[str]] = {}
    for package in packages:
        if package.origin is not None or check_name(package.name):
            continue  # not from an index (nothing to verify), or a name we cannot write
        key = normalize(package.name)
        found = reasons.setdefault(key, [])
        if key in direct_names:
            found.append("direct dependency")
        found.extend(_file_reasons(package))
        if key in most_used:
            found.append(f"depended on by {counts[key]} packages")
    return tuple(
        Suggestion(name, tuple(dict.fromkeys(why))) for name, why in sorted(reasons.items()) if why
    )


def render_policy(
    suggestions: Iterable[Suggestion], *, source: str = "the lock file", pyproject: bool = False
) -> str:
    """A starting policy (TOML) in collect mode, the suggested critical tier explained.

    ``pyproject`` renders ``[tool.pyvouch]`` tables for pasting into ``pyproject.toml``;
    otherwise top-level keys for ``pyvouch.toml``.
    """
    prefix = "tool.pyvouch." if pyproject else ""
    safe_source = "".join(c if c.isprintable() else "?" for c in source)
    items = list(suggestions)
    lines = [
        f"# pyvouch policy, suggested by `pyvouch policy init` from {safe_source}.",
        "# It starts in collect mode: scans show what would be blocked, and nothing fails.",
        "# Next steps: `pyvouch readiness` shows which critical packages sign consistently;",
        '# `pyvouch pin` records their publishers; then set mode = "enforce".',
        "# Reference: docs/policy.md.",
    ]
    if pyproject:
        lines.append("[tool.pyvouch]")
    lines += ['mode = "collect"', "", f"[{prefix}tiers.critical]"]
    if items:
        lines.append(
            "# Suggested: direct dependencies, packages with native code or that build from"
        )
        lines.append("# source, and the most depended-upon. Edit freely; globs work (django*).")
        lines.append("packages = [")
        lines += [f'    "{s.name}",  # {"; ".join(s.reasons)}' for s in items]
        lines.append("]")
    else:
        lines.append("# Nothing stood out in the lock file; list the packages you depend on most.")
        lines.append("packages = []")
    lines += [
        "# verified: every file of a critical package must carry a verified attestation",
        "# (and match its pinned publisher, once pinned).",
        'require = "verified"',
        "",
        f"[{prefix}tiers.long-tail]",
        "# Every other package: trust on first use. Only a pinned package that loses its",
        "# attestation, an invalid attestation or a changed publisher fails.",
        'require = "no-regression"',
        "",
    ]
    return "\n".join(lines)
