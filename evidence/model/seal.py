"""A seal: the Merkle root over every record revision of a case at one moment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from evidence.canonical import JSONValue, canonical_bytes
from evidence.digest import Blake3Hex, Sha256Hex
from evidence.errors import SchemaError
from evidence.model._common import SEAL_SCHEMA, TREE_ALG, RecordId
from evidence.model._fields import (
    blake3_field,
    check_blake3,
    check_count,
    check_hex64,
    check_record_id,
    check_sha256,
    count_field,
    field,
    hex64_field,
    nested,
    nested_list,
    object_of,
    optional_hex64_field,
    optional_nested,
    sha256_field,
    text_field,
)
from evidence.model._frozen import set_field, unchecked_instance

__all__ = ["Seal", "SealLeaf", "SealLink", "Signer"]

_MAX_EXACT_INT = 2**53 - 1


@dataclass(frozen=True, slots=True)
class SealLeaf:
    """A record revision covered by a seal."""

    id: RecordId
    revision: int
    blake3: Blake3Hex
    sha256: Sha256Hex

    def __post_init__(self) -> None:
        check_record_id(self.id)
        check_count(self.revision, "revision", 1)
        check_blake3(self.blake3)
        check_sha256(self.sha256)

    @classmethod
    def made(
        cls, record_id: RecordId, revision: int, blake3: Blake3Hex, sha256: Sha256Hex
    ) -> SealLeaf:
        """The leaf of a record revision whose fields the caller has from checked
        sources (an id and revision the custody log named, digests it took of the
        bytes), without the constructor's checks, which guard leaves read from a file (a
        cold seal makes 110,000; a test compares them with checked ones)."""
        leaf: SealLeaf = unchecked_instance(cls)
        set_field(leaf, "id", record_id)
        set_field(leaf, "revision", revision)
        set_field(leaf, "blake3", blake3)
        set_field(leaf, "sha256", sha256)
        return leaf

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> SealLeaf:
        d = object_of(d, "a seal leaf")
        return cls(
            RecordId(text_field(d, "id")),
            count_field(d, "revision"),
            blake3_field(d),
            sha256_field(d),
        )

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "id": self.id,
            "revision": self.revision,
            "blake3": self.blake3,
            "sha256": self.sha256,
        }

    def canonical(self) -> bytes:
        """``canonical_bytes(self.to_dict())``, without the walk: every field is checked
        ASCII with nothing to escape (an id, a count, hex digests)."""
        if self.revision > _MAX_EXACT_INT:
            return canonical_bytes(self.to_dict())  # refuses it
        return b'{"blake3":"%s","id":"%s","revision":%d,"sha256":"%s"}' % (
            self.blake3.encode(),
            self.id.encode(),
            self.revision,
            self.sha256.encode(),
        )


@dataclass(frozen=True, slots=True)
class SealLink:
    """The seal a later seal extends (``previous``): its sequence, root and file SHA-256."""

    sequence: int
    root: Sha256Hex
    sha256: Sha256Hex

    def __post_init__(self) -> None:
        check_count(self.sequence, "sequence", 1)
        check_hex64(self.root, "root", "a Merkle tree root")
        check_sha256(self.sha256)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> SealLink:
        d = object_of(d, "a previous seal")
        return cls(
            count_field(d, "sequence"),
            Sha256Hex(hex64_field(d, "root", "a Merkle tree root")),
            sha256_field(d),
        )

    def to_dict(self) -> dict[str, JSONValue]:
        return {"sequence": self.sequence, "root": self.root, "sha256": self.sha256}


@dataclass(frozen=True, slots=True)
class Signer:
    """The key that signs a seal file: algorithm, fingerprint (SHA-256 of the DER
    SubjectPublicKeyInfo) and the raw public key as hex (absent in seals made before
    docs/decisions/0405)."""

    alg: str
    fingerprint: Sha256Hex
    public_key: str | None = None

    def __post_init__(self) -> None:
        if not (isinstance(self.alg, str) and self.alg):
            raise SchemaError(
                f"expected a signature algorithm name, got {self.alg!r}", pointer="/alg"
            )
        check_hex64(self.fingerprint, "fingerprint", "a key fingerprint (SHA-256)")
        if self.public_key is not None:
            check_hex64(self.public_key, "public_key", "an Ed25519 public key")

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Signer:
        d = object_of(d, "a seal's signer")
        return cls(
            text_field(d, "alg"),
            Sha256Hex(hex64_field(d, "fingerprint", "a key fingerprint (SHA-256)")),
            optional_hex64_field(d, "public_key", "an Ed25519 public key"),
        )

    def to_dict(self) -> dict[str, JSONValue]:
        out: dict[str, JSONValue] = {"alg": self.alg, "fingerprint": self.fingerprint}
        if self.public_key is not None:  # absent in older seals: their bytes stay as they are
            out["public_key"] = self.public_key
        return out


@dataclass(frozen=True, slots=True)
class Seal:
    """A seal: the Merkle root over every record revision of a case at one moment."""

    case_id: str
    sequence: int
    sealed_at: str
    size: int
    root: Sha256Hex
    leaves: tuple[SealLeaf, ...]
    custody_seq: int
    custody_sha256: Sha256Hex
    previous: SealLink | None
    schema: str = SEAL_SCHEMA
    alg: str = TREE_ALG
    signer: Signer | None = None
    """The key that signs the seal file, when it is signed."""

    def __post_init__(self) -> None:
        check_count(self.sequence, "sequence", 1)
        check_count(self.size, "size", 0)
        check_hex64(self.root, "root", "a Merkle tree root")
        check_count(self.custody_seq, "custody_seq", 1)
        check_sha256(self.custody_sha256, "custody_sha256")
        if not isinstance(self.leaves, tuple):
            raise SchemaError("expected the leaves as a tuple", pointer="/leaves")
        if self.size != len(self.leaves):
            raise SchemaError(f"seal tree size {self.size} but {len(self.leaves)} leaves")

    @property
    def filename(self) -> str:
        """``0001.json``."""
        return f"{self.sequence:04d}.json"

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Seal:
        d = object_of(d, "a seal")
        tree = nested(d, "tree", _Tree.from_dict)
        custody = nested(d, "custody", _Head.from_dict)
        field(d, "previous")  # present, null for the first seal
        return cls(
            case_id=text_field(d, "case_id"),
            sequence=count_field(d, "sequence"),
            sealed_at=text_field(d, "sealed_at"),
            size=tree.size,
            root=tree.root,
            leaves=nested_list(d, "leaves", SealLeaf.from_dict),
            custody_seq=custody.seq,
            custody_sha256=custody.sha256,
            previous=optional_nested(d, "previous", SealLink.from_dict),
            schema=text_field(d, "schema"),
            alg=tree.alg,
            signer=optional_nested(d, "signer", Signer.from_dict),
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
            "previous": self.previous.to_dict() if self.previous else None,
        }
        if self.signer is not None:
            out["signer"] = self.signer.to_dict()
        return out


@dataclass(frozen=True, slots=True)
class _Tree:
    """The ``tree`` object of a seal file, as read (the seal keeps its fields flat)."""

    alg: str
    size: int
    root: Sha256Hex

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> _Tree:
        size = count_field(d, "size")
        check_count(size, "size", 0)
        return cls(
            text_field(d, "alg"), size, Sha256Hex(hex64_field(d, "root", "a Merkle tree root"))
        )


@dataclass(frozen=True, slots=True)
class _Head:
    """The ``custody`` object of a seal file, as read."""

    seq: int
    sha256: Sha256Hex

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> _Head:
        seq = count_field(d, "seq")
        check_count(seq, "seq", 1)
        return cls(seq, sha256_field(d))
