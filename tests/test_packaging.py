"""The wheel: it carries the schemas, templates and example, and works installed elsewhere.

The package is built from a copy of the sources (so the shared working tree gets no
build/ folder), installed with ``pip install --target`` into a fresh folder, and run from
another working directory with only that folder on PYTHONPATH: resources must come from
the installed copy through importlib.resources, never from the repository.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).parents[1]
SOURCES = ("pyproject.toml", "README.md", "evidence", "schemas", "templates", "examples")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", ".*")
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, src / name, ignore=ignore)
        elif (REPO / name).exists():
            shutil.copy2(REPO / name, src / name)
    dist = work / "dist"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", str(src), "-w", str(dist)],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (built,) = dist.glob("evidence-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site") / "lib"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--quiet",
            "--target",
            str(target),
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return target


def test_the_wheel_carries_schemas_templates_and_the_example(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    schemas = sorted(p.name for p in (REPO / "schemas").glob("*.schema.json"))
    assert schemas
    for name in schemas:
        assert f"evidence/schemas/{name}" in names
    for path in (REPO / "templates").glob("*.yaml"):
        assert f"evidence/templates/{path.name}" in names
    for path in (REPO / "examples" / "okhmatdyt").rglob("*"):
        if path.is_file():
            rel = path.relative_to(REPO / "examples").as_posix()
            assert f"evidence/examples/{rel}" in names, rel
    assert "evidence/py.typed" in names
    word_lists = sorted(p.name for p in (REPO / "evidence" / "language" / "data").glob("*.yaml"))
    assert word_lists
    for name in word_lists:
        assert f"evidence/language/data/{name}" in names
    assert not any(name.startswith("tests/") for name in names)
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "evidence = evidence.cli:run" in text


INSTALLED_CHECK = """
    import json, sys
    from pathlib import Path
    import evidence
    from evidence._resources import resource
    from evidence.demo import build_demo
    from evidence.errors import SchemaError
    from evidence.schema import validate, schema_document

    out = Path(sys.argv[1])
    result = build_demo(out / "demo-case", actor="packaging test")
    validate("case", {"id": "PKG-1", "title": "Installed", "ern_prefix": "PKG"},
             path="case.yaml")
    try:
        validate("case", {"id": "PKG-1"}, path="case.yaml")
        refused = False
    except SchemaError:
        refused = True
    print(json.dumps({
        "package": evidence.__file__,
        "schemas": str(resource("schemas")),
        "example": str(resource("examples", "okhmatdyt", "case.yaml")),
        "seal_schema_id": schema_document("seal")["$id"],
        "demo_ok": result.report.ok,
        "refused": refused,
        "records": len(list((out / "demo-case" / "records").iterdir())),
    }))
"""


def test_the_installed_copy_runs_the_demo_from_elsewhere(installed: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(installed)}
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(INSTALLED_CHECK), str(elsewhere)],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    for key in ("package", "schemas", "example"):
        assert facts[key].startswith(str(installed)), (key, facts[key])
        assert not facts[key].startswith(str(REPO))
    assert facts["seal_schema_id"] == "urn:evidence:schema:seal:1"
    assert facts["demo_ok"] is True
    assert facts["refused"] is True
    assert facts["records"] == 17


def test_the_installed_command_line(installed: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(installed), "EVIDENCE_ACTOR": "tester"}
    case = tmp_path / "case"
    article = REPO / "tests" / "data" / "censor-net-2024-07-08-umerov-air-defence.txt"
    steps = [
        (["--version"], 0),
        (["init", str(case), "--id", "PKG-CLI"], 0),
        (["add", str(case), str(article)], 0),
        (["suggest", str(case), "SRC-0001"], 0),
        (["seal", str(case)], 0),
        (["verify", str(case), "--json"], 0),
        (["verify", str(tmp_path / "missing")], 2),
    ]
    for argv, code in steps:
        result = subprocess.run(
            [sys.executable, "-m", "evidence", *argv],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == code, (argv, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        if argv[0] == "verify" and code == 0:
            assert json.loads(result.stdout)["ok"] is True
        if argv[0] == "suggest":  # the word lists came from the installed copy
            assert "- key: src-0001-" in result.stdout, result.stderr


def test_the_wheel_carries_the_pages_of_evidence_serve(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("templates", "static"):
        files = [p for p in (REPO / "evidence" / "serve" / folder).iterdir() if p.is_file()]
        assert files
        for path in files:
            assert f"evidence/serve/{folder}/{path.name}" in names, path.name


def test_the_code_digest_is_the_same_installed_and_in_place(installed: Path) -> None:
    """The dossier's manifest names the code that rendered it (docs/decisions/0328): a
    wheel and the source tree it was built from give the same digest, and it changes
    with the code."""
    from evidence._resources import code_digest

    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import evidence, evidence._resources as r; print(evidence.__file__); "
            "print(r.code_digest())",
        ],
        env={**os.environ, "PYTHONPATH": str(installed)},
        cwd=installed.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    where, digest = result.stdout.split()
    assert where.startswith(str(installed))
    assert digest == code_digest()
    edited = installed / "evidence" / "render" / "layout_note.py"
    edited.write_text("# a change to the code\n", encoding="utf-8")
    try:
        again = subprocess.run(
            [sys.executable, "-c", "import evidence._resources as r; print(r.code_digest())"],
            env={**os.environ, "PYTHONPATH": str(installed)},
            cwd=installed.parent,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        edited.unlink()
    assert again.stdout.split() != [digest]
