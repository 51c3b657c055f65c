"""The case folder as a closed world: every entry is one the tool wrote, or a finding.

``verify`` checks what the custody log and the seals name; this scan checks the rest of
the folder, so that nothing can ride along unseen (docs/decisions/0406). Check names:

- ``case-symlink`` (FAIL): a symbolic link anywhere in the case folder, even one that
  points at an identical file: a link makes the case depend on something outside it
  (``export`` refuses links for the same reason);
- ``case-unknown-file`` (FAIL): a file or folder the tool never writes, such as
  ``seals/0003.json.bak`` or a note in the case root;
- ``case-extra`` (INFO): a file a dossier embeds beside the case data, in a case folder
  extracted from a dossier with stock tools;
- ``case-leftover`` (FAIL): the temporary file of an interrupted write
  (``objects/.incoming-*``, ``.<name>.<pid>-<n>.tmp``); the next writer removes it.

What each folder may hold: the root ``case.yaml``, ``custody.jsonl``, ``.lock`` and the
folders below; ``claims/`` the analysts' YAML files; ``objects/`` two-hex-digit folders
of objects (their names are checked by the object scan); ``records/`` record files
(checked by the record scan); ``seals/`` seal files and what is stored beside them
(checked with each seal); ``out/`` rendered products, anything but links.

A partial case (``evidence disclose``, :mod:`evidence.integrity.disclose`) holds less:
the root ``case.yaml``, ``custody.jsonl``, ``disclosure.json``, ``README.txt`` and
``evidence-verify.py``, and the folders ``records/``, ``objects/`` and ``seals/``, judged
as above; anything else is ``case-unknown-file``, a link anywhere ``case-symlink``.

Example:
    >>> # scan_closed_world(Path("my-case"), report)  # doctest: +SKIP
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Final

from evidence._fs import JOURNAL_PATTERN
from evidence.report import Report

__all__ = ["is_leftover", "scan_closed_world"]

_ROOT_FILES: Final = frozenset({"case.yaml", "custody.jsonl", ".lock"})
_DOSSIER_FILES: Final = frozenset({"evidence-dossier.json", "SHA256SUMS", "B3SUMS"})
"""What a dossier embeds beside the case files (docs/decisions/0301); a case folder
extracted from a dossier with stock tools holds them."""
_ROOT_FOLDERS: Final = frozenset({"claims", "objects", "records", "seals", "out", "schemas"})
_PARTIAL_ROOT_FILES: Final = frozenset(
    {"case.yaml", "custody.jsonl", "disclosure.json", "README.txt", "evidence-verify.py"}
)
"""What ``evidence disclose`` writes in a partial case's root, beside its folders."""
_PARTIAL_ROOT_FOLDERS: Final = frozenset({"objects", "records", "seals"})
_TEMP: Final = re.compile(r"^\..+\.[0-9]+-[0-9]+\.tmp$")
_INCOMING: Final = re.compile(r"^\.incoming-[0-9a-z]+$")
_OBJECT_FOLDER: Final = re.compile(r"^[0-9a-f]{2}$")
_SEAL_FILE: Final = re.compile(r"^(?P<seal>[0-9]{4,}\.json)(?P<rest>\..*)?$")
_CLAIMS_FILE: Final = re.compile(r"^[^.].*\.ya?ml$")


def is_leftover(name: str) -> bool:
    """True for the name of a temporary file an interrupted write leaves behind."""
    return name.startswith(".") and bool(_TEMP.match(name) or _INCOMING.match(name))


def scan_closed_world(root: Path, report: Report, *, partial: bool = False) -> None:
    """Report links, leftovers and unknown entries anywhere in the case folder.

    ``partial`` judges a partial case written by ``evidence disclose``, whose root holds
    other files and fewer folders. Files inside ``records/``, ``objects/<xx>/`` and
    beside each seal are judged by the checks of those files; this scan names only what
    those checks cannot see.
    """
    seal_files = {n for n in _names(root / "seals") if re.fullmatch(r"[0-9]{4,}\.json", n)}
    root_files = _PARTIAL_ROOT_FILES if partial else _ROOT_FILES
    root_folders = _PARTIAL_ROOT_FOLDERS if partial else _ROOT_FOLDERS
    for entry in _entries(root):
        name = entry.name
        if entry.is_symlink():
            _link(report, root, entry)
        elif name in root_files and entry.is_file():
            continue
        elif not partial and name in _DOSSIER_FILES and entry.is_file():
            report.add(
                "case-extra",
                "INFO",
                "a file of a dossier's embedded data (the case "
                "was extracted from a dossier); `evidence verify DOSSIER.pdf` checks "
                "it",
                path=_rel(root, entry),
            )
        elif name in root_folders and entry.is_dir():
            _folder(report, root, Path(entry.path), seal_files)
        elif is_leftover(name):
            _leftover(report, root, entry)
        else:
            _unknown(report, root, entry)


def _folder(report: Report, root: Path, folder: Path, seal_files: set[str]) -> None:
    kind = folder.name
    for entry in _entries(folder):
        name = entry.name
        if entry.is_symlink():
            _link(report, root, entry)
        elif is_leftover(name):
            _leftover(report, root, entry)
        elif kind in ("out", "schemas"):
            _links_below(report, root, Path(entry.path))
        elif kind == "objects":
            if entry.is_dir() and _OBJECT_FOLDER.match(name):
                _objects(report, root, Path(entry.path))
            else:
                _unknown(report, root, entry)
        elif kind == "claims":
            if not (entry.is_file() and _CLAIMS_FILE.match(name)):
                _unknown(report, root, entry)
        elif kind == "records":
            if entry.is_dir():
                _unknown(report, root, entry)  # files: the record scan names them
        elif kind == "seals":
            match = _SEAL_FILE.match(name)
            if not entry.is_file() or match is None or match["seal"] not in seal_files:
                _unknown(report, root, entry)


def _objects(report: Report, root: Path, folder: Path) -> None:
    for entry in _entries(folder):
        if entry.is_symlink():
            _link(report, root, entry)
        elif is_leftover(entry.name):
            _leftover(report, root, entry)
        elif entry.is_dir() or entry.name.startswith("."):
            _unknown(report, root, entry)  # the object scan skips dot files and folders


def _links_below(report: Report, root: Path, path: Path) -> None:
    if not path.is_dir() or path.is_symlink():
        return
    for entry in _entries(path):
        if entry.is_symlink():
            _link(report, root, entry)
        elif entry.is_dir():
            _links_below(report, root, Path(entry.path))


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as found:
            return sorted(found, key=lambda e: e.name)
    except OSError:
        return []


def _names(folder: Path) -> list[str]:
    return [e.name for e in _entries(folder)]


def _rel(root: Path, entry: os.DirEntry[str]) -> str:
    return Path(entry.path).relative_to(root).as_posix()


def _link(report: Report, root: Path, entry: os.DirEntry[str]) -> None:
    target = os.readlink(entry.path)
    report.add(
        "case-symlink",
        "FAIL",
        f"a symbolic link (to {target}): the case must hold its own files, not links "
        "to files elsewhere, even identical ones",
        path=_rel(root, entry),
    )


def _leftover(report: Report, root: Path, entry: os.DirEntry[str]) -> None:
    if JOURNAL_PATTERN.fullmatch(entry.name):
        message = (
            "leftover of an interrupted seal (its marker): the record files the custody "
            "log does not name were written by that seal; the next `seal` or `add` "
            "removes them and this marker"
        )
    else:
        message = (
            "leftover of an interrupted write (a temporary file); the next command that "
            "writes to the case removes it"
        )
    report.add("case-leftover", "FAIL", message, path=_rel(root, entry))


def _unknown(report: Report, root: Path, entry: os.DirEntry[str]) -> None:
    what = "a folder" if entry.is_dir() else "a file"
    report.add(
        "case-unknown-file",
        "FAIL",
        f"{what} the tool never writes here; the case folder is a closed world",
        path=_rel(root, entry),
    )
