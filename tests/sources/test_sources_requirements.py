"""requirements files: line handling, options, includes, pins, refusal, and pip resolution."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pyvouch.errors import InputError
from pyvouch.model import FileRef, Package
from pyvouch.sources import load_packages
from tests.support.sources_inputs import digest, make_wheel, write_simple_index
from tests.support.static_server import serve_directory

A, B, C, D = digest("a"), digest("b"), digest("c"), digest("d")


def by_name(packages: list[Package]) -> dict[str, Package]:
    return {p.name: p for p in packages}


def test_hash_pinned_with_continuations_comments_markers(tmp_path: Path) -> None:
    req = tmp_path / "requirements.txt"
    req.write_text(
        "# header comment\n"
        "--index-url https://pkgs.example/simple\n"
        "--extra-index-url=https://extra.example/simple\n"
        f'Werkzeug==2.2.3 ; python_version >= "3.8" --hash=sha256:{A}\n'
        'urllib3==1.26.15 ; python_version >= "3.8" \\\n'
        f"    --hash sha256:{B} \\\n"
        f"    --hash=sha256:{C}\n"
        "    # via requests\n"
        'ansicon==1.89.0 ; platform_system == "Windows" \\\n'
        f"    --hash=sha256:{D}  # trailing comment\n"
        "plain==1.0  # no hash\n"
        "\n"
    )
    result = load_packages(req)
    assert result.format == "requirements"
    pkgs = by_name(result.packages)
    assert list(pkgs) == ["werkzeug", "urllib3", "ansicon", "plain"]
    assert pkgs["werkzeug"].version == "2.2.3"
    assert pkgs["werkzeug"].hashes == (A,)
    assert pkgs["werkzeug"].files == ()
    assert pkgs["werkzeug"].marker == 'python_version >= "3.8"'
    assert pkgs["urllib3"].hashes == (B, C)
    assert pkgs["ansicon"].hashes == (D,)
    assert pkgs["plain"].hashes == () and pkgs["plain"].version == "1.0"
    assert all(p.index_url == "https://pkgs.example/simple" for p in pkgs.values())
    assert result.index_urls == ["https://pkgs.example/simple", "https://extra.example/simple"]
    linux = by_name(load_packages(req, platform="linux").packages)
    assert "ansicon" not in linux and "urllib3" in linux


def test_includes_constraints_and_direct_references(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "base.txt").write_text(f"idna==3.10 --hash=sha256:{A}\n-r ../more.txt\n")
    (tmp_path / "more.txt").write_text("six==1.16.0\n-r sub/base.txt\n")  # a cycle: read once
    (tmp_path / "constraints.txt").write_text(f"certifi==2024.1.1 --hash=sha256:{B}\n")
    req = tmp_path / "requirements-dev.txt"
    req.write_text(
        "-r sub/base.txt\n"
        "-c constraints.txt\n"
        "certifi\n"
        "-e ./localpkg#egg=localpkg\n"
        "git+https://github.com/o/r.git@abc#egg=fromgit\n"
        f"https://files.example/direct_thing-1.0-py3-none-any.whl --hash=sha256:{C}\n"
        "named @ https://files.example/named-2.0.tar.gz\n"
        "./dist/wheelish-3.0-py3-none-any.whl\n"
    )
    result = load_packages(req, resolve=False)
    pkgs = by_name(result.packages)
    assert pkgs["idna"].hashes == (A,) and pkgs["idna"].source == str(tmp_path / "sub" / "base.txt")
    assert pkgs["six"].version == "1.16.0"
    assert pkgs["certifi"].version == "2024.1.1" and pkgs["certifi"].hashes == (B,)
    assert pkgs["localpkg"].origin == "editable:./localpkg#egg=localpkg"
    assert pkgs["fromgit"].origin == "vcs:git+https://github.com/o/r.git@abc#egg=fromgit"
    thing = pkgs["direct-thing"]
    assert thing.origin == "url:https://files.example/direct_thing-1.0-py3-none-any.whl"
    assert thing.version == "1.0"
    assert thing.files == (
        FileRef(
            "direct_thing-1.0-py3-none-any.whl",
            C,
            "https://files.example/direct_thing-1.0-py3-none-any.whl",
        ),
    )
    assert pkgs["named"].origin == "url:https://files.example/named-2.0.tar.gz"
    assert pkgs["wheelish"].origin == "path:./dist/wheelish-3.0-py3-none-any.whl"
    assert len(result.packages) == 8


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("ok==1\nfoo===\n", 2, "invalid requirement"),
        ("ok==1\n\n--frobnicate\n", 3, "unknown option '--frobnicate'"),
        ("ok==1 \\\n  --hash=sha256:abc\n", 1, "not a sha256 digest"),
        ("-r missing.txt\n", 1, "included file 'missing.txt' not found"),
        ("-r https://example.org/r.txt\n", 1, "remote requirement file"),
        ("./some/dir\n", 1, "cannot tell the project name"),
        ("--index-url\n", 1, "needs a value"),
    ],
)
def test_bad_lines_name_the_line(tmp_path: Path, text: str, line: int, problem: str) -> None:
    req = tmp_path / "requirements.txt"
    req.write_text(text)
    with pytest.raises(InputError) as err:
        load_packages(req, resolve=False)
    assert err.value.where == f"line {line}"
    assert problem in err.value.problem
    assert err.value.path == str(req)


def test_error_in_an_included_file_names_that_file(tmp_path: Path) -> None:
    (tmp_path / "inc.txt").write_text("good==1\nbad ==\n")
    req = tmp_path / "requirements.txt"
    req.write_text("-r inc.txt\n")
    with pytest.raises(InputError) as err:
        load_packages(req)
    assert err.value.path == str(tmp_path / "inc.txt") and err.value.where == "line 2"


def test_unpinned_is_refused_when_resolution_is_off(tmp_path: Path) -> None:
    req = tmp_path / "requirements.txt"
    req.write_text("pinned==1.0\nrequests>=2\n")
    with pytest.raises(InputError) as err:
        load_packages(req, resolve=False)
    assert err.value.where == "line 2"
    assert "not pinned" in err.value.problem and "resolution is turned off" in err.value.problem


def test_env_vars_expand(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYVOUCH_TEST_INDEX", "https://env.example/simple")
    req = tmp_path / "requirements.txt"
    req.write_text("-i ${PYVOUCH_TEST_INDEX}\nx==1\n")
    assert load_packages(req).packages[0].index_url == "https://env.example/simple"


@pytest.fixture
def no_pip_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """pip must see only the loopback index the test serves."""
    for key in list(os.environ):
        if key.startswith("PIP_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")


@pytest.mark.slow
@pytest.mark.timeout(180)
@pytest.mark.usefixtures("no_pip_config")
def test_ranges_are_resolved_with_pip(tmp_path: Path) -> None:
    dists = tmp_path / "dists"
    app1 = make_wheel(dists, "demo-app", "1.0", ("demo-dep>=2",))
    app2 = make_wheel(dists, "demo-app", "1.1", ("demo-dep>=2",))
    dep2 = make_wheel(dists, "demo-dep", "2.0")
    dep3 = make_wheel(dists, "demo-dep", "3.0")
    write_simple_index(tmp_path / "site", [app1, app2, dep2, dep3])
    req = tmp_path / "requirements.txt"
    req.write_text("demo-app>=1.0,<2\n")
    with serve_directory(tmp_path / "site") as server:
        result = load_packages(req, index_url=server.index_url)
        assert 0 < len(server.requests) < 20
    pkgs = by_name(result.packages)
    assert list(pkgs) == ["demo-app", "demo-dep"]
    assert pkgs["demo-app"].version == "1.1"
    assert pkgs["demo-app"].files == (
        FileRef(app2.path.name, app2.sha256, f"{server.url}/files/{app2.path.name}"),
    )
    assert pkgs["demo-dep"].version == "3.0"
    assert pkgs["demo-dep"].files[0].sha256 == dep3.sha256
    assert pkgs["demo-dep"].index_url == server.index_url
    assert pkgs["demo-dep"].origin is None
    assert any("resolved with pip" in w for w in result.warnings)


@pytest.mark.slow
@pytest.mark.timeout(180)
@pytest.mark.usefixtures("no_pip_config")
def test_resolution_failure_is_an_input_error(tmp_path: Path) -> None:
    dists = tmp_path / "dists"
    write_simple_index(tmp_path / "site", [make_wheel(dists, "demo-app", "1.0")])
    req = tmp_path / "requirements.txt"
    req.write_text("demo-app>=5\n")
    with serve_directory(tmp_path / "site") as server, pytest.raises(InputError) as err:
        load_packages(req, index_url=server.index_url)
    assert "pip could not resolve" in err.value.problem
    assert "demo-app" in err.value.problem


def test_the_file_options_are_pips_own_table(tmp_path: Path) -> None:
    """The reader takes its options from the table the install gate parses pip with: pip's
    spellings of an index are all read (``--pypi-url`` is ``--index-url``), the options pip
    accepts that say nothing of where files come from are accepted and ignored, old pips'
    are still ignored, and anything else is refused."""
    req = tmp_path / "requirements.txt"
    req.write_text(
        "--pypi-url https://pkgs.example/simple\n"
        "--no-require-hashes\n"
        "--only-final :all:\n"
        "--all-releases=demo\n"
        "--install-option=--prefix=/x\n"
        "-Z\n"
        f"idna==3.10 --hash=sha256:{A}\n"
    )
    result = load_packages(req)
    assert result.index_urls == ["https://pkgs.example/simple"]
    assert [(p.name, p.index_url) for p in result.packages] == [
        ("idna", "https://pkgs.example/simple")
    ]
    req.write_text("--no-such-option\nidna==3.10\n")
    with pytest.raises(InputError, match="unknown option '--no-such-option'"):
        load_packages(req)
