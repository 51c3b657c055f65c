"""The ``evidence`` command line: a thin layer over the library.

``main(argv) -> int`` runs a command and returns its exit code; it is the one place
that turns an :class:`~evidence.errors.EvidenceError` into one clear line on stderr and
exit code 1 or 2. Each module here adds its commands to the group.
"""

from __future__ import annotations

import sys

from evidence.cli import capture as _capture  # noqa: F401
from evidence.cli import claims as _claims  # noqa: F401
from evidence.cli import core as _core  # noqa: F401  (registers the commands)
from evidence.cli import integrity as _integrity  # noqa: F401
from evidence.cli import package as _package  # noqa: F401
from evidence.cli import render as _render  # noqa: F401
from evidence.cli._app import cli, main

__all__ = ["cli", "main", "run"]


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
