"""Attachments: related files kept with a source, each stored and hashed as its own object.

The Berkeley Protocol asks for more than the page's HTML: a dated full-page capture,
the page as PDF, an embedded video. ``evidence add --attach FILE`` (repeatable) keeps
each such file as an object of the case and lists it in the source record with its
**role**. The role is said as ``ROLE=FILE`` (``--attach screenshot=page.png``) or
inferred from the file's media type: an image is taken for a screenshot, a PDF for the
page as PDF, a video for a video, a WARC or WACZ for an archive.

Example:
    >>> parse_attach("screenshot=shots/front page.png").role
    'screenshot'
    >>> role_for("video/mp4")
    'video'
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from evidence.case import Case
from evidence.errors import InputError, UsageError
from evidence.ingest.mediatype import sniff
from evidence.model import Attachment, ObjectRef

__all__ = ["ROLES", "AttachSpec", "parse_attach", "role_for", "store_attachments"]

ROLES: Final = (
    "screenshot",
    "page-pdf",
    "page-html",
    "video",
    "audio",
    "image",
    "document",
    "archive",
    "other",
)
"""The roles an attachment can have (the source schema's enumeration)."""

_ARCHIVES: Final = frozenset(
    {
        "application/warc",
        "application/wacz",
        "application/zip",
        "application/gzip",
        "application/x-7z-compressed",
    }
)
_SNIFF_BYTES: Final = 8192
_ROLE_LIKE: Final = re.compile(r"[a-z][a-z-]{1,15}")


@dataclass(frozen=True)
class AttachSpec:
    """A file to attach, and its role when the user said it (else inferred)."""

    path: Path
    role: str | None = None


def parse_attach(value: str) -> AttachSpec:
    """Read one ``--attach`` value: ``FILE`` or ``ROLE=FILE``.

    Raises:
        UsageError: ``WORD=FILE`` where WORD is not a role and the whole is not a file.
    """
    role, sep, rest = value.partition("=")
    if sep and role in ROLES:
        if not rest:
            raise UsageError(f"--attach {value}: no file after {role}=")
        return AttachSpec(Path(rest), role)
    if sep and _ROLE_LIKE.fullmatch(role) and not Path(value).exists():
        raise UsageError(
            f"--attach {value}: unknown role {role!r}; expected one of: {', '.join(ROLES)}"
        )
    return AttachSpec(Path(value))


def role_for(media_type: str) -> str:
    """The role an attachment of this media type most likely has."""
    kind = media_type.split("/", 1)[0]
    if media_type in _ARCHIVES:
        return "archive"
    if media_type == "application/pdf":
        return "page-pdf"
    if media_type in ("text/html", "application/xhtml+xml"):
        return "page-html"
    return {"image": "screenshot", "video": "video", "audio": "audio", "text": "document"}.get(
        kind, "other"
    )


def store_attachments(case: Case, specs: Sequence[AttachSpec]) -> tuple[Attachment, ...]:
    """Store each file as an object (streamed: read once, written once, fsynced).

    The same bytes attached twice are listed once. The caller holds the case lock and has
    checked the files (:func:`evidence.ingest.add.check_input_file`).

    Raises:
        InputError: a file cannot be read.
    """
    found: list[Attachment] = []
    seen: set[str] = set()
    for spec in specs:
        try:
            fh = open(spec.path, "rb", buffering=0)  # noqa: SIM115 - closed below
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", path=str(spec.path)) from exc
        with fh:
            media_type = sniff(os.pread(fh.fileno(), _SNIFF_BYTES, 0), spec.path.name)
            pair, _ = case.objects.put_stream(fh)
        if pair.blake3 in seen:
            continue
        seen.add(pair.blake3)
        found.append(
            Attachment(
                spec.role or role_for(media_type),
                media_type,
                ObjectRef(pair.blake3, pair.sha256, pair.size, spec.path.name),
            )
        )
    return tuple(found)
