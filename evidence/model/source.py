"""Source records: what was captured, how, by whom (DESIGN.md, "Source body")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from evidence.canonical import JSONValue
from evidence.digest import Blake3Hex, Sha256Hex
from evidence.errors import SchemaError
from evidence.model._common import _check_date
from evidence.model._fields import (
    blake3_field,
    check_blake3,
    check_count,
    check_sha256,
    count_field,
    field,
    nested,
    nested_list,
    object_of,
    optional_nested,
    optional_text,
    sha256_field,
    text_field,
    texts_field,
)

__all__ = [
    "Attachment",
    "Capture",
    "HttpResponse",
    "ObjectRef",
    "Redirect",
    "SourceBody",
    "TextRef",
    "WarcRef",
]


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """Captured bytes, stored as ``objects/<blake3[:2]>/<blake3>``."""

    blake3: Blake3Hex
    sha256: Sha256Hex
    size: int
    filename: str | None

    def __post_init__(self) -> None:
        check_blake3(self.blake3)
        check_sha256(self.sha256)
        check_count(self.size, "size", 0)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ObjectRef:
        d = object_of(d, "an object reference")
        return cls(
            blake3_field(d),
            sha256_field(d),
            count_field(d, "size"),
            optional_text(d, "filename", required=True),
        )

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "blake3": self.blake3,
            "sha256": self.sha256,
            "size": self.size,
            "filename": self.filename,
        }


@dataclass(frozen=True, slots=True)
class TextRef:
    """The normalised text of a source, stored as an object; ``length`` in code points."""

    blake3: Blake3Hex
    sha256: Sha256Hex
    length: int

    def __post_init__(self) -> None:
        check_blake3(self.blake3)
        check_sha256(self.sha256)
        check_count(self.length, "length", 0)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> TextRef:
        d = object_of(d, "a text reference")
        return cls(blake3_field(d), sha256_field(d), count_field(d, "length"))

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
        d = object_of(d, "an HTTP response")
        headers = field(d, "headers")
        if not isinstance(headers, list | tuple) or not all(
            isinstance(h, list | tuple) and len(h) == 2 and all(isinstance(x, str) for x in h)
            for h in headers
        ):
            raise SchemaError(
                "expected the headers as a list of [name, value] strings", pointer="/headers"
            )
        return cls(
            count_field(d, "status"),
            text_field(d, "reason"),
            tuple((name, value) for name, value in headers),
        )

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "status": self.status,
            "reason": self.reason,
            "headers": [[name, value] for name, value in self.headers],
        }


@dataclass(frozen=True, slots=True)
class Redirect:
    """One redirect answered on the way to the final URL (RFC 9110 §15.4)."""

    url: str
    status: int
    location: str

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Redirect:
        d = object_of(d, "a redirect")
        return cls(text_field(d, "url"), count_field(d, "status"), text_field(d, "location"))

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
        d = object_of(d, "a WARC reference")
        return cls(
            text_field(d, "record_id"),
            text_field(d, "target_uri"),
            text_field(d, "date"),
            text_field(d, "file"),
            count_field(d, "offset"),
            optional_text(d, "software"),
        )

    def to_dict(self) -> dict[str, JSONValue]:
        out: dict[str, JSONValue] = {
            "record_id": self.record_id,
            "target_uri": self.target_uri,
            "date": self.date,
            "file": self.file,
            "offset": self.offset,
        }
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
        d = object_of(d, "a capture")
        return cls(
            text_field(d, "method"),
            text_field(d, "tool"),
            text_field(d, "collector"),
            texts_field(d, "transformations", ()),
            clock=optional_text(d, "clock"),
            user_agent=optional_text(d, "user_agent"),
            final_url=optional_text(d, "final_url"),
            http=optional_nested(d, "http", HttpResponse.from_dict),
            redirects=nested_list(d, "redirects", Redirect.from_dict, optional=True),
            warc=optional_nested(d, "warc", WarcRef.from_dict),
        )

    def to_dict(self) -> dict[str, JSONValue]:
        out: dict[str, JSONValue] = {
            "method": self.method,
            "tool": self.tool,
            "collector": self.collector,
        }
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
        d = object_of(d, "an attachment")
        return cls(
            text_field(d, "role"),
            text_field(d, "media_type"),
            nested(d, "object", ObjectRef.from_dict),
        )

    def to_dict(self) -> dict[str, JSONValue]:
        return {"role": self.role, "media_type": self.media_type, "object": self.object.to_dict()}


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
        d = object_of(d, "a source body")
        return cls(
            title=text_field(d, "title"),
            publisher=optional_text(d, "publisher", required=True),
            url=optional_text(d, "url", required=True),
            authors=texts_field(d, "authors"),
            published=optional_text(d, "published", required=True),
            captured_at=text_field(d, "captured_at"),
            language=text_field(d, "language"),
            media_type=text_field(d, "media_type"),
            object=nested(d, "object", ObjectRef.from_dict),
            text=optional_nested(d, "text", TextRef.from_dict, required=True),
            capture=nested(d, "capture", Capture.from_dict),
            attachments=nested_list(d, "attachments", Attachment.from_dict, optional=True),
            canonical_url=optional_text(d, "canonical_url"),
        )

    def to_dict(self) -> dict[str, JSONValue]:
        out: dict[str, JSONValue] = {
            "title": self.title,
            "publisher": self.publisher,
            "url": self.url,
            "authors": list(self.authors),
            "published": self.published,
            "captured_at": self.captured_at,
            "language": self.language,
            "media_type": self.media_type,
            "object": self.object.to_dict(),
            "text": self.text.to_dict() if self.text else None,
            "capture": self.capture.to_dict(),
        }
        # Optional fields appear only when set, so older records keep their exact bytes.
        if self.attachments:
            out["attachments"] = [item.to_dict() for item in self.attachments]
        if self.canonical_url is not None:
            out["canonical_url"] = self.canonical_url
        return out
