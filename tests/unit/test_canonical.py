"""RFC 8785 (JCS): the outside vectors, the fast path against the reference, the refusals."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.canonical import (
    canonical_bytes,
    loads_json,
    parse_canonical,
    plain_canonical_bytes,
)
from evidence.errors import CanonicalError, InputError

VECTORS = Path(__file__).parents[1] / "data" / "vectors" / "jcs"
VECTOR_NAMES = sorted(p.stem for p in (VECTORS / "input").glob("*.json"))

# Keys on both sides of the place where UTF-16 order and code point order part: an
# astral character (a surrogate pair, D8xx) sorts before U+E000..U+FFFF in RFC 8785.
TRICKY_KEYS = [
    "",
    "a",
    "A",
    "é",
    "\u20ac",
    "\ue000",
    "\uffff",
    "\ufb33",
    "\U0001f602",
    "\U0001f600x",
    "\U00010000",
    "\u0080",
    "\n",
    "\x7f",
    "</script>",
]


def test_vectors_are_present() -> None:
    assert VECTOR_NAMES == ["arrays", "french", "structures", "unicode", "values", "weird"]


@pytest.mark.parametrize("name", VECTOR_NAMES)
def test_rfc8785_vector(name: str) -> None:
    value = loads_json((VECTORS / "input" / f"{name}.json").read_bytes(), path=name)
    expected = (VECTORS / "output" / f"{name}.json").read_bytes()
    assert canonical_bytes(value) == expected


# -- the fast path must agree with the reference implementation ----------------------------

keys = st.text(max_size=6) | st.sampled_from(TRICKY_KEYS)
ints = st.integers(min_value=-(2**60), max_value=2**60) | st.sampled_from(
    [2**53 - 1, 2**53, -(2**53 - 1), -(2**53), 0, -1]
)
floats = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(
    [0.0, -0.0, 1e21, 1e-7, 5e-324, 1.7976931348623157e308, 333333333.33333329]
)
strings = st.text(max_size=12) | st.sampled_from(
    ["\ud800", "a\udfffb", "\x00\x1f\x7f", "\u2028\u2029", '"\\/', "\U0001f602"]
)

plain_scalars = (
    st.none() | st.booleans() | st.integers(-(2**53 - 1), 2**53 - 1) | st.text(max_size=12)
)
any_scalars = st.none() | st.booleans() | ints | floats | strings


def _json(scalars: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=5) | st.dictionaries(keys, inner, max_size=5),
        max_leaves=25,
    )


def _reference(value: Any) -> bytes | None:
    try:
        return bytes(rfc8785.dumps(value))
    except Exception:  # the reference refuses it one way or another
        return None


@settings(max_examples=400, deadline=None)
@given(_json(any_scalars))
def test_canonical_bytes_equals_reference_on_any_json(value: Any) -> None:
    expected = _reference(value)
    if expected is None:
        with pytest.raises(CanonicalError):
            canonical_bytes(value)
    else:
        assert canonical_bytes(value) == expected


@settings(max_examples=300, deadline=None)
@given(_json(plain_scalars))
def test_fast_path_equals_reference(value: Any) -> None:
    # No floats, integers in the exact range: the values the stdlib encoder handles.
    assert canonical_bytes(value) == bytes(rfc8785.dumps(value))


bmp_keys = (st.text(max_size=6) | st.sampled_from(TRICKY_KEYS)).filter(
    lambda k: all(c <= "\uffff" for c in k)
)
plain_values = st.recursive(
    plain_scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(bmp_keys, inner, max_size=5),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(plain_values)
def test_plain_canonical_bytes_on_its_domain_equals_reference(value: Any) -> None:
    # What a caller of plain_canonical_bytes vouches for: dicts with BMP keys, lists,
    # str, bool, None and integers in the exact range.
    assert plain_canonical_bytes(value) == bytes(rfc8785.dumps(value))


def test_plain_canonical_bytes_refuses_a_lone_surrogate() -> None:
    with pytest.raises(CanonicalError, match="canonical form"):
        plain_canonical_bytes({"a": ["x\ud800"]})


# Finite floats below 2**53: a larger integral float prints as an integer literal, which
# then reads back as an integer beyond the exact range (refused, as it should be).
finite_floats = floats.filter(lambda x: math.isfinite(x) and abs(x) < 2**53)


@settings(max_examples=200, deadline=None)
@given(_json(plain_scalars | finite_floats))
def test_canonical_form_is_a_fixed_point(value: Any) -> None:
    once = canonical_bytes(value)
    assert canonical_bytes(loads_json(once, path="x.json")) == once
    assert json.loads(once) == json.loads(json.dumps(value))


def test_astral_keys_sort_by_utf16_code_units() -> None:
    value = {"\uffff": 1, "\U0001f600": 2, "\ue000": 3, "z": 4}
    assert canonical_bytes(value) == ('{"z":4,"\U0001f600":2,"\ue000":3,"\uffff":1}'.encode())
    assert canonical_bytes(value) == bytes(rfc8785.dumps(value))


def test_canonical_bytes_does_not_touch_its_input() -> None:
    value = {"b": [1, {"d": 2.5, "c": None}], "a": "é"}
    before = copy.deepcopy(value)
    canonical_bytes(value)
    assert value == before
    assert list(value) == ["b", "a"]


@pytest.mark.parametrize(
    "value",
    [
        float("nan"),
        float("inf"),
        float("-inf"),
        {"a": [1, float("nan")]},
        2**53,
        -(2**53),
        {"n": 2**64},
        "\ud800",
        ["ok", "a\udfffb"],
        {"\udc00": 1},
        {1: "key not a string"},
        b"bytes",
        {1, 2},
        object(),
    ],
    ids=[
        "nan",
        "inf",
        "-inf",
        "nested-nan",
        "2**53",
        "-2**53",
        "2**64",
        "lone-high-surrogate",
        "lone-low-surrogate",
        "surrogate-key",
        "int-key",
        "bytes",
        "set",
        "object",
    ],
)
def test_values_without_canonical_form_are_refused(value: Any) -> None:
    with pytest.raises(CanonicalError, match="no RFC 8785 canonical form"):
        canonical_bytes(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2**53 - 1, b"9007199254740991"),
        (-(2**53 - 1), b"-9007199254740991"),
        (-0.0, b"0"),
        (1e21, b"1e+21"),
        (1e-7, b"1e-7"),
        (True, b"true"),
        (None, b"null"),
        ("\u2028", '"\u2028"'.encode()),
        ("\x1f\x7f", b'"\\u001f\x7f"'),
        ("tab\there", b'"tab\\there"'),
        ('q"\\/', b'"q\\"\\\\/"'),
    ],
    ids=[
        "max-int",
        "min-int",
        "minus-zero",
        "1e21",
        "1e-7",
        "true",
        "null",
        "line-sep",
        "controls",
        "tab",
        "escapes",
    ],
)
def test_edge_values(value: Any, expected: bytes) -> None:
    assert canonical_bytes(value) == expected


@pytest.mark.parametrize(
    ("data", "message", "line"),
    [
        (b'{"a":1,"a":2}', "duplicate member name 'a'", None),
        (b"[NaN]", "NaN is not JSON", None),
        (b"[-Infinity]", "-Infinity is not JSON", None),
        (b'{"a":\n"\xff"}', "not valid UTF-8 at byte 7", None),
        (b'{"a":\n1,,}', "not valid JSON", 2),
        (b"", "not valid JSON", 1),
    ],
    ids=["duplicate-name", "nan", "infinity", "invalid-utf8", "syntax", "empty"],
)
def test_loads_json_refuses(data: bytes, message: str, line: int | None) -> None:
    with pytest.raises(InputError, match=message) as info:
        loads_json(data, path="records/x.json")
    assert info.value.path == "records/x.json"
    assert info.value.line == line


# -- parse_canonical: parse once, and say whether the bytes are their own canonical form ----


@settings(max_examples=200, deadline=None)
@given(_json(plain_scalars | finite_floats))
def test_parse_canonical_accepts_canonical_bytes(value: Any) -> None:
    data = canonical_bytes(value)
    parsed, canonical = parse_canonical(data)
    assert canonical
    assert canonical_bytes(parsed) == data


@settings(max_examples=200, deadline=None)
@given(
    value=_json(plain_scalars | finite_floats),
    style=st.sampled_from(["ascii", "spaced", "indented", "unsorted"]),
)
def test_parse_canonical_flags_other_serialisations(value: Any, style: str) -> None:
    if style == "ascii":
        text = json.dumps(value, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    elif style == "spaced":
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    elif style == "indented":
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1)
    else:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    data = text.encode("utf-8", "surrogatepass")
    _parsed, canonical = parse_canonical(data)
    assert canonical == (data == canonical_bytes(value))


@pytest.mark.parametrize(
    ("data", "canonical"),
    [
        (b'{"a":1,"b":2}', True),
        (b'{"b":2,"a":1}', False),
        (b'{"a":1,"a":1}', False),
        (b'{"a": 1}', False),
        (b'{"a":1.0}', False),
        (b'{"a":1}\n', False),
        (b'"\\u00e9"', False),
        ('"é"'.encode(), True),
        (b'"\\/"', False),
        (b'"/"', True),
        (b"[9007199254740993]", False),
        ('{"\U0001f600":1,"\uffff":2}'.encode(), True),
        ('{"\uffff":2,"\U0001f600":1}'.encode(), False),
    ],
    ids=[
        "sorted",
        "unsorted",
        "duplicate",
        "space",
        "float-1.0",
        "newline",
        "escaped-e",
        "plain-e",
        "escaped-slash",
        "slash",
        "big-int",
        "utf16-order",
        "codepoint-order",
    ],
)
def test_parse_canonical_table(data: bytes, canonical: bool) -> None:
    assert parse_canonical(data)[1] is canonical
