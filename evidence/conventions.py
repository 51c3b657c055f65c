"""What a registry expects of a submission: numbers only an institution assigns, and which
addressee fits which dress.

A submitter never prints a number that the receiving institution assigns: an ICC document
number (``ICC-01/22-345-Anx``, the Registry's), an Office of the Prosecutor communication
reference (``OTP-CR-123/24``) or a United Nations document symbol (``A/HRC/56/NGO/12``, the
Secretariat's). ``evidence check`` refuses them in ``reference`` and ``title``, and the
renderer refuses to print them. Each dress is addressed to its own kind of body (the
ICC's Office of the Prosecutor, a United Nations body, a national prosecutor); ``check``
warns when a case's addressee is of another kind, and the dossier then uses the dress's
own addressee.

Example:
    >>> institution_number("ICC-01/22-345-Anx")
    'an ICC document number (ICC-01/22-345-Anx), which the Registry of the Court assigns'
    >>> institution_number("EVD-DEMO-2024-001") is None
    True
    >>> addressee_kind("Office of the Prosecutor, International Criminal Court")
    'icc'
"""

from __future__ import annotations

import re
from typing import Final, Literal

__all__ = [
    "DRESS_KINDS",
    "addressee_kind",
    "addressee_misfit",
    "institution_number",
    "without_icc_numbers",
]

AddresseeKind = Literal["icc", "un", "national"]

_ICC: Final = re.compile(r"(?<![\w/-])ICC-(?:\d{2}/\d{2}|ASP|OTP|CPI|RoC)[\w./-]*")
_OTP: Final = re.compile(r"(?<![\w/-])OTP-CR-\d+/\d+")
_UN_PREFIXES: Final = (
    "A",
    "S",
    "E",
    "ST",
    "CRC",
    "CCPR",
    "CAT",
    "CERD",
    "CEDAW",
    "CRPD",
    "CED",
    "CMW",
    "UNEP",
    "DP",
    "TD",
    "HRI",
    "SPT",
)
_UN: Final = re.compile(
    r"(?<![\w/.-])(?:" + "|".join(_UN_PREFIXES) + r")(?:/[A-Z0-9][A-Za-z0-9.()-]*)+"
)

DRESS_KINDS: Final[dict[str, AddresseeKind]] = {
    "icc-otp": "icc",
    "un-report": "un",
    "transmittal": "national",
}
"""The kind of addressee each shipped dress is written for."""

_KIND_WORDS: Final[dict[AddresseeKind, re.Pattern[str]]] = {
    "icc": re.compile(r"\bICC\b|International Criminal Court|Rome Statute", re.IGNORECASE),
    "un": re.compile(
        r"United Nations|\bUN\b|\bOHCHR\b|\bHRMMU\b|Human Rights Council|"
        r"Commission of Inquiry|Special Rapporteur|High Commissioner|"
        r"Working Group on|Committee (?:against|on the)",
        re.IGNORECASE,
    ),
}
_KIND_NAMES: Final = {
    "icc": "the International Criminal Court",
    "un": "a United Nations body",
    "national": "a national prosecutor",
}


def institution_number(text: str) -> str | None:
    """Why ``text`` holds a number an institution assigns, or None when it holds none."""
    found = _ICC.search(text)
    if found:
        return f"an ICC document number ({found.group(0)}), which the Registry of the Court assigns"
    found = _OTP.search(text)
    if found:
        return (
            f"an Office of the Prosecutor reference ({found.group(0)}), which the Office "
            "assigns to a communication it receives"
        )
    for found in _UN.finditer(text):
        if any(c.isdigit() for c in found.group(0)):
            return (
                f"a United Nations document symbol ({found.group(0)}), which the "
                "Secretariat assigns"
            )
    return None


def addressee_kind(addressee: str) -> AddresseeKind:
    """What kind of body an addressee names: the ICC, a United Nations body, or other
    (a national authority)."""
    for kind, words in _KIND_WORDS.items():
        if words.search(addressee):
            return kind
    return "national"


def addressee_misfit(addressee: str | None, dress: str) -> str | None:
    """Why ``addressee`` does not fit ``dress`` (a shipped template's name), or None."""
    wanted = DRESS_KINDS.get(dress)
    if addressee is None or wanted is None:
        return None
    kind = addressee_kind(addressee)
    if kind == wanted:
        return None
    return (
        f"the addressee {addressee!r} is {_KIND_NAMES[kind]}, but the {dress} dress is "
        f"written to {_KIND_NAMES[wanted]}; the dossier uses the dress's own addressee"
    )


def without_icc_numbers(text: str) -> str:
    """``text`` without ICC situation and document numbers (and the brackets around one),
    for a document of another institution."""
    text = re.sub(r"\s*\(\s*" + _ICC.pattern + r"\s*\)", "", text)
    return " ".join(_ICC.sub("", text).split())
