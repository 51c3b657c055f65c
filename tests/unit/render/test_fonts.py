"""The dossier's fonts measure and encode text as reportlab's pure-Python code does,
whether or not reportlab's C accelerator (``rl_accel``) is installed, and remember what
they worked out without changing it (docs/decisions/0317)."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from evidence.render.fonts import _FILES, _font_bytes, register_fonts

ALPHABET = (
    "aAzZ 09.,;-\u2013\u2014«»ÆéŸßЖжЇї ابتثجحخ אבג ሀለ 中文字 한国\u00a0\u200e\ufffd\U0001f600"
)
texts = st.text(alphabet=ALPHABET, max_size=40)


class _Doc:
    """Stands for a PDF document: a font keeps its subset codes per document."""


def _reference_width(font: TTFont, text: str, size: float) -> float:
    """reportlab's pure-Python width (``rl_accel._py_instanceStringWidthTTF``)."""
    get = font.face.charWidths.get
    default = font.face.defaultWidth
    return float(0.001 * size * sum(get(ord(u), default) for u in text))


@pytest.mark.parametrize("name", sorted(_FILES))
@settings(max_examples=40, deadline=None)
@given(text=texts, size=st.sampled_from([6.0, 7.5, 9, 10.5, 12, 17.3]))
def test_widths_are_reportlabs_pure_python_sum(name: str, text: str, size: float) -> None:
    register_fonts()
    font = pdfmetrics.getFont(name)
    assert isinstance(font, TTFont)
    expected = _reference_width(font, text, size)
    assert font.stringWidth(text, size) == expected  # bit for bit
    assert font.stringWidth(text, size) == expected  # and again, remembered
    assert font.stringWidth(text.encode("utf-8"), size) == expected
    assert pdfmetrics.stringWidth(text, name, size) == expected


@settings(max_examples=30, deadline=None)
@given(sequence=st.lists(texts, max_size=12))
def test_subset_codes_are_reportlabs(sequence: list[str]) -> None:
    """The codes a text gets do not depend on whether it was split before."""
    register_fonts()
    ours = pdfmetrics.getFont("EvidenceSerif")
    assert isinstance(ours, TTFont)
    plain = TTFont("plain-serif", io.BytesIO(_font_bytes(_FILES["EvidenceSerif"])))
    doc_ours, doc_plain = _Doc(), _Doc()
    for text in sequence + sequence:
        assert ours.splitString(text, doc_ours) == plain.splitString(text, doc_plain)
    if sequence:
        assert ours.state[doc_ours].subsets == plain.state[doc_plain].subsets
