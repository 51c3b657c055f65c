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

import datetime as _dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal, NewType

from evidence.canonical import JSONValue
from evidence.errors import SchemaError

__all__ = [
    "CLAIM_SCHEMA",
    "SEAL_SCHEMA",
    "SOURCE_SCHEMA",
    "Attachment",
    "AttributionLink",
    "CaseMeta",
    "ClaimBody",
    "ClaimStatus",
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
    "SourceBody",
    "SourceRef",
    "Subject",
    "Supersedes",
    "TextRef",
    "WarcRef",
]

RecordId = NewType("RecordId", str)
RecordKind = Literal["source", "claim"]
ClaimStatus = Literal["reported", "corroborated", "contested", "verified", "withdrawn"]
Action = Literal[
    "created", "collected", "claim-recorded", "superseded", "sealed", "signed",
    "timestamped", "rendered", "exported", "verified",
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


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """Captured bytes, stored as ``objects/<blake3[:2]>/<blake3>``."""

    blake3: str
    sha256: str
    size: int
    filename: str | None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ObjectRef:
        return cls(d["blake3"], d["sha256"], d["size"], d["filename"])

    def to_dict(self) -> dict[str, JSONValue]:
        return {"blake3": self.blake3, "sha256": self.sha256, "size": self.size,
                "filename": self.filename}


@dataclass(frozen=True, slots=True)
class TextRef:
    """The normalised text of a source, stored as an object; ``length`` in code points."""

    blake3: str
    sha256: str
    length: int

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> TextRef:
        return cls(d["blake3"], d["sha256"], d["length"])

    def to_dict(self) -> dict[str, JSONValue]:
        return {"blake3": self.blake3, "sha256": self.sha256, "length": self.length}


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """The HTTP answer a web capture holds: status, reason and headers in the order received."""

    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> HttpResponse:
        return cls(d["status"], d["reason"], tuple((n, v) for n, v in d["headers"]))

    def to_dict(self) -> dict[str, JSONValue]:
        return {"status": self.status, "reason": self.reason,
                "headers": [[name, value] for name, value in self.headers]}


@dataclass(frozen=True, slots=True)
class Redirect:
    """One redirect answered on the way to the final URL (RFC 9110 §15.4)."""

    url: str
    status: int
    location: str

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Redirect:
        return cls(d["url"], d["status"], d["location"])

    def to_dict(self) -> dict[str, JSONValue]:
        return {"url": self.url, "status": self.status, "location": self.location}


@dataclass(frozen=True, slots=True)
class WarcRef:
    """Where a captured response sits in its WARC file (ISO 28500): record, file, offset."""

    record_id: str
    target_uri: str
    date: str
    file: str
    offset: int
    software: str | None = None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> WarcRef:
        return cls(d["record_id"], d["target_uri"], d["date"], d["file"], d["offset"],
                   d.get("software"))

    def to_dict(self) -> dict[str, JSONValue]:
        out: dict[str, JSONValue] = {"record_id": self.record_id, "target_uri": self.target_uri,
                                     "date": self.date, "file": self.file, "offset": self.offset}
        if self.software is not None:
            out["software"] = self.software
        return out


@dataclass(frozen=True, slots=True)
class Capture:
    """How a source was collected: method, tool and version, collector, transformations.

    The optional fields are the rest of what the Berkeley Protocol asks a web capture to
    record: a note on the clock that dated it, the user agent that fetched it, the final
    URL after redirects, the HTTP answer, the redirects, and the WARC record it is.
    """

    method: str
    tool: str
    collector: str
    transformations: tuple[str, ...] = ()
    clock: str | None = None
    user_agent: str | None = None
    final_url: str | None = None
    http: HttpResponse | None = None
    redirects: tuple[Redirect, ...] = ()
    warc: WarcRef | None = None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Capture:
        return cls(
            d["method"], d["tool"], d["collector"], tuple(d.get("transformations", ())),
            clock=d.get("clock"), user_agent=d.get("user_agent"), final_url=d.get("final_url"),
            http=HttpResponse.from_dict(d["http"]) if d.get("http") else None,
            redirects=tuple(Redirect.from_dict(x) for x in d.get("redirects", ())),
            warc=WarcRef.from_dict(d["warc"]) if d.get("warc") else None,
        )

    def to_dict(self) -> dict[str, JSONValue]:
        out: dict[str, JSONValue] = {"method": self.method, "tool": self.tool,
                                     "collector": self.collector}
        if self.transformations:
            out["transformations"] = list(self.transformations)
        for name in ("clock", "user_agent", "final_url"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        if self.http is not None:
            out["http"] = self.http.to_dict()
        if self.redirects:
            out["redirects"] = [hop.to_dict() for hop in self.redirects]
        if self.warc is not None:
            out["warc"] = self.warc.to_dict()
        return out


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file kept with a source in its own right: a full-page screenshot, the page as PDF,
    an embedded video, the WARC file a response came from. ``role`` says which."""

    role: str
    media_type: str
    object: ObjectRef

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Attachment:
        return cls(d["role"], d["media_type"], ObjectRef.from_dict(d["object"]))

    def to_dict(self) -> dict[str, JSONValue]:
        return {"role": self.role, "media_type": self.media_type,
                "object": self.object.to_dict()}


@dataclass(frozen=True, slots=True)
class SourceBody:
    """What a source record says about a captured item (DESIGN.md, "Source body")."""

    title: str
    publisher: str | None
    url: str | None
    authors: tuple[str, ...]
    published: str | None
    captured_at: str
    language: str
    media_type: str
    object: ObjectRef
    text: TextRef | None
    capture: Capture
    attachments: tuple[Attachment, ...] = ()
    canonical_url: str | None = None

    def __post_init__(self) -> None:
        _check_date(self.published, "published")

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> SourceBody:
        return cls(
            title=d["title"], publisher=d["publisher"], url=d["url"],
            authors=tuple(d["authors"]), published=d["published"],
            captured_at=d["captured_at"], language=d["language"], media_type=d["media_type"],
            object=ObjectRef.from_dict(d["object"]),
            text=TextRef.from_dict(d["text"]) if d["text"] is not None else None,
            capture=Capture.from_dict(d["capture"]),
            attachments=tuple(Attachment.from_dict(x) for x in d.get("attachments", ())),
            canonical_url=d.get("canonical_url"),
        )

    def to_dict(self) -> dict[str, JSONValue]:
        out: dict[str, JSONValue] = {
            "title": self.title, "publisher": self.publisher, "url": self.url,
            "authors": list(self.authors), "published": self.published,
            "captured_at": self.captured_at, "language": self.language,
            "media_type": self.media_type, "object": self.object.to_dict(),
            "text": self.text.to_dict() if self.text else None,
            "capture": self.capture.to_dict(),
        }
        # Optional fields appear only when set, so older records keep their exact bytes.
        if self.attachments:
            out["attachments"] = [item.to_dict() for item in self.attachments]
        if self.canonical_url is not None:
            out["canonical_url"] = self.canonical_url
        return out


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
        return {"exact": self.exact, "prefix": self.prefix, "suffix": self.suffix,
                "start": self.start, "end": self.end}

    def to_web_annotation(self, source: str) -> dict[str, JSONValue]:
        """The same selection as a W3C Web Annotation ``target`` with two selectors."""
        return {
            "source": source,
            "selector": [
                {"type": "TextQuoteSelector", "exact": self.exact, "prefix": self.prefix,
                 "suffix": self.suffix},
                {"type": "TextPositionSelector", "start": self.start, "end": self.end},
            ],
        }


@dataclass(frozen=True, slots=True)
class AttributionLink:
    """One link of an attribution chain: who, in what role, through which channel."""

    name: str
    role: str | None = None
    channel: str | None = None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> AttributionLink:
        return cls(d["name"], d.get("role"), d.get("channel"))

    def to_dict(self) -> dict[str, JSONValue]:
        return {"name": self.name, "role": self.role, "channel": self.channel}


@dataclass(frozen=True, slots=True)
class Fact:
    """A figure as reported, with its qualifier ("more than 40": value 40, more-than)."""

    value: int | float
    qualifier: str
    max: int | float | None = None
    unit: str | None = None
    text: str | None = None

    def __post_init__(self) -> None:
        if self.qualifier == "range" and (self.max is None or self.max < self.value):
            raise SchemaError("a fact with qualifier 'range' needs max >= value")

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Fact:
        return cls(d["value"], d["qualifier"], d.get("max"), d.get("unit"), d.get("text"))

    def to_dict(self) -> dict[str, JSONValue]:
        out: dict[str, JSONValue] = {"value": self.value, "qualifier": self.qualifier}
        for name in ("max", "unit", "text"):
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
            key=d["key"], statement=d["statement"], source=SourceRef.from_dict(d["source"]),
            quote=Quote.from_dict(d["quote"]) if d["quote"] is not None else None,
            attribution=tuple(AttributionLink.from_dict(x) for x in d["attribution"]),
            category=d["category"],
            facts={k: Fact.from_dict(v) for k, v in d["facts"].items()},
            date=d["date"], places=tuple(d["places"]), status=d["status"], note=d["note"],
        )

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "key": self.key, "statement": self.statement, "source": self.source.to_dict(),
            "quote": self.quote.to_dict() if self.quote else None,
            "attribution": [link.to_dict() for link in self.attribution],
            "category": self.category,
            "facts": {k: v.to_dict() for k, v in self.facts.items()},
            "date": self.date, "places": list(self.places), "status": self.status,
            "note": self.note,
        }


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
            schema=d["schema"], id=RecordId(d["id"]), revision=d["revision"], kind=kind,
            created_at=d["created_at"], created_by=d["created_by"],
            supersedes=Supersedes(sup["revision"], sup["blake3"]) if sup else None, body=body,
        )

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "schema": self.schema, "id": self.id, "revision": self.revision, "kind": self.kind,
            "created_at": self.created_at, "created_by": self.created_by,
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
        return {"record": self.record.to_dict(),
                "digests": {"blake3": self.blake3, "sha256": self.sha256}}


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
        return cls(d["seq"], d["at"], d["actor"], d["action"],
                   Subject.from_dict(subject) if subject else None, dict(d["details"]), d["prev"])

    def to_dict(self) -> dict[str, JSONValue]:
        return {"seq": self.seq, "at": self.at, "actor": self.actor, "action": self.action,
                "subject": self.subject.to_dict() if self.subject else None,
                "details": dict(self.details), "prev": self.prev}


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
        return {"id": self.id, "revision": self.revision, "blake3": self.blake3,
                "sha256": self.sha256}


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
            case_id=d["case_id"], sequence=d["sequence"], sealed_at=d["sealed_at"],
            size=d["tree"]["size"], root=d["tree"]["root"],
            leaves=tuple(SealLeaf.from_dict(x) for x in d["leaves"]),
            custody_seq=d["custody"]["seq"], custody_sha256=d["custody"]["sha256"],
            previous=dict(d["previous"]) if d["previous"] else None,
            schema=d["schema"], alg=d["tree"]["alg"],
            signer=dict(d["signer"]) if d.get("signer") else None,
        )

    def to_dict(self) -> dict[str, JSONValue]:
        out: dict[str, JSONValue] = {
            "schema": self.schema, "case_id": self.case_id, "sequence": self.sequence,
            "sealed_at": self.sealed_at,
            "tree": {"alg": self.alg, "size": self.size, "root": self.root},
            "leaves": [leaf.to_dict() for leaf in self.leaves],
            "custody": {"seq": self.custody_seq, "sha256": self.custody_sha256},
            "previous": dict(self.previous) if self.previous else None,
        }
        if self.signer is not None:
            out["signer"] = dict(self.signer)
        return out


@dataclass(frozen=True, slots=True)
class Submitter:
    """Who submits the case."""

    organisation: str | None = None
    name: str | None = None
    role: str | None = None
    email: str | None = None
    address: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class CaseMeta:
    """case.yaml: the case's metadata, written by people."""

    id: str
    title: str
    ern_prefix: str
    situation: str | None = None
    template: str = "icc-otp"
    classification: str = "public"
    language: str = "en"
    reference: str | None = None
    created: str | None = None
    submitter: Submitter = field(default_factory=Submitter)
    addressee: str | None = None
    summary: str | None = None
    legal_characterisation: str | None = None
    requests: tuple[str, ...] = ()
    declaration: str | None = None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CaseMeta:
        return cls(
            id=d["id"], title=d["title"], ern_prefix=d["ern_prefix"],
            situation=d.get("situation"), template=d.get("template", "icc-otp"),
            classification=d.get("classification", "public"), language=d.get("language", "en"),
            reference=d.get("reference"), created=d.get("created"),
            submitter=Submitter(**d.get("submitter", {})), addressee=d.get("addressee"),
            summary=d.get("summary"), legal_characterisation=d.get("legal_characterisation"),
            requests=tuple(d.get("requests", ())), declaration=d.get("declaration"),
        )

    def ern(self, number: int) -> str:
        """The exhibit number of the ``number``-th record id of the case (1-based)."""
        return f"{self.ern_prefix}-{number:04d}"
