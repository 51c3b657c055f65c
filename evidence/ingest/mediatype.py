"""Media types of captured files: from the bytes' signature first, then the file name.

A file's own first bytes are harder to get wrong than its name; the extension decides
only where the bytes say nothing (plain text, Markdown, CSV).

Example:
    >>> sniff(b"%PDF-1.7\\n...", "report.bin")
    'application/pdf'
"""

from __future__ import annotations

import mimetypes
from typing import Final

__all__ = ["TEXT_TYPES", "sniff"]

TEXT_TYPES: Final = frozenset({"text/plain", "text/markdown"})

_SIGNATURES: Final[tuple[tuple[int, bytes, str], ...]] = (
    (0, b"%PDF-", "application/pdf"),
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (0, b"II*\x00", "image/tiff"),
    (0, b"MM\x00*", "image/tiff"),
    (0, b"\x1aE\xdf\xa3", "video/webm"),
    (0, b"OggS", "audio/ogg"),
    (0, b"ID3", "audio/mpeg"),
    (0, b"fLaC", "audio/flac"),
    (0, b"WARC/1.", "application/warc"),
    (0, b"PK\x03\x04", "application/zip"),
    (0, b"\x1f\x8b", "application/gzip"),
    (0, b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (0, b"{\\rtf", "application/rtf"),
)

_ISO_BRANDS: Final = {
    b"qt  ": "video/quicktime",
    b"M4A ": "audio/mp4",
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"avif": "image/avif",
    b"3gp4": "video/3gpp",
    b"3gp5": "video/3gpp",
}

_EXTENSIONS: Final = {
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".txt": "text/plain",
    ".text": "text/plain",
    ".warc": "application/warc",
    ".wacz": "application/wacz",
    ".jsonl": "application/jsonl",
}


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        if exc.start < len(head) - 3:
            return False
    return True


def sniff(head: bytes, filename: str | None) -> str:
    """The media type of a file from its first bytes (4 KiB or more) and its name."""
    for offset, magic, media_type in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            if media_type == "application/zip" and filename and filename.lower().endswith(".wacz"):
                return "application/wacz"
            if media_type == "application/gzip" and filename and ".warc" in filename.lower():
                return "application/warc"
            return media_type
    if head[4:8] == b"ftyp":
        return _ISO_BRANDS.get(head[8:12], "video/mp4")
    if head[:4] == b"RIFF":
        kind = head[8:12]
        return {b"WEBP": "image/webp", b"WAVE": "audio/wav", b"AVI ": "video/x-msvideo"}.get(
            kind, "application/octet-stream"
        )
    lower = head[:512].lstrip().lower()
    if lower.startswith((b"<!doctype html", b"<html")):
        return "text/html"
    if lower.startswith(b"<?xml") and b"<svg" in head[:1024].lower():
        return "image/svg+xml"
    name = (filename or "").lower()
    for ext, media_type in _EXTENSIONS.items():
        if name.endswith(ext):
            return media_type
    guessed, _ = mimetypes.guess_type(name)
    if guessed:
        return guessed
    if _looks_like_text(head):
        return "text/plain"
    return "application/octet-stream"
