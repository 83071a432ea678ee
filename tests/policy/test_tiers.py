"""Package names and patterns: normalization and glob matching."""

from __future__ import annotations

import pytest

from pyvouch.policy.tiers import check_pattern, first_match, matches


@pytest.mark.parametrize(
    ("name", "pattern", "expected"),
    [
        ("requests", "requests", True),
        ("Requests", "requests", True),
        ("zope.interface", "zope-interface", True),
        ("zope_interface", "Zope.Interface", True),
        ("django-filter", "django*", True),
        ("Django_REST_framework", "django-*", True),
        ("djangorestframework", "django-*", False),
        ("types-requests", "types-*", True),
        ("zope.interface", "zope.*", True),
        ("requests2", "requests", False),
        ("requests", "request?", True),
        ("pyyaml", "py[yz]aml", True),
        ("pyxaml", "py[yz]aml", False),
    ],
)
def test_matches(name: str, pattern: str, expected: bool) -> None:
    assert matches(name, pattern) is expected


def test_first_match() -> None:
    assert first_match("Django-Filter", ("requests", "django*", "django-filter")) == "django*"
    assert first_match("six", ("requests",)) is None


@pytest.mark.parametrize("good", ["requests", "a", "zope.interface", "django*", "py[yz]aml", "a?"])
def test_good_patterns(good: str) -> None:
    assert check_pattern(good) is None


@pytest.mark.parametrize(
    "bad", ["", " requests", "requests>=2", "-leading", "a b", "py[yz", "py]x", "*", "**", "a/b"]
)
def test_bad_patterns(bad: str) -> None:
    assert check_pattern(bad) is not None
