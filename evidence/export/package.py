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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

from evidence._fs import fsync_dir
from evidence._resources import resource
from evidence._time import format_time, utc_now
from evidence.case import CASE_FILE, Case, CaseState, default_actor, tool_name
from evidence.digest import digest_bytes
from evidence.errors import CaseError, EvidenceError, InputError, UsageError
from evidence.export._digests import DigestCache
from evidence.export.bagit import PayloadFile, PayloadSummary, write_payload, write_tag_files
from evidence.export.zip import write_zip
from evidence.formats.bagit import (
    BAGIT_VERSION,
    INFO_CUSTODY_SEQ,
    INFO_CUSTODY_SHA256,
    INFO_SEAL_ROOT,
    INFO_SEAL_SEQUENCE,
    INFO_SEAL_SHA256,
    KnownDigests,
    bag_size,
)
from evidence.integrity.custody import CustodyHead, NewEvent
from evidence.model import Seal, SourceBody
from evidence.progress import Progress
from evidence.standalone import VERIFIER_NAME, verifier_bytes

__all__ = ["SCHEMA_ROOTS", "ExportResult", "export_case", "package_schemas"]

SCHEMA_ROOTS: Final = ("case", "claims-file", "record", "seal", "custody-event")
"""The document kinds a package holds; their schemas and what these refer to go in."""

_KNOWN_FROM: Final = 8 << 20
"""Objects from this size on are copied without a SHA-256 pass (:func:`_known_digests`)."""
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


@dataclass(frozen=True)
class _Snapshot:
    """The case at the moment of export, read under its lock."""

    head: CustodyHead
    sealed: tuple[Seal, bytes] | None
    unsealed: int
    payload: list[PayloadFile]

    @property
    def seal(self) -> Seal | None:
        return self.sealed[0] if self.sealed else None


@dataclass(frozen=True)
class _Written:
    """What writing the bag gave: the payload summary and the digests that pin it."""

    summary: PayloadSummary
    pinned: str
    zip_sha256: str | None


def _known_digests(
    case: Case, state: CaseState, cache: DigestCache | None
) -> dict[str, KnownDigests]:
    """SHA-256 digests of large objects as their source records give them, and SHA-512
    digests an earlier export computed of the same bytes (``cache``), by BLAKE3.

    The export then copies such an object with BLAKE3 (to check its name) and SHA-512
    (unless kept), and takes the record's SHA-256 for the manifest (issue 17, decisions
    0504 and 0507): a SHA-256 pass over a video is the cost it saves, and a SHA-512 pass
    on every export after the first. An object whose bytes do not match its name gets
    its digests computed after all (:class:`KnownDigests`), so the manifests always
    describe the bytes the package holds.
    """
    known: dict[str, KnownDigests] = {}
    for blake3_hex, record_id in state.source_by_object.items():
        try:
            if case.objects.path(blake3_hex).stat().st_size < _KNOWN_FROM:
                continue
            latest = state.latest[record_id]
            body = case.records.load(record_id, latest.revision, blake3=latest.blake3).record.body
        except (OSError, EvidenceError, KeyError):
            continue  # computed from the bytes; verify reports what is wrong with the case
        if not isinstance(body, SourceBody):
            continue
        refs = [body.object, body.text, *(a.object for a in body.attachments)]
        for ref in refs:
            if ref is not None:
                kept = cache.load(ref.blake3) if cache is not None else {}
                known[ref.blake3] = KnownDigests(ref.blake3, {**kept, "sha256": ref.sha256})
    return known


def _keep_digests(cache: DigestCache | None, summary: PayloadSummary) -> None:
    """Keep what the export computed of large objects' bytes, by their BLAKE3 (0507)."""
    if cache is None:
        return
    for path, result in summary.checked.items():
        if path.startswith("objects/") and result.blake3 and result.size >= _KNOWN_FROM:
            computed = {a: d for a, d in result.hexdigests.items() if a not in result.taken}
            cache.store(result.blake3, computed)


def _snapshot(case: Case) -> _Snapshot:
    """Read what the package carries (call with the case lock held)."""
    head = case.custody.head()
    if head is None:
        raise CaseError("custody.jsonl is empty", path=str(case.root))
    sealed = case.latest_seal()
    seal = sealed[0] if sealed else None
    state = case.state()
    known = _known_digests(case, state, DigestCache.default())
    payload = [
        replace(f, known=known.get(Path(f.path).name)) if f.path.startswith("objects/") else f
        for f in _payload(case, seal)
    ]
    return _Snapshot(head, sealed, len(state.entries) - (seal.size if seal else 0), payload)


def _write_bag(
    case: Case,
    snap: _Snapshot,
    target: Path,
    *,
    as_zip: bool,
    moment: _dt.datetime,
    threads: int,
    tick: Callable[[int, int], None] | None,
) -> _Written:
    """Write the bag (or its zip) in a temporary folder beside ``target``, make it
    durable, and rename it into place."""
    tmp = target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp"
    tmp.mkdir()
    try:
        name = target.stem if as_zip else target.name
        summary = write_payload(tmp / name, snap.payload, workers=threads, progress=tick)
        pinned = write_tag_files(
            tmp / name,
            _bag_info(case, snap.sealed, snap.head, summary.oxum, summary.octets, moment),
            {VERIFIER_NAME: verifier_bytes()},
        )
        zip_sha256 = None
        if as_zip:
            zip_sha256 = write_zip(tmp / name, tmp / target.name, root=name)
        else:
            os.sync()  # one sync for the whole bag, before its name appears
        if target.exists() or target.is_symlink():
            raise UsageError("appeared while exporting; nothing was overwritten", path=str(target))
        os.rename(tmp / target.name, target)
        fsync_dir(target.parent)
    except OSError as exc:
        raise InputError(
            f"cannot write the package: {exc.strerror or exc}", path=str(target)
        ) from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return _Written(summary, pinned, zip_sha256)


def _log_export(
    case: Case,
    target: Path,
    snap: _Snapshot,
    written: _Written,
    *,
    as_zip: bool,
    who: str,
    moment: _dt.datetime,
) -> None:
    """Append the ``exported`` event; if that fails, remove the package (no package the
    custody log does not name)."""
    seal = snap.seal
    details: dict[str, Any] = {
        "package": target.name,
        "format": "bagit-zip" if as_zip else "bagit",
        "bagit_version": BAGIT_VERSION,
        "payload_oxum": written.summary.oxum,
        "tagmanifest_sha256": written.pinned,
        "custody": {"seq": snap.head.seq, "sha256": snap.head.sha256},
        "seal": {"sequence": seal.sequence, "root": seal.root} if seal else None,
    }
    if written.zip_sha256:
        details["zip_sha256"] = written.zip_sha256
    try:
        case.custody.append([NewEvent("exported", None, details)], actor=who, now=moment)
    except BaseException:
        with contextlib.suppress(OSError):
            (target.unlink() if as_zip else shutil.rmtree(target))
        raise


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
        snap = _snapshot(case)
        written = _write_bag(
            case, snap, target, as_zip=as_zip, moment=moment, threads=threads, tick=tick
        )
        _log_export(case, target, snap, written, as_zip=as_zip, who=who, moment=moment)
    _keep_digests(DigestCache.default(), written.summary)
    return ExportResult(
        path=target,
        case_id=case.meta.id,
        files=written.summary.files,
        octets=written.summary.octets,
        seal=snap.seal,
        custody=snap.head,
        unsealed=snap.unsealed,
        dossiers=tuple(p.path for p in snap.payload if p.path.startswith("out/")),
        tagmanifest_sha256=written.pinned,
        zip_sha256=written.zip_sha256,
    )
