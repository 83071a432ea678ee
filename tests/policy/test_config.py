"""Loading, validating and finding the policy configuration."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pyvouch.errors import EXIT_USAGE, ConfigError
from pyvouch.model import Publisher
from pyvouch.policy.schema import Mode, Require
from pyvouch.policy_files.config_file import discover, find_config, load_config

FULL = """\
[tool.pyvouch]
mode = "warn"
index-url = "https://pypi.org/simple/"

[tool.pyvouch.tiers.critical]
packages = ["requests", "cryptography", "django*"]
require = "verified-pinned"

[tool.pyvouch.tiers.long-tail]
require = "no-regression"

[tool.pyvouch.publishers]
requests = "github:psf/requests:publish.yml"
Cryptography = ["github:pyca/cryptography:pypi-publish.yml", "github:pyca/cryptography:release.yml"]

[[tool.pyvouch.exceptions]]
package = "Legacy_Lib"
reason = "vendor does not sign yet"
owner = "alice@example.com"
expires = 2027-03-31
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_full_pyproject_config(tmp_path: Path) -> None:
    path = write(tmp_path, "pyproject.toml", FULL)
    policy = load_config(path)
    assert policy.mode is Mode.WARN
    assert policy.index_url == "https://pypi.org/simple/"
    assert policy.critical.packages == ("requests", "cryptography", "django*")
    assert policy.critical.require is Require.VERIFIED_PINNED
    assert policy.long_tail.require is Require.NO_REGRESSION
    assert policy.tier_of("Django-Filter") is policy.critical
    assert policy.tier_of("six") is policy.long_tail
    assert [p.identity for p in policy.publishers["requests"]] == [
        Publisher(kind="GitHub", repository="psf/requests", workflow="publish.yml")
    ]
    assert len(policy.publishers["cryptography"]) == 2  # key normalized
    assert policy.publishers["requests"][0].origin == "pyproject.toml [tool.pyvouch.publishers]"
    (exc,) = policy.exceptions
    assert (exc.package, exc.owner, exc.expires) == (
        "legacy-lib",
        "alice@example.com",
        date(2027, 3, 31),
    )
    assert exc.where == "pyproject.toml tool.pyvouch.exceptions[0]"
    assert policy.exception_for("legacy.lib") is exc
    assert policy.source == str(path)


def test_pyvouch_toml_uses_top_level_keys(tmp_path: Path) -> None:
    text = FULL.replace("tool.pyvouch.", "").replace("[tool.pyvouch]\n", "")
    policy = load_config(write(tmp_path, "pyvouch.toml", text))
    assert policy.mode is Mode.WARN
    assert policy.critical.require is Require.VERIFIED_PINNED


def test_trust_change_approvers(tmp_path: Path) -> None:
    text = '[trust-changes]\napproved-by = ["alice", "Bob", "alice"]\n'
    policy = load_config(write(tmp_path, "pyvouch.toml", text))
    assert policy.trust_change_approvers == ("alice", "Bob")
    assert load_config(write(tmp_path, "other.toml", "")).trust_change_approvers == ()


def test_defaults(tmp_path: Path) -> None:
    policy = load_config(write(tmp_path, "pyvouch.toml", ""))
    assert policy.mode is Mode.COLLECT
    assert policy.critical.packages == ()
    assert policy.critical.require is Require.VERIFIED
    assert policy.long_tail.require is Require.NO_REGRESSION
    assert policy.tier_of("requests") is policy.long_tail


# (file name, text, expected `where`, words the problem must contain)
BAD = [
    ("pyvouch.toml", 'mode = "enforced"\n', "mode", "'enforced' is not one of collect | warn"),
    ("pyvouch.toml", "mode = 1\n", "mode", "must be a string, got a number"),
    ("pyvouch.toml", 'mdoe = "enforce"\n', "mdoe", "unknown key"),
    (
        "pyproject.toml",
        '[tool.pyvouch]\nmdoe = "enforce"\n',
        "tool.pyvouch.mdoe",
        "unknown key",
    ),
    ("pyvouch.toml", 'index-url = "pypi.org"\n', "index-url", "http://, https:// or file://"),
    ("pyvouch.toml", "[tiers.crtical]\n", "tiers.crtical", "unknown key"),
    (
        "pyvouch.toml",
        '[tiers.critical]\npackages = "requests"\n',
        "tiers.critical.packages",
        "must be an array, got a str",
    ),
    (
        "pyproject.toml",
        '[tool.pyvouch.tiers.critical]\npackages = ["requests", "ok*", "my package"]\n',
        "tool.pyvouch.tiers.critical.packages[2]",
        "not a package name or glob",
    ),
    (
        "pyvouch.toml",
        '[tiers.critical]\npackages = ["requests>=2"]\n',
        "tiers.critical.packages[0]",
        "not a package name or glob",
    ),
    (
        "pyvouch.toml",
        '[tiers.critical]\npackages = ["django[abc"]\n',
        "tiers.critical.packages[0]",
        "unclosed",
    ),
    ("pyvouch.toml", '[tiers.critical]\npackages = ["*"]\n', "tiers.critical.packages[0]", "every"),
    ("pyvouch.toml", "[tiers.critical]\npackages = [3]\n", "tiers.critical.packages[0]", "string"),
    (
        "pyvouch.toml",
        '[tiers.critical]\nrequire = "signed"\n',
        "tiers.critical.require",
        "'signed' is not one of verified-pinned | verified | no-regression | any",
    ),
    (
        "pyvouch.toml",
        '[tiers.long-tail]\npackages = ["x"]\n',
        "tiers.long-tail.packages",
        "unknown key; allowed: require",
    ),
    (
        "pyvouch.toml",
        '[publishers]\nrequests = "github:psf"\n',
        "publishers.requests",
        "GitHub repository must be OWNER/REPO",
    ),
    (
        "pyvouch.toml",
        '[publishers]\nrequests = ["github:psf/requests", "gitlub:x/y"]\n',
        "publishers.requests[1]",
        "unknown kind",
    ),
    ("pyvouch.toml", "[publishers]\nrequests = 3\n", "publishers.requests", "publisher spec"),
    ("pyvouch.toml", "[publishers]\nrequests = []\n", "publishers.requests", "non-empty"),
    (
        "pyvouch.toml",
        '[publishers]\nFoo_Bar = "github:a/b"\nfoo-bar = "github:a/c"\n',
        "publishers.foo-bar",
        "same package as 'Foo_Bar'",
    ),
    ("pyvouch.toml", "exceptions = 3\n", "exceptions", "array of tables"),
    (
        "pyvouch.toml",
        '[[exceptions]]\npackage = "x"\nreason = "r"\nowner = "o"\n',
        "exceptions[0]",
        "missing required key 'expires'",
    ),
    (
        "pyvouch.toml",
        '[[exceptions]]\npackage = "x"\nreason = "r"\nowner = "o"\nexpires = "2027-03-31"\n',
        "exceptions[0].expires",
        "must be a TOML date such as 2027-03-31 (unquoted), got a str",
    ),
    (
        "pyvouch.toml",
        '[[exceptions]]\npackage = "x"\nreason = "r"\nowner = "o"\n'
        "expires = 2027-03-31T10:00:00Z\n",
        "exceptions[0].expires",
        "got a date-time",
    ),
    (
        "pyvouch.toml",
        '[[exceptions]]\npackage = "x"\nreason = ""\nowner = "o"\nexpires = 2027-03-31\n',
        "exceptions[0].reason",
        "must not be empty",
    ),
    (
        "pyvouch.toml",
        '[[exceptions]]\npackage = "x*"\nreason = "r"\nowner = "o"\nexpires = 2027-03-31\n',
        "exceptions[0].package",
        "no globs",
    ),
    (
        "pyvouch.toml",
        '[[exceptions]]\npackage = "x"\nreason = "r"\nowner = "o"\nexpires = 2027-03-31\n'
        'ticket = "J-1"\n',
        "exceptions[0].ticket",
        "unknown key",
    ),
    (
        "pyvouch.toml",
        '[[exceptions]]\npackage = "a"\nreason = "r"\nowner = "o"\nexpires = 2027-03-31\n'
        '[[exceptions]]\npackage = "A"\nreason = "r"\nowner = "o"\nexpires = 2027-03-31\n',
        "exceptions[1].package",
        "a second exception for a",
    ),
    ("pyvouch.toml", 'trust-changes = ["alice"]\n', "trust-changes", "must be a table"),
    (
        "pyvouch.toml",
        '[trust-changes]\napproved-by = "alice"\n',
        "trust-changes.approved-by",
        "must be an array of names, got a str",
    ),
    (
        "pyvouch.toml",
        '[trust-changes]\napproved-by = ["alice, bob"]\n',
        "trust-changes.approved-by[0]",
        "must be one name",
    ),
    (
        "pyvouch.toml",
        '[trust-changes]\napproved-by = [""]\n',
        "trust-changes.approved-by[0]",
        "must not be empty",
    ),
    (
        "pyvouch.toml",
        '[trust-changes]\napprovers = ["alice"]\n',
        "trust-changes.approvers",
        "unknown key",
    ),
    ("pyproject.toml", 'tool = "x"\n', "tool", "must be a table"),
    ("pyproject.toml", '[tool]\npyvouch = "x"\n', "tool.pyvouch", "must be a table, got a str"),
]


@pytest.mark.parametrize(("name", "text", "where", "problem"), BAD, ids=[b[2] for b in BAD])
def test_invalid_config_names_file_key_and_problem(
    tmp_path: Path, name: str, text: str, where: str, problem: str
) -> None:
    path = write(tmp_path, name, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    err = info.value
    assert err.path == str(path)
    assert err.where == where
    assert problem in err.problem
    assert str(err).startswith(f"{path}:{where}: ")
    assert "\n" not in str(err)
    assert err.exit_code == EXIT_USAGE


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('mode = "enforce\n', "line 1, column 16"),
        ('mode = "a"\nmode = "b"\n', "line 2, column 11"),
        ('[tiers.critical]\npackages = ["a",,]\n', "line 2, column 17"),
    ],
)
def test_toml_syntax_error_gives_line_and_column(tmp_path: Path, text: str, where: str) -> None:
    path = write(tmp_path, "pyvouch.toml", text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.where == where
    assert info.value.problem.startswith("invalid TOML: ")


def test_unreadable_and_binary_files(tmp_path: Path) -> None:
    path = tmp_path / "pyvouch.toml"
    path.write_bytes(b'mode = "\xff"\n')
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path)
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml")


class TestDiscovery:
    def test_explicit_path_wins(self, tmp_path: Path) -> None:
        write(tmp_path, "pyvouch.toml", 'mode = "warn"\n')
        other = write(tmp_path, "ci-policy.toml", 'mode = "enforce"\n')
        assert discover(tmp_path, other).mode is Mode.ENFORCE

    def test_explicit_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(ConfigError, match="no such configuration file"):
            discover(tmp_path, tmp_path / "nope.toml")

    def test_pyvouch_toml(self, tmp_path: Path) -> None:
        path = write(tmp_path, "pyvouch.toml", 'mode = "warn"\n')
        write(tmp_path, "pyproject.toml", '[project]\nname = "x"\n')
        assert find_config(tmp_path) == path
        assert discover(tmp_path).mode is Mode.WARN

    def test_pyproject_table(self, tmp_path: Path) -> None:
        path = write(tmp_path, "pyproject.toml", '[project]\nname = "x"\n' + FULL)
        assert find_config(tmp_path) == path
        assert discover(tmp_path).mode is Mode.WARN

    def test_pyproject_without_table_is_defaults(self, tmp_path: Path) -> None:
        write(tmp_path, "pyproject.toml", '[project]\nname = "x"\n[tool.ruff]\nline-length = 1\n')
        assert find_config(tmp_path) is None
        policy = discover(tmp_path)
        assert policy.mode is Mode.COLLECT
        assert policy.source is None
        # loading that pyproject explicitly gives the defaults too
        assert load_config(tmp_path / "pyproject.toml").mode is Mode.COLLECT

    def test_nothing_is_defaults(self, tmp_path: Path) -> None:
        assert discover(tmp_path).mode is Mode.COLLECT

    def test_parent_directories_are_not_searched(self, tmp_path: Path) -> None:
        write(tmp_path, "pyvouch.toml", 'mode = "enforce"\n')
        child = tmp_path / "sub"
        child.mkdir()
        assert discover(child).mode is Mode.COLLECT

    def test_both_files_is_an_error(self, tmp_path: Path) -> None:
        write(tmp_path, "pyvouch.toml", 'mode = "warn"\n')
        write(tmp_path, "pyproject.toml", FULL)
        with pytest.raises(ConfigError, match="keep the policy in one place"):
            discover(tmp_path)

    def test_broken_pyproject_is_reported_even_when_looking(self, tmp_path: Path) -> None:
        write(tmp_path, "pyproject.toml", "[tool.pyvouch\n")
        with pytest.raises(ConfigError) as info:
            discover(tmp_path)
        assert info.value.where == "line 1, column 14"
