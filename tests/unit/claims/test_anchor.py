"""Quotes anchored as W3C Web Annotation TextQuoteSelector + TextPositionSelector."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.claims.anchor import CONTEXT_CHARS, closest_passage, find_quote
from evidence.errors import QuoteError

# A short team-written text in Ukrainian (its Cyrillic letters are meant: noqa RUF001)
# with an English passage; "😂" (one code point,
# two UTF-16 units, four UTF-8 bytes) tells code points from the other ways of counting.
TEXT = (
    "😂 Міністр оборони заявив: «Ворог запустив понад 40 ракет». Це сталося 8 липня — "  # noqa: RUF001
    "вранці. Ворог запустив понад 40 ракет знову.\n"  # noqa: RUF001
    'The enemy hit the "Okhmatdyt" hospital — twice.  It\'s  over.'
)


def test_found_once_offsets_are_code_points() -> None:
    quote = find_quote(TEXT, "Це сталося 8 липня")
    assert TEXT[quote.start : quote.end] == quote.exact == "Це сталося 8 липня"
    assert quote.start == TEXT.index("Це сталося")  # str indices are code points
    assert quote.start != TEXT.encode("utf-16-le").index("Це сталося".encode("utf-16-le")) // 2
    assert quote.start != TEXT.encode().index("Це сталося".encode())
    assert quote.prefix == TEXT[quote.start - CONTEXT_CHARS : quote.start]
    assert quote.suffix == TEXT[quote.end : quote.end + CONTEXT_CHARS]
    assert len(quote.prefix) == len(quote.suffix) == CONTEXT_CHARS


def test_prefix_is_shorter_at_the_start_and_suffix_at_the_end() -> None:
    first = find_quote(TEXT, "😂 Міністр")
    assert (first.start, first.prefix) == (0, "")
    last = find_quote(TEXT, "It's  over.")
    assert last.end == len(TEXT)
    assert last.suffix == ""


def test_ambiguous_without_occurrence() -> None:
    with pytest.raises(QuoteError, match="occurs 2 times") as info:
        find_quote(TEXT, "Ворог запустив понад 40 ракет")  # noqa: RUF001
    assert "occurrence: N" in info.value.diagnostics()


@pytest.mark.parametrize("occurrence", [1, 2])
def test_occurrence_picks(occurrence: int) -> None:
    quote = find_quote(TEXT, "Ворог запустив понад 40 ракет", occurrence)  # noqa: RUF001
    starts = [i for i in range(len(TEXT)) if TEXT.startswith("Ворог запустив", i)]  # noqa: RUF001
    assert quote.start == starts[occurrence - 1]
    assert TEXT[quote.start : quote.end] == quote.exact


def test_occurrence_beyond_those_found() -> None:
    with pytest.raises(QuoteError, match="occurrence 3 asked for, but the quote occurs 2 times"):
        find_quote(TEXT, "Ворог запустив понад 40 ракет", 3)  # noqa: RUF001
    with pytest.raises(QuoteError, match=r"occurs 1 time$"):
        find_quote(TEXT, "Це сталося", 2)


def test_decomposed_quote_finds_composed_text() -> None:
    text = "The caf\u00e9 on Khreshchatyk was hit."
    quote = find_quote(text, "The cafe\u0301 on")
    assert quote.exact == "The caf\u00e9 on"
    assert (quote.start, quote.end) == (0, 11)


NOT_FOUND = [
    ("The enemy hit the “Okhmatdyt” hospital", 'The enemy hit the "Okhmatdyt" hospital'),
    ("8 липня - вранці", "8 липня — вранці"),
    ("8 липня – вранці", "8 липня — вранці"),  # noqa: RUF001
    ("twice. It's over", "twice.  It's  over"),
    ("It’s  over", "It's  over"),  # noqa: RUF001
    ("the ENEMY hit", "The enemy hit"),
    ("«ворог запустив понад 40 ракет»", "«Ворог запустив понад 40 ракет»"),  # noqa: RUF001
]


@pytest.mark.parametrize(
    ("pasted", "closest"),
    NOT_FOUND,
    ids=[
        "curly-quotes",
        "hyphen-for-em-dash",
        "en-dash",
        "single-spaces",
        "curly-apostrophe",
        "case",
        "ukrainian-case",
    ],
)
def test_not_found_shows_the_closest_passage(pasted: str, closest: str) -> None:
    with pytest.raises(QuoteError, match="quote not found") as info:
        find_quote(TEXT, pasted)
    assert f"«{closest}»" in info.value.diagnostics()
    assert closest_passage(TEXT, pasted) == closest


def test_nothing_close() -> None:
    with pytest.raises(QuoteError) as info:
        find_quote(TEXT, "completely unrelated words about the weather")
    assert "No passage of the text is close to it" in info.value.diagnostics()


def test_a_near_miss_is_shown_as_the_text_has_it() -> None:
    near = closest_passage(TEXT, 'The enemy struck the "Okhmatdyt" hospital')
    assert near is not None
    assert near in TEXT
    assert "Okhmatdyt" in near


@settings(max_examples=150, deadline=None)
@given(text=st.text(st.characters(codec="utf-8"), min_size=1, max_size=80), data=st.data())
def test_any_slice_found_selects_itself(text: str, data: st.DataObject) -> None:
    import unicodedata

    text = unicodedata.normalize("NFC", text)
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    exact = text[start:end]
    if unicodedata.normalize("NFC", exact) != exact:
        return  # a slice through a combining sequence is not something a person quotes
    count = sum(1 for i in range(len(text)) if text.startswith(exact, i))
    quote = find_quote(text, exact, data.draw(st.integers(1, count)) if count > 1 else None)
    assert text[quote.start : quote.end] == exact
    assert text[max(0, quote.start - len(quote.prefix)) : quote.start] == quote.prefix
    assert text[quote.end : quote.end + len(quote.suffix)] == quote.suffix
