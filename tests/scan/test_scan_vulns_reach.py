"""``scan --vulns --source``: the findings ranked by what the project's code really imports.

Runs when the reachability analysis is part of this pyvouch (`pyvouch.reachability.analyse`);
skipped otherwise. The environment is a site-packages laid out as an installer does (files
and a dist-info with METADATA and RECORD), so the analysis maps modules to packages from it:
jinja2 is imported by the project (with an affected symbol), markupsafe only through jinja2,
iniconfig only from the tests, urllib3 never.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from tests.scan.conftest import Scan

pytestmark = pytest.mark.skipif(
    not hasattr(importlib.import_module("pyvouch.reachability"), "analyse"),
    reason="this pyvouch has no reachability analysis (pyvouch.reachability.analyse)",
)

CRITICAL = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"  # 9.8


def _install(site: Path, name: str, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text, encoding="utf-8")
    info = site / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n", encoding="utf-8"
    )
    record = [f"{rel},," for rel in files] + [f"{info.name}/RECORD,,"]
    (info / "RECORD").write_text("\n".join(record) + "\n", encoding="utf-8")


def _advisory(ident: str, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": ident,
        "modified": "2026-01-01T00:00:00Z",
        "severity": [{"type": "CVSS_V3", "score": CRITICAL}],
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": name},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}
                ],
                **extra,
            }
        ],
    }


@pytest.fixture
def project(scan: Scan) -> Path:
    root = scan.workdir
    site = root / "site-packages"
    _install(site, "jinja2", {"jinja2/__init__.py": "import markupsafe\nTemplate = object\n"})
    _install(site, "markupsafe", {"markupsafe/__init__.py": "X = 1\n"})
    _install(site, "urllib3", {"urllib3/__init__.py": "Y = 1\n"})
    _install(site, "iniconfig", {"iniconfig/__init__.py": "Z = 1\n"})
    (root / "src" / "app").mkdir(parents=True)
    (root / "src" / "app" / "__init__.py").write_text(
        "from jinja2 import Template\n\nPAGE = Template\n", encoding="utf-8"
    )
    (root / "tests").mkdir()
    (root / "tests" / "test_app.py").write_text("import iniconfig\n", encoding="utf-8")
    db = root / "advisories"
    db.mkdir()
    symbol = {"ecosystem_specific": {"imports": [{"module": "jinja2", "symbols": ["Template"]}]}}
    for doc in (
        _advisory("PYSEC-2099-10", "jinja2", **symbol),
        _advisory("PYSEC-2099-11", "markupsafe"),
        _advisory("PYSEC-2099-12", "urllib3"),
        _advisory("PYSEC-2099-13", "iniconfig"),
    ):
        (db / f"{doc['id']}.json").write_text(json.dumps(doc), encoding="utf-8")
    scan.write("requirements.txt", "jinja2==1.0\nmarkupsafe==1.0\nurllib3==1.0\niniconfig==1.0\n")
    return root


def _args(root: Path) -> tuple[str, ...]:
    return (
        str(root / "requirements.txt"),
        "--offline",
        "--vulns",
        "--vuln-db",
        str(root / "advisories"),
        "--source",
        str(root / "src"),
        "--tests",
        str(root / "tests"),
        "--env",
        str(root / "site-packages"),
        "--mode",
        "enforce",
    )


def test_each_finding_is_ranked_by_how_the_code_reaches_it(scan: Scan, project: Path) -> None:
    code, doc = scan.json(*_args(project))
    findings = doc["vulnerabilities"]["findings"]
    got = [(f["package"], f["exposure"], f["decision"]["action"]) for f in findings]
    assert got == [
        ("jinja2", "direct", "block"),
        ("markupsafe", "transitive", "block"),
        ("iniconfig", "test-only", "allow"),
        ("urllib3", "not-imported", "allow"),
    ]
    assert code == 1
    direct = findings[0]
    assert direct["evidence"]["file"].endswith("__init__.py") and direct["evidence"]["line"] == 1
    assert direct["symbol_uses"] and direct["symbol_uses"][0]["line"] == 1
    assert "jinja2" in findings[1]["evidence"]["chain"]


def test_the_vex_says_not_affected_only_for_what_is_never_imported(
    scan: Scan, project: Path
) -> None:
    result = scan(*_args(project), "--format", "cyclonedx")
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(result.stdout) is None
    states = {
        v["id"]: (v["analysis"]["state"], v["analysis"].get("justification"))
        for v in json.loads(result.stdout)["vulnerabilities"]
    }
    assert states == {
        "PYSEC-2099-10": ("exploitable", None),  # imported, and the affected symbol is used
        "PYSEC-2099-11": ("in_triage", None),
        "PYSEC-2099-13": ("in_triage", None),
        "PYSEC-2099-12": ("not_affected", "code_not_reachable"),
    }
