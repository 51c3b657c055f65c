"""Progress on a terminal: one bar per stage, drawn from the one Progress callback."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from tests.support.cases import build_case


def _stderr_on_a_terminal(*args: str | Path) -> tuple[int, str]:
    """Run the command line with stderr on a pseudo-terminal; its exit code and stderr."""
    controller, terminal = pty.openpty()
    env = {**os.environ, "COLUMNS": "120", "TERM": "xterm"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "evidence", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=terminal,
        env=env,
    )
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the terminal closed with the process
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.communicate(timeout=120)
    os.close(controller)
    return proc.returncode, b"".join(chunks).decode("utf-8", "replace")


def test_seal_and_verify_draw_their_bars_on_a_terminal(tmp_path: Path) -> None:
    case = build_case(tmp_path / "case")
    claims = case.claims_dir / "SRC-0001.yaml"
    claims.write_text(claims.read_text().replace("status: reported", "status: corroborated", 1))

    code, err = _stderr_on_a_terminal("seal", case.root)
    assert code == 0, err
    # seal_case reports the stage "sealing", the command's own name: the bar says it once.
    assert "sealing" in err
    assert "sealing: sealing" not in err

    code, err = _stderr_on_a_terminal("verify", case.root)
    assert code == 0, err
    assert "verifying: " in err  # verify_case's stages, each a bar of its own


def test_no_progress_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    case = build_case(tmp_path / "case")
    proc = subprocess.run(
        [sys.executable, "-m", "evidence", "verify", str(case.root)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
