"""Control and bidirectional characters (issue 11, item 6): refused in every field people
write, naming the field and the code point; shown as visible markers where we print."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidence._text import HIDDEN, find_hidden, visible
from evidence._yaml import load_yaml
from evidence.cli import main
from evidence.errors import YamlError
from evidence.render.markup import esc

HOSTILE = {
    "ESC": "\x1b",
    "BEL": "\x07",
    "NUL": "\x00",
    "C1-CSI": "\x9b",
    "RLO": "\u202e",
    "LRO": "\u202d",
    "RLE": "\u202b",
    "PDF": "\u202c",
    "RLI": "\u2067",
    "FSI": "\u2068",
    "PDI": "\u2069",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_yaml_fields_refuse_them(name: str) -> None:
    char = HOSTILE[name]
    escaped = f"\\u{ord(char):04x}"
    doc = f'claims:\n  - key: a\n    statement: "100{escaped} killed"\n'.encode()
    with pytest.raises(YamlError) as info:
        load_yaml(doc, path="claims/SRC-0001.yaml")
    assert f"U+{ord(char):04X}" in str(info.value)
    assert "/claims/0/statement" in str(info.value)
    assert info.value.line == 3


def test_yaml_keeps_tab_and_newline_and_refuses_keys() -> None:
    assert load_yaml(b"a: |\n  one\ttwo\n  three\n", path="x").data == {"a": "one\ttwo\nthree\n"}
    with pytest.raises(YamlError, match=r"U\+202E"):
        load_yaml(b'"k\\u202e": 1\n', path="x")


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["add", "{case}", "{file}", "--title", "100\u202e killed"], "--title"),
        (["add", "{case}", "{file}", "--author=Ann\x1b[2J"], "--author"),
        (["add", "{case}", "{file}", "--publisher", "Ring\x07"], "--publisher"),
        (["add", "{case}", "{file}", "--actor", "eve\u2067"], "--actor"),
        (["init", "{new}", "--title", "T\x9b"], "--title"),
    ],
    ids=["add-title-rlo", "add-author-esc", "add-publisher-bel", "actor-rli", "init-c1"],
)
def test_cli_options_refuse_them(
    argv: list[str],
    option: str,
    new_case: object,
    tmp_path: Path,
    seed_article: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    case = tmp_path / "case"
    custody = (case / "custody.jsonl").read_bytes()
    filled = [
        a.replace("{case}", str(case))
        .replace("{file}", str(seed_article))
        .replace("{new}", str(tmp_path / "new"))
        for a in argv
    ]
    assert main(filled) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"evidence: {option}: character ")
    assert "U+" in err
    assert find_hidden(err, allow="\n") is None  # the message shows the character, never applies it
    assert (case / "custody.jsonl").read_bytes() == custody
    assert not (tmp_path / "new").exists()


def test_check_refuses_a_claim_with_an_override(
    sealed_case: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    claims = sealed_case / "claims" / "SRC-0001.yaml"
    text = claims.read_text(encoding="utf-8")
    marker = "statement: "
    at = text.index(marker) + len(marker)
    claims.write_text(text[:at] + '"\\u202e"\n' + text[at:].split("\n", 1)[1], encoding="utf-8")
    code = main(["check", str(sealed_case)])
    out, err = capsys.readouterr()
    assert code in (1, 2)
    assert "U+202E (RIGHT-TO-LEFT OVERRIDE)" in out + err
    assert "/claims/0/statement" in out + err
    assert main(["seal", str(sealed_case)]) == 2


def test_visible_markers() -> None:
    assert visible("100\u202e killed") == "100⟨U+202E⟩ killed"
    assert visible("a\x1b[2Jb") == "a⟨U+001B⟩[2Jb"
    assert esc("100\u202e killed") == "100\u2039U+202E\u203a killed"
    assert esc("a\tb\x07") == "a b\u2039U+0007\u203a"


@given(st.text())
def test_visible_never_leaves_a_hidden_character(text: str) -> None:
    shown = visible(text, keep="")
    assert find_hidden(shown) is None
    assert visible(text.replace("\u27e8", "")).count("\u27e8") == len(
        [c for c in text.replace("\u27e8", "") if HIDDEN.match(c) and c != "\n"]
    )


def test_the_dossier_shows_an_override_and_never_applies_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An article keeps its U+202E (texts keep what they have); the dossier prints it as
    a marker, read back from the PDF with pdftotext."""
    import shutil
    import subprocess

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    case = tmp_path / "case"
    article = tmp_path / "bidi.txt"
    article.write_text(
        "date 2024-07-08 The strike left 100\u202e killed in the city, officials said.\n",
        encoding="utf-8",
    )
    assert main(["init", str(case), "--actor", "tester"]) == 0
    assert main(["add", str(case), str(article), "--title", "Bidi", "--actor", "tester"]) == 0
    (case / "claims" / "SRC-0001.yaml").write_text(
        "source: SRC-0001\nclaims:\n  - key: toll\n"
        "    statement: The strike killed people in the city.\n"
        '    quote: "killed in the city"\n    status: reported\n',
        encoding="utf-8",
    )
    assert main(["seal", str(case), "--actor", "tester"]) == 0
    pdf = tmp_path / "dossier.pdf"
    assert main(["render", str(case), "-o", str(pdf), "--actor", "tester"]) == 0
    capsys.readouterr()
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "100\u2039U+202E\u203a killed" in text
    assert "\u202e" not in text
