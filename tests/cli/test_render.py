"""``evidence render`` and ``evidence verify DOSSIER.pdf`` on the command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from evidence.case import Case
from evidence.cli import main
from evidence.ingest.add import add_source


@pytest.fixture
def case_dir(sealed_case: Path) -> Path:
    shutil.rmtree(sealed_case / "out")
    return sealed_case


def test_render_writes_the_default_path(case_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", str(case_dir)]) == 0
    out = capsys.readouterr().out
    target = case_dir / "out" / "UKR-OKH-2024-seal-0001-icc-otp.pdf"
    assert f"rendered {target}" in out
    assert "template icc-otp, seal 0001" in out
    assert "verification: OK" in out
    assert target.read_bytes().startswith(b"%PDF-")


def test_render_with_template_and_output(
    case_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "submission.pdf"
    code = main(
        [
            "render",
            str(case_dir),
            "--template",
            "un-report",
            "-o",
            str(target),
            "--no-embed-sources",
            "--actor",
            "clerk",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "template un-report" in out
    assert "not embedded: objects/" in out
    event = json.loads((case_dir / "custody.jsonl").read_text().splitlines()[-1])
    assert (event["action"], event["actor"], event["details"]["file"]) == (
        "rendered",
        "clerk",
        "submission.pdf",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--template", "un-resolution"], "no template named 'un-resolution'"),
        (["-o", "{case}/records/x.pdf"], "case's evidence (records)"),
        (["-o", "{case}/x.docx"], "ending in .pdf"),
    ],
    ids=["unknown-template", "into-records", "not-pdf"],
)
def test_bad_arguments_exit_2_with_one_line(
    case_dir: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    args = [a.replace("{case}", str(case_dir)) for a in args]
    assert main(["render", str(case_dir), *args]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_a_case_without_a_seal_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Case.init(tmp_path / "c", case_id="T", title="T", ern_prefix="T", actor="tester")
    assert main(["render", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err
    assert "no seal yet" in err
    assert "evidence seal" in err
    assert len(err.strip().splitlines()) == 2  # the fact, and what to do


def test_data_that_does_not_verify_exits_1(
    case_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = case_dir / "records" / "CLM-0002.1.json"
    record.chmod(0o644)
    record.write_bytes(record.read_bytes().replace(b"Volgograd", b"Volgogard"))
    assert main(["render", str(case_dir)]) == 1
    assert "does not verify" in capsys.readouterr().err
    assert not (case_dir / "out").exists() or not any((case_dir / "out").iterdir())


def test_unsealed_changes_are_said(
    case_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = tmp_path / "later.txt"
    article.write_text("Later, and not sealed.\n", encoding="utf-8")
    add_source(Case.open(case_dir), article, overrides={"title": "Later"}, actor="tester")
    assert main(["render", str(case_dir)]) == 0
    captured = capsys.readouterr()
    assert "1 record revision(s) written since seal 0001 are not in this dossier" in captured.err
    assert "evidence seal" in captured.err


def test_verify_a_dossier(case_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", str(case_dir), "--template", "transmittal"]) == 0
    pdf = case_dir / "out" / "UKR-OKH-2024-seal-0001-transmittal.pdf"
    capsys.readouterr()
    assert main(["verify", str(pdf)]) == 0
    assert "OK" in capsys.readouterr().out
    assert main(["verify", "--json", str(pdf)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True
    assert report["checked"]["embedded files"] == 25


def test_verify_a_damaged_dossier_exits_1(
    case_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pypdf import PdfWriter

    assert main(["render", str(case_dir)]) == 0
    pdf = case_dir / "out" / "UKR-OKH-2024-seal-0001-icc-otp.pdf"
    writer = PdfWriter(clone_from=pdf)
    for item in list(writer.attachment_list):
        if item.name == "seals/0001.json":
            item.content = item.content.replace(b'"sequence":1', b'"sequence":2')
    forged = tmp_path / "forged.pdf"
    with forged.open("wb") as fh:
        writer.write(fh)
    capsys.readouterr()
    assert main(["verify", str(forged)]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out
    assert "seals/0001.json" in out


def test_unprintable_characters_warn_and_strict_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.unit.render.cases import multilingual_case

    case = multilingual_case(tmp_path / "c", only=("my", "ar"))
    custody = (case.root / "custody.jsonl").read_bytes()
    assert main(["render", str(case.root), "--strict"]) == 2
    err = capsys.readouterr().err
    assert "no shipped font covers (Myanmar), in SRC-0002, CLM-0002" in err
    assert "evidence: internal error" not in err
    assert not (case.root / "out").exists() or not any((case.root / "out").iterdir())
    assert (case.root / "custody.jsonl").read_bytes() == custody  # nothing written

    assert main(["render", str(case.root)]) == 0
    captured = capsys.readouterr()
    assert "rendered " in captured.out
    assert "warning: " in captured.err
    assert "Myanmar: \u2039U+" in captured.err
