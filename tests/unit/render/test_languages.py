"""The dossier in the six UN languages and two further scripts: a report in each of Arabic,
Chinese, English, French, Russian, Spanish and Amharic (Ethiopic) comes back from the
annex of source texts, as ``pdftotext`` reads it; every font is embedded; and a script no
shipped font covers (Burmese) is printed as ‹U+XXXX› markers and listed in the integrity
annex. The texts are the team's own (tests/unit/render/data/un-languages.yaml).

The case is built once per session and rendered once in each template."""

from __future__ import annotations

import re
import subprocess
import unicodedata
from pathlib import Path

import pytest

from evidence.case import Case
from evidence.render import render_dossier, template_names
from evidence.render.scripts import base_is_rtl
from tests.unit.render.cases import multilingual_case, multilingual_data
from tests.unit.render.pdf import fonts, outline_pages, squeeze, tool

pytestmark = pytest.mark.skipif(tool("pdftotext") is None, reason="needs poppler-utils")

TEMPLATES = tuple(template_names())
PRINTED = [s for s in multilingual_data() if s["language"] != "my"]
# poppler marks a right-to-left run it puts back in logical order with RLE ... PDF.
_RUN = re.compile("\u202b(.*?)\u202c", re.DOTALL)


@pytest.fixture(scope="session")
def scripts_case(tmp_path_factory: pytest.TempPathFactory) -> Case:
    return multilingual_case(tmp_path_factory.mktemp("scripts") / "case")


@pytest.fixture(scope="session")
def scripts_pdfs(scripts_case: Case) -> dict[str, Path]:
    return {
        name: render_dossier(scripts_case, template=name, actor="tester").path for name in TEMPLATES
    }


def _pdftotext(path: Path, first: int = 1, last: int = 0) -> str:
    args = ["pdftotext", "-enc", "UTF-8", "-f", str(first)]
    if last:
        args += ["-l", str(last)]
    done = subprocess.run([*args, str(path), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def _source_annex(path: Path) -> str:
    """The text of the annex of source texts (its pages, by the outline)."""
    pages = sorted(outline_pages(path).items(), key=lambda item: item[1])
    for index, (title, start) in enumerate(pages):
        if "quoted passages" in title:
            end = pages[index + 1][1] if index + 1 < len(pages) else 0
            return _pdftotext(path, start, end)
    raise AssertionError(f"no annex of source texts in the outline of {path.name}: {pages}")


def _logical(line: str) -> str:
    """A line of a right-to-left paragraph in logical order. poppler prints a line left to
    right, each right-to-left run already in logical order between RLE and PDF; the runs
    of a right-to-left line are read from the right."""
    if "\u202b" not in line:
        return line
    parts: list[str] = []
    position = 0
    for match in _RUN.finditer(line):
        parts.append(line[position : match.start()])
        parts.append(match.group(1))
        position = match.end()
    parts.append(line[position:])
    return "".join(reversed(parts))


def _readable(text: str, *, rtl: bool) -> str:
    lines = text.splitlines()
    if rtl:
        lines = [_logical(line) for line in lines]
    return squeeze(unicodedata.normalize("NFC", "".join(lines)))


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("source", PRINTED, ids=[s["language"] for s in PRINTED])
def test_the_quoted_passage_comes_back_from_the_annex(
    scripts_pdfs: dict[str, Path], template: str, source: dict[str, str]
) -> None:
    annex = _source_annex(scripts_pdfs[template])
    quote = squeeze(unicodedata.normalize("NFC", source["quote"]))
    assert quote in _readable(annex, rtl=base_is_rtl(source["text"]))
    # The whole text, not just the quote: no character dropped anywhere in the source.
    text = squeeze(unicodedata.normalize("NFC", source["text"]))
    assert text[:40] in _readable(annex, rtl=base_is_rtl(source["text"]))


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_font_is_embedded(scripts_pdfs: dict[str, Path], template: str) -> None:
    used = fonts(scripts_pdfs[template])
    assert all(used.values()), used
    names = " ".join(used)
    for family in ("NotoNaskhArabic", "LXGWWenKai", "NotoSerifEthiopic", "LiberationSerif"):
        assert family in names, used


def test_pdffonts_lists_only_embedded_subsets(scripts_pdfs: dict[str, Path]) -> None:
    if tool("pdffonts") is None:
        pytest.skip("needs poppler-utils")
    listing = subprocess.run(
        ["pdffonts", str(scripts_pdfs["icc-otp"])], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert listing
    for row in listing:
        assert re.search(r"\byes\s+yes\s+yes\b", row), row  # embedded, subset, ToUnicode


def test_a_script_no_font_covers_is_marked_and_listed(scripts_pdfs: dict[str, Path]) -> None:
    burmese = next(s for s in multilingual_data() if s["language"] == "my")
    whole = _pdftotext(scripts_pdfs["icc-otp"])
    first = burmese["text"][0]
    assert f"\u2039U+{ord(first):04X}\u203a" in _source_annex(scripts_pdfs["icc-otp"])
    flat = " ".join(whole.split())
    assert "Characters this dossier could not print" in flat
    assert re.search(r"Myanmar: (‹U\+10[0-9A-F]{2}› ?)+, in SRC-0008, CLM-0008", flat), flat


def test_the_render_result_names_them(scripts_case: Case, tmp_path: Path) -> None:
    result = render_dossier(
        scripts_case, template="icc-otp", output=tmp_path / "d.pdf", actor="tester"
    )
    assert {item.script for item in result.unprintable} == {"Myanmar"}
    assert {place for item in result.unprintable for place in item.places} == {
        "SRC-0008",
        "CLM-0008",
    }


def test_a_rerender_is_byte_identical(
    scripts_case: Case, scripts_pdfs: dict[str, Path], tmp_path: Path
) -> None:
    again = render_dossier(
        scripts_case, template="un-report", output=tmp_path / "again.pdf", actor="tester"
    )
    assert again.path.read_bytes() == scripts_pdfs["un-report"].read_bytes()
