"""``evidence add``: a file becomes a source of the case.

The raw bytes are stored once, as an object named by their BLAKE3 digest (read once,
written once, both digests on the way). A text article is also decoded and normalised,
and its text stored as a second object, which claims quote. Web pages, PDFs, WARC files
and WACZ packages are read by :mod:`evidence.ingest.web` (main text, metadata, the HTTP
capture) before anything is written. Any other file (a photo, a video) is a source too,
with its media type and no text: claims can cite it but not quote it. Related files
(``--attach``) are kept with a source as attachments. Adding the same bytes again gives
the same source, never a second record.

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO, Final, TypedDict, Unpack

from evidence._fs import Batch
from evidence._text import check_field
from evidence._time import format_time, parse_time, utc_now
from evidence.case import Case, CaseState, default_actor, record_details, tool_name
from evidence.digest import Blake3Hex, DigestPair, Sha256Hex, digest_bytes
from evidence.errors import InputError, SchemaError, UsageError
from evidence.ingest.attach import AttachSpec, store_attachments
from evidence.ingest.mediatype import TEXT_TYPES, sniff
from evidence.ingest.text import Article, parse_article
from evidence.ingest.web import (
    WEB_TYPES,
    Collection,
    Prepared,
    prepare_web,
    store_archive,
    store_web_object,
    whole_file_digest,
)
from evidence.integrity.custody import NewEvent
from evidence.language.furniture import is_headline, is_prose
from evidence.model import (
    SOURCE_SCHEMA,
    Attachment,
    Capture,
    ObjectRef,
    Record,
    SourceBody,
    Subject,
    TextRef,
    format_record_id,
)
from evidence.schema import validate

__all__ = [
    "AddArguments",
    "AddOptions",
    "AddResult",
    "add_source",
    "add_sources",
    "check_input_file",
    "check_options",
]

_SNIFF_BYTES = 8192
_MAX_TEXT_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class AddResult:
    """What ``add`` did with one file."""

    path: Path
    record: Record
    existed: bool
    ern: str
    warnings: tuple[str, ...] = ()


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
        raise InputError(
            "is a directory, expected a file",
            path=str(path),
            hint="Give the files inside it, for example DIR/*.txt.",
        )
    if not stat.S_ISREG(info.st_mode):
        raise InputError("not a regular file", path=str(path))
    if info.st_size == 0:
        raise InputError("the file is empty", path=str(path))
    if not os.access(path, os.R_OK):
        raise InputError("permission denied", path=str(path))


def _published(value: str | None, *, path: str) -> str | None:
    """A date stays a date; a time with any offset becomes RFC 3339 UTC."""
    if value is None:
        return None
    if len(value) == 10:
        try:
            _dt.date.fromisoformat(value)
        except ValueError as exc:
            raise InputError(
                f"published: {value!r} is not a real calendar date (YYYY-MM-DD)", path=path
            ) from exc
        return value
    try:
        return format_time(parse_time(value)).replace(".000000Z", "Z")
    except ValueError as exc:
        raise InputError(
            f"published: {value!r} is not a date or an RFC 3339 time", path=path
        ) from exc


_OPTION_OF = {
    "title": "--title",
    "publisher": "--publisher",
    "url": "--url",
    "authors": "--author",
    "published": "--published",
    "language": "--language",
}


def check_options(overrides: Mapping[str, Any], *, who: str, moment: _dt.datetime) -> None:
    """Refuse metadata given on the command line that no record could hold, before
    anything is written (a bad ``--published`` must not leave a stored object behind).

    The values are checked the way the record will be: in a probe record validated
    against the source schema.

    Raises:
        UsageError: an option's value is malformed; the message names the option.
    """
    given = {k: v for k, v in overrides.items() if v not in (None, (), [])}
    for name, value in [*given.items(), ("actor", who)]:
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(item, str):
                check_field(item, field=_OPTION_OF.get(name, "--actor"), allow="", error=UsageError)
    if "published" in given:
        try:
            given["published"] = _published(given["published"], path="--published")
        except InputError as exc:
            raise UsageError(exc.message.replace("published:", "--published", 1)) from exc
    try:
        body = SourceBody(
            title=given.get("title") or "title",
            publisher=given.get("publisher"),
            url=given.get("url"),
            authors=tuple(given.get("authors") or ()),
            published=given.get("published"),
            captured_at=format_time(moment),
            language=given.get("language") or "und",
            media_type="application/octet-stream",
            object=ObjectRef(Blake3Hex("0" * 64), Sha256Hex("0" * 64), 1, "file"),
            text=None,
            capture=Capture("manual-file", tool_name(), who, ()),
            attachments=(),
            canonical_url=None,
        )
        probe = Record(
            SOURCE_SCHEMA,
            format_record_id("source", 1),
            1,
            "source",
            format_time(moment),
            who,
            None,
            body,
        )
        validate("source", probe.to_dict(), path="the command line")
    except SchemaError as exc:
        field = (exc.pointer or "").split("/")
        name = field[2] if len(field) > 2 and field[1] == "body" else "actor"
        option = _OPTION_OF.get(name, "--actor")
        raise UsageError(
            f"{option}: {exc.message}",
            hint="Nothing was written; correct the option and run again.",
        ) from exc
    except (TypeError, ValueError) as exc:
        raise UsageError(f"an option's value cannot be recorded: {exc}") from exc


class AddArguments(TypedDict, total=False):
    """What :func:`add_source` and :func:`add_sources` take besides the case and files.

    Attributes:
        overrides: metadata from the command line (title, url, publisher, authors,
            published, language); these win over what the file says.
        encoding: the text encoding when it is not UTF-8.
        actor: the collector (default: EVIDENCE_ACTOR or the OS user).
        now: the capture time (default: now).
        attachments: related files kept with the (one) source: screenshot, page as PDF …
        no_text: keep the file as bytes only, without reading text from it.
        warc_record: for an archive, the WARC-Record-ID of the response to take.
        collection: how the file was collected, when the caller knows (``capture``).
    """

    overrides: Mapping[str, Any] | None
    encoding: str | None
    actor: str | None
    now: _dt.datetime | None
    attachments: Sequence[AttachSpec]
    no_text: bool
    warc_record: str | None
    collection: Collection | None


@dataclass(frozen=True)
class AddOptions:
    """What ``add`` was told, checked and with its defaults filled in: who collects,
    when, the metadata that wins over the file's, and what it was told about web
    material (attachments, no text, WARC record, how it was collected)."""

    who: str
    moment: _dt.datetime
    overrides: Mapping[str, Any] = field(default_factory=dict)
    encoding: str | None = None
    attach: tuple[AttachSpec, ...] = ()
    no_text: bool = False
    warc_record: str | None = None
    collection: Collection = field(default_factory=Collection)

    @classmethod
    def of(cls, files: Sequence[Path], arguments: AddArguments) -> AddOptions:
        """Check the arguments for ``files`` before anything is written.

        Raises:
            InputError: a file or attachment that cannot be added.
            UsageError: attachments or a WARC record for several files; a malformed option.
        """
        attach = tuple(arguments.get("attachments", ()))
        warc_record = arguments.get("warc_record")
        if len(files) > 1 and (attach or warc_record):
            raise UsageError(
                "--attach and --warc-record describe one source; add files one at a time"
            )
        for src in [*files, *(spec.path for spec in attach)]:
            check_input_file(src)
        options = cls(
            who=default_actor(arguments.get("actor")),
            moment=arguments.get("now") or utc_now(),
            overrides=dict(arguments.get("overrides") or {}),
            encoding=arguments.get("encoding"),
            attach=attach,
            no_text=arguments.get("no_text", False),
            warc_record=warc_record,
            collection=arguments.get("collection") or Collection(),
        )
        check_options(options.overrides, who=options.who, moment=options.moment)
        return options


def _attachments(
    case: Case, prepared: Prepared | None, src: Path, options: AddOptions
) -> tuple[Attachment, ...]:
    """The archive a WARC response came from, then the user's attachments, stored."""
    archive = store_archive(case, prepared, src) if prepared is not None else None
    found = store_attachments(case, options.attach)
    if archive is None:
        return found
    return (archive, *(a for a in found if a.object.blake3 != archive.object.blake3))


def _capture(
    prepared: Prepared | None, collection: Collection, who: str, notes: list[str]
) -> Capture:
    """The record's ``capture``: method, tool, collector, transformations, and what a web
    capture adds (Berkeley Protocol: clock, user agent, final URL, HTTP answer, WARC)."""
    fields: dict[str, Any] = dict(prepared.capture) if prepared is not None else {}
    method = collection.method or (prepared.method if prepared else None) or "manual-file"
    if collection.clock:
        fields["clock"] = collection.clock
    if collection.user_agent:
        fields["user_agent"] = collection.user_agent
    return Capture(method, tool_name(), who, tuple(notes), **fields)


_HEADLINE_LINES: Final = 12
"""How far down a plain text a headline is looked for (below a site's header lines)."""


def _default_title(article: Article | None, filename: str) -> str:
    if article is None:
        return filename
    first = article.text.strip().split("\n", 1)[0].strip()
    if len(first) <= 100:
        return first or filename
    cut = first[:100].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def _text_title(article: Article, filename: str) -> tuple[str, str | None]:
    """The title of a plain-text source without one: the first line if it reads as a
    headline, else the next line that does above the article's first paragraph of prose
    (page furniture, a byline or a date line may come first), else the file name, with a
    warning that says how to give one (decision 0619)."""
    lines = [line.strip() for line in article.text.split("\n") if line.strip()]
    for line in lines[:_HEADLINE_LINES]:
        if is_headline(line):
            return line, None
        if is_prose(line):
            break  # the article has begun: a subheading further down is not its title
    return filename, (
        f"no line at the top of the text reads as a headline, so the title is "
        f"the file name {filename!r}; give the real one with --title"
    )


def add_source(
    case: Case, path: str | os.PathLike[str], **arguments: Unpack[AddArguments]
) -> AddResult:
    """Add one file to the case as a source; see :func:`add_sources`."""
    return add_sources(case, [path], **arguments)[0]


def add_sources(
    case: Case, paths: Sequence[str | os.PathLike[str]], **arguments: Unpack[AddArguments]
) -> list[AddResult]:
    """Add files to the case as sources, under one lock and one durable commit.

    Every file is checked before anything is written. Small files (articles) are staged
    and made durable together with their records by one sync; large files are streamed
    into the object store one by one (read once, written once, fsynced). The custody log
    names the new records only after they are durable. If any file fails (it cannot be
    decoded, its metadata is malformed), nothing of this call is named in the case.

    Args:
        case: the open case.
        paths: the files.
        **arguments: see :class:`AddArguments` (metadata overrides, encoding, actor,
            time, attachments, no text, WARC record, collection).

    Web pages, PDFs, WARC files and WACZ packages are read by
    :func:`evidence.ingest.web.prepare_web` before anything is written.

    Raises:
        InputError: a file cannot be read or decoded, or its metadata is malformed.
        UsageError: attachments or a WARC record given for several files.
        LockError: another process is writing to the case.
    """
    files = [Path(p) for p in paths]
    options = AddOptions.of(files, arguments)
    with case.lock():
        state = case.state()
        case.recover(state, actor=options.who, now=options.moment)
        job = _Job(case, state, options)
        results, events = job.add_all(files)
        # Once the records are named, a failure of the log leaves complete files that
        # the next writer adopts (Case.recover).
        case.custody.append(events, actor=options.who, now=options.moment)
    return results


@dataclass
class _Stored:
    """A file's bytes in the object store, and what was read from them."""

    raw: DigestPair
    raw_existed: bool
    media_type: str
    text: TextRef | None = None
    notes: list[str] = field(default_factory=list)
    article: Article | None = None
    prepared: Prepared | None = None


@dataclass
class _Job:
    """One ``add`` call under the case lock: the case as it was, the sources this call
    created (by the BLAKE3 of their bytes), and the batch that makes them durable."""

    case: Case
    state: CaseState
    options: AddOptions
    created: dict[str, AddResult] = field(default_factory=dict)

    def add_all(self, files: Sequence[Path]) -> tuple[list[AddResult], list[NewEvent]]:
        """Add each file; on any failure remove what this call streamed in."""
        objects = self.case.objects
        objects.repaired.clear()
        objects.streamed.clear()
        results: list[AddResult] = []
        events: list[NewEvent] = []
        try:
            with Batch() as batch:
                for src in files:
                    mark = len(objects.repaired)
                    result, event = self._add_one(batch, src)
                    results.append(result)
                    if event is not None:
                        event = _with_repairs(event, objects.repaired[mark:])
                        events.append(event)
                        self.state.note(event.action, event.subject, event.details or {})
                batch.commit()
        except BaseException:
            # Objects this call streamed in are named by no record: removed, so that a
            # failure (a full disk, a bad file) leaves the case as it was.
            for path in objects.streamed:
                path.unlink(missing_ok=True)
            raise
        return results, events

    def already_added(self, blake3_hex: str, src: Path) -> AddResult | None:
        """The source that holds these bytes already (from this call or before), or None."""
        if blake3_hex in self.created:
            return replace(self.created[blake3_hex], path=src, existed=True)
        if blake3_hex not in self.state.source_by_object:
            return None
        record_id = self.state.source_by_object[blake3_hex]
        latest = self.state.latest[record_id]
        record = self.case.records.load(record_id, latest.revision, blake3=latest.blake3).record
        warnings = (
            (
                f"the attachments were not added: {record_id} exists already, and a "
                "source's attachments are fixed when it is added",
            )
            if self.options.attach
            else ()
        )
        ern = self.case.meta.ern(self.state.ern_number(record_id))
        return AddResult(src, record, existed=True, ern=ern, warnings=warnings)

    def _add_one(self, batch: Batch, src: Path) -> tuple[AddResult, NewEvent | None]:
        try:
            fh = open(src, "rb", buffering=0)  # noqa: SIM115 - closed below
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", path=str(src)) from exc
        with fh:
            media_type = sniff(os.pread(fh.fileno(), _SNIFF_BYTES, 0), src.name)
            if media_type in WEB_TYPES and not self.options.no_text:
                stored = self._store_web(batch, src, fh, media_type)
            elif (
                media_type in TEXT_TYPES
                and not self.options.no_text
                and os.fstat(fh.fileno()).st_size <= _MAX_TEXT_BYTES
            ):
                stored = self._store_article(batch, src, fh, media_type)
            else:
                stored = self._store_bytes(src, fh, media_type)
        if isinstance(stored, AddResult):
            return stored, None
        return self._record(batch, src, stored)

    def _store_web(
        self, batch: Batch, src: Path, fh: BinaryIO, media_type: str
    ) -> _Stored | AddResult:
        """A page, PDF or archive: read and understood before anything is stored, so
        that one that must be refused leaves nothing behind."""
        # The same page or PDF again is the same source, whatever reading it would say.
        whole = whole_file_digest(fh, media_type)
        existing = self.already_added(whole.blake3, src) if whole is not None else None
        if existing is not None:
            return existing
        options = self.options
        prepared = prepare_web(
            src,
            fh,
            media_type,
            shown=str(src),
            url=options.overrides.get("url"),
            encoding=options.encoding,
            warc_record=options.warc_record,
            now=options.moment,
        )
        existing = self.already_added(prepared.digest.blake3, src)
        if existing is not None:
            return existing
        raw_existed = store_web_object(self.case, prepared, fh, batch=batch)
        text_ref = None
        if prepared.text is not None:
            text_pair, _ = self.case.objects.put_bytes(prepared.text.encode("utf-8"), batch=batch)
            text_ref = TextRef(text_pair.blake3, text_pair.sha256, len(prepared.text))
        return _Stored(
            prepared.digest,
            raw_existed,
            prepared.media_type,
            text_ref,
            list(prepared.notes),
            prepared=prepared,
        )

    def _store_article(
        self, batch: Batch, src: Path, fh: BinaryIO, media_type: str
    ) -> _Stored | AddResult:
        """An article is small: read it, and decode it before anything is stored, so
        that a file that cannot be decoded leaves nothing behind."""
        data = fh.read()
        raw = digest_bytes(data)
        existing = self.already_added(raw.blake3, src)  # also the same bytes twice in one call
        if existing is not None:
            return existing
        article = parse_article(data, path=str(src), encoding=self.options.encoding)
        text_pair, _ = self.case.objects.put_bytes(article.text.encode("utf-8"), batch=batch)
        text_ref = TextRef(text_pair.blake3, text_pair.sha256, len(article.text))
        _, raw_existed = self.case.objects.put_bytes(data, batch=batch)
        return _Stored(
            raw, raw_existed, media_type, text_ref, list(article.transformations), article=article
        )

    def _store_bytes(self, src: Path, fh: BinaryIO, media_type: str) -> _Stored | AddResult:
        """Any other file, or one kept as bytes: streamed into the store (read once,
        written once, fsynced)."""
        notes = []
        if self.options.no_text:
            notes.append(
                "kept as bytes without reading text from it, as the user asked (--no-text)"
            )
        elif media_type in TEXT_TYPES:
            media_type = "application/octet-stream"
            notes.append(
                f"larger than {_MAX_TEXT_BYTES} bytes: kept as bytes, not read as an article"
            )
        raw, raw_existed = self.case.objects.put_stream(fh)
        existing = self.already_added(raw.blake3, src)
        return (
            existing if existing is not None else _Stored(raw, raw_existed, media_type, notes=notes)
        )

    def _record(self, batch: Batch, src: Path, stored: _Stored) -> tuple[AddResult, NewEvent]:
        """The source record of stored bytes, its custody event and the result."""
        options, prepared = self.options, stored.prepared
        attached = _attachments(self.case, prepared, src, options)
        body, title_warning = _source_body(src, stored, attached, options)
        record = Record(
            SOURCE_SCHEMA,
            format_record_id("source", self.state.next_source_number),
            1,
            "source",
            format_time(options.moment),
            options.who,
            None,
            body,
        )
        record_dict = record.to_dict()
        validate("source", record_dict, path=str(src))
        _, pair = self.case.records.write(record, batch=batch)
        details = record_details(record_dict)
        details.update(
            {
                "filename": src.name,
                "media_type": stored.media_type,
                "object_existed": stored.raw_existed,
            }
        )
        if prepared is not None and prepared.checks:
            details["checks"] = list(prepared.checks)
        event = NewEvent("collected", Subject(record.id, 1, pair.blake3), details)
        result = AddResult(
            src,
            record,
            existed=False,
            ern=self.case.meta.ern(len(self.state.first_seen) + 1),
            warnings=(prepared.warnings if prepared else ())
            + ((title_warning,) if title_warning else ()),
        )
        self.created[stored.raw.blake3] = result
        return result, event


def _with_repairs(event: NewEvent, repaired: Sequence[str]) -> NewEvent:
    """A damaged object file replaced from these bytes is said in the custody log, so
    that the repair is part of the record."""
    if not repaired:
        return event
    details = {**(event.details or {}), "objects_repaired": list(repaired)}
    return NewEvent(event.action, event.subject, details)


def _title(src: Path, stored: _Stored, meta: Mapping[str, Any]) -> tuple[str, str | None]:
    """The source's title and, when it had to be guessed from a plain text, a warning."""
    if meta.get("title"):
        return meta["title"], None
    if stored.article is not None and stored.prepared is None:
        return _text_title(stored.article, src.name)
    prepared = stored.prepared
    text = Article(prepared.text) if prepared is not None and prepared.text is not None else None
    return _default_title(text, src.name), None


def _source_body(
    src: Path, stored: _Stored, attached: tuple[Attachment, ...], options: AddOptions
) -> tuple[SourceBody, str | None]:
    """The record body: what the file said, overridden by what the user said."""
    article, prepared = stored.article, stored.prepared
    meta: dict[str, Any] = (
        dict(article.meta) if article else dict(prepared.meta) if prepared else {}
    )
    meta.update({k: v for k, v in options.overrides.items() if v not in (None, (), [])})
    title, warning = _title(src, stored, meta)
    captured = prepared.captured_at if prepared and prepared.captured_at else options.moment
    raw = stored.raw
    body = SourceBody(
        title=title,
        publisher=meta.get("publisher"),
        url=meta.get("url"),
        authors=tuple(meta.get("authors") or ()),
        published=_published(meta.get("published"), path=str(src)),
        captured_at=format_time(captured),
        language=meta.get("language") or "und",
        media_type=stored.media_type,
        object=ObjectRef(
            raw.blake3, raw.sha256, raw.size, prepared.filename if prepared else src.name
        ),
        text=stored.text,
        capture=_capture(prepared, options.collection, options.who, stored.notes),
        attachments=attached,
        canonical_url=meta.get("canonical_url"),
    )
    return body, warning
