"""Fuzzing the gate's input readers: whatever the bytes or arguments, the answer is a pass or
one `PyvouchError` line (exit 2), never another exception (issue 8, rule 13)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyvouch.errors import PyvouchError
from pyvouch.gate.pip_config import PipConfig, config_options, parse_config_list
from pyvouch.gate.pip_inputs import GateFlags, check_pip_inputs, classify
from pyvouch.gate.pip_options import parse_command_line

FLAGS = GateFlags(allow_sdists=False, allow_not_indexed=False)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Tokens that steer the readers into their branches, mixed with arbitrary text.
_PIECES = st.sampled_from(
    ["-r", "-c", "-e", "--no-binary", "--only-binary", ":all:", ":none:", "--hash", "=",
     "demo", "@", "https://", "file://", "git+", "http://[::1", ".tar.gz", ".whl", "./", "\\",
     "#", "${X}", "[x]", ";", "'", '"', " ", "\n", "--group", "pylock.toml", "\x00"]
)  # fmt: skip
_TEXT = st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=20).map("".join)


def _outcome(action: object) -> None:
    try:
        assert callable(action)
        action()
    except PyvouchError as err:
        assert err.exit_code == 2
        assert "\n" not in str(err)


@FUZZ
@given(st.binary(max_size=400) | _TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_any_requirements_file_is_read_or_refused_in_one_line(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "reqs.txt"
        path.write_bytes(data)
        parsed = parse_command_line(("-r", str(path)))
        _outcome(lambda: check_pip_inputs(parsed.given, parsed.positional, FLAGS, {"X": "-e"}))


@FUZZ
@given(st.lists(_TEXT, max_size=6))
def test_any_command_line_is_parsed_or_refused_in_one_line(args: list[str]) -> None:
    def run() -> None:
        parsed = parse_command_line(args)
        check_pip_inputs(parsed.given, parsed.positional, FLAGS, {})

    with tempfile.TemporaryDirectory() as tmp:  # relative files are looked up in an empty dir
        here = Path.cwd()
        os.chdir(tmp)
        try:
            _outcome(run)
        finally:
            os.chdir(here)


@FUZZ
@given(_TEXT)
def test_any_requirement_string_is_classified(text: str) -> None:
    classify(text)


@FUZZ
@given(_TEXT)
def test_any_pip_config_listing_becomes_options_or_one_line(text: str) -> None:
    _outcome(lambda: config_options(PipConfig(parse_config_list(text), {})))
