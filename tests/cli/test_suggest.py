# ruff: noqa: RUF001  (the text is Ukrainian and Russian on purpose)
"""`evidence suggest DIR SRC-ID [--write]` on the command line.

Exit codes: 0 when it ran (with or without suggestions), 2 when it could not (no such
case, no such source, a source without text, an edited suggestions file): one clear
line on stderr, no traceback, and nothing written.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from evidence.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def test_without_write_the_suggestions_are_printed_and_nothing_is_written(
    sealed_case: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _tree(sealed_case)
    code, out, err = run(capsys, "suggest", str(sealed_case), "SRC-0001")
    assert code == 0
    doc = yaml.safe_load(out)
    assert doc["source"] == "SRC-0001"
    assert doc["claims"]
    assert "not written (add --write" in err
    assert _tree(sealed_case) == before


def test_write_then_check(sealed_case: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "suggest", str(sealed_case), "SRC-0001", "--write")
    assert code == 0
    assert out.startswith("wrote claims/SRC-0001.suggested.yaml:")
    assert "src-0001-" in out
    code, out, _ = run(capsys, "check", str(sealed_case))
    assert code == 0, out
    code, out, _ = run(capsys, "suggest", str(sealed_case), "SRC-0001", "--write")
    assert code == 0
    assert out.startswith("replaced claims/SRC-0001.suggested.yaml")


def test_an_edited_file_is_refused_with_one_line(
    sealed_case: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "suggest", str(sealed_case), "SRC-0001", "--write")
    path = sealed_case / "claims" / "SRC-0001.suggested.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# my note\n", encoding="utf-8")
    before = _tree(sealed_case)
    code, out, err = run(capsys, "suggest", str(sealed_case), "SRC-0001", "--write")
    assert code == 2
    assert out == ""
    assert err.startswith("evidence: claims/SRC-0001.suggested.yaml: was edited after")
    assert "Traceback" not in err
    assert _tree(sealed_case) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["SRC-0042"], "no source SRC-0042 in the case (sources: SRC-0001)"),
        (["SRC-1"], "'SRC-1' is not a source id"),
    ],
    ids=["unknown source", "malformed id"],
)
def test_bad_source_ids(
    sealed_case: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    before = _tree(sealed_case)
    code, out, err = run(capsys, "suggest", str(sealed_case), *args, "--write")
    assert code == 2
    assert out == ""
    assert message in err
    assert "Traceback" not in err
    assert _tree(sealed_case) == before


def test_not_a_case_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "suggest", str(tmp_path), "SRC-0001")
    assert code == 2
    assert "not a case folder" in err


def test_a_text_with_nothing_to_claim(
    new_case: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = tmp_path / "quiet.txt"
    article.write_text("A quiet day in the park.\n", encoding="utf-8")
    case_dir = tmp_path / "case"
    assert run(capsys, "add", str(case_dir), str(article))[0] == 0
    code, out, _ = run(capsys, "suggest", str(case_dir), "SRC-0001", "--write")
    assert code == 0
    assert out.strip() == "no candidate claims in SRC-0001 (1 sentence(s) read); nothing written"
    assert not list((case_dir / "claims").iterdir())


def test_in_a_real_process(sealed_case: Path) -> None:
    env = {**os.environ, "EVIDENCE_ACTOR": "tester"}
    done = subprocess.run(
        [sys.executable, "-m", "evidence", "suggest", str(sealed_case), "SRC-0001", "--write"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (sealed_case / "claims" / "SRC-0001.suggested.yaml").is_file()


# Team-written texts: a report in a language the rules do not read gets no suggestions,
# and the command says why (issue 19, item 5), whether the record declares the language
# or only the text shows it.
OTHER_LANGUAGES = [
    (
        "fr",
        "Une frappe de missile a touché un hôpital de Kyiv ce matin. Selon la police, "
        "au moins sept personnes ont été tuées et vingt blessées.",
        "in French",
    ),
    (
        "ar",
        "أصاب صاروخ روسي مستشفى للأطفال في كييف صباح اليوم، وقالت الشرطة إن سبعة "
        "أشخاص على الأقل قتلوا وأصيب عشرون.",
        "in a script the rules do not read",
    ),
    (
        "es",
        "Un misil alcanzó un hospital infantil en Kyiv esta mañana. La policía dijo que "
        "al menos siete personas murieron y veinte resultaron heridas.",
        "in Spanish",
    ),
]


@pytest.mark.parametrize(
    ("code", "text", "said"), OTHER_LANGUAGES, ids=[c for c, _, _ in OTHER_LANGUAGES]
)
@pytest.mark.parametrize("declared", [False, True], ids=["detected", "declared"])
def test_another_language_gets_nothing_and_says_why(
    new_case: object,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    code: str,
    text: str,
    said: str,
    declared: bool,
) -> None:
    article = tmp_path / f"{code}.txt"
    head = f"---\ntitle: Report\nlanguage: {code}\n---\n" if declared else ""
    article.write_text(head + text + "\n", encoding="utf-8")
    case_dir = tmp_path / "case"
    assert run(capsys, "add", str(case_dir), str(article))[0] == 0
    code_, out, err = run(capsys, "suggest", str(case_dir), "SRC-0001", "--write")
    assert code_ == 0
    assert "suggest reads English, Ukrainian and Russian" in err
    assert ("in Arabic" if declared and code == "ar" else said) in err
    assert "nothing written" in out
    assert not list((case_dir / "claims").iterdir())


def test_a_ukrainian_text_declared_as_such_is_read(
    new_case: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = tmp_path / "uk.txt"
    article.write_text(
        "---\ntitle: Звіт\nlanguage: uk-UA\n---\nУнаслідок удару по Харкову "
        "загинули троє людей, повідомив голова ОВА Олег Синєгубов.\n",
        encoding="utf-8",
    )
    case_dir = tmp_path / "case"
    assert run(capsys, "add", str(case_dir), str(article))[0] == 0
    code, out, _ = run(capsys, "suggest", str(case_dir), "SRC-0001")
    assert code == 0
    doc = yaml.safe_load(out)
    [claim] = doc["claims"]
    assert claim["facts"]["killed"]["value"] == 3
    assert claim["attributed_to"][0]["name"] == "Олег Синєгубов"
