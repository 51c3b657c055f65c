"""The chain-of-custody log: ``custody.jsonl``, append-only and hash-chained.

One event a line: ``{seq, at, actor, action, subject, details, prev}``, each line the
RFC 8785 bytes of the event. ``prev`` is the SHA-256 of the previous line's bytes (the
line without its ``\\n``), and ``null`` on the first line, so removing, editing or
reordering a line breaks the chain at the line after it, and a seal that names the
log's head (sequence and digest of its last line) pins everything before it.

Example:
    >>> line = event_line(CustodyEvent(1, "2026-01-01T00:00:00.000000Z", "ana", "created",
    ...                                None, {}, None))
    >>> line[:9]
    b'{"action"'
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import get_args

from evidence._fs import append_durably
from evidence._time import format_time, utc_now
from evidence.canonical import JSONValue, canonical_bytes, loads_json
from evidence.digest import Sha256Hex
from evidence.errors import InputError, SchemaError
from evidence.model import Action, CustodyEvent, Subject

__all__ = [
    "CustodyHead",
    "CustodyLine",
    "CustodyLog",
    "LineMaker",
    "NewEvent",
    "PreparedLines",
    "event_line",
    "line_digest",
]

_TAIL_CHUNK = 64 * 1024

_ACTION_BYTES: dict[str, bytes] = {action: canonical_bytes(action) for action in get_args(Action)}
"""Each action a custody event may name, as its RFC 8785 bytes."""


def line_digest(line: bytes) -> Sha256Hex:
    """SHA-256 (hex) of one line's bytes, without its line end."""
    return Sha256Hex(hashlib.sha256(line).hexdigest())


def event_line(event: CustodyEvent) -> bytes:
    """The bytes of one log line (without ``\\n``): RFC 8785 of the event."""
    return canonical_bytes(event.to_dict())


@dataclass(frozen=True, slots=True)
class CustodyHead:
    """The last line of the log: its sequence number and digest."""

    seq: int
    sha256: Sha256Hex


@dataclass(frozen=True, slots=True)
class PreparedLines:
    """Lines :meth:`CustodyLog.prepare` made, and the head the log has once they are
    written."""

    parts: Sequence[bytes]
    """The bytes to append, in parts written one after the other (a seal's 100,000
    lines, tens of megabytes, are never joined into one copy)."""
    head: CustodyHead

    @property
    def data(self) -> bytes:
        """The bytes to append, joined."""
        return b"".join(self.parts)


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event to append; sequence, time and chain link are filled in by the log."""

    action: Action
    subject: Subject | None = None
    details: Mapping[str, JSONValue] | None = None
    encoded: bytes | None = None
    """``canonical_bytes(details)``, when the caller made these bytes itself (a seal's
    claim events, 100,000 in a cold seal): :meth:`CustodyLog.prepare` writes them as
    they are. The maker's test compares them with ``canonical_bytes(details)``."""


@dataclass(frozen=True, slots=True)
class CustodyLine:
    """A line read back from the log: its number, raw bytes and parsed JSON (or None)."""

    number: int
    raw: bytes
    data: JSONValue


class CustodyLog:
    """``custody.jsonl`` of one case folder. Appending requires the case lock."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def lines(self) -> Iterator[CustodyLine]:
        """Every line, parsed where it parses (``data`` is None where it does not)."""
        try:
            fh = self.path.open("rb")
        except FileNotFoundError:
            return
        with fh:
            for number, raw in enumerate(fh, start=1):
                body = raw[:-1] if raw.endswith(b"\n") else raw
                try:
                    data = loads_json(body, path=self.path.name)
                except InputError:
                    data = None
                yield CustodyLine(number, body, data)

    def head(self) -> CustodyHead | None:
        """The last line's sequence and digest, read from the end of the file."""
        last = self._last_line()
        if last is None:
            return None
        data = loads_json(last, path=str(self.path))
        if not isinstance(data, dict) or not isinstance(data.get("seq"), int):
            raise InputError("last line has no sequence number", path=str(self.path))
        return CustodyHead(data["seq"], line_digest(last))

    def _last_line(self) -> bytes | None:
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return None
        try:
            end = os.fstat(fd).st_size
            if end == 0:
                return None
            tail = b""
            pos = end
            while pos > 0:
                step = min(_TAIL_CHUNK, pos)
                pos -= step
                tail = os.pread(fd, step, pos) + tail
                stripped = tail[:-1] if tail.endswith(b"\n") else tail
                cut = stripped.rfind(b"\n")
                if cut >= 0:
                    return stripped[cut + 1 :]
            return tail[:-1] if tail.endswith(b"\n") else tail
        finally:
            os.close(fd)

    def append(
        self,
        events: Sequence[NewEvent],
        *,
        actor: str,
        now: _dt.datetime | None = None,
    ) -> CustodyHead | None:
        """Append events in one durable write; return the log's new head (None when
        nothing was appended). :meth:`prepare`, then :meth:`write`.

        The caller holds the case lock (see :func:`evidence._fs.case_lock`).

        Raises:
            SchemaError: an event :class:`~evidence.model.CustodyEvent` would refuse (an
                unknown action, details that are not an object); nothing is written.
            CanonicalError: details with no JSON form; nothing is written.
        """
        return self.write(self.prepare(events, actor=actor, now=now))

    def prepare(
        self,
        events: Sequence[NewEvent],
        *,
        actor: str,
        now: _dt.datetime | None = None,
    ) -> PreparedLines | None:
        """The bytes that append ``events`` to the log as it is now (None for no events),
        for :meth:`write`; nothing is written, and the caller's lock keeps the log as it
        is until then.

        A log whose last line is a whole event without its line end (an editor or a tool
        dropped it) gets the line end first: appending straight after it would join two
        events in one line that no longer parses. A last line that does not parse stops
        here (:meth:`head` raises), before anything is written.

        Raises:
            SchemaError: an event :class:`~evidence.model.CustodyEvent` would refuse.
            CanonicalError: details with no JSON form.
        """
        lines = self.start_lines(actor=actor, now=now)
        for new in events:
            lines.add(new)
        return lines.finish()

    def start_lines(self, *, actor: str, now: _dt.datetime | None = None) -> LineMaker:
        """A :class:`LineMaker` for events to append to the log as it is now, made one
        at a time as the caller comes to them (:meth:`prepare` for all at once)."""
        return LineMaker(self, actor=actor, at=format_time(now or utc_now()))

    def write(self, prepared: PreparedLines | None) -> CustodyHead | None:
        """Append what :meth:`prepare` made, durably (all of it or none: see
        :func:`~evidence._fs.append_durably`); return the new head."""
        if prepared is None:
            return None
        append_durably(self.path, prepared.parts)
        return prepared.head

    def _ends_a_line(self) -> bool:
        """Whether the log is empty or its last byte is a line end."""
        with open(self.path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            return size == 0 or os.pread(fh.fileno(), 1, size - 1) == b"\n"


class LineMaker:
    """The bytes of custody lines, made one event at a time (a seal makes them as it
    stages its records, while its compile runs, rather than all at the end), for
    :meth:`CustodyLog.write`. The log's head is read at the first event; the caller's
    lock keeps the log as it is until the lines are written.

    Each line is the RFC 8785 bytes of its event, as event_line() gives them (a test
    compares them), assembled from parts made once: members in order "action", "actor",
    "at", "details", "prev", "seq", "subject". The checks are the ones CustodyEvent
    makes, without building one per event (110,000 in a large seal).
    """

    def __init__(self, log: CustodyLog, *, actor: str, at: str) -> None:
        self._log, self._actor, self._at = log, actor, at
        self._fixed = b',"actor":' + canonical_bytes(actor) + b',"at":' + canonical_bytes(at)
        self._parts: list[bytes] = []  # each line, then its line end
        self._started = False
        self._head: CustodyHead | None = None
        self._seq = 0
        self._prev: Sha256Hex | None = None
        self._prev_bytes = b"null"

    def _start(self) -> None:
        head = self._head = self._log.head()  # a last line that does not parse: raises
        if head is not None:
            self._seq, self._prev = head.seq, head.sha256
            self._prev_bytes = b'"' + head.sha256.encode() + b'"'
        self._started = True

    def add(self, new: NewEvent) -> None:
        """Make the line of ``new``, after those made so far.

        Raises:
            SchemaError: an event :class:`~evidence.model.CustodyEvent` would refuse.
            CanonicalError: details with no JSON form.
        """
        if not self._started:
            self._start()
        seq = self._seq + 1
        action = _ACTION_BYTES.get(new.action)
        if action is None:
            CustodyEvent(seq, self._at, self._actor, new.action, new.subject, {}, self._prev)
            raise AssertionError(new.action)  # pragma: no cover - it raised
        encoded = new.encoded
        if encoded is None:
            details = new.details if new.details is not None else {}
            if not isinstance(details, Mapping):
                raise SchemaError("expected the details as an object", pointer="/details")
            encoded = canonical_bytes(details if type(details) is dict else dict(details))
        subject = new.subject
        line = b"".join(
            (
                b'{"action":',
                action,
                self._fixed,
                b',"details":',
                encoded,
                b',"prev":',
                self._prev_bytes,
                b',"seq":',
                str(seq).encode(),
                b',"subject":',
                subject.canonical() if subject is not None else b"null",
                b"}",
            )
        )
        self._parts += (line, b"\n")
        self._seq = seq
        prev = self._prev = line_digest(line)
        self._prev_bytes = b'"' + prev.encode() + b'"'

    def finish(self) -> PreparedLines | None:
        """The lines made (None: no event), for :meth:`CustodyLog.write`.

        A log whose last line is a whole event without its line end (an editor or a tool
        dropped it) gets the line end first: appending straight after it would join two
        events in one line that no longer parses.
        """
        if not self._parts:
            return None
        parts = self._parts
        if self._head is not None and not self._log._ends_a_line():
            parts = [b"\n", *parts]  # the last line's end (its digest does not cover it)
        assert self._prev is not None
        return PreparedLines(parts, CustodyHead(self._seq, self._prev))
