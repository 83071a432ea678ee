"""pip's ``install`` options as pip 26.3 defines them: the one table pyvouch reads pip's
arguments and requirements files with (`pyvouch.gate.pip_options` parses with it the way pip
does; `pyvouch.sources.requirement_lines` reads requirements files with its file subset).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    ON = "on"
    """A flag that sets its destination true (``--pre``)."""
    OFF = "off"
    """A flag that sets its destination false (``--no-compile``)."""
    COUNT = "count"
    """A repeatable flag (``-v``)."""
    VALUE = "value"
    """Takes one value; the last one counts (``--target DIR``), or each one acts (callbacks)."""
    LIST = "list"
    """Takes one value, repeatable, each one kept (``-r FILE``)."""

    @property
    def takes_value(self) -> bool:
        return self in (Kind.VALUE, Kind.LIST)


@dataclass(frozen=True, slots=True)
class PipOption:
    names: tuple[str, ...]
    """Long names, the canonical one first."""
    kind: Kind
    dest: str
    short: str | None = None

    @property
    def name(self) -> str:
        return self.names[0]


def _o(names: tuple[str, ...], kind: Kind, dest: str, short: str | None = None) -> PipOption:
    return PipOption(names, kind, dest, short)


ON, OFF, COUNT, VALUE, LIST = Kind.ON, Kind.OFF, Kind.COUNT, Kind.VALUE, Kind.LIST

# `pip install`'s options (pip 26.3, general options included), as its parser defines them.
INSTALL_OPTIONS: tuple[PipOption, ...] = (
    _o(("--requirement",), LIST, "requirements", short="-r"),
    _o(("--constraint",), LIST, "constraints", short="-c"),
    _o(("--build-constraint",), LIST, "build_constraints"),
    _o(("--requirements-from-script",), LIST, "requirements_from_scripts"),
    _o(("--no-deps", "--no-dependencies"), ON, "ignore_dependencies"),
    _o(("--only-deps", "--only-dependencies"), ON, "only_dependencies"),
    _o(("--editable",), LIST, "editables", short="-e"),
    _o(("--dry-run",), ON, "dry_run"),
    _o(("--target",), VALUE, "target_dir", short="-t"),
    _o(("--platform",), LIST, "platforms"),
    _o(("--python-version",), VALUE, "python_version"),
    _o(("--implementation",), VALUE, "implementation"),
    _o(("--abi",), LIST, "abis"),
    _o(("--user",), ON, "use_user_site"),
    _o(("--no-user",), OFF, "use_user_site"),
    _o(("--root",), VALUE, "root_path"),
    _o(("--prefix",), VALUE, "prefix_path"),
    _o(("--src", "--source", "--source-dir", "--source-directory"), VALUE, "src_dir"),
    _o(("--upgrade",), ON, "upgrade", short="-U"),
    _o(("--upgrade-strategy",), VALUE, "upgrade_strategy"),
    _o(("--force-reinstall",), ON, "force_reinstall"),
    _o(("--ignore-installed",), ON, "ignore_installed", short="-I"),
    _o(("--ignore-requires-python",), ON, "ignore_requires_python"),
    _o(("--no-build-isolation",), OFF, "build_isolation"),
    _o(("--use-pep517",), ON, "use_pep517"),
    _o(("--check-build-dependencies",), ON, "check_build_deps"),
    _o(("--break-system-packages",), ON, "override_externally_managed"),
    _o(("--config-settings",), VALUE, "config_settings", short="-C"),
    _o(("--compile",), ON, "compile"),
    _o(("--no-compile",), OFF, "compile"),
    _o(("--no-warn-script-location",), OFF, "warn_script_location"),
    _o(("--no-warn-conflicts",), OFF, "warn_about_conflicts"),
    _o(("--require-hashes",), ON, "require_hashes"),
    _o(("--no-require-hashes",), ON, "no_require_hashes"),
    _o(("--progress-bar",), VALUE, "progress_bar"),
    _o(("--root-user-action",), VALUE, "root_user_action"),
    _o(("--report",), VALUE, "json_report_file"),
    _o(("--group",), VALUE, "dependency_groups"),
    _o(("--no-clean",), ON, "no_clean"),
    _o(("--pre",), ON, "pre"),
    _o(("--all-releases",), VALUE, "release_control"),
    _o(("--only-final",), VALUE, "release_control"),
    _o(("--no-binary",), VALUE, "format_control"),
    _o(("--only-binary",), VALUE, "format_control"),
    _o(("--prefer-binary",), ON, "prefer_binary"),
    _o(("--index-url", "--pypi-url"), VALUE, "index_url", short="-i"),
    _o(("--extra-index-url",), LIST, "extra_index_urls"),
    _o(("--no-index",), ON, "no_index"),
    _o(("--refresh-package",), VALUE, "refresh_package"),
    _o(("--find-links",), LIST, "find_links", short="-f"),
    _o(("--uploaded-prior-to",), VALUE, "uploaded_prior_to"),
    _o(("--debug",), ON, "debug_mode"),
    _o(("--isolated",), ON, "isolated_mode"),
    _o(("--require-virtualenv", "--require-venv"), ON, "require_venv"),
    _o(("--python",), VALUE, "python"),
    _o(("--verbose",), COUNT, "verbose", short="-v"),
    _o(("--quiet",), COUNT, "quiet", short="-q"),
    _o(("--log", "--log-file", "--local-log"), VALUE, "log"),
    _o(("--no-input",), ON, "no_input"),
    _o(("--keyring-provider",), VALUE, "keyring_provider"),
    _o(("--proxy",), VALUE, "proxy"),
    _o(("--no-proxy-env",), ON, "no_proxy_env"),
    _o(("--retries",), VALUE, "retries"),
    _o(("--timeout", "--default-timeout"), VALUE, "timeout"),
    _o(("--exists-action",), LIST, "exists_action"),
    _o(("--trusted-host",), LIST, "trusted_hosts"),
    _o(("--cert",), VALUE, "cert"),
    _o(("--client-cert",), VALUE, "client_cert"),
    _o(("--cache-dir",), VALUE, "cache_dir"),
    _o(("--no-cache-dir",), ON, "cache_dir"),
    _o(("--disable-pip-version-check",), ON, "disable_pip_version_check"),
    _o(("--no-color",), ON, "no_color"),
    _o(("--no-python-version-warning",), ON, "no_python_version_warning"),
    _o(("--use-feature",), LIST, "features_enabled"),
    _o(("--use-deprecated",), LIST, "deprecated_features_enabled"),
    _o(("--resume-retries",), VALUE, "resume_retries"),
)

# What pip accepts in a requirements or constraints file (req_file.SUPPORTED_OPTIONS and
# SUPPORTED_OPTIONS_REQ). pip applies them on any line, a requirement's line included.
FILE_OPTION_NAMES = frozenset(
    {
        "--index-url",
        "--extra-index-url",
        "--no-index",
        "--constraint",
        "--requirement",
        "--editable",
        "--find-links",
        "--no-binary",
        "--only-binary",
        "--prefer-binary",
        "--require-hashes",
        "--no-require-hashes",
        "--pre",
        "--all-releases",
        "--only-final",
        "--trusted-host",
        "--use-feature",
        "--hash",
        "--config-settings",
    }
)
_HASH = _o(("--hash",), LIST, "hashes")

BY_NAME: dict[str, PipOption] = {n: o for o in (*INSTALL_OPTIONS, _HASH) for n in o.names}
FILE_OPTIONS = tuple(o for o in (*INSTALL_OPTIONS, _HASH) if o.name in FILE_OPTION_NAMES)
BY_SHORT: dict[str, PipOption] = {o.short: o for o in INSTALL_OPTIONS if o.short}
