"""RFC 8785 JSON Canonicalization Scheme (JCS): the one place canonical bytes are made.

Every digest, Merkle leaf and signature in a case is taken over bytes this module
produced. The reference implementation is the ``rfc8785`` library; :func:`canonical_bytes`
takes a fast path through the standard library's C JSON encoder when the value holds
nothing on which the two could differ (no floats, integers within the IEEE 754 exact
range, member names inside the Basic Multilingual Plane, where UTF-16 and code point
order agree), and hands everything else to ``rfc8785``. A property test checks that both
paths give the same bytes.

Example:
    >>> canonical_bytes({"b": [1, True, None], "a": "é"})
    b'{"a":"\\xc3\\xa9","b":[1,true,null]}'
"""

from __future__ import annotations

import json
from typing import Any

import rfc8785

from evidence.errors import CanonicalError

__all__ = ["JSONValue", "canonical_bytes", "loads_json"]

JSONValue = Any
"""A value made of dict (str keys), list, str, int, float, bool and None."""

# I-JSON (RFC 7493 §2.2) and RFC 8785 §3.2.2.3: integers outside this range lose precision.
_MAX_EXACT_INT = 2**53 - 1

_ENCODER = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
)


def _plain(value: JSONValue) -> bool:
    """True when the standard library encoder gives exactly the RFC 8785 bytes for ``value``."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is str or kind is bool or item is None:
            continue
        if kind is int:
            if -_MAX_EXACT_INT <= item <= _MAX_EXACT_INT:
                continue
            return False
        if kind is dict:
            for key in item:
                if type(key) is not str or (key and max(key) > "\uffff"):
                    return False
            stack.extend(item.values())
            continue
        if kind is list:
            stack.extend(item)
            continue
        return False  # floats, tuples, subclasses: the reference implementation decides
    return True


def canonical_bytes(value: JSONValue) -> bytes:
    """Return the RFC 8785 canonical UTF-8 bytes of a JSON value.

    Raises:
        CanonicalError: the value has no canonical form (NaN or infinity, an integer
            beyond 2**53 - 1, a lone surrogate, a non-JSON type).
    """
    try:
        if _plain(value):
            return _ENCODER.encode(value).encode("utf-8")
        return bytes(rfc8785.dumps(value))
    except (rfc8785.CanonicalizationError, UnicodeEncodeError, ValueError, TypeError) as exc:
        raise CanonicalError(f"value has no RFC 8785 canonical form: {exc}") from exc


def loads_json(data: bytes, *, path: str) -> JSONValue:
    """Parse JSON bytes strictly: UTF-8, no NaN or infinity, no duplicate member names.

    Raises:
        InputError: with the file, line and column of the problem.
    """
    from evidence.errors import InputError

    def _pairs(pairs: list[tuple[str, JSONValue]]) -> dict[str, JSONValue]:
        out: dict[str, JSONValue] = {}
        for key, item in pairs:
            if key in out:
                raise InputError(f"duplicate member name {key!r}", path=path)
            out[key] = item
        return out

    def _constant(name: str) -> JSONValue:
        raise InputError(f"{name} is not JSON (RFC 8259)", path=path)

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not valid UTF-8 at byte {exc.start}", path=path) from exc
    try:
        return json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", path=path, line=exc.lineno) from exc
