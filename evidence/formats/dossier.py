"""The dossier's embedded case data: file names, checksum lists and the manifest.

A dossier (``evidence render``) embeds the case data of the seal it presents as PDF
embedded files (ISO 32000-1 §7.11.4), each named by its path in a case folder
(:func:`is_case_path`), beside the checksum lists :data:`SUMS` (in the format
``sha256sum -c`` and ``b3sum --check`` read) and a manifest, :data:`MANIFEST_NAME`, of
schema :data:`DOSSIER_SCHEMA` (docs/decisions/0301-dossier-embedded-data.md). The
renderer writes this format (:mod:`evidence.render.bundle`) and the verifier reads it
(:mod:`evidence.verify.dossier`); both take it from here, so neither borrows the other's
internals (docs/decisions/0316-dossier-format-module.md).

This module imports nothing above :mod:`evidence.canonical`.

Example:
    >>> is_case_path("records/CLM-0001.1.json"), is_case_path("../etc/passwd")
    (True, False)
    >>> checksum_list({"case.yaml": b""}, "sha256")[:16]
    b'e3b0c44298fc1c14'
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from evidence.canonical import canonical_bytes
from evidence.digest import digest_bytes
from evidence.errors import InputError

__all__ = [
    "CASE_DIRS",
    "DOSSIER_SCHEMA",
    "MANIFEST_NAME",
    "SUMS",
    "Omitted",
    "PresentedSeal",
    "PrintedPages",
    "checksum_list",
    "is_case_path",
    "manifest_bytes",
    "materialise",
    "printed_pages",
]

MANIFEST_NAME: Final = "evidence-dossier.json"
"""The manifest: every embedded file with its digests, what is left out, where pages print."""
SUMS: Final[Mapping[str, Literal["sha256", "blake3"]]] = {
    "SHA256SUMS": "sha256",
    "B3SUMS": "blake3",
}
"""Checksum lists a dossier embeds beside the case data, and the digest each holds."""
DOSSIER_SCHEMA: Final = "evidence/dossier/1"
"""The manifest's ``schema``."""
CASE_DIRS: Final = ("claims", "objects", "records", "seals")
"""The folders of a case folder that :func:`materialise` always creates."""

_CASE_PATH: Final = re.compile(
    r"^(?:case\.yaml|custody\.jsonl"
    r"|seals/[0-9]{4,}\.json(?:\.sig|(?:\.[0-9]{1,4})?\.tsr|\.[0-9]{1,4}\.(?:chain|root)\.pem)?"
    r"|records/(?:SRC|CLM)-[0-9]{4,}\.[1-9][0-9]{0,8}\.json"
    r"|objects/(?P<head>[0-9a-f]{2})/(?P=head)[0-9a-f]{62})$"
)


def is_case_path(name: str) -> bool:
    """True for a name a dossier may embed: a path of a case folder the tool writes.

    The whole name must match (``fullmatch``: a ``$`` alone would also accept the name
    followed by a newline)."""
    return bool(_CASE_PATH.fullmatch(name))


def checksum_list(files: Mapping[str, bytes], algorithm: Literal["sha256", "blake3"]) -> bytes:
    """``<hex>  <name>`` lines, sorted by name: what ``sha256sum -c`` (``sha256``) or
    ``b3sum --check`` (``blake3``) reads in the folder the files are extracted to."""
    lines = []
    for name in sorted(files):
        pair = digest_bytes(files[name])
        lines.append(f"{pair.sha256 if algorithm == 'sha256' else pair.blake3}  {name}\n")
    return "".join(lines).encode("ascii")


@dataclass(frozen=True, slots=True)
class PrintedPages:
    """Where the dossier prints what ``dossier-printed`` checks (1-based, inclusive)."""

    cover: tuple[int, int] | None
    register: tuple[int, int] | None
    integrity: tuple[int, int] | None


@dataclass(frozen=True, slots=True)
class PresentedSeal:
    """The seal a dossier presents, as the manifest names it."""

    sequence: int
    file: str
    root: str
    sha256: str


@dataclass(frozen=True, slots=True)
class Omitted:
    """An object the dossier names but does not carry, as the manifest lists it."""

    name: str
    sha256: str
    blake3: str
    size: int
    reason: str


def manifest_bytes(
    *,
    case_id: str,
    template: str,
    tool: str,
    renderer: Mapping[str, str],
    seal: PresentedSeal,
    files: Mapping[str, bytes],
    omitted: Sequence[Omitted],
    pages: PrintedPages,
    total_pages: int,
) -> bytes:
    """The manifest (:data:`MANIFEST_NAME`), RFC 8785 JSON and a newline.

    Args:
        case_id: the case's id.
        template: the name of the template the pages were laid out with.
        tool: the tool and its version.
        renderer: what made the pages (tool, PDF library and fonts versions); ``verify``
            compares bytes when these are its own, page texts when they are not.
        seal: the seal the dossier presents.
        files: every embedded case file by case path (not the manifest or the lists).
        omitted: the objects left out, in the order the renderer met them.
        pages: where the cover, the exhibit register and the integrity annex are.
        total_pages: the page count.
    """

    def span(value: tuple[int, int] | None) -> list[int] | None:
        return list(value) if value is not None else None

    doc: dict[str, Any] = {
        "schema": DOSSIER_SCHEMA,
        "case_id": case_id,
        "template": template,
        "tool": tool,
        "renderer": dict(renderer),
        "seal": {
            "sequence": seal.sequence,
            "file": seal.file,
            "root": seal.root,
            "sha256": seal.sha256,
        },
        "files": [],
        "omitted": [
            {
                "name": o.name,
                "sha256": o.sha256,
                "blake3": o.blake3,
                "size": o.size,
                "reason": o.reason,
            }
            for o in omitted
        ],
        "pages": {
            "total": total_pages,
            "cover": span(pages.cover),
            "register": span(pages.register),
            "integrity": span(pages.integrity),
        },
    }
    for name, data in sorted(files.items()):
        pair = digest_bytes(data)
        doc["files"].append(
            {"name": name, "size": pair.size, "sha256": pair.sha256, "blake3": pair.blake3}
        )
    return canonical_bytes(doc) + b"\n"


def printed_pages(manifest: Mapping[str, Any]) -> PrintedPages:
    """The page spans a manifest names; a span that is not two ordered page numbers
    (from 1) is ``None`` (the check that needs it then fails)."""
    pages = manifest.get("pages")
    pages = pages if isinstance(pages, dict) else {}

    def span(key: str) -> tuple[int, int] | None:
        value = pages.get(key)
        if (
            isinstance(value, list)
            and len(value) == 2
            and all(isinstance(v, int) and v >= 1 for v in value)
            and value[0] <= value[1]
        ):
            return value[0], value[1]
        return None

    return PrintedPages(span("cover"), span("register"), span("integrity"))


def materialise(
    files: Mapping[str, bytes], dest: Path, links: Mapping[str, Path] | None = None
) -> None:
    """Write embedded files as a case folder under ``dest`` (names checked first).

    ``links`` names files to link rather than copy (the renderer links the objects it
    leaves out, so the verdict it prints still covers them).

    Raises:
        InputError: a name that is not a case path (never written outside ``dest``).
    """
    for name in (*files, *(links or {})):
        if not is_case_path(name) and name != MANIFEST_NAME:
            raise InputError(f"{name!r} is not a path of a case folder")
    for sub in CASE_DIRS:
        (dest / sub).mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    for name, source in (links or {}).items():
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(source.resolve())
