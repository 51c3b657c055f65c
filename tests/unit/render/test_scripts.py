"""Fonts by character, markers, Arabic shaping, bidi order and the ToUnicode of the
Arabic font (evidence.render.fonts, evidence.render.scripts, evidence.render.coverage)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.render.fonts import _to_unicode, font_for, register_fonts
from evidence.render.markup import esc
from evidence.render.scripts import (
    base_is_rtl,
    has_rtl,
    has_wide,
    marker,
    script_name,
    unprintable,
    visual_line,
)


@pytest.mark.parametrize(
    ("char", "font"),
    [
        ("a", "EvidenceSerif"),
        ("Ж", "EvidenceSerif"),
        ("ب", "EvidenceArabic"),
        ("中", "EvidenceCJK"),
        ("か", "EvidenceCJK"),
        ("ሰ", "EvidenceEthiopic"),
        ("\u1000", None),
        ("\U0001f600", None),
    ],
    ids=["latin", "cyrillic", "arabic", "han", "kana", "ethiopic", "myanmar", "emoji"],
)
def test_the_fallback_chain(char: str, font: str | None) -> None:
    assert font_for(char, register_fonts().serif) == font


def test_bold_falls_back_to_a_bold_face_where_one_ships() -> None:
    fonts = register_fonts()
    assert font_for("ب", fonts.bold) == "EvidenceArabic-Bold"
    assert font_for("中", fonts.bold) == "EvidenceCJK"  # no bold CJK face is shipped


def test_unprintable_and_script_names() -> None:
    assert unprintable("Київ 中国 ሰላም ب") == []
    assert unprintable("a\u1000b\u1000\U0001f600") == ["\u1000", "\U0001f600"]
    assert [script_name(c) for c in "\u1000中ሰ\U0001f600"] == [
        "Myanmar",
        "Han",
        "Ethiopic",
        "symbols",
    ]
    assert marker("\u1200") == "\u2039U+1200\u203a"


def test_markers_replace_what_no_font_prints() -> None:
    markup = esc("a \u1000 b")
    assert "\u2039U+1000\u203a" in markup
    assert "\u1000" not in markup


def test_arabic_is_shaped_and_reversed_with_digits_left_to_right() -> None:
    pieces = visual_line("قالت 12 لا", rtl=True)
    drawn = "".join(p.text for p in pieces)
    # lam-alef ligature first (leftmost), then the digits in their own order, then the word
    assert drawn.startswith("\ufefb")
    assert "12" in drawn
    assert drawn.index("12") < drawn.index("\ufe96")  # taa final form of the first word
    assert all(p.font == "EvidenceArabic" for p in pieces if p.text.strip(" 12"))


def test_a_left_to_right_line_keeps_latin_order_and_reverses_arabic_runs() -> None:
    drawn = "".join(p.text for p in visual_line("see باب here", rtl=False))
    assert drawn.startswith("see ")
    assert drawn.endswith(" here")
    assert drawn[4:7] == "\ufe8f\ufe8e\ufe91"  # beh final, alef final, beh initial


def test_tags_follow_their_characters_through_reordering() -> None:
    text = "قالت اللجنة"
    tags = [0] * 5 + [1] * 6  # the second word (with its leading space) is highlighted
    pieces = visual_line(text, tags, rtl=True)
    highlighted = "".join(p.text for p in pieces if p.tag == 1)
    assert pieces[0].tag == 1  # the second word is on the left
    assert unicodedata.normalize("NFKC", highlighted).strip() == "اللجنة"[::-1]


def test_base_direction_wide_text() -> None:
    assert base_is_rtl("12 قالت abc")
    assert not base_is_rtl("abc قالت")
    assert has_wide("委员会")
    assert not has_wide("abc Київ")


def test_the_arabic_tounicode_maps_forms_back_to_letters() -> None:
    cmap = _to_unicode("X", [0xFEDF, 0xFEFB, 0x0041])
    assert "<00> <0644>" in cmap  # lam initial -> lam
    assert "<01> <06270644>" in cmap  # lam-alef -> alef, lam (visual order, as drawn)
    assert "<02> <0041>" in cmap


@settings(max_examples=100, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("ab 12(قالتلجنةإ)،שלוםЖ中\u1000\u200f"), max_size=40),
    st.booleans(),
)
def test_visual_line_keeps_every_character(text: str, rtl: bool) -> None:
    pieces = visual_line(text, rtl=rtl)
    shown = "".join(p.text for p in pieces if p.font is not None)
    letters = unicodedata.normalize("NFKC", shown)
    expected = [c for c in text if unicodedata.category(c) != "Cf" and c != "\u1000"]

    # every drawable character is drawn once (mirrored brackets count as brackets)
    def key(chars: str) -> list[str]:
        return sorted(chars.replace(")", "(").replace(" ", ""))

    assert key(letters) == key("".join(expected))
    assert sum(p.text.count("\u2039U+1000\u203a") for p in pieces if p.font is None) == text.count(
        "\u1000"
    )


def test_right_to_left_lines_keep_every_word_in_logical_order_and_split() -> None:
    from reportlab.lib.styles import ParagraphStyle

    from evidence.render.rtl import HIGHLIGHT, LABEL, PLAIN, RightToLeftText

    style = ParagraphStyle("t", fontName=register_fonts().serif, fontSize=9, leading=12)
    words = "وقالت اللجنة إن 12 مدنياً أصيبوا بجروح، وإن المبنى الرئيسي تضرر بشدة"
    segments = [
        (words[:20], PLAIN),
        (words[20:40], HIGHLIGHT),
        (" [CLM-0001]", LABEL),
        (words[40:], PLAIN),
    ]
    para = RightToLeftText(segments, style, highlight="#ff0", label_font="EvidenceSerif-Bold")
    _, height = para.wrap(120, 1000)
    assert para.lines is not None
    assert len(para.lines) > 2
    assert height == len(para.lines) * 12
    text = para.text
    assert " ".join(text[a:b] for a, b in para.lines).split() == text.split()
    first, rest = para.split(120, 25)
    assert isinstance(first, RightToLeftText)
    assert isinstance(rest, RightToLeftText)
    assert first.wrap(120, 25)[1] == 24
    assert (first.lines or []) + (rest.lines or []) == para.lines


def test_right_to_left_characters_are_found_wherever_they_are() -> None:
    """has_rtl looks only at characters from U+0590 on: no character below has bidi
    class R or AL; and it finds one among Latin, Cyrillic and typographic marks."""
    assert not [c for c in map(chr, range(0x590)) if unicodedata.bidirectional(c) in ("R", "AL")]
    assert not has_rtl("“Київ” — 8 July, 12 °C")
    assert has_rtl("“Київ” — \u05d0")  # Hebrew alef
    assert has_rtl("a\u200fb")  # a right-to-left mark (class R)
    assert has_rtl("x \U00010900")  # Phoenician, beyond the BMP
