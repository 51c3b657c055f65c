"""``evidence check``: validate what people wrote, and write nothing.

case.yaml and every claims file: YAML syntax (with lines), schemas (with JSON pointers
and what was expected), keys unique in the case, sources the case holds, and quotes
that occur in their source's text. Every problem is reported, not only the first.

Example:
    >>> # check_case("my-case").ok  # doctest: +SKIP
"""

from __future__ import annotations

import os
from pathlib import Path

from evidence._fs import read_bytes
from evidence._yaml import load_yaml
from evidence.case import CASE_FILE, Case, CaseState
from evidence.claims import check_case_claims
from evidence.conventions import addressee_misfit, institution_number
from evidence.digest import digest_bytes
from evidence.errors import CaseError, EvidenceError
from evidence.report import Report

__all__ = ["check_case"]


def _pending_case_yaml(data: bytes, state: CaseState, report: Report) -> None:
    """An edit of case.yaml since it was last sealed: pending, as unsealed claims are."""
    if not state.sealed:
        return
    digest = digest_bytes(data).sha256
    if state.case_meta is None:
        report.add(
            "case-yaml",
            "INFO",
            "case.yaml is not sealed yet (the seals predate sealed "
            "case metadata); `evidence seal` seals it",
            path=CASE_FILE,
        )
    elif state.case_meta.get("sha256") != digest:
        report.add(
            "case-yaml",
            "INFO",
            "case.yaml changed since it was sealed: the change is "
            "pending until `evidence seal`; `render` refuses until then",
            path=CASE_FILE,
        )


def check_case(path: str | os.PathLike[str], *, workers: int = 1) -> Report:
    """Check case.yaml and claims/*.yaml of a case folder (claims files compiled in up
    to ``workers`` processes).

    Raises:
        CaseError: the folder is not a case folder.
    """
    root = Path(path)
    report = Report(subject=str(root))
    try:
        case = Case.open(root)
    except CaseError:
        raise
    except EvidenceError as exc:
        report.add(
            "case-yaml",
            "FAIL",
            f"{exc.pointer + ': ' if exc.pointer else ''}{exc.message}",
            path=CASE_FILE,
            line=exc.line,
        )
        return report
    report.add("case-yaml", "PASS", CASE_FILE)
    report.count("case files")
    data = read_bytes(root / CASE_FILE, what="case.yaml")  # read once for both checks
    _check_conventions(case, data, report)
    state = case.state(cached=True)
    _pending_case_yaml(data, state, report)
    check_case_claims(case, state, report, workers=workers)
    return report


def _check_conventions(case: Case, data: bytes, report: Report) -> None:
    """No number an institution assigns in reference or title; an addressee that fits the
    case's dress (a warning, as INFO: the dossier then uses the dress's own addressee)."""
    meta = case.meta
    doc = load_yaml(data, path=CASE_FILE)
    for field_name in ("reference", "title"):
        value = getattr(meta, field_name)
        reason = institution_number(value) if value else None
        if reason is not None:
            report.add(
                f"case-{field_name}",
                "FAIL",
                f"/{field_name}: holds {reason}; a submitter never prints a number the "
                "institution assigns: use your own reference",
                path=CASE_FILE,
                line=doc.line_of(f"/{field_name}"),
            )
    misfit = addressee_misfit(meta.addressee, meta.template)
    if misfit is not None:
        report.add(
            "case-addressee",
            "INFO",
            f"/addressee: warning: {misfit}",
            path=CASE_FILE,
            line=doc.line_of("/addressee"),
        )
