"""Verification: decide whether evidence is intact, and say exactly what is not.

Two ways to verify (as in sigstore-python): :func:`verify_path` collects every finding
into a :class:`~evidence.report.Report`; :func:`require_valid` raises
:class:`~evidence.errors.VerificationFailed` with the report attached. ``verify`` decides
validity; the dossier and the command line only print the verdict.

``verify_path`` accepts what ``evidence verify`` accepts: a case folder, a partial case
written by ``evidence disclose``, a BagIt package (folder or zip) and a dossier PDF with the
case data embedded.

Example:
    >>> # report = verify_path("my-case"); print(report.ok)  # doctest: +SKIP
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

from evidence.errors import InputError, VerificationFailed
from evidence.progress import Progress
from evidence.report import Report
from evidence.verify.case import verify_case
from evidence.verify.options import VerifyOptions

__all__ = [
    "Progress",
    "VerifyOptions",
    "log_verification",
    "require_valid",
    "verify_case",
    "verify_path",
]


def verify_path(
    path: str | os.PathLike[str],
    *,
    options: VerifyOptions | None = None,
    progress: Progress | None = None,
) -> Report:
    """Verify a case folder, a BagIt package (folder or .zip) or a dossier PDF.

    Raises:
        InputError: the path does not exist or is of no kind this tool can verify.
        CaseError: a folder that is neither a case folder nor a package.
    """
    target = Path(path)
    opts = options or VerifyOptions()
    if not target.exists():
        raise InputError("no such file or folder", path=str(target))
    if target.is_dir():
        if (target / "disclosure.json").is_file():
            from evidence.verify.partial import verify_partial_case

            return verify_partial_case(target, options=opts, progress=progress)
        if (target / "bagit.txt").is_file():
            from evidence.verify.package import verify_package

            return verify_package(target, options=opts, progress=progress)
        return verify_case(target, options=opts, progress=progress)
    with target.open("rb") as fh:
        magic = fh.read(5)
    if magic.startswith(b"PK\x03\x04"):
        from evidence.verify.package import verify_package

        return verify_package(target, options=opts, progress=progress)
    if magic == b"%PDF-":
        from evidence.verify.dossier import verify_dossier

        return verify_dossier(target, options=opts, progress=progress)
    raise InputError(
        "expected a case folder, a BagIt package (folder or .zip) or a dossier PDF",
        path=str(target),
    )


def require_valid(report: Report) -> Report:
    """Return the report if it is OK; raise :class:`VerificationFailed` otherwise."""
    if not report.ok:
        raise VerificationFailed(report)
    return report


def log_verification(
    path: str | os.PathLike[str],
    report: Report,
    *,
    actor: str | None = None,
    now: datetime.datetime | None = None,
) -> None:
    """Append a ``verified`` event with the verdict to a case folder's custody log.

    Verification itself never writes (it may run on read-only media or someone else's
    copy); a custodian who verifies their own case can record that they did.

    Raises:
        CaseError: ``path`` is not a case folder.
        LockError: another process is writing to the case.
    """
    from evidence.case import Case, default_actor
    from evidence.integrity.custody import NewEvent

    case = Case.open(path)
    problems = report.problems()
    details = {
        "ok": report.ok,
        "problems": len(problems),
        "checked": dict(sorted(report.checked.items())),
        "seals": [p.name for p in case.seal_files()],
    }
    with case.lock():
        case.custody.append(
            [NewEvent("verified", None, details)], actor=default_actor(actor), now=now
        )
