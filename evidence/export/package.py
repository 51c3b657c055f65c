"""``evidence export``: a case as an archival BagIt package (RFC 8493), folder or zip.

The package's ``data/`` is the case as its folder holds it, so that ``evidence verify``
checks it anywhere and ``evidence import`` restores it::

    data/case.yaml  data/claims/  data/records/  data/objects/  data/custody.jsonl
    data/seals/     every file: seals, signatures, time-stamp tokens, certificate chains
    data/schemas/   the JSON Schemas the case's documents follow (draft 2020-12)
    data/out/       the rendered dossier(s) of the latest seal, when present

``bag-info.txt`` carries the submitter's contact (from case.yaml), the case id and title,
the latest seal (sequence, Merkle root, file digest) and the custody head the package
carries (sequence and SHA-256 of the last line of ``data/custody.jsonl``).

The whole export holds the case lock, so the copy is one consistent moment of the case.
The bag is written in a temporary folder beside the destination, made durable, and
renamed into place; only then is an ``exported`` event appended to the case's custody
log, naming the package and the SHA-256 of its tag manifest (which pins every file).
The case folder is only read, apart from that one event.

Example::

    result = export_case(Case.open("my-case"), Path("my-case-bag"))
    print(result.oxum, result.tagmanifest_sha256)
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import re
import secrets
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from evidence._fs import fsync_dir
from evidence._resources import resource
from evidence._time import format_time, utc_now
from evidence.case import CASE_FILE, Case, default_actor, tool_name
from evidence.digest import digest_bytes
from evidence.errors import CaseError, InputError, UsageError
from evidence.export.bagit import PayloadFile, write_payload, write_tag_files
from evidence.export.zip import write_zip
from evidence.formats.bagit import (
    BAGIT_VERSION,
    INFO_CUSTODY_SEQ,
    INFO_CUSTODY_SHA256,
    INFO_SEAL_ROOT,
    INFO_SEAL_SEQUENCE,
    INFO_SEAL_SHA256,
    bag_size,
)
from evidence.integrity.custody import CustodyHead, NewEvent
from evidence.model import Seal
from evidence.standalone import VERIFIER_NAME, verifier_bytes
from evidence.verify.case import Progress

__all__ = ["SCHEMA_ROOTS", "ExportResult", "export_case", "package_schemas"]

SCHEMA_ROOTS: Final = ("case", "claims-file", "record", "seal", "custody-event")
"""The document kinds a package holds; their schemas and what these refer to go in."""

_EVIDENCE_FOLDERS: Final = ("claims", "records", "objects", "seals")
_SCHEMA_REF = re.compile(rb'"urn:evidence:schema:([a-z-]+):[0-9]+')


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote, and what the package carries."""

    path: Path
    case_id: str
    files: int
    octets: int
    seal: Seal | None
    custody: CustodyHead
    unsealed: int
    dossiers: tuple[str, ...]
    tagmanifest_sha256: str
    zip_sha256: str | None

    @property
    def oxum(self) -> str:
        return f"{self.octets}.{self.files}"


def package_schemas() -> list[PayloadFile]:
    """The schemas of :data:`SCHEMA_ROOTS` and every schema they refer to, as shipped."""
    wanted = list(SCHEMA_ROOTS)
    found: dict[str, bytes] = {}
    while wanted:
        name = wanted.pop()
        if name in found:
            continue
        data = resource("schemas", f"{name}.schema.json").read_bytes()
        found[name] = data
        wanted.extend(ref.decode("ascii") for ref in _SCHEMA_REF.findall(data))
    return [
        PayloadFile(f"schemas/{name}.schema.json", data) for name, data in sorted(found.items())
    ]


def _walk(case: Case, folder: str) -> list[PayloadFile]:
    """Every regular file under a case folder; dot files (temporary files, locks) are not
    evidence and stay behind; a link or a device file stops the export."""
    files: list[PayloadFile] = []
    stack = [folder]
    while stack:
        rel = stack.pop()
        try:
            entries = sorted(os.scandir(case.root / rel), key=lambda e: e.name)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise InputError(f"cannot list: {exc.strerror}", path=rel) from exc
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = f"{rel}/{entry.name}"
            mode = entry.stat(follow_symlinks=False).st_mode
            if stat.S_ISDIR(mode):
                stack.append(path)
            elif stat.S_ISREG(mode):
                files.append(PayloadFile(path, Path(entry.path)))
            else:
                raise CaseError(
                    "is not a regular file (a link or a device file); a package "
                    "carries regular files only",
                    path=path,
                    hint="Move it out of the case folder, then export again.",
                )
    return files


def _dossiers(case: Case, seal: Seal | None) -> list[PayloadFile]:
    """``out/<case-id>-seal-<NNNN>-<template>.pdf`` of the latest seal."""
    if seal is None or not case.out_dir.is_dir():
        return []
    prefix = f"{case.meta.id}-seal-{seal.sequence:04d}-"
    return [
        PayloadFile(f"out/{p.name}", p)
        for p in sorted(case.out_dir.iterdir())
        if p.name.startswith(prefix) and p.name.endswith(".pdf") and stat.S_ISREG(p.lstat().st_mode)
    ]


def _payload(case: Case, seal: Seal | None) -> list[PayloadFile]:
    files: list[PayloadFile] = []
    for path in (case.root / CASE_FILE, case.custody.path):
        if not stat.S_ISREG(path.lstat().st_mode):
            raise CaseError(
                "is not a regular file; a package carries regular files only", path=path.name
            )
        files.append(PayloadFile(path.name, path))
    for folder in _EVIDENCE_FOLDERS:
        files.extend(_walk(case, folder))
    return [*files, *package_schemas(), *_dossiers(case, seal)]


def _bag_info(
    case: Case,
    seal: tuple[Seal, bytes] | None,
    head: CustodyHead,
    oxum: str,
    octets: int,
    moment: _dt.datetime,
) -> list[tuple[str, str]]:
    meta = case.meta
    person = meta.submitter
    fields: list[tuple[str, str | None]] = [
        ("Source-Organization", person.organisation),
        ("Organization-Address", person.address),
        ("Contact-Name", person.name),
        ("Contact-Phone", person.phone),
        ("Contact-Email", person.email),
        ("External-Identifier", meta.id),
        ("External-Description", meta.title),
        ("Internal-Sender-Identifier", meta.reference),
        ("Bagging-Date", moment.astimezone(_dt.UTC).date().isoformat()),
        ("Payload-Oxum", oxum),
        ("Bag-Size", bag_size(octets)),
        ("Bag-Software-Agent", tool_name()),
        ("Evidence-Exported-At", format_time(moment)),
    ]
    if seal is not None:
        fields += [
            (INFO_SEAL_SEQUENCE, str(seal[0].sequence)),
            (INFO_SEAL_ROOT, seal[0].root),
            (INFO_SEAL_SHA256, digest_bytes(seal[1]).sha256),
        ]
    fields += [(INFO_CUSTODY_SEQ, str(head.seq)), (INFO_CUSTODY_SHA256, head.sha256)]
    return [(label, value) for label, value in fields if value and value.strip()]


def _destination(case: Case, out: Path) -> Path:
    """Refuse a destination that exists, has no folder, or lies among the case's evidence."""
    if out.exists() or out.is_symlink():
        raise UsageError(
            "exists already; give a new path (an export never overwrites)", path=str(out)
        )
    if not out.parent.is_dir():
        raise UsageError(
            f"folder {out.parent} does not exist", path=str(out), hint="Create the folder first."
        )
    target = out.parent.resolve() / out.name
    root = case.root.resolve()
    if target.is_relative_to(root) and not target.is_relative_to(root / "out"):
        raise UsageError(
            "is inside the case folder; a package goes outside it or in out/", path=str(out)
        )
    return target


def export_case(
    case: Case,
    out: Path,
    *,
    as_zip: bool = False,
    actor: str | None = None,
    now: _dt.datetime | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
) -> ExportResult:
    """Write ``case`` as a new BagIt package at ``out`` and log an ``exported`` event.

    Args:
        case: the open case (its lock is taken for the whole export).
        out: the new bag folder, or with ``as_zip`` the zip file (``.zip`` is added when
            missing).
        as_zip: write one deterministic zip of the bag instead of a folder.
        actor: who exports (default: EVIDENCE_ACTOR or the OS user).
        now: the export time (default: now).
        progress: called as ``progress("exporting", bytes_done, bytes_total)``.
        workers: threads that copy and digest (default: 2, or the cores up to 4).

    Raises:
        UsageError: ``out`` exists, has no parent folder, or is among the case's evidence.
        CaseError: the case holds a link or device file, or is locked by another writer.
        InputError: a file name that cannot go into a package, or an unreadable file.
    """
    if as_zip and out.suffix.lower() != ".zip":
        out = out.with_name(f"{out.name}.zip")
    target = _destination(case, out)
    moment = now or utc_now()
    who = default_actor(actor)
    threads = workers or max(2, min(4, os.cpu_count() or 1))
    tick: Callable[[int, int], None] | None = (
        (lambda done, total: progress("exporting", done, total)) if progress else None
    )
    with case.lock():
        head = case.custody.head()
        if head is None:
            raise CaseError("custody.jsonl is empty", path=str(case.root))
        sealed = case.latest_seal()
        seal = sealed[0] if sealed else None
        unsealed = len(case.state().entries) - (seal.size if seal else 0)
        payload = _payload(case, seal)
        tmp = target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp"
        tmp.mkdir()
        try:
            name = target.stem if as_zip else target.name
            summary = write_payload(tmp / name, payload, workers=threads, progress=tick)
            pinned = write_tag_files(
                tmp / name,
                _bag_info(case, sealed, head, summary.oxum, summary.octets, moment),
                {VERIFIER_NAME: verifier_bytes()},
            )
            zip_sha256 = None
            if as_zip:
                zip_sha256 = write_zip(tmp / name, tmp / target.name, root=name)
            else:
                os.sync()  # one sync for the whole bag, before its name appears
            if target.exists() or target.is_symlink():
                raise UsageError("appeared while exporting; nothing was overwritten", path=str(out))
            os.rename(tmp / target.name, target)
            fsync_dir(target.parent)
        except OSError as exc:
            raise InputError(
                f"cannot write the package: {exc.strerror or exc}", path=str(out)
            ) from exc
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        details = {
            "package": target.name,
            "format": "bagit-zip" if as_zip else "bagit",
            "bagit_version": BAGIT_VERSION,
            "payload_oxum": summary.oxum,
            "tagmanifest_sha256": pinned,
            "custody": {"seq": head.seq, "sha256": head.sha256},
            "seal": {"sequence": seal.sequence, "root": seal.root} if seal else None,
        }
        if zip_sha256:
            details["zip_sha256"] = zip_sha256
        try:
            case.custody.append([NewEvent("exported", None, details)], actor=who, now=moment)
        except BaseException:
            # No package the custody log does not name.
            with contextlib.suppress(OSError):
                (target.unlink() if as_zip else shutil.rmtree(target))
            raise
    return ExportResult(
        path=target,
        case_id=case.meta.id,
        files=summary.files,
        octets=summary.octets,
        seal=seal,
        custody=head,
        unsealed=unsealed,
        dossiers=tuple(p.path for p in payload if p.path.startswith("out/")),
        tagmanifest_sha256=pinned,
        zip_sha256=zip_sha256,
    )
