"""The commands: scan --record, record, history; and every bad input: one line, exit 2 or 3,
nothing written, and the password of a store URL never in the output."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pyvouch.cli.main import cli
from pyvouch.store import queries
from pyvouch.store.engine import open_store
from pyvouch.store.location import resolve_store
from pyvouch.testing.postgres import PASSWORD, Cluster
from tests.pipeline.conftest import Site

SECRET = PASSWORD  # what must never be shown


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    monkeypatch.delenv("PYVOUCH_STORE", raising=False)
    return folder


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def scan_args(site: Site, work: Path, lock: str, *extra: str) -> list[str]:
    path = work / "requirements.txt"
    path.write_text(lock, encoding="utf-8")
    return [
        "scan",
        str(path),
        "--no-resolve",
        "--index-url",
        site.server.index_url,
        "--trust-root",
        str(site.trust_root),
        "--repo",
        "github.com/org/app",
        *extra,
    ]


def one_error_line(result: Result) -> str:
    assert SECRET not in result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("pyvouch: error: ")
    return lines[0]


def test_scan_record_then_record_the_same_report_is_one_scan(
    site: Site, work: Path, store_url: str
) -> None:
    scanned = run(
        *scan_args(site, work, "alpha==1.0\nbeta==1.1\n"),
        "--record",
        "--store",
        store_url,
        "--format",
        "json",
        "--output",
        str(work / "report.json"),
    )
    assert scanned.exit_code == 0, scanned.stderr
    run_id = json.loads((work / "report.json").read_text())["run"]["id"]
    assert f"scan {run_id} recorded" in scanned.stderr
    again = run(
        "record", str(work / "report.json"), "--store", store_url, "--repo", "github.com/org/app"
    )
    assert again.exit_code == 0, again.stderr
    assert "already recorded (same run): nothing written" in again.stdout
    assert SECRET not in scanned.stdout + scanned.stderr + again.stdout + again.stderr
    with open_store(resolve_store(store_url)) as store:
        [summary] = queries.scans_of(store)
    assert (summary.run_id, summary.evidence, summary.packages, summary.verified) == (
        run_id,
        "verified",
        2,
        1,
    )


def test_a_cyclonedx_report_is_ingested_as_observations(
    site: Site, work: Path, store_url: str
) -> None:
    sbom = work / "bom.json"
    made = run(
        *scan_args(site, work, "alpha==1.0\nnewbie==1.0\n"),
        "--format",
        "cyclonedx",
        "--output",
        str(sbom),
    )
    assert made.exit_code == 0, made.stderr
    serial = json.loads(sbom.read_text())["serialNumber"]
    done = run("record", str(sbom), "--store", store_url, "--repo", "github.com/org/ci")
    assert done.exit_code == 0, done.stderr
    assert done.stdout.startswith("cyclonedx report bom.json: run ")
    with open_store(resolve_store(store_url)) as store:
        [summary] = queries.scans_of(store)
        alpha = queries.package_history(store, "alpha")
    assert serial == f"urn:uuid:{summary.run_id}"
    assert (summary.repository, summary.evidence, summary.verified) == (
        "github.com/org/ci",
        "ingested",
        1,
    )
    assert alpha[0].publishers == ("github:octo/alpha:release.yml",)


def test_history_shows_table_json_and_markdown(site: Site, work: Path, store_url: str) -> None:
    assert (
        run(
            *scan_args(site, work, "alpha==1.0\nbeta==1.0\n"),
            "--record",
            "--store",
            store_url,
            "--critical",
            "alpha",
        ).exit_code
        == 0
    )
    assert (
        run(
            *scan_args(site, work, "alpha==1.1\nbeta==1.1\nnewbie==1.0\n"),
            "--record",
            "--store",
            store_url,
            "--critical",
            "alpha",
        ).exit_code
        == 1
    )
    table = run("history", "regressions", "--store", store_url)
    assert table.exit_code == 0, table.stderr
    assert (
        "alpha" in table.stdout and "beta" in table.stdout and "publisher changed" in table.stdout
    )
    doc = json.loads(
        run("history", "package", "Alpha", "--store", store_url, "--format", "json").stdout
    )
    assert doc["schema"] == "pyvouch-history-package/1" and doc["command"] == "history package"
    assert [(r["version"], r["status"]) for r in doc["rows"]] == [
        ("1.1", "mismatch"),
        ("1.0", "verified"),
    ]
    md = run(
        "history", "new-unsigned", "--store", store_url, "--since", "3650d", "--format", "markdown"
    )
    assert md.stdout.startswith("## pyvouch history") and "| newbie |" in md.stdout
    signing = json.loads(run("history", "signing", "--store", store_url, "--format", "json").stdout)
    [alpha] = signing["rows"]
    assert (alpha["name"], alpha["consistent"], alpha["verified"], alpha["observations"]) == (
        "alpha",
        False,
        1,
        2,
    )
    overview = json.loads(
        run("history", "overview", "--store", store_url, "--format", "json").stdout
    )
    assert [(r["repository"], r["scans"]) for r in overview["rows"]] == [("github.com/org/app", 2)]
    scans = run("history", "scans", "--store", store_url, "--since", "1d")
    assert scans.stdout.count("github.com/org/app") == 2
    pruned = run("history", "prune", "--keep", "0d", "--store", store_url)
    assert pruned.exit_code == 0 and pruned.stdout.startswith("deleted 2 scan(s)")
    assert SECRET not in pruned.stdout


def test_the_store_named_by_the_environment_or_the_policy_is_used(
    site: Site, work: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (work / "pyvouch.toml").write_text(f'store = "{tmp_path / "policy.sqlite3"}"\n')
    assert run(*scan_args(site, work, "alpha==1.0\n"), "--record").exit_code == 0
    assert (tmp_path / "policy.sqlite3").is_file()
    monkeypatch.setenv("PYVOUCH_STORE", str(tmp_path / "env.sqlite3"))
    assert run(*scan_args(site, work, "alpha==1.0\n"), "--record").exit_code == 0
    assert (tmp_path / "env.sqlite3").is_file()
    flagged = run(
        "history", "scans", "--store", str(tmp_path / "policy.sqlite3"), "--format", "json"
    )
    assert len(json.loads(flagged.stdout)["rows"]) == 1


# ---- bad reports: one line, exit 2, nothing written ----------------------------------------


BAD_REPORTS = {
    "not pyvouch's": ('{"bomFormat": "SPDX", "packages": []}', "not a pyvouch report"),
    "not JSON": ("\x00\x01binary", "not JSON"),
    "another tool's SBOM": (
        '{"bomFormat": "CycloneDX", "metadata": {"tools": {"components": [{"name": "syft"}]}}}',
        "not a pyvouch report",
    ),
    "truncated": (None, "not JSON (cut short or damaged?)"),
    "newer schema": ('{"schema": "pyvouch-scan/9", "packages": []}', "newer than this pyvouch"),
    "a bad status": (None, "packages[0].status"),
    "a name too long for the store": (
        '{"schema": "pyvouch-scan/1", "source": "x", "source_format": "uv", "index_url": "u",'
        ' "mode": "collect", "packages": [{"name": "' + "a" * 300 + '", "files": []}]}',
        "packages[0].name: longer than 256 characters",
    ),
    "packages not a list": (
        '{"schema": "pyvouch-scan/1", "source": "x", "source_format": "uv",'
        ' "index_url": "u", "mode": "collect", "packages": {}}',
        "packages",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_REPORTS))
def test_a_bad_report_is_one_line_exit_2_and_nothing_written(
    site: Site, work: Path, tmp_path: Path, case: str
) -> None:
    text, expected = BAD_REPORTS[case]
    if text is None:
        made = run(*scan_args(site, work, "alpha==1.0\n"), "--format", "json")
        good = made.stdout
        text = (
            good[: len(good) // 2]
            if case == "truncated"
            else good.replace('"status": "verified"', '"status": "trusted"', 1)
        )
    report = work / "report.json"
    report.write_text(text, encoding="utf-8")
    store = tmp_path / "never.sqlite3"
    result = run("record", str(report), "--store", str(store))
    assert result.exit_code == 2
    assert expected in one_error_line(result)
    assert not store.exists()


def test_a_report_that_is_not_pyvouchs_writes_nothing_into_postgres(
    pg_cluster: Cluster, work: Path
) -> None:
    url = pg_cluster.create_database("nothing_written")
    report = work / "other.json"
    report.write_text('{"hello": "world"}')
    result = run("record", str(report), "--store", url)
    assert result.exit_code == 2 and "not a pyvouch report" in one_error_line(result)
    import psycopg

    with psycopg.connect(url) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
    assert tables == (0,)


# ---- bad stores: one line, exit 2 or 3, nothing written, the password never shown -----------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def bad_store(case: str, cluster: Cluster, tmp_path: Path) -> tuple[str, int, str]:
    if case == "unreachable":
        return (f"postgresql://pyvouch:{SECRET}@127.0.0.1:{_closed_port()}/db", 3, "refused")
    if case == "wrong password":
        return (cluster.url(password=SECRET), 2, "password authentication failed")
    if case == "no such database":
        return (cluster.url("missing_db"), 2, 'database "missing_db" does not exist')
    if case == "another scheme":
        return (f"mysql://root:{SECRET}@127.0.0.1/db", 2, "is not postgresql://")
    if case == "malformed":
        return (f"postgresql://pyvouch:{SECRET}@127.0.0.1:notaport/db", 2, "cannot be read")
    if case == "a directory":
        return (str(tmp_path), 2, "is a directory")
    if case == "not sqlite":
        junk = tmp_path / "junk.sqlite3"
        junk.write_bytes(b"this is not a database" * 100)
        return (str(junk), 2, "not a database")
    raise AssertionError(case)


BAD_STORES = (
    "unreachable",
    "wrong password",
    "no such database",
    "another scheme",
    "malformed",
    "a directory",
    "not sqlite",
)


@pytest.mark.parametrize("case", BAD_STORES)
def test_a_bad_store_is_one_line_and_never_shows_the_password(
    site: Site, work: Path, tmp_path: Path, pg_cluster: Cluster, case: str
) -> None:
    url, code, expected = bad_store(case, pg_cluster, tmp_path)
    if case == "wrong password":
        url = url.replace(SECRET, "wrong-" + SECRET)
    made = run(*scan_args(site, work, "alpha==1.0\n"), "--format", "json")
    report = work / "report.json"
    report.write_text(made.stdout)
    for args in (
        ["record", str(report), "--store", url],
        ["history", "scans", "--store", url],
        [*scan_args(site, work, "alpha==1.0\n"), "--record", "--store", url],
    ):
        result = run(*args)
        assert result.exit_code == code, (args[0], result.stderr)
        line = one_error_line(result)
        assert expected in line, line
        assert "wrong-" not in result.stderr
        assert result.stdout == ""  # the scan's report is not printed when recording failed


def test_the_password_in_pyvouch_store_is_never_printed(
    site: Site, work: Path, pg_cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = pg_cluster.create_database("from_env")
    monkeypatch.setenv("PYVOUCH_STORE", url)
    scanned = run(*scan_args(site, work, "alpha==1.0\n"), "--record")
    history = run("history", "overview")
    assert scanned.exit_code == 0 and history.exit_code == 0
    for result in (scanned, history):
        assert SECRET not in result.stdout + result.stderr
    pruned = run("history", "prune", "--keep", "1d")
    assert "postgresql://pyvouch:***@127.0.0.1" in pruned.stdout and SECRET not in pruned.stdout


def test_readiness_can_judge_the_releases_the_store_saw_verify(
    site: Site, work: Path, store_url: str
) -> None:
    for lock in ("alpha==1.0\nbeta==1.0\nnewbie==1.0\n", "beta==1.1\n"):
        assert run(*scan_args(site, work, lock), "--record", "--store", store_url).exit_code in (
            0,
            1,
        )
    lock = work / "requirements.txt"
    lock.write_text("alpha==1.0\nbeta==1.1\nnewbie==1.0\n")
    result = run(
        "readiness", str(lock), "--from-history", "--store", store_url, "--window", "1",
        "--format", "json", "--no-snippet",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    verdicts = {a["name"]: a["verdict"] for a in json.loads(result.stdout)["packages"]}
    assert verdicts["alpha"] == "ready"
    assert verdicts["beta"] == "not-ready"  # it stopped signing: 1.1 has no attestation
    assert verdicts["newbie"] == "never-signs"
    assert SECRET not in result.stdout + result.stderr
