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

from evidence._fs import append_durably
from evidence._time import format_time, utc_now
from evidence.canonical import JSONValue, canonical_bytes, join_members, loads_json
from evidence.digest import Sha256Hex
from evidence.errors import InputError
from evidence.model import Action, CustodyEvent, Subject

__all__ = [
    "CustodyHead",
    "CustodyLine",
    "CustodyLog",
    "NewEvent",
    "event_line",
    "line_digest",
]

_TAIL_CHUNK = 64 * 1024


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
class NewEvent:
    """An event to append; sequence, time and chain link are filled in by the log."""

    action: Action
    subject: Subject | None = None
    details: Mapping[str, JSONValue] | None = None


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
    ) -> list[CustodyEvent]:
        """Append events in one durable write; return them as written.

        The caller holds the case lock (see :func:`evidence._fs.case_lock`). A log whose
        last line is a whole event without its line end (an editor or a tool dropped it)
        gets the line end first: appending straight after it would join two events in
        one line that no longer parses. A last line that does not parse stops the append
        (:meth:`head` raises) before anything is written.
        """
        if not events:
            return []
        head = self.head()
        seq = head.seq if head else 0
        prev = head.sha256 if head else None
        at = format_time(now or utc_now())
        written: list[CustodyEvent] = []
        chunks: list[bytes] = []
        # The same RFC 8785 bytes as event_line(), assembled from parts made once per call.
        fixed = {"actor": canonical_bytes(actor), "at": canonical_bytes(at)}
        for new in events:
            seq += 1
            details = dict(new.details or {})
            event = CustodyEvent(seq, at, actor, new.action, new.subject, details, prev)
            line = join_members(
                {
                    **fixed,
                    "action": canonical_bytes(new.action),
                    "details": canonical_bytes(details),
                    "prev": canonical_bytes(prev),
                    "seq": str(seq).encode(),
                    "subject": canonical_bytes(new.subject.to_dict() if new.subject else None),
                }
            )
            chunks.append(line)
            prev = line_digest(line)
            written.append(event)
        chunks.append(b"")
        if head is not None and not self._ends_a_line():
            chunks.insert(0, b"")  # the last line's end (its digest does not cover it)
        append_durably(self.path, b"\n".join(chunks))
        return written

    def _ends_a_line(self) -> bool:
        """Whether the log is empty or its last byte is a line end."""
        with open(self.path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            return size == 0 or os.pread(fh.fileno(), 1, size - 1) == b"\n"
