"""Pins: reading identities, comparing them with what a signature proved, where they come from."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from packaging.pylock import Pylock

from pyvouch.errors import ConfigError
from pyvouch.model import Action, Package, Publisher, Status
from pyvouch.policy.decide import decide
from pyvouch.policy.pins import (
    IdentityError,
    identity_from_dict,
    matching_pin,
    package_pins,
)
from pyvouch.policy.schema import Pin, Policy
from pyvouch.policy_files.pin_file import load_pin_file
from tests.support.policy_builders import ID_A, ID_B, TODAY, config_text, policy_from, result

GH = {"kind": "GitHub", "repository": "psf/requests", "workflow": "publish.yml"}


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (GH, Publisher(kind="GitHub", repository="psf/requests", workflow="publish.yml")),
        (
            {**GH, "environment": "release"},
            Publisher(
                kind="GitHub",
                repository="psf/requests",
                workflow="publish.yml",
                environment="release",
            ),
        ),
        (
            {"kind": "GitLab", "repository": "g/sub/p", "workflow_filepath": ".gitlab-ci.yml"},
            Publisher(kind="GitLab", repository="g/sub/p", workflow=".gitlab-ci.yml"),
        ),
        ({"kind": "Google", "email": "a@p.iam.gserviceaccount.com"}, None),
        ({"kind": "CircleCI", "project_id": "p1", "pipeline_definition_id": "d1"}, None),
    ],
)
def test_identity_from_pep740_record(record: dict[str, Any], expected: Publisher | None) -> None:
    got = identity_from_dict(record)
    assert got.kind == record["kind"]
    if expected is not None:
        assert got == expected


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        ({"repository": "a/b"}, "'kind' must be one of"),
        ({"kind": "Pulp User"}, "'kind' must be one of"),
        ({"kind": "GitHub"}, "needs field 'repository'"),
        ({**GH, "branch": "main"}, "unknown field 'branch'"),
        ({**GH, "workflow": 3}, "must be a string"),
        (
            {"kind": "CircleCI", "project_id": "p", "pipeline_definition_id": "d", "vcs_ref": "r"},
            "unknown field 'vcs_ref'",
        ),
        (
            {"kind": "GitLab", "repository": "a/b", "workflow": "x.yml", "workflow_filepath": "y"},
            "disagree",
        ),
    ],
)
def test_unreadable_identity_records(record: dict[str, Any], problem: str) -> None:
    with pytest.raises(IdentityError, match=problem):
        identity_from_dict(record)


def pin(spec_publisher: Publisher) -> tuple[Pin, ...]:
    return (Pin(spec_publisher, "test"),)


@pytest.mark.parametrize(
    ("pinned", "actual", "matches"),
    [
        # GitHub owner/repo: ASCII case-insensitive (the verifier's rule)
        (replace(ID_A, repository="PSF/Requests"), ID_A, True),
        # workflow exact, only when the pin names one
        (replace(ID_A, workflow="release.yml"), ID_A, False),
        (replace(ID_A, workflow="Publish.yml"), ID_A, False),
        (replace(ID_A, workflow=None), ID_A, True),
        # environment is not in the certificate: a pin's environment is not compared
        (replace(ID_A, environment="release"), ID_A, True),
        (ID_A, ID_B, False),
        # kinds differ
        (Publisher(kind="GitLab", repository="psf/requests"), ID_A, False),
        # GitLab is exact
        (
            Publisher(kind="GitLab", repository="Grp/Proj"),
            Publisher(kind="GitLab", repository="grp/proj"),
            False,
        ),
        # Google exact
        (
            Publisher(kind="Google", email="a@x.iam.gserviceaccount.com"),
            Publisher(kind="Google", email="a@x.iam.gserviceaccount.com"),
            True,
        ),
        (
            Publisher(kind="CircleCI", project_id="p", pipeline_definition_id="d1"),
            Publisher(kind="CircleCI", project_id="p", pipeline_definition_id="d2"),
            False,
        ),
    ],
)
def test_identity_comparison(pinned: Publisher, actual: Publisher, matches: bool) -> None:
    assert (matching_pin(pin(pinned), actual) is not None) is matches


def test_any_of_several_pins_matches() -> None:
    pins = (Pin(ID_B, "a"), Pin(ID_A, "b"))
    assert matching_pin(pins, ID_A) == pins[1]


class TestWherePinsComeFrom:
    def test_lock_identities(self) -> None:
        pkg = Package(
            name="requests", version="1", source="pylock.toml", attestation_identities=(GH,)
        )
        pins = package_pins(pkg, Policy())
        assert [(p.identity.repository, p.origin) for p in pins] == [
            ("psf/requests", "pylock.toml")
        ]

    def test_config_replaces_lock_identities(self) -> None:
        policy = policy_from(config_text(publishers={"Requests": "github:other/requests"}))
        pkg = Package(name="requests", version="1", attestation_identities=(GH,))
        assert [p.identity.repository for p in package_pins(pkg, policy)] == ["other/requests"]

    def test_lock_identities_before_pin_file(self) -> None:
        policy = Policy(lock_pins={"requests": (Pin(ID_B, "pyvouch.lock.toml"),)})
        with_ids = Package(name="requests", version="1", attestation_identities=(GH,))
        without = Package(name="requests", version="1")
        assert package_pins(with_ids, policy)[0].identity.repository == "psf/requests"
        assert package_pins(without, policy)[0].origin == "pyvouch.lock.toml"

    def test_unreadable_lock_identity_still_pins_and_never_matches(self) -> None:
        res = result(
            "six",
            Status.VERIFIED,
            identities=(
                {
                    "kind": "CircleCI",
                    "project_id": "p",
                    "pipeline_definition_id": "d",
                    "vcs_ref": "refs/heads/main",
                },
            ),
        )
        decision = decide(res, policy_from(config_text()), TODAY)
        assert (decision.action, decision.rule) == (Action.BLOCK, "long-tail:pin-mismatch")
        assert "unknown field 'vcs_ref'" in decision.reasons[0]

    def test_config_pin_beats_lock_identity_in_a_decision(self) -> None:
        # The lock pins evil/requests, the user's config pins psf/requests: the config wins.
        res = result(
            "requests",
            Status.VERIFIED,
            publisher=ID_A,
            identities=(
                {"kind": "GitHub", "repository": "evil/requests", "workflow": "publish.yml"},
            ),
        )
        with_config = policy_from(config_text(publishers={"requests": "github:psf/requests"}))
        assert decide(res, with_config, TODAY).action is Action.ALLOW
        assert decide(res, policy_from(config_text()), TODAY).rule == "critical:pin-mismatch"


PIN_FILE = """\
lock-version = "1"
created-by = "pyvouch 0.1.0"

[[packages]]
name = "Requests"
version = "2.32.3"

[[packages.attestation-identities]]
kind = "GitHub"
repository = "psf/requests"
workflow = "publish.yml"

[[packages]]
name = "gl"

[[packages.attestation-identities]]
kind = "GitLab"
repository = "g/p"
workflow_filepath = ".gitlab-ci.yml"

[[packages.attestation-identities]]
kind = "GitLab"
repository = "g/p"
workflow_filepath = "release.yml"
"""


def test_load_pin_file(tmp_path: Path) -> None:
    path = tmp_path / "pyvouch.lock.toml"
    path.write_text(PIN_FILE, encoding="utf-8")
    pins = load_pin_file(path)
    assert set(pins) == {"requests", "gl"}
    assert pins["requests"][0].identity == Publisher(
        kind="GitHub", repository="psf/requests", workflow="publish.yml"
    )
    assert pins["requests"][0].origin == "pyvouch.lock.toml"
    assert [p.identity.workflow for p in pins["gl"]] == [".gitlab-ci.yml", "release.yml"]
    # and a scan decision uses them
    policy = Policy(lock_pins=pins)
    res = result("requests", Status.VERIFIED, publisher=ID_B)
    decision = decide(res, policy, TODAY)
    assert decision.rule == "long-tail:pin-mismatch"
    assert "pinned in pyvouch.lock.toml" in decision.reasons[0]


@pytest.mark.parametrize(
    ("text", "where", "problem"),
    [
        ("", "lock-version", "must be '1'"),
        ('lock-version = "2"\n', "lock-version", "must be '1'"),
        ('lock-version = "1"\npackage = []\n', "package", "unknown key"),
        (
            'lock-version = "1"\n[[packages]]\nname = "x"\n',
            "packages[0].attestation-identities",
            "non-empty",
        ),
        (
            'lock-version = "1"\n[[packages]]\nname = "x y"\n'
            'attestation-identities = [{kind="GitHub", repository="a/b"}]\n',
            "packages[0].name",
            "package name",
        ),
        (
            'lock-version = "1"\n[[packages]]\nname = "x"\n'
            'attestation-identities = [{kind="GitHub"}]\n',
            "packages[0].attestation-identities[0]",
            "needs field 'repository'",
        ),
        (
            'lock-version = "1"\n[[packages]]\nname = "x"\n'
            'attestation-identities = [{kind="GitHub", repository="a/b"}]\n'
            '[[packages]]\nname = "X"\n'
            'attestation-identities = [{kind="GitHub", repository="a/b"}]\n',
            "packages[1].name",
            "listed twice",
        ),
        (
            'lock-version = "1"\n[[packages]]\nname = "x"\nsha = 1\n',
            "packages[0].sha",
            "unknown key",
        ),
    ],
)
def test_bad_pin_file(tmp_path: Path, text: str, where: str, problem: str) -> None:
    path = tmp_path / "pyvouch.lock.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_pin_file(path)
    assert info.value.where == where
    assert problem in info.value.problem


def test_pin_file_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "pyvouch.lock.toml"
    path.write_text('lock-version = "1"\n[[packages]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_pin_file(path)
    assert info.value.where is not None and info.value.where.startswith("line 2")


PYLOCK = (
    Path(__file__).parents[3] / "shared/fixtures/lockfiles/pylock/pip-audit.test.pylock.basic.toml"
)


@pytest.mark.corpus
@pytest.mark.skipif(not PYLOCK.is_file(), reason=f"{PYLOCK} is absent (../shared not checked out)")
def test_real_pylock_attestation_identities() -> None:
    """The identities a real pylock.toml records (read by packaging.pylock) become pins."""
    lock = Pylock.from_dict(tomllib.loads(PYLOCK.read_text(encoding="utf-8")))
    (attrs,) = [p for p in lock.packages if p.name == "attrs"]
    assert attrs.attestation_identities
    package = Package(
        name=attrs.name,
        version=str(attrs.version),
        source=PYLOCK.name,
        attestation_identities=tuple(dict(i) for i in attrs.attestation_identities),
    )
    (found,) = package_pins(package, Policy())
    assert found.identity == Publisher(
        kind="GitHub",
        repository="python-attrs/attrs",
        workflow="pypi-package.yml",
        environment="release-pypi",
    )
    signed_by_attrs = Publisher(
        kind="GitHub", repository="python-attrs/attrs", workflow="pypi-package.yml"
    )
    ok = result("attrs", Status.VERIFIED, publisher=signed_by_attrs)
    ok = replace(ok, package=package)
    assert decide(ok, Policy(), TODAY).action is Action.ALLOW
    lost = replace(result("attrs", Status.UNATTESTED), package=package)
    decision = decide(lost, Policy(), TODAY)
    assert (decision.action, decision.rule) == (Action.BLOCK, "long-tail:pin-regression")
    assert decision.reasons[0].startswith(
        "attestation lost: attrs is pinned to "
        "github:python-attrs/attrs:pypi-package.yml@release-pypi"
    )
