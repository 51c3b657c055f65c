"""Characters that hide or reorder text: refused where people write, shown where we print.

A C0 or C1 control (ESC, BEL …) can rewrite a terminal line; a bidirectional override or
isolate (Unicode UAX #9: U+202A to U+202E, U+2066 to U+2069) can make "100 killed" display as
"001 killed" while the bytes say otherwise. Fields that people write (claims, case.yaml,
command-line options) refuse them, naming the field and the code point; texts that come
from sources keep what they have, and every report and the dossier show such characters
as visible markers (``⟨U+202E⟩``), never apply them.

Example:
    >>> visible("100\\u202e killed")
    '100⟨U+202E⟩ killed'
    >>> find_hidden("a\\tb", allow="\\t") is None
    True
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from evidence.errors import EvidenceError, InputError, UsageError

__all__ = ["HIDDEN", "check_cli_argument", "check_field", "find_hidden", "visible"]

_BIDI: Final = "\u202a-\u202e\u2066-\u2069"
HIDDEN: Final = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
"""C0 and C1 controls, bidirectional embeddings, overrides and isolates."""

_NAMES: Final = {
    0x1B: "ESCAPE",
    0x07: "BELL",
    0x08: "BACKSPACE",
    0x0D: "CARRIAGE RETURN",
    0x00: "NULL",
    0x7F: "DELETE",
    0x09: "TAB",
    0x0A: "LINE FEED",
}


def code_point(char: str) -> str:
    """``U+202E (RIGHT-TO-LEFT OVERRIDE)``."""
    number = ord(char)
    name = unicodedata.name(char, "") or _NAMES.get(number, "a control character")
    return f"U+{number:04X} ({name})"


def find_hidden(text: str, *, allow: str = "") -> tuple[int, str] | None:
    """The first refused character of ``text`` and its index, or None.

    Args:
        text: the value.
        allow: characters the field allows (``"\\t\\n"`` for a multi-line field).
    """
    for match in HIDDEN.finditer(text):
        if match.group() not in allow:
            return match.start(), match.group()
    return None


_HINT: Final = (
    "Control and bidirectional-override characters can hide or reorder what a "
    "text says; remove it (write the text as it should read)."
)


def check_field(
    text: str,
    *,
    field: str,
    path: str | None = None,
    line: int | None = None,
    allow: str = "\t\n",
    error: type[EvidenceError] = InputError,
    hint: str = _HINT,
) -> None:
    """Refuse a control or bidirectional character in a field a person wrote.

    Raises:
        InputError: naming the field, the code point and its position.
    """
    found = find_hidden(text, allow=allow)
    if found is None:
        return
    index, char = found
    raise error(
        f"{field}: character {index + 1} is {code_point(char)}, which is not allowed",
        path=path,
        line=line,
        hint=hint,
    )


def check_cli_argument(option: str, value: str) -> None:
    """Refuse a control or bidirectional character in a command-line value.

    Raises:
        UsageError: naming the option and the code point.
    """
    check_field(
        value,
        field=option,
        allow="",
        error=UsageError,
        hint="Control and bidirectional-override characters can hide or reorder "
        "what a text says; nothing was written.",
    )


def visible(text: str, *, left: str = "⟨", right: str = "⟩", keep: str = "\n") -> str:
    """``text`` with every control and bidirectional character shown as ``⟨U+XXXX⟩``.

    Args:
        text: the text to print.
        left, right: the marker's brackets (the dossier uses U+2039 and U+203A).
        keep: characters printed as they are (line ends in a multi-line report).
    """
    return HIDDEN.sub(
        lambda m: m.group() if m.group() in keep else f"{left}U+{ord(m.group()):04X}{right}", text
    )
