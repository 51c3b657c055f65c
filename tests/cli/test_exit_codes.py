"""Exit codes and JSON errors (issue 11, item 8; decision 0011).

0 all good, 1 findings, 2 could not run, 3 done in part (sealed, not time-stamped),
130 interrupted. With ``--json`` an error is a JSON object on stdout as well.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from evidence.cli import main


def test_json_error_on_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["verify", str(tmp_path / "nothing"), "--json"])
    out, err = capsys.readouterr()
    assert code == 2
    doc = json.loads(out)
    assert doc["ok"] is False
    assert doc["error"]["path"] == str(tmp_path / "nothing")
    assert doc["error"]["exit_code"] == 2
    assert "no such file" in doc["error"]["message"]
    assert err.startswith("evidence: ")


def test_json_error_for_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "--json", "--no-such-option"])
    out, _ = capsys.readouterr()
    assert code == 2
    assert json.loads(out)["error"]["type"] == "usage"


def test_no_json_without_the_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(tmp_path / "nothing")]) == 2
    assert capsys.readouterr().out == ""


def _interrupted_add(tmp_path: Path, mib: int) -> tuple[Path, bytes, str] | None:
    """Start `add` of a ``mib`` MiB file in a fresh case and press Ctrl-C while the object
    is being stored: (case, custody log before, stderr), or None when `add` finished first
    (a fast disk or a busy test machine)."""
    case = tmp_path / f"case-{mib}"
    assert main(["init", str(case), "--actor", "tester"]) == 0
    custody = (case / "custody.jsonl").read_bytes()
    big = tmp_path / f"big-{mib}.bin"
    chunk = os.urandom(1 << 20)
    with open(big, "wb") as fh:
        for n in range(mib):
            fh.write(n.to_bytes(8, "big") + chunk[8:])  # no two MiB alike
    env = {**os.environ, "EVIDENCE_ACTOR": "tester"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "evidence", "add", str(case), str(big)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 60
    while not list((case / "objects").glob(".incoming-*")):
        if proc.poll() is not None:
            proc.communicate()
            big.unlink()
            return None
        assert time.monotonic() < deadline
        time.sleep(0.002)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    big.unlink()
    if proc.returncode == 0:
        return None  # the signal came as the object was being named
    assert proc.returncode == 130, err
    return case, custody, err


def test_ctrl_c_exits_130_and_leaves_nothing(tmp_path: Path) -> None:
    for mib in (200, 600, 1500):
        interrupted = _interrupted_add(tmp_path, mib)
        if interrupted is not None:
            break
    else:
        pytest.fail("add of 1.5 GiB finished every time before it could be interrupted")
    case, custody, err = interrupted
    assert "interrupted; nothing half-written" in err
    assert "Traceback" not in err
    assert (case / "custody.jsonl").read_bytes() == custody
    assert [p.name for p in (case / "objects").rglob("*") if p.is_file()] == []
    assert main(["verify", str(case)]) == 0
