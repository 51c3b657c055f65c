"""One event of the chain-of-custody log."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast, get_args

from evidence.canonical import JSONValue, canonical_bytes
from evidence.digest import Blake3Hex, Sha256Hex
from evidence.errors import SchemaError
from evidence.model._common import Action, RecordId
from evidence.model._fields import (
    blake3_field,
    check_blake3,
    check_count,
    check_hex64,
    check_record_id,
    count_field,
    field,
    object_of,
    optional_hex64_field,
    optional_nested,
    text_field,
)
from evidence.model._frozen import freeze_json, set_field, thaw_json, unchecked_instance

__all__ = ["CustodyEvent", "Subject"]

_MAX_EXACT_INT = 2**53 - 1


@dataclass(frozen=True, slots=True)
class Subject:
    """The record revision a custody event is about."""

    id: RecordId
    revision: int
    blake3: Blake3Hex

    def __post_init__(self) -> None:
        check_record_id(self.id)
        check_count(self.revision, "revision", 1)
        check_blake3(self.blake3)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Subject:
        d = object_of(d, "a custody event's subject")
        return cls(RecordId(text_field(d, "id")), count_field(d, "revision"), blake3_field(d))

    @classmethod
    def made(cls, record_id: RecordId, revision: int, blake3: Blake3Hex) -> Subject:
        """The subject of a record revision whose fields the caller made itself (an id
        it numbered, a revision it counted, a BLAKE3 it took), without the constructor's
        checks, which guard fields read from input (a seal of 100,000 records makes
        100,000 subjects: a third of the time each)."""
        subject: Subject = unchecked_instance(cls)
        set_field(subject, "id", record_id)
        set_field(subject, "revision", revision)
        set_field(subject, "blake3", blake3)
        return subject

    def to_dict(self) -> dict[str, JSONValue]:
        return {"id": self.id, "revision": self.revision, "blake3": self.blake3}

    def canonical(self) -> bytes:
        """``canonical_bytes(self.to_dict())``, without the walk: every field is checked
        ASCII with nothing to escape (an id, a count, a hex digest)."""
        if self.revision > _MAX_EXACT_INT:
            return canonical_bytes(self.to_dict())  # refuses it, as for any record
        return b'{"blake3":"%s","id":"%s","revision":%d}' % (
            self.blake3.encode(),
            self.id.encode(),
            self.revision,
        )


_ACTIONS = frozenset(get_args(Action))
"""The actions a custody event may name (looked up once: ``get_args`` is slow)."""


@dataclass(frozen=True, slots=True)
class CustodyEvent:
    """One line of ``custody.jsonl``."""

    seq: int
    at: str
    actor: str
    action: Action
    subject: Subject | None
    details: Mapping[str, JSONValue]
    """Kept frozen (objects as :class:`~evidence.model._frozen.FrozenMap`, arrays as
    tuples; any mapping given is copied); :meth:`to_dict` gives plain JSON again."""
    prev: Sha256Hex | None

    def __post_init__(self) -> None:
        check_count(self.seq, "seq", 1)
        if self.action not in _ACTIONS:
            raise SchemaError(
                f"expected one of {', '.join(get_args(Action))}, got {self.action!r}",
                pointer="/action",
            )
        if not isinstance(self.details, Mapping):
            raise SchemaError("expected the details as an object", pointer="/details")
        object.__setattr__(self, "details", freeze_json(self.details))
        if self.prev is not None:
            check_hex64(self.prev, "prev", "the SHA-256 of the previous line")

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CustodyEvent:
        d = object_of(d, "a custody event")
        details = field(d, "details")
        if not isinstance(details, Mapping):
            raise SchemaError("expected the details as an object", pointer="/details")
        field(d, "subject")  # present, null for an event about the case as a whole
        prev = optional_hex64_field(d, "prev", "the SHA-256 of the previous line", required=True)
        return cls(
            count_field(d, "seq"),
            text_field(d, "at"),
            text_field(d, "actor"),
            cast(Action, text_field(d, "action")),  # checked by the constructor
            optional_nested(d, "subject", Subject.from_dict),
            details,
            Sha256Hex(prev) if prev is not None else None,
        )

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "seq": self.seq,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "subject": self.subject.to_dict() if self.subject else None,
            "details": thaw_json(self.details),
            "prev": self.prev,
        }
