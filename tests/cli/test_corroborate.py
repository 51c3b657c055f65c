"""`evidence corroborate DIR [--json]` on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from evidence.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_ledger_of_the_example_case(
    sealed_case: Path, capsys: pytest.CaptureFixture[str]
) -> None:
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
    assert {
        "kind",
        "subject",
        "date",
        "places",
        "verdict",
        "independent_origins",
        "entries",
    } <= set(first)


def test_before_the_first_seal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "init", str(tmp_path / "c"))[0] == 0
    code, out, err = run(capsys, "corroborate", str(tmp_path / "c"))
    assert code == 2
    assert out == ""
    assert "no seal yet" in err
    assert "evidence seal" in err


DATES = Path(__file__).parents[1] / "data" / "suggest" / "dates"


def test_three_pages_with_rising_counts_through_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The team's three pages (issue 18), added, suggested on and accepted as an analyst
    would, then sealed: the ledger puts the counts in the order of the hours they are
    stated for, across three outlets and three origins, and calls it growth."""
    monkeypatch.setenv("EVIDENCE_ACTOR", "analyst")
    case = tmp_path / "case"
    assert run(capsys, "init", str(case), "--id", "VIN-T", "--ern-prefix", "VIN")[0] == 0
    pages = [
        ("en-01-vinnytsia-updates.txt", ["--published", "2025-03-12T08:50:00Z"]),
        ("uk-01-vinnytsia-page.txt", ["--published", "2025-03-12"]),
        ("ru-01-vinnytsia-live.txt", []),
    ]
    for index, (name, extra) in enumerate(pages, start=1):
        code, _, err = run(
            capsys, "add", str(case), str(DATES / name), "--publisher", f"Outlet {index}", *extra
        )
        assert code == 0, err
        source = f"SRC-{index:04d}"
        assert run(capsys, "suggest", str(case), source, "--write")[0] == 0
        proposed = case / "claims" / f"{source}.suggested.yaml"
        doc = yaml.safe_load(proposed.read_text(encoding="utf-8"))
        for claim in doc["claims"]:
            claim["status"] = "reported"
            # The analyst adds the city the rules did not carry past the Sunday sentence.
            claim["places"] = claim.get("places") or ["Vinnytsia"]
        (case / "claims" / f"{source}.yaml").write_text(
            yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        proposed.unlink()
    assert run(capsys, "seal", str(case))[0] == 0
    code, out, err = run(capsys, "corroborate", str(case))
    assert code == 0, err
    block = out.split("injured · 2025-03-12 · Vinnytsia — ", 1)[1].split("\n\n", 1)[0]
    assert block.startswith("rising, 3 claim(s), 3 independent origin(s)")
    assert (
        "growth over the day: at least 25 (as of 2025-03-12T13:15, Petro Kravchuk) → "
        "31 (as of 2025-03-12T14:27, State Emergency Service of Ukraine) → "
        "34 (as of 2025-03-12T16:10, Олег Данильчук)"
    ) in block
    killed = out.split("killed · 2025-03-12 · Vinnytsia — ", 1)[1].split("\n\n", 1)[0]
    # the page's headline gives 12 with no hour: it differs, it does not conflict
    assert "(times unknown; counts often rise during the day)" in killed
    assert "cannot both be right" not in out
    assert "2025-03-14" not in out  # the site clocks' Friday
