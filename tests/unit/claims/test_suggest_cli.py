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
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != ".lock"}


def test_without_write_the_suggestions_are_printed_and_nothing_is_written(
        sealed_case: Path, capsys: pytest.CaptureFixture[str]) -> None:
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


def test_an_edited_file_is_refused_with_one_line(sealed_case: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
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


@pytest.mark.parametrize(("args", "message"), [
    (["SRC-0042"], "no source SRC-0042 in the case (sources: SRC-0001)"),
    (["SRC-1"], "'SRC-1' is not a source id"),
], ids=["unknown source", "malformed id"])
def test_bad_source_ids(sealed_case: Path, capsys: pytest.CaptureFixture[str],
                        args: list[str], message: str) -> None:
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


def test_a_text_with_nothing_to_claim(new_case: object, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
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
    done = subprocess.run([sys.executable, "-m", "evidence", "suggest", str(sealed_case),
                           "SRC-0001", "--write"], capture_output=True, text=True, env=env,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert (sealed_case / "claims" / "SRC-0001.suggested.yaml").is_file()
