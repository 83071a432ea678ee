"""Every command with every ``--format`` it offers, through the real CLI (in process, no
network): one JSON convention, SARIF that validates against the OASIS 2.1.0 schema, Markdown
and text from the shared builders, and the same exit code whatever the format.

The walk is driven by the commands themselves: each command's ``--format`` choices are read
from click, so a new format or a new command with ``--format`` that this walk does not run
fails `test_every_command_with_a_format_is_walked`.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import jsonschema
import pytest
from click.testing import CliRunner

from pyvouch import __version__, report
from pyvouch.cli.main import COMMANDS, cli
from pyvouch.report import json_report
from tests.support.blob_signing import write_keypair
from tests.support.index_servers import IndexServer, serve
from tests.support.sarif_schema import sarif_errors
from tests.support.verify_helpers import asset
from tests.support.workflow_samples import write_sdist, write_wheel

SAMPLE = "sampleproject-4.0.0.tar.gz"
GOOGLE = "sampleproject-3.0.0.tar.gz"
SCHEMA_TAG = re.compile(r"^pyvouch-[a-z][a-z-]*/[1-9][0-9]*$")

WORKFLOW = """\
    name: release
    on: push
    jobs:
      publish:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: python -m build
          - uses: pypa/gh-action-pypi-publish@release/v1
            with:
              password: ${{ secrets.PYPI_TOKEN }}
"""


@dataclass(frozen=True)
class Case:
    command: str
    """As typed, and as the JSON's ``command`` says it."""
    args: Callable[[Path, IndexServer], list[str]]
    exit_code: int
    sarif_results: bool = False
    """The run has findings, so its SARIF (when offered) has results."""
    label: str | None = None
    """The case's name when the command is walked twice (``scan --vulns``)."""

    @property
    def key(self) -> str:
        return self.label or self.command


def _blob(tmp: Path, _: IndexServer) -> list[str]:
    blob = tmp / "blob.bin"
    blob.write_bytes(b"payload")
    (tmp / "blob.bin.sigstore.json").write_text('{"not": "a bundle"}', encoding="utf-8")
    _, public = write_keypair(tmp)
    return ["verify-blob", str(blob), "--key", str(public)]


def _check(tmp: Path, _: IndexServer) -> list[str]:
    dist = tmp / "dist"
    dist.mkdir(exist_ok=True)
    write_wheel(dist)
    write_sdist(dist)
    (dist / "notes.txt").write_text("stray", encoding="utf-8")
    return ["check", str(dist)]


def _lint(tmp: Path, _: IndexServer) -> list[str]:
    workflow = tmp / "release.yml"
    workflow.write_text(textwrap.dedent(WORKFLOW), encoding="utf-8")
    return ["workflow", "lint", str(workflow)]


ADVISORY = {
    "id": "PYSEC-2099-1",
    "modified": "2026-01-01T00:00:00Z",
    "summary": "idna test advisory",
    "aliases": ["CVE-2099-1"],
    "affected": [
        {
            "package": {"ecosystem": "PyPI", "name": "idna"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.11"}]}],
        }
    ],
}


def _scan_vulns(tmp: Path, _: IndexServer) -> list[str]:
    """`scan --vulns` against a local advisory database: idna 3.10 is affected."""
    db = tmp / "advisories"
    db.mkdir(exist_ok=True)
    (db / "PYSEC-2099-1.json").write_text(json.dumps(ADVISORY), encoding="utf-8")
    lock = _locks(tmp)[1]
    return ["scan", str(lock), "--offline", "--vulns", "--vuln-db", str(db)]


def _locks(tmp: Path) -> tuple[Path, Path]:
    base, head = tmp / "base.txt", tmp / "head.txt"
    base.write_text("requests==2.32.3\n", encoding="utf-8")
    head.write_text("requests==2.32.4\nidna==3.10\n", encoding="utf-8")
    return base, head


def _reachability(tmp: Path, _: IndexServer) -> list[str]:
    (tmp / "src" / "app").mkdir(parents=True, exist_ok=True)
    (tmp / "src" / "app" / "__init__.py").write_text("import requests\n", encoding="utf-8")
    wheel = "requests-2.32.3-py3-none-any.whl"
    (tmp / "pylock.toml").write_text(
        'lock-version = "1.0"\ncreated-by = "tests"\n\n[[packages]]\nname = "requests"\n'
        f'version = "2.32.3"\nwheels = [{{ name = "{wheel}", url = "https://files.invalid/'
        f'{wheel}", hashes = {{ sha256 = "{"ab" * 32}" }} }}]\n',
        encoding="utf-8",
    )
    return ["reachability", str(tmp / "pylock.toml"), "--offline", "--symbol", "requests:get"]


def _history(view: str, *extra: str) -> Callable[[Path, IndexServer], list[str]]:
    def args(tmp: Path, _: IndexServer) -> list[str]:
        from pyvouch.store.engine import open_store
        from pyvouch.store.location import resolve_store
        from pyvouch.store.write import record_scan
        from tests.support.store_records import package_record, scan_record

        store = tmp / "history.sqlite3"
        if not store.exists():
            with open_store(resolve_store(str(store))) as opened:
                record_scan(opened, scan_record((package_record("alpha", tier="critical"),)))
        return ["history", view, *extra, "--store", str(store)]

    return args


HISTORY_VIEWS = ("coverage", "new-unsigned", "overview", "regressions", "scans", "signing")

CASES: dict[str, Case] = {
    case.key: case
    for case in (
        Case(
            "verify",
            lambda t, s: [
                "verify",
                str(asset(SAMPLE)),
                str(asset(GOOGLE)),
                "--provenance",
                str(asset(f"{SAMPLE}.provenance")),
            ],
            1,
            sarif_results=True,
        ),
        Case("verify-blob", _blob, 1, sarif_results=True),
        Case("inspect", lambda t, s: ["inspect", str(asset(f"{SAMPLE}.provenance"))], 0),
        Case("check", _check, 0, sarif_results=True),
        Case("workflow lint", _lint, 1, sarif_results=True),
        Case("scan", lambda t, s: ["scan", str(_locks(t)[1]), "--offline"], 3, True),
        Case("scan", _scan_vulns, 3, True, label="scan --vulns"),
        Case("readiness", lambda t, s: ["readiness", str(_locks(t)[1]), "--offline"], 3),
        Case("diff", lambda t, s: ["diff", *map(str, _locks(t)), "--no-lookup"], 0),
        Case("reachability", _reachability, 0),
        Case("history package", _history("package", "alpha"), 0),
        *(
            Case(
                f"history {view}",
                _history(view, "--since", "3650d")
                if view in ("coverage", "new-unsigned", "signing", "scans", "regressions")
                else _history(view),
                0,
            )
            for view in HISTORY_VIEWS
        ),
        Case(
            "index check",
            lambda t, s: [
                "index",
                "check",
                s.url("/simple/"),
                "--upstream",
                s.url("/simple/"),
                "--project",
                "demo",
                "--retries",
                "0",
            ],
            3,
        ),
    )
}
"""One run per command that offers ``--format``. `install` is walked by its builder below
(its CLI runs pip, which the install-gate tests do)."""


def _leaves(group: click.Group, prefix: str = "") -> Iterator[tuple[str, click.Command]]:
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        if isinstance(command, click.Group):
            yield from _leaves(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", command


def _formats(command: click.Command) -> tuple[str, ...]:
    for param in command.params:
        if isinstance(param, click.Option) and "--format" in param.opts:
            assert isinstance(param.type, click.Choice)
            return tuple(str(c) for c in param.type.choices)
    return ()


OFFERED = {name: _formats(command) for name, command in _leaves(cli) if _formats(command)}
WALK = [(key, fmt) for key in sorted(CASES) for fmt in OFFERED.get(CASES[key].command, ())]


def test_every_command_with_a_format_is_walked() -> None:
    assert set(COMMANDS) <= {name.split(" ")[0] for name in dict(_leaves(cli))}
    assert set(OFFERED) - {"install"} == {case.command for case in CASES.values()}
    for name, choices in OFFERED.items():
        assert set(choices) <= set(report.FORMATS), name
        # every command gets the generic formats
        assert {"json", "markdown"} <= set(choices), name


@pytest.fixture(scope="module")
def index() -> Iterator[IndexServer]:
    with serve() as server:  # every path answers 404
        yield server


@pytest.fixture(scope="module")
def runs(
    tmp_path_factory: pytest.TempPathFactory, index: IndexServer
) -> dict[tuple[str, str], tuple[int, str, str]]:
    """Each (command, format) run once: its exit code, stdout and stderr."""
    out: dict[tuple[str, str], tuple[int, str, str]] = {}
    for name, case in CASES.items():
        work = tmp_path_factory.mktemp(name.replace(" ", "-"))
        args = case.args(work, index)
        with pytest.MonkeyPatch.context() as patch:
            patch.chdir(work)  # no policy file of the repository is found
            patch.setenv("NO_COLOR", "1")
            for fmt in OFFERED[case.command]:
                result = CliRunner().invoke(cli, [*args, "--format", fmt])
                assert result.exception is None or isinstance(result.exception, SystemExit), (
                    name,
                    fmt,
                    result.exception,
                )
                out[name, fmt] = (result.exit_code, result.stdout, result.stderr)
    return out


@pytest.mark.parametrize(("name", "fmt"), WALK)
def test_output_follows_its_format(
    runs: dict[tuple[str, str], tuple[int, str, str]], name: str, fmt: str
) -> None:
    case = CASES[name]
    code, out, _ = runs[name, fmt]
    assert code == case.exit_code, (name, fmt, out)  # the format never changes the verdict
    assert out.endswith("\n") and not out.endswith("\n\n"), (name, fmt)
    if fmt == "json":
        doc = json.loads(out)
        assert list(doc)[:3] == ["schema", "command", "pyvouch_version"]
        assert SCHEMA_TAG.match(doc["schema"]), doc["schema"]
        assert doc["command"] == case.command
        assert doc["pyvouch_version"] == __version__
        assert isinstance(doc["warnings"], list)
        if doc["schema"] == "pyvouch-scan/1":
            jsonschema.validate(doc, json_report.schema())
    elif fmt == "sarif":
        doc = json.loads(out)
        assert sarif_errors(doc) == []
        assert bool(doc["runs"][0]["results"]) is case.sarif_results
    elif fmt == "markdown":
        assert out.startswith("## pyvouch"), out[:80]
    elif fmt == "cyclonedx":
        assert json.loads(out)["bomFormat"] == "CycloneDX"
    else:
        assert fmt in ("text", "table")
        assert out.strip() and "\x1b" not in out


def test_json_documents_differ_by_schema_tag(
    runs: dict[tuple[str, str], tuple[int, str, str]],
) -> None:
    """Each command names its own document, so a consumer can tell them apart."""
    tags = {c.command: json.loads(runs[c.key, "json"][1])["schema"] for c in CASES.values()}
    assert len(set(tags.values())) == len(tags), tags


def test_install_report_walks_the_scan_formats() -> None:
    """`install` renders its plan as a scan report (command ``install``) in every format."""
    from pyvouch.report import scan_report
    from tests.support.report_samples import every_status

    built = scan_report.build(every_status(), command="install")
    for fmt in OFFERED["install"]:
        text = report.render(fmt, built)
        if fmt == "json":
            doc: dict[str, Any] = json.loads(text)
            assert doc["command"] == "install"
            jsonschema.validate(doc, json_report.schema())
        if fmt == "sarif":
            assert sarif_errors(json.loads(text)) == []


def test_a_format_a_report_cannot_carry_is_refused_in_one_line() -> None:
    from pyvouch.errors import UsageError
    from pyvouch.report import readiness

    built = readiness.build([], None, "https://pypi.org/simple/")
    assert not report.supports("sarif", built)
    assert not report.supports("cyclonedx", built)
    with pytest.raises(UsageError, match="does not apply to `pyvouch readiness`"):
        report.render("sarif", built)


@pytest.mark.parametrize(
    ("name", "rule", "level", "where"),
    [
        # the unattested sdist where the user named it, not the verified one
        ("verify", "PYV001", "warning", f"assets/attestations/{GOOGLE}"),
        ("verify-blob", "PYV002", "error", "blob.bin"),  # the bundle is not a bundle: invalid
        ("check", "PYV-C002", "warning", "notes.txt"),  # a stray file an upload would send
        ("workflow lint", None, "error", "release.yml"),
    ],
)
def test_sarif_results_point_at_what_failed(
    runs: dict[tuple[str, str], tuple[int, str, str]],
    name: str,
    rule: str | None,
    level: str,
    where: str,
) -> None:
    results = json.loads(runs[name, "sarif"][1])["runs"][0]["results"]
    uris = [loc["physicalLocation"]["artifactLocation"]["uri"] for r in results
            for loc in r["locations"]]  # fmt: skip
    assert uris and all(uri.endswith(where) for uri in uris), uris
    assert level in {r["level"] for r in results}
    if rule is not None:
        assert {r["ruleId"] for r in results} == {rule}


@pytest.mark.parametrize("fmt", OFFERED["verify"])
def test_notices_go_to_stderr_whatever_the_format(
    runs: dict[tuple[str, str], tuple[int, str, str]], fmt: str
) -> None:
    err = runs["verify", fmt][2]
    assert err.startswith("pyvouch: warning: identity NOT checked for 1 file(s)"), err


def test_scan_vulns_has_its_section_in_every_format(
    runs: dict[tuple[str, str], tuple[int, str, str]],
) -> None:
    """The vulnerability section is part of scan's report: every format of `scan` shows the
    finding (idna 3.10, PYSEC-2099-1), and the plain scan shows none."""
    for fmt in OFFERED["scan"]:
        out = runs["scan --vulns", fmt][1]
        assert "PYSEC-2099-1" in out, fmt
        assert "PYSEC-2099-1" not in runs["scan", fmt][1], fmt
    doc = json.loads(runs["scan --vulns", "json"][1])
    (found,) = doc["vulnerabilities"]["findings"]
    assert (found["package"], found["exposure"], found["fixed"]) == ("idna", "unknown", ["3.11"])
    sarif = json.loads(runs["scan --vulns", "sarif"][1])["runs"][0]
    rules = [r["id"] for r in sarif["tool"]["driver"]["rules"]]
    assert {"PYV101", "PYV102"} <= set(rules)
    assert [r["ruleId"] for r in sarif["results"] if r["ruleId"].startswith("PYV10")] == ["PYV102"]
    (vex,) = json.loads(runs["scan --vulns", "cyclonedx"][1])["vulnerabilities"]
    assert vex["analysis"]["state"] == "in_triage"
    assert "### Vulnerabilities" in runs["scan --vulns", "markdown"][1]
    table = runs["scan --vulns", "table"][1].splitlines()
    assert any(line.startswith("P") and "idna" in line and "PYSEC-2099-1" in line for line in table)
