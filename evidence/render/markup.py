"""Text from articles and claims as data in reportlab's paragraph markup, and the small
formatting rules of a dossier (dates, numbering, languages, digests).

reportlab's :class:`~reportlab.platypus.Paragraph` reads a small XML-like markup (``<b>``,
``<font>``, ``<br/>``, entities). Everything that comes from a case (titles, quotes,
statements, URLs, names) goes through :func:`esc` first, so that ``<``, ``&``, ``<font>``
or ``<br/>`` in an article come out literally and can never inject markup; control
characters are replaced, because they have no glyph and some break text extraction.
Template wording goes through :func:`fill`, which escapes the template's literal text and
each value separately.

Example:
    >>> esc('<font color="red">5 & 6</font>')
    '&lt;font color="red"&gt;5 &amp; 6&lt;/font&gt;'
    >>> roman(14), alpha(28), long_date("2024-07-08")
    ('XIV', 'AB', '8 July 2024')
"""

from __future__ import annotations

import datetime as _dt
import re
import string
from collections.abc import Mapping, Sequence
from typing import Final
from xml.sax.saxutils import escape as _xml_escape
from xml.sax.saxutils import quoteattr

from evidence._text import visible
from evidence.errors import InputError
from evidence.render.fonts import primary_chars, register_fonts
from evidence.render.scripts import Piece, has_rtl, logical_line

__all__ = [
    "MARKER_COLOUR",
    "alpha",
    "attr",
    "bind_short_words",
    "clip",
    "esc",
    "fill",
    "language_name",
    "long_date",
    "numbered",
    "numeric_date",
    "ordinal_date",
    "placeholders",
    "plain",
    "plural",
    "roman",
    "runs_markup",
    "safe_url",
    "short_hex",
]

# C0 and C1 controls other than tab and line feed, the line and paragraph separators, and
# the non-characters U+FFFE/U+FFFF: no glyph, and reportlab or PDF readers trip on some.
_CONTROL: Final = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")
_LRM: Final = "\u200e"
MARKER_COLOUR: Final = "#b00000"
"""The colour of ``‹U+XXXX›``, the marker of a character no shipped font covers."""
_SHORT_WORD: Final = re.compile(r"(?<![\w'\u2019\u02bc])([\u0400-\u04ff]) (?=\w)")
_URL: Final = re.compile(r"^https?://[^\s\"'<>\\^`{|}]{1,2000}$")

_MONTHS: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

_LANGUAGES: Final = {
    "ar": "Arabic",
    "be": "Belarusian",
    "de": "German",
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "ka": "Georgian",
    "pl": "Polish",
    "ro": "Romanian",
    "ru": "Russian",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "zh": "Chinese",
}


def plain(text: str) -> str:
    """Text with control and bidirectional characters shown as visible markers
    (U+202E between U+2039 and U+203A: the fonts have no U+27E8), never applied; tabs
    become spaces."""
    shown = visible(text, left="\u2039", right="\u203a", keep="\t\n")
    return _CONTROL.sub(" ", shown).replace("\t", " ")


def bind_short_words(text: str) -> str:
    """``text`` with each one-letter Cyrillic word (a preposition or conjunction) bound to
    the next word by a no-break space, so that no line ends on it, as Ukrainian and Russian
    typesetting requires.

    >>> bind_short_words("\u041f\u043e \u043e \u043d\u0438\u0445")[3:5] == "\u043e\u00a0"
    True
    """
    return _SHORT_WORD.sub("\\1\u00a0", text)


def esc(text: str, *, bind: bool = True, isolate: bool = True) -> str:
    """Escape data for reportlab paragraph markup (``&``, ``<``, ``>``), after :func:`plain`.

    Line ends become spaces (paragraph markup folds white space anyway); callers that keep
    line breaks split the text first. One-letter Cyrillic words are bound to the next word
    (:func:`bind_short_words`), except with ``bind=False``: the source texts are printed
    character for character, as embedded. Characters the paragraph's own (Liberation) face
    lacks are set in the fallback font that has them (``<font face=…>``), a character no
    shipped font covers becomes the visible marker ``‹U+XXXX›``, and Arabic letters take
    their contextual forms (:mod:`evidence.render.scripts`). The text stays in logical
    order: :class:`evidence.render.paragraph.Paragraph` breaks it into lines and puts each
    line in visual order (the Unicode Bidirectional Algorithm) when it draws it, so the
    markup must be set by that class, never by reportlab's own Paragraph. A value with
    right-to-left characters ends with a left-to-right mark (U+200E, not drawn), so that
    what follows it in an English sentence stays outside it: in ``“العنوان” (الناشر, 7 April
    2024)`` the 7 stays with April (UAX #9 without the mark would join it to the Arabic
    run). ``isolate=False`` leaves the mark out, for pieces of one line escaped one by one
    (the highlighted passages of a source text).
    """
    flat = plain(text).replace("\n", " ")
    clean = bind_short_words(flat) if bind else flat
    if clean.isascii() or (set(clean) <= primary_chars() and not has_rtl(clean)):
        return _xml_escape(clean)
    markup = runs_markup(logical_line(clean))
    return markup + _LRM if isolate and has_rtl(clean) else markup


def runs_markup(pieces: Sequence[Piece]) -> str:
    """Paragraph markup of pieces (in the order given): fallback fonts as ``<font face>``,
    markers in red monospace."""
    fonts = register_fonts()
    out = []
    for piece in pieces:
        text = _xml_escape(piece.text)
        if piece.font is None:
            out.append(f"<font face='{fonts.mono}' color='{MARKER_COLOUR}'>{text}</font>")
        elif piece.font == fonts.serif:
            out.append(text)
        else:
            out.append(f"<font face='{piece.font}'>{text}</font>")
    return "".join(out)


def clip(text: str, limit: int) -> str:
    """``text``, shortened to about ``limit`` characters where a table cell, a heading or a
    footnote must stay shorter than a page; the dossier embeds the full text."""
    if len(text) <= limit:
        return text
    return f"{text[:limit].rstrip()} … [shortened here; {len(text):,} characters in all]"


def attr(value: str) -> str:
    """A value quoted for a markup attribute (``href="…"``)."""
    return quoteattr(plain(value))


def safe_url(url: str | None) -> str | None:
    """The URL when it is a plain http(s) URL that can be made a link, else None."""
    if url and _URL.match(url):
        return url
    return None


def placeholders(template_text: str) -> list[str]:
    """The ``{names}`` a template string uses.

    Raises:
        InputError: the string is not a valid format string (an unmatched brace).
    """
    try:
        return [
            name for _, name, _, _ in string.Formatter().parse(template_text) if name is not None
        ]
    except ValueError as exc:
        raise InputError(
            f"{template_text[:40]!r}: {exc} (write {{{{ or }}}} for a literal brace)"
        ) from exc


def fill(template_text: str, values: Mapping[str, str], *, markup: bool = True) -> str:
    """Fill a template string's ``{placeholders}``.

    With ``markup`` (the default) the template's own text and every value are escaped
    separately, so a value can never inject markup; without, the plain text is returned.
    """
    out: list[str] = []
    for literal, name, _, _ in string.Formatter().parse(template_text):
        out.append(esc(literal) if markup else literal)
        if name is not None:
            value = values.get(name, "")
            out.append(esc(value) if markup else value)
    return "".join(out)


def roman(number: int) -> str:
    """Upper-case roman numeral (1 → I, 14 → XIV)."""
    pairs = (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    )
    out = []
    for value, letters in pairs:
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)


def alpha(number: int) -> str:
    """A, B, … Z, AA, AB …: the ICC's annex letters."""
    out = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


def numbered(number: int, scheme: str) -> str:
    """``number`` in a numbering scheme of the templates (roman, alpha, arabic)."""
    if scheme == "roman":
        return roman(number)
    if scheme == "alpha":
        return alpha(number)
    return str(number)


def _date(value: str) -> _dt.date | None:
    try:
        return _dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def long_date(value: str | None) -> str:
    """``2024-07-08`` or an RFC 3339 time → ``8 July 2024``; a range of two dates → both,
    joined by an en dash; anything else is returned as written."""
    if not value:
        return ""
    if "/" in value:
        first, _, last = value.partition("/")
        return f"{long_date(first)} \u2013 {long_date(last)}"
    day = _date(value)
    if day is None:
        return value
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def numeric_date(value: str) -> str:
    """``2024-07-08`` → ``08-07-2024`` (the ICC's dd-mm-yyyy)."""
    day = _date(value)
    return day.strftime("%d-%m-%Y") if day else value


def ordinal_date(value: str) -> str:
    """``2024-07-08`` → ``8th day of July 2024`` (the closing line of an ICC filing)."""
    day = _date(value)
    if day is None:
        return value
    suffix = (
        "th" if 10 <= day.day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day.day % 10, "th")
    )
    return f"{day.day}{suffix} day of {_MONTHS[day.month - 1]} {day.year}"


def language_name(tag: str) -> str:
    """``uk`` → ``Ukrainian``; an unknown BCP 47 tag is shown as written."""
    return _LANGUAGES.get(tag.split("-")[0].lower(), tag)


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``1 source``, ``2 sources``; ``many`` for an irregular plural (entry, entries)."""
    if count == 1:
        return f"1 {noun}"
    return f"{count} {many or noun + 's'}"


def short_hex(digest: str, length: int = 16) -> str:
    """The first ``length`` hex digits and an ellipsis: for tables that also print it in full."""
    return digest[:length] + "…"
