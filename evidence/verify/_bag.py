"""BagIt packages from an untrusted hand: folders and zips (RFC 8493).

The primitives under the package verifier (:mod:`evidence.verify.package`) and the
package import (:mod:`evidence.export.restore`); the format itself (names, tag files,
manifests, digests) is :mod:`evidence.formats.bagit`.

- :func:`scan_tree` walks a folder without following links;
- :func:`extract_zip` checks a zip's central directory (types, names, bounded
  expansion, overlapping entries) before it extracts anything;
- :func:`copy_bag` copies a folder that passed the scan.

Example:
    >>> import tempfile, pathlib
    >>> from evidence.report import Report
    >>> scan_tree(pathlib.Path(tempfile.mkdtemp()), Report()).files
    {}
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import stat
import struct
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from evidence.formats.bagit import hash_files, name_collisions, unsafe_name
from evidence.report import Report

__all__ = [
    "BagTree",
    "ZipLimits",
    "copy_bag",
    "extract_zip",
    "nofollow",
    "scan_tree",
]

_CHUNK: Final = 4 << 20


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


# -- zips ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ZipLimits:
    """Bounds on what an untrusted zip may expand to (zip bombs).

    Attributes:
        max_entries: entries in the central directory.
        max_ratio: uncompressed bytes per byte of the zip file, over the whole archive.
        slack: bytes allowed beyond ``max_ratio`` times the zip's size (small packages).
        max_total: uncompressed bytes in all, whatever the zip's size.
    """

    max_entries: int = 1_000_000
    max_ratio: int = 50
    slack: int = 64 << 20
    max_total: int = 1 << 40


_SPECIAL_KINDS: Final = {
    stat.S_IFLNK: "a symbolic link",
    stat.S_IFCHR: "a device file",
    stat.S_IFBLK: "a device file",
    stat.S_IFIFO: "a FIFO",
    stat.S_IFSOCK: "a socket",
}
_ZIP_ERRORS: Final = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    ValueError,
    EOFError,
    NotImplementedError,
    RuntimeError,
    struct.error,
    zlib.error,
)


def _zip_entry_problems(
    infos: Sequence[zipfile.ZipInfo], archive_size: int, start_dir: int, limits: ZipLimits
) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if len(infos) > limits.max_entries:
        return [("", f"{len(infos)} entries, more than the bound of {limits.max_entries}")]
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = info.orig_filename.rstrip("/") if info.is_dir() else info.orig_filename
        reason = "a NUL byte in the name" if "\0" in info.orig_filename else unsafe_name(name)
        kind = _SPECIAL_KINDS.get(stat.S_IFMT(info.external_attr >> 16))
        if reason:
            problems.append((info.orig_filename, f"refused: {reason}"))
        elif kind:
            problems.append((name, f"refused: {kind}; a package holds regular files only"))
        elif name in seen:
            problems.append((name, "listed twice in the zip"))
        elif info.flag_bits & 0x1:
            problems.append((name, "encrypted; a package must be readable by anyone"))
        elif info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            problems.append(
                (
                    name,
                    f"compression method {info.compress_type} is not supported "
                    "(stored or deflated only)",
                )
            )
        seen.add(name)
        total += info.file_size
    for first, second in name_collisions(seen):
        problems.append(
            (
                second,
                f"refused: the same name as {first!r} after case folding or Unicode normalisation",
            )
        )
    budget = min(limits.max_total, limits.max_ratio * archive_size + limits.slack)
    if total > budget:
        problems.append(
            (
                "",
                f"would expand to {total} bytes from a {archive_size}-byte zip, "
                f"more than the bound of {budget} bytes (a zip bomb?)",
            )
        )
    spans = sorted(
        (i.header_offset, i.header_offset + 30 + i.compress_size, i.orig_filename) for i in infos
    )
    for (_, end, name), (start, _, _) in zip(spans, [*spans[1:], (start_dir, 0, "")], strict=True):
        if end > start:
            problems.append((name, "overlaps the next entry of the zip (a zip bomb?)"))
            break
    return problems


def _zip_root(names: Sequence[str]) -> str | None:
    """The bag's folder inside the zip: '' when bagit.txt is at the top, else the one top
    folder holding it; None when the zip holds no bag."""
    if "bagit.txt" in names:
        return ""
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) == 1:
        top = tops.pop()
        if f"{top}/bagit.txt" in names:
            return top
    return None


def extract_zip(
    archive: Path, into: Path, report: Report, *, limits: ZipLimits | None = None
) -> Path | None:
    """Extract an untrusted zip into the empty folder ``into`` after checking its central
    directory; return the bag's folder, or None (with the reasons in ``report``).

    Nothing is written outside ``into``; links and device files are never created; every
    entry's bytes are bounded by its declared size and checked against its CRC-32.
    """
    bounds = limits or ZipLimits()
    shown = archive.name
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
            problems = _zip_entry_problems(infos, archive.stat().st_size, zf.start_dir, bounds)
            for name, message in problems:
                report.add("package-safety", "FAIL", message, path=f"{shown}:{name}".rstrip(":"))
            names = [i.filename.rstrip("/") for i in infos]
            root = _zip_root(names)
            if root is None:
                report.add(
                    "package-form",
                    "FAIL",
                    "no bagit.txt at the top of the zip or in "
                    "its one top-level folder: not a BagIt package",
                    path=shown,
                )
            if problems or root is None:
                return None
            needed = sum(i.file_size for i in infos)
            free = shutil.disk_usage(into).free
            if needed > free:
                report.add(
                    "package-form",
                    "ERROR",
                    f"needs {needed} bytes to extract, {free} are free",
                    path=shown,
                )
                return None
            for info in infos:
                _extract_entry(zf, info, into)
    except _ZIP_ERRORS as exc:
        report.add("package-form", "FAIL", f"not a readable zip: {exc}", path=shown)
        return None
    return into / root if root else into


def _extract_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo, into: Path) -> None:
    parts = info.filename.rstrip("/").split("/")
    folder = into
    for part in parts[:-1] if not info.is_dir() else parts:
        folder = folder / part
        if not folder.is_dir():
            folder.mkdir(mode=0o755)
    if info.is_dir():
        return
    fd = os.open(
        folder / parts[-1],
        os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
        0o600,
    )
    try:
        with zf.open(info) as member:  # reads at most file_size bytes, then checks CRC-32
            while chunk := member.read(_CHUNK):
                _write_all(fd, chunk)
        os.fchmod(fd, 0o644)
    finally:
        os.close(fd)


# -- folders -------------------------------------------------------------------------------


@dataclass
class BagTree:
    """What is known of a bag folder: its regular files, whether it is safe to read, and
    (filled in by the checks) its bag-info tags and payload manifests."""

    root: Path
    files: dict[str, int]  # every regular file, by its path in the bag: its size
    safe: bool = True
    tags: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    manifests: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)

    @property
    def payload(self) -> dict[str, int]:
        return {rel: size for rel, size in self.files.items() if rel.startswith("data/")}


def scan_tree(root: Path, report: Report) -> BagTree:
    """Walk a bag folder without following links; report (``package-safety``) what may
    not be in a package: unsafe names, links, device files, FIFOs, sockets, and names
    equal after case folding or Unicode normalisation."""
    bag = BagTree(root, {})
    names: list[str] = []
    stack = [""]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(
                os.scandir(root / folder) if folder else os.scandir(root), key=lambda e: e.name
            )
        except OSError as exc:
            report.add(
                "package-safety", "ERROR", f"cannot list: {exc.strerror}", path=folder or "."
            )
            bag.safe = False
            continue
        for entry in entries:
            rel = f"{folder}/{entry.name}" if folder else entry.name
            names.append(rel)
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError as exc:
                report.add("package-safety", "ERROR", f"cannot read: {exc.strerror}", path=rel)
                bag.safe = False
                continue
            reason = unsafe_name(rel)
            kind = _SPECIAL_KINDS.get(stat.S_IFMT(info.st_mode))
            if reason or kind:
                report.add("package-safety", "FAIL", f"refused: {reason or kind}", path=rel)
                bag.safe = False
            elif stat.S_ISDIR(info.st_mode):
                stack.append(rel)
            elif stat.S_ISREG(info.st_mode):
                bag.files[rel] = info.st_size
    for first, second in name_collisions(names):
        report.add(
            "package-safety",
            "FAIL",
            f"refused: the same name as {first!r} after case folding or Unicode normalisation",
            path=second,
        )
        bag.safe = False
    return bag


def nofollow(path: str, flags: int) -> int:
    """An ``opener`` for :func:`open` that never follows a link."""
    return os.open(path, flags | os.O_NOFOLLOW | os.O_CLOEXEC)


def copy_bag(source: Path, into: Path, report: Report) -> Path | None:
    """Copy an untrusted bag folder into the new folder ``into``: regular files only,
    never through a link; return ``into``, or None (with the reasons in ``report``)."""
    bag = scan_tree(source, report)
    if not bag.safe:
        return None
    rels = sorted(bag.files)
    into.mkdir()
    for folder in sorted({(into / rel).parent for rel in rels}):
        folder.mkdir(parents=True, exist_ok=True)
    results = hash_files([source / rel for rel in rels], (), copies=[into / rel for rel in rels])
    failed = [(rel, r) for rel, r in zip(rels, results, strict=True) if isinstance(r, OSError)]
    for rel, error in failed:
        report.add("package-form", "ERROR", f"cannot copy: {error.strerror or error}", path=rel)
    return None if failed else into
