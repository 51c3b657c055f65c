"""The dossier's fonts: Liberation Serif and Liberation Mono, shipped in the package.

Sources are often Ukrainian or Russian, so the dossier needs a Unicode font family with
Latin and Cyrillic (Liberation also covers Greek); reportlab's standard PDF fonts cover
neither, and are not embedded. Liberation Serif is metric-compatible with Times New Roman,
the face the ICC's Regulations of the Court (regulation 36) and UN documents use; Liberation
Mono sets digests so that they line up. Both are under the SIL Open Font License 1.1, which
allows bundling and embedding (see fonts/LICENSE and docs/decisions/0300-dossier-fonts.md).
reportlab embeds a subset of each TrueType font, so every font in a dossier is embedded.

Example:
    >>> register_fonts().serif
    'EvidenceSerif'
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from typing import Final

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from evidence._resources import resource
from evidence.errors import InputError

__all__ = ["FontSet", "register_fonts"]

_FILES: Final = {
    "EvidenceSerif": "LiberationSerif-Regular.ttf",
    "EvidenceSerif-Bold": "LiberationSerif-Bold.ttf",
    "EvidenceSerif-Italic": "LiberationSerif-Italic.ttf",
    "EvidenceSerif-BoldItalic": "LiberationSerif-BoldItalic.ttf",
    "EvidenceMono": "LiberationMono-Regular.ttf",
    "EvidenceMono-Bold": "LiberationMono-Bold.ttf",
}


@dataclass(frozen=True, slots=True)
class FontSet:
    """The registered names of the dossier's fonts."""

    serif: str = "EvidenceSerif"
    bold: str = "EvidenceSerif-Bold"
    italic: str = "EvidenceSerif-Italic"
    bold_italic: str = "EvidenceSerif-BoldItalic"
    mono: str = "EvidenceMono"
    mono_bold: str = "EvidenceMono-Bold"


@functools.cache
def register_fonts() -> FontSet:
    """Register the fonts with reportlab once per process; return their names.

    ``<b>`` and ``<i>`` in paragraph markup map to the bold and italic faces.

    Raises:
        InputError: a font file is missing from the installed package.
    """
    for name, filename in _FILES.items():
        node = resource("render", "fonts", filename)
        try:
            data = node.read_bytes()
        except OSError as exc:
            raise InputError(f"font file missing from the package: {filename}",
                             hint="Reinstall evidence; its fonts ship in evidence/render/fonts."
                             ) from exc
        pdfmetrics.registerFont(TTFont(name, io.BytesIO(data)))
    fonts = FontSet()
    addMapping(fonts.serif, 0, 0, fonts.serif)
    addMapping(fonts.serif, 1, 0, fonts.bold)
    addMapping(fonts.serif, 0, 1, fonts.italic)
    addMapping(fonts.serif, 1, 1, fonts.bold_italic)
    addMapping(fonts.mono, 0, 0, fonts.mono)
    addMapping(fonts.mono, 1, 0, fonts.mono_bold)
    addMapping(fonts.mono, 0, 1, fonts.mono)
    addMapping(fonts.mono, 1, 1, fonts.mono_bold)
    return fonts
