"""The command line sets logging once at start-up: pypdf's warnings shown, once each."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from evidence.case import Case
from tests.unit.ingest.test_extraction import damaged_pdf


def test_add_shows_what_pypdf_says_about_a_damaged_pdf_once(new_case: Case, tmp_path: Path) -> None:
    first, second = tmp_path / "release.pdf", tmp_path / "copy.pdf"
    first.write_bytes(damaged_pdf())
    second.write_bytes(damaged_pdf() + b"\n")  # other bytes, the same damage
    proc = subprocess.run(
        [sys.executable, "-m", "evidence", "add", str(new_case.root), str(first), str(second)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    # Each distinct message once, however often pypdf says it; nothing else logged.
    assert lines.count("  warning: pypdf: incorrect startxref pointer(2)") == 1
    assert all(line.startswith("  warning: ") for line in lines), lines
    assert "SRC-0001" in proc.stdout
    assert "SRC-0002" in proc.stdout
