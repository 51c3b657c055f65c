"""Text of any script, made ready for reportlab: which font prints each character, what a
character no shipped font covers becomes, and right-to-left text in visual order.

reportlab draws a string left to right with one font and no shaping. So before a string is
drawn:

* each character gets the font that has its glyph (:func:`evidence.render.fonts.font_for`),
  and consecutive characters of one font become one run;
* a character that no shipped font covers becomes a visible marker, ``‹U+1200›``, instead
  of a blank or a ``.notdef`` box (:func:`marker`); :func:`unprintable` finds them before
  rendering so that the dossier can list them and ``render --strict`` can refuse;
* Arabic letters take their contextual forms (initial, medial, final, isolated, and the
  mandatory lam-alef ligatures), as the Unicode presentation forms that Noto Naskh Arabic
  maps, by arabic-reshaper; and a line that holds right-to-left characters is put in
  visual order by the Unicode Bidirectional Algorithm (UAX #9, python-bidi's reference
  implementation), which also mirrors brackets (docs/decisions/0321-right-to-left-text.md).

Format characters (bidi marks, zero-width joiners, category Cf) steer the two steps above
and have no glyph of their own; they are not drawn.

Example:
    >>> marker("\\U0001F600")
    '‹U+1F600›'
    >>> [(piece.text, piece.font) for piece in visual_line("abc ب 12", rtl=False)]
    [('abc 12 ', 'EvidenceSerif'), ('ﺏ', 'EvidenceArabic')]
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import arabic_reshaper
from bidi import algorithm as _uba

from evidence.render.fonts import covers, font_for, register_fonts

__all__ = [
    "Piece",
    "base_is_rtl",
    "has_rtl",
    "has_wide",
    "logical_line",
    "marker",
    "printable",
    "script_name",
    "unprintable",
    "visual_line",
    "visual_order",
]

_RTL_CLASSES: Final = frozenset({"R", "AL"})
_STRONG: Final = frozenset({"L", "R", "AL"})

# Each Arabic letter is replaced by its contextual form one for one (so every drawn
# character still knows the character it stands for); the lam-alef ligatures, which Arabic
# requires, are made afterwards (_ligate), and harakat are kept.
_RESHAPER: Final = arabic_reshaper.ArabicReshaper(
    configuration={
        "delete_harakat": False,
        "delete_tatweel": False,
        "support_ligatures": False,
        "support_zwj": True,
        "shift_harakat_position": False,
    }
)
# (lam initial or medial, alef of one kind in final form) -> the ligature's isolated or
# final form (Unicode Arabic Presentation Forms-B, U+FEF5..U+FEFC).
_LAM_INITIAL: Final = "\ufedf"
_LAM_MEDIAL: Final = "\ufee0"
_LAM_ALEF: Final = {
    "\ufe82": ("\ufef5", "\ufef6"),
    "\ufe84": ("\ufef7", "\ufef8"),
    "\ufe88": ("\ufef9", "\ufefa"),
    "\ufe8e": ("\ufefb", "\ufefc"),
}


def marker(char: str) -> str:
    """The visible stand-in for a character no shipped font covers: ``‹U+XXXX›``."""
    return f"\u2039U+{ord(char):04X}\u203a"


def printable(char: str) -> bool:
    """Whether a shipped font covers ``char`` (format characters and white space need no
    glyph and count as printable)."""
    if char.isspace() or unicodedata.category(char) in ("Cf", "Cc"):
        return True
    return font_for(char, register_fonts().serif) is not None


def unprintable(text: str) -> list[str]:
    """The distinct characters of ``text`` that no shipped font covers, in order of first
    appearance."""
    if text.isascii():
        return []
    seen: dict[str, None] = {}
    for char in text:
        if char not in seen and not printable(char):
            seen[char] = None
    return list(seen)


@functools.cache
def script_name(char: str) -> str:
    """A human name of the script of ``char`` for warnings: the first word of its Unicode
    name (``Ethiopic``, ``Myanmar``, ``Tibetan``), ``Han`` for ideographs, ``symbols`` for
    emoji and other symbols (Unicode category S), ``unassigned`` for a code point Unicode
    has not named."""
    name = unicodedata.name(char, "")
    if not name:
        return "unassigned"
    if unicodedata.category(char)[0] == "S":
        return "symbols"
    first = name.split(" ")[0]
    return {"CJK": "Han", "HIRAGANA": "Japanese kana", "KATAKANA": "Japanese kana"}.get(
        first, first.capitalize()
    )


_FROM_HEBREW: Final = re.compile("[\u0590-\U0010ffff]")
"""Characters from the Hebrew block on: every character of bidi class R or AL is one."""


def has_rtl(text: str) -> bool:
    """Whether ``text`` holds a right-to-left character (bidi class R or AL)."""
    return not text.isascii() and any(
        unicodedata.bidirectional(c) in _RTL_CLASSES for c in _FROM_HEBREW.findall(text)
    )


def base_is_rtl(text: str) -> bool:
    """Whether ``text`` is a right-to-left paragraph: its first strong character is
    right-to-left (UAX #9, rules P2 and P3)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in _STRONG:
            return kind in _RTL_CLASSES
    return False


def has_wide(text: str) -> bool:
    """Whether ``text`` holds East Asian wide characters (ideographs, kana, Hangul), which
    break between any two characters rather than at spaces."""
    return not text.isascii() and any(unicodedata.east_asian_width(c) == "W" for c in text)


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of a line in visual order: text drawn with one font, and the tag of the
    logical characters it stands for. ``font`` is None for a marker (``‹U+XXXX›``), which
    the caller sets in its own marker style."""

    text: str
    font: str | None
    tag: int


def _shape(text: str) -> tuple[str, list[int]]:
    """Arabic contextual forms of ``text``; with, for each character of the result, the
    index in ``text`` of the character it stands for."""
    shaped = _RESHAPER.reshape(text)
    if len(shaped) != len(text):  # the reshaper dropped or merged a character: keep the text
        return text, list(range(len(text)))
    out: list[str] = []
    index: list[int] = []
    i = 0
    while i < len(shaped):
        char = shaped[i]
        nxt = shaped[i + 1] if i + 1 < len(shaped) else ""
        if char in (_LAM_INITIAL, _LAM_MEDIAL) and nxt in _LAM_ALEF:
            isolated, final = _LAM_ALEF[nxt]
            out.append(isolated if char == _LAM_INITIAL else final)
            index.append(i)
            i += 2
            continue
        out.append(char)
        index.append(i)
        i += 1
    return "".join(out), index


def visual_order(text: str, *, rtl: bool) -> list[tuple[int, str]]:
    """(index in ``text``, character to draw) in visual order, left to right, by the
    Unicode Bidirectional Algorithm for one line with base direction ``rtl``."""
    storage = _uba.get_empty_storage()
    storage["base_level"] = 1 if rtl else 0
    storage["base_dir"] = "R" if rtl else "L"
    _uba.get_embedding_levels(text, storage)
    for position, entry in enumerate(storage["chars"]):
        entry["index"] = position
    _uba.explicit_embed_and_overrides(storage)
    _uba.resolve_weak_types(storage)
    _uba.resolve_neutral_types(storage, False)
    _uba.resolve_implicit_levels(storage, False)
    _uba.reorder_resolved_levels(storage, False)
    _uba.apply_mirroring(storage, False)
    return [(int(entry["index"]), str(entry["ch"])) for entry in storage["chars"]]


def visual_line(
    text: str,
    tags: Sequence[int] | None = None,
    *,
    rtl: bool | None = None,
    face: str | None = None,
) -> list[Piece]:
    """One line of ``text`` as pieces in visual order (left to right), each with its font.

    Args:
        text: the line, in logical order (as stored), without line ends.
        tags: one tag per character of ``text`` (for example: highlighted or not); pieces
            never mix tags. Default: all 0.
        rtl: the line's base direction; default: from its first strong character.
        face: the font of the run (default: the serif); characters it lacks fall back.
    """
    face = face or register_fonts().serif
    marks = list(tags) if tags is not None else [0] * len(text)
    if rtl is None:
        rtl = base_is_rtl(text)
    if has_rtl(text) or rtl:
        shaped, index = _shape(text)
        order = [(index[i], char) for i, char in visual_order(shaped, rtl=rtl)]
    else:
        order = list(enumerate(text))
    return _pieces(text, order, marks, face)


def logical_line(text: str, *, face: str | None = None) -> list[Piece]:
    """``text`` as pieces in logical order (as stored), each with its font, Arabic letters
    in their contextual forms: for a paragraph that breaks its lines first and puts each
    line in visual order when it draws it (:class:`evidence.render.paragraph.Paragraph`).
    Shaping before breaking is sound: letters join only within a word, and lines break
    between words."""
    face = face or register_fonts().serif
    if has_rtl(text):
        shaped, index = _shape(text)
        order = [(index[i], char) for i, char in enumerate(shaped)]
    else:
        order = list(enumerate(text))
    return _pieces(text, order, [0] * len(text), face)


def _pieces(
    text: str, order: Sequence[tuple[int, str]], marks: Sequence[int], face: str
) -> list[Piece]:
    """Runs of one font and tag of the characters ``order`` gives (index in ``text``,
    character to draw), in that order."""
    pieces: list[Piece] = []
    for logical, char in order:
        if unicodedata.category(char) == "Cf":
            continue
        font = font_for(char, face)
        if font is None and char != text[logical]:  # no contextual form: draw the letter
            char = text[logical]
            font = font_for(char, face)
        tag = marks[logical]
        last = pieces[-1] if pieces else None
        if (
            char == " "
            and last is not None
            and last.font is not None
            and last.tag == tag
            and covers(last.font, char)
        ):
            font = last.font  # a space joins the run before it: fewer, longer pieces
        shown = marker(char) if font is None else char
        if last is not None and last.font == font and last.tag == tag and font is not None:
            pieces[-1] = Piece(last.text + shown, font, tag)
        else:
            pieces.append(Piece(shown, font, tag))
    return pieces
