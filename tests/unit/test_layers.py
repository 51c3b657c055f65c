"""Imports go one way: the architecture map of docs/design.md, kept true.

Every module of the package belongs to one layer of :data:`LAYERS` (lowest first) and
imports only from its own layer and the layers below. The imports are read with
:mod:`ast`, not by importing, so an import inside a function (run later, and so easy to
miss) counts as much as one at the top of a file; only imports under ``if
TYPE_CHECKING:`` are left out, since they never run. Importing ``evidence.a.b`` runs
``evidence.a``'s ``__init__`` first, so it counts as importing both.

A layer names packages and modules; a module belongs to the longest name that contains it
(``evidence`` itself names only the top ``__init__``). A new top-level module or package
that no layer names fails the test: its place is decided, not inferred.
"""

from __future__ import annotations

import ast
import functools
import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

import evidence

PACKAGE = Path(evidence.__file__).parent

LAYERS: tuple[tuple[str, ...], ...] = (
    # The bottom: no imports from the package but each other's.
    (
        "evidence",  # the version and the module map, nothing else
        "evidence.errors",
        "evidence.report",
        "evidence.progress",
        "evidence._time",
        "evidence._text",
        "evidence._resources",
        "evidence.standalone",
    ),
    (
        "evidence.digest",
        "evidence.canonical",
        "evidence._fs",
        "evidence._yaml",
        "evidence._parallel",
        "evidence._cachedir",
    ),
    # File formats the writers and the verifier both read (STYLE 16).
    ("evidence.formats",),
    ("evidence.schema", "evidence.model", "evidence.language", "evidence.conventions"),
    (
        "evidence.store",
        "evidence.integrity",  # the facade: loads its names lazily, so it imports nothing
        "evidence.integrity.merkle",
        "evidence.integrity.custody",
        "evidence.integrity.sign",
    ),
    ("evidence.case",),
    # The core: what adding, sealing and verifying need.
    ("evidence.ingest", "evidence.claims"),
    (
        "evidence.integrity.seal",
        "evidence.integrity._sealfile",
        "evidence.integrity.proof",
        "evidence.integrity.timestamp",
        "evidence.integrity.disclose",
    ),
    ("evidence.check", "evidence.verify"),
    # Above the core, which never imports it: the suggestion engine.
    ("evidence.suggest",),
    # Products of a case.
    ("evidence.render", "evidence.export"),
    # Front ends.
    ("evidence.demo", "evidence.serve"),
    ("evidence.cli", "evidence.__main__"),
)
"""Lowest first. Planned homes (``evidence.formats``, ``evidence.progress``) are listed
before they exist so that parallel branches agree on where they sit."""

ONLY_FROM: Mapping[str, frozenset[str]] = {
    "evidence.suggest": frozenset({"evidence.serve", "evidence.cli", "evidence.render"}),
}
"""Packages that only the named layers' packages may import, whatever their height: the
suggestion engine is advice, and nothing that adds, seals, verifies or exports evidence
depends on it. The dossier's corroboration column is the ledger's own verdict
(docs/decisions/0311), so render may read the ledger."""

ALLOWED: Mapping[tuple[str, str], str] = {
    ("evidence.verify.dossier", "evidence.render"): (
        "verifying a dossier renders its embedded data again and compares the bytes; "
        "imported inside the function that does it"
    ),
}
"""Upward imports made on purpose, inside a function, with the reason."""


@dataclass(frozen=True)
class Import:
    """One import statement: who imports what, where, and whether at the top of the file."""

    importer: str
    imported: str
    line: int
    top_level: bool


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_sources(root: Path = PACKAGE) -> dict[str, str]:
    """The source of every module of the package, by module name."""
    return {module_name(p, root): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


_BODIES = ("body", "orelse", "finalbody", "handlers", "cases")


def _walk(body: Sequence[ast.AST], top: bool) -> Iterator[tuple[ast.stmt, bool]]:
    """Every statement, with whether it runs at import time (not inside a function; a
    class body runs at import time)."""
    for node in body:
        if isinstance(node, ast.If) and _is_type_checking(node):
            yield from _walk(node.orelse, top)
            continue
        if isinstance(node, ast.stmt):
            yield node, top
        inner = top and not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for field in _BODIES:
            yield from _walk(getattr(node, field, ()), inner)


@functools.cache
def _import_statements(source: str) -> tuple[tuple[ast.Import | ast.ImportFrom, bool], ...]:
    """The import statements of a source, each with whether it runs at import time."""
    return tuple(
        (node, top)
        for node, top in _walk(ast.parse(source).body, True)
        if isinstance(node, ast.Import | ast.ImportFrom)
    )


def imports_of(name: str, source: str, modules: Mapping[str, str]) -> Iterator[Import]:
    """The modules of the package that module ``name`` imports (and their parents)."""
    is_package = any(other.startswith(name + ".") for other in modules)
    for node, top in _import_statements(source):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                here = name.split(".") if is_package else name.split(".")[:-1]
                anchor = here[: len(here) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                for alias in node.names
            ]
        for target in targets:
            if target != "evidence" and not target.startswith("evidence."):
                continue
            parts = target.split(".")
            for i in range(1, len(parts) + 1):
                yield Import(name, ".".join(parts[:i]), node.lineno, top)


@functools.cache
def layer_of(name: str) -> tuple[int, str] | None:
    """The layer of a module and the entry of :data:`LAYERS` that places it."""
    best: tuple[int, str] | None = None
    for index, layer in enumerate(LAYERS):
        for entry in layer:
            inside = name == entry or (entry != "evidence" and name.startswith(entry + "."))
            if inside and (best is None or len(entry) > len(best[1])):
                best = (index, entry)
    return best


def _root_entry(name: str) -> str:
    for entry in ONLY_FROM:
        if name == entry or name.startswith(entry + "."):
            return entry
    return ""


def upward_imports(modules: Mapping[str, str]) -> list[str]:
    """Every import that goes against :data:`LAYERS` or :data:`ONLY_FROM`, as a line."""
    problems: list[str] = []
    for name, source in sorted(modules.items()):
        mine = layer_of(name)
        if mine is None:
            problems.append(f"{name}: no layer names it (add it to LAYERS)")
            continue
        for imp in imports_of(name, source, modules):
            theirs = layer_of(imp.imported)
            if theirs is None:
                continue  # reported as the imported module's own problem
            allowed = any(
                (name == a or name.startswith(a + ".")) and imp.imported.startswith(b)
                for a, b in ALLOWED
            )
            where = f"{name}:{imp.line} imports {imp.imported}"
            if theirs[0] > mine[0] and not (allowed and not imp.top_level):
                problems.append(
                    f"{where}: {theirs[1]} is in layer {theirs[0]}, above {mine[1]} "
                    f"(layer {mine[0]})"
                )
            guarded = _root_entry(imp.imported)
            if guarded and _root_entry(name) != guarded:
                front = layer_of(name)
                if front is None or front[1] not in ONLY_FROM[guarded]:
                    problems.append(f"{where}: only {sorted(ONLY_FROM[guarded])} may")
    return sorted(set(problems))


MODULES = package_sources()


def test_imports_go_one_way() -> None:
    assert upward_imports(MODULES) == []


def test_every_layer_entry_is_listed_once() -> None:
    entries = [entry for layer in LAYERS for entry in layer]
    assert len(entries) == len(set(entries))


PLANNED = {"evidence.formats", "evidence.progress"}


def test_every_layer_entry_exists_or_is_planned() -> None:
    """A stale entry would hide a misplaced module; only the planned homes may be absent."""
    missing = {entry for layer in LAYERS for entry in layer if entry not in MODULES}
    assert missing <= PLANNED


def test_the_core_never_imports_the_suggestion_engine() -> None:
    engine = layer_of("evidence.suggest")
    assert engine is not None
    core = [n for n, _ in MODULES.items() if (layer_of(n) or engine)[0] < engine[0]]
    assert {"evidence.integrity.seal", "evidence.ingest.add", "evidence.verify.case"} <= set(core)
    for name in core:
        imported = {i.imported for i in imports_of(name, MODULES[name], MODULES)}
        assert not {m for m in imported if m.startswith("evidence.suggest")}, name


# The tampered cases: the checker, given a synthetic upward import, reports it.

TAMPERED = [
    pytest.param(
        "evidence.case",
        "from evidence.render import render_dossier\n",
        "evidence.render",
        id="top-level-upward",
    ),
    pytest.param(
        "evidence.verify.case",
        "def f() -> None:\n    from evidence.export import export_case\n",
        "evidence.export",
        id="upward-inside-a-function",
    ),
    pytest.param(
        "evidence.ingest.add",
        "import evidence.suggest.rules\n",
        "evidence.suggest",
        id="core-imports-the-engine",
    ),
    pytest.param(
        "evidence.export.package",
        "from evidence.suggest.corroborate import build_ledger\n",
        "evidence.suggest",
        id="export-imports-the-engine",
    ),
    pytest.param(
        "evidence.model.seal",
        "from ..integrity import seal\n",
        "evidence.integrity",
        id="relative-import",
    ),
    pytest.param(
        "evidence.verify.dossier",
        "from evidence.render import render_dossier\n",
        "evidence.render",
        id="allowed-only-inside-a-function",
    ),
    pytest.param(
        "evidence.claims.anchor",
        "from evidence.integrity.seal import seal_case\n",
        "evidence.integrity.seal",
        id="claims-imports-sealing",
    ),
]


@pytest.mark.parametrize(("module", "added", "imported"), TAMPERED)
def test_the_checker_reports_an_upward_import(module: str, added: str, imported: str) -> None:
    tampered = dict(MODULES)
    tampered[module] = MODULES[module] + "\n" + added
    problems = upward_imports(tampered)
    assert any(p.startswith(f"{module}:") and f"imports {imported}" in p for p in problems), (
        problems
    )


def test_the_checker_reads_every_place_an_import_can_hide() -> None:
    hidden = (
        "import typing\n"
        "if typing.TYPE_CHECKING:\n    pass\nelse:\n    import evidence.render.bundle\n"
        "class A:\n    from evidence.export import export_case\n"
        "try:\n    pass\nexcept ImportError:\n    from evidence.demo import build_demo\n"
    )
    problems = upward_imports({**MODULES, "evidence.case": hidden})
    assert {p.split(":")[0] + ":" + p.split(":")[1] for p in problems} == {
        "evidence.case:5 imports evidence.render",
        "evidence.case:5 imports evidence.render.bundle",
        "evidence.case:7 imports evidence.export",
        "evidence.case:11 imports evidence.demo",
    }


def test_the_checker_skips_imports_only_type_checkers_read() -> None:
    tampered = dict(MODULES)
    tampered["evidence.case"] = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from evidence.render import Bundle\n"
    )
    assert upward_imports(tampered) == []


def test_the_checker_reports_a_module_no_layer_names() -> None:
    problems = upward_imports({**MODULES, "evidence.newcomer": "import json\n"})
    assert problems == ["evidence.newcomer: no layer names it (add it to LAYERS)"]


def _design_map() -> list[str]:
    text = (PACKAGE.parent / "docs" / "design.md").read_text(encoding="utf-8")
    block = text.split("## Architecture map", 1)[1].split("```", 2)[1]
    return [line[:37] for line in block.splitlines()]


def map_problems(names: Sequence[str]) -> list[str]:
    """Where a map's names column (top down) disagrees with LAYERS: a missing entry, or a
    layer drawn above one that should be above it."""
    problems: list[str] = []
    spans: list[tuple[int, int, int]] = []
    for index in reversed(range(len(LAYERS))):
        rows = []
        for entry in LAYERS[index]:
            if entry == "evidence":
                continue  # the top __init__: the map itself
            word = re.escape(entry.rsplit(".", 1)[1])
            found = [
                i for i, line in enumerate(names) if re.search(rf"(?<!\w){word}(?![\w.])", line)
            ]
            if not found:
                problems.append(f"{entry} is not on the map")
            rows.extend(found[:1])
        if rows:
            spans.append((index, min(rows), max(rows)))
    for (upper, _, last), (lower, first, _) in itertools.pairwise(spans):
        if last >= first:
            problems.append(f"layer {lower} is drawn at or above layer {upper}")
    return problems


def test_the_design_map_draws_the_same_rows() -> None:
    """docs/design.md's map names every entry of LAYERS, in the same order (top down)."""
    assert map_problems(_design_map()) == []


def test_a_map_out_of_order_is_reported() -> None:
    names = _design_map()
    case = next(i for i, line in enumerate(names) if line.startswith("case "))
    swapped = [*names[: case - 2], names[case], *names[case - 2 : case], *names[case + 1 :]]
    assert map_problems(swapped) != []
    assert map_problems([n for n in names if not n.startswith("formats")]) == [
        "evidence.formats is not on the map"
    ]
