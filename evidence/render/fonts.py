"""The dossier's fonts, shipped in the package, and which of them prints each character.

Sources are often Ukrainian or Russian, and the institutions a dossier is written to work
in the six UN languages (Arabic, Chinese, English, French, Russian, Spanish); their case
files hold more scripts. reportlab's standard PDF fonts cover none of that and are not
embedded, so the dossier ships its own TrueType fonts, all under the SIL Open Font License
1.1 (see ``fonts/LICENSE*`` and docs/decisions/0300-dossier-fonts.md, 0320-script-fonts.md):

* Liberation Serif and Liberation Mono: Latin, Greek and Cyrillic, metric-compatible with
  Times New Roman, the face of ICC and UN filings; the primary faces of every style.
* Noto Naskh Arabic (Arabic, Persian, Urdu, Pashto letters), Noto Serif Hebrew, Noto Serif
  Ethiopic (Amharic, Tigrinya) and LXGW WenKai (Chinese ideographs, Japanese kana, the
  common Hangul syllables): the fallback chain, tried in that order for a character the
  primary face lacks.

reportlab embeds a subset of each TrueType font it uses, so every font in a dossier is
embedded. A character that no shipped font covers has no glyph at all: :func:`font_for`
returns None for it, and the text path prints a visible marker in its place
(:mod:`evidence.render.scripts`).

Example:
    >>> fonts = register_fonts()
    >>> fonts.serif, font_for("ب", fonts.serif), font_for("中", fonts.bold)
    ('EvidenceSerif', 'EvidenceArabic', 'EvidenceCJK')
"""

from __future__ import annotations

import functools
import io
import unicodedata
from dataclasses import dataclass
from typing import Any, Final

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import SUBSETN, TTFont

from evidence._resources import resource
from evidence.digest import digest_bytes
from evidence.errors import InputError

__all__ = [
    "FALLBACK_FONTS",
    "FontSet",
    "covers",
    "font_for",
    "fonts_digest",
    "primary_chars",
    "register_fonts",
]

_FILES: Final = {
    "EvidenceSerif": "LiberationSerif-Regular.ttf",
    "EvidenceSerif-Bold": "LiberationSerif-Bold.ttf",
    "EvidenceSerif-Italic": "LiberationSerif-Italic.ttf",
    "EvidenceSerif-BoldItalic": "LiberationSerif-BoldItalic.ttf",
    "EvidenceMono": "LiberationMono-Regular.ttf",
    "EvidenceMono-Bold": "LiberationMono-Bold.ttf",
    "EvidenceArabic": "NotoNaskhArabic-Regular.ttf",
    "EvidenceArabic-Bold": "NotoNaskhArabic-Bold.ttf",
    "EvidenceHebrew": "NotoSerifHebrew-Regular.ttf",
    "EvidenceHebrew-Bold": "NotoSerifHebrew-Bold.ttf",
    "EvidenceEthiopic": "NotoSerifEthiopic-Regular.ttf",
    "EvidenceEthiopic-Bold": "NotoSerifEthiopic-Bold.ttf",
    "EvidenceCJK": "LXGWWenKai-Regular.ttf",
}

FALLBACK_FONTS: Final = ("EvidenceArabic", "EvidenceHebrew", "EvidenceEthiopic", "EvidenceCJK")
"""The fallback chain, in the order it is tried after the run's own face. Each is a family
whose bold face is its ``-Bold`` font where one is shipped; none has an italic."""

_BOLD: Final = {"EvidenceSerif-Bold", "EvidenceSerif-BoldItalic", "EvidenceMono-Bold"}


@dataclass(frozen=True, slots=True)
class FontSet:
    """The registered names of the dossier's fonts."""

    serif: str = "EvidenceSerif"
    bold: str = "EvidenceSerif-Bold"
    italic: str = "EvidenceSerif-Italic"
    bold_italic: str = "EvidenceSerif-BoldItalic"
    mono: str = "EvidenceMono"
    mono_bold: str = "EvidenceMono-Bold"


def _is_presentation_form(code: int) -> bool:
    """Arabic Presentation Forms-A and -B (U+FB50..U+FDFF, U+FE70..U+FEFF)."""
    return 0xFB50 <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFF


def _to_unicode(name: str, subset: list[int]) -> str:
    """A ToUnicode CMap (ISO 32000-1 §9.10.3) of one subset, in which a contextual form
    of an Arabic letter maps to the letter itself (its NFKC decomposition: U+FEDF ARABIC
    LETTER LAM INITIAL FORM -> U+0644; U+FEFB LAM WITH ALEF -> U+0627 U+0644, in visual
    order), so that text copied or extracted from the dossier is the text as stored, not
    its glyph forms."""
    lines = []
    for code, point in enumerate(subset):
        char = chr(point)
        text = char
        if _is_presentation_form(point):
            # A ligature's letters in the order its glyph shows them, right to left, as
            # every glyph of the line is drawn in visual order: a reader that puts the
            # line back in logical order reverses them with the rest.
            text = unicodedata.normalize("NFKC", char)[::-1]
        lines.append(f"<{code:02X}> <{text.encode('utf-16-be').hex().upper()}>")
    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo",
            f"<< /Registry ({name})",
            f"/Ordering ({name})",
            "/Supplement 0",
            ">> def",
            f"/CMapName /{name} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
            f"{len(subset)} beginbfchar",
            *lines,
            "endbfchar",
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )


_WIDTHS_KEPT: Final = 100_000
"""Text widths a font remembers (it forgets them all past this, so memory stays bounded)."""


class _Font(TTFont):
    """reportlab's TrueType font, with the widths of texts and their subset codes
    remembered: a dossier measures and draws the same words thousands of times.

    The width is reportlab's own pure-Python sum (``0.001 * size * sum(widths)``), also
    when reportlab's C accelerator (``rl_accel``) is installed: its sum can differ in the
    last bit, which moves a line break and so changes the bytes of a dossier that
    ``verify`` renders again and compares (docs/decisions/0317-render-speed.md). A text's
    subset codes are fixed once its characters are assigned, so they are remembered per
    document (in reportlab's per-document state)."""

    def __init__(self, name: str, filename: Any, **kwargs: Any) -> None:
        super().__init__(name, filename, **kwargs)
        self._units: dict[str, float] = {}

    def stringWidth(self, text: str | bytes, size: float, encoding: str = "utf8") -> float:
        units = self._units.get(text) if isinstance(text, str) else None
        if units is None:
            if not isinstance(text, str):
                text = text.decode(encoding or "utf8")
            widths = self.face.charWidths.get
            default = self.face.defaultWidth
            units = sum(widths(ord(char), default) for char in text)
            if len(self._units) >= _WIDTHS_KEPT:
                self._units.clear()
            self._units[text] = units
        return 0.001 * size * units

    def splitString(
        self, text: str | bytes, doc: Any, encoding: str = "utf-8"
    ) -> list[tuple[int, bytes]]:
        state = self.state.get(doc)
        known: dict[str | bytes, list[tuple[int, bytes]]] | None = getattr(state, "_split", None)
        if known is not None and text in known:
            return known[text]
        found: list[tuple[int, bytes]] = super().splitString(text, doc, encoding)
        internal: Any = self.state[doc]  # reportlab's per-document state of this font
        if known is None:
            known = internal._split = {}
        known[text] = found
        return found


class _ShapedTextFont(_Font):
    """A TrueType font whose text is drawn as Unicode presentation forms (Arabic): its
    ToUnicode maps them back to the letters (:func:`_to_unicode`)."""

    def addObjects(self, doc: Any) -> None:
        subsets = [list(subset) for subset in self.state[doc].subsets]  # dropped by addObjects
        super().addObjects(doc)
        for number, subset in enumerate(subsets):
            base = b"".join((SUBSETN(number), b"+", self.face.name, self.face.subfontNameX)).decode(
                "pdfdoc"
            )
            stream = doc.idToObject["toUnicodeCMap:" + base]
            stream.content = _to_unicode(base, subset)


@functools.cache
def register_fonts() -> FontSet:
    """Register the fonts with reportlab once per process; return their names.

    ``<b>`` and ``<i>`` in paragraph markup map to the bold and italic faces; in a fallback
    family ``<b>`` maps to its bold font where one is shipped and ``<i>`` to the upright one.

    Raises:
        InputError: a font file is missing from the installed package.
    """
    for name, filename in _FILES.items():
        kind = _ShapedTextFont if name.startswith("EvidenceArabic") else _Font
        pdfmetrics.registerFont(kind(name, io.BytesIO(_font_bytes(filename)), shapable=False))
    fonts = FontSet()
    addMapping(fonts.serif, 0, 0, fonts.serif)
    addMapping(fonts.serif, 1, 0, fonts.bold)
    addMapping(fonts.serif, 0, 1, fonts.italic)
    addMapping(fonts.serif, 1, 1, fonts.bold_italic)
    addMapping(fonts.mono, 0, 0, fonts.mono)
    addMapping(fonts.mono, 1, 0, fonts.mono_bold)
    addMapping(fonts.mono, 0, 1, fonts.mono)
    addMapping(fonts.mono, 1, 1, fonts.mono_bold)
    for family in FALLBACK_FONTS:
        bold = f"{family}-Bold" if f"{family}-Bold" in _FILES else family
        addMapping(family, 0, 0, family)
        addMapping(family, 1, 0, bold)
        addMapping(family, 0, 1, family)
        addMapping(family, 1, 1, bold)
    return fonts


def _font_bytes(filename: str) -> bytes:
    try:
        return resource("render", "fonts", filename).read_bytes()
    except OSError as exc:
        raise InputError(
            f"font file missing from the package: {filename}",
            hint="Reinstall evidence; its fonts ship in evidence/render/fonts.",
        ) from exc


@functools.cache
def _cmap(name: str) -> frozenset[int]:
    """The code points font ``name`` maps to a glyph (its cmap)."""
    register_fonts()
    font = pdfmetrics.getFont(name)
    return frozenset(font.face.charToGlyph)  # type: ignore[attr-defined]


def covers(name: str, char: str) -> bool:
    """Whether the registered font ``name`` has a glyph for ``char``."""
    return ord(char) in _cmap(name)


@functools.cache
def fonts_digest() -> str:
    """Which fonts a dossier was made with, for its manifest: the SHA-256 over the lines
    ``<SHA-256>  <file name>`` of the shipped font files, sorted by name.

    Raises:
        InputError: a font file is missing from the installed package.
    """
    listing = "".join(
        f"{digest_bytes(_font_bytes(name)).sha256}  {name}\n"
        for name in sorted(set(_FILES.values()))
    )
    return digest_bytes(listing.encode()).sha256


@functools.cache
def primary_chars() -> frozenset[str]:
    """The characters every Liberation face (serif regular, bold, italic, bold italic, mono
    regular and bold) has: text made only of these needs no fallback."""
    register_fonts()
    faces = [name for name in _FILES if name.startswith(("EvidenceSerif", "EvidenceMono"))]
    common = frozenset.intersection(*(_cmap(name) for name in faces))
    return frozenset(chr(code) for code in common)


@functools.cache
def font_for(char: str, face: str) -> str | None:
    """The font that prints ``char`` in a run set in ``face``: the face itself when it has
    the glyph, else the first fallback family that has it (its bold font under a bold
    face); None when no shipped font covers the character."""
    if covers(face, char):
        return face
    for family in FALLBACK_FONTS:
        if covers(family, char):
            bold = f"{family}-Bold"
            return bold if face in _BOLD and bold in _FILES else family
    return None
