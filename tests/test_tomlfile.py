"""The one TOML reader: every failure is one error naming the file, the place and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyvouch.errors import ConfigError, InputError
from pyvouch.sources.base import load_toml
from pyvouch.tomlfile import MAX_BYTES, parse_toml, read_toml


def test_a_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "pyvouch.toml"
    path.write_text('mode = "warn"\nmode = "enforce"\n', "utf-8")
    with pytest.raises(ConfigError) as caught:
        read_toml(path)
    assert caught.value.where == "line 2, column 17"
    assert str(caught.value).startswith(f"{path}:line 2, column 17: invalid TOML: ")
    assert "\n" not in str(caught.value)


def test_the_same_mapping_for_a_lock_as_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "uv.lock"
    path.write_text("[[package]]\nname = \n", "utf-8")
    with pytest.raises(InputError) as caught:
        load_toml(path)
    assert not isinstance(caught.value, ConfigError)
    assert caught.value.where == "line 2, column 8"
    assert caught.value.problem.startswith("invalid TOML: ")


def test_an_error_at_the_end_names_the_end() -> None:
    for error in (ConfigError, InputError):
        with pytest.raises(error) as caught:
            parse_toml('a = "unterminated', "x.toml", error=error)
        assert caught.value.where == "end of document"
        assert caught.value.problem == "invalid TOML: Unterminated string"
        assert str(caught.value) == "x.toml:end of document: invalid TOML: Unterminated string"


def test_embedded_toml_keeps_its_place_in_the_message() -> None:
    with pytest.raises(InputError) as caught:
        parse_toml(
            "x = =\n", "script.py", error=InputError, what="invalid TOML in the block", locate=False
        )
    assert caught.value.where is None
    assert caught.value.problem.startswith("invalid TOML in the block: ")
    assert "(at line 1, column 5)" in caught.value.problem


def test_hostile_documents_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="nested too deeply"):
        parse_toml("a = " + "[" * 100_000, "deep.toml")
    big = tmp_path / "big.toml"
    big.write_bytes(b"# " + b"x" * MAX_BYTES + b"\n")
    with pytest.raises(ConfigError, match=f"larger than {MAX_BYTES} bytes"):
        read_toml(big)
    assert load_toml(big) == {}  # a lock has no such limit
    latin = tmp_path / "latin.toml"
    latin.write_bytes(b'name = "caf\xe9"\n')
    with pytest.raises(ConfigError, match=r"not UTF-8 text \(byte 11\)"):
        read_toml(latin)
    with pytest.raises(ConfigError, match="cannot read"):
        read_toml(tmp_path / "missing.toml")


def test_a_bom_is_allowed(tmp_path: Path) -> None:
    path = tmp_path / "pyvouch.toml"
    path.write_bytes(b'\xef\xbb\xbfmode = "warn"\n')
    assert read_toml(path) == {"mode": "warn"}
