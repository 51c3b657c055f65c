"""Claim records: what a source says, anchored in its text (DESIGN.md, "Claim body")."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from evidence.canonical import JSONValue
from evidence.digest import Blake3Hex
from evidence.errors import SchemaError
from evidence.model._common import RecordId, _check_date
from evidence.model._fields import (
    blake3_field,
    check_blake3,
    check_count,
    check_record_id,
    count_field,
    nested,
    nested_list,
    number_field,
    object_of,
    optional_nested,
    optional_text,
    text_field,
    texts_field,
)
from evidence.model._frozen import FrozenMap

__all__ = ["AttributionLink", "ClaimBody", "Fact", "Quote", "SourceRef"]


@dataclass(frozen=True, slots=True)
class SourceRef:
    """The source revision a claim quotes, pinned by the source record's BLAKE3."""

    id: RecordId
    revision: int
    blake3: Blake3Hex

    def __post_init__(self) -> None:
        check_record_id(self.id, prefix="SRC-")
        check_count(self.revision, "revision", 1)
        check_blake3(self.blake3)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> SourceRef:
        d = object_of(d, "a source reference")
        return cls(RecordId(text_field(d, "id")), count_field(d, "revision"), blake3_field(d))

    def to_dict(self) -> dict[str, JSONValue]:
        return {"id": self.id, "revision": self.revision, "blake3": self.blake3}


@dataclass(frozen=True, slots=True)
class Quote:
    """W3C Web Annotation TextQuoteSelector (exact, prefix, suffix) and TextPositionSelector
    (start, end): offsets in code points of the source's normalised text, end exclusive."""

    exact: str
    prefix: str
    suffix: str
    start: int
    end: int

    def __post_init__(self) -> None:
        check_count(self.start, "start", 0)
        check_count(self.end, "end", 0)
        if self.end - self.start != len(self.exact):
            raise SchemaError(
                f"quote: end - start ({self.end} - {self.start}) is not the length of "
                f"exact ({len(self.exact)})"
            )

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Quote:
        d = object_of(d, "a quote")
        return cls(
            text_field(d, "exact"),
            text_field(d, "prefix"),
            text_field(d, "suffix"),
            count_field(d, "start"),
            count_field(d, "end"),
        )

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "exact": self.exact,
            "prefix": self.prefix,
            "suffix": self.suffix,
            "start": self.start,
            "end": self.end,
        }

    def to_web_annotation(self, source: str) -> dict[str, JSONValue]:
        """The same selection as a W3C Web Annotation ``target`` with two selectors."""
        return {
            "source": source,
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": self.exact,
                    "prefix": self.prefix,
                    "suffix": self.suffix,
                },
                {"type": "TextPositionSelector", "start": self.start, "end": self.end},
            ],
        }


@dataclass(frozen=True, slots=True)
class CoSpeaker:
    """A person who made a statement jointly with a link's speaker, and their role."""

    name: str
    role: str | None = None

    def __post_init__(self) -> None:
        if not self.name:
            raise SchemaError("a co-speaker needs a name")

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CoSpeaker:
        d = object_of(d, "a co-speaker")
        return cls(text_field(d, "name"), optional_text(d, "role"))

    def to_dict(self) -> dict[str, JSONValue]:
        return {"name": self.name, "role": self.role}


@dataclass(frozen=True, slots=True)
class AttributionLink:
    """One link of an attribution chain: who, in what role, through which channel, and who
    made the statement jointly with them (``with``: co-speakers, "Klitschko and Popko
    said"), as opposed to the next link, through whom it became known ("as reported by").
    See docs/decisions/0306-co-speakers.md."""

    name: str
    role: str | None = None
    channel: str | None = None
    with_: tuple[CoSpeaker, ...] = ()

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> AttributionLink:
        d = object_of(d, "an attribution link")
        return cls(
            text_field(d, "name"),
            optional_text(d, "role"),
            optional_text(d, "channel"),
            nested_list(d, "with", CoSpeaker.from_dict, optional=True),
        )

    def to_dict(self) -> dict[str, JSONValue]:
        out: dict[str, JSONValue] = {"name": self.name, "role": self.role, "channel": self.channel}
        if self.with_:  # absent when empty: a claim without co-speakers keeps its bytes
            out["with"] = [c.to_dict() for c in self.with_]
        return out

    @property
    def speakers(self) -> tuple[CoSpeaker, ...]:
        """Everyone who made the statement at this link: the speaker, then the co-speakers."""
        return (CoSpeaker(self.name, self.role), *self.with_)


@dataclass(frozen=True, slots=True)
class Fact:
    """A figure as reported, with its qualifier ("more than 40": value 40, more-than)."""

    value: int | float
    qualifier: str
    max: int | float | None = None
    unit: str | None = None
    text: str | None = None
    as_of: str | None = None
    """When the count is stated for (decision 0615): ``YYYY-MM-DDTHH:MM`` as the text gives
    it, without a zone, or a time with a zone (the publication time)."""

    def __post_init__(self) -> None:
        if self.qualifier == "range" and (self.max is None or self.max < self.value):
            raise SchemaError("a fact with qualifier 'range' needs max >= value")
        if self.as_of is not None:
            try:
                _dt.datetime.fromisoformat(self.as_of.replace("Z", "+00:00"))
            except ValueError as exc:
                raise SchemaError(
                    f"as_of {self.as_of!r} is not a date and time (YYYY-MM-DDTHH:MM)"
                ) from exc
            if "T" not in self.as_of:
                raise SchemaError(f"as_of {self.as_of!r} has no time (YYYY-MM-DDTHH:MM)")

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Fact:
        d = object_of(d, "a fact")
        value = number_field(d, "value")
        assert value is not None  # a required field
        return cls(
            value,
            text_field(d, "qualifier"),
            number_field(d, "max", None),
            optional_text(d, "unit"),
            optional_text(d, "text"),
            optional_text(d, "as_of"),
        )

    def to_dict(self) -> dict[str, JSONValue]:
        out: dict[str, JSONValue] = {"value": self.value, "qualifier": self.qualifier}
        for name in ("max", "unit", "text", "as_of"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        return out


@dataclass(frozen=True, slots=True)
class ClaimBody:
    """What a claim record says (DESIGN.md, "Claim body"), compiled from claims/*.yaml."""

    key: str
    statement: str
    source: SourceRef
    quote: Quote | None
    attribution: tuple[AttributionLink, ...]
    category: str
    facts: Mapping[str, Fact]
    """Kept as a read-only :class:`~evidence.model._frozen.FrozenMap` (any mapping given
    is copied into one), so that a claim body is immutable and hashable."""
    date: str | None
    places: tuple[str, ...]
    status: str
    note: str | None

    def __post_init__(self) -> None:
        if not isinstance(self.facts, FrozenMap):
            object.__setattr__(self, "facts", FrozenMap(self.facts))
        for name, fact in self.facts.items():
            if not (isinstance(name, str) and isinstance(fact, Fact)):
                raise SchemaError(
                    f"expected facts as names and Fact values, got {name!r}: {fact!r}",
                    pointer="/facts",
                )
        _check_date(self.date, "date")

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ClaimBody:
        d = object_of(d, "a claim body")
        return cls(
            key=text_field(d, "key"),
            statement=text_field(d, "statement"),
            source=nested(d, "source", SourceRef.from_dict),
            quote=optional_nested(d, "quote", Quote.from_dict, required=True),
            attribution=nested_list(d, "attribution", AttributionLink.from_dict),
            category=text_field(d, "category"),
            facts=nested(d, "facts", _facts),
            date=optional_text(d, "date", required=True),
            places=texts_field(d, "places"),
            status=text_field(d, "status"),
            note=optional_text(d, "note", required=True),
        )

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "key": self.key,
            "statement": self.statement,
            "source": self.source.to_dict(),
            "quote": self.quote.to_dict() if self.quote else None,
            "attribution": [link.to_dict() for link in self.attribution],
            "category": self.category,
            "facts": {k: v.to_dict() for k, v in self.facts.items()},
            "date": self.date,
            "places": list(self.places),
            "status": self.status,
            "note": self.note,
        }


def _facts(d: Mapping[str, Any]) -> FrozenMap[str, Fact]:
    """The ``facts`` object: each named figure through :meth:`Fact.from_dict`."""
    return FrozenMap((name, nested(d, name, Fact.from_dict)) for name in d)
