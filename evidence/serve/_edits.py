"""Edits from the page, written to claims/*.yaml and case.yaml as files.

Each edit holds the case's writer lock (a command-line writer that holds it makes the
edit fail with :class:`Busy`), compares the file with the version the page was loaded
from (a file changed since is refused with :class:`Conflict`, which carries the
difference), checks the new bytes as ``evidence check`` would (:class:`Invalid` carries
the findings) and replaces the file atomically. Claims are added and removed as text,
so the analyst's comments and layout stay as they were; the result is parsed again and
must hold exactly the claims intended.

Nothing here writes under records/, seals/, objects/ or custody.jsonl: sealed records
change only by a new seal, as from the command line.
"""

from __future__ import annotations

import difflib
import re
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import yaml

from evidence._fs import read_bytes, replace_file
from evidence._yaml import load_yaml
from evidence.case import CASE_FILE, Case, parse_case_meta
from evidence.claims.anchor import find_quote
from evidence.claims.compile import check_claims_file
from evidence.digest import digest_bytes
from evidence.errors import EvidenceError, LockError, QuoteError
from evidence.report import Finding, Report

__all__ = ["Busy", "Conflict", "Editor", "Invalid", "selection_quote"]

ABSENT: Final = "absent"
"""The version digest of a file that does not exist."""


class Busy(EvidenceError):
    """A command-line writer holds the case lock."""


class Conflict(EvidenceError):
    """The file changed on disk since the page was loaded."""

    def __init__(self, path: str, diff: str) -> None:
        super().__init__(
            "changed on disk since the page was loaded; nothing was written",
            path=path,
            hint="Reload the page to see the file as it is now.",
        )
        self.diff = diff


class Invalid(EvidenceError):
    """The edited file would not pass ``evidence check``."""

    def __init__(self, path: str, findings: list[Finding]) -> None:
        super().__init__(
            "the change does not pass `evidence check`; nothing was written", path=path
        )
        self.findings = findings


def version_of(data: bytes | None) -> str:
    """The version a page holds of a file: the BLAKE3 of its bytes, or ``absent``."""
    return ABSENT if data is None else digest_bytes(data).blake3


def _read(path: Path) -> bytes | None:
    return read_bytes(path, what="file") if path.exists() else None


@dataclass(frozen=True)
class Selection:
    """A quote taken from a selection: the text as the source has it, and its occurrence."""

    quote: str
    occurrence: int | None
    start: int
    end: int


def selection_quote(text: str, start: int, end: int) -> Selection:
    """The quote at code points [start, end) of ``text``, trimmed of white space, and the
    occurrence that picks exactly that passage (None when the quote occurs once).

    Raises:
        QuoteError: the range is outside the text, empty or spans only white space.
    """
    if not 0 <= start < end <= len(text):
        raise QuoteError(f"selection {start}-{end} is outside the text (0-{len(text)})")
    raw = text[start:end]
    lead = len(raw) - len(raw.lstrip())
    quote = raw.strip()
    if not quote:
        raise QuoteError("the selection holds only white space")
    start += lead
    end = start + len(quote)
    first = find_quote(text, quote, 1)
    if first.start == start:
        try:
            find_quote(text, quote)
        except QuoteError:
            return Selection(quote, 1, start, end)
        return Selection(quote, None, start, end)
    n = 2
    while True:
        found = find_quote(text, quote, n)  # raises when past the last occurrence
        if found.start == start:
            return Selection(quote, n, start, end)
        n += 1


def _item_text(claim: Mapping[str, Any], indent: str) -> str:
    dumped = yaml.safe_dump(
        [dict(claim)], sort_keys=False, allow_unicode=True, width=100, default_flow_style=False
    )
    return "".join(
        indent + line if line.strip() else line for line in dumped.splitlines(keepends=True)
    )


_ITEM: Final = re.compile(r"^( *)- ", re.MULTILINE)


class Editor:
    """Writes the page's edits to a case's files; keeps the versions pages were given,
    to show what changed when a file changed under a page."""

    def __init__(self, case: Case, *, keep: int = 256) -> None:
        self.case = case
        self._seen: OrderedDict[str, bytes] = OrderedDict()
        self._keep = keep

    def load(self, path: Path) -> tuple[bytes | None, str]:
        """A file's bytes for a page, and the version the page sends back with an edit."""
        data = _read(path)
        version = version_of(data)
        if data is not None:
            self._seen[version] = data
            self._seen.move_to_end(version)
            while len(self._seen) > self._keep:
                self._seen.popitem(last=False)
        return data, version

    # -- the one write path ----------------------------------------------------------------

    def _check_version(self, path: Path, version: str, current: bytes | None) -> None:
        if version_of(current) == version:
            return
        before = b"" if version == ABSENT else self._seen.get(version)
        now = (current or b"").decode("utf-8", "replace").splitlines(keepends=True)
        if before is None:
            diff = "(the version the page was loaded from is no longer known)\n" + "".join(now)
        else:
            diff = "".join(
                difflib.unified_diff(
                    before.decode("utf-8", "replace").splitlines(keepends=True),
                    now,
                    fromfile=f"{self.case.rel(path)} (as the page had it)",
                    tofile=f"{self.case.rel(path)} (on disk now)",
                )
            )
        raise Conflict(self.case.rel(path), diff)

    def _validate(self, path: Path, data: bytes) -> None:
        shown = self.case.rel(path)
        if path == self.case.root / CASE_FILE:
            try:
                parse_case_meta(load_yaml(data, path=shown))
            except EvidenceError as exc:
                message = f"{exc.pointer + ': ' if exc.pointer else ''}{exc.message}"
                raise Invalid(
                    shown, [Finding("case-yaml", "FAIL", message, shown, None, exc.line)]
                ) from exc
            return
        report = Report()
        check_claims_file(self.case, self.case.state(), path, data, report)
        problems = [f for f in report.findings if f.status in ("FAIL", "ERROR")]
        if problems:
            raise Invalid(shown, problems)

    def write(self, changes: list[tuple[Path, str, bytes]]) -> None:
        """Write files, each checked against the version the page had and validated, all
        under the case lock; if one is refused, none is written.

        Raises:
            Busy: a command-line writer holds the lock.
            Conflict: a file changed since the page loaded it.
            Invalid: a new file would not pass ``evidence check``.
        """
        try:
            with self.case.lock():
                for path, version, data in changes:
                    self._check_version(path, version, _read(path))
                    self._validate(path, data)
                for path, _, data in changes:
                    path.parent.mkdir(exist_ok=True)
                    replace_file(path, data)
                    self.load(path)
        except LockError as exc:
            raise Busy(
                "the case is busy: another evidence process is writing to it; nothing was written",
                hint="Try again when the command has finished.",
            ) from exc

    # -- claims as text ----------------------------------------------------------------------

    def appended(self, path: Path, version: str, source_id: str, claim: Mapping[str, Any]) -> bytes:
        """The claims file with ``claim`` appended as text (comments kept)."""
        current = _read(path)
        self._check_version(path, version, current)
        if current is None:
            return (f"source: {source_id}\nclaims:\n" + _item_text(claim, "  ")).encode()
        text = current.decode("utf-8")
        doc = load_yaml(current, path=self.case.rel(path))
        data = doc.data if isinstance(doc.data, dict) else {}
        before = data.get("claims")
        if not isinstance(before, list):
            raise EvidenceError(
                "has no block list of claims to add to",
                path=self.case.rel(path),
                hint="Add the claim with a text editor.",
            )
        line = doc.line_of("/claims/0") if before else None
        indent = "  "
        if line is not None:
            match = _ITEM.match(text.splitlines()[line - 1])
            indent = match.group(1) if match else indent
        if not before:  # `claims: []` (as left when the last claim was taken out)
            text = re.sub(r"(?m)^claims:\s*\[\]\s*$", "claims:", text, count=1)
        new = text + ("" if text.endswith("\n") else "\n") + _item_text(claim, indent)
        self._same_claims(path, new.encode(), [*before, dict(claim)])
        return new.encode()

    def removed(self, path: Path, version: str, index: int, key: str) -> bytes:
        """The claims file without its claim number ``index`` (which must have ``key``)."""
        current = _read(path)
        self._check_version(path, version, current)
        if current is None:
            raise EvidenceError("no such file", path=self.case.rel(path))
        doc = load_yaml(current, path=self.case.rel(path))
        items = doc.data.get("claims") if isinstance(doc.data, dict) else None
        if (
            not isinstance(items, list)
            or not 0 <= index < len(items)
            or not isinstance(items[index], dict)
            or items[index].get("key") != key
        ):
            raise EvidenceError(
                f"has no claim {key!r} at position {index + 1}",
                path=self.case.rel(path),
                hint="Reload the page.",
            )
        lines = current.decode("utf-8").splitlines(keepends=True)
        first = doc.line_of(f"/claims/{index}") or 1
        following = doc.line_of(f"/claims/{index + 1}") if index + 1 < len(items) else None
        last = (following - 1) if following is not None else len(lines)
        new = "".join(lines[: first - 1] + lines[last:])
        rest = [*items[:index], *items[index + 1 :]]
        if not rest:
            new = re.sub(r"(?m)^claims:\s*$", "claims: []", new, count=1)
        self._same_claims(path, new.encode(), rest)
        return new.encode()

    def _same_claims(self, path: Path, data: bytes, expected: list[Any]) -> None:
        try:
            doc = load_yaml(data, path=self.case.rel(path))
        except EvidenceError as exc:
            raise EvidenceError(
                "could not be changed as text without changing its meaning",
                path=self.case.rel(path),
                hint="Make the change with a text editor.",
            ) from exc
        got = doc.data.get("claims") if isinstance(doc.data, dict) else None
        if got != expected:
            raise EvidenceError(
                "could not be changed as text without changing its meaning",
                path=self.case.rel(path),
                hint="Make the change with a text editor.",
            )
