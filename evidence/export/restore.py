"""``evidence import``: restore a case from a BagIt package, only after it verifies.

The package (a bag folder or its zip) is treated as hostile until proven otherwise. It
is copied or extracted into a temporary folder beside the destination, with the checks
of :mod:`evidence.verify.package` (no ``..``, absolute paths, links, device files, names
equal after case folding or Unicode normalisation; a zip's expansion bounded); then the
copy is verified in full: every manifest line, completeness, Payload-Oxum, bag-info
against the case, and the case itself. Only a package with no finding is restored: its
``data/`` is renamed into place in one step, with the evidence files read-only, and a
``verified`` event is appended to the restored case's custody log, naming the package and
the SHA-256 of its tag manifest (the same digest the exporting case logged). Anything
else leaves nothing behind.

Example::

    result = import_package(Path("case-bag.zip"), Path("restored"))
    print(result.case_id, result.report.ok)
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from evidence._fs import fsync_dir
from evidence.case import Case, default_actor
from evidence.errors import InputError, UsageError, VerificationFailed
from evidence.integrity.custody import CustodyHead, NewEvent
from evidence.progress import Progress
from evidence.report import Report
from evidence.verify.options import VerifyOptions
from evidence.verify.package import ZipLimits, copy_bag, extract_zip, verify_bag

__all__ = ["ImportResult", "import_package"]

_SKELETON: Final = ("claims", "objects", "records", "seals")
_READ_ONLY: Final = ("objects", "records", "seals")


@dataclass(frozen=True)
class ImportResult:
    """A restored case: where it is, what it is, and the verification it passed."""

    case_dir: Path
    case_id: str
    custody: CustodyHead
    report: Report


def _destination(package: Path, dest: Path) -> None:
    if dest.is_symlink() or (dest.exists() and (not dest.is_dir() or any(dest.iterdir()))):
        raise UsageError(
            "exists and is not an empty folder",
            path=str(dest),
            hint="Give a new folder for the restored case.",
        )
    if not dest.parent.is_dir():
        raise UsageError(
            f"folder {dest.parent} does not exist", path=str(dest), hint="Create the folder first."
        )
    if package.is_dir() and (dest.parent.resolve() / dest.name).is_relative_to(package.resolve()):
        raise UsageError("is inside the package; restore the case elsewhere", path=str(dest))


def _settle(case_dir: Path) -> None:
    """The case folder layout, and evidence files read-only as ``evidence`` writes them."""
    for name in _SKELETON:
        (case_dir / name).mkdir(exist_ok=True)
    for folder, _, files in os.walk(case_dir):
        top = Path(folder).relative_to(case_dir).parts[:1]
        mode = 0o444 if top and top[0] in _READ_ONLY else 0o644
        for name in files:
            os.chmod(Path(folder) / name, mode)


def import_package(
    package: Path,
    dest: Path,
    *,
    options: VerifyOptions | None = None,
    actor: str | None = None,
    now: _dt.datetime | None = None,
    progress: Progress | None = None,
    limits: ZipLimits | None = None,
) -> ImportResult:
    """Verify the package at ``package`` and restore its case into ``dest``.

    Args:
        package: a bag folder or its zip.
        dest: a new folder (or an empty one) for the case.
        options: trust anchors for the case verification (keys, time-stamp CAs).
        actor: who imports, for the custody log (default: EVIDENCE_ACTOR or the OS user).
        now: the time of the custody event (default: now).
        progress: called as ``progress(stage, done, total)`` during verification.
        limits: bounds on a zip's expansion.

    Raises:
        InputError: the package does not exist or is not a bag folder or zip.
        UsageError: ``dest`` exists and is not empty, or lies inside the package.
        VerificationFailed: the package has findings; the report is attached and
            nothing was restored.
    """
    if not package.exists():
        raise InputError("no such file or folder", path=str(package))
    if package.is_dir() and not (package / "bagit.txt").is_file():
        raise InputError("not a BagIt package (no bagit.txt)", path=str(package))
    _destination(package, dest)
    who = default_actor(actor)
    tmp = dest.parent / f".{dest.name}.{secrets.token_hex(6)}.tmp"
    tmp.mkdir(mode=0o700)
    try:
        report = Report(subject=str(package))
        staged = tmp / "package"
        if package.is_dir():
            root = copy_bag(package, staged, report)
        else:
            staged.mkdir()
            root = extract_zip(package, staged, report, limits=limits)
        if root is not None:
            verify_bag(root, report, options=options, progress=progress)
        if root is None or not report.ok:
            raise VerificationFailed(report)
        case_dir = root / "data"
        _settle(case_dir)
        case = Case.open(case_dir)
        with case.lock():
            head = case.custody.head()
            assert head is not None  # the verification read the log
            pinned = root / "tagmanifest-sha256.txt"
            details = {
                "imported": True,
                "package": package.name,
                "format": "bagit" if package.is_dir() else "bagit-zip",
                "tagmanifest_sha256": (
                    hashlib.sha256(pinned.read_bytes()).hexdigest() if pinned.is_file() else None
                ),
                "custody": {"seq": head.seq, "sha256": head.sha256},
                "checked": dict(sorted(report.checked.items())),
            }
            case.custody.append([NewEvent("verified", None, details)], actor=who, now=now)
        os.sync()  # one sync for every restored file, before the case gets its name
        os.rename(case_dir, dest)
        fsync_dir(dest.parent)
    except OSError as exc:
        raise InputError(f"cannot restore the case: {exc.strerror or exc}", path=str(dest)) from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return ImportResult(dest, case.meta.id, head, report)
