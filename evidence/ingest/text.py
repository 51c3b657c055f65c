"""Articles as text: decoding, normalisation, and the metadata a text file carries.

The normalised text is what claims quote and what offsets count in: Unicode NFC, ``\\n``
line ends, offsets in code points. Two shapes of metadata are read from the top of a
file and taken out of the text:

- a YAML front-matter block between ``---`` lines (title, url, publisher, authors,
  published, language), as Markdown tools write it;
- a leading ``date YYYY-MM-DD`` token, as in the project's seed article.

Invalid UTF-8 is an error that names the byte and the line, not a guess: the user
chooses the real encoding with ``--encoding`` (decision 0004), and the choice is
recorded in the source's ``capture.transformations``.

Example:
    >>> article = parse_article(b" date 2024-07-08 Text.\\r\\n", path="a.txt")
    >>> article.meta["published"], article.text
    ('2024-07-08', 'Text.\\n')
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Final

from evidence._yaml import load_yaml
from evidence.errors import InputError
from evidence.schema import validate

__all__ = ["Article", "decode_text", "normalise_text", "parse_article"]

FRONT_MATTER_FIELDS: Final = ("title", "url", "publisher", "authors", "published", "language")
_DATE_TOKEN: Final = re.compile(r"\A\s*date\s+([0-9]{4}-[0-9]{2}-[0-9]{2})(?:\s+|\Z)")
_FRONT: Final = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)


@dataclass(frozen=True)
class Article:
    """A decoded, normalised article and the metadata found in the file."""

    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    transformations: tuple[str, ...] = ()


def decode_text(data: bytes, *, path: str, encoding: str | None = None) -> tuple[str, list[str]]:
    """Decode bytes strictly; return the text and the transformations made.

    Raises:
        InputError: the bytes are not valid in the encoding (byte offset and line given),
            or the encoding is unknown.
    """
    notes: list[str] = []
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise InputError(
                f"unknown text encoding {encoding!r}",
                path=path,
                hint="Give a codec name such as utf-8, windows-1251, koi8-u or iso-8859-5.",
            ) from exc
    if encoding is None or codecs.lookup(encoding).name == "utf-8":
        if data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8) :]
            notes.append("removed the UTF-8 byte order mark")
        encoding = "utf-8"
    else:
        notes.append(f"decoded from {codecs.lookup(encoding).name}")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"not valid {encoding} at byte {exc.start} (line {line})",
            path=path,
            hint="If the file uses another encoding, say which with --encoding "
            "(for example --encoding windows-1251); the raw bytes are kept either way.",
        ) from exc
    return text, notes


def normalise_text(text: str) -> str:
    """Unicode NFC with ``\\n`` line ends: the form every offset counts in."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def _front_matter(text: str, *, path: str) -> tuple[dict[str, Any], str]:
    match = _FRONT.match(text)
    if match is None:
        return {}, text
    try:
        doc = load_yaml((match.group(1) or "").encode("utf-8") or b"{}", path=path)
    except InputError as exc:  # lines of the block, counted from the file's first line
        if exc.line is not None:
            exc.line += 1
        raise
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        raise InputError("front matter must be a YAML mapping", path=path, line=2)
    unknown = sorted(set(data) - set(FRONT_MATTER_FIELDS))
    if unknown:
        raise InputError(
            f"unknown front-matter field {unknown[0]!r}; expected one of: "
            f"{', '.join(FRONT_MATTER_FIELDS)}",
            path=path,
            line=(doc.line_of(f"/{unknown[0]}") or 0) + 1,
        )
    meta = dict(data)
    if isinstance(meta.get("authors"), str):
        meta["authors"] = [meta["authors"]]
    for name in ("title", "url", "publisher", "published", "language"):
        if name in meta and meta[name] is not None and not isinstance(meta[name], str):
            meta[name] = str(meta[name])
    check = {k: v for k, v in meta.items() if v is not None}
    validate("front-matter", check, path=path)
    return meta, text[match.end() :]


def parse_article(data: bytes, *, path: str, encoding: str | None = None) -> Article:
    """Decode, normalise and take the metadata out of an article file.

    Raises:
        InputError: undecodable bytes, malformed front matter, or no text at all.
    """
    text, notes = decode_text(data, path=path, encoding=encoding)
    text = normalise_text(text)
    meta, body = _front_matter(text, path=path)
    if meta:
        notes.append("took the YAML front matter out of the text into the record")
    token = _DATE_TOKEN.match(body)
    if token is not None:
        meta.setdefault("published", token.group(1))
        body = body[token.end() :]
        notes.append(f"took the leading 'date {token.group(1)}' token out of the text")
    if not body.strip():
        raise InputError("the file has no text", path=path)
    notes.append("normalised to Unicode NFC with LF line ends")
    return Article(body, meta, tuple(notes))
