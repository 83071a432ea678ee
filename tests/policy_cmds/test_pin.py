"""`pyvouch pin`: only verified identities are recorded; pylock.toml keeps everything else."""

from __future__ import annotations

import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from packaging.pylock import Pylock

from pyvouch.cli.main import cli
from pyvouch.model import Package, PackageResult, Publisher
from pyvouch.policy.pin_choice import PinAction, PinChoice, choose
from pyvouch.policy_files.pin_file import load_pin_file
from pyvouch.policy_files.pin_write import edit_pylock
from tests.support.policy_sites import (
    SHARED_LOCKS,
    STORY_LOCK,
    STORY_LOCKED,
    Minter,
    build_site,
    identity_only_changes,
    sha256_of,
    story_dists,
    strip_provenance,
)
from tests.support.static_server import StaticServer, serve_directory

needs_story_lock = pytest.mark.skipif(
    not STORY_LOCK.is_file(), reason=f"{STORY_LOCK} is absent (../shared/fixtures not here)"
)


@pytest.fixture(scope="module")
def story_site(minter: Minter, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("story")
    return build_site(story_dists(minter, root / "dists"), root / "site")


@pytest.fixture(scope="module")
def server(story_site: Path) -> Iterator[StaticServer]:
    with serve_directory(story_site, negotiate=True) as srv:
        yield srv


def run(*args: str | Path) -> Result:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    return result


def pin(lock: Path, server: StaticServer, trust_root: Path, *extra: str | Path) -> Result:
    return run("pin", lock, "--index-url", server.index_url, "--trust-root", trust_root, *extra)


@pytest.fixture
def lock(tmp_path: Path) -> Path:
    if not STORY_LOCK.is_file():
        pytest.skip(f"{STORY_LOCK} is absent (../shared/fixtures not here)")
    path = tmp_path / "pylock.toml"
    shutil.copyfile(STORY_LOCK, path)
    return path


def identities(path: Path) -> dict[str, list[dict[str, str]]]:
    data = tomllib.loads(path.read_text("utf-8"))
    Pylock.from_dict(data)  # still a valid PEP 751 lock
    return {p["name"]: p.get("attestation-identities", []) for p in data["packages"]}


def test_pin_records_verified_identities_in_a_real_pylock(
    lock: Path, server: StaticServer, trust_root: Path
) -> None:
    before = lock.read_text("utf-8")
    result = pin(lock, server, trust_root)
    assert result.exit_code == 0, result.output
    after = lock.read_text("utf-8")
    assert identity_only_changes(before, after) == []
    assert identities(lock) == {
        "build": [{"kind": "GitHub", "repository": "pypa/build", "workflow": "cd.yml"}],
        "flit-core": [{"kind": "GitHub", "repository": "pypa/flit", "workflow": "publish.yml"}],
        "packaging": [
            {"kind": "GitHub", "repository": "pypa/packaging", "workflow": "publish.yml"}
        ],
        "pyproject-hooks": [],
    }
    assert "skip  pyproject-hooks 1.2.0: not pinned: not every file verified (1 unattested)" in (
        result.output
    )
    assert "3 pinned, 0 kept, 1 not pinned; wrote" in result.output
    # The pins are what a scan now enforces: the lock's identities are read back as pins.
    scan = run(
        "scan", lock, "--index-url", server.index_url, "--trust-root", trust_root,
        "--mode", "enforce", "--critical", "packaging", "--format", "json",
    )  # fmt: skip
    assert scan.exit_code == 0, scan.output
    assert "the pinned identity" in scan.output

    # Pinning again changes nothing.
    again = pin(lock, server, trust_root)
    assert again.exit_code == 0, again.output
    assert "0 pinned, 3 kept, 1 not pinned" in again.output
    assert lock.read_text("utf-8") == after


def test_dry_run_shows_the_change_and_writes_nothing(
    lock: Path, server: StaticServer, trust_root: Path
) -> None:
    before = lock.read_bytes()
    result = pin(lock, server, trust_root, "--dry-run")
    assert result.exit_code == 0, result.output
    assert lock.read_bytes() == before
    assert "+[[packages.attestation-identities]]" in result.output
    assert '+repository = "pypa/packaging"' in result.output
    assert "not written" in result.output
    assert not list(lock.parent.glob(".pylock.toml.*"))  # no temporary file left behind


def test_a_changed_identity_is_re_pinned_only_with_replace(
    lock: Path, server: StaticServer, trust_root: Path
) -> None:
    text = lock.read_text("utf-8").replace(
        'sha256 = "d7193f7c8e4e93f444fde0262bf90af30e16fa0ad0ad44cb553c87339b23cd1c"\n',
        'sha256 = "d7193f7c8e4e93f444fde0262bf90af30e16fa0ad0ad44cb553c87339b23cd1c"\n\n'
        "[[packages.attestation-identities]]\n"
        'kind = "GitHub"\nrepository = "pypa/old-packaging"\n',
    )
    lock.write_text(text, encoding="utf-8")
    result = pin(lock, server, trust_root)
    assert result.exit_code == 0, result.output
    assert (
        "skip  packaging 26.3: not pinned: pinned to github:pypa/old-packaging, but 1 file "
        "verified as github:pypa/packaging:publish.yml: not changed" in result.output
    )
    assert identities(lock)["packaging"] == [{"kind": "GitHub", "repository": "pypa/old-packaging"}]
    replaced = pin(lock, server, trust_root, "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert "(replaces github:pypa/old-packaging)" in replaced.output
    assert identities(lock)["packaging"] == [
        {"kind": "GitHub", "repository": "pypa/packaging", "workflow": "publish.yml"}
    ]


def _uv_lock() -> str:
    parts = ['version = 1\nrequires-python = ">=3.9"\n']
    for filename in STORY_LOCKED:
        project, version = filename.split("-")[:2]
        digest = sha256_of(Path(__file__).parents[1] / "assets" / "policy_story" / filename)
        parts.append(
            f'\n[[package]]\nname = "{project.replace("_", "-")}"\nversion = "{version}"\n'
            'source = { registry = "https://pypi.org/simple" }\n'
            f'wheels = [{{ url = "https://files.example/{filename}", '
            f'hash = "sha256:{digest}" }}]\n'
        )
    return "".join(parts)


def test_other_lock_formats_pin_into_pyvouch_lock_toml(
    tmp_path: Path, server: StaticServer, trust_root: Path
) -> None:
    lock = tmp_path / "uv.lock"
    lock.write_text(_uv_lock(), encoding="utf-8")
    before = lock.read_bytes()
    result = pin(lock, server, trust_root)
    assert result.exit_code == 0, result.output
    assert lock.read_bytes() == before  # the uv lock itself is never edited
    pins = load_pin_file(tmp_path / "pyvouch.lock.toml")
    assert {name: [p.identity.to_spec() for p in ps] for name, ps in pins.items()} == {
        "build": ["github:pypa/build:cd.yml"],
        "flit-core": ["github:pypa/flit:publish.yml"],
        "packaging": ["github:pypa/packaging:publish.yml"],
    }
    # A scan in enforce mode with the pin file in place: a different expected identity for
    # packaging makes it a mismatch, proving the pins are read (config pins win over it).
    again = pin(lock, server, trust_root)
    assert "0 pinned, 3 kept" in again.output


def test_an_index_without_provenance_pins_nothing(
    lock: Path, story_site: Path, tmp_path: Path, trust_root: Path
) -> None:
    stripped = tmp_path / "mirror"
    shutil.copytree(story_site, stripped)
    strip_provenance(stripped)
    before = lock.read_bytes()
    with serve_directory(stripped, negotiate=True) as mirror:
        result = pin(lock, mirror, trust_root)
    assert result.exit_code == 0, result.output
    assert lock.read_bytes() == before
    assert result.output.count("not pinned: not every file verified (1 unknown)") == 4
    assert "0 pinned, 0 kept, 4 not pinned" in result.output


def test_an_invalid_attestation_is_never_pinned(
    lock: Path, story_site: Path, tmp_path: Path, trust_root: Path
) -> None:
    # The index serves build's provenance for the packaging wheel: it verifies as a signature
    # but not for this file.
    tampered = tmp_path / "tampered"
    shutil.copytree(story_site, tampered)
    integrity = tampered / "integrity"
    build = next(integrity.glob("build/1.5.0/*/provenance"))
    target = next(integrity.glob("packaging/26.3/*/provenance"))
    shutil.copyfile(build, target)
    with serve_directory(tampered, negotiate=True) as srv:
        result = pin(lock, srv, trust_root)
    assert result.exit_code == 0, result.output
    assert "skip  packaging 26.3: not pinned: not every file verified (1 invalid)" in (
        result.output
    )
    assert identities(lock)["packaging"] == []
    assert identities(lock)["build"] != []


def test_a_missing_lock_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = run("pin", tmp_path / "nope.toml")
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert "nope.toml" in result.output


# ---- the writer over every real pylock.toml, no network -----------------------------------

REAL_PYLOCKS = sorted((SHARED_LOCKS / "pylock").glob("*.toml"))


@pytest.mark.corpus
@pytest.mark.skipif(not REAL_PYLOCKS, reason="../shared/fixtures/lockfiles/pylock is absent")
@pytest.mark.parametrize("path", REAL_PYLOCKS, ids=lambda p: p.name)
def test_edit_keeps_every_real_pylock_byte_for_byte(path: Path) -> None:
    text = path.read_text("utf-8")
    data = tomllib.loads(text)
    choices = [
        PinChoice(
            name=str(p["name"]).lower().replace("_", "-").replace(".", "-"),
            version=p.get("version"),
            action=PinAction.PIN,
            reason="test",
            identity={"kind": "GitHub", "repository": f"example/{p['name']}"},
        )
        for p in data["packages"]
    ]
    edited = edit_pylock(text, choices, path)
    assert identity_only_changes(text, edited) == []
    after = tomllib.loads(edited)
    for entry in after["packages"]:
        assert entry["attestation-identities"] == [
            {"kind": "GitHub", "repository": f"example/{entry['name']}"}
        ]
    before_rest = [
        {k: v for k, v in p.items() if k != "attestation-identities"} for p in data["packages"]
    ]
    after_rest = [
        {k: v for k, v in p.items() if k != "attestation-identities"} for p in after["packages"]
    ]
    assert before_rest == after_rest
    assert {k: v for k, v in after.items() if k != "packages"} == {
        k: v for k, v in data.items() if k != "packages"
    }


def test_choose_never_pins_what_did_not_verify() -> None:
    from pyvouch.model import FileRef, Finding, Status

    who = Publisher(kind="GitHub", repository="a/b", workflow="r.yml")
    other = Publisher(kind="GitHub", repository="c/d", workflow="r.yml")
    email = Publisher(kind="Other", email="me@example.com", issuer="https://x", subject="me@x")
    package = Package("demo", "1.0")

    def res(*findings: Finding) -> PackageResult:
        return PackageResult(package, findings)

    def f(status: Status, who: Publisher | None = None, name: str = "demo-1.0.tar.gz") -> Finding:
        return Finding(FileRef(name, "0" * 64), status, f"{status.value} reason", who)

    cases = {
        "verified": (res(f(Status.VERIFIED, who)), PinAction.PIN),
        "partly": (
            res(f(Status.VERIFIED, who), f(Status.UNATTESTED, name="x.whl")),
            PinAction.SKIP,
        ),
        "unknown": (res(f(Status.UNKNOWN)), PinAction.SKIP),
        "invalid": (res(f(Status.INVALID, who)), PinAction.SKIP),
        "two identities": (
            res(f(Status.VERIFIED, who), f(Status.VERIFIED, other, "y.whl")),
            PinAction.SKIP,
        ),
        "not a trusted publisher": (res(f(Status.VERIFIED, email)), PinAction.SKIP),
        "not indexed": (
            PackageResult(Package("demo", None, origin="vcs:git+x"), ()),
            PinAction.SKIP,
        ),
    }
    for label, (result, action) in cases.items():
        choice = choose(result, (), replace=False)
        assert choice.action is action, (label, choice)
        if action is PinAction.SKIP:
            assert choice.identity is None and choice.reason, label


def test_the_byte_for_byte_check_catches_other_changes() -> None:
    old = 'a = "1"\n\n[[packages]]\nname = "x"\n'
    assert (
        identity_only_changes(old, old + '\n[[packages.attestation-identities]]\nkind = "GitHub"\n')
        == []
    )
    assert identity_only_changes(old, old.replace('"1"', "'1'")) != []
    assert identity_only_changes(old, old + "# note\n") != []


# ---- rule 12: a symlinked, CRLF, BOM lock is edited in place, byte for byte ----------------

BOM = b"\xef\xbb\xbf"


def _crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def test_pin_edits_a_shared_crlf_lock_through_its_link(
    lock: Path, server: StaticServer, trust_root: Path, tmp_path: Path
) -> None:
    import stat

    text = lock.read_text("utf-8")
    shared = tmp_path / "shared"
    shared.mkdir()
    target = shared / "pylock.toml"
    target.write_bytes(BOM + _crlf(text).encode())
    target.chmod(0o640)
    work = tmp_path / "work"
    work.mkdir()
    link = work / "pylock.toml"
    link.symlink_to(target)
    lock.unlink()

    result = pin(link, server, trust_root)
    assert result.exit_code == 0, result.output
    assert "3 pinned" in result.output
    assert link.is_symlink() and str(link.readlink()) == str(target)
    assert sorted(p.name for p in work.iterdir()) == [
        "pylock.toml"
    ]  # no copy, no pin file beside it
    assert sorted(p.name for p in shared.iterdir()) == ["pylock.toml"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    after = target.read_bytes()
    assert after.startswith(BOM) and not after[3:].startswith(BOM)
    assert after.count(b"\n") == after.count(b"\r\n"), "a line lost its CRLF"
    edited = after[3:].decode("utf-8")
    assert identity_only_changes(_crlf(text), edited) == []
    pinned = {
        p["name"]: p.get("attestation-identities", []) for p in tomllib.loads(edited)["packages"]
    }
    assert pinned["build"] and pinned["packaging"] and not pinned["pyproject-hooks"]
    # a second run reads the BOM/CRLF lock, keeps every pin, and writes nothing
    again = pin(link, server, trust_root)
    assert again.exit_code == 0, again.output
    assert "unchanged" in again.output
    assert target.read_bytes() == after


@pytest.mark.corpus
@pytest.mark.skipif(not REAL_PYLOCKS, reason="../shared/fixtures/lockfiles/pylock is absent")
@pytest.mark.parametrize("bom", [False, True], ids=["crlf", "bom-crlf"])
@pytest.mark.parametrize("path", REAL_PYLOCKS, ids=lambda p: p.name)
def test_edit_keeps_every_real_crlf_pylock_byte_for_byte(
    path: Path, bom: bool, tmp_path: Path
) -> None:
    from pyvouch.user_files import read_document, write_document

    text = _crlf(path.read_text("utf-8"))
    copy = tmp_path / path.name
    copy.write_bytes((BOM if bom else b"") + text.encode())
    document = read_document(copy)
    data = tomllib.loads(document.text)
    choices = [
        PinChoice(
            name=str(p["name"]).lower().replace("_", "-").replace(".", "-"),
            version=p.get("version"),
            action=PinAction.PIN,
            reason="test",
            identity={"kind": "GitHub", "repository": f"example/{p['name']}"},
        )
        for p in data["packages"]
    ]
    write_document(copy, document, edit_pylock(document.text, choices, copy))
    raw = copy.read_bytes()
    assert raw.startswith(BOM) == bom
    edited = raw[3:].decode() if bom else raw.decode()
    assert edited.count("\n") == edited.count("\r\n")
    assert identity_only_changes(text, edited) == []
    assert {k: v for k, v in tomllib.loads(edited).items() if k != "packages"} == {
        k: v for k, v in data.items() if k != "packages"
    }


def test_a_shared_crlf_pin_file_is_edited_through_its_link(
    tmp_path: Path, server: StaticServer, trust_root: Path
) -> None:
    """`pyvouch.lock.toml` shared through a symbolic link: the target gets the new pins, in
    its own line endings and BOM; the old entries keep their bytes; the link stays."""
    shared = tmp_path / "shared"
    shared.mkdir()
    target = shared / "pyvouch.lock.toml"
    old = (
        '# pins shared by every service\nlock-version = "1"\ncreated-by = "pyvouch test"\n\n'
        '[[packages]]\nname = "unrelated"\n\n'
        '[[packages.attestation-identities]]\nkind = "GitHub"\nrepository = "o/unrelated"\n'
    )
    before = BOM + _crlf(old).encode()
    target.write_bytes(before)
    work = tmp_path / "work"
    work.mkdir()
    (work / "pyvouch.lock.toml").symlink_to(target)
    lock = work / "uv.lock"
    lock.write_text(_uv_lock(), encoding="utf-8")
    result = pin(lock, server, trust_root)
    assert result.exit_code == 0, result.output
    assert (work / "pyvouch.lock.toml").is_symlink()
    after = target.read_bytes()
    assert after.startswith(before), "an old byte changed"
    assert after.count(b"\n") == after.count(b"\r\n")
    pins = load_pin_file(work / "pyvouch.lock.toml")
    assert set(pins) == {"unrelated", "build", "flit-core", "packaging"}


@pytest.mark.parametrize("where", ["a directory", "a missing folder"])
def test_a_pin_file_that_cannot_be_written_is_refused_before_any_lookup(
    tmp_path: Path, where: str
) -> None:
    """--pin-file naming a directory (or a file in a folder that does not exist) is one line,
    exit 2, before the plan: no index is asked (the URL below answers nothing) and no plan
    is printed that the write would then contradict."""
    lock = tmp_path / "uv.lock"
    lock.write_text(_uv_lock(), encoding="utf-8")
    target = tmp_path if where == "a directory" else tmp_path / "nope" / "pins.toml"
    result = run("pin", lock, "--pin-file", target, "--index-url", "http://127.0.0.1:9/simple/")
    assert result.exit_code == 2, result.output
    assert "cannot write" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "pin " not in result.output and "skip " not in result.output
    assert not (tmp_path / "nope").exists()
