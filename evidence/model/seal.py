"""A seal: the Merkle root over every record revision of a case at one moment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from evidence.canonical import JSONValue
from evidence.errors import SchemaError
from evidence.model._common import SEAL_SCHEMA, TREE_ALG, RecordId

__all__ = ["Seal", "SealLeaf"]


@dataclass(frozen=True, slots=True)
class SealLeaf:
    """A record revision covered by a seal."""

    id: RecordId
    revision: int
    blake3: str
    sha256: str

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> SealLeaf:
        return cls(RecordId(d["id"]), d["revision"], d["blake3"], d["sha256"])

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "id": self.id,
            "revision": self.revision,
            "blake3": self.blake3,
            "sha256": self.sha256,
        }


@dataclass(frozen=True, slots=True)
class Seal:
    """A seal: the Merkle root over every record revision of a case at one moment."""

    case_id: str
    sequence: int
    sealed_at: str
    size: int
    root: str
    leaves: tuple[SealLeaf, ...]
    custody_seq: int
    custody_sha256: str
    previous: Mapping[str, JSONValue] | None
    schema: str = SEAL_SCHEMA
    alg: str = TREE_ALG
    signer: Mapping[str, str] | None = None
    """The key that signs the seal file ({alg: ed25519, fingerprint}), when it is signed."""

    def __post_init__(self) -> None:
        if self.size != len(self.leaves):
            raise SchemaError(f"seal tree size {self.size} but {len(self.leaves)} leaves")

    @property
    def filename(self) -> str:
        """``0001.json``."""
        return f"{self.sequence:04d}.json"

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Seal:
        return cls(
            case_id=d["case_id"],
            sequence=d["sequence"],
            sealed_at=d["sealed_at"],
            size=d["tree"]["size"],
            root=d["tree"]["root"],
            leaves=tuple(SealLeaf.from_dict(x) for x in d["leaves"]),
            custody_seq=d["custody"]["seq"],
            custody_sha256=d["custody"]["sha256"],
            previous=dict(d["previous"]) if d["previous"] else None,
            schema=d["schema"],
            alg=d["tree"]["alg"],
            signer=dict(d["signer"]) if d.get("signer") else None,
        )

    def to_dict(self) -> dict[str, JSONValue]:
        out: dict[str, JSONValue] = {
            "schema": self.schema,
            "case_id": self.case_id,
            "sequence": self.sequence,
            "sealed_at": self.sealed_at,
            "tree": {"alg": self.alg, "size": self.size, "root": self.root},
            "leaves": [leaf.to_dict() for leaf in self.leaves],
            "custody": {"seq": self.custody_seq, "sha256": self.custody_sha256},
            "previous": dict(self.previous) if self.previous else None,
        }
        if self.signer is not None:
            out["signer"] = dict(self.signer)
        return out
