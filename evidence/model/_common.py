"""Identifiers, kinds and the checks every document kind shares."""

from __future__ import annotations

import datetime as _dt
import re
from typing import Final, Literal, NewType, get_args

from evidence.errors import SchemaError

__all__ = [
    "CLAIM_CATEGORIES",
    "CLAIM_SCHEMA",
    "CLAIM_STATUSES",
    "SEAL_SCHEMA",
    "SOURCE_SCHEMA",
    "TREE_ALG",
    "Action",
    "ClaimCategory",
    "ClaimStatus",
    "RecordId",
    "RecordKind",
    "format_record_id",
    "record_number",
]

RecordId = NewType("RecordId", str)
RecordKind = Literal["source", "claim"]
ClaimStatus = Literal["reported", "corroborated", "contested", "verified", "withdrawn"]
ClaimCategory = Literal[
    "attack", "casualties", "damage", "target", "weapon", "location", "statement", "other"
]
CLAIM_STATUSES: Final[tuple[ClaimStatus, ...]] = get_args(ClaimStatus)
"""A claim's statuses, in the schema's order (the schema's `status` enum; a test keeps
them equal)."""
CLAIM_CATEGORIES: Final[tuple[ClaimCategory, ...]] = get_args(ClaimCategory)
"""A claim's categories, in the schema's order (the schema's `category` enum)."""
Action = Literal[
    "created",
    "collected",
    "claim-recorded",
    "superseded",
    "case-metadata",
    "sealed",
    "signed",
    "timestamped",
    "rendered",
    "exported",
    "verified",
]

SOURCE_SCHEMA: Final = "evidence/source/1"
CLAIM_SCHEMA: Final = "evidence/claim/1"
SEAL_SCHEMA: Final = "evidence/seal/1"
TREE_ALG: Final = "rfc9162-sha256"

_ID = re.compile(r"^(SRC|CLM)-[0-9]{4,}$")


def _check_date(value: str | None, what: str) -> None:
    if value is None:
        return
    for part in value.split("/"):
        try:
            _dt.date.fromisoformat(part[:10])
        except ValueError as exc:
            raise SchemaError(f"{what}: {part!r} is not a real calendar date") from exc


def record_number(record_id: str) -> int:
    """The number of ``SRC-0012`` or ``CLM-0012`` (12)."""
    if not _ID.match(record_id):
        raise SchemaError(f"{record_id!r} is not a record id such as SRC-0001 or CLM-0001")
    return int(record_id[4:])


def format_record_id(kind: RecordKind, number: int) -> RecordId:
    """``SRC-0001`` / ``CLM-0001``: four digits at least, more when needed."""
    return RecordId(f"{'SRC' if kind == 'source' else 'CLM'}-{number:04d}")
