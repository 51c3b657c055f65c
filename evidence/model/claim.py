"""Claim records: what a source says, anchored in its text (DESIGN.md, "Claim body")."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from evidence.canonical import JSONValue
from evidence.errors import SchemaError
from evidence.model._common import RecordId, _check_date

__all__ = ["AttributionLink", "ClaimBody", "Fact", "Quote", "SourceRef"]


@dataclass(frozen=True, slots=True)
class SourceRef:
    """The source revision a claim quotes, pinned by the source record's BLAKE3."""

    id: RecordId
    revision: int
    blake3: str

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> SourceRef:
        return cls(RecordId(d["id"]), d["revision"], d["blake3"])

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
        if self.end - self.start != len(self.exact):
            raise SchemaError(
                f"quote: end - start ({self.end} - {self.start}) is not the length of "
                f"exact ({len(self.exact)})"
            )

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Quote:
        return cls(d["exact"], d["prefix"], d["suffix"], d["start"], d["end"])

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
        return cls(d["name"], d.get("role"))

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
        return cls(
            d["name"],
            d.get("role"),
            d.get("channel"),
            tuple(CoSpeaker.from_dict(x) for x in d.get("with", ())),
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
        return cls(
            d["value"], d["qualifier"], d.get("max"), d.get("unit"), d.get("text"), d.get("as_of")
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
    date: str | None
    places: tuple[str, ...]
    status: str
    note: str | None

    def __post_init__(self) -> None:
        _check_date(self.date, "date")

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ClaimBody:
        return cls(
            key=d["key"],
            statement=d["statement"],
            source=SourceRef.from_dict(d["source"]),
            quote=Quote.from_dict(d["quote"]) if d["quote"] is not None else None,
            attribution=tuple(AttributionLink.from_dict(x) for x in d["attribution"]),
            category=d["category"],
            facts={k: Fact.from_dict(v) for k, v in d["facts"].items()},
            date=d["date"],
            places=tuple(d["places"]),
            status=d["status"],
            note=d["note"],
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
