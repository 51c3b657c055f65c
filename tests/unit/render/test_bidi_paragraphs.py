"""Right-to-left text of several lines inside the dossier's left-to-right pages: an Arabic
and a Hebrew statement (the facts, the claims table), their quotes in the footnotes and an
Arabic case title on the cover come back from ``pdftotext`` in reading order, first line
first, in every dress. The texts are the team's own
(tests/unit/render/data/right-to-left.yaml)."""

from __future__ import annotations

import re
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml
from reportlab.lib.enums import TA_JUSTIFY, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle

from evidence.case import Case
from evidence.render import render_dossier, template_names
from evidence.render.fonts import register_fonts
from evidence.render.markup import esc
from evidence.render.paragraph import Paragraph
from tests.unit.render.cases import Source, build_case
from tests.unit.render.pdf import tool

pytestmark = pytest.mark.skipif(tool("pdftotext") is None, reason="needs poppler-utils")

DATA: dict[str, Any] = yaml.safe_load(
    (Path(__file__).parent / "data" / "right-to-left.yaml").read_text(encoding="utf-8")
)
TEMPLATES = tuple(template_names())


@pytest.fixture(scope="module")
def rtl_case(tmp_path_factory: pytest.TempPathFactory) -> Case:
    root = tmp_path_factory.mktemp("rtl")
    items = []
    for s in DATA["sources"]:
        claim = {
            "key": f"flour-{s['language']}",
            "statement": s["statement"],
            "quote": s["quote"],
            "attributed_to": [{"name": s["speaker"]}],
            "category": "statement",
            "date": "2024-04-06",
            "status": "reported",
        }
        items.append(
            Source(
                s["file"],
                s["text"],
                {
                    "title": s["title"],
                    "publisher": s["publisher"],
                    "published": "2024-04-07",
                    "language": s["language"],
                },
                [claim],
            )
        )
    return build_case(root / "case", items, case_id="TEST-RTL", title=DATA["title"])


@pytest.fixture(scope="module")
def rtl_pdfs(rtl_case: Case) -> dict[str, Path]:
    return {
        name: render_dossier(rtl_case, template=name, actor="tester").path for name in TEMPLATES
    }


def _letters(text: str) -> str:
    """The right-to-left letters of ``text`` in the order given, after NFC: line order and
    the order within each line, without the spaces, digits and punctuation whose place
    poppler's extraction moves."""
    return "".join(
        c
        for c in unicodedata.normalize("NFC", text)
        if unicodedata.bidirectional(c) in ("R", "AL") and c.isalpha()
    )


def _one_embedding(line: str) -> bool:
    """Whether the whole line is one RLE ... PDF embedding (a page poppler reads as right
    to left; left-to-right runs are nested in it as LRE ... PDF)."""
    if not line.startswith("\u202b"):
        return False
    depth = 0
    for position, char in enumerate(line):
        depth += char in "\u202a\u202b"
        depth -= char == "\u202c"
        if depth == 0:
            return position == len(line) - 1
    return False


def _line_letters(line: str) -> str:
    """The right-to-left letters of one line of ``pdftotext`` in logical order. On a page
    poppler reads as right to left, a line comes whole between RLE and PDF, in logical
    order. On a left-to-right page, each right-to-left run comes between RLE and PDF in
    logical order, but runs cut at punctuation come in visual order, left to right: runs
    with no letter between them are one run, read from the right."""
    line = line.strip()
    if _one_embedding(line):
        return _letters(line)
    groups: list[list[str]] = [[]]
    for match in re.finditer("\u202b(.*?)\u202c|([^\u202b]+)", line):
        if match.group(1) is not None:
            groups[-1].append(match.group(1))
        elif any(c.isalpha() for c in match.group(2)):
            groups.append([])
    return "".join(_letters(run) for group in groups for run in reversed(group))


def _read(path: Path) -> str:
    """The right-to-left letters of the pages in reading order, as ``pdftotext`` gives
    them, line after line."""
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return "".join(_line_letters(line) for line in done.stdout.decode("utf-8").splitlines())


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("language", ["ar", "he"])
def test_a_long_statement_reads_from_its_first_line(
    rtl_pdfs: dict[str, Path], template: str, language: str
) -> None:
    source = next(s for s in DATA["sources"] if s["language"] == language)
    pages = _read(rtl_pdfs[template])
    assert _letters(source["statement"]) in pages
    # The quoted passage, in the source-text annex (footnotes cite it by position).
    assert _letters(source["quote"]) in pages


def test_the_arabic_title_reads_from_its_first_line(rtl_pdfs: dict[str, Path]) -> None:
    for template in TEMPLATES:
        assert _letters(DATA["title"]) in _read(rtl_pdfs[template]), template


def test_a_rerender_is_byte_identical(
    rtl_case: Case, rtl_pdfs: dict[str, Path], tmp_path: Path
) -> None:
    path = rtl_pdfs["icc-otp"]
    again = render_dossier(
        rtl_case, template="icc-otp", output=tmp_path / "again.pdf", actor="tester"
    )
    assert again.path.read_bytes() == path.read_bytes()


def test_lines_are_broken_before_they_are_reordered() -> None:
    """Unit: a right-to-left paragraph of three lines is set flush right, its lines broken
    in logical order (the first words on the first line), each drawn right to left."""
    fonts = register_fonts()
    style = ParagraphStyle("t", fontName=fonts.serif, fontSize=10, leading=12, alignment=TA_JUSTIFY)
    words = ["שלום", "עולם", "אחד", "שתיים", "שלוש", "ארבע"] * 3
    para = Paragraph(esc(" ".join(words)), style)
    para.wrap(120, 1000)
    assert para.rtl
    assert para.style.alignment == TA_RIGHT
    broken: Any = vars(para)["blPara"]  # reportlab's broken lines
    lines = broken.lines
    assert len(lines) >= 3
    first = (
        "".join(getattr(f, "text", "") for f in lines[0].words)
        if broken.kind
        else " ".join(lines[0][1])
    )
    assert first.split()[0] == words[0]  # logical order kept for breaking
    english = Paragraph("Plain English text.", style)
    assert not english.bidi
    assert english.style is style


def test_every_render_module_makes_paragraphs_through_the_bidi_aware_class() -> None:
    """A module that built reportlab's own Paragraph would print right-to-left text in
    logical order (decision 0323): only evidence.render.paragraph may construct it."""
    import ast
    from pathlib import Path

    import evidence.render

    offenders = []
    for path in sorted(Path(evidence.render.__file__).parent.glob("*.py")):
        if path.name == "paragraph.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "reportlab.platypus"
            ):
                for alias in node.names:
                    if alias.name == "Paragraph" and any(
                        isinstance(n, ast.Call)
                        and isinstance(n.func, ast.Name)
                        and n.func.id == (alias.asname or "Paragraph")
                        for n in ast.walk(tree)
                    ):
                        offenders.append(path.name)
    assert offenders == []
