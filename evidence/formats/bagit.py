"""The BagIt format (RFC 8493) as this tool writes and reads it: names, tag files,
manifests, and the one-pass digests behind them.

The package writer (:mod:`evidence.export`) and the package verifier
(:mod:`evidence.verify.package`) both follow this module; neither borrows the other's
internals.

- names: what may be a path in a package (no ``..``, absolute paths, backslashes,
  control characters), names equal after case folding or Unicode NFC normalisation,
  and the percent-encoding of manifest paths (RFC 8493 §2.1.3);
- tag files: ``bagit.txt`` (§2.1.1), ``Label: value`` lines with folding (§2.2.2), and
  the bag-info labels this tool adds (``Evidence-*``);
- manifests: ``<digest>  <path>`` lines (§2.1.3, §2.2.1) with SHA-256 and SHA-512 (§2.4),
  written and parsed here;
- digests: :func:`hash_files` reads each file once, digests it with several algorithms
  on several threads (hashlib and BLAKE3 release the GIL), can copy it on the way, and
  can take a digest already known from a record instead of computing it, once the bytes
  are checked against the BLAKE3 digest that names them.

Example:
    >>> encode_manifest_path("data/50% of\\nall.txt")
    'data/50%25 of%0Aall.txt'
    >>> unsafe_name("data/../etc/passwd")
    "'..' in the path"
    >>> manifest_bytes({"a.txt": {"sha256": "0" * 64}}, "sha256", "data/")[:8]
    b'00000000'
"""

from __future__ import annotations

import concurrent.futures
import errno
import hashlib
import os
import queue
import re
import stat
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Protocol

import blake3

from evidence._fs import WRITEBACK_STEP, start_writeback

__all__ = [
    "ALGORITHMS",
    "BAGIT_VERSION",
    "HEX_LENGTH",
    "INFO_CUSTODY_SEQ",
    "INFO_CUSTODY_SHA256",
    "INFO_SEAL_ROOT",
    "INFO_SEAL_SEQUENCE",
    "INFO_SEAL_SHA256",
    "READ_VERSIONS",
    "FileDigests",
    "KnownDigests",
    "ManifestLine",
    "bag_size",
    "bagit_txt",
    "decode_manifest_path",
    "encode_manifest_path",
    "hash_files",
    "manifest_bytes",
    "manifest_kind",
    "name_collisions",
    "parse_manifest",
    "parse_tags",
    "payload_oxum",
    "tag_line",
    "tag_value",
    "unsafe_name",
]

BAGIT_VERSION: Final = "1.0"
"""The version this tool writes."""
READ_VERSIONS: Final = ("0.97", "1.0")
"""The versions this tool reads."""

ALGORITHMS: Final = ("sha256", "sha512")
"""The payload and tag manifests this tool writes (RFC 8493 §2.4: SHA-256 and SHA-512)."""

HEX_LENGTH: Final = {
    "md5": 32,
    "sha1": 40,
    "sha224": 56,
    "sha256": 64,
    "sha384": 96,
    "sha512": 128,
}
"""The algorithms RFC 8493 §2.4 names, and the hex length of each digest."""

# bag-info.txt labels of this tool: what the package carries of the case.
INFO_SEAL_SEQUENCE: Final = "Evidence-Seal-Sequence"
INFO_SEAL_ROOT: Final = "Evidence-Seal-Root"
INFO_SEAL_SHA256: Final = "Evidence-Seal-SHA256"
INFO_CUSTODY_SEQ: Final = "Evidence-Custody-Seq"
INFO_CUSTODY_SHA256: Final = "Evidence-Custody-SHA256"

_LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")
_MANIFEST_NAME = re.compile(r"^(tag)?manifest-([a-z0-9]+)\.txt$")
_MANIFEST_LINE = re.compile(r"^([0-9A-Fa-f]+)[ \t]+\*?(.+)$")
_ENCODED = re.compile(r"%(0[AaDd]|25)")
_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


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
    if _CONTROL.search(path):
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


def bagit_txt() -> bytes:
    """The bag declaration this tool writes (RFC 8493 §2.1.1)."""
    return f"BagIt-Version: {BAGIT_VERSION}\nTag-File-Character-Encoding: UTF-8\n".encode()


def tag_line(label: str, value: str) -> str:
    """One ``Label: value`` line; white space runs in the value become one space.

    Raises:
        ValueError: a label that is not letters, digits and ``-``.
    """
    if not _LABEL.match(label):
        raise ValueError(f"bag-info label {label!r}: letters, digits and '-' only")
    return f"{label}: {' '.join(value.split())}\n"


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


def payload_oxum(octets: int, files: int) -> str:
    """The Payload-Oxum value: ``<octets>.<files>`` (RFC 8493 §2.2.2)."""
    return f"{octets}.{files}"


def bag_size(octets: int) -> str:
    """Bag-Size as RFC 8493 §2.2.2 shows it, approximate and readable: ``1.1 GB``."""
    for unit, scale in (("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if octets >= scale:
            return f"{octets / scale:.1f} {unit}"
    return f"{octets} bytes"


# -- manifests -------------------------------------------------------------------------------


def manifest_kind(name: str) -> tuple[bool, str] | None:
    """(is a tag manifest, algorithm) for ``manifest-<a>.txt`` / ``tagmanifest-<a>.txt``."""
    match = _MANIFEST_NAME.match(name)
    return None if match is None else (bool(match.group(1)), match.group(2))


def manifest_bytes(
    digests: Mapping[str, Mapping[str, str]], algorithm: str, prefix: str = ""
) -> bytes:
    """A manifest: ``<digest>  <path>`` lines sorted by path (two spaces, so that
    ``sha256sum -c`` reads it), paths percent-encoded."""
    return "".join(
        f"{hexes[algorithm]}  {encode_manifest_path(prefix + path)}\n"
        for path, hexes in sorted(digests.items())
    ).encode("utf-8")


@dataclass(frozen=True, slots=True)
class ManifestLine:
    """A line of a manifest that could not be taken: where, what, and whether the path
    it names is unsafe (which makes the whole package unsafe to read)."""

    line: int
    message: str
    unsafe: bool = False


def parse_manifest(
    text: str, algorithm: str, *, tag: bool
) -> tuple[dict[str, str], list[ManifestLine]]:
    """Parse a (tag) manifest's text; return (digest by decoded path, problems).

    A payload manifest lists paths under ``data/`` only, a tag manifest paths outside it.
    """
    entries: dict[str, str] = {}
    problems: list[ManifestLine] = []
    length = HEX_LENGTH[algorithm]
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _MANIFEST_LINE.match(line)
        if match is None or len(match.group(1)) != length:
            problems.append(
                ManifestLine(number, f"expected '<{algorithm} digest, {length} hex digits> <path>'")
            )
            continue
        rel = decode_manifest_path(match.group(2))
        reason = unsafe_name(rel)
        if reason:
            problems.append(ManifestLine(number, f"{rel!r}: refused: {reason}", unsafe=True))
            continue
        if rel.startswith("data/") if tag else not rel.startswith("data/"):
            where = "a payload file in a tag manifest" if tag else "a payload path outside data/"
            problems.append(ManifestLine(number, f"{rel!r}: {where}"))
            continue
        if rel in entries:
            problems.append(ManifestLine(number, f"lists {rel} twice"))
        entries[rel] = match.group(1).lower()
    return entries, problems


# -- digests ---------------------------------------------------------------------------------

_CHUNK: Final = 4 << 20
_SMALL: Final = 8 << 20  # files below this are hashed on one thread, all algorithms at once
_BATCH: Final = 128  # small files handed to a worker at a time
_NO_KERNEL_COPY: Final = frozenset(
    {errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EBADF}
)


@dataclass(frozen=True, slots=True)
class FileDigests:
    """What one pass over a file gave: its size and a hex digest per algorithm.

    With :class:`KnownDigests`, also the BLAKE3 digest of the bytes read (``blake3``)
    and the algorithms whose digest was taken from what was known rather than computed
    (``taken``: empty unless ``blake3`` is the known one)."""

    size: int
    hexdigests: dict[str, str]
    blake3: str | None = None
    taken: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class KnownDigests:
    """Digests of a file known before it is read (from the record that names it), to be
    taken instead of computed if, and only if, its bytes have the BLAKE3 digest
    ``blake3``. If they do not (a damaged object), the digests are computed after all."""

    blake3: str
    hexdigests: Mapping[str, str] = field(default_factory=dict)


class _Hasher(Protocol):
    def update(self, data: bytes, /) -> object: ...
    def hexdigest(self) -> str: ...


def _hasher(name: str) -> _Hasher:
    return blake3.blake3() if name == "blake3" else hashlib.new(name)


class _HashThread(threading.Thread):
    """Hashes chunks on its own thread (hashlib and BLAKE3 release the GIL).

    The reader hands it the chunks it reads, through a queue of a few chunks, so memory
    stays bounded. Should hashing fail, the thread keeps taking chunks (the reader never
    waits on it forever) and :meth:`result` raises: no digest is ever made up."""

    def __init__(self, algorithm: str) -> None:
        super().__init__(name=f"hash-{algorithm}", daemon=True)
        self.algorithm = algorithm
        self.hasher = _hasher(algorithm)
        self.chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=4)
        self.error: Exception | None = None

    def run(self) -> None:
        while (chunk := self.chunks.get()) is not None:
            if self.error is None:
                try:
                    self.hasher.update(chunk)
                except Exception as exc:  # reported by result()
                    self.error = exc

    def result(self) -> str:
        """The hex digest, once the thread has ended.

        Raises:
            OSError: hashing failed on this thread (EIO, naming the algorithm).
        """
        if self.error is not None:
            raise OSError(errno.EIO, f"the {self.algorithm} digest failed: {self.error}")
        return self.hasher.hexdigest()


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
            chunk = os.read(self.fd, _CHUNK)
            self.offset += len(chunk)
            return chunk
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
        if self.offset - self.flushed >= WRITEBACK_STEP:
            start_writeback(self.out, self.flushed, self.offset - self.flushed)
            self.flushed = self.offset
        return chunk


def _plan(algorithms: Sequence[str], known: KnownDigests | None) -> list[str]:
    """What to compute: the algorithms not known, plus BLAKE3 to check what is known.
    The cheapest goes first (it runs on the thread that also reads and copies)."""
    if known is None:
        return list(algorithms)
    wanted = [a for a in algorithms if a not in known.hexdigests]
    return ["blake3", *(a for a in wanted if a != "blake3")]


def _read_digests(
    fd: int, out: int, algorithms: Sequence[str], large: bool, advance: Callable[[int], None]
) -> FileDigests:
    """One pass: each chunk to every algorithm; for a large file, every algorithm after
    the first on a thread of its own."""
    hashers = [_hasher(name) for name in algorithms]
    helpers: list[_HashThread] = []
    if large and len(algorithms) > 1:
        helpers = [_HashThread(name) for name in algorithms[1:]]
        for helper in helpers:
            helper.start()
        hashers = hashers[:1]
    try:
        chunks = _Chunks(fd, out)
        while chunk := chunks.next():
            for helper in helpers:
                helper.chunks.put(chunk)
            for hasher in hashers:
                hasher.update(chunk)
            advance(len(chunk))
        digests = {name: h.hexdigest() for name, h in zip(algorithms, hashers, strict=False)}
        running, helpers = helpers, []
        for helper in running:
            helper.chunks.put(None)
            helper.join()
        for helper in running:
            digests[helper.algorithm] = helper.result()
        return FileDigests(chunks.offset, digests)
    finally:
        for helper in helpers:  # an error part-way: stop the threads
            helper.chunks.put(None)


def _hash_one(
    source: os.PathLike[str],
    algorithms: Sequence[str],
    copy_to: os.PathLike[str] | None,
    known: KnownDigests | None,
    advance: Callable[[int], None],
) -> FileDigests:
    """Read ``source`` once (never through a link) and digest it with every algorithm;
    with ``copy_to`` (a new file), copy it and digest the copy's bytes."""
    fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    out = -1
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(source))
        if copy_to is not None:
            out = os.open(
                copy_to, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600
            )
        plan = _plan(algorithms, known)
        found = _read_digests(fd, out, plan, info.st_size >= _SMALL, advance)
        digests = found.hexdigests
        taken: frozenset[str] = frozenset()
        if known is not None:
            if digests["blake3"] == known.blake3:
                taken = frozenset(known.hexdigests) & set(algorithms)
                digests = {**digests, **known.hexdigests}
            else:  # not the bytes the record names: digest what is there, a second pass
                again = [a for a in algorithms if a not in digests]
                reread = out if out >= 0 else fd
                os.lseek(reread, 0, os.SEEK_SET)
                rest = _read_digests(reread, -1, again, False, lambda _: None)
                digests = {**digests, **rest.hexdigests}
        if out >= 0:
            os.fchmod(out, 0o444)
        return FileDigests(
            found.size,
            {a: digests[a] for a in algorithms},
            blake3=digests.get("blake3") if known is not None else None,
            taken=taken,
        )
    finally:
        os.close(fd)
        if out >= 0:
            os.close(out)


def hash_files(
    sources: Sequence[os.PathLike[str]],
    algorithms: Sequence[str],
    *,
    copies: Sequence[os.PathLike[str]] | None = None,
    known: Sequence[KnownDigests | None] | None = None,
    workers: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> list[FileDigests | OSError]:
    """Digest many files with several algorithms, each file read once, on ``workers``
    threads; copy each to ``copies[i]`` on the way when given, and take ``known[i]``'s
    digests instead of computing them when the bytes have its BLAKE3 digest.

    Each large file is a task of its own (started first, hashed on several threads);
    small files go in batches, so that thousands of records cost few hand-overs
    between threads.

    Returns, in the order of ``sources``, each file's digests or the OSError that stopped it.
    """
    sizes = []
    for path in sources:
        try:
            sizes.append(os.lstat(path).st_size)
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
                copy_to = copies[index] if copies is not None else None
                expected = known[index] if known is not None else None
                out.append(
                    (index, _hash_one(sources[index], algorithms, copy_to, expected, advance))
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
