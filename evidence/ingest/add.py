"""``evidence add``: a file becomes a source of the case.

The raw bytes are stored once, as an object named by their BLAKE3 digest (read once,
written once, both digests on the way). A text article is also decoded and normalised,
and its text stored as a second object, which claims quote. Any other file (a photo, a
video, a PDF) is a source too, with its media type and no text: claims can cite it but
not quote it. Adding the same bytes again gives the same source, never a second record.

Example:
    >>> import tempfile, pathlib
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> case = Case.init(tmp / "case", case_id="T-1", title="T", ern_prefix="T", actor="doc")
    >>> _ = (tmp / "a.txt").write_text("date 2024-07-08 Something happened.")
    >>> added = add_source(case, tmp / "a.txt", actor="doc")
    >>> added.record.id, added.existed
    ('SRC-0001', False)
"""

from __future__ import annotations

import datetime as _dt
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evidence._time import format_time, parse_time, utc_now
from evidence.canonical import loads_json
from evidence.case import Case, CaseState, default_actor, record_details, tool_name
from evidence.digest import digest_bytes
from evidence.errors import CaseError, InputError
from evidence.ingest.mediatype import TEXT_TYPES, sniff
from evidence.ingest.text import Article, parse_article
from evidence.integrity.custody import NewEvent
from evidence.model import (
    SOURCE_SCHEMA,
    Capture,
    ObjectRef,
    Record,
    SourceBody,
    Subject,
    TextRef,
    format_record_id,
)
from evidence.schema import validate
from evidence.store import record_slice

__all__ = ["AddResult", "add_source", "check_input_file"]

_SNIFF_BYTES = 8192
_MAX_TEXT_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class AddResult:
    """What ``add`` did with one file."""

    path: Path
    record: Record
    existed: bool
    ern: str


def check_input_file(path: Path) -> None:
    """Refuse what cannot be added before anything is written.

    Raises:
        InputError: missing, a folder, not a regular file, unreadable, or empty.
    """
    try:
        info = path.stat()
    except FileNotFoundError as exc:
        raise InputError("no such file", path=str(path)) from exc
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=str(path)) from exc
    if stat.S_ISDIR(info.st_mode):
        raise InputError("is a directory, expected a file", path=str(path),
                         hint="Give the files inside it, for example DIR/*.txt.")
    if not stat.S_ISREG(info.st_mode):
        raise InputError("not a regular file", path=str(path))
    if info.st_size == 0:
        raise InputError("the file is empty", path=str(path))
    if not os.access(path, os.R_OK):
        raise InputError("permission denied", path=str(path))


def _published(value: str | None, *, path: str) -> str | None:
    """A date stays a date; a time with any offset becomes RFC 3339 UTC."""
    if value is None or len(value) == 10:
        return value
    try:
        return format_time(parse_time(value)).replace(".000000Z", "Z")
    except ValueError as exc:
        raise InputError(f"published: {value!r} is not a date or an RFC 3339 time",
                         path=path) from exc


def _existing(case: Case, state: CaseState, blake3_hex: str, src: Path) -> AddResult:
    """The source that already holds these bytes."""
    record_id = state.source_by_object[blake3_hex]
    latest = state.latest[record_id]
    name = f"records/{record_id}.{latest.revision}.json"
    doc = loads_json(record_slice(case.records.read(record_id, latest.revision)) or b"null",
                     path=name)
    if not isinstance(doc, dict):
        raise CaseError(f"{name} is not a record file", hint="Run `evidence verify`.")
    return AddResult(src, Record.from_dict(doc), existed=True,
                     ern=case.meta.ern(state.ern_number(record_id)))


def _default_title(article: Article | None, filename: str) -> str:
    if article is None:
        return filename
    first = article.text.strip().split("\n", 1)[0].strip()
    if len(first) <= 100:
        return first or filename
    cut = first[:100].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def add_source(
    case: Case,
    path: str | os.PathLike[str],
    *,
    overrides: Mapping[str, Any] | None = None,
    encoding: str | None = None,
    actor: str | None = None,
    now: _dt.datetime | None = None,
) -> AddResult:
    """Add one file to the case as a source (the caller need not hold the lock).

    Args:
        case: the open case.
        path: the file.
        overrides: metadata from the command line (title, url, publisher, authors,
            published, language); these win over what the file says.
        encoding: the text encoding when it is not UTF-8.
        actor: the collector (default: EVIDENCE_ACTOR or the OS user).
        now: the capture time (default: now).

    Raises:
        InputError: the file cannot be read or decoded, or its metadata is malformed.
        LockError: another process is writing to the case.
    """
    src = Path(path)
    shown = str(path)
    check_input_file(src)
    who = default_actor(actor)
    moment = now or utc_now()
    with case.lock():
        state = case.state()
        case.recover(state, actor=who, now=moment)
        try:
            fh = open(src, "rb", buffering=0)  # noqa: SIM115 - closed below
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", path=shown) from exc
        article = None
        text_ref = None
        notes: list[str] = []
        with fh:
            head = os.pread(fh.fileno(), _SNIFF_BYTES, 0)
            media_type = sniff(head, src.name)
            if media_type in TEXT_TYPES and os.fstat(fh.fileno()).st_size <= _MAX_TEXT_BYTES:
                # An article is small: read it, and decode it before anything is stored,
                # so that a file that cannot be decoded leaves nothing behind.
                data = fh.readall()
                raw = digest_bytes(data)
                if raw.blake3 in state.source_by_object:
                    return _existing(case, state, raw.blake3, src)
                article = parse_article(data, path=shown, encoding=encoding)
                text_pair, _ = case.objects.put_bytes(article.text.encode("utf-8"))
                text_ref = TextRef(text_pair.blake3, text_pair.sha256, len(article.text))
                notes.extend(article.transformations)
                _, raw_existed = case.objects.put_bytes(data)
            else:
                if media_type in TEXT_TYPES:
                    media_type = "application/octet-stream"
                    notes.append(f"larger than {_MAX_TEXT_BYTES} bytes: kept as bytes, "
                                 "not read as an article")
                raw, raw_existed = case.objects.put_stream(fh)
                if raw.blake3 in state.source_by_object:
                    return _existing(case, state, raw.blake3, src)
        meta: dict[str, Any] = dict(article.meta) if article else {}
        meta.update({k: v for k, v in (overrides or {}).items() if v not in (None, (), [])})
        title = meta.get("title") or _default_title(article, src.name)
        record_id = format_record_id("source", state.next_source_number)
        body = SourceBody(
            title=title,
            publisher=meta.get("publisher"),
            url=meta.get("url"),
            authors=tuple(meta.get("authors") or ()),
            published=_published(meta.get("published"), path=shown),
            captured_at=format_time(moment),
            language=meta.get("language") or "und",
            media_type=media_type,
            object=ObjectRef(raw.blake3, raw.sha256, raw.size, src.name),
            text=text_ref,
            capture=Capture("manual-file", tool_name(), who, tuple(notes)),
        )
        record = Record(SOURCE_SCHEMA, record_id, 1, "source", format_time(moment), who, None,
                        body)
        record_dict = record.to_dict()
        validate("source", record_dict, path=shown)
        if case.records.path(record_id, 1).exists():
            raise CaseError(f"records/{record_id}.1.json exists already",
                            hint="Run `evidence verify` on the case.")
        _, pair = case.records.write(record)
        details = record_details(record_dict)
        details.update({"filename": src.name, "media_type": media_type,
                        "object_existed": raw_existed})
        case.custody.append(
            [NewEvent("collected", Subject(record_id, 1, pair.blake3), details)],
            actor=who, now=moment,
        )
        return AddResult(src, record, existed=False,
                         ern=case.meta.ern(len(state.first_seen) + 1))
