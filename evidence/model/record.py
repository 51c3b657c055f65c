"""A record (one revision of a source or a claim) and its envelope."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from evidence.canonical import JSONValue
from evidence.errors import SchemaError
from evidence.model._common import CLAIM_SCHEMA, SOURCE_SCHEMA, RecordId, RecordKind
from evidence.model.claim import ClaimBody
from evidence.model.source import SourceBody

__all__ = ["Envelope", "Record", "Supersedes"]


@dataclass(frozen=True, slots=True)
class Supersedes:
    """The revision a record replaces, pinned by its BLAKE3."""

    revision: int
    blake3: str

    def to_dict(self) -> dict[str, JSONValue]:
        return {"revision": self.revision, "blake3": self.blake3}


@dataclass(frozen=True, slots=True)
class Record:
    """A record: one revision of a source or a claim."""

    schema: str
    id: RecordId
    revision: int
    kind: RecordKind
    created_at: str
    created_by: str
    supersedes: Supersedes | None
    body: SourceBody | ClaimBody

    def __post_init__(self) -> None:
        expected = SOURCE_SCHEMA if self.kind == "source" else CLAIM_SCHEMA
        if self.schema != expected:
            raise SchemaError(f"record schema {self.schema!r} does not fit kind {self.kind!r}")
        if (self.revision == 1) != (self.supersedes is None):
            raise SchemaError("revision 1 supersedes nothing; later revisions name the one before")
        if self.supersedes is not None and self.supersedes.revision != self.revision - 1:
            raise SchemaError(
                f"revision {self.revision} supersedes revision {self.supersedes.revision}, "
                f"expected {self.revision - 1}"
            )

    @property
    def filename(self) -> str:
        """``SRC-0001.1.json``."""
        return f"{self.id}.{self.revision}.json"

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Record:
        kind = d["kind"]
        body: SourceBody | ClaimBody = (
            SourceBody.from_dict(d["body"]) if kind == "source" else ClaimBody.from_dict(d["body"])
        )
        sup = d["supersedes"]
        return cls(
            schema=d["schema"],
            id=RecordId(d["id"]),
            revision=d["revision"],
            kind=kind,
            created_at=d["created_at"],
            created_by=d["created_by"],
            supersedes=Supersedes(sup["revision"], sup["blake3"]) if sup else None,
            body=body,
        )

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "schema": self.schema,
            "id": self.id,
            "revision": self.revision,
            "kind": self.kind,
            "created_at": self.created_at,
            "created_by": self.created_by,
            "supersedes": self.supersedes.to_dict() if self.supersedes else None,
            "body": self.body.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class Envelope:
    """A record file: the record, its RFC 8785 bytes, and their digests."""

    record: Record
    blake3: str
    sha256: str

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "record": self.record.to_dict(),
            "digests": {"blake3": self.blake3, "sha256": self.sha256},
        }
