"""Source records: what was captured, how, by whom (DESIGN.md, "Source body")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from evidence.canonical import JSONValue
from evidence.model._common import _check_date

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

    blake3: str
    sha256: str
    size: int
    filename: str | None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ObjectRef:
        return cls(d["blake3"], d["sha256"], d["size"], d["filename"])

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
        return cls(
            d["record_id"], d["target_uri"], d["date"], d["file"], d["offset"], d.get("software")
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
        return cls(
            d["method"],
            d["tool"],
            d["collector"],
            tuple(d.get("transformations", ())),
            clock=d.get("clock"),
            user_agent=d.get("user_agent"),
            final_url=d.get("final_url"),
            http=HttpResponse.from_dict(d["http"]) if d.get("http") else None,
            redirects=tuple(Redirect.from_dict(x) for x in d.get("redirects", ())),
            warc=WarcRef.from_dict(d["warc"]) if d.get("warc") else None,
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
        return cls(d["role"], d["media_type"], ObjectRef.from_dict(d["object"]))

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
        return cls(
            title=d["title"],
            publisher=d["publisher"],
            url=d["url"],
            authors=tuple(d["authors"]),
            published=d["published"],
            captured_at=d["captured_at"],
            language=d["language"],
            media_type=d["media_type"],
            object=ObjectRef.from_dict(d["object"]),
            text=TextRef.from_dict(d["text"]) if d["text"] is not None else None,
            capture=Capture.from_dict(d["capture"]),
            attachments=tuple(Attachment.from_dict(x) for x in d.get("attachments", ())),
            canonical_url=d.get("canonical_url"),
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
