"""`scan_packages_async` and `pyvouch install --lock` check packages a bounded number at a
time, in order, all of them."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest

from pyvouch.gate.lock_choice import Locked
from pyvouch.model import FileRef, Package, PackageResult
from pyvouch.pipeline import lock_install
from pyvouch.pipeline.options import ScanOptions
from pyvouch.pipeline.packages import PackageChecks, each_bounded, package_limit
from pyvouch.verify.deferred import DeferredVerifier
from pyvouch.verify.trust import TrustRootBytes


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
    results = asyncio.run(each_bounded(packages, checks.package, limit))
    assert [r.package.name for r in results] == [p.name for p in packages]
    assert checks.most <= limit
    if count >= limit:
        assert checks.most == limit  # the bound is used, not just respected


def test_a_failing_package_fails_the_scan() -> None:
    checks = _Checks(fail_at="p17")
    with pytest.raises(RuntimeError, match="boom at p17"):
        asyncio.run(each_bounded(_packages(40), checks.package, 8))


def test_lock_install_checks_a_bounded_number_of_packages_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`pyvouch install --lock` checks its packages as a scan does: at most 4 per connection
    at a time (not a task per package of the whole lock), every one, in the lock's order."""
    checks = _Checks()

    async def package(self: PackageChecks, package: Package) -> PackageResult:
        return await checks.package(package)

    monkeypatch.setattr(lock_install.PackageChecks, "package", package)
    packages = _packages(90)
    admitted = [Locked(p, (FileRef(f"{p.name}-1.0.tar.gz", "0" * 64),), ()) for p in packages]
    chosen = {n: lk.files[0] for n, lk in enumerate(admitted)}
    root = TrustRootBytes("custom", "test", b"{}", "test")  # never parsed: nothing verified
    options = ScanOptions(
        index_url="http://127.0.0.1:9/simple/", jobs=3, cache_dir=tmp_path / "cache"
    )
    checked = asyncio.run(
        lock_install._check(admitted, chosen, None, DeferredVerifier(root), options)  # type: ignore[arg-type]
    )
    assert [r.package.name for _, r in checked.results] == [p.name for p in packages]
    assert [i.file.filename for i, _ in checked.results if i is not None] == [
        f.filename for f in chosen.values()
    ]
    assert checks.most == package_limit(3) == 12
