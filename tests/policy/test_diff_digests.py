"""`pyvouch diff` sees a change of any digest a lock records (issue 8, rule 3): a head that
keeps a file's sha256 but adds or changes its sha512 lets an installer that checks sha512
take other bytes, so it is a change the head is judged for."""

from __future__ import annotations

from pyvouch.model import FileRef, Package
from pyvouch.policy.diff import ChangeKind, compare

SHA256 = "1" * 64
NAME = "sampleproject-3.0.0.tar.gz"


def _lock(*files: FileRef) -> list[Package]:
    return [Package("sampleproject", "3.0.0", files)]


def test_a_changed_or_added_other_digest_is_a_change() -> None:
    base = _lock(FileRef(NAME, SHA256))
    added = _lock(FileRef(NAME, SHA256, other_digests=(("sha512", "a" * 128),)))
    changed = _lock(FileRef(NAME, SHA256, other_digests=(("sha512", "b" * 128),)))
    assert compare(base, base) == []
    for before, after in ((base, added), (added, changed)):
        (change,) = compare(before, after)
        assert change.kind is ChangeKind.CHANGED
        assert change.detail == "same version, other files"
