"""Findings and reports: what a check or a verification found.

Every check yields PASS, FAIL or ERROR (it could not run: fail closed), or INFO
(something worth knowing that is not a failure, such as records not yet sealed). A
report is OK only when it holds no FAIL and no ERROR; it is never truthy by itself.

Example:
    >>> report = Report()
    >>> report.add("record-digest", "FAIL", "expected blake3 ab…, computed cd…",
    ...            path="records/CLM-0001.1.json", record="CLM-0001.1")
    >>> report.ok
    False
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Finding", "Report", "Status"]

Status = Literal["PASS", "FAIL", "ERROR", "INFO"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One result: which check, its status, which file and record, and what was found."""

    check: str
    status: Status
    message: str
    path: str | None = None
    record: str | None = None
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "check": self.check,
            "status": self.status,
            "path": self.path,
            "record": self.record,
            "message": self.message,
        }
        if self.line is not None:
            out["line"] = self.line
        return out

    def __str__(self) -> str:
        where = self.path or "-"
        if self.line is not None:
            where = f"{where}:{self.line}"
        record = f" {self.record}" if self.record else ""
        return f"{self.status:<5} {self.check:<18} {where}{record}: {self.message}"


@dataclass
class Report:
    """Findings of one run of checks, and counts of what was checked."""

    subject: str = ""
    findings: list[Finding] = field(default_factory=list)
    checked: Counter[str] = field(default_factory=Counter)
    passed: Counter[str] = field(default_factory=Counter)
    latest_seal: dict[str, Any] | None = None
    """What the latest seal commits to (sequence, file, root, size, sealed_at, custody
    head, file SHA-256), so that a recipient can pin it and see a rollback from outside."""

    def add(
        self,
        check: str,
        status: Status,
        message: str,
        *,
        path: str | None = None,
        record: str | None = None,
        line: int | None = None,
    ) -> None:
        """Record a finding (PASS results are only counted, not kept one by one)."""
        if status == "PASS":
            self.passed[check] += 1
            return
        self.findings.append(Finding(check, status, message, path, record, line))

    def count(self, what: str, n: int = 1) -> None:
        """Count things checked (objects, records, seals, custody events …)."""
        self.checked[what] += n

    def extend(self, other: Report) -> None:
        self.findings.extend(other.findings)
        self.checked.update(other.checked)
        self.passed.update(other.passed)
        if other.latest_seal is not None:
            self.latest_seal = other.latest_seal

    @property
    def ok(self) -> bool:
        """True when nothing failed and every check could run."""
        return not any(f.status in ("FAIL", "ERROR") for f in self.findings)

    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.status in ("FAIL", "ERROR")]

    def to_dict(self) -> dict[str, Any]:
        """The JSON report of DESIGN.md: {"ok", "findings", "checked"}."""
        out = {
            "ok": self.ok,
            "findings": [f.to_dict() for f in self.findings],
            "checked": dict(sorted(self.checked.items())),
        }
        if self.latest_seal is not None:
            out["latest_seal"] = self.latest_seal
        return out
