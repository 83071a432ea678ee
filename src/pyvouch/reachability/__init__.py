"""Reachability: which locked distributions the project's own code imports, directly, through
other distributions' code, only from tests, or not at all (issue 13; docs/reachability.md)."""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

from pyvouch.reachability.model import (
    Evidence,
    Exposure,
    LockedDistribution,
    ReachabilityReport,
    ReachabilityRequest,
)

if TYPE_CHECKING:
    from pyvouch.reachability.analyse import analyse

__all__ = [
    "Evidence",
    "Exposure",
    "LockedDistribution",
    "ReachabilityReport",
    "ReachabilityRequest",
    "analyse",
]


class _Package(ModuleType):
    """This package, with `analyse` (the function) imported on first use.

    Every scan imports the model (the vulnerability report names exposures), which runs this
    package; the analysis (importlib.metadata, zipfile, csv, the import graph) only runs with
    ``--source``. The function and its submodule share the name ``analyse``: importing the
    submodule binds the name here, and the name stays the function's whichever comes first."""

    def __getattr__(self, name: str) -> Any:
        if name != "analyse":
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        return importlib.import_module(f"{self.__name__}.analyse").analyse

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "analyse" and isinstance(value, ModuleType):
            value = value.analyse
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
