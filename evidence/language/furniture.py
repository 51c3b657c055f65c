# ruff: noqa: RUF001  (the text is Ukrainian and Russian on purpose)
"""Page furniture: the lines of a saved page that are the site's, not the article's.

A page saved as text keeps what surrounds the article: the site's clock ("П'ятниця,
16 Січня, 2026, 14:31:23"), a weather widget ("Київ +3°C, хмарно"), cookie and
subscription lines, tracking words ("adsbygoogle", "Реклама"), share buttons
("Поділитися", "Share on Facebook"). Read as the article, a clock's weekday becomes the
event's day and a tracking word the source's title (issue 18). Such lines are found here,
line by line, and left out of dates, titles and claims; the text itself is never changed
(quotes still anchor in it), the suggestion rules read a copy with those lines blanked.

A line is furniture when all of it is one of:

- a clock: a time with seconds ("14:31:23"), or a weekday with a date or time above
  the article's headline (the site's header), or a bare weekday;
- weather: a temperature ("+18°", "-3 °C") or a weather word in a short line;
- a cookie, consent, subscription or newsletter line;
- a tracking or advertising word ("adsbygoogle", "dataLayer", "Advertisement",
  "Реклама", "Sponsored");
- share buttons and their counts ("Share", "Tweet", "Поділитися", "Поделиться", "Telegram",
  "Viber", "Copy link", "Друк").

Date and time lines below the headline ("08.07.2024, 15:20", "UPDATE 16:10", "Monday,
8 July 2024, 14:27") are the article's own stamps, not furniture (see
:mod:`evidence.suggest.times`).

Example:
    >>> text = "adsbygoogle\\nП'ятниця, 16 Січня, 2026, 14:31:23\\nKyiv mourns its dead\\n"
    >>> [text[s:e] for s, e in furniture_spans(text)]
    ['adsbygoogle', "П'ятниця, 16 Січня, 2026, 14:31:23"]
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Final

from evidence.language.lexicon import month_numbers

__all__ = ["blank", "furniture_spans", "is_furniture", "is_headline", "is_prose"]

_WEEKDAY: Final = (
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri|sat|sun"
    r"|понеділок|вівторок|середа|четвер|п'ятниця|субота|неділя"
    r"|понедельник|вторник|среда|четверг|пятница|суббота|воскресенье|пн|вт|ср|чт|пт|сб|нд|вс)"
)
_TIME: Final = r"(?:[01]?\d|2[0-3])[:.][0-5]\d"
_SECONDS: Final = re.compile(r"(?<!\d)(?:[01]?\d|2[0-3]):[0-5]\d:[0-5]\d(?!\d)")
_TEMPERATURE: Final = re.compile(r"(?<![\w])[+\-−–]?\d{1,2}\s*(?:°|º|℃|℉)\s*[CcСсFf]?")
_WEATHER_WORDS: Final = re.compile(
    r"(?<!\w)(?:weather|cloudy|sunny|overcast|rain|showers|snow|humidity|wind\s+\d|"
    r"погода|хмарно|ясно|сонячно|дощ|сніг|вологість|вітер|облачно|пасмурно|дождь|снег|"
    r"влажность|ветер)(?!\w)",
    re.IGNORECASE,
)
_COOKIES: Final = re.compile(
    r"(?<!\w)(?:cookies?|куки|кукі|файли\s+cookie|consent|privacy policy|політик\w+ "
    r"конфіденційності|политик\w+ конфиденциальности|accept all|приймаю|принимаю|"
    r"subscribe|subscription|newsletter|підпис\w+|подпис\w+|розсилк\w+|рассылк\w+|"
    r"sign up|register|зареєстр\w+|зарегистр\w+)(?!\w)",
    re.IGNORECASE,
)
_TRACKING: Final = re.compile(
    r"(?<!\w)(?:adsbygoogle|googletag|datalayer|gtag|fbq|ym\(|yandex[ .]?metri[ck]a|"
    r"google analytics|facebook pixel|pixel|tracking|analytics|advertisement|advert|"
    r"sponsored|promoted|реклама|рекламa|партнерський матеріал|партнерский материал|"
    r"спецпроект|спецпроєкт|loading|завантаження|загрузка)(?!\w)",
    re.IGNORECASE,
)
_SHARE: Final = re.compile(
    r"(?<!\w)(?:share(?: on)?|tweet|like|print|email|e-mail|copy link|facebook|twitter|x|"
    r"telegram|viber|whatsapp|linkedin|reddit|pinterest|vk|ok|поділитися|поделиться|"
    r"копіювати посилання|скопировать ссылку|копировать ссылку|друк|печать|"
    r"надіслати|отправить|коментар\w*|комментари\w*|comments?)(?!\w)",
    re.IGNORECASE,
)
_STRIP: Final = re.compile(r"[\s\d.,:;·|•/\-–—()\[\]«»\"'!?%+]+")
_LINES: Final = re.compile(r"[^\n]+")
_CLOCK_WORDS: Final = 8
_SHORT: Final = 80
"""A widget line is short; a sentence of the article that mentions rain is not."""


@functools.cache
def _date_line() -> re.Pattern[str]:
    months = "|".join(sorted(month_numbers(), key=len, reverse=True))
    date = (
        rf"(?:\d{{1,2}}\.\d{{1,2}}\.(?:\d{{4}}|\d{{2}})|\d{{4}}-\d{{2}}-\d{{2}}|"
        rf"\d{{1,2}}\s+(?:{months})(?:,?\s+\d{{4}})?|(?:{months})\s+\d{{1,2}}(?:,?\s+\d{{4}})?)"
    )
    return re.compile(
        rf"(?:{_WEEKDAY}[,.]?\s*)?(?:{date}[,.]?\s*)?(?:(?:о|в|at|в|о)\s+)?"
        rf"(?:{_TIME}(?::[0-5]\d)?)?",
        re.IGNORECASE,
    )


_APOSTROPHES: Final = str.maketrans(dict.fromkeys("\u2019\u02bc\u2018`´", "'"))
_DIGIT_OR_WEEKDAY: Final = re.compile(r"\d|" + _WEEKDAY, re.IGNORECASE)
_DATE_WORDS: Final = 8
"""A clock or a date line is a few words: longer lines are not tried against the pattern."""


def _fold(line: str) -> str:
    return line.translate(_APOSTROPHES).strip()


def _is_date_time(line: str) -> bool:
    """Only a weekday, a date and a time, each optional ("П'ятниця, 16 Січня, 2026,
    14:31:23", "08.07.2024, 15:20", "14:27")."""
    text = _fold(line).rstrip(" .")
    if not text or text.count(" ") >= _DATE_WORDS or not _DIGIT_OR_WEEKDAY.search(text):
        return False
    return _date_line().fullmatch(text) is not None


def _has_weekday(line: str) -> bool:
    return re.match(_WEEKDAY + r"(?!\w)", _fold(line), re.IGNORECASE) is not None


def _only(pattern: re.Pattern[str], line: str) -> bool:
    """Whether the line is nothing but matches of ``pattern`` (and digits, punctuation)."""
    if pattern.search(line) is None:
        return False
    rest = pattern.sub(" ", line)
    return not _STRIP.sub("", rest)


def _widget(text: str) -> bool:
    if _TEMPERATURE.search(text):
        return True
    if _WEATHER_WORDS.search(text) and len(text.split()) <= 6:
        return True
    if _COOKIES.search(text) and len(text.split()) <= 12:
        return True
    return _only(_TRACKING, text) or _only(_SHARE, text)


def is_furniture(line: str, *, above_headline: bool = False) -> bool:
    """Whether one line (without its line end) is page furniture.

    Args:
        line: the line.
        above_headline: the line comes before the article's headline (in the site's
            header), where a weekday with a date or time is the site's clock.
    """
    text = _fold(line)
    if not text:
        return False
    if len(text) > _SHORT:  # a paragraph of the article, unless it is the cookie notice
        return "cookie" in text.casefold() and _COOKIES.search(text) is not None
    if _SECONDS.search(text) and (_is_date_time(text) or len(text.split()) <= _CLOCK_WORDS):
        return True  # a clock that ticks: a stamp of the article has no seconds
    if _is_date_time(text) and (
        (above_headline and _has_weekday(text)) or not re.search(r"\d", text)
    ):
        return True  # the site's clock above the headline, or a weekday alone
    return _widget(text)


_HEADLINE_END: Final = re.compile(r"[.;:,]$")
_NOT_HEADLINE: Final = re.compile(
    r"(?:by|автор|авторка|фото|photo|джерело|источник|source|see (?:more|also)|read (?:more|"
    r"also)|related|читайте (?:також|также)|дивіться також|смотрите также)(?!\w)",
    re.IGNORECASE,
)
_SENTENCES: Final = re.compile(r"\w[.!?]\s+[A-ZА-ЯІЇЄҐ]")
"""A second sentence: a headline is one."""


def is_headline(line: str) -> bool:
    """Whether a line reads as a headline: one sentence of three to thirty words, mostly
    letters, not furniture, not a date or time, not ending as a sentence or a list does
    (".", ":", ","), not a byline ("By …", "Автор: …") nor a link to another report
    ("See more: …", "Читайте також")."""
    text = _fold(line)
    words = re.findall(r"[^\W\d_]+(?:['-][^\W\d_]+)*", text)
    if not 3 <= len(words) <= 30 or len(text) > 200:
        return False
    letters = sum(ch.isalpha() for ch in text)
    if letters < 0.6 * len(text.replace(" ", "")):
        return False
    if _HEADLINE_END.search(text) and not text.endswith("..."):
        return False
    if _NOT_HEADLINE.match(text) or _SENTENCES.search(text):
        return False
    return not is_furniture(text) and not _is_date_time(text)


def is_prose(line: str) -> bool:
    """Whether a line is a paragraph of the article: a sentence that ends as one, of more
    than twelve words, or more than one sentence."""
    text = _fold(line)
    if is_furniture(text):
        return False
    words = len(text.split())
    return (words > 12 and text[-1:] in ".!?»\"'…") or (
        words > 6 and _SENTENCES.search(text) is not None
    )


def furniture_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each furniture line of ``text``, in order (line ends excluded).

    The headline is the first line that reads as one (:func:`is_headline`); lines above
    it that are a date and time are the site's clock.
    """
    lines = [(m.start(), m.end()) for m in _LINES.finditer(text)]
    headline = next((i for i, (s, e) in enumerate(lines) if is_headline(text[s:e])), len(lines))
    return [
        (s, e)
        for i, (s, e) in enumerate(lines)
        if is_furniture(text[s:e], above_headline=i < headline)
    ]


def blank(text: str, spans: Sequence[tuple[int, int]] | None = None) -> str:
    """``text`` with its furniture lines replaced by spaces: every other character keeps
    its offset, so quotes found in the result anchor in the original."""
    chosen = furniture_spans(text) if spans is None else spans
    if not chosen:
        return text
    parts: list[str] = []
    at = 0
    for start, end in chosen:
        parts.append(text[at:start])
        parts.append(" " * (end - start))
        at = end
    parts.append(text[at:])
    return "".join(parts)
