# ruff: noqa: E501  (lock files written verbatim, with their long lines)
"""Each lock format, from small inputs the tests write: what is read, and broken input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pyvouch.errors import InputError
from pyvouch.model import FileRef, Package
from pyvouch.sources import load_packages
from tests.support.sources_inputs import digest

A, B, C, D = digest("a"), digest("b"), digest("c"), digest("d")
FILES = "https://files.example/packages"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def by_name(packages: list[Package]) -> dict[str, Package]:
    return {p.name: p for p in packages}


# ---- pylock.toml -----------------------------------------------------------------------------

PYLOCK = f"""
lock-version = "1.0"
created-by = "tests"
extras = ["sec"]
dependency-groups = ["dev"]
default-groups = []

[[packages]]
name = "attrs"
version = "25.1.0"
index = "https://pypi.org/simple"
wheels = [{{ name = "attrs-25.1.0-py3-none-any.whl", url = "{FILES}/attrs-25.1.0-py3-none-any.whl", size = 63152, hashes = {{ sha256 = "{A}" }} }}]
sdist = {{ url = "{FILES}/attrs-25.1.0.tar.gz", hashes = {{ sha256 = "{B}" }} }}
[[packages.attestation-identities]]
kind = "GitHub"
repository = "python-attrs/attrs"
workflow = "pypi-package.yml"
environment = "release-pypi"

[[packages]]
name = "private-lib"
version = "1.0"
index = "https://pkgs.example/simple"
marker = "sys_platform == 'win32' and 'sec' in extras"
wheels = [{{ url = "https://pkgs.example/f/private_lib-1.0-py3-none-any.whl", hashes = {{ sha256 = "{C}" }} }}]

[[packages]]
name = "from-git"
vcs = {{ type = "git", url = "https://github.com/o/r.git", commit-id = "0123abc" }}

[[packages]]
name = "local-proj"
directory = {{ path = ".", editable = true }}

[[packages]]
name = "direct-archive"
archive = {{ url = "https://example.org/direct_archive-2.0.tar.gz", hashes = {{ sha256 = "{D}" }} }}

[[packages]]
name = "linux-only"
version = "1"
marker = "sys_platform == 'linux' and python_version < '3.12'"
wheels = [{{ path = "wheels/linux_only-1-py3-none-any.whl", hashes = {{ sha256 = "{A}" }} }}]
"""


def test_pylock_reads_files_identities_and_origins(tmp_path: Path) -> None:
    lock = write(tmp_path, "pylock.toml", PYLOCK)
    result = load_packages(lock)
    assert result.format == "pylock"
    pkgs = by_name(result.packages)
    assert list(pkgs) == [
        "attrs",
        "private-lib",
        "from-git",
        "local-proj",
        "direct-archive",
        "linux-only",
    ]
    attrs = pkgs["attrs"]
    assert attrs.version == "25.1.0"
    assert attrs.source == str(lock)
    assert attrs.origin is None and attrs.index_url is None
    assert attrs.files == (
        FileRef("attrs-25.1.0.tar.gz", B, f"{FILES}/attrs-25.1.0.tar.gz", None),
        FileRef(
            "attrs-25.1.0-py3-none-any.whl", A, f"{FILES}/attrs-25.1.0-py3-none-any.whl", 63152
        ),
    )
    assert attrs.attestation_identities == (
        {
            "kind": "GitHub",
            "repository": "python-attrs/attrs",
            "workflow": "pypi-package.yml",
            "environment": "release-pypi",
        },
    )
    private = pkgs["private-lib"]
    assert private.index_url == "https://pkgs.example/simple"
    assert private.files[0].filename == "private_lib-1.0-py3-none-any.whl"  # from the URL
    assert private.marker == 'sys_platform == "win32" and "sec" in extras'
    assert pkgs["from-git"].origin == "vcs:git+https://github.com/o/r.git@0123abc"
    assert pkgs["local-proj"].origin == "editable:."
    archive = pkgs["direct-archive"]
    assert archive.origin == "url:https://example.org/direct_archive-2.0.tar.gz"
    assert archive.files == (
        FileRef(
            "direct_archive-2.0.tar.gz", D, "https://example.org/direct_archive-2.0.tar.gz", None
        ),
    )
    linux = pkgs["linux-only"]
    assert linux.origin == "path:linux_only-1-py3-none-any.whl"  # a local file: not indexed
    assert linux.files[0].url is None


def test_pylock_narrowing(tmp_path: Path) -> None:
    lock = write(tmp_path, "pylock.toml", PYLOCK)
    linux = by_name(load_packages(lock, platform="linux", python_version="3.11").packages)
    assert "linux-only" in linux and "private-lib" not in linux
    win = by_name(load_packages(lock, platform="win32").packages)
    assert "private-lib" in win and "linux-only" not in win  # 'sec' in extras stays possible
    py312 = by_name(load_packages(lock, python_version="3.12").packages)
    assert "linux-only" not in py312 and "private-lib" in py312
    assert len(load_packages(lock).packages) == 6


@pytest.mark.parametrize(
    ("edit", "where", "problem"),
    [
        (('created-by = "tests"', ""), "created-by", "Missing required value"),
        (('name = "attrs"', 'name = "attrz"'), "packages[0].wheels[0]", "not consistent"),
        (
            (f'sha256 = "{A}" }} }}]\nsdist', "sha256 = 5 } }]\nsdist"),
            "packages[0]",
            "Hash values must be strings",
        ),
        (('commit-id = "0123abc"', 'commit = "x"'), "packages[2]", "Missing required value"),
    ],
)
def test_pylock_errors_name_the_key(
    tmp_path: Path, edit: tuple[str, str], where: str, problem: str
) -> None:
    assert edit[0] in PYLOCK
    lock = write(tmp_path, "pylock.toml", PYLOCK.replace(edit[0], edit[1], 1))
    with pytest.raises(InputError) as err:
        load_packages(lock)
    assert err.value.where is not None and err.value.where.startswith(where)
    assert problem in err.value.problem


def test_pylock_unnormalized_names_are_read_with_a_warning(tmp_path: Path) -> None:
    text = f"""lock-version = "1.0"
created-by = "pipenv"
[[packages]]
name = "jaraco.classes"
version = "3.4.0"
wheels = [{{ name = "jaraco.classes-3.4.0-py3-none-any.whl", url = "{FILES}/x.whl", hashes = {{ sha256 = "{A}" }} }}]
"""
    result = load_packages(write(tmp_path, "pylock.toml", text))
    assert [p.name for p in result.packages] == ["jaraco-classes"]
    assert any("not normalized" in w for w in result.warnings)


def test_toml_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    lock = write(tmp_path, "pylock.toml", 'lock-version = "1.0"\ncreated-by = \n')
    with pytest.raises(InputError) as err:
        load_packages(lock)
    assert err.value.where == "line 2, column 14"
    assert "invalid TOML" in err.value.problem
    assert str(err.value).startswith(f"{lock}:line 2, column 14: invalid TOML")


# ---- uv.lock ---------------------------------------------------------------------------------

UV = f"""
version = 1
revision = 3
requires-python = ">=3.10"

[manifest]
members = ["app"]

[[package]]
name = "app"
version = "0.1.0"
source = {{ editable = "." }}
dependencies = [
    {{ name = "idna" }},
    {{ name = "colorama", marker = "sys_platform == 'win32'" }},
]
[package.optional-dependencies]
socks = [{{ name = "pysocks", marker = "python_version < '3.11'" }}]
[package.dev-dependencies]
dev = [{{ name = "tool", marker = "python_version >= '3.12'" }}]

[[package]]
name = "idna"
version = "3.10"
source = {{ registry = "https://pypi.org/simple" }}
sdist = {{ url = "{FILES}/idna-3.10.tar.gz", hash = "sha256:{A}", size = 190490 }}
wheels = [{{ url = "{FILES}/idna-3.10-py3-none-any.whl", hash = "sha256:{B}", size = 70442 }}]

[[package]]
name = "colorama"
version = "0.4.6"
source = {{ registry = "https://mirror.example/simple" }}
wheels = [{{ url = "https://mirror.example/f/colorama-0.4.6-py2.py3-none-any.whl", hash = "sha256:{C}" }}]

[[package]]
name = "pysocks"
version = "1.7.1"
source = {{ git = "https://github.com/Anorov/PySocks?rev=main#abc123" }}

[[package]]
name = "tool"
version = "2.0"
source = {{ path = "dist/tool-2.0-py3-none-any.whl" }}
wheels = [{{ filename = "tool-2.0-py3-none-any.whl", hash = "sha256:{D}" }}]

[[package]]
name = "orphan-virtual"
version = "0"
source = {{ virtual = "sub" }}
"""


def test_uv_lock(tmp_path: Path) -> None:
    lock = write(tmp_path, "uv.lock", UV)
    result = load_packages(lock)
    assert result.format == "uv"
    pkgs = by_name(result.packages)
    assert list(pkgs) == ["app", "idna", "colorama", "pysocks", "tool"]  # virtual skipped
    assert pkgs["app"].origin == "editable:."
    assert pkgs["idna"].files == (
        FileRef("idna-3.10.tar.gz", A, f"{FILES}/idna-3.10.tar.gz", 190490),
        FileRef("idna-3.10-py3-none-any.whl", B, f"{FILES}/idna-3.10-py3-none-any.whl", 70442),
    )
    assert pkgs["idna"].index_url is None
    assert pkgs["colorama"].index_url == "https://mirror.example/simple"
    assert pkgs["pysocks"].origin == "vcs:git+https://github.com/Anorov/PySocks?rev=main#abc123"
    assert pkgs["tool"].origin == "path:dist/tool-2.0-py3-none-any.whl"
    assert pkgs["tool"].files == (FileRef("tool-2.0-py3-none-any.whl", D),)


def test_uv_lock_narrowing_walks_edges(tmp_path: Path) -> None:
    lock = write(tmp_path, "uv.lock", UV)
    names = [p.name for p in load_packages(lock, python_version="3.10", platform="linux").packages]
    assert names == ["app", "idna", "pysocks"]
    names = [p.name for p in load_packages(lock, python_version="3.12", platform="win32").packages]
    assert names == ["app", "idna", "colorama", "tool"]


def test_uv_lock_bad_hash_names_the_key(tmp_path: Path) -> None:
    lock = write(tmp_path, "uv.lock", UV.replace(f"sha256:{B}", "sha256:zz"))
    with pytest.raises(InputError) as err:
        load_packages(lock)
    assert err.value.where == "package[1].wheels[0].hash"


def test_uv_lock_missing_name(tmp_path: Path) -> None:
    lock = write(tmp_path, "uv.lock", UV.replace('name = "idna"\nversion', "version", 1))
    with pytest.raises(InputError) as err:
        load_packages(lock)
    assert err.value.where == "package[1].name"
    assert err.value.problem == "missing required key"


# ---- poetry.lock -----------------------------------------------------------------------------

POETRY2 = f"""# This file is automatically @generated by Poetry 2.1.3 and should not be changed by hand.

[[package]]
name = "Backports.Tarfile"
version = "1.2.0"
description = ""
optional = false
python-versions = ">=3.8"
groups = ["main"]
markers = "python_version < \\"3.12\\""
files = [
    {{file = "backports.tarfile-1.2.0-py3-none-any.whl", hash = "sha256:{A}"}},
    {{file = "backports_tarfile-1.2.0.tar.gz", hash = "sha256:{B}"}},
]

[[package]]
name = "poetry-core"
version = "2.0.0"
description = ""
optional = false
python-versions = ">=3.9"
groups = ["main"]
files = []
[package.source]
type = "git"
url = "https://github.com/python-poetry/poetry-core.git"
reference = "HEAD"
resolved_reference = "e3998b0e"

[[package]]
name = "private"
version = "1.0"
description = ""
optional = true
python-versions = "*"
groups = ["dev"]
markers = {{main = "sys_platform == \\"win32\\"", dev = "sys_platform == \\"darwin\\""}}
files = [{{file = "private-1.0-py3-none-any.whl", hash = "sha256:{C}"}}]
[package.source]
type = "legacy"
url = "https://pkgs.example/simple"
reference = "corp"

[metadata]
lock-version = "2.1"
python-versions = "^3.9"
content-hash = "x"
"""

POETRY11 = f"""[[package]]
name = "aiohttp"
version = "3.9.3"
description = ""
category = "main"
optional = false
python-versions = ">=3.8"

[[package]]
name = "local"
version = "0.1"
description = ""
category = "dev"
optional = false
python-versions = "*"
develop = true
[package.source]
type = "directory"
url = "../local"

[metadata]
lock-version = "1.1"
python-versions = "^3.10"
content-hash = "x"

[metadata.files]
aiohttp = [
    {{file = "aiohttp-3.9.3-cp310-cp310-win32.whl", hash = "sha256:{A}"}},
    {{file = "aiohttp-3.9.3.tar.gz", hash = "sha256:{B}"}},
]
local = []
"""


def test_poetry_2(tmp_path: Path) -> None:
    lock = write(tmp_path, "poetry.lock", POETRY2)
    pkgs = by_name(load_packages(lock).packages)
    tar = pkgs["backports-tarfile"]
    assert tar.files == (
        FileRef("backports.tarfile-1.2.0-py3-none-any.whl", A),
        FileRef("backports_tarfile-1.2.0.tar.gz", B),
    )
    assert tar.marker == 'python_version < "3.12"'
    assert pkgs["poetry-core"].origin == (
        "vcs:git+https://github.com/python-poetry/poetry-core.git@e3998b0e"
    )
    assert pkgs["private"].index_url == "https://pkgs.example/simple"
    narrowed = by_name(load_packages(lock, python_version="3.12", platform="linux").packages)
    assert list(narrowed) == ["poetry-core"]
    narrowed = by_name(load_packages(lock, platform="darwin").packages)
    assert list(narrowed) == ["backports-tarfile", "poetry-core", "private"]


def test_poetry_11_metadata_files(tmp_path: Path) -> None:
    lock = write(tmp_path, "poetry.lock", POETRY11)
    result = load_packages(lock)
    pkgs = by_name(result.packages)
    assert pkgs["aiohttp"].files == (
        FileRef("aiohttp-3.9.3-cp310-cp310-win32.whl", A),
        FileRef("aiohttp-3.9.3.tar.gz", B),
    )
    assert pkgs["local"].origin == "editable:../local"
    narrowed = load_packages(lock, platform="linux")
    assert len(narrowed.packages) == 2
    assert any("no package markers" in w for w in narrowed.warnings)


def test_poetry_missing_version(tmp_path: Path) -> None:
    lock = write(tmp_path, "poetry.lock", POETRY11.replace('version = "0.1"\n', ""))
    with pytest.raises(InputError) as err:
        load_packages(lock)
    assert err.value.where == "package[1].version"


# ---- Pipfile.lock ----------------------------------------------------------------------------


def pipfile_lock() -> dict[str, object]:
    return {
        "_meta": {
            "hash": {"sha256": "x"},
            "pipfile-spec": 6,
            "requires": {},
            "sources": [
                {"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": True},
                {"name": "corp", "url": "https://pkgs.example/simple", "verify_ssl": True},
            ],
        },
        "default": {
            "certifi": {
                "hashes": [f"sha256:{A}", f"sha256:{B}"],
                "index": "pypi",
                "markers": "python_version >= '3.7'",
                "version": "==2026.2.25",
            },
            "corp-lib": {"hashes": [f"sha256:{C}"], "index": "corp", "version": "==1.0"},
            "mylib": {"editable": True, "path": "."},
            "gitdep": {"git": "https://github.com/o/gitdep.git", "ref": "abc"},
        },
        "develop": {
            "certifi": {"hashes": [f"sha256:{A}"], "version": "==2026.2.25"},
            "pywin32": {
                "hashes": [f"sha256:{D}"],
                "markers": "sys_platform == 'win32'",
                "version": "==306",
            },
        },
    }


def test_pipfile_lock(tmp_path: Path) -> None:
    lock = write(tmp_path, "Pipfile.lock", json.dumps(pipfile_lock(), indent=4))
    result = load_packages(lock)
    assert result.format == "pipfile"
    pkgs = by_name(result.packages)
    assert list(pkgs) == ["certifi", "corp-lib", "mylib", "gitdep", "pywin32"]
    certifi = pkgs["certifi"]
    assert certifi.version == "2026.2.25"
    assert certifi.files == () and certifi.hashes == (A, B)  # merged across sections
    assert pkgs["corp-lib"].index_url == "https://pkgs.example/simple"
    assert pkgs["mylib"].origin == "editable:."
    assert pkgs["gitdep"].origin == "vcs:git+https://github.com/o/gitdep.git@abc"
    assert result.index_urls == ["https://pypi.org/simple", "https://pkgs.example/simple"]
    linux = by_name(load_packages(lock, platform="linux").packages)
    assert "pywin32" not in linux and "certifi" in linux


def test_pipfile_json_error_has_line_and_column(tmp_path: Path) -> None:
    text = json.dumps(pipfile_lock(), indent=4)
    lock = write(tmp_path, "Pipfile.lock", text.replace('"default": {', '"default": {,', 1))
    line = 1 + text.splitlines().index('    "default": {')
    with pytest.raises(InputError) as err:
        load_packages(lock)
    assert err.value.where == f"line {line}, column 17"


def test_pipfile_bad_hash(tmp_path: Path) -> None:
    data = pipfile_lock()
    data["develop"]["pywin32"]["hashes"] = ["sha256"]  # type: ignore[index]
    lock = write(tmp_path, "Pipfile.lock", json.dumps(data))
    with pytest.raises(InputError) as err:
        load_packages(lock)
    assert err.value.where == "develop.pywin32.hashes[0]"


# ---- pdm.lock --------------------------------------------------------------------------------

PDM = f"""# This file is @generated by PDM.
[metadata]
groups = ["default", "test"]
strategy = ["inherit_metadata"]
lock_version = "4.5.0"
content_hash = "sha256:x"

[[package]]
name = "anyio"
version = "4.13.0"
requires_python = ">=3.10"
groups = ["default"]
files = [
    {{file = "anyio-4.13.0-py3-none-any.whl", hash = "sha256:{A}"}},
    {{file = "anyio-4.13.0.tar.gz", hash = "sha256:{B}"}},
]

[[package]]
name = "anyio"
version = "4.13.0"
extras = ["trio"]
groups = ["test"]
files = [
    {{file = "anyio-4.13.0-py3-none-any.whl", hash = "sha256:{A}"}},
]

[[package]]
name = "exceptiongroup"
version = "1.2.0"
marker = "python_version < \\"3.11\\""
groups = ["default"]
files = [
    {{url = "https://files.example/exceptiongroup-1.2.0-py3-none-any.whl", hash = "sha256:{C}"}},
]

[[package]]
name = "mytool"
version = "0.1"
git = "https://github.com/o/mytool.git"
revision = "deadbeef"
groups = ["test"]
"""


def test_pdm_lock(tmp_path: Path) -> None:
    lock = write(tmp_path, "pdm.lock", PDM)
    pkgs = by_name(load_packages(lock).packages)
    assert list(pkgs) == ["anyio", "exceptiongroup", "mytool"]
    assert pkgs["anyio"].files == (
        FileRef("anyio-4.13.0-py3-none-any.whl", A),
        FileRef("anyio-4.13.0.tar.gz", B),
    )
    assert pkgs["exceptiongroup"].files == (
        FileRef(
            "exceptiongroup-1.2.0-py3-none-any.whl",
            C,
            "https://files.example/exceptiongroup-1.2.0-py3-none-any.whl",
        ),
    )
    assert pkgs["mytool"].origin == "vcs:git+https://github.com/o/mytool.git@deadbeef"
    assert "exceptiongroup" not in by_name(load_packages(lock, python_version="3.11").packages)


def test_pdm_file_without_name(tmp_path: Path) -> None:
    lock = write(tmp_path, "pdm.lock", PDM.replace('{file = "anyio-4.13.0.tar.gz", ', "{"))
    with pytest.raises(InputError) as err:
        load_packages(lock)
    assert err.value.where == "package[0].files[1]"


# ---- CycloneDX -------------------------------------------------------------------------------


def bom() -> dict[str, object]:
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "components": [
            {
                "type": "library",
                "name": "aiohappyeyeballs",
                "version": "2.4.6",
                "purl": "pkg:pypi/aiohappyeyeballs@2.4.6",
                "externalReferences": [
                    {
                        "type": "distribution",
                        "url": "https://pypi.org/simple/aiohappyeyeballs/#aiohappyeyeballs-2.4.6.tar.gz",
                        "hashes": [{"alg": "SHA-256", "content": A}],
                    },
                    {"type": "website", "url": "https://example.org"},
                ],
            },
            {
                "type": "library",
                "name": "CacheControl",
                "purl": "pkg:pypi/CacheControl@0.14.4",
                "hashes": [{"alg": "SHA-256", "content": B}],
                "components": [
                    {
                        "type": "library",
                        "name": "inner",
                        "purl": "pkg:pypi/inner@1.0?file_name=inner-1.0-py3-none-any.whl",
                        "hashes": [
                            {"alg": "SHA-1", "content": SHA1_ABC.upper()},
                            {"alg": "SHA-256", "content": C},
                        ],
                    },
                    {
                        "type": "library",
                        "name": "corp",
                        "purl": "pkg:pypi/corp@2?repository_url=https://pkgs.example/simple",
                    },
                ],
            },
            {"type": "library", "name": "pip"},
            {"type": "library", "name": "left-pad", "purl": "pkg:npm/left-pad@1.3.0"},
            {
                "type": "library",
                "name": "fromgit",
                "purl": "pkg:pypi/fromgit@0.1?vcs_url=git%2Bhttps://github.com/o/r.git%40abc",
            },
        ],
    }


SHA1_ABC = "a9993e364706816aba3e25717850c26c9cd0d89d"


def test_cyclonedx(tmp_path: Path) -> None:
    result = load_packages(write(tmp_path, "sbom.cdx.json", json.dumps(bom())))
    assert result.format == "cyclonedx"
    pkgs = by_name(result.packages)
    assert list(pkgs) == ["aiohappyeyeballs", "cachecontrol", "inner", "corp", "fromgit"]
    assert pkgs["aiohappyeyeballs"].files == (FileRef("aiohappyeyeballs-2.4.6.tar.gz", A),)
    assert pkgs["cachecontrol"].version == "0.14.4"
    assert pkgs["cachecontrol"].hashes == (B,)
    # every algorithm is kept (as hashlib names it, lower-case hex), not only SHA-256
    assert pkgs["inner"].files == (
        FileRef("inner-1.0-py3-none-any.whl", C, other_digests=(("sha1", SHA1_ABC),)),
    )
    assert pkgs["corp"].index_url == "https://pkgs.example/simple"
    assert pkgs["fromgit"].origin == "vcs:git+https://github.com/o/r.git@abc"
    assert any("2 component(s) without a pkg:pypi purl" in w for w in result.warnings)


def test_cyclonedx_bad_purl(tmp_path: Path) -> None:
    data = bom()
    data["components"][1]["components"][0]["purl"] = "pkg:"  # type: ignore[index]
    with pytest.raises(InputError) as err:
        load_packages(write(tmp_path, "bom.json", json.dumps(data)))
    assert err.value.where == "components[1].components[0].purl"


def test_cyclonedx_not_a_bom(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        load_packages(write(tmp_path, "x.cdx.json", json.dumps({"bomFormat": "SPDX"})))
    assert err.value.where == "bomFormat"
