"""HTML pages as sources: charset rules, main-text extraction, metadata, refusals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.case import Case
from evidence.cli import main
from evidence.errors import InputError
from evidence.ingest.add import add_source
from evidence.ingest.html import decode_html, extract_html
from evidence.model import SourceBody
from evidence.verify import verify_case

WEB = Path(__file__).parents[2] / "data" / "web"
LEDGER = WEB / "ledger-2024-07-10-hospital-repairs.html"
KYIV = WEB / "kyiv-city-2024-07-09-windows.html"
INDEX = WEB / "ledger-section-index.html"

# Ukrainian on purpose: Cyrillic letters that look like Latin ones are the point.
UK = "Мешканці отримають плівку та фанеру; ґанок і їжак"  # noqa: RUF001
PAGE = (
    '<!DOCTYPE html><html lang="uk"><head>{decl}<title>T</title></head><body><article>'
    "<p>{text}. Ремонтні бригади почали роботу у середу вранці.</p></article></body>"  # noqa: RUF001
    "</html>"
)


def _page(text: str, decl: str = "") -> str:
    return PAGE.format(decl=decl, text=text)


def _snapshot(root: Path) -> dict[str, int]:
    return {
        str(p.relative_to(root)): p.stat().st_size
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


# -- extraction ---------------------------------------------------------------------------


def test_main_text_keeps_the_article_and_leaves_boilerplate_out() -> None:
    found = extract_html(LEDGER.read_bytes(), path=LEDGER.name)
    assert found.text is not None
    assert "more than 600 broken windows" in found.text
    assert found.text.startswith("Repairs begin at children's hospital")
    for boilerplate in (
        "cookies",
        "Subscribe",
        "Related articles",
        "Weekend football",
        "reader42",
        "First!",
        "Privacy policy",
        "Share on social media",
        "4 min read",
        "window.analytics",
        "display: flex",
        "not a real publication.\n\n",
    ):
        assert boilerplate not in found.text, boilerplate


def test_metadata_comes_from_the_markup() -> None:
    found = extract_html(LEDGER.read_bytes(), path=LEDGER.name)
    assert found.meta == {
        "title": "Repairs begin at children's hospital after missile strike",
        "authors": ["Mara Testova"],
        "published": "2024-07-10",
        "publisher": "The Example Ledger",
        "canonical_url": "https://ledger.example.org/world/2024/07/10/hospital-repairs-begin",
        "language": "en",
    }
    assert any("trafilatura" in note for note in found.notes)


def test_a_ukrainian_page_keeps_its_language_and_is_nfc() -> None:
    found = extract_html(KYIV.read_bytes(), path=KYIV.name)
    assert found.meta["language"] == "uk"
    assert found.text is not None
    assert "щонайменше 120 вікон" in found.text
    assert "Прогноз погоди" not in found.text


def test_publication_date_is_never_guessed_from_running_text() -> None:
    page = (
        b"<html><body><article><p>On 3 March 2021 the first report was filed, and the "
        b"building has stood empty since then, residents said.</p></article></body>"
        b"</html>"
    )
    found = extract_html(page, path="p.html")
    assert "published" not in found.meta


def test_a_date_after_now_is_impossible() -> None:
    page = LEDGER.read_bytes()
    before = extract_html(page, path="p.html", now=dt.datetime(2024, 7, 1, tzinfo=dt.UTC))
    assert before.meta.get("published") != "2024-07-10"


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        pytest.param(
            _page(UK, '<meta charset="utf-8">').encode("utf-8"), "utf-8", id="meta-charset-utf-8"
        ),
        pytest.param(
            _page(UK, '<meta charset="windows-1251">').encode("cp1251"),
            "cp1251",
            id="meta-charset-windows-1251",
        ),
        pytest.param(
            _page(
                UK, '<meta http-equiv="Content-Type" content="text/html; charset=koi8-u">'
            ).encode("koi8_u"),
            "koi8-u",
            id="http-equiv-koi8-u",
        ),
        pytest.param(
            ('<?xml version="1.0" encoding="windows-1251"?>' + _page(UK)).encode("cp1251"),
            "cp1251",
            id="xml-declaration",
        ),
        pytest.param(b"\xef\xbb\xbf" + _page(UK).encode("utf-8"), "utf-8", id="bom-utf-8"),
        pytest.param(b"\xff\xfe" + _page(UK).encode("utf-16-le"), "utf-16-le", id="bom-utf-16-le"),
        pytest.param(_page(UK).encode("utf-8"), "utf-8", id="undeclared-utf-8"),
        pytest.param(
            _page(UK, '<!-- <meta charset="latin1"> --><meta charset="utf-8">').encode("utf-8"),
            "utf-8",
            id="commented-out-declaration-ignored",
        ),
    ],
)
def test_charset_rules(page: bytes, expected: str) -> None:
    text, notes = decode_html(page, path="p.html")
    assert UK in text
    assert expected in notes[0].lower()


def test_latin1_label_means_windows_1252_as_in_browsers() -> None:
    page = (
        '<html><head><meta charset="iso-8859-1"></head><body><p>\u201cquoted\u201d '
        "text</p></body></html>"
    ).encode("cp1252")
    text, _ = decode_html(page, path="p.html")
    assert "\u201cquoted\u201d" in text


def test_the_http_header_wins_over_the_meta_tag_and_the_conflict_is_noted() -> None:
    page = _page(UK, '<meta charset="koi8-u">').encode("utf-8")
    text, notes = decode_html(page, path="p.html", transport="utf-8")
    assert UK in text
    assert any("the HTTP header says utf-8" in note for note in notes)


@pytest.mark.parametrize(
    ("page", "transport", "message"),
    [
        pytest.param(
            _page(UK, '<meta charset="windows-1251">').encode("utf-8"),
            None,
            "declares charset windows-1251 in its <meta> tag (line 1), but its bytes are UTF-8",
            id="meta-says-1251-bytes-are-utf-8",
        ),
        pytest.param(
            _page(UK, '<meta charset="utf-8">').encode("cp1251"),
            None,
            "declares charset utf-8 in its <meta> tag (line 1), but byte",
            id="meta-says-utf-8-bytes-are-1251",
        ),
        pytest.param(
            _page(UK, '<meta charset="klingon">').encode("utf-8"),
            None,
            "declares charset 'klingon'",
            id="unknown-label",
        ),
        pytest.param(
            _page(UK).encode("cp1251"),
            None,
            "declares no charset and is not UTF-8",
            id="undeclared-not-utf-8",
        ),
        pytest.param(
            _page(UK).encode("cp1251"),
            "utf-8",
            "in the HTTP Content-Type header, but byte",
            id="header-says-utf-8",
        ),
        pytest.param(
            _page(UK).encode("utf-8"),
            "koi8-u",
            "but its bytes are UTF-8",
            id="header-says-koi8-bytes-are-utf-8",
        ),
    ],
)
def test_a_lying_or_unknown_charset_is_refused(
    page: bytes, transport: str | None, message: str
) -> None:
    with pytest.raises(InputError) as caught:
        decode_html(page, path="p.html", transport=transport)
    assert message in str(caught.value)
    assert "--encoding" in caught.value.diagnostics()


def test_encoding_option_overrides_a_lying_declaration() -> None:
    page = _page(UK, '<meta charset="windows-1251">').encode("utf-8")
    text, notes = decode_html(page, path="p.html", encoding="utf-8")
    assert UK in text
    assert notes == ["decoded from utf-8, as the user said (--encoding)"]


def test_encoding_option_that_does_not_fit_is_refused() -> None:
    with pytest.raises(InputError, match=r"byte \d+ \(line 1\) is not valid utf-8"):
        decode_html(_page(UK).encode("cp1251"), path="p.html", encoding="utf-8")


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=80
    ),
    codec=st.sampled_from(["utf-8", "cp1251", "koi8_u", "cp1252"]),
)
def test_declared_encoding_round_trips(text: str, codec: str) -> None:
    try:
        page = _page(text, f'<meta charset="{codec.replace("_", "-")}">').encode(codec)
    except UnicodeEncodeError:
        return  # the text cannot be written in that encoding at all
    if codec != "utf-8" and not page.isascii():
        try:
            page.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return  # indistinguishable from UTF-8: refused by design (tested above)
    decoded, _ = decode_html(page, path="p.html")
    assert decoded == _page(text, f'<meta charset="{codec.replace("_", "-")}">')


@pytest.mark.parametrize(
    ("page", "message"),
    [
        pytest.param(INDEX.read_bytes(), "no article text in the page", id="section-index"),
        pytest.param(
            b"<html><body><nav><a href='/'>Home</a></nav></body></html>",
            "no article text",
            id="menu-only",
        ),
        pytest.param(
            b"<html><head><title>x</title></head><body></body></html>",
            "no article text in the page",
            id="empty-body",
        ),
        pytest.param(b"<html><body><div><span><p><b><i>", "no article text", id="only-open-tags"),
        pytest.param(
            LEDGER.read_bytes().replace(b"Repair crews", b"Repair\x00crews"),
            "not an HTML document: a NUL character at line",
            id="nul-byte",
        ),
    ],
)
def test_malformed_or_empty_pages_are_refused(page: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        extract_html(page, path="p.html")


def test_a_page_cut_mid_tag_is_repaired_and_read() -> None:
    data = LEDGER.read_bytes()
    cut = data[: data.index(b"According to the spokesperson") + 40] + b'<p class="x'
    found = extract_html(cut, path="cut.html")
    assert found.text is not None
    assert "more than 600 broken windows" in found.text


# -- through add --------------------------------------------------------------------------


def test_add_keeps_the_raw_html_and_the_extracted_text(new_case: Case, now: dt.datetime) -> None:
    added = add_source(new_case, LEDGER, actor="analyst", now=now)
    body = added.record.body
    assert isinstance(body, SourceBody)
    assert body.media_type == "text/html"
    assert new_case.objects.read(body.object.blake3) == LEDGER.read_bytes()
    assert body.text is not None
    text = new_case.objects.read(body.text.blake3).decode("utf-8")
    assert text == extract_html(LEDGER.read_bytes(), path="x").text
    assert (
        body.url
        == body.canonical_url
        == "https://ledger.example.org/world/2024/07/10/hospital-repairs-begin"
    )
    assert body.published == "2024-07-10"
    assert body.publisher == "The Example Ledger"
    assert body.capture.method == "manual-file"
    assert any("trafilatura" in t for t in body.capture.transformations)
    assert verify_case(new_case.root).ok


def test_add_overrides_win_over_the_page(new_case: Case, now: dt.datetime) -> None:
    added = add_source(
        new_case,
        LEDGER,
        actor="analyst",
        now=now,
        overrides={"url": "https://archive.example/ledger", "title": "Mine"},
    )
    body = added.record.body
    assert isinstance(body, SourceBody)
    assert (body.url, body.title) == ("https://archive.example/ledger", "Mine")
    assert body.canonical_url is not None


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(INDEX.read_bytes(), id="no-article-text"),
        pytest.param(
            _page(UK, '<meta charset="windows-1251">').encode("utf-8"), id="lying-charset"
        ),
        pytest.param(b"<!DOCTYPE html><html>\x00\x01\x02binary", id="binary"),
    ],
)
def test_a_refused_page_leaves_nothing_behind(
    new_case: Case, tmp_path: Path, data: bytes, now: dt.datetime
) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(data)
    before = _snapshot(new_case.root)
    with pytest.raises(InputError):
        add_source(new_case, page, actor="analyst", now=now)
    assert _snapshot(new_case.root) == before


def test_no_text_keeps_a_page_without_article_as_bytes(new_case: Case, now: dt.datetime) -> None:
    added = add_source(new_case, INDEX, actor="analyst", now=now, no_text=True)
    body = added.record.body
    assert isinstance(body, SourceBody)
    assert body.text is None
    assert body.media_type == "text/html"
    assert "--no-text" in body.capture.transformations[0]


def test_cli_refuses_a_lying_charset_then_takes_the_user_s_word(
    new_case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "lying.html"
    page.write_bytes(_page(UK, '<meta charset="windows-1251">').encode("utf-8"))
    assert main(["add", str(new_case.root), str(page)]) == 2
    err = capsys.readouterr().err
    assert "declares charset windows-1251" in err
    assert "Traceback" not in err
    assert main(["add", str(new_case.root), str(page), "--encoding", "utf-8"]) == 0
    out = capsys.readouterr().out
    assert "SRC-0001" in out
    assert "text/html" in out
    assert "with text" in out


def test_the_same_page_again_is_the_same_source_before_any_reading(
    new_case: Case, tmp_path: Path, now: dt.datetime
) -> None:
    page = tmp_path / "lying.html"
    page.write_bytes(_page(UK, '<meta charset="windows-1251">').encode("utf-8"))
    first = add_source(new_case, page, encoding="utf-8", actor="analyst", now=now)
    again = add_source(new_case, page, actor="analyst", now=now)  # would be refused if read
    assert again.existed
    assert again.record.id == first.record.id
