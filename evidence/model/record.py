"""A record (one revision of a source or a claim) and its envelope."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from evidence.canonical import JSONValue
from evidence.digest import Blake3Hex, Sha256Hex
from evidence.errors import SchemaError
from evidence.model._common import CLAIM_SCHEMA, SOURCE_SCHEMA, RecordId, RecordKind
from evidence.model._fields import (
    blake3_field,
    check_blake3,
    check_count,
    check_record_id,
    check_sha256,
    count_field,
    nested,
    object_of,
    optional_nested,
    text_field,
)
from evidence.model.claim import ClaimBody
from evidence.model.source import SourceBody

__all__ = ["Envelope", "Record", "Supersedes"]


@dataclass(frozen=True, slots=True)
class Supersedes:
    """The revision a record replaces, pinned by its BLAKE3."""

    revision: int
    blake3: Blake3Hex

    def __post_init__(self) -> None:
        check_count(self.revision, "revision", 1)
        check_blake3(self.blake3)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Supersedes:
        d = object_of(d, "the revision superseded")
        return cls(count_field(d, "revision"), blake3_field(d))

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
        if self.kind not in ("source", "claim"):
            raise SchemaError(
                f"expected kind 'source' or 'claim', got {self.kind!r}", pointer="/kind"
            )
        expected = SOURCE_SCHEMA if self.kind == "source" else CLAIM_SCHEMA
        if self.schema != expected:
            raise SchemaError(f"record schema {self.schema!r} does not fit kind {self.kind!r}")
        check_record_id(self.id, prefix="SRC-" if self.kind == "source" else "CLM-")
        check_count(self.revision, "revision", 1)
        body = SourceBody if self.kind == "source" else ClaimBody
        if not isinstance(self.body, body):
            raise SchemaError(
                f"a {self.kind} record holds a {body.__name__}, got {type(self.body).__name__}",
                pointer="/body",
            )
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
        d = object_of(d, "a record")
        kind = text_field(d, "kind")
        body: SourceBody | ClaimBody
        if kind == "source":
            body = nested(d, "body", SourceBody.from_dict)
        elif kind == "claim":
            body = nested(d, "body", ClaimBody.from_dict)
        else:
            raise SchemaError(f"expected 'source' or 'claim', got {kind!r}", pointer="/kind")
        return cls(
            schema=text_field(d, "schema"),
            id=RecordId(text_field(d, "id")),
            revision=count_field(d, "revision"),
            kind="source" if kind == "source" else "claim",
            created_at=text_field(d, "created_at"),
            created_by=text_field(d, "created_by"),
            supersedes=optional_nested(d, "supersedes", Supersedes.from_dict, required=True),
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
    blake3: Blake3Hex
    sha256: Sha256Hex

    def __post_init__(self) -> None:
        check_blake3(self.blake3)
        check_sha256(self.sha256)

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "record": self.record.to_dict(),
            "digests": {"blake3": self.blake3, "sha256": self.sha256},
        }
