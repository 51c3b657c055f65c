"""`evidence serve` as a real process: it prints an address with a token, answers only
with it, and stops on Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("starlette")


def test_serve_prints_a_tokened_address_and_answers_only_with_it(sealed_case: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "evidence", "serve", str(sealed_case), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(2)]
        assert lines[0].startswith(f"serving {sealed_case} at http://127.0.0.1:")
        url = lines[1].removeprefix("open: ").strip()
        base, token = url.split("/?token=")
        assert len(token) >= 43
        with httpx.Client(base_url=base) as client:
            assert client.get("/").status_code == 403
            page = client.get(f"/?token={token}", follow_redirects=True)
            assert page.status_code == 200
            assert "Okhmatdyt" in page.text
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    assert "Traceback" not in err


def test_serve_refuses_a_folder_that_is_not_a_case(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "evidence", "serve", str(tmp_path / "no")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "no such folder" in result.stderr
    assert "Traceback" not in result.stderr
