"""Times as the case files hold them: RFC 3339, UTC, ending in ``Z``.

Time is a parameter of every function that stamps something (``now=None``), so tests
can fix the clock; :func:`utc_now` is read only at the edge.
"""

from __future__ import annotations

import datetime as _dt

__all__ = ["format_time", "parse_time", "utc_now"]


def utc_now() -> _dt.datetime:
    """The current time, timezone-aware, in UTC."""
    return _dt.datetime.now(_dt.UTC)


def format_time(moment: _dt.datetime) -> str:
    """``2026-11-29T10:12:03.123456Z``: microseconds always, so strings sort as times do."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: give a timezone-aware time")
    return moment.astimezone(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> _dt.datetime:
    """Parse an RFC 3339 time (any offset) into an aware UTC datetime.

    Raises:
        ValueError: not an RFC 3339 time with an offset or ``Z``.
    """
    moment = _dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone offset")
    return moment.astimezone(_dt.UTC)
