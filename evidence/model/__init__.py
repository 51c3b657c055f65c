"""The documents of a case as frozen dataclasses: records, seals, custody events, case meta.

JSON Schema is the first gate at the boundary; these constructors are the second (they
check what a schema cannot say, such as a real calendar date or ``end > start``).
``from_dict`` never mutates or keeps the caller's dict; ``to_dict`` gives plain JSON
values whose RFC 8785 bytes are what gets hashed.

Example:
    >>> ref = ObjectRef.from_dict({"blake3": "a" * 64, "sha256": "b" * 64, "size": 3,
    ...                            "filename": "x.txt"})
    >>> ref.to_dict()["size"]
    3
"""

from __future__ import annotations

from evidence.model._common import (
    CLAIM_CATEGORIES,
    CLAIM_SCHEMA,
    CLAIM_STATUSES,
    SEAL_SCHEMA,
    SOURCE_SCHEMA,
    TREE_ALG,
    Action,
    ClaimCategory,
    ClaimStatus,
    RecordId,
    RecordKind,
    format_record_id,
    record_number,
)
from evidence.model.case import CaseMeta, Submitter
from evidence.model.claim import AttributionLink, ClaimBody, CoSpeaker, Fact, Quote, SourceRef
from evidence.model.custody import CustodyEvent, Subject
from evidence.model.record import Envelope, Record, Supersedes
from evidence.model.seal import Seal, SealLeaf, SealLink, Signer
from evidence.model.source import (
    Attachment,
    Capture,
    HttpResponse,
    ObjectRef,
    Redirect,
    SourceBody,
    TextRef,
    WarcRef,
)

__all__ = [
    "CLAIM_CATEGORIES",
    "CLAIM_SCHEMA",
    "CLAIM_STATUSES",
    "SEAL_SCHEMA",
    "SOURCE_SCHEMA",
    "TREE_ALG",
    "Action",
    "Attachment",
    "AttributionLink",
    "Capture",
    "CaseMeta",
    "ClaimBody",
    "ClaimCategory",
    "ClaimStatus",
    "CoSpeaker",
    "CustodyEvent",
    "Envelope",
    "Fact",
    "HttpResponse",
    "ObjectRef",
    "Quote",
    "Record",
    "RecordId",
    "RecordKind",
    "Redirect",
    "Seal",
    "SealLeaf",
    "SealLink",
    "Signer",
    "SourceBody",
    "SourceRef",
    "Subject",
    "Submitter",
    "Supersedes",
    "TextRef",
    "WarcRef",
    "format_record_id",
    "record_number",
]
