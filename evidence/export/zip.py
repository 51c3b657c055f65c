"""One deterministic zip of a bag, because submission portals take single files.

The same bag always gives the same zip bytes, on any machine: entries sorted by path,
each under one top folder named after the bag; every time stamp 1980-01-01 00:00 (the
zip epoch); permissions 0644; no directory entries, comments or extra fields beyond the
ZIP64 ones the sizes require (PKWARE APPNOTE 6.3.x). Entries are stored, not
deflated: stored bytes are the same under every zlib, most exhibits (photos, videos,
PDFs) are compressed already, and a reader can find each file's bytes at an offset.

Example::

    sha256 = write_zip(Path("bag"), Path("bag.zip"), root="bag")
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import zipfile
from pathlib import Path
from typing import Final

__all__ = ["ZIP_EPOCH", "write_zip"]

ZIP_EPOCH: Final = (1980, 1, 1, 0, 0, 0)
_CHUNK: Final = 4 << 20
_UNIX: Final = 3  # "version made by": UNIX, so the permission bits are read


def _files(folder: Path) -> list[str]:
    """Every regular file under ``folder``, as sorted ``/``-separated relative paths."""
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        base = Path(dirpath).relative_to(folder)
        dirnames.sort()
        for name in filenames:
            path = Path(dirpath) / name
            if stat.S_ISREG(path.lstat().st_mode):
                found.append((base / name).as_posix())
    return sorted(found)


def write_zip(bag: Path, dest: Path, *, root: str) -> str:
    """Write the folder ``bag`` as a new zip file ``dest``, every entry under ``root/``.

    The zip is flushed to disk before this returns.

    Returns:
        The SHA-256 (hex) of the zip file's bytes.

    Raises:
        FileExistsError: ``dest`` exists (nothing is overwritten).
    """
    fd = os.open(dest, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
    with os.fdopen(fd, "w+b") as fh:
        with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
            for rel in _files(bag):
                source = bag / rel
                info = zipfile.ZipInfo(f"{root}/{rel}", date_time=ZIP_EPOCH)
                info.compress_type = zipfile.ZIP_STORED
                info.create_system = _UNIX
                info.external_attr = (stat.S_IFREG | 0o644) << 16
                info.file_size = source.stat().st_size  # decides ZIP64 before writing
                with source.open("rb") as src, zf.open(info, "w") as sink:
                    shutil.copyfileobj(src, sink, _CHUNK)
        fh.flush()
        os.fsync(fh.fileno())
        # zipfile seeks back to fill in each local header, so the digest is taken after.
        fh.seek(0)
        digest = hashlib.sha256()
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
