"""The ``evidence`` command line: a thin layer over the library.

``main(argv) -> int`` runs a command and returns its exit code; it is the one place
that turns an :class:`~evidence.errors.EvidenceError` into one clear line on stderr and
exit code 1 or 2. Each module here adds its commands to the group.
"""

from __future__ import annotations

import sys

from evidence.cli import core as _core  # noqa: F401  (registers the commands)
from evidence.cli._app import cli, main

__all__ = ["cli", "main", "run"]


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
