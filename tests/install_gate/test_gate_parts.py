"""The gate's parts without pip: argument split, pip's report, the policy floor, the pins."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pyvouch.cli.main import cli
from pyvouch.errors import InputError, UsageError
from pyvouch.gate.pip_args import pip_args
from pyvouch.gate.pip_config import PipConfig, config_options
from pyvouch.gate.pip_options import parse_command_line, render
from pyvouch.gate.pip_runner import target_python
from pyvouch.gate.plan import GateFlags, gate_policy, refuse_unpinnable, requirements_text
from pyvouch.model import FileRef, Finding, PackageResult, Status
from pyvouch.policy.schema import Mode, Policy, Require, Tier
from pyvouch.policy.tiers import TierName
from pyvouch.sources.pip_report import parse_report

DIGEST = "ab" * 32


def report(*items: dict[str, Any], version: str = "1") -> str:
    return json.dumps({"version": version, "pip_version": "26.3", "install": list(items)})


def index_item(
    name: str = "demo", version: str = "1.0", digest: str | None = DIGEST
) -> dict[str, Any]:
    archive: dict[str, Any] = {"hashes": {"sha256": digest}} if digest else {}
    return {
        "download_info": {
            "url": f"https://files.example/{name}/{name}-{version}-py3-none-any.whl",
            "archive_info": archive,
        },
        "is_direct": False,
        "requested": True,
        "metadata": {"name": name, "version": version},
    }


# ---- pip arguments --------------------------------------------------------------------------


def test_install_options_reach_the_install_and_requirements_only_the_resolution() -> None:
    args = ("-r", "reqs.txt", "--pre", "--target", "/t", "requests", "--no-cache-dir", "-qq",
            "--timeout=5", "-c", "cons.txt", "--user")  # fmt: skip
    runs = pip_args((), parse_command_line(args))
    assert runs.resolve == (
        "--requirement=reqs.txt", "--pre", "--target=/t", "--no-cache-dir", "--quiet",
        "--quiet", "--timeout=5", "--constraint=cons.txt", "--user", "requests",
    )  # fmt: skip
    assert runs.install == (
        "--target=/t",
        "--no-cache-dir",
        "--quiet",
        "--quiet",
        "--timeout=5",
        "--user",
    )


def test_pip_sees_only_the_canonical_spelling_of_what_was_parsed() -> None:
    # optparse's abbreviations and clusters, read as pip reads them.
    parsed = parse_command_line(
        ("--no-bin", ":all:", "-qre.txt", "--tar=/t", "-Uv", "--requirement", "-x", "demo")
    )
    assert render(parsed.given) == [
        "--no-binary=:all:", "--quiet", "--requirement=e.txt", "--target=/t", "--upgrade",
        "--verbose", "--requirement=-x",
    ]  # fmt: skip
    assert parsed.positional == ("demo",)


def test_configuration_comes_first_so_the_command_line_overrides_it() -> None:
    config = PipConfig((("global", "target", "/from-conf"),), {})
    runs = pip_args(config_options(config), parse_command_line(("--target", "/t", "x")))
    assert runs.install == ("--target=/from-conf", "--target=/t")


@pytest.mark.parametrize(
    ("arg", "option"),
    [
        ("-i", "--index-url"),
        ("--index-url=x", "--index-url"),
        ("--pypi", "--index-url"),
        ("--python", "--python"),
        ("--report", "--report"),
        ("--dry-run", "--dry-run"),
        ("--no-build-iso", "--no-build-isolation"),
    ],
)
def test_options_pyvouch_controls_are_refused(arg: str, option: str) -> None:
    with pytest.raises(UsageError, match=f"command line: pip option {option}"):
        pip_args((), parse_command_line((arg, "value")))


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (("requests", "-r"), "-r option requires 1 argument"),
        (("--no-such-pip-option",), "no such option: --no-such-pip-option"),
        (("--no", "x"), "ambiguous option: --no"),
    ],
)
def test_a_bad_pip_option_is_one_line_naming_it(args: tuple[str, ...], problem: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_command_line(args)
    message = str(info.value)
    assert message.startswith("command line: pip option error: ")
    assert problem in message
    assert "\n" not in message


# ---- pip's installation report --------------------------------------------------------------


def test_an_index_item_becomes_a_package_with_its_exact_file() -> None:
    (item,) = parse_report(report(index_item()))
    package = item.package()
    assert (package.name, package.version, package.origin) == ("demo", "1.0", None)
    assert package.files == (FileRef("demo-1.0-py3-none-any.whl", DIGEST, item.url),)


def test_the_legacy_hash_field_is_read_when_hashes_is_absent() -> None:
    raw = index_item(digest=None)
    raw["download_info"]["archive_info"] = {"hash": f"sha256={DIGEST.upper()}"}
    (item,) = parse_report(report(raw))
    assert item.sha256 == DIGEST


@pytest.mark.parametrize(
    ("info", "direct", "origin", "archive"),
    [
        (
            {"url": "file:///src/demo", "dir_info": {}},
            True,
            "directory:file:///src/demo",
            False,
        ),
        (
            {"url": "file:///src/demo", "dir_info": {"editable": True}},
            True,
            "editable:file:///src/demo",
            False,
        ),
        (
            {
                "url": "https://git.example/demo.git",
                "vcs_info": {"vcs": "git", "commit_id": "c0ffee"},
            },
            True,
            "vcs:git+https://git.example/demo.git@c0ffee",
            False,
        ),
        (
            {
                "url": "file:///w/demo-1.0-py3-none-any.whl",
                "archive_info": {"hashes": {"sha256": DIGEST}},
            },
            True,
            "path:file:///w/demo-1.0-py3-none-any.whl",
            True,
        ),
        (
            {"url": "https://x.example/demo-1.0.tar.gz", "archive_info": {}},
            True,
            "url:https://x.example/demo-1.0.tar.gz",
            True,
        ),
    ],
)
def test_items_from_outside_the_index_are_not_indexed(
    info: dict[str, Any], direct: bool, origin: str, archive: bool
) -> None:
    raw = {
        "download_info": info,
        "is_direct": direct,
        "metadata": {"name": "demo", "version": "1.0"},
    }
    (item,) = parse_report(report(raw))
    assert (item.origin, item.archive) == (origin, archive)
    assert item.package().origin == origin


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("not json", "not JSON"),
        (report(index_item(), version="0"), "version '0' is not supported"),
        (json.dumps({"version": "1"}), "no install list"),
        (
            report({"download_info": {"url": "u"}, "metadata": {"name": "x"}}),
            "install[0].metadata.version",
        ),
    ],
)
def test_a_malformed_report_is_one_clear_error(text: str, problem: str) -> None:
    with pytest.raises(InputError) as info:
        parse_report(text)
    assert problem in str(info.value)
    assert info.value.exit_code == 2


# ---- the gate's policy floor ----------------------------------------------------------------

NO_FLAGS = GateFlags(mode_given=False, require_critical_given=False, require_long_tail_given=False)


def test_the_gate_enforces_verified_everywhere_by_default() -> None:
    policy = gate_policy(Policy(), NO_FLAGS)
    assert policy.mode is Mode.ENFORCE
    assert policy.critical.require is Require.VERIFIED
    assert policy.long_tail.require is Require.VERIFIED


def test_a_stricter_tier_stays_and_a_collecting_file_does_not_relax_the_gate() -> None:
    configured = Policy(
        mode=Mode.COLLECT,
        critical=Tier(TierName.CRITICAL, Require.VERIFIED_PINNED, ("requests",)),
        long_tail=Tier(TierName.LONG_TAIL, Require.ANY),
    )
    policy = gate_policy(configured, NO_FLAGS)
    assert policy.mode is Mode.ENFORCE
    assert policy.critical.require is Require.VERIFIED_PINNED
    assert policy.long_tail.require is Require.VERIFIED


def test_flags_given_on_the_command_line_relax_the_gate_for_one_run() -> None:
    configured = Policy(mode=Mode.WARN, long_tail=Tier(TierName.LONG_TAIL, Require.NO_REGRESSION))
    flags = GateFlags(mode_given=True, require_critical_given=False, require_long_tail_given=True)
    policy = gate_policy(configured, flags)
    assert policy.mode is Mode.WARN
    assert policy.long_tail.require is Require.NO_REGRESSION


# ---- refusals and pins ----------------------------------------------------------------------


def _not_indexed(info: dict[str, Any]) -> str:
    return report(
        {"download_info": info, "is_direct": True, "metadata": {"name": "demo", "version": "1.0"}}
    )


def test_a_directory_or_vcs_item_is_refused_even_when_not_indexed_is_allowed() -> None:
    items = parse_report(_not_indexed({"url": "file:///src/demo", "dir_info": {}}))
    with pytest.raises(UsageError, match="cannot pin it by hash"):
        refuse_unpinnable(items, allow_not_indexed=True)


def test_a_local_archive_needs_the_allow_flag_and_a_hash() -> None:
    wheel = {
        "url": "file:///w/demo-1.0-py3-none-any.whl",
        "archive_info": {"hashes": {"sha256": DIGEST}},
    }
    items = parse_report(_not_indexed(wheel))
    with pytest.raises(UsageError, match="--allow-not-indexed"):
        refuse_unpinnable(items, allow_not_indexed=False)
    refuse_unpinnable(items, allow_not_indexed=True)
    no_hash = parse_report(_not_indexed({**wheel, "archive_info": {}}))
    with pytest.raises(UsageError, match="no sha256"):
        refuse_unpinnable(no_hash, allow_not_indexed=True)


def test_requirements_pin_the_checked_digest() -> None:
    items = parse_report(report(index_item(), index_item("other", "2.0", None)))
    other_digest = "cd" * 32
    results = (
        PackageResult(
            items[0].package(), (Finding(items[0].package().files[0], Status.VERIFIED, "ok"),)
        ),
        PackageResult(
            items[1].package(),
            (Finding(FileRef("other-2.0-py3-none-any.whl", other_digest), Status.VERIFIED, "ok"),),
        ),
    )
    text = requirements_text(items, results)
    assert f"demo==1.0 \\\n    --hash=sha256:{DIGEST}\n" in text
    assert f"other==2.0 \\\n    --hash=sha256:{other_digest}\n" in text
    assert text.count("--hash=") == 2


def test_a_checked_digest_other_than_pips_is_never_pinned() -> None:
    (item,) = parse_report(report(index_item()))
    wrong = PackageResult(
        item.package(), (Finding(FileRef(item.filename, "ee" * 32), Status.VERIFIED, "ok"),)
    )
    with pytest.raises(UsageError, match="not the one pip reported"):
        requirements_text([item], (wrong,))


# ---- the command's own usage errors (no pip run) ----------------------------------------------


def test_install_without_requirements_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["install"])
    assert result.exit_code == 2
    assert "name what to install" in result.output


def test_install_refuses_a_pip_index_option_before_running_pip() -> None:
    result = CliRunner().invoke(cli, ["install", "-i", "http://127.0.0.1:9/simple/", "demo"])
    assert result.exit_code == 2
    assert "command line: pip option --index-url http://127.0.0.1:9/simple/: give --index-url" in (
        result.output
    )


def test_install_names_a_missing_interpreter() -> None:
    result = CliRunner().invoke(cli, ["install", "--python", "/nonexistent/python", "demo"])
    assert result.exit_code == 2
    assert "--python /nonexistent/python: no such interpreter" in result.output


def test_a_credentialled_direct_url_is_fetched_with_and_shown_without_its_secret() -> None:
    """Rule 11: pip gets the URL with its credentials (it must fetch); the model, every report
    and the printed --dry-run requirements get it without."""
    from pyvouch.redact import redact_text

    url = "https://deploy:SECRETZ@files.example/demo-1.0-py3-none-any.whl?token=SECRETZ"
    items = parse_report(_not_indexed({"url": url, "archive_info": {"hashes": {"sha256": DIGEST}}}))
    package = items[0].package()
    assert "SECRETZ" not in repr(package)
    assert package.origin is not None and "files.example/demo-1.0" in package.origin
    text = requirements_text(items, (PackageResult(package, ()),))
    assert f"demo @ {url} \\\n    --hash=sha256:{DIGEST}" in text
    shown = redact_text(text)
    assert "SECRETZ" not in shown and "files.example/demo-1.0-py3-none-any.whl" in shown


def test_a_relative_target_is_made_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """uv runs in an empty working folder: `--python demo/venv` must name the same
    interpreter there (the README's install section passes a relative virtualenv)."""
    python = tmp_path / "demo" / "venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert target_python("demo/venv", {}) == python
    assert target_python(None, {"VIRTUAL_ENV": "demo/venv"}) == python
