"""One event of the chain-of-custody log."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from evidence.canonical import JSONValue
from evidence.model._common import Action, RecordId

__all__ = ["CustodyEvent", "Subject"]


@dataclass(frozen=True, slots=True)
class Subject:
    """The record revision a custody event is about."""

    id: RecordId
    revision: int
    blake3: str

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Subject:
        return cls(RecordId(d["id"]), d["revision"], d["blake3"])

    def to_dict(self) -> dict[str, JSONValue]:
        return {"id": self.id, "revision": self.revision, "blake3": self.blake3}


@dataclass(frozen=True, slots=True)
class CustodyEvent:
    """One line of ``custody.jsonl``."""

    seq: int
    at: str
    actor: str
    action: Action
    subject: Subject | None
    details: Mapping[str, JSONValue]
    prev: str | None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CustodyEvent:
        subject = d["subject"]
        return cls(
            d["seq"],
            d["at"],
            d["actor"],
            d["action"],
            Subject.from_dict(subject) if subject else None,
            dict(d["details"]),
            d["prev"],
        )

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "seq": self.seq,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "subject": self.subject.to_dict() if self.subject else None,
            "details": dict(self.details),
            "prev": self.prev,
        }
