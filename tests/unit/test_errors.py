"""One exception root: every exception class of the package is an EvidenceError."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import evidence
from evidence import errors
from evidence.errors import (
    EXIT_CANNOT_RUN,
    EXIT_FINDINGS,
    CaseError,
    EvidenceError,
    InputError,
    LockError,
    SchemaError,
    VerificationFailed,
    YamlError,
)
from evidence.report import Report


def _all_modules() -> list[str]:
    names = ["evidence"]
    for info in pkgutil.walk_packages(evidence.__path__, prefix="evidence."):
        if info.name == "evidence.__main__":
            continue  # running it is the command line itself
        names.append(info.name)
    return names


MODULES = _all_modules()


def test_the_walk_finds_the_core() -> None:
    for name in (
        "evidence.canonical",
        "evidence.case",
        "evidence.integrity.seal",
        "evidence.verify.case",
        "evidence.cli._app",
        "evidence.ingest.add",
    ):
        assert name in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_every_exception_class_inherits_from_evidence_error(name: str) -> None:
    module = importlib.import_module(name)
    strays = [
        f"{name}.{cls.__qualname__}"
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if cls.__module__ == name
        and issubclass(cls, BaseException)
        and not issubclass(cls, EvidenceError)
    ]
    assert not strays, f"exception classes outside the EvidenceError root: {strays}"


def test_errors_module_exports_only_the_root_and_its_branches() -> None:
    for name in errors.__all__:
        assert issubclass(getattr(errors, name), EvidenceError)


@pytest.mark.parametrize(
    ("error", "text"),
    [
        (
            InputError("not valid UTF-8 at byte 12", path="article.txt"),
            "article.txt: not valid UTF-8 at byte 12",
        ),
        (
            YamlError("duplicate key 'a'", path="claims/a.yaml", line=7),
            "claims/a.yaml:7: duplicate key 'a'",
        ),
        (
            SchemaError("expected a string", path="case.yaml", line=3, pointer="/title"),
            "case.yaml:3: /title: expected a string",
        ),
        (SchemaError("expected a string", pointer="/title"), "/title: expected a string"),
        (CaseError("no such folder"), "no such folder"),
    ],
    ids=["path", "path-line", "path-line-pointer", "pointer-only", "bare"],
)
def test_str_is_one_line_naming_where(error: EvidenceError, text: str) -> None:
    assert str(error) == text
    assert "\n" not in str(error)


def test_diagnostics_is_the_hint() -> None:
    assert LockError("busy", hint="Wait for it.").diagnostics() == "Wait for it."
    assert InputError("x").diagnostics() == ""


def test_exit_codes() -> None:
    assert (EXIT_FINDINGS, EXIT_CANNOT_RUN) == (1, 2)
    assert InputError("x").exit_code == EXIT_CANNOT_RUN
    assert LockError("x").exit_code == EXIT_CANNOT_RUN
    assert issubclass(LockError, CaseError)
    assert issubclass(YamlError, InputError)
    assert issubclass(SchemaError, InputError)


def test_verification_failed_carries_its_report() -> None:
    report = Report()
    report.add("object-digest", "FAIL", "expected blake3 a, computed b", path="objects/aa/a")
    report.add("seal-root", "ERROR", "cannot read", path="seals/0001.json")
    report.add("unsealed", "INFO", "2 records since the last seal")
    error = VerificationFailed(report)
    assert error.report is report
    assert error.exit_code == EXIT_FINDINGS
    assert str(error) == "expected blake3 a, computed b (and 1 more)"
    assert error.diagnostics()
