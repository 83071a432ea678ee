"""Format-preserving policy edits: readiness --apply and policy mode."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from pyvouch.errors import ConfigError
from pyvouch.policy_files.edit import add_critical_and_publishers, set_mode

POLICY = """\
# our policy: reviewed by the security team
mode = "collect"  # start by collecting

[tiers.critical]
packages = ["requests"]  # the HTTP stack

[publishers]
Requests = "github:psf/requests:publish.yml"
"""


def test_adds_critical_and_publishers_keeping_comments_and_existing_pins() -> None:
    path = Path("pyvouch.toml")
    text, changes = add_critical_and_publishers(
        POLICY,
        path,
        ["requests", "urllib3"],
        {"requests": "github:evil/requests:publish.yml", "urllib3": "github:urllib3/urllib3"},
    )
    data = tomllib.loads(text)
    assert data["tiers"]["critical"]["packages"] == ["requests", "urllib3"]
    # an existing expected publisher is never replaced by what readiness saw
    assert data["publishers"] == {
        "Requests": "github:psf/requests:publish.yml",
        "urllib3": "github:urllib3/urllib3",
    }
    for line in (
        "# our policy: reviewed by the security team",
        'mode = "collect"  # start by collecting',
    ):
        assert line in text.splitlines()
    assert any("kept Requests" in c for c in changes)
    assert "critical tier: added urllib3" in changes


def test_an_empty_file_gets_a_valid_policy() -> None:
    text, _ = add_critical_and_publishers(
        "", Path("pyvouch.toml"), ["attrs"], {"attrs": "github:python-attrs/attrs"}
    )
    assert tomllib.loads(text) == {
        "tiers": {"critical": {"packages": ["attrs"]}},
        "publishers": {"attrs": "github:python-attrs/attrs"},
    }


def test_pyproject_edits_land_in_tool_pyvouch_only() -> None:
    before = '[project]\nname = "demo"\n\n[tool.pyvouch]\nmode = "warn"\n'
    text, _ = add_critical_and_publishers(
        before, Path("pyproject.toml"), ["six"], {"six": "github:benjaminp/six"}
    )
    data = tomllib.loads(text)
    assert data["project"] == {"name": "demo"}
    assert data["tool"]["pyvouch"]["tiers"]["critical"]["packages"] == ["six"]
    assert set_mode(text, Path("pyproject.toml"), "enforce").count('mode = "enforce"') == 1


def test_set_mode_keeps_the_rest_and_refuses_an_invalid_mode() -> None:
    text = set_mode(POLICY, Path("pyvouch.toml"), "enforce")
    assert text == POLICY.replace('mode = "collect"', 'mode = "enforce"')
    with pytest.raises(ConfigError, match="mode"):
        set_mode(POLICY, Path("pyvouch.toml"), "yolo")


def test_a_policy_whose_tiers_is_not_a_table_is_refused() -> None:
    with pytest.raises(ConfigError, match="tiers"):
        add_critical_and_publishers('tiers = "all"\n', Path("pyvouch.toml"), ["x"], {})


def test_an_edit_that_would_make_the_policy_invalid_is_refused() -> None:
    # the existing file has a typo'd key: the edit must not write a policy that does not load
    with pytest.raises(ConfigError, match="unknown"):
        add_critical_and_publishers('mdoe = "enforce"\n', Path("pyvouch.toml"), ["x"], {})


def test_policy_mode_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from pyvouch.cli.main import cli

    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    missing = runner.invoke(cli, ["policy", "mode", "enforce"])
    assert missing.exit_code == 2
    assert "policy init" in missing.output
    (tmp_path / "pyvouch.toml").write_text(POLICY, encoding="utf-8")
    done = runner.invoke(cli, ["policy", "mode", "enforce"])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "pyvouch.toml").read_text("utf-8") == POLICY.replace(
        'mode = "collect"', 'mode = "enforce"'
    )
    assert runner.invoke(cli, ["policy", "mode", "yolo"]).exit_code == 2


def test_a_pinned_environment_is_never_claimed_as_checked() -> None:
    """Found in review: the environment is not in the certificate, so a pin's environment
    cannot be matched; the reason must not suggest it was."""
    from pyvouch.model import FileRef, Finding, Package, PackageResult, Publisher, Status
    from pyvouch.policy.pins import check_against_pins
    from pyvouch.policy.schema import Pin

    signer = Publisher("GitHub", repository="o/r", workflow="release.yml")
    result = PackageResult(
        Package("r", "1.0"),
        (Finding(FileRef("r-1.0.tar.gz", "ab" * 32), Status.VERIFIED, "verified", signer),),
    )
    pin = Pin(Publisher("GitHub", repository="o/r", environment="pypi"), "pyvouch.toml")
    (checked,) = check_against_pins(result, (pin,)).findings
    assert checked.identity_checked
    assert "matches the pinned github:o/r (pyvouch.toml)" in checked.reason
    assert "@pypi" not in checked.reason.split("matches the pinned", 1)[1].split(";")[0]
    assert "environment 'pypi' is not in the certificate and was not checked" in checked.reason


def test_policy_mode_edits_a_shared_crlf_policy_through_its_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rule 12: the link stays a link, the shared target gets the edit, and only the mode's
    bytes change (BOM, CRLF line endings and the file's mode are kept)."""
    import stat

    from click.testing import CliRunner

    from pyvouch.cli.main import cli

    shared = tmp_path / "shared"
    shared.mkdir()
    target = shared / "pyvouch.toml"
    before = b"\xef\xbb\xbf" + POLICY.replace("\n", "\r\n").encode()
    target.write_bytes(before)
    target.chmod(0o640)
    work = tmp_path / "work"
    work.mkdir()
    (work / "pyvouch.toml").symlink_to(Path("..") / "shared" / "pyvouch.toml")
    monkeypatch.chdir(work)
    done = CliRunner().invoke(cli, ["policy", "mode", "enforce"])
    assert done.exit_code == 0, done.output
    assert (work / "pyvouch.toml").is_symlink()
    assert target.read_bytes() == before.replace(b'mode = "collect"', b'mode = "enforce"')
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in shared.iterdir()) == ["pyvouch.toml"] and sorted(
        p.name for p in work.iterdir()
    ) == ["pyvouch.toml"]
    # and the policy it wrote is the one every run reads
    again = CliRunner().invoke(cli, ["policy", "mode", "warn", "--config", str(target)])
    assert again.exit_code == 0, again.output
    assert target.read_bytes() == before.replace(b'mode = "collect"', b'mode = "warn"')
