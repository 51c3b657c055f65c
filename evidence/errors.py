"""The one exception root of the package, and its branches.

Every error the library raises is an :class:`EvidenceError`. Its ``str()`` is the
fact, short enough for one line of a terminal ("claims/SRC-0001.yaml:12: /claims/0/quote:
quote not found in SRC-0001"); :meth:`EvidenceError.diagnostics` says what that means
for the evidence and what to do. Foreign exceptions are wrapped where they enter
(``raise InputError(...) from exc``) so that a ``KeyError`` or ``UnicodeDecodeError``
never reaches a user.

The command line maps :attr:`EvidenceError.exit_code` to the process exit status:
1 when the evidence has findings, 2 when the command could not run.

Example:
    >>> err = InputError("not valid UTF-8 at byte 12", path="article.txt")
    >>> str(err)
    'article.txt: not valid UTF-8 at byte 12'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from evidence.report import Report

__all__ = [
    "CanonicalError",
    "CaseError",
    "EvidenceError",
    "InputError",
    "LockError",
    "QuoteError",
    "SchemaError",
    "UsageError",
    "VerificationFailed",
    "YamlError",
]

EXIT_FINDINGS = 1
EXIT_CANNOT_RUN = 2
EXIT_PARTIAL = 3
"""Done in part: what was written is complete and kept, a later step failed (a seal
written but not time-stamped). See docs/decisions/0011-exit-codes.md."""
EXIT_INTERRUPTED = 130


class EvidenceError(Exception):
    """Root of every error raised by this package.

    Args:
        message: the fact, in one line.
        path: the file concerned, as the user would name it.
        line: 1-based line in ``path`` where that applies.
        pointer: JSON pointer of the field concerned.
        hint: what the finding means or what to do, shown by :meth:`diagnostics`.
    """

    exit_code: int = EXIT_CANNOT_RUN

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        pointer: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.pointer = pointer
        self.hint = hint

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path if self.line is None else f"{self.path}:{self.line}"
        if self.pointer:
            where = f"{where}: {self.pointer}" if where else self.pointer
        return f"{where}: {self.message}" if where else self.message

    def diagnostics(self) -> str:
        """What the error means for the evidence, and what to do about it."""
        return self.hint or ""


class UsageError(EvidenceError):
    """The command was called with arguments that cannot work."""


class InputError(EvidenceError):
    """An input file is missing, unreadable or malformed."""


class YamlError(InputError):
    """A YAML file could not be parsed safely."""


class SchemaError(InputError):
    """A document does not match its JSON Schema."""


class QuoteError(InputError):
    """A claim's quote is not found in its source text, or is ambiguous."""


class CanonicalError(EvidenceError):
    """A value has no RFC 8785 canonical form (a NaN, a huge integer, a lone surrogate)."""


class CaseError(EvidenceError):
    """A folder is not a case folder, or the case is in a state the command cannot work on."""


class LockError(CaseError):
    """Another process holds the case folder's writer lock."""


class VerificationFailed(EvidenceError):
    """Verification found problems; the report is attached as :attr:`report`."""

    exit_code = EXIT_FINDINGS

    def __init__(self, report: Report) -> None:
        failed = [f for f in report.findings if f.status in ("FAIL", "ERROR")]
        first = failed[0].message if failed else "verification did not pass"
        more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
        super().__init__(
            f"{first}{more}",
            hint="The evidence does not verify: read the report for each failed check.",
        )
        self.report = report
