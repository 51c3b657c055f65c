"""The command line of the core: init, add, check, seal, verify, demo.

Every command runs through ``evidence.cli.main(argv)`` (in process) and through
``python -m evidence`` (a real process). Exit codes: 0 all good, 1 findings, 2 could not
run; bad input gives one clear line on stderr (and at most an indented hint), never a
traceback, and writes nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from evidence import __version__
from evidence._yaml import load_yaml
from evidence.cli import main

CORE = Path(__file__).parents[1] / "data" / "core"


def _tree(root: Path) -> dict[str, bytes]:
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def spawn(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "EVIDENCE_ACTOR": "tester"}
    return subprocess.run(
        [sys.executable, "-m", "evidence", *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_one_clear_line(err: str, *fragments: str) -> None:
    lines = err.rstrip("\n").splitlines()
    assert lines, "nothing on stderr"
    assert lines[0].startswith("evidence: "), lines
    assert "internal error" not in lines[0], lines
    assert "Traceback" not in err
    assert len(lines) <= 2, lines  # the error, and at most one indented hint
    assert all(line.startswith("  ") for line in lines[1:]), lines
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


@pytest.fixture
def case_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    root = tmp_path / "case"
    code, _, err = run(
        capsys,
        "init",
        str(root),
        "--id",
        "UKR-TEST",
        "--title",
        "A test case",
        "--ern-prefix",
        "UKR-TST",
        "--actor",
        "tester",
    )
    assert code == 0, err
    return root


def test_seal_says_how_many_proposed_claims_it_left_out(
    case_dir: Path, seed_article: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "add", str(case_dir), str(seed_article), "--language", "en")[0] == 0
    code, _, err = run(capsys, "suggest", str(case_dir), "SRC-0001", "--write")
    assert code == 0, err
    suggested = load_yaml(
        (case_dir / "claims" / "SRC-0001.suggested.yaml").read_bytes(), path="suggested"
    ).data
    proposed = sum(1 for c in suggested["claims"] if c.get("status") == "proposed")
    assert proposed > 0
    code, out, err = run(capsys, "seal", str(case_dir))
    assert code == 0, err
    assert "sealed 1 record revision(s)" in out  # the source alone
    assert f"note: {proposed} proposed claim(s) in claims/*.suggested.yaml were left out" in err
    code, _, err = run(capsys, "seal", str(case_dir))
    assert code == 0
    assert f"note: {proposed} proposed claim(s)" in err  # said again while they wait


# -- the whole flow, in process -------------------------------------------------------------


def test_init_add_check_seal_verify(
    case_dir: Path, seed_article: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    meta = load_yaml((case_dir / "case.yaml").read_bytes(), path="case.yaml").data
    assert {k: meta[k] for k in ("id", "title", "ern_prefix", "template", "classification")} == {
        "id": "UKR-TEST",
        "title": "A test case",
        "ern_prefix": "UKR-TST",
        "template": "icc-otp",
        "classification": "public",
    }
    (created,) = [
        json.loads(line) for line in (case_dir / "custody.jsonl").read_bytes().splitlines()
    ]
    assert created["action"] == "created"
    assert created["details"]["case_id"] == "UKR-TEST"
    assert created["actor"] == "tester"
    assert created["prev"] is None
    code, out, _ = run(
        capsys,
        "add",
        str(case_dir),
        str(seed_article),
        "--publisher",
        "Censor.NET",
        "--language",
        "en",
        "--actor",
        "tester",
    )
    assert code == 0
    assert out.startswith("SRC-0001  UKR-TST-0001  ")
    assert "text/plain" in out
    assert "with text" in out
    claims = Path(__file__).parents[2] / "examples" / "okhmatdyt" / "claims" / "SRC-0001.yaml"
    (case_dir / "claims" / "SRC-0001.yaml").write_bytes(claims.read_bytes())
    code, out, _ = run(capsys, "check", str(case_dir))
    assert code == 0
    assert "check" in out
    assert "OK" in out
    code, out, _ = run(capsys, "seal", str(case_dir), "--actor", "tester")
    assert code == 0
    assert "recorded CLM-0001.1" in out
    assert "sealed 17 record revision(s) in seals/0001.json" in out
    code, out, _ = run(capsys, "seal", str(case_dir), "--actor", "tester")
    assert code == 0
    assert "nothing new to seal" in out
    code, out, _ = run(capsys, "verify", str(case_dir))
    assert code == 0
    assert out.rstrip().splitlines()[-1].startswith(f"verify {case_dir}: OK")


def test_adding_the_same_bytes_again_says_so(
    case_dir: Path, seed_article: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "add", str(case_dir), str(seed_article))[0] == 0
    before = _tree(case_dir)
    code, out, _ = run(capsys, "add", str(case_dir), str(seed_article))
    assert code == 0
    assert "already in the case as SRC-0001" in out
    assert "nothing added" in out
    assert _tree(case_dir) == before


def test_add_with_encoding(case_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(
        capsys,
        "add",
        str(case_dir),
        str(CORE / "article_cp1251.txt"),
        "--encoding",
        "windows-1251",
        "--language",
        "uk",
    )
    assert code == 0, err
    record = (case_dir / "records" / "SRC-0001.1.json").read_bytes()
    assert b"decoded from cp1251" in record


# -- exit codes and the JSON report -----------------------------------------------------------


def test_check_with_findings_exits_1_with_json(
    sealed_case: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (sealed_case / "claims" / "x.yaml").write_text(
        "source: SRC-0009\nclaims:\n  - key: a-claim\n    statement: A.\n", encoding="utf-8"
    )
    code, out, _ = run(capsys, "check", str(sealed_case), "--json")
    assert code == 1
    doc = json.loads(out)
    assert doc["ok"] is False
    assert doc["findings"][0]["check"] == "claim-source"
    assert doc["findings"][0]["path"] == "claims/x.yaml"
    code, out, _ = run(capsys, "check", str(sealed_case))
    assert code == 1
    assert "FAIL  claim-source       claims/x.yaml:3: " in out


def test_verify_json_report(sealed_case: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "verify", str(sealed_case), "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc == {
        "ok": True,
        "findings": [],
        "checked": doc["checked"],
        "latest_seal": doc["latest_seal"],
    }
    assert doc["latest_seal"]["sequence"] == 1
    assert doc["checked"]["records"] == 17
    assert doc["checked"]["objects"] == 2
    path = sealed_case / "records" / "CLM-0002.1.json"
    path.write_bytes(path.read_bytes().replace(b"Kalibr", b"Kalibre", 1))
    code, out, _ = run(capsys, "verify", str(sealed_case), "--json")
    assert code == 1
    doc = json.loads(out)
    assert set(doc) == {"ok", "findings", "checked", "latest_seal"}
    assert doc["ok"] is False
    for finding in doc["findings"]:
        assert {"check", "status", "path", "record", "message"} <= set(finding)
        assert finding["status"] in ("FAIL", "ERROR", "INFO")
    assert {
        "check": "record-digest",
        "status": "FAIL",
        "path": "records/CLM-0002.1.json",
        "record": "CLM-0002.1",
    }.items() <= next(f for f in doc["findings"] if f["check"] == "record-digest").items()


def test_verify_readable_report_names_file_record_check(
    sealed_case: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = sealed_case / "records" / "CLM-0002.1.json"
    path.write_bytes(path.read_bytes().replace(b"Kalibr", b"Kalibre", 1))
    code, out, _ = run(capsys, "verify", str(sealed_case))
    assert code == 1
    line = next(x for x in out.splitlines() if "record-digest" in x)
    assert line.startswith("FAIL  record-digest")
    assert "records/CLM-0002.1.json CLM-0002.1: the file says blake3 " in line
    assert "FAILED" in out.splitlines()[-1]


# -- bad input: one line, exit 2, nothing written ---------------------------------------------


def _bad_inputs(tmp: Path, case_dir: Path) -> dict[str, tuple[list[str], list[str]]]:
    (tmp / "empty.txt").write_bytes(b"")
    (tmp / "folder").mkdir()
    (tmp / "notacase").mkdir()
    return {
        "invalid-utf8": (
            ["add", str(case_dir), str(CORE / "article_cp1251.txt")],
            ["article_cp1251.txt", "not valid utf-8 at byte 0 (line 1)"],
        ),
        "unknown-encoding": (
            ["add", str(case_dir), str(CORE / "article_cp1251.txt"), "--encoding", "klingon-8"],
            ["klingon-8"],
        ),
        "empty-file": (["add", str(case_dir), str(tmp / "empty.txt")], ["the file is empty"]),
        "directory": (["add", str(case_dir), str(tmp / "folder")], ["is a directory"]),
        "missing-file": (["add", str(case_dir), str(tmp / "nope.txt")], ["no such file"]),
        "not-a-case": (
            ["add", str(tmp / "notacase"), str(CORE / "article_front_matter.md")],
            ["not a case folder"],
        ),
        "missing-case": (["verify", str(tmp / "nothing-here")], ["no such file or folder"]),
        "check-not-a-case": (["check", str(tmp / "notacase")], ["not a case folder"]),
        "seal-not-a-case": (["seal", str(tmp / "notacase")], ["not a case folder"]),
        "bad-published": (
            [
                "add",
                str(case_dir),
                str(CORE / "article_front_matter.md"),
                "--published",
                "last Tuesday",
            ],
            ["published"],
        ),
        "bad-front-matter-date": (
            ["add", str(case_dir), str(tmp / "bad-date.md")],
            ["bad-date.md", "not a real calendar date"],
        ),
        "url-for-two-files": (
            [
                "add",
                str(case_dir),
                str(CORE / "article_front_matter.md"),
                str(CORE / "article_bom_crlf_nfd.txt"),
                "--url",
                "https://x",
            ],
            ["one file"],
        ),
        "init-existing": (["init", str(case_dir)], ["exists and is not an empty folder"]),
        "init-bad-id": (["init", str(tmp / "new-case"), "--id", "bad id!"], ["/id"]),
        "demo-not-empty": (["demo", str(case_dir)], ["exists and is not empty"]),
    }


BAD = [
    "invalid-utf8",
    "unknown-encoding",
    "empty-file",
    "directory",
    "missing-file",
    "not-a-case",
    "missing-case",
    "check-not-a-case",
    "seal-not-a-case",
    "bad-published",
    "bad-front-matter-date",
    "url-for-two-files",
    "init-existing",
    "init-bad-id",
    "demo-not-empty",
]


@pytest.mark.parametrize("name", BAD)
def test_bad_input_in_process(
    name: str, case_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scratch = tmp_path / "in"
    scratch.mkdir()
    (scratch / "bad-date.md").write_bytes(b"---\npublished: 2024-02-30\n---\nText.\n")
    argv, fragments = _bad_inputs(scratch, case_dir)[name]
    before, outside = _tree(case_dir), _tree(scratch)
    code, out, err = run(capsys, *argv)
    assert code == 2, (out, err)
    assert_one_clear_line(err, *fragments)
    assert _tree(case_dir) == before
    assert _tree(scratch) == outside
    assert not (scratch / "new-case").exists()


def test_seal_with_invalid_claims(sealed_case: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (sealed_case / "claims" / "x.yaml").write_text(
        "source: SRC-0001\nclaims:\n  - key: a\n    statement: A.\n    quote: not there\n",
        encoding="utf-8",
    )
    before = _tree(sealed_case)
    code, _, err = run(capsys, "seal", str(sealed_case))
    assert code == 2
    assert_one_clear_line(err, "claims/x.yaml:3", "quote not found")
    assert _tree(sealed_case) == before


def test_malformed_case_yaml(sealed_case: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (sealed_case / "case.yaml").write_text("id: X\ntitle: [oops\n", encoding="utf-8")
    code, _, err = run(capsys, "seal", str(sealed_case))
    assert code == 2
    assert_one_clear_line(err, "case.yaml:", "YAML syntax error")
    code, out, _ = run(capsys, "check", str(sealed_case))
    assert code == 1
    assert "case-yaml" in out


def test_demo_in_process(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo", str(tmp_path / "demo"))
    assert code == 0
    assert out.rstrip().splitlines()[-1] == f"the example case is in {tmp_path / 'demo'}"
    assert "verify   OK" in out
    assert (tmp_path / "demo" / "seals" / "0001.json").is_file()
    code, out, _ = run(capsys, "verify", str(tmp_path / "demo"), "--json")
    assert code == 0
    assert json.loads(out)["ok"] is True


def test_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "no-such-command")[0] == 2
    assert run(capsys, "add")[0] == 2
    code, out, _ = run(capsys)
    assert code == 2
    assert "Usage" in out
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert __version__ in out
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for command in ("init", "add", "check", "seal", "verify", "demo"):
        assert command in out


# -- the same through a real process ----------------------------------------------------------


def test_every_core_command_through_python_m_evidence(tmp_path: Path, seed_article: Path) -> None:
    root = tmp_path / "case"
    steps = [
        (["init", str(root), "--id", "UKR-OKH-CLI", "--ern-prefix", "OKH"], 0, "created case"),
        (["add", str(root), str(seed_article), "--publisher", "Censor.NET"], 0, "SRC-0001"),
        (["check", str(root)], 0, "OK"),
        (["seal", str(root)], 0, "sealed 1 record revision(s)"),
        (["verify", str(root)], 0, "OK"),
        (["verify", str(root), "--json"], 0, '"ok": true'),
        (["demo"], 0, f"the example case is in {tmp_path / 'evidence-demo'}"),
        (["verify", "evidence-demo"], 0, "OK"),
    ]
    for argv, expected, text in steps:
        result = spawn(*argv, cwd=tmp_path)
        assert result.returncode == expected, (argv, result.stdout, result.stderr)
        assert text in result.stdout, (argv, result.stdout)
        assert "Traceback" not in result.stderr
    record = json.loads((root / "records" / "SRC-0001.1.json").read_bytes())
    assert record["record"]["body"]["capture"]["collector"] == "tester"


def test_findings_and_bad_input_through_a_real_process(sealed_case: Path, tmp_path: Path) -> None:
    obj = next(p for p in (sealed_case / "objects").rglob("*") if p.is_file())
    obj.write_bytes(obj.read_bytes() + b"!")
    result = spawn("verify", str(sealed_case), "--json", cwd=tmp_path)
    assert result.returncode == 1
    doc = json.loads(result.stdout)
    assert doc["ok"] is False
    rel = str(obj.relative_to(sealed_case))
    assert ("object-digest", rel) in {(f["check"], f["path"]) for f in doc["findings"]}
    result = spawn("verify", str(sealed_case), cwd=tmp_path)
    assert result.returncode == 1
    assert f"FAIL  object-digest      {rel}: expected blake3 " in result.stdout
    result = spawn("add", str(sealed_case), str(CORE / "article_cp1251.txt"), cwd=tmp_path)
    assert result.returncode == 2
    assert_one_clear_line(result.stderr, "not valid utf-8")
    assert result.stdout == ""
