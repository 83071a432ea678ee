"""Bad input is one line on stderr and exit 2, from every command that reads it: publisher
specs of the wrong JSON types (``--publisher``, ``--pin``, the policy), malformed URLs from
every source (flags, ``$PIP_INDEX_URL``, the policy, a lock), workflows nested hundreds of
levels deep, and a data directory that is a file.

Most cases run the CLI in-process (click's runner keeps stderr apart and exposes any
exception that escaped); a few run the real console entry point in a subprocess, where a
traceback would really be printed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pyvouch.cli.main import cli
from tests.support.verify_helpers import CUT, asset, run_cli_process

SHA = "a" * 64
WRONG_TYPES = [
    '{"kind": ["GitHub"], "repository": "octo/repo"}',
    '{"kind": {"GitHub": 1}, "repository": "octo/repo"}',
    '{"kind": 1, "repository": "octo/repo"}',
    '{"kind": true}',
    '{"kind": null}',
    '{"kind": "GitHub", "repository": ["octo/repo"]}',
    '{"kind": "GitHub", "repository": "octo/repo", "workflow": 7}',
    '{"kind": "GitHub", "repository": "octo/repo", "environment": {"name": "pypi"}}',
    '{"kind": "GitLab", "repository": "g/p", "workflow_filepath": false}',
    '{"kind": "Google", "email": ["a@b.example"]}',
    '{"kind": "CircleCI", "project_id": 1, "pipeline_definition_id": 2}',
    '{"kind": "GitHub", "repository": "octo/repo", "workflow": "a\\u0000.yml"}',
    '{"kind": "GitHub", "repository": "octo/repo", "environment": "\\ud800"}',
    '["GitHub"]',
    '{"kind": "GitHub", "repository": "octo/repo"' + "]" * 5,
    "{" * 5000,
]
MALFORMED_URLS = [
    "http://[::1",
    "http://[::1/simple/",
    "https://user:hunter2@[::1/simple/",
    "http://[::1]:99999/simple/",
    "http://[not-an-ip]/simple/",
    "http://pkgs.example:port/simple/",
    "http://user:hunter2\uff03@pkgs.example/simple/",
]


def run(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch, **env: str) -> Result:
    monkeypatch.chdir(cwd)
    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    return CliRunner().invoke(
        cli,
        args,
        env={"PYVOUCH_CACHE_DIR": str(cwd / "cache"), "NO_COLOR": "1", **env},
    )


def assert_one_line_exit_2(result: Result, *words: str) -> str:
    escaped = result.exception is not None and not isinstance(result.exception, SystemExit)
    assert not escaped, f"{type(result.exception).__name__}: {result.exception}"
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("pyvouch: error: ")
    assert "Traceback" not in result.output
    for word in words:
        assert word in lines[0], lines[0]
    assert "hunter2" not in result.output
    return lines[0]


def requirements(tmp_path: Path) -> Path:
    path = tmp_path / "requirements.txt"
    path.write_text(f"sampleproject==3.0.0 --hash=sha256:{SHA}\n")
    return path


# -- publisher specs --------------------------------------------------------------------------


@pytest.mark.parametrize("spec", WRONG_TYPES)
def test_publisher_spec_of_wrong_types_in_every_place(
    spec: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lock = requirements(tmp_path)
    dist = str(asset("sampleproject-4.0.0.tar.gz"))
    provenance = str(asset("sampleproject-4.0.0.tar.gz.provenance"))
    verify = run(["verify", dist, "--provenance", provenance, "--publisher", spec], tmp_path,
                 monkeypatch)  # fmt: skip
    assert_one_line_exit_2(verify, "bad --publisher")
    blob = run(["verify-blob", dist, "--publisher", spec], tmp_path, monkeypatch)
    assert_one_line_exit_2(blob, "bad --publisher")
    pin = run(["scan", str(lock), "--pin", f"sampleproject={spec}", "--offline"], tmp_path,
              monkeypatch)  # fmt: skip
    assert_one_line_exit_2(pin, "--pin")
    policy = tmp_path / "pyvouch.toml"
    policy.write_text(f"[publishers]\nsampleproject = {json.dumps(spec)}\n")
    scanned = run(["scan", str(lock), "--offline"], tmp_path, monkeypatch)
    assert_one_line_exit_2(scanned, "pyvouch.toml:publishers.sampleproject", "bad publisher")


def test_publisher_spec_in_a_policy_array_names_its_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lock = requirements(tmp_path)
    (tmp_path / "pyvouch.toml").write_text(
        '[publishers]\nsampleproject = ["github:pypa/sampleproject", \'{"kind": [1]}\']\n'
    )
    result = run(["scan", str(lock), "--offline"], tmp_path, monkeypatch)
    assert_one_line_exit_2(result, "publishers.sampleproject[1]", "'kind'")


# -- malformed URLs from every source ---------------------------------------------------------


@pytest.mark.parametrize("url", MALFORMED_URLS)
@pytest.mark.parametrize(
    "command",
    ["scan", "pin", "readiness", "diff", "verify", "index-check", "install"],
)
def test_malformed_index_url_flag(
    url: str, command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lock = str(requirements(tmp_path))
    args = {
        "scan": ["scan", lock],
        "pin": ["pin", lock],
        "readiness": ["readiness", lock],
        "diff": ["diff", lock, lock],
        "verify": ["verify", str(asset("sampleproject-4.0.0.tar.gz"))],
        "index-check": ["index", "check", url],
        "install": ["install", "sampleproject==3.0.0"],
    }[command]
    if command != "index-check":
        args += ["--index-url", url]
    result = run(args, tmp_path, monkeypatch)
    assert_one_line_exit_2(result, "malformed URL")


@pytest.mark.parametrize("url", MALFORMED_URLS)
def test_malformed_upstream_and_base_url(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run(["index", "check", CUT + "/simple/", "--upstream", url], tmp_path, monkeypatch)
    assert_one_line_exit_2(result, "--upstream", "malformed URL")
    (tmp_path / "dists").mkdir()
    result = run(
        ["index", "build", str(tmp_path / "dists"), "--out", str(tmp_path / "site"),
         "--base-url", url],
        tmp_path,
        monkeypatch,
    )  # fmt: skip
    assert_one_line_exit_2(result, "--base-url")
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize("url", MALFORMED_URLS)
def test_malformed_url_from_environment_policy_and_lock(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lock = requirements(tmp_path)
    result = run(["scan", str(lock)], tmp_path, monkeypatch, PIP_INDEX_URL=url)
    assert_one_line_exit_2(result, "$PIP_INDEX_URL", "malformed URL")
    result = run(["install", "sampleproject==3.0.0"], tmp_path, monkeypatch, PIP_INDEX_URL=url)
    assert_one_line_exit_2(result, "$PIP_INDEX_URL", "malformed URL")

    declared = tmp_path / "declared.txt"
    declared.write_text(f"-i {url}\nsampleproject==3.0.0 --hash=sha256:{SHA}\n")
    result = run(["scan", str(declared)], tmp_path, monkeypatch)
    assert_one_line_exit_2(result, "the lock's index", "malformed URL")

    (tmp_path / "pyvouch.toml").write_text(f"index-url = {json.dumps(url)}\n")
    result = run(["scan", str(lock)], tmp_path, monkeypatch)
    assert_one_line_exit_2(result, "pyvouch.toml:index-url", "malformed URL")


def test_malformed_direct_urls_in_a_lock_are_reported_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A direct URL is never looked up: whatever its form, it is `not-indexed`, and every
    report renders it without credentials."""
    lock = tmp_path / "pylock.toml"
    lock.write_text(
        'lock-version = "1.0"\ncreated-by = "t"\n'
        "[[packages]]\n"
        'name = "direct"\n'
        f'archive = {{ url = "https://u:hunter2@[::1/direct-1.0.tar.gz", '
        f'hashes = {{ sha256 = "{SHA}" }} }}\n'
    )
    for fmt in ("json", "table", "markdown", "sarif", "cyclonedx"):
        result = run(["scan", str(lock), "--format", fmt, "--index-url", CUT + "/simple/"],
                     tmp_path, monkeypatch)  # fmt: skip
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            f"{fmt}: {result.exception!r}"
        )
        # Nothing to verify and no policy: no findings.
        assert (result.exit_code, result.stderr) == (0, ""), (fmt, result.output)
        assert "hunter2" not in result.stdout, fmt
        if fmt == "json":
            (package,) = json.loads(result.stdout)["packages"]
            assert package["status"] == "not-indexed"


# -- documents nested too deeply --------------------------------------------------------------


def _workflow(nesting: str) -> str:
    return (
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
        f"      - uses: actions/checkout@v4\n        with: {nesting}\n"
    )


@pytest.mark.parametrize(
    "text",
    [
        _workflow("[" * 400 + "]" * 400),
        _workflow("{a: " * 400 + "1" + "}" * 400),
        _workflow("[" * 50_000),
        "on: push\njobs:\n"
        + "".join("  " * (i + 1) + "k:\n" for i in range(400))
        + "  " * 401
        + "k: v\n",
        "on: " + "[" * 400 + "push" + "]" * 400 + "\njobs: {}\n",
    ],
    ids=["flow-list", "flow-map", "unclosed", "block-map", "in-on"],
)
def test_workflow_nested_hundreds_deep(
    text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    path = folder / "deep.yml"
    path.write_text(text)
    result = run(["workflow", "lint", str(path)], tmp_path, monkeypatch)
    assert_one_line_exit_2(result, str(path))


def test_workflow_nested_but_sane_still_lints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ok.yml"
    path.write_text(_workflow("[" * 40 + "]" * 40))
    result = run(["workflow", "lint", str(path)], tmp_path, monkeypatch)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    assert result.stdout == "1 workflow file: 0 error(s), 0 warning(s), 0 info\n"


# -- the real entry point: what a user's terminal shows ----------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["scan", "REQ", "--index-url", "https://user:hunter2@[::1/simple/"],
        ["verify", str(asset("sampleproject-4.0.0.tar.gz")), "--publisher", '{"kind": []}'],
        ["workflow", "lint", "DEEP"],
    ],
    ids=["url", "publisher", "workflow"],
)
def test_console_entry_point_prints_one_line(args: list[str], tmp_path: Path) -> None:
    req = requirements(tmp_path)
    deep = tmp_path / "deep.yml"
    deep.write_text(_workflow("[" * 2000 + "]" * 2000))
    argv = [str(req) if a == "REQ" else str(deep) if a == "DEEP" else a for a in args]
    done = run_cli_process(argv, tmp_path)
    assert done.code == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "hunter2" not in done.stderr + done.stdout


# -- JSON strings that are not text -----------------------------------------------------------


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_lone_surrogate_in_a_json_lock_is_bad_input(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``"\\ud800"`` is valid JSON but no text: it used to parse, then kill the report that
    printed it (UnicodeEncodeError)."""
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "components": [
            {
                "type": "library",
                "name": "pkg",
                "version": "1.0",
                "purl": "pkg:pypi/pkg@1.0",
                "externalReferences": [
                    {
                        "type": "distribution",
                        "url": "https://files.example/pkg-1.0.tar.gz\ud800",
                        "hashes": [{"alg": "SHA-256", "content": SHA}],
                    }
                ],
            }
        ],
    }
    lock = tmp_path / "bom.cdx.json"
    lock.write_text(json.dumps(bom))  # ensure_ascii: the file holds the escape "\ud800"
    assert "\\ud800" in lock.read_text()
    result = run(["scan", str(lock), "--format", fmt, "--index-url", CUT + "/simple/"],
                 tmp_path, monkeypatch)  # fmt: skip
    assert_one_line_exit_2(result, str(lock), "lone surrogate")
    # A proper pair is text, and reads as before.
    lock.write_text(json.dumps(bom).replace("\\ud800", "\\ud83d\\ude00"))
    result = run(["scan", str(lock), "--format", fmt, "--offline"], tmp_path, monkeypatch)
    escaped = result.exception is not None and not isinstance(result.exception, SystemExit)
    assert not escaped and result.exit_code == 3, result.output  # unknown: nothing cached


@pytest.mark.parametrize("nested", [False, True])
@pytest.mark.parametrize("option", ["-r", "-c"])
def test_install_requirements_file_at_a_malformed_file_url(
    nested: bool, option: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = "file://user:hunter2@[::1/requirements.txt"
    if nested:
        outer = tmp_path / "outer.txt"
        outer.write_text(f"{option} {target}\n")
        args = ["install", "-r", str(outer)]
    else:
        args = ["install", option, target]
    result = run(args, tmp_path, monkeypatch)
    assert_one_line_exit_2(result, "is a malformed URL")
