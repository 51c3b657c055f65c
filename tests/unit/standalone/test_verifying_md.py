"""docs/VERIFYING.md's worked example, command by command, on the demo case as the test
suite builds it: each ``$`` line of its ``console`` blocks is run with bash in the case
folder (the one-file verifier beside it), and its output must be the lines printed after it.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from evidence.standalone import VERIFIER_NAME, verifier_bytes

DOC = Path(__file__).parents[3] / "docs" / "VERIFYING.md"


def steps() -> list[tuple[str, str]]:
    """(command, expected output) of every console block, in order."""
    found: list[tuple[str, str]] = []
    for block in re.findall(r"```console\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, _, output = chunk.partition("\n")
            found.append((command, output))
    return found


def test_the_worked_example_has_every_kind_of_step() -> None:
    commands = " ".join(command for command, _ in steps())
    for tool in ("sha256sum", "tail -c +175", "custody.jsonl", "tree", VERIFIER_NAME):
        assert tool in commands, tool


def test_the_worked_example_runs_as_printed(sealed_case: Path) -> None:
    case = sealed_case
    (case.parent / VERIFIER_NAME).write_bytes(verifier_bytes())
    for command, expected in steps():
        done = subprocess.run(
            ["bash", "-o", "pipefail", "-c", command],
            cwd=case,
            capture_output=True,
            text=True,
            check=False,
            env={"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"},
        )
        assert (done.stdout, done.returncode) == (expected, 0), (command, done.stderr)
