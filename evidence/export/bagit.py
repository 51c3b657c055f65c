"""A BagIt writer (RFC 8493): payload and manifests, then the tag files.

A bag is written in two steps into a new, empty folder (the caller's temporary folder,
renamed into place once complete):

1. :func:`write_payload` copies every payload file into ``data/``, reading each source
   once and computing SHA-256 and SHA-512 on the way (RFC 8493 §2.4 recommends both),
   on several threads, then writes ``manifest-sha256.txt`` and ``manifest-sha512.txt``;
2. :func:`write_tag_files` writes ``bagit.txt`` (version 1.0, UTF-8), ``bag-info.txt``
   and the tag manifests over every tag file.

Manifest lines are ``<digest>  <path>`` (two spaces), so ``sha256sum -c manifest-sha256.txt``
checks a bag with nothing but coreutils. Names are refused rather than escaped when
the Library of Congress validator would read them differently from RFC 8493 (a ``%``).

Example:
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp()) / "bag"
    >>> summary = write_payload(root, [PayloadFile("note.txt", b"hello\\n")])
    >>> summary.oxum
    '6.1'
    >>> _ = write_tag_files(root, [("External-Identifier", "T-1"),
    ...                            ("Payload-Oxum", summary.oxum)])
    >>> sorted(p.name for p in root.iterdir())[:3]
    ['bag-info.txt', 'bagit.txt', 'data']
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from evidence.errors import InputError
from evidence.formats.bagit import (
    ALGORITHMS,
    BAGIT_VERSION,
    FileDigests,
    KnownDigests,
    bagit_txt,
    hash_files,
    manifest_bytes,
    name_collisions,
    payload_oxum,
    tag_line,
    unsafe_name,
)

__all__ = [
    "BAGIT_VERSION",
    "PayloadFile",
    "PayloadSummary",
    "write_payload",
    "write_tag_files",
]


@dataclass(frozen=True, slots=True)
class PayloadFile:
    """One payload file: its path under ``data/``, where its bytes come from, and
    digests already known of them (taken once the copy is checked against ``known``'s
    BLAKE3 digest, see :class:`~evidence.formats.bagit.KnownDigests`)."""

    path: str
    source: Path | bytes
    known: KnownDigests | None = None


@dataclass(frozen=True)
class PayloadSummary:
    """What :func:`write_payload` wrote: sizes, and the digests of every file by path."""

    octets: int
    files: int
    digests: dict[str, dict[str, str]]
    checked: dict[str, FileDigests] = field(default_factory=dict)
    """The files that had :class:`~evidence.formats.bagit.KnownDigests`, by path: what
    their one read gave, with the BLAKE3 of the bytes copied and what was taken."""

    @property
    def oxum(self) -> str:
        """The Payload-Oxum value: ``<octets>.<files>`` (RFC 8493 §2.2.2)."""
        return payload_oxum(self.octets, self.files)


def _check_names(files: Sequence[PayloadFile]) -> None:
    for item in files:
        reason = unsafe_name(item.path) or (
            "a '%' in the name (RFC 8493 would encode it as "
            "%25, which bagit-python does not decode)"
            if "%" in item.path
            else None
        )
        if reason:
            raise InputError(
                f"cannot go into a package: {reason}",
                path=item.path,
                hint="Rename the file; a package must read the same everywhere.",
            )
    paths = [f"data/{f.path}" for f in files]
    clashes = name_collisions(paths)
    if clashes:
        first, second = clashes[0]
        raise InputError(
            f"cannot go into a package beside {first[len('data/') :]}: the two "
            "names are one after case folding or Unicode normalisation",
            path=second[len("data/") :],
            hint="Rename one of them; on macOS or Windows one would overwrite the other.",
        )
    if len(set(paths)) != len(paths):
        raise InputError("a payload path is given twice")


def _new_file(path: Path, data: bytes, mode: int = 0o444) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fchmod(fd, mode)
    finally:
        os.close(fd)


def write_payload(
    root: Path,
    files: Sequence[PayloadFile],
    *,
    workers: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> PayloadSummary:
    """Create ``root`` (new) with ``data/`` holding ``files``, and the payload manifests.

    Each source file is read once; its SHA-256 and SHA-512 are computed while it is
    copied, on ``workers`` threads (hashlib releases the GIL). A digest a file's
    ``known`` gives is taken instead when the copy has ``known``'s BLAKE3 digest.

    Raises:
        InputError: a name that cannot go into a package, or a source that cannot be read.
    """
    _check_names(files)
    root.mkdir()
    data = root / "data"
    for folder in sorted({(data / f.path).parent for f in files} | {data}):
        folder.mkdir(parents=True, exist_ok=True)
    on_disk = [f for f in files if isinstance(f.source, Path)]
    results = hash_files(
        [f.source for f in on_disk if isinstance(f.source, Path)],
        ALGORITHMS,
        copies=[data / f.path for f in on_disk],
        known=[f.known for f in on_disk],
        workers=workers,
        progress=progress,
    )
    digests: dict[str, dict[str, str]] = {}
    checked: dict[str, FileDigests] = {}
    octets = 0
    for item, result in zip(on_disk, results, strict=True):
        if isinstance(result, OSError):
            raise InputError(f"cannot read: {result.strerror or result}", path=str(item.source))
        digests[item.path] = result.hexdigests
        if result.blake3 is not None:
            checked[item.path] = result
        octets += result.size
    for item in files:
        if isinstance(item.source, bytes):
            _new_file(data / item.path, item.source)
            digests[item.path] = _digest_bytes(item.source).hexdigests
            octets += len(item.source)
    for algorithm in ALGORITHMS:
        _new_file(root / f"manifest-{algorithm}.txt", manifest_bytes(digests, algorithm, "data/"))
    return PayloadSummary(octets, len(files), digests, checked)


def _digest_bytes(data: bytes) -> FileDigests:
    return FileDigests(len(data), {a: hashlib.new(a, data).hexdigest() for a in ALGORITHMS})


def _bag_info(info: Sequence[tuple[str, str]]) -> bytes:
    try:
        return "".join(tag_line(k, v) for k, v in info).encode("utf-8")
    except ValueError as exc:
        raise InputError(str(exc)) from exc


def write_tag_files(
    root: Path, info: Sequence[tuple[str, str]], extra: Mapping[str, bytes] | None = None
) -> str:
    """Write bagit.txt, bag-info.txt (``info`` in order), ``extra`` tag files (such as the
    one-file verifier) and the tag manifests, which list every tag file.

    Values are written on one line each (white space runs become one space).

    Returns:
        The SHA-256 of tagmanifest-sha256.txt, which pins every tag file and, through
        the payload manifests, every payload file.
    """
    tags = {
        "bagit.txt": bagit_txt(),
        "bag-info.txt": _bag_info(info),
        **(extra or {}),
    }
    for name, data in tags.items():
        _new_file(root / name, data)
    digests: dict[str, dict[str, str]] = {}
    for name in sorted([*tags, *(f"manifest-{a}.txt" for a in ALGORITHMS)]):
        data = tags.get(name) or (root / name).read_bytes()
        digests[name] = _digest_bytes(data).hexdigests
    pinned = ""
    for algorithm in ALGORITHMS:
        body = manifest_bytes(digests, algorithm)
        _new_file(root / f"tagmanifest-{algorithm}.txt", body)
        if algorithm == "sha256":
            pinned = hashlib.sha256(body).hexdigest()
    return pinned
