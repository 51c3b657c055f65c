# ruff: noqa: RUF001, RUF002  (the text is Ukrainian and Russian on purpose)
"""The time a count is stated for: the ``as_of`` of a fact (decision 0615).

Tolls rise during the day; "12 killed" at 11:05 and "15 killed" at 16:10 are one count
as it grew, not two reports that cannot both be right. So each figure carries the time
the text gives it, when the text gives one:

- a time stated with the figure: "станом на 15:30", "as of 12:40", "по состоянию на
  12:40", "as of 12:40 on 8 July";
- "as of now" words ("на данный момент", "наразі", "на даний момент", "so far", "at the
  moment", "at the time of writing"): the time of the update stamp above the sentence, or
  else the source's publication time (when it has one);
- an update stamp above the sentence, on a line of its own or opening a line: "UPDATE
  16:10", "Оновлено о 14:27", "Обновлено в 16:10", "Monday, 8 July 2024, 14:27",
  "08.07.2024, 15:20", "16:10 Кількість загиблих зросла до 15"; a stamp holds until the
  next one.

``as_of`` is an ISO 8601 date and time, ``YYYY-MM-DDTHH:MM``: the wall-clock time the text
states, without a zone, since articles seldom give one (the ledger compares it with
another stated time of the same place directly, and with a publication time that has a
zone only when they are more than 14 hours apart). The day is the date the stamp or the
phrase gives, else the publication date, else the day of the event. The publication time
itself, when that is what "so far" refers to, is kept as the source records it.

Example:
    >>> clock = Clock("UPDATE 16:10\\nThe toll rose to 15.\\n", published="2024-07-08")
    >>> clock.as_of(13, 33)
    ('2024-07-08T16:10', 'as of: the update stamp «UPDATE 16:10» → 2024-07-08T16:10')
"""

from __future__ import annotations

import bisect
import datetime as _dt
import re
from dataclasses import dataclass
from typing import Final

from evidence.suggest.dates import find_dates, parse_published

__all__ = ["Clock", "Stamp", "find_stamps"]

_TIME: Final = r"(?P<h>[01]?\d|2[0-3])[:.](?P<min>[0-5]\d)"
_PREFIX: Final = (
    r"(?:update[ds]?|updated at|оновлено|оновлення|доповнено|обновлено|"
    r"обновление|дополнено|upd)"
)
_WEEKDAY: Final = (
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|понеділок|"
    r"вівторок|середа|четвер|п'ятниця|субота|неділя|понедельник|вторник|среда|"
    r"четверг|пятница|суббота|воскресенье)"
)
_MONTH_WORD: Final = r"[^\W\d_]{3,10}"
_DATE: Final = (
    rf"(?:\d{{1,2}}\.\d{{1,2}}\.\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}|"
    rf"\d{{1,2}}\s+{_MONTH_WORD}(?:,?\s+\d{{4}})?|{_MONTH_WORD}\s+\d{{1,2}}"
    rf"(?:,?\s+\d{{4}})?)"
)
_STAMP: Final = re.compile(
    rf"^[ \t]*(?:(?P<p>{_PREFIX})\b[ \t]*[:.\-–—]?[ \t]*(?:(?:at|о|об|в)[ \t]+)?)?"
    rf"(?:{_WEEKDAY}[,.]?[ \t]+)?(?:(?P<date>{_DATE})[,.]?[ \t]+(?:(?:at|о|об|в)[ \t]+)?)?"
    rf"{_TIME}(?::[0-5]\d)?(?:[ \t]*(?:\(|\[)?(?:kyiv time|за київським часом|по киевскому "
    rf"времени|local time)(?:\)|\])?)?[ \t]*(?P<tail>$|[.:—–\-|]?[ \t]+(?=\S))",
    re.IGNORECASE | re.MULTILINE,
)
_TIMED_LINE: Final = re.compile(r"^(?=[^\n]{0,60}?\d[:.][0-5]\d)[^\n]*", re.MULTILINE)
_AT: Final = re.compile(
    rf"(?<!\w)(?:станом на|по состоянию на|as of|as at|на момент)\s+(?:(?:about|близько|около)\s+)?"
    rf"{_TIME}(?!\d)(?:\s*(?:\(|,)?\s*(?:kyiv time|local time|за київським часом|по киевскому "
    rf"времени)\)?)?(?:,?\s+(?:on\s+)?(?P<date>{_DATE}))?",
    re.IGNORECASE,
)
_NOW: Final = re.compile(
    r"(?<!\w)(?:на (?:данный|даний|текущий|поточний|сьогоднішній|сегодняшний) момент|"
    r"на (?:цей|этот|даний|данный) (?:час|момент)|наразі|на сегодня|станом на зараз|"
    r"на момент (?:публікації|публикации|написання|написания)|as of now|so far|"
    r"at the moment|at the time of (?:writing|publication)|as of this writing)(?!\w)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Stamp:
    """An update stamp: where it is, as written, and the time it gives (``HH:MM``, with
    its ``YYYY-MM-DD`` day when the stamp or the publication date says it)."""

    start: int
    end: int
    text: str
    time: str
    day: str | None

    @property
    def value(self) -> str | None:
        return f"{self.day}T{self.time}" if self.day else None


def _hhmm(match: re.Match[str]) -> str:
    return f"{int(match.group('h')):02d}:{match.group('min')}"


def _day_of(written: str | None, published: _dt.date | None) -> str | None:
    if not written:
        return None
    for mention in find_dates(written, published):
        if mention.value and not mention.relative and "/" not in mention.value:
            return mention.value
    return None


def find_stamps(text: str, published: str | None = None) -> list[Stamp]:
    """The update stamps of a text (its furniture blanked), in order."""
    day = parse_published(published)
    out = []
    for line in _TIMED_LINE.finditer(text):  # only lines with a time near their start
        match = _STAMP.match(text, line.start(), line.end())
        if match is None:
            continue
        if match.group("tail") and not (match.group("p") or match.group("date")):
            # "16:10 Кількість загиблих зросла": a live-blog stamp opens a sentence
            rest = text[match.end() : match.end() + 1]
            if not rest[:1].isupper():
                continue
        start = match.start() + len(match.group(0)) - len(match.group(0).lstrip())
        end = match.end() - len(match.group("tail") or "")
        stated = _day_of(match.group("date"), day)
        out.append(
            Stamp(
                start,
                end,
                text[start:end].rstrip(),
                _hhmm(match),
                stated or (day.isoformat() if day else None),
            )
        )
    return out


class Clock:
    """The ``as_of`` of the figures of each sentence of one text."""

    def __init__(self, text: str, published: str | None) -> None:
        self.text = text
        self.published = published
        self.day = parse_published(published)
        self.stamps = find_stamps(text, published)
        self.starts = [s.start for s in self.stamps]

    def stamp_before(self, offset: int) -> Stamp | None:
        """The update stamp in force at ``offset`` (the last one above it)."""
        at = bisect.bisect_right(self.starts, offset) - 1
        return self.stamps[at] if at >= 0 else None

    def as_of(self, start: int, end: int, event_day: str | None = None) -> tuple[str | None, str]:
        """(``as_of`` of the figures of the sentence ``start:end``, the reason for ``why``).

        Args:
            start: the sentence's first offset.
            end: its end.
            event_day: the day the sentence speaks of (the last resort for a bare hour).
        """
        text = self.text
        stamp = self.stamp_before(start)
        match = _AT.search(text, start, end)
        if match is not None:
            day = (
                _day_of(match.group("date"), self.day)
                or (stamp.day if stamp else None)
                or (self.day.isoformat() if self.day else None)
                or (event_day if event_day and "/" not in event_day else None)
            )
            if day is None:
                return None, f"as of: «{match.group(0)}» (no day known for the hour)"
            value = f"{day}T{_hhmm(match)}"
            return value, f"as of: «{match.group(0)}» → {value}"
        now = _NOW.search(text, start, end)
        if now is not None:
            if stamp is not None and stamp.value:
                return stamp.value, (
                    f"as of: «{now.group(0)}» under the stamp «{stamp.text}» → {stamp.value}"
                )
            if self.published and "T" in self.published:
                return self.published, (
                    f"as of: «{now.group(0)}», the publication time {self.published}"
                )
            return None, f"as of: «{now.group(0)}» (the time of the report is not given)"
        if stamp is not None and stamp.value:
            return stamp.value, f"as of: the update stamp «{stamp.text}» → {stamp.value}"
        return None, ""
