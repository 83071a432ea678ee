"""`pyvouch.jsontext.indented`: orjson's speed, ``json.dumps(indent=2, ensure_ascii=False)``'s
bytes, for every document (the JSON and SARIF reports go through it: their text must not move
by a byte), and ``json``'s errors for what ``json`` refuses."""

from __future__ import annotations

import enum
import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyvouch import jsontext
from pyvouch.jsontext import indented


def reference(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False)


class Colour(enum.StrEnum):
    RED = "red"


class Odd(str, enum.Enum):  # noqa: UP042 (the point: text and value differ)
    """A str-mixin enum whose str() text and value differ: json writes the text."""

    A = "a"

    def __new__(cls, value: str) -> Odd:
        member = str.__new__(cls, "written")
        member._value_ = value
        return member


class Text(str):
    pass


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),  # beyond 64 bits too: orjson refuses them, json writes them
    st.floats(allow_nan=True, allow_infinity=True),  # orjson writes exponents differently
    st.text(),  # surrogates included: orjson refuses them, json writes them as they are
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(st.text(max_size=6), inner, max_size=4),
        st.dictionaries(st.integers(), inner, max_size=2),  # json turns such keys into text
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(documents)
def test_any_document_is_written_byte_for_byte_as_json_writes_it(document: Any) -> None:
    assert indented(document) == reference(document)


@pytest.mark.parametrize(
    "document",
    [
        {"a": [1e-05, 1e16, 2.5, -0.0]},  # orjson: 0.00001, 1e16
        {"a": math.nan, "b": [math.inf]},  # orjson: null; json: NaN, Infinity
        {"status": Colour.RED, "list": [Colour.RED]},
        {"odd": Odd.A},  # orjson would write the value "a"
        {"text": Text("sub")},
        {Text("key"): 1, Colour.RED: 2, Odd.A: 3},  # keys that are str subclasses
        {"big": 2**64, "small": -(2**63) - 1},
        {1: "int key", None: "none key", False: "bool key"},
        {"s": "\ud800 lone surrogate"},
        {"controls": '\x00\x1f\x7f\u2028\u2029\b\f\n\r\t"\\/ é 😀'},
        {"empty": [{}, [], ()], "tuple": (1, "two", None)},
        [[[[]]]],
        "scalar",
        7,
        None,
    ],
)
def test_documents_orjson_would_write_otherwise_are_still_json_s(document: Any) -> None:
    assert indented(document) == reference(document)


def test_nesting_beyond_orjson_s_limit_is_written_by_json() -> None:
    document: Any = "leaf"
    for _ in range(300):  # orjson stops at 254 levels
        document = {"k": [document]}
    assert indented(document) == reference(document)


def test_what_json_refuses_is_refused_with_json_s_error() -> None:
    cycle: list[Any] = []
    cycle.append(cycle)
    with pytest.raises(ValueError, match="Circular reference"):
        indented(cycle)
    with pytest.raises(TypeError, match="not JSON serializable"):
        indented({"when": object()})
    with pytest.raises(TypeError, match="not JSON serializable"):
        indented({"bytes": b"raw"})  # orjson refuses bytes too; json's message is the one seen


def test_the_fast_path_is_taken_for_a_plain_document(monkeypatch: pytest.MonkeyPatch) -> None:
    """A report's document (dicts, lists, text, integers, booleans, nulls) never reaches
    ``json.dumps``: the speed is real, not a fallback."""
    document = {"packages": [{"name": "a", "files": [{"ok": True, "n": 1, "x": None}]}] * 50}

    def refuse(*args: object, **kwargs: object) -> str:
        raise AssertionError("json.dumps was called")

    expected = reference(document)
    monkeypatch.setattr(jsontext.json, "dumps", refuse)
    assert indented(document) == expected
