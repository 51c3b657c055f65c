"""The one-file verifier, shipped for readers who do not install `evidence`.

``evidence-verify.py`` (in this folder) checks a case folder, a partial case, a BagIt
package or its zip, an inclusion proof or a dossier's attached files with Python's
standard library and the ``openssl`` command (docs/VERIFYING.md, docs/decisions/0410).
It imports nothing from this package; ``export`` writes it as a tag file of every bag,
``disclose`` into every partial case and ``render`` attaches it to every dossier.

Example:
    >>> verifier_bytes().startswith(b"#!/usr/bin/env python3")
    True
"""

from __future__ import annotations

from importlib import resources
from typing import Final

__all__ = ["VERIFIER_NAME", "verifier_bytes"]

VERIFIER_NAME: Final = "evidence-verify.py"


def verifier_bytes() -> bytes:
    """The bytes of the one-file verifier, as shipped in the package."""
    return resources.files(__name__).joinpath(VERIFIER_NAME).read_bytes()
