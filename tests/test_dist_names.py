"""The one distribution filename parser every command asks."""

from __future__ import annotations

import pytest
from packaging.version import Version

from pyvouch.dist_names import DistNameError, dist_name, is_dist_name, parse_dist_name


def test_a_wheel_says_project_version_tags_and_build() -> None:
    name = parse_dist_name("Demo_Pkg-1.0-2-cp311-cp311-manylinux_2_17_x86_64.whl")
    assert (name.kind, name.project, name.version) == ("wheel", "demo-pkg", Version("1.0"))
    assert {(t.interpreter, t.abi, t.platform) for t in name.tags} == {
        ("cp311", "cp311", "manylinux_2_17_x86_64")
    }
    assert name.build == (2, "")


@pytest.mark.parametrize("filename", ["demo_pkg-1.0.tar.gz", "demo_pkg-1.0.zip"])
def test_an_sdist_says_project_and_version(filename: str) -> None:
    name = parse_dist_name(filename)
    assert (name.kind, name.project, name.version, name.tags) == (
        "sdist",
        "demo-pkg",
        Version("1.0"),
        frozenset(),
    )


def test_names_are_equal_only_for_the_same_distribution() -> None:
    """What `index build` uses to bind a statement's subject to its file."""
    wheel = "demo-1.0-py3-none-any.whl"
    assert dist_name(wheel) == dist_name("Demo-1.0.0-py3-none-any.whl")
    assert dist_name(wheel) != dist_name("demo-1.0-1-py3-none-any.whl")  # another build
    assert dist_name(wheel) != dist_name("demo-1.0-cp311-none-any.whl")  # other tags
    assert dist_name(wheel) != dist_name("demo-1.1-py3-none-any.whl")
    assert dist_name("demo-1.0.tar.gz") != dist_name(wheel)
    assert dist_name("demo-1.0.tar.gz") == dist_name("demo-1.0.zip")


@pytest.mark.parametrize(
    "filename",
    [
        "demo-1.0.x.tar.gz",  # invalid version
        "demo-1..0-py3-none-any.whl",
        "demo.whl",
        "demo-1.0.egg",  # not a wheel or an sdist at all
        "demo-1.0.tar.bz2",
        "",
    ],
)
def test_anything_else_is_no_distribution(filename: str) -> None:
    assert dist_name(filename) is None
    with pytest.raises(DistNameError):
        parse_dist_name(filename)


def test_is_dist_name_looks_at_the_ending_only() -> None:
    assert is_dist_name("anything.whl") and is_dist_name("x.tar.gz") and is_dist_name("x.zip")
    assert not is_dist_name("x.egg") and not is_dist_name("x.whl.attestation")
