"""Data in paragraph markup, numbering and dates, and the highlighting of quotes."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.platypus import Paragraph

from evidence.errors import InputError
from evidence.render.annexes import highlighted_text
from evidence.render.markup import (
    alpha,
    esc,
    fill,
    long_date,
    numeric_date,
    ordinal_date,
    placeholders,
    plural,
    roman,
    safe_url,
)
from evidence.render.styles import Styles
from evidence.render.template import load_template


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", "plain"),
        ("a < b & c > d", "a &lt; b &amp; c &gt; d"),
        ('<font color="red">x</font>', '&lt;font color="red"&gt;x&lt;/font&gt;'),
        ("line<br/>break", "line&lt;br/&gt;break"),
        ("&amp;", "&amp;amp;"),
        ("bell\x07and\x00nul", "bell\u2039U+0007\u203aand\u2039U+0000\u203anul"),
        ("tab\there", "tab here"),
        ("two\nlines", "two lines"),
        ("sep\u2028arator", "sep arator"),
    ],
    ids=[
        "plain",
        "operators",
        "font-tag",
        "br-tag",
        "entity",
        "controls",
        "tab",
        "newline",
        "line-separator",
    ],
)
def test_esc_makes_data_literal(text: str, expected: str) -> None:
    assert esc(text) == expected


@pytest.mark.parametrize(
    "text",
    ['<font size="40">big</font>', "a & b", "<br/>", "<b>x", "]]>", "&#x41;", "<para>", "x" * 500],
    ids=["font", "amp", "br", "unclosed", "cdata-end", "char-ref", "para", "long-word"],
)
def test_escaped_data_parses_and_reads_back_literally(text: str) -> None:
    styles = Styles.for_template(load_template("icc-otp"))
    para = Paragraph(esc(text), styles.body)
    para.wrap(200, 1000)
    assert para.getPlainText() == text


def test_fill_escapes_template_and_values_separately() -> None:
    out = fill("<{title}> & {missing}", {"title": "<b>T</b>"})
    assert out == "&lt;&lt;b&gt;T&lt;/b&gt;&gt; &amp; "
    assert fill("{title}", {"title": "<b>"}, markup=False) == "<b>"


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("{title} and {annex_integrity}", ["title", "annex_integrity"]),
        ("no fields", []),
        ("{{literal}}", []),
    ],
    ids=["two", "none", "escaped"],
)
def test_placeholders(text: str, names: list[str]) -> None:
    assert placeholders(text) == names


@pytest.mark.parametrize("text", ["{unclosed", "closed}"], ids=["open", "close"])
def test_placeholders_refuses_broken_braces(text: str) -> None:
    with pytest.raises(InputError, match="brace"):
        placeholders(text)


@pytest.mark.parametrize(
    ("number", "r", "a"),
    [
        (1, "I", "A"),
        (4, "IV", "D"),
        (9, "IX", "I"),
        (14, "XIV", "N"),
        (26, "XXVI", "Z"),
        (27, "XXVII", "AA"),
        (40, "XL", "AN"),
        (1999, "MCMXCIX", "BXW"),
    ],
    ids=["1", "4", "9", "14", "26", "27", "40", "1999"],
)
def test_numbering(number: int, r: str, a: str) -> None:
    assert roman(number) == r
    assert alpha(number) == a


@pytest.mark.parametrize(
    ("value", "long", "numeric", "ordinal"),
    [
        ("2024-07-08", "8 July 2024", "08-07-2024", "8th day of July 2024"),
        (
            "2026-11-29T10:12:03.123456Z",
            "29 November 2026",
            "29-11-2026",
            "29th day of November 2026",
        ),
        ("2024-03-01", "1 March 2024", "01-03-2024", "1st day of March 2024"),
        ("2024-03-22", "22 March 2024", "22-03-2024", "22nd day of March 2024"),
        ("2024-03-13", "13 March 2024", "13-03-2024", "13th day of March 2024"),
        ("not a date", "not a date", "not a date", "not a date"),
    ],
    ids=["date", "time", "1st", "22nd", "13th", "text"],
)
def test_dates(value: str, long: str, numeric: str, ordinal: str) -> None:
    assert long_date(value) == long
    assert numeric_date(value) == numeric
    assert ordinal_date(value) == ordinal


def test_date_range() -> None:
    assert long_date("2024-07-08/2024-07-09") == "8 July 2024 \u2013 9 July 2024"


def test_plural() -> None:
    assert (plural(1, "source"), plural(2, "source"), plural(0, "entry", "entries")) == (
        "1 source",
        "2 sources",
        "0 entries",
    )


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://example.org/a?b=c", True),
        ("http://example.org", True),
        ("javascript:alert(1)", False),
        ('https://example.org/"onmouseover', False),
        ("https://example.org/<script>", False),
        ("ftp://example.org/file", False),
        (None, False),
    ],
    ids=["https", "http", "javascript", "quote", "angle", "ftp", "none"],
)
def test_safe_url(url: str | None, ok: bool) -> None:
    assert (safe_url(url) is not None) == ok


# -- highlighting quotes in source texts -------------------------------------------------

_TAG = re.compile(r"<span backColor='[^']*'>|</span>")
_MARK = re.compile(r"<font face='M' size='7' color='#8b1a1a'>\u2009\[([^\]]*)\]</font>")


def _plain(markup: str) -> str:
    return html.unescape(_TAG.sub("", _MARK.sub("", markup)))


def test_highlight_marks_each_quote_once_at_its_end() -> None:
    text = "One two three.\n\nFour five six seven."
    quotes = [(4, 13, "CLM-0001"), (16, 25, "CLM-0002"), (8, 20, "CLM-0003")]
    lines = highlighted_text(text, quotes, highlight="#ff0", marker_font="M")
    joined = "".join(markup for markup, _ in lines)
    assert [m.group(1) for m in _MARK.finditer(joined)] == ["CLM-0001", "CLM-0003", "CLM-0002"]
    assert [blank for _, blank in lines] == [False, True]
    assert "<span backColor='#ff0'>two three</span>" in joined


def test_highlight_escapes_the_text() -> None:
    lines = highlighted_text("a <b> & c", [(2, 5, "X")], highlight="#ff0", marker_font="M")
    assert lines[0][0].startswith("a <span backColor='#ff0'>&lt;b&gt;</span>")


def test_highlight_cuts_long_lines() -> None:
    text = ("word " * 1000).strip()
    lines = highlighted_text(
        text, [(0, 4, "X"), (4990, 4994, "Y")], highlight="#ff0", marker_font="M"
    )
    assert len(lines) > 3
    assert "".join(_plain(m) for m, _ in lines) == text


@settings(max_examples=150, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("ab <&>\nЖ"), min_size=1, max_size=120),
    st.lists(st.tuples(st.integers(0, 119), st.integers(1, 40)), max_size=5),
)
def test_highlight_keeps_every_character_and_every_quote(
    text: str, spans: list[tuple[int, int]]
) -> None:
    quotes = []
    for n, (start, length) in enumerate(spans):
        start = min(start, len(text) - 1)
        end = min(len(text), start + length)
        if text[start:end].strip():
            quotes.append((start, end, f"Q{n}"))
    lines = highlighted_text(text, quotes, highlight="#ff0", marker_font="M")
    assert "".join(_plain(m) for m, _ in lines) == "".join(
        line for line in text.split("\n") if line.strip()
    )
    marks = [m.group(1) for markup, _ in lines for m in _MARK.finditer(markup)]
    assert sorted(label for group in marks for label in group.split(", ")) == sorted(
        label for _, _, label in quotes
    )
