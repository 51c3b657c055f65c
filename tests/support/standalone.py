"""The one-file verifier, run in this process or as a stranger would run it."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from evidence.verify import verify_case

SCRIPT = Path(__file__).parents[2] / "evidence" / "standalone" / "evidence-verify.py"


@cache
def module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("evidence_verify_standalone", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run_here(*args: str) -> tuple[int, dict[str, Any]]:
    """Exit code and JSON report of the one-file verifier, in this process."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = module().main([*args, "--json"])
    return code, json.loads(out.getvalue()) if code != 2 else {}


def run_stranger(
    *args: str, path_env: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run as an outsider: ``python -I`` (no site-packages, so neither `evidence` nor its
    dependencies), from a folder that holds nothing of the project."""
    env = {
        "PATH": path_env if path_env is not None else os.environ.get("PATH", ""),
        "LC_ALL": "C.UTF-8",
    }
    python = Path(sys.base_prefix) / "bin" / "python3"
    script = (
        str(SCRIPT)
        if cwd is None or not (cwd.parent / SCRIPT.name).is_file()
        else (f"../{SCRIPT.name}")
    )
    return subprocess.run(
        [str(python), "-I", script, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=False,
        timeout=120,
    )


def problem_checks(findings: list[dict[str, Any]]) -> set[str]:
    return {f["check"] for f in findings if f["status"] in ("FAIL", "ERROR")}


def agree(root: Path) -> None:
    """Both verifiers give the same verdict on root; the one-file verifier's failed checks
    are among those verify_case names."""
    report = verify_case(root)
    theirs = {f.check for f in report.problems()}
    code, mine = run_here(str(root))
    assert code == (0 if report.ok else 1), (code, sorted(theirs), mine.get("findings"))
    extra = problem_checks(mine["findings"]) - theirs
    assert not extra, (extra, [f for f in mine["findings"] if f["check"] in extra])
