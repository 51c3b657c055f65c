"""BagIt files from an untrusted hand: names, tag files, digests, zips (RFC 8493).

The primitives under the package verifier (:mod:`evidence.verify.package`, which
re-exports them) and the package writer (:mod:`evidence.export`):

- names: what may be a path in a package (no ``..``, absolute paths, backslashes,
  control characters), names equal after case folding or Unicode NFC normalisation,
  and the percent-encoding of manifest paths (RFC 8493 §2.1.3);
- tag files: ``Label: value`` lines with folding (RFC 8493 §2.2.2);
- digests: :func:`hash_files` reads each file once, digests it with several algorithms
  on several threads (hashlib releases the GIL) and can copy it on the way;
- untrusted input: :func:`scan_tree` walks a folder without following links,
  :func:`extract_zip` checks a zip's central directory (types, names, bounded expansion,
  overlapping entries) before it extracts anything, and :func:`copy_bag` copies a folder
  that passed the scan.

Example:
    >>> encode_manifest_path("data/50% of\\nall.txt")
    'data/50%25 of%0Aall.txt'
    >>> unsafe_name("data/../etc/passwd")
    "'..' in the path"
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import errno
import hashlib
import os
import queue
import re
import shutil
import stat
import struct
import sys
import threading
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from evidence.report import Report

__all__ = [
    "BagTree",
    "FileDigests",
    "ZipLimits",
    "copy_bag",
    "decode_manifest_path",
    "encode_manifest_path",
    "extract_zip",
    "hash_files",
    "name_collisions",
    "nofollow",
    "parse_tags",
    "scan_tree",
    "tag_value",
    "unsafe_name",
]

_CHUNK: Final = 4 << 20
_SMALL: Final = 8 << 20  # files below this are hashed on one thread, all algorithms at once
_FLUSH: Final = 64 << 20
_BATCH: Final = 128  # small files handed to a worker at a time
_EARLY_WRITEBACK: Final = sys.platform.startswith("linux")
_NO_KERNEL_COPY: Final = frozenset(
    {errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EBADF}
)
_ENCODED = re.compile(r"%(0[AaDd]|25)")
_DRIVE = re.compile(r"^[A-Za-z]:")


# -- names ----------------------------------------------------------------------------------


def encode_manifest_path(path: str) -> str:
    """A path as a manifest line holds it: ``%``, LF and CR percent-encoded (RFC 8493 §2.1.3)."""
    return path.replace("%", "%25").replace("\n", "%0A").replace("\r", "%0D")


def decode_manifest_path(text: str) -> str:
    """The inverse of :func:`encode_manifest_path` (only ``%25``, ``%0A``, ``%0D`` decode)."""
    return _ENCODED.sub(lambda m: {"25": "%", "0A": "\n", "0D": "\r"}[m.group(1).upper()], text)


def unsafe_name(path: str) -> str | None:
    """Why a relative ``/``-separated path may not enter a package, or None when it may.

    Refused: absolute paths and drive letters, ``..``, empty or ``.`` components,
    backslashes, control characters, names that are not valid UTF-8 and components
    longer than 255 bytes.
    """
    if not path:
        return "an empty path"
    if path.startswith("/") or _DRIVE.match(path):
        return "an absolute path"
    if "\\" in path:
        return "a backslash in the path"
    parts = path.split("/")
    if ".." in parts:
        return "'..' in the path"
    if any(part in ("", ".") for part in parts):
        return "an empty or '.' path component"
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in path):
        return "a control character in the name"
    try:
        lengths = [len(part.encode("utf-8")) for part in parts]
    except UnicodeEncodeError:
        return "a name that is not valid UTF-8"
    if max(lengths) > 255:
        return "a name longer than 255 bytes"
    return None


def _fold(name: str) -> str:
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())


def name_collisions(paths: Iterable[str]) -> list[tuple[str, str]]:
    """Pairs of different paths (or folders on them) that are one name after case folding
    and Unicode NFC normalisation: one file would overwrite the other on macOS or Windows."""
    seen: dict[str, str] = {}
    pairs: list[tuple[str, str]] = []
    for path in sorted(paths):
        parts = path.split("/")
        for end in range(1, len(parts) + 1):
            spelled = "/".join(parts[:end])
            first = seen.setdefault(_fold(spelled), spelled)
            if first != spelled and (first, spelled) not in pairs:
                pairs.append((first, spelled))
    return pairs


# -- tag files -------------------------------------------------------------------------------


def parse_tags(data: bytes) -> tuple[list[tuple[str, str]], list[tuple[int, str]]]:
    """Parse a tag file (``Label: value`` lines, values folded onto lines that start with
    white space; RFC 8493 §2.2.2); return (tags in order, (line, problem) pairs)."""
    problems: list[tuple[int, str]] = []
    if data.startswith(b"\xef\xbb\xbf"):
        problems.append((1, "starts with a byte-order mark (RFC 8493 §2.1.1 forbids it)"))
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [], [(data[: exc.start].count(b"\n") + 1, "not valid UTF-8")]
    tags: list[tuple[str, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if line[0] in " \t":
            if not tags:
                problems.append((number, "a continuation line before any label"))
            else:
                tags[-1] = (tags[-1][0], f"{tags[-1][1]} {line.strip()}")
            continue
        label, colon, value = line.partition(":")
        if not colon or not label.strip() or label != label.strip():
            problems.append((number, "expected 'Label: value'"))
            continue
        tags.append((label, value.strip()))
    return tags, problems


def tag_value(tags: Sequence[tuple[str, str]], label: str) -> str | None:
    """The first value of ``label`` among parsed tags, or None."""
    return next((value for name, value in tags if name == label), None)


# -- digests ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FileDigests:
    """What one pass over a file gave: its size and a hex digest per algorithm."""

    size: int
    hexdigests: dict[str, str]


class _HashThread(threading.Thread):
    """Hashes chunks on its own thread (hashlib releases the GIL on large buffers)."""

    def __init__(self, algorithm: str) -> None:
        super().__init__(name=f"hash-{algorithm}", daemon=True)
        self.hasher = hashlib.new(algorithm)
        self.chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=4)

    def run(self) -> None:
        while (chunk := self.chunks.get()) is not None:
            self.hasher.update(chunk)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


class _Chunks:
    """A file's bytes chunk by chunk; with a copy, the bytes as they landed in the copy.

    The copy is made in the kernel (``copy_file_range``) where it can be, and each chunk
    read back from it, so the digests describe exactly the bytes the copy holds; writing
    from Python costs several times more. On Linux the copy's writeback starts as it
    goes, so that the caller's one sync at the end finds little left to write.
    """

    def __init__(self, fd: int, out: int) -> None:
        self.fd = fd
        self.out = out
        self.offset = 0
        self.flushed = 0
        self.kernel = out >= 0 and hasattr(os, "copy_file_range")

    def next(self) -> bytes:
        if self.out < 0:
            return os.read(self.fd, _CHUNK)
        if self.kernel:
            try:
                copied = os.copy_file_range(self.fd, self.out, _CHUNK)
            except OSError as exc:
                if self.offset or exc.errno not in _NO_KERNEL_COPY:
                    raise
                self.kernel = False
                return self.next()
            chunk = os.pread(self.out, copied, self.offset) if copied else b""
        else:
            chunk = os.read(self.fd, _CHUNK)
            _write_all(self.out, chunk)
        self.offset += len(chunk)
        if _EARLY_WRITEBACK and self.offset - self.flushed >= _FLUSH:
            # Linux starts writing dirty pages of the range to disk (and keeps them cached).
            os.posix_fadvise(
                self.out, self.flushed, self.offset - self.flushed, os.POSIX_FADV_DONTNEED
            )
            self.flushed = self.offset
        return chunk


def _hash_one(
    source: Path, algorithms: Sequence[str], copy_to: Path | None, advance: Callable[[int], None]
) -> FileDigests:
    """Read ``source`` once (never through a link) and digest it with every algorithm;
    with ``copy_to`` (a new file), copy it and digest the copy's bytes."""
    fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    out = -1
    helpers: list[_HashThread] = []
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(source))
        if copy_to is not None:
            out = os.open(
                copy_to, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600
            )
        hashers = [hashlib.new(name) for name in algorithms]
        if info.st_size >= _SMALL and len(hashers) > 1:
            # A large file: the first algorithm, the reads and the copy stay here, each
            # further algorithm hashes the same chunks on a thread of its own.
            helpers = [_HashThread(name) for name in algorithms[1:]]
            for helper in helpers:
                helper.start()
            hashers = hashers[:1]
        chunks = _Chunks(fd, out)
        while chunk := chunks.next():
            for helper in helpers:
                helper.chunks.put(chunk)
            for hasher in hashers:
                hasher.update(chunk)
            advance(len(chunk))
        digests = {h.name: h.hexdigest() for h in hashers}
        for helper in helpers:
            helper.chunks.put(None)
            helper.join()
            digests[helper.hasher.name] = helper.hasher.hexdigest()
        helpers = []
        if out >= 0:
            os.fchmod(out, 0o444)
        return FileDigests(chunks.offset, digests)
    finally:
        for helper in helpers:  # an error part-way: stop the threads
            helper.chunks.put(None)
        os.close(fd)
        if out >= 0:
            os.close(out)


def hash_files(
    sources: Sequence[Path],
    algorithms: Sequence[str],
    *,
    copies: Sequence[Path] | None = None,
    workers: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> list[FileDigests | OSError]:
    """Digest many files with several algorithms, each file read once, on ``workers``
    threads; copy each to ``copies[i]`` on the way when given.

    Each large file is a task of its own (started first, hashed on several threads);
    small files go in batches, so that thousands of records cost few hand-overs
    between threads.

    Returns, in the order of ``sources``, each file's digests or the OSError that stopped it.
    """
    sizes = []
    for path in sources:
        try:
            sizes.append(path.lstat().st_size)
        except OSError:
            sizes.append(0)
    total = sum(sizes)
    done = 0
    lock = threading.Lock()

    def advance(n: int) -> None:
        nonlocal done
        with lock:
            done += n

    def job(batch: list[int]) -> list[tuple[int, FileDigests | OSError]]:
        out: list[tuple[int, FileDigests | OSError]] = []
        for index in batch:
            try:
                out.append(
                    (
                        index,
                        _hash_one(
                            sources[index],
                            algorithms,
                            copies[index] if copies is not None else None,
                            advance,
                        ),
                    )
                )
            except OSError as exc:
                out.append((index, exc))
        return out

    order = sorted(range(len(sources)), key=lambda i: -sizes[i])
    small = [i for i in order if sizes[i] < _SMALL]
    batches = [[i] for i in order if sizes[i] >= _SMALL]
    batches += [small[k : k + _BATCH] for k in range(0, len(small), _BATCH)]
    results: list[FileDigests | OSError] = [OSError()] * len(sources)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        pending = {pool.submit(job, batch) for batch in batches}
        while pending:
            finished, pending = concurrent.futures.wait(pending, timeout=0.25)
            for future in finished:
                for index, result in future.result():
                    results[index] = result
            if progress is not None:
                progress(done, total)
    return results


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
