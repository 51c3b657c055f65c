"""Reading and checking the fields of a model: the second gate after JSON Schema.

Constructors check their own values (:func:`check_blake3`, :func:`check_count` …);
``from_dict`` reads each field through the readers here, which say which field is
missing or of the wrong type. Every failure is a :class:`~evidence.errors.SchemaError`
whose ``pointer`` is the JSON pointer of the field (``/body/object/blake3``): a reader
of a nested object prefixes its own place (:func:`nested`), so the pointer grows from
the field that failed up to the document.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Final, NoReturn, TypeVar

from evidence.digest import Blake3Hex, Sha256Hex
from evidence.errors import SchemaError

__all__ = [
    "blake3_field",
    "check_blake3",
    "check_count",
    "check_hex64",
    "check_record_id",
    "check_sha256",
    "count_field",
    "field",
    "hex64_field",
    "nested",
    "nested_list",
    "number_field",
    "object_of",
    "optional_hex64_field",
    "optional_nested",
    "optional_text",
    "sha256_field",
    "text_field",
    "texts_field",
]

T = TypeVar("T")

_HEX64: Final = re.compile(r"[0-9a-f]{64}")
_RECORD_ID: Final = re.compile(r"(SRC|CLM)-[0-9]{4,}")
_MISSING: Final = object()


def _escape(part: str | int) -> str:
    """One reference token of a JSON pointer (RFC 6901 §4: ``~`` as ``~0``, ``/`` as ``~1``)."""
    return str(part).replace("~", "~0").replace("/", "~1")


def _refuse(name: str | int, expected: str, value: object) -> NoReturn:
    shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "..."
    raise SchemaError(f"expected {expected}, got {shown}", pointer=f"/{_escape(name)}")


def _at(exc: SchemaError, *parts: str | int) -> SchemaError:
    """``exc`` with its pointer prefixed by ``parts`` (the place of a nested object)."""
    exc.pointer = "".join(f"/{_escape(p)}" for p in parts) + (exc.pointer or "")
    return exc


# -- checks for constructors ------------------------------------------------------------------


def check_hex64(value: object, name: str, what: str = "a 256-bit value") -> None:
    """Refuse anything but 64 lower-case hexadecimal digits."""
    if not (isinstance(value, str) and _HEX64.fullmatch(value)):
        _refuse(name, f"{what} as 64 lower-case hex digits", value)


def check_blake3(value: object, name: str = "blake3") -> None:
    """Refuse anything but a BLAKE3 digest (64 lower-case hex digits)."""
    check_hex64(value, name, "a BLAKE3 digest")


def check_sha256(value: object, name: str = "sha256") -> None:
    """Refuse anything but a SHA-256 digest (64 lower-case hex digits)."""
    check_hex64(value, name, "a SHA-256 digest")


def check_count(value: object, name: str, minimum: int) -> None:
    """Refuse anything but an integer (not a bool) of at least ``minimum``."""
    if not (isinstance(value, int) and not isinstance(value, bool) and value >= minimum):
        _refuse(name, f"an integer >= {minimum}", value)


def check_record_id(value: object, name: str = "id", prefix: str | None = None) -> None:
    """Refuse anything but a record id (``SRC-0001``, ``CLM-0001``), of ``prefix`` if given."""
    if not (
        isinstance(value, str)
        and _RECORD_ID.fullmatch(value)
        and (prefix is None or value.startswith(prefix))
    ):
        kind = f"a {prefix}NNNN id" if prefix else "a record id such as SRC-0001 or CLM-0001"
        _refuse(name, kind, value)


# -- readers for from_dict ----------------------------------------------------------------------


def object_of(d: object, what: str) -> Mapping[str, Any]:
    """``d`` if it is a JSON object, else the error saying what was expected."""
    if type(d) is not dict and not isinstance(d, Mapping):  # a dict first: it is fast
        raise SchemaError(f"expected {what} as a JSON object, got {type(d).__name__}")
    return d


def field(d: Mapping[str, Any], name: str, default: Any = _MISSING) -> Any:
    """The value of ``name``; a missing field is an error unless a default is given."""
    value = d.get(name, _MISSING)
    if value is _MISSING:
        if default is _MISSING:
            raise SchemaError(f"missing field {name!r}", pointer=f"/{_escape(name)}")
        return default
    return value


def text_field(d: Mapping[str, Any], name: str, default: Any = _MISSING) -> str:
    """A string field."""
    value = d.get(name, _MISSING)
    if type(value) is str:
        return value
    value = field(d, name, default)
    if not isinstance(value, str):
        _refuse(name, "a string", value)
    return value


def optional_text(d: Mapping[str, Any], name: str, *, required: bool = False) -> str | None:
    """A string or null; an absent field is None unless ``required``."""
    value = field(d, name) if required else d.get(name)
    if value is not None and not isinstance(value, str):
        _refuse(name, "a string or null", value)
    return value


def texts_field(d: Mapping[str, Any], name: str, default: Any = _MISSING) -> tuple[str, ...]:
    """A list of strings, as a tuple."""
    value = field(d, name, default)
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        _refuse(name, "a list of strings", value)
    return tuple(value)


def count_field(d: Mapping[str, Any], name: str) -> int:
    """An integer field (a bool is not one); its range is the constructor's to check."""
    value = field(d, name)
    if not isinstance(value, int) or isinstance(value, bool):
        _refuse(name, "an integer", value)
    return value


def number_field(d: Mapping[str, Any], name: str, default: Any = _MISSING) -> int | float | None:
    """A number (int or float, not a bool), or the default when absent."""
    value = field(d, name, default)
    if value is None and default is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool):
        _refuse(name, "a number", value)
    return value


def hex64_field(d: Mapping[str, Any], name: str, what: str = "a 256-bit value") -> str:
    """64 lower-case hex digits."""
    value = field(d, name)
    check_hex64(value, name, what)
    return str(value)


def optional_hex64_field(
    d: Mapping[str, Any], name: str, what: str, *, required: bool = False
) -> str | None:
    """64 lower-case hex digits or null; an absent field is None unless ``required``."""
    value = field(d, name) if required else d.get(name)
    if value is not None:
        check_hex64(value, name, what)
    return value


def blake3_field(d: Mapping[str, Any], name: str = "blake3") -> Blake3Hex:
    """A BLAKE3 digest."""
    return Blake3Hex(hex64_field(d, name, "a BLAKE3 digest"))


def sha256_field(d: Mapping[str, Any], name: str = "sha256") -> Sha256Hex:
    """A SHA-256 digest."""
    return Sha256Hex(hex64_field(d, name, "a SHA-256 digest"))


def nested(d: Mapping[str, Any], name: str, parse: Callable[[Mapping[str, Any]], T]) -> T:
    """The object in field ``name`` parsed by ``parse``; errors inside it point into it."""
    value = field(d, name)
    if type(value) is not dict and not isinstance(value, Mapping):
        _refuse(name, "an object", value)
    try:
        return parse(value)
    except SchemaError as exc:
        _at(exc, name)
        raise


def optional_nested(
    d: Mapping[str, Any],
    name: str,
    parse: Callable[[Mapping[str, Any]], T],
    *,
    required: bool = False,
) -> T | None:
    """Like :func:`nested`, but null (or absent, unless ``required``) is None."""
    value = field(d, name) if required else d.get(name)
    return None if value is None else nested(d, name, parse)


def nested_list(
    d: Mapping[str, Any],
    name: str,
    parse: Callable[[Mapping[str, Any]], T],
    *,
    optional: bool = False,
) -> tuple[T, ...]:
    """The objects in the list in field ``name``, each parsed by ``parse``; empty when
    ``optional`` and absent."""
    value = d.get(name, ()) if optional else field(d, name)
    if not isinstance(value, list | tuple):
        _refuse(name, "a list", value)
    out = []
    for index, item in enumerate(value):
        if type(item) is not dict and not isinstance(item, Mapping):
            raise _at(SchemaError(f"expected an object, got {type(item).__name__}"), name, index)
        try:
            out.append(parse(item))
        except SchemaError as exc:
            _at(exc, name, index)
            raise
    return tuple(out)
