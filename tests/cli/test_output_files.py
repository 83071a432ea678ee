"""Rule 12 of issue 8: writes respect what they write to.

`--output` (and every other path a user names) is written through `pyvouch.user_files`:
special files are written in place, never replaced; symbolic links are followed to their
target, which is replaced atomically with its mode kept; what cannot be written is one line
and exit 2. The commands here need no network: `scan --dry-run`, `policy init`, `workflow
init`.
"""

from __future__ import annotations

import os
import socket
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pyvouch.cli.main import cli
from pyvouch.errors import InputError
from pyvouch.user_files import EditableText, read_document, write_all, write_file

LOCK = "sampleproject==4.0.0\nrequests==2.32.3\n"


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("PYVOUCH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("PYVOUCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    (work / "requirements.txt").write_text(LOCK, encoding="utf-8")
    return work


def scan_to(output: Path | str, *extra: str) -> Result:
    result = CliRunner().invoke(
        cli, ["scan", "requirements.txt", "--dry-run", "--output", str(output), *extra]
    )
    assert "Traceback" not in result.output, result.output
    return result


def expected_report() -> str:
    result = CliRunner().invoke(cli, ["scan", "requirements.txt", "--dry-run"])
    assert result.exit_code == 0, result.output
    return result.stdout


def leftovers(directory: Path) -> list[str]:
    """Temporary files a write left behind (they start with a dot)."""
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))


def one_line_error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("pyvouch: error: "), result.output
    return lines[0]


# ---- special files: written in place, never replaced ---------------------------------------


def test_output_to_dev_null_writes_into_it_and_leaves_the_device(work: Path) -> None:
    before = Path("/dev/null").stat()
    assert stat.S_ISCHR(before.st_mode)
    result = scan_to("/dev/null")
    assert result.exit_code == 0, result.output
    after = Path("/dev/null").stat()
    assert stat.S_ISCHR(after.st_mode), "/dev/null was replaced"
    assert (after.st_ino, after.st_rdev, stat.S_IMODE(after.st_mode)) == (
        before.st_ino,
        before.st_rdev,
        stat.S_IMODE(before.st_mode),
    )
    assert not [p for p in Path("/dev").iterdir() if p.name.startswith(".null.")]


def test_output_through_a_link_to_dev_null_keeps_both(work: Path) -> None:
    link = work / "report.txt"
    link.symlink_to("/dev/null")
    assert scan_to(link).exit_code == 0
    assert link.is_symlink() and str(link.readlink()) == "/dev/null"
    assert stat.S_ISCHR(Path("/dev/null").stat().st_mode)


def _read_fifo(path: Path, into: list[bytes]) -> threading.Thread:
    def read() -> None:
        with path.open("rb") as fh:
            into.append(fh.read())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


def test_output_to_a_fifo_streams_to_its_reader(work: Path) -> None:
    fifo = work / "report.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = _read_fifo(fifo, got)
    result = scan_to(fifo)
    reader.join(timeout=60)
    assert result.exit_code == 0, result.output
    assert got == [expected_report().encode()]
    assert stat.S_ISFIFO(fifo.lstat().st_mode), "the FIFO was replaced by a file"
    assert leftovers(work) == []


def test_write_file_into_a_fifo_through_a_symlink(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "link"
    link.symlink_to(fifo)
    got: list[bytes] = []
    reader = _read_fifo(fifo, got)
    write_file(link, b"through the link\n")
    reader.join(timeout=60)
    assert got == [b"through the link\n"]
    assert link.is_symlink() and stat.S_ISFIFO(fifo.lstat().st_mode)


# ---- symbolic links: the target is replaced, the link stays ---------------------------------


def test_output_through_a_symlink_updates_the_target_and_keeps_the_link(work: Path) -> None:
    shared = work.parent / "shared"
    shared.mkdir()
    target = shared / "report.txt"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    link = work / "report.txt"
    link.symlink_to(Path("..") / "shared" / "report.txt")  # a relative link
    result = scan_to(link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and str(link.readlink()) == str(Path("..") / "shared" / "report.txt")
    assert target.read_text("utf-8") == expected_report()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert leftovers(work) == [] and leftovers(shared) == []


def test_a_chain_of_symlinks_is_followed_to_the_end(tmp_path: Path) -> None:
    target = tmp_path / "real.txt"
    target.write_bytes(b"old")
    (tmp_path / "b").symlink_to(target)
    (tmp_path / "a").symlink_to(tmp_path / "b")
    write_file(tmp_path / "a", "new")
    assert target.read_bytes() == b"new"
    assert (tmp_path / "a").is_symlink() and (tmp_path / "b").is_symlink()


def test_a_dangling_symlink_creates_its_target(work: Path) -> None:
    link = work / "report.txt"
    link.symlink_to(work / "made.txt")
    result = scan_to(link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    assert (work / "made.txt").read_text("utf-8") == expected_report()


def test_a_dangling_symlink_into_a_missing_directory_is_one_line(work: Path) -> None:
    link = work / "report.txt"
    link.symlink_to(work / "nowhere" / "made.txt")
    line = one_line_error(scan_to(link))
    assert "report.txt" in line and "nowhere" in line
    assert link.is_symlink() and not (work / "nowhere").exists()


def test_a_symlink_loop_is_one_line_and_changes_nothing(work: Path) -> None:
    (work / "a").symlink_to(work / "b")
    (work / "b").symlink_to(work / "a")
    line = one_line_error(scan_to(work / "a"))
    assert "loop" in line
    assert (work / "a").is_symlink() and (work / "b").is_symlink()
    assert leftovers(work) == []


# ---- what pyvouch refuses to write to --------------------------------------------------------


def test_output_to_a_directory_is_exit_2(work: Path) -> None:
    folder = work / "reports"
    folder.mkdir()
    (folder / "keep.txt").write_text("kept", encoding="utf-8")
    line = one_line_error(scan_to(folder))
    assert "directory" in line
    assert folder.is_dir() and sorted(p.name for p in folder.iterdir()) == ["keep.txt"]


def test_output_to_a_symlink_to_a_directory_is_exit_2(work: Path) -> None:
    folder = work / "reports"
    folder.mkdir()
    (work / "link").symlink_to(folder)
    assert "directory" in one_line_error(scan_to(work / "link"))
    assert (work / "link").is_symlink()


def test_output_to_a_socket_is_exit_2(tmp_path: Path, work: Path) -> None:
    path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        assert "socket" in one_line_error(scan_to(path))
        assert stat.S_ISSOCK(path.lstat().st_mode)


def test_output_into_a_missing_directory_is_exit_2(work: Path) -> None:
    line = one_line_error(scan_to(work / "missing" / "report.txt"))
    assert "missing" in line


# ---- regular files: atomic, mode kept ---------------------------------------------------------


def test_a_regular_file_keeps_its_mode_and_a_new_one_gets_the_umask(work: Path) -> None:
    kept = work / "kept.txt"
    kept.write_text("old", encoding="utf-8")
    kept.chmod(0o600)
    assert scan_to(kept).exit_code == 0
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert kept.read_text("utf-8") == expected_report()
    new = work / "new.txt"
    assert scan_to(new).exit_code == 0
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~mask
    assert leftovers(work) == []


def test_a_hard_link_is_replaced_not_written_through(tmp_path: Path) -> None:
    """Documented limit: a regular file is replaced (atomically), so another hard link to
    the old inode keeps the old bytes."""
    target = tmp_path / "a.txt"
    target.write_bytes(b"old")
    os.link(target, tmp_path / "b.txt")
    write_file(target, b"new")
    assert target.read_bytes() == b"new"
    assert (tmp_path / "b.txt").read_bytes() == b"old"


def test_write_all_goes_through_links_and_is_all_or_nothing(tmp_path: Path) -> None:
    real = tmp_path / "real.sig"
    real.write_bytes(b"old")
    link = tmp_path / "link.sig"
    link.symlink_to(real)
    folder = tmp_path / "folder.sig"
    folder.mkdir()
    with pytest.raises(InputError, match="directory"):
        write_all([(link, "new"), (folder, "x")])
    assert real.read_bytes() == b"old" and link.is_symlink()
    assert write_all([(link, "new"), (Path("/dev/null"), "x")]) == [link, Path("/dev/null")]
    assert real.read_bytes() == b"new" and link.is_symlink()
    assert stat.S_ISCHR(Path("/dev/null").stat().st_mode)


def test_write_all_rolls_back_when_a_rename_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "one.sig", tmp_path / "two.sig"
    first.write_bytes(b"first old")
    calls: list[Path] = []
    real_replace = Path.replace

    def failing_replace(self: Path, target: str | os.PathLike[str]) -> Path:
        calls.append(Path(target))
        if Path(target) == second:
            raise OSError(28, "No space left on device")
        return real_replace(self, target)

    monkeypatch.setattr(Path, "replace", failing_replace)
    with pytest.raises(OSError, match="No space"):
        write_all([(first, "first new"), (second, "second new")])
    monkeypatch.undo()
    assert first.read_bytes() == b"first old"
    assert not second.exists()
    assert leftovers(tmp_path) == []


# ---- the other commands that write a named path ---------------------------------------------


def test_policy_init_and_workflow_init_write_through_symlinks(work: Path) -> None:
    shared = work.parent / "shared"
    shared.mkdir()
    (shared / "pyvouch.toml").write_text("# old\n", encoding="utf-8")
    (work / "pyvouch.toml").symlink_to(shared / "pyvouch.toml")
    result = CliRunner().invoke(cli, ["policy", "init", "requirements.txt", "--force"])
    assert result.exit_code == 0, result.output
    assert (work / "pyvouch.toml").is_symlink()
    assert 'mode = "collect"' in (shared / "pyvouch.toml").read_text("utf-8")

    (shared / "release.yml").write_text("old: 1\n", encoding="utf-8")
    (work / "release.yml").symlink_to(shared / "release.yml")
    result = CliRunner().invoke(
        cli,
        [
            "workflow", "init", "--publisher", "github:o/r:release.yml",
            "--output", "release.yml", "--force", "--project", "demo",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (work / "release.yml").is_symlink()
    assert "pypa/gh-action-pypi-publish" in (shared / "release.yml").read_text("utf-8")


# ---- text edited in place: line endings, BOM ---------------------------------------------------


@pytest.fixture
def texts() -> Iterator[dict[str, bytes]]:
    yield {
        "lf": b'a = 1\nb = "x"\n',
        "crlf": b'a = 1\r\nb = "x"\r\n',
        "bom-crlf": b'\xef\xbb\xbfa = 1\r\nb = "x"\r\n',
        "mixed": b'a = 1\r\nb = "x"\n',
        "no-newline": b"a = 1",
    }


def test_a_document_reads_and_encodes_back_byte_for_byte(
    tmp_path: Path, texts: dict[str, bytes]
) -> None:
    for name, raw in texts.items():
        path = tmp_path / name
        path.write_bytes(raw)
        doc = read_document(path)
        assert "\ufeff" not in doc.text
        assert doc.encode(doc.text) == raw, name


def test_an_edit_of_a_crlf_document_gets_crlf_lines(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_bytes(b'\xef\xbb\xbfa = 1\r\nb = "x"\r\n')
    doc = read_document(path)
    assert doc == EditableText('a = 1\nb = "x"\n', bom=True, crlf=True)
    assert doc.encode(doc.text + "c = 2\n") == b'\xef\xbb\xbfa = 1\r\nb = "x"\r\nc = 2\r\n'


def test_an_edit_of_a_mixed_document_leaves_its_lines_alone(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_bytes(b'a = 1\r\nb = "x"\n')
    doc = read_document(path)
    assert doc.text == 'a = 1\r\nb = "x"\n' and not doc.crlf
    assert doc.encode(doc.text + "c = 2\n") == b'a = 1\r\nb = "x"\nc = 2\n'


def test_a_document_that_is_not_utf8_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_bytes(b"a = '\xff'\n")
    with pytest.raises(InputError, match="not UTF-8"):
        read_document(path)


def test_pin_and_mode_edits_of_a_mixed_file_keep_every_old_line(tmp_path: Path) -> None:
    """A file mixing CRLF and LF is edited as it is: every old line keeps its ending."""
    from pyvouch.policy.pin_choice import PinAction, PinChoice
    from pyvouch.policy_files.edit import set_mode
    from pyvouch.policy_files.pin_write import edit_pylock
    from pyvouch.user_files import write_document

    lock = tmp_path / "pylock.toml"
    lock.write_bytes(
        b'lock-version = "1.0"\r\ncreated-by = "x"\n\r\n[[packages]]\r\nname = "a"\n'
        b'version = "1.0"\r\n'
    )
    doc = read_document(lock)
    choice = PinChoice("a", "1.0", PinAction.PIN, "r", {"kind": "GitHub", "repository": "o/a"})
    write_document(lock, doc, edit_pylock(doc.text, [choice], lock))
    after = lock.read_bytes()
    assert after.startswith(
        b'lock-version = "1.0"\r\ncreated-by = "x"\n\r\n[[packages]]\r\nname = "a"\n'
        b'version = "1.0"\r\n'
    )
    assert b'repository = "o/a"' in after

    policy = tmp_path / "pyvouch.toml"
    policy.write_bytes(b'mode = "collect"\r\n[tiers.critical]\npackages = []\r\n')
    doc = read_document(policy)
    write_document(policy, doc, set_mode(doc.text, policy, "warn"))
    assert policy.read_bytes() == b'mode = "warn"\r\n[tiers.critical]\npackages = []\r\n'
