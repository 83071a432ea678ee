"""Distribution filenames: the one place that reads a wheel or sdist name.

A name is a wheel (``.whl``, PEP 427 / 491) or an sdist (``.tar.gz`` or ``.zip``, PEP 625 and
the older ``.zip``); `packaging.utils` parses it. Everything that needs the project, version or
tags of a filename asks here, so every command agrees on what is a distribution.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from packaging.tags import Tag
from packaging.utils import (
    BuildTag,
    InvalidSdistFilename,
    InvalidWheelFilename,
    NormalizedName,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

WHEEL_SUFFIX = ".whl"
SDIST_SUFFIXES = (".tar.gz", ".zip")
DIST_SUFFIXES = (WHEEL_SUFFIX, *SDIST_SUFFIXES)


class DistNameError(ValueError):
    """A name that is no valid wheel or sdist filename (the message says why)."""


@dataclass(frozen=True, slots=True)
class DistName:
    """What a distribution filename says. Two names are equal when they name the same
    distribution (project and version normalized, same tags and build tag)."""

    kind: Literal["wheel", "sdist"]
    project: NormalizedName
    version: Version
    tags: frozenset[Tag] = frozenset()
    """A wheel's compatibility tags; empty for an sdist."""
    build: BuildTag = ()
    """A wheel's build tag; empty when it has none, and for an sdist."""


def is_dist_name(filename: str) -> bool:
    """Whether ``filename`` ends like a distribution (it may still fail to parse)."""
    return filename.endswith(DIST_SUFFIXES)


def parse_dist_name(filename: str) -> DistName:
    """The parts of ``filename``; `DistNameError` when it is no valid distribution name."""
    try:
        if filename.endswith(WHEEL_SUFFIX):
            project, version, build, tags = parse_wheel_filename(filename)
            return DistName("wheel", project, version, tags, build)
        if filename.endswith(SDIST_SUFFIXES):
            project, version = parse_sdist_filename(filename)
            return DistName("sdist", project, version)
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion) as err:
        raise DistNameError(str(err)) from None
    raise DistNameError(f"not a wheel or sdist filename: {filename!r}")


def dist_name(filename: str) -> DistName | None:
    """The parts of ``filename``, or None when it is no valid distribution name."""
    try:
        return parse_dist_name(filename)
    except DistNameError:
        return None
