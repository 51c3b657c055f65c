"""Articles as text: decoding, NFC and LF, the seed's date token, YAML front matter."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from evidence.errors import InputError
from evidence.ingest.text import decode_text, normalise_text, parse_article

CORE = Path(__file__).parents[2] / "data" / "core"


def test_the_seed_article(seed_article: Path) -> None:
    data = seed_article.read_bytes()
    assert data.startswith(b" date 2024-07-08 Defence Minister")
    article = parse_article(data, path=seed_article.name)
    assert article.meta == {"published": "2024-07-08"}
    assert article.text.startswith("Defence Minister Rustam Umierov called on allies")
    assert "date 2024-07-08" not in article.text
    assert article.text.endswith("in Russia's morning attack on Ukraine.")
    assert "took the leading 'date 2024-07-08' token out of the text" in article.transformations
    assert "normalised to Unicode NFC with LF line ends" in article.transformations


def test_front_matter_goes_into_the_metadata() -> None:
    article = parse_article((CORE / "article_front_matter.md").read_bytes(), path="a.md")
    assert article.meta == {
        "title": "Hospital repairs begin in Kyiv",
        "url": "https://ledger.example.org/2024/07/10/hospital-repairs",
        "publisher": "Kyiv Ledger (team-written test article)",
        "authors": ["Olena Tkachenko", "Mark Ivanenko"],
        "published": "2024-07-10",
        "language": "en",
    }
    assert article.text.startswith("Repair crews began work on Tuesday")
    assert "---" not in article.text
    assert "took the YAML front matter out of the text into the record" in (article.transformations)


def test_bom_crlf_and_decomposed_letters() -> None:
    article = parse_article((CORE / "article_bom_crlf_nfd.txt").read_bytes(), path="a.txt")
    assert article.meta == {"published": "2024-07-09"}
    assert article.text == (
        "Caf\u00e9 owners in Podil counted broken windows.\n"
        "The na\u00efve hope was that the glass would hold.\n"
    )
    assert unicodedata.is_normalized("NFC", article.text)
    assert "\r" not in article.text
    assert "\ufeff" not in article.text
    assert article.transformations[0] == "removed the UTF-8 byte order mark"


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("a\r\nb\r\n", "a\nb\n"),
        ("a\rb\r", "a\nb\n"),
        ("a\r\n\r\nb", "a\n\nb"),
        ("e\u0301", "\u00e9"),
        ("\u1e9b\u0323", "\u1e9b\u0323"),
        ("\u212b", "\u00c5"),
        ("ї", "ї"),
        ("\u0438\u0306", "\u0439"),
    ],
    ids=[
        "crlf",
        "cr",
        "blank-line",
        "combining-acute",
        "nfc-not-nfkc",
        "angstrom",
        "ukrainian-yi",
        "decomposed-short-i",
    ],
)
def test_normalise_text(raw: str, text: str) -> None:
    assert normalise_text(raw) == text


def test_invalid_utf8_names_byte_and_line() -> None:
    data = (CORE / "article_cp1251.txt").read_bytes()
    with pytest.raises(InputError) as info:
        parse_article(data, path="article_cp1251.txt")
    assert str(info.value) == "article_cp1251.txt: not valid utf-8 at byte 0 (line 1)"
    assert "--encoding" in info.value.diagnostics()
    later = b"line one\nline two\nthird \xff line\n"
    with pytest.raises(InputError, match=r"at byte 24 \(line 3\)"):
        parse_article(later, path="x.txt")


def test_declared_encoding_is_used_and_recorded() -> None:
    data = (CORE / "article_cp1251.txt").read_bytes()
    article = parse_article(data, path="a.txt", encoding="windows-1251")
    assert article.text.startswith("Київ, 9 липня. Міська адміністрація")
    assert "«Навчання продовжиться дистанційно», — сказала речниця." in article.text
    assert article.transformations[0] == "decoded from cp1251"


def test_declared_encoding_that_does_not_fit() -> None:
    with pytest.raises(InputError, match="not valid ascii at byte 0"):
        parse_article("Київ".encode(), path="a.txt", encoding="ascii")


def test_unknown_encoding() -> None:
    with pytest.raises(InputError, match="unknown text encoding 'klingon-8'"):
        decode_text(b"text", path="a.txt", encoding="klingon-8")


def test_utf8_named_explicitly_is_the_default() -> None:
    assert decode_text(b"\xef\xbb\xbfok", path="a", encoding="UTF8") == (
        "ok",
        ["removed the UTF-8 byte order mark"],
    )


@pytest.mark.parametrize(
    "data",
    [
        b" \n\t\r\n",
        b"date 2024-07-08",
        b"date 2024-07-08   \n",
        b"---\ntitle: T\n---\n",
        b"---\ntitle: T\n---\n date 2024-07-08 \n",
    ],
    ids=["whitespace", "date-only", "date-and-spaces", "front-matter-only", "both-only"],
)
def test_no_text_at_all(data: bytes) -> None:
    with pytest.raises(InputError, match="the file has no text"):
        parse_article(data, path="a.txt")


@pytest.mark.parametrize(
    ("data", "published", "starts"),
    [
        (b"date 2024-07-08 Text.", "2024-07-08", "Text."),
        (b"  date 2024-07-08\nText.", "2024-07-08", "Text."),
        (b"date: 2024-07-08 Text.", None, "date: 2024-07-08"),
        (b"The date 2024-07-08 is in the text.", None, "The date"),
        (b"dated 2024-07-08 Text.", None, "dated"),
        (b"date 2024-7-8 Text.", None, "date 2024-7-8"),
    ],
    ids=[
        "token",
        "leading-space-newline",
        "colon-is-not-the-token",
        "mid-text",
        "dated",
        "short-date",
    ],
)
def test_the_date_token_only_at_the_start(data: bytes, published: str | None, starts: str) -> None:
    article = parse_article(data, path="a.txt")
    assert article.meta.get("published") == published
    assert article.text.startswith(starts)


def test_front_matter_date_wins_over_the_date_token() -> None:
    article = parse_article(b"---\npublished: 2024-07-10\n---\ndate 2024-07-08 Text.", path="a.md")
    assert article.meta["published"] == "2024-07-10"
    assert article.text == "Text."


@pytest.mark.parametrize(
    ("data", "message", "line"),
    [
        (b"---\ntitle: T\ncolour: red\n---\nText.", "unknown front-matter field 'colour'", 3),
        (b"---\ntitle: T\ntitle: U\n---\nText.", "duplicate key 'title'", 3),
        (b"---\ntitle: T\nauthors: [A, B\n---\nText.", "YAML syntax error", 4),
        (b"---\n- a list\n---\nText.", "front matter must be a YAML mapping", 2),
        (b"---\ntitle: T\nlanguage: English (UK)\n---\nText.", "/language", None),
        (b"---\ntitle: T\npublished: yesterday\n---\nText.", "/published", None),
    ],
    ids=["unknown-field", "duplicate-key", "syntax", "not-a-mapping", "bad-language", "bad-date"],
)
def test_front_matter_errors_name_the_file_line(
    data: bytes, message: str, line: int | None
) -> None:
    with pytest.raises(InputError, match=message) as info:
        parse_article(data, path="article.md")
    assert info.value.path == "article.md"
    if line is not None:
        assert info.value.line == line, "the line of the file, not of the front-matter block"


def test_a_rule_that_is_not_front_matter_stays_text() -> None:
    article = parse_article(b"Text above.\n---\ntitle: not front matter\n---\n", path="a.md")
    assert article.meta == {}
    assert article.text.startswith("Text above.")
