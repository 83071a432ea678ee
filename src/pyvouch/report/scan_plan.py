"""`pyvouch scan --dry-run` as a `Report`: what would be looked up for each package, with
nothing looked up (JSON: ``pyvouch-scan-plan/1``)."""

from __future__ import annotations

from collections.abc import Sequence

from pyvouch.model import FileRef, Package
from pyvouch.report.document import Line, Paragraph, Report, Row, Table

SCHEMA = "pyvouch-scan-plan/1"


def _named(file: FileRef) -> str:
    if file.filename:
        return file.filename
    digests = ([("sha256", file.sha256)] if file.sha256 else []) + list(file.other_digests)
    return ", ".join(f"{a}:{v}" for a, v in digests) or "(a file named by nothing)"


def planned(package: Package) -> str:
    """What the scan would look up for ``package``, in words."""
    if package.origin is not None:
        return f"not looked up ({package.origin})"
    if package.files:
        names = [_named(f) for f in package.files]
        names += [f"sha256:{h}" for h in package.hashes]
        return ", ".join(names)
    if package.installed is not None:
        return "the index's wheel with the installed tags; the installed files are compared with it"
    if package.hashes:
        return f"files with sha256 {', '.join(package.hashes)} (from the index)"
    return "the release's files, from the index"


def dry_run(packages: Sequence[Package]) -> Report:
    heads = [f"{p.name} {p.version or '(no version)'}" for p in packages]
    what = [planned(p) for p in packages]
    total = f"{len(packages)} packages; nothing was looked up (--dry-run)"
    return Report(
        command="scan",
        schema=SCHEMA,
        body={
            "packages": [
                {"name": p.name, "version": p.version, "origin": p.origin, "planned": w}
                for p, w in zip(packages, what, strict=True)
            ],
        },
        title="pyvouch scan --dry-run",
        blocks=(
            Paragraph(total, strong=True),
            Table(
                ("package", "version", "would look up"),
                tuple(
                    Row((p.name, p.version or "-", w)) for p, w in zip(packages, what, strict=True)
                ),
            ),
        ),
        lines=(
            *(Line(f"{h}: {w}") for h, w in zip(heads, what, strict=True)),
            Line(total),
        ),
    )
