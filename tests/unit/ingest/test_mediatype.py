"""Media types from the bytes' signature first, then the file name."""

from __future__ import annotations

import struct
import zlib

import pytest

from evidence.ingest.mediatype import sniff


def png_bytes() -> bytes:
    """A real 1x1 PNG (ISO/IEC 15948), written here."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def mp4_bytes(brand: bytes = b"isom") -> bytes:
    """The start of an ISO base media file (ISO/IEC 14496-12): an ftyp box, then mdat."""
    ftyp = struct.pack(">I", 24) + b"ftyp" + brand + struct.pack(">I", 512) + b"isomiso2"
    return ftyp + struct.pack(">I", 16) + b"mdat" + b"\x00" * 8


SIGNATURES = [
    (png_bytes(), "photo.txt", "image/png"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "IMG_0001.bin", "image/jpeg"),
    (b"GIF89a\x01\x00", "x", "image/gif"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "report.md", "application/pdf"),
    (mp4_bytes(), "clip.dat", "video/mp4"),
    (mp4_bytes(b"qt  "), "clip.mp4", "video/quicktime"),
    (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "a.png", "image/webp"),
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", "a", "audio/wav"),
    (b"\x1aE\xdf\xa3\x9fB\x86\x81", "a.mp4", "video/webm"),
    (b"WARC/1.1\r\nWARC-Type: response\r\n", "capture.bin", "application/warc"),
    (b"\x1f\x8b\x08\x00", "capture.warc.gz", "application/warc"),
    (b"\x1f\x8b\x08\x00", "notes.gz", "application/gzip"),
    (b"PK\x03\x04\x14\x00", "archive.wacz", "application/wacz"),
    (b"PK\x03\x04\x14\x00", "archive.zip", "application/zip"),
    (b"  <!DOCTYPE html><html><body>x", "page.txt", "text/html"),
    (b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'/>", "a", "image/svg+xml"),
]


@pytest.mark.parametrize(
    ("head", "name", "expected"),
    SIGNATURES,
    ids=[s[2].split("/")[1] + "-" + s[1] for s in SIGNATURES],
)
def test_signature_beats_the_name(head: bytes, name: str, expected: str) -> None:
    assert sniff(head, name) == expected


NAMES = [
    (b"date 2024-07-08 Text.", "article.txt", "text/plain"),
    (b"# Title\n\nText.", "article.md", "text/markdown"),
    (b"# Title", "ARTICLE.MARKDOWN", "text/markdown"),
    (b"a,b\n1,2\n", "table.csv", "text/csv"),
    ("Київ, 8 липня".encode(), "no-extension", "text/plain"),
    ("Київ".encode()[:-1], "cut-mid-character", "text/plain"),
    (b"\x00\x01\x02\x03binary", "blob", "application/octet-stream"),
    (b"\xcf\xf0\xe8\xe2\xb3\xf2 cp1251 text", "unknown", "application/octet-stream"),
    (b"", None, "text/plain"),
]


@pytest.mark.parametrize(
    ("head", "name", "expected"),
    NAMES,
    ids=[
        "txt",
        "md",
        "markdown-upper",
        "csv",
        "utf8-no-name",
        "utf8-cut",
        "binary",
        "not-utf8",
        "empty-no-name",
    ],
)
def test_name_decides_where_the_bytes_say_nothing(
    head: bytes, name: str | None, expected: str
) -> None:
    assert sniff(head, name) == expected
