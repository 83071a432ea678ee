"""Fuzz every parser: mutated or truncated inputs give packages or InputError, nothing else."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyvouch.errors import InputError
from pyvouch.model import Package
from pyvouch.sources import load_packages
from tests.sources import test_sources_formats as formats

VALID: dict[str, tuple[str, bytes]] = {
    "pylock": ("pylock.toml", formats.PYLOCK.encode()),
    "uv": ("uv.lock", formats.UV.encode()),
    "poetry2": ("poetry.lock", formats.POETRY2.encode()),
    "poetry11": ("poetry.lock", formats.POETRY11.encode()),
    "pipfile": ("Pipfile.lock", json.dumps(formats.pipfile_lock(), indent=2).encode()),
    "pdm": ("pdm.lock", formats.PDM.encode()),
    "cyclonedx": ("bom.cdx.json", json.dumps(formats.bom(), indent=1).encode()),
    "requirements": (
        "requirements.txt",
        (
            "-i https://pkgs.example/simple\n"
            f"a==1 ; python_version < '3.12' \\\n  --hash=sha256:{formats.A}\n"
            "-e ./x#egg=x\n"
            "git+https://g.example/r.git#egg=r\n"
            "b @ https://f.example/b-1.0.tar.gz\n"
            "c==2  # comment\n"
        ).encode(),
    ),
    "unknown": ("lockfile", formats.UV.encode()),
}


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    kind = draw(st.sampled_from(["truncate", "replace", "insert", "delete", "random"]))
    if kind == "random":
        return draw(st.binary(max_size=400))
    pos = draw(st.integers(min_value=0, max_value=len(data)))
    if kind == "truncate":
        return data[:pos]
    chunk = draw(
        st.one_of(
            st.binary(min_size=1, max_size=8),
            st.sampled_from([b'"', b"[", b"]", b"{", b"}", b"=", b"\n", b",", b"\\", b"#", b"-"]),
        )
    )
    if kind == "insert":
        return data[:pos] + chunk + data[pos:]
    if kind == "delete":
        return data[:pos] + data[pos + len(chunk) :]
    return data[:pos] + chunk + data[pos + len(chunk) :]


def check(name: str, content: bytes, narrow: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(content)
        try:
            result = load_packages(
                path,
                resolve=False,
                python_version="3.11" if narrow else None,
                platform="linux" if narrow else None,
            )
        except InputError as err:
            assert str(err).startswith(str(path))
            assert "\n" not in err.problem, err.problem
            assert len(err.problem) < 2000, err.problem
            return
        assert all(isinstance(p, Package) and p.name for p in result.packages)


@pytest.mark.parametrize("fmt", sorted(VALID))
def test_valid_input_loads(fmt: str) -> None:
    name, data = VALID[fmt]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        assert len(load_packages(path, resolve=False).packages) >= 2


@pytest.mark.parametrize("fmt", sorted(VALID))
@settings(
    max_examples=int(os.environ.get("PYVOUCH_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data(), narrow=st.booleans())
def test_mutations_give_packages_or_input_error(
    fmt: str, data: st.DataObject, narrow: bool
) -> None:
    name, valid = VALID[fmt]
    check(name, data.draw(mutated(valid)), narrow)
