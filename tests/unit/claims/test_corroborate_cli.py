"""`evidence corroborate DIR [--json]` on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evidence.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_ledger_of_the_example_case(sealed_case: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "corroborate", str(sealed_case))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "ledger of UKR-OKH-2024 as of seal 1: 16 claim(s) in 15 group(s)"
    assert any(line.startswith("victims · 2024-07-03 · Dnipro — single") for line in lines)
    assert any("missiles_launched · 2024-07-08" in line for line in lines)
    # one article never corroborates itself, whoever its claims come from
    assert "suggest corroborated" not in out


def test_json(sealed_case: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "corroborate", str(sealed_case), "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["case"] == "UKR-OKH-2024"
    assert doc["seal"] == 1
    assert doc["claims"] == 16
    first = doc["groups"][0]
    assert {"kind", "subject", "date", "places", "verdict", "independent_origins",
            "entries"} <= set(first)


def test_before_the_first_seal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "init", str(tmp_path / "c"))[0] == 0
    code, out, err = run(capsys, "corroborate", str(tmp_path / "c"))
    assert code == 2
    assert out == ""
    assert "no seal yet" in err
    assert "evidence seal" in err
