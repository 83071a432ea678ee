"""Assertions in the suite that cannot fail, found by reading it (an AST walk of tests/).

A test that cannot fail is a defect. This walk flags the shapes that have slipped in before:

- ``assert CHECK or VALUE`` where the last alternative is a bare value (a name, an attribute,
  a subscript, a constant): true whenever that value is set, whatever CHECK says
  (``assert url.startswith(x) or f.url``);
- ``assert "HTTP 500" in s or "500" in s``: one alternative implies the other, so the
  stricter one checks nothing;
- ``assert`` of a truthy constant (``assert True``, ``assert "message"``);
- ``pytest.raises(Exception)`` / ``pytest.raises(BaseException)``: any error passes, including
  the test's own typo;
- an exit code accepted as both success (0) and bad usage (2).

Each rule is checked against a sample that must be flagged and one that must not, so the walk
itself can fail.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
_EXIT_NAMES = ("exit_code", "returncode", "code")


def _value(node: ast.expr) -> bool:
    """A bare value rather than a check: true when merely set."""
    return isinstance(node, ast.Name | ast.Attribute | ast.Subscript) or (
        isinstance(node, ast.Constant) and bool(node.value)
    )


def _needle(node: ast.expr) -> tuple[str, str] | None:
    """``("needle", haystack source)`` of ``"needle" in haystack``."""
    if (
        isinstance(node, ast.Compare)
        and len(node.ops) == 1
        and isinstance(node.ops[0], ast.In)
        and isinstance(node.left, ast.Constant)
        and isinstance(node.left.value, str)
    ):
        return node.left.value, ast.unparse(node.comparators[0])
    return None


def _implied(values: list[ast.expr]) -> bool:
    """Two ``"x" in s`` alternatives on one haystack where one needle contains the other."""
    needles = [n for n in map(_needle, values) if n is not None]
    return any(
        a is not b and a[1] == b[1] and a[0] != b[0] and b[0] in a[0]
        for a in needles
        for b in needles
    )


def _exit_codes_too_loose(node: ast.expr) -> bool:
    if not (
        isinstance(node, ast.Compare)
        and len(node.ops) == 1
        and isinstance(node.ops[0], ast.In)
        and isinstance(node.left, ast.Attribute | ast.Name)
        and isinstance(node.comparators[0], ast.Tuple | ast.List | ast.Set)
    ):
        return False
    name = node.left.attr if isinstance(node.left, ast.Attribute) else node.left.id
    codes = {e.value for e in node.comparators[0].elts if isinstance(e, ast.Constant)}
    return name in _EXIT_NAMES and {0, 2} <= codes


def _broad_raises(node: ast.Call) -> bool:
    func = ast.unparse(node.func)
    return (
        func in ("pytest.raises", "raises")
        and bool(node.args)
        and ast.unparse(node.args[0]) in ("Exception", "BaseException")
    )


def problems(source: str) -> list[tuple[int, str]]:
    """``(line, what)`` for every assertion in ``source`` that cannot fail."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assert):
            test = node.test
            if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
                if _value(test.values[-1]):
                    found.append((node.lineno, "`or` a bare value: true whenever it is set"))
                if _implied(test.values):
                    found.append((node.lineno, "one `in` alternative implies the other"))
            elif isinstance(test, ast.Constant) and test.value:
                found.append((node.lineno, "asserts a truthy constant"))
            if _exit_codes_too_loose(test):
                found.append((node.lineno, "exit code accepted as both 0 and 2"))
        elif isinstance(node, ast.Call) and _broad_raises(node):
            found.append((node.lineno, "pytest.raises of any Exception"))
    return found


@pytest.mark.parametrize(
    "bad",
    [
        "assert url.startswith('https://') or f.url",
        "assert ok or result['url']",
        "assert ok or 'message'",
        "assert 'HTTP 500' in text or '500' in text",
        "assert '500' in text or 'HTTP 500' in text",
        "assert True",
        "with pytest.raises(Exception):\n    f()",
        "assert result.exit_code in (0, 1, 2, 3)",
        "assert proc.returncode in [0, 2]",
    ],
)
def test_the_walk_flags_each_shape(bad: str) -> None:
    assert len(problems(bad)) == 1, problems(bad)


@pytest.mark.parametrize(
    "fine",
    [
        "assert value is None or isinstance(value, str)",
        "assert name in SPECS or name in STAGING",
        "assert 'HTTP 500' in text or 'HTTP 502' in text",
        "assert '500' in out or '500' in err",
        "assert not out.exists() or list(out.iterdir()) == []",
        "with pytest.raises(ValueError, match='x'):\n    f()",
        "assert result.exit_code in (0, 1)",
        "assert code in (1, 3)",
    ],
)
def test_the_walk_leaves_real_checks_alone(fine: str) -> None:
    assert problems(fine) == []


def test_no_assertion_in_the_suite_is_always_true() -> None:
    here = Path(__file__).resolve()
    found = [
        f"{path.relative_to(TESTS.parent)}:{line}: {what}"
        for path in sorted(TESTS.rglob("*.py"))
        if path != here
        for line, what in problems(path.read_text(encoding="utf-8"))
    ]
    assert found == []
