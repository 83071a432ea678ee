"""pip's configuration (``PIP_*`` variables, ``pip.conf`` files) as command-line options.

pip runs for the gate with its configuration switched off (``PIP_CONFIG_FILE=os.devnull``, no
``PIP_*`` variable; see `pip_runner.gate_env`), so nothing pyvouch did not read can change
what pip does. What the user configured still applies: pyvouch reads it (``pip config list``
of the target's pip, ``pip config debug`` for the file each value is in) and hands it to pip
as options, placed before the user's arguments as pip itself would apply it, and checked
like them: ``no-binary`` in a ``pip.conf`` is refused as ``--no-binary`` on the command line
is, naming the file, and a ``constraint`` file from the configuration is read and checked.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from pyvouch.errors import UsageError
from pyvouch.gate.pip_options import Given
from pyvouch.sources.pip_option_table import BY_NAME, Kind

# The order pip applies configuration sections in (later ones override earlier ones).
_SECTIONS = ("global", "install", ":env:")
# Settings pyvouch decides itself; the configured value is not handed to pip.
_TAKEN = frozenset({"--index-url", "--python", "--dry-run", "--report"})
# Options whose every occurrence acts (pip calls their callback once per configured value).
_EACH_ACTS = frozenset(
    {"--no-binary", "--only-binary", "--config-settings", "--all-releases", "--only-final"}
)
# pip's load order of configuration files (later ones override earlier ones).
_FILE_KINDS = ("global", "user", "site", "env")
_TRUE = frozenset({"y", "yes", "t", "true", "on", "1"})
_FALSE = frozenset({"n", "no", "f", "false", "off", "0"})


@dataclass(frozen=True, slots=True)
class PipConfig:
    values: tuple[tuple[str, str, str], ...]
    """(section, key, value) as ``pip config list`` shows them."""
    files: dict[str, str]
    """``section.key`` -> the configuration file that sets it."""

    def index_url(self) -> str | None:
        """``index-url`` as pip would take it (environment, then [install], then [global])."""
        found: dict[str, str] = {}
        for section, key, value in self.values:
            if key in ("index-url", "pypi-url") and value:
                found[section] = value
        for section in reversed(_SECTIONS):
            if section in found:
                return found[section]
        return None


def parse_config_list(text: str) -> tuple[tuple[str, str, str], ...]:
    """``pip config list`` output: ``section.key='value'`` lines (values are Python reprs)."""
    out = []
    for line in text.splitlines():
        key, eq, raw = line.partition("=")
        if not eq:
            continue
        section, _, option = key.strip().rpartition(".")
        try:
            value = ast.literal_eval(raw.strip())
        except (ValueError, SyntaxError):
            value = raw.strip().strip("'\"")
        if section and option:
            out.append((section, option, str(value)))
    return tuple(out)


def parse_config_debug(text: str) -> dict[str, str]:
    """``pip config debug`` output: which file sets each ``section.key``."""
    per_kind: dict[str, dict[str, str]] = {}
    kind = ""
    path = ""
    for line in text.splitlines():
        if line and not line.startswith(" ") and line.endswith(":"):
            kind = line[:-1]
            continue
        stripped = line.strip()
        if line.startswith("    ") and path and ": " in stripped:
            per_kind.setdefault(kind, {})[stripped.split(": ", 1)[0]] = path
        elif line.startswith("  ") and ", exists: " in stripped:
            path = stripped.rsplit(", exists: ", 1)[0]
    out: dict[str, str] = {}
    for name in _FILE_KINDS:
        out.update(per_kind.get(name, {}))
    return out


def _origin(section: str, key: str, files: dict[str, str]) -> str:
    if section == ":env:":
        return "$PIP_" + key.upper().replace("-", "_")
    place = files.get(f"{section}.{key}")
    return f"pip configuration {section}.{key}" + (f" ({place})" if place else "")


def _truth(value: str) -> bool | None:
    low = value.strip().lower()
    return True if low in _TRUE else False if low in _FALSE else None


def config_options(config: PipConfig) -> tuple[Given, ...]:
    """The configured settings of ``pip install`` as options, in the order pip applies them.

    A setting pip would ignore (unknown key, another command's section) is left out; so are
    the ones pyvouch decides (``index-url``, ``python``...). As in pip, a later section
    replaces an earlier one's value, except for options where each value acts."""
    by_dest: dict[str, list[Given]] = {}
    order: list[str] = []
    for wanted in _SECTIONS:
        for section, key, value in config.values:
            option = BY_NAME.get("--" + key)
            if section != wanted or option is None or not value or option.name in _TAKEN:
                continue
            origin = _origin(section, key, config.files)
            given = _as_given(option.name, value, origin)
            slot = option.dest if option.name not in _EACH_ACTS else f"{option.dest}#{len(order)}"
            if slot not in by_dest:
                order.append(slot)
            by_dest[slot] = given
    return tuple(g for slot in order for g in by_dest[slot])


def _as_given(name: str, value: str, origin: str) -> list[Given]:
    option = BY_NAME[name]
    if option.kind is Kind.LIST:
        return [Given(option, v, origin) for v in value.split()]
    if option.kind is Kind.VALUE:
        return [Given(option, value, origin)]
    if option.kind is Kind.COUNT:
        truth = _truth(value)
        if truth is None and not value.strip().isdigit():
            raise UsageError(f"{origin}: {value!r} is not a count (0, 1, 2, ... or yes/no)")
        count = int(truth) if truth is not None else int(value)
        return [Given(option, None, origin)] * count
    if name == "--no-cache-dir":
        return [Given(option, None, origin)]  # pip disables the cache whatever the value
    truth = _truth(value)
    if truth is None:
        raise UsageError(f"{origin}: {value!r} is not a boolean (yes/no, true/false, 1/0)")
    # pip stores the value in the option's destination, so ``no-compile = false`` means
    # "compile"; find the flag that gives the destination that value.
    wanted = Kind.ON if truth else Kind.OFF
    for flag in (o for o in BY_NAME.values() if o.dest == option.dest and o.kind is wanted):
        return [Given(flag, None, origin)]
    return []
