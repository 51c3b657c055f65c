"""Immutable, hashable stand-ins for the dicts and lists a model holds.

A frozen dataclass is only as frozen as its fields: a ``dict`` field can be changed in
place and makes ``hash()`` raise. :class:`FrozenMap` is a read-only mapping with a hash;
:func:`freeze_json` turns a JSON value into FrozenMaps and tuples, :func:`thaw_json`
back into the dicts and lists ``to_dict`` gives (so the RFC 8785 bytes are the same).

Example:
    >>> facts = FrozenMap({"killed": 3})
    >>> facts["killed"], hash(facts) == hash(FrozenMap({"killed": 3}))
    (3, True)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeVar

__all__ = ["FrozenMap", "freeze_json", "set_field", "thaw_json", "unchecked_instance"]

K = TypeVar("K")
V = TypeVar("V")

unchecked_instance = object.__new__
"""An instance of a frozen dataclass with no field set and no check made: for a ``made``
constructor, whose caller made every field itself (numbered, counted, digested)."""
set_field = object.__setattr__
"""Set a field of such an instance (a frozen dataclass refuses ``setattr``)."""


class FrozenMap(Mapping[K, V]):
    """A read-only mapping that keeps its insertion order, compares like a dict, and
    hashes (when its values do)."""

    __slots__ = ("_data", "_hash")

    def __init__(self, items: Mapping[K, V] | Iterable[tuple[K, V]] = ()) -> None:
        self._data: dict[K, V] = dict(items)
        self._hash: int | None = None

    def __getitem__(self, key: K) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._data.items()))
        return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenMap):
            return self._data == other._data
        if isinstance(other, Mapping):
            return self._data == dict(other.items())
        return NotImplemented

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"


def freeze_json(value: Any) -> Any:
    """A JSON value with every object a :class:`FrozenMap` and every array a tuple."""
    if isinstance(value, Mapping):
        return FrozenMap((k, freeze_json(v)) for k, v in value.items())
    if isinstance(value, list | tuple):
        return tuple(freeze_json(v) for v in value)
    return value


def thaw_json(value: Any) -> Any:
    """The plain JSON value (dicts and lists) of a frozen one."""
    if isinstance(value, Mapping):
        return {k: thaw_json(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [thaw_json(v) for v in value]
    return value
