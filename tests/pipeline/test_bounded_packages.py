"""`scan_packages_async` checks packages a bounded number at a time, in order, all of them."""

from __future__ import annotations

import asyncio
import random

import pytest

from pyvouch.model import Package, PackageResult
from pyvouch.pipeline.scan import _each_bounded


class _Checks:
    """Stands in for `PackageChecks`: records how many packages are in flight at once."""

    def __init__(self, fail_at: str | None = None) -> None:
        self.running = 0
        self.most = 0
        self.fail_at = fail_at

    async def package(self, package: Package) -> PackageResult:
        self.running += 1
        self.most = max(self.most, self.running)
        try:
            await asyncio.sleep(random.random() / 500)  # finish out of order
            if package.name == self.fail_at:
                raise RuntimeError(f"boom at {package.name}")
            return PackageResult(package, ())
        finally:
            self.running -= 1


def _packages(count: int) -> list[Package]:
    return [Package(name=f"p{n}", version="1.0") for n in range(count)]


@pytest.mark.parametrize(("count", "limit"), [(0, 4), (3, 4), (200, 4), (200, 1), (50, 64)])
def test_every_package_in_order_never_more_than_the_limit(count: int, limit: int) -> None:
    packages = _packages(count)
    checks = _Checks()
    results = asyncio.run(_each_bounded(packages, checks, limit))  # type: ignore[arg-type]
    assert [r.package.name for r in results] == [p.name for p in packages]
    assert checks.most <= limit
    if count >= limit:
        assert checks.most == limit  # the bound is used, not just respected


def test_a_failing_package_fails_the_scan() -> None:
    checks = _Checks(fail_at="p17")
    with pytest.raises(RuntimeError, match="boom at p17"):
        asyncio.run(_each_bounded(_packages(40), checks, 8))  # type: ignore[arg-type]
