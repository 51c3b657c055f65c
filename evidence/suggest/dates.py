# ruff: noqa: RUF001, RUF002  (the text is Ukrainian and Russian on purpose)
"""Dates in a text, resolved against the article's publication date.

"on 8 July", "3 липня", "у ніч на 14 жовтня", "8 июля 2024", "2024-07-08" are explicit;
"today", "сьогодні", "сегодня", "yesterday", "вчора", "вчера", "overnight", "вночі",
"on Friday", "у понеділок", "в понедельник", "last week", "минулого тижня", "за
минувшие сутки" are relative and resolved against the date the article was published:
a weekday is the latest such day on or before it, "last week" the Monday-to-Sunday week
before it, "the past day" the day before and the day itself. A day and month without a
year take the publication year, or the year before when that would put them more than
two days after publication.

"Same day" words ("цього ж дня", "в тот же день") are returned as :data:`SAME_DAY`: the
caller gives them the date of the sentence before.

Example:
    >>> import datetime
    >>> [d.value for d in find_dates("Увечері 12 червня", datetime.date(2024, 6, 12))]
    ['2024-06-12']
"""

from __future__ import annotations

import bisect
import datetime as _dt
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from evidence.language.lexicon import LEFT, RIGHT, month_numbers

__all__ = ["SAME_DAY", "DateMention", "EventDay", "event_day", "find_dates", "parse_published"]

SAME_DAY: Final = "same-day"

_WEEKDAYS: Final[dict[str, int]] = {
    **dict.fromkeys(("monday", "понеділок", "понедельник"), 0),
    **dict.fromkeys(("tuesday", "вівторок", "вторник"), 1),
    **dict.fromkeys(("wednesday", "середу", "середа", "среду", "среда"), 2),
    **dict.fromkeys(("thursday", "четвер", "четверг"), 3),
    **dict.fromkeys(("friday", "п'ятницю", "п'ятниця", "пятницу", "пятница"), 4),
    **dict.fromkeys(("saturday", "суботу", "субота", "субботу", "суббота"), 5),
    **dict.fromkeys(("sunday", "неділю", "неділя", "воскресенье"), 6),
}
_RELATIVE: Final[tuple[tuple[str, int | str], ...]] = (
    (r"the day before|напередодні|накануне", -1),
    (r"yesterday|вчора|учора|вчера|last night|минулої ночі|прошлой ночью", -1),
    (
        r"today|this (?:morning|afternoon|evening)|tonight|overnight|сьогодні|сегодня|"
        r"цієї ночі|этой ночью|вночі|уночі|ночью",
        0,
    ),
    (
        r"(?:over |in |during )?the past (?:day|24 hours)|(?:протягом |за )?минул\w* доб\w*|"
        r"за добу|за сутки|за (?:минувшие|последние|прошедшие) сутки",
        "past-day",
    ),
    (r"last week|минулого тижня|на минулому тижні|на прошлой неделе", "last-week"),
    (
        r"(?:on )?the same day|that same day|цього ж дня|того ж дня|в той же день|"
        r"в тот же день|в этот же день|того же дня",
        SAME_DAY,
    ),
)


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date written in the text: where, as written, and its value (``YYYY-MM-DD``, a
    range ``YYYY-MM-DD/YYYY-MM-DD``, :data:`SAME_DAY`, or None when it cannot be
    resolved without a publication date)."""

    start: int
    end: int
    text: str
    value: str | None
    relative: bool
    weekday: bool = False
    """A weekday name alone ("on Friday", "у п'ятницю"): it never sets a day by itself."""


def parse_published(value: str | None) -> _dt.date | None:
    """The publication date of a source (``published`` is a date or an RFC 3339 time)."""
    if not value:
        return None
    try:
        return _dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


@functools.cache
def _patterns() -> tuple[re.Pattern[str], ...]:
    months = "|".join(sorted(map(re.escape, month_numbers()), key=len, reverse=True))
    day_month = re.compile(
        rf"{LEFT}(?P<d>[0-3]?\d)(?:st|nd|rd|th|-?го)?\s+(?:of\s+)?(?P<m>{months})"
        rf"(?:,?\s+(?P<y>(?:19|20)\d\d))?{RIGHT}",
        re.IGNORECASE,
    )
    month_day = re.compile(
        rf"{LEFT}(?P<m>{months})\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?(?:,\s+(?P<y>(?:19|20)\d\d))?"
        rf"{RIGHT}",
        re.IGNORECASE,
    )
    month_year = re.compile(rf"{LEFT}(?P<m>{months})\s+(?P<y>(?:19|20)\d\d){RIGHT}", re.IGNORECASE)
    iso = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?!\d)")
    dotted = re.compile(r"(?<![\d.])(?P<d>[0-3]?\d)\.(?P<m>[01]?\d)\.(?P<y>(?:19|20)\d\d)(?!\d)")
    return day_month, month_day, month_year, iso, dotted


@functools.cache
def _relative_patterns() -> tuple[tuple[re.Pattern[str], int | str], ...]:
    weekday = "|".join(map(re.escape, _WEEKDAYS))
    out: list[tuple[re.Pattern[str], int | str]] = [
        (re.compile(f"{LEFT}(?:{body}){RIGHT}", re.IGNORECASE), offset)
        for body, offset in _RELATIVE
    ]
    out.append((re.compile(rf"{LEFT}(?P<w>{weekday})(?:'s)?{RIGHT}", re.IGNORECASE), "weekday"))
    return tuple(out)


def _month_number(name: str) -> int | None:
    low = name.casefold()
    if low.isdigit():
        return int(low)
    return month_numbers().get(low)


def _year_for(day: int, month: int, published: _dt.date | None) -> int | None:
    if published is None:
        return None
    try:
        candidate = _dt.date(published.year, month, day)
    except ValueError:
        return None
    if candidate > published + _dt.timedelta(days=2):
        return published.year - 1
    return published.year


class _Taken:
    """Spans already taken by a date, kept sorted, for overlap tests in O(log n)."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        at = bisect.bisect_left(self.starts, end)
        return at > 0 and self.ends[at - 1] > start

    def add(self, start: int, end: int) -> None:
        at = bisect.bisect_left(self.starts, start)
        self.starts.insert(at, start)
        self.ends.insert(at, end)


def _explicit(text: str, published: _dt.date | None, taken: _Taken) -> list[DateMention]:
    found: list[DateMention] = []
    for index, pattern in enumerate(_patterns()):
        for match in pattern.finditer(text):
            if taken.overlaps(match.start(), match.end()):
                continue
            month = _month_number(match.group("m"))
            if month is None or not 1 <= month <= 12:
                continue
            year_text = match.group("y")
            if index == 2:  # a month and a year: the whole month
                year = int(year_text)
                last = _dt.date(year + month // 12, month % 12 + 1, 1) - _dt.timedelta(days=1)
                value = f"{year:04d}-{month:02d}-01/{last.isoformat()}"
            else:
                day = int(match.group("d"))
                known = int(year_text) if year_text else _year_for(day, month, published)
                if known is None:
                    value = None
                else:
                    try:
                        value = _dt.date(known, month, day).isoformat()
                    except ValueError:
                        continue
            taken.add(match.start(), match.end())
            found.append(DateMention(match.start(), match.end(), match.group(0), value, False))
    return found


def _relative(text: str, published: _dt.date | None, taken: _Taken) -> list[DateMention]:
    found: list[DateMention] = []
    for pattern, offset in _relative_patterns():
        for match in pattern.finditer(text):
            if taken.overlaps(match.start(), match.end()):
                continue
            taken.add(match.start(), match.end())
            found.append(
                DateMention(
                    match.start(),
                    match.end(),
                    match.group(0),
                    _resolve(match, offset, published),
                    True,
                    weekday=offset == "weekday",
                )
            )
    return found


def _resolve(match: re.Match[str], offset: int | str, published: _dt.date | None) -> str | None:
    if offset == SAME_DAY:
        return SAME_DAY
    if published is None:
        return None
    if offset == "weekday":
        wanted = _WEEKDAYS[match.group("w").casefold()]
        back = (published.weekday() - wanted) % 7
        return (published - _dt.timedelta(days=back)).isoformat()
    if offset == "past-day":
        return f"{(published - _dt.timedelta(days=1)).isoformat()}/{published.isoformat()}"
    if offset == "last-week":
        monday = published - _dt.timedelta(days=published.weekday() + 7)
        return f"{monday.isoformat()}/{(monday + _dt.timedelta(days=6)).isoformat()}"
    assert isinstance(offset, int)
    return (published + _dt.timedelta(days=offset)).isoformat()


def find_dates(text: str, published: _dt.date | None) -> list[DateMention]:
    """The dates written in ``text`` (a sentence, folded), in order of appearance."""
    taken = _Taken()
    explicit = _explicit(text, published, taken)
    return sorted(explicit + _relative(text, published, taken), key=lambda d: d.start)


@dataclass(frozen=True, slots=True)
class EventDay:
    """The day of an article's main event, and how it was chosen (for ``why``)."""

    value: str | None
    why: str


def _single(mention: DateMention) -> bool:
    return bool(mention.value) and mention.value != SAME_DAY and "/" not in str(mention.value)


def event_day(
    opening: Sequence[DateMention],
    published: _dt.date | None,
    *,
    header: Sequence[DateMention] = (),
) -> EventDay:
    """The day of the article's main event, by weight (decision 0616).

    1. an explicit date in the opening paragraphs ("8 липня", "08.07.2024", "July 8");
    2. a relative day there resolved against the publication date ("yesterday",
       "вчора", "сегодня"), and only after those a weekday ("Friday's strike"): a weekday
       name is never a date by itself, it is read only against the publication date and
       gives way to any date the text states;
    3. the page's own date line (``header``: "08.07.2024, 15:20" under the headline);
    4. the publication date (the record's ``published``: the file's ``date`` header or
       front matter, or ``--published``).

    Page furniture (a site clock's weekday) is left out before this is called. When the
    candidates disagree the heaviest wins and ``why`` names the others.

    Args:
        opening: the date mentions of the opening paragraphs, furniture left out.
        published: the publication date.
        header: the date mentions of the page's date line.
    """
    candidates: list[tuple[str, str]] = []
    for mention in opening:
        if _single(mention) and not mention.relative:
            candidates.append((str(mention.value), f"«{mention.text}» in the text"))
            break
    for weekday in (False, True):
        for mention in opening:
            # A relative span ("за минулу добу") is the event's day too: a daily summary
            # speaks of the whole of it. A month ("July 2023") is background, not a day.
            if (
                mention.value
                and mention.value != SAME_DAY
                and mention.relative
                and mention.weekday == weekday
            ):
                candidates.append((str(mention.value), f"«{mention.text}» in the text"))
                break
    for mention in header:
        if _single(mention) and not mention.relative:
            candidates.append((str(mention.value), f"the page's date line «{mention.text}»"))
            break
    if published is not None:
        candidates.append((published.isoformat(), "the publication date"))
    if not candidates:
        return EventDay(None, "")
    value, source = candidates[0]
    others = [f"{what} says {other}" for other, what in candidates[1:] if other != value]
    why = f"from {source}"
    if others:
        why += "; " + "; ".join(dict.fromkeys(others)) + ", but a date the text states weighs more"
        if source == "the publication date":
            why = why.replace(", but a date the text states weighs more", "")
    return EventDay(value, why)
