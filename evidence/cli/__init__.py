"""The ``evidence`` command line: a thin layer over the library.

``main(argv) -> int`` runs a command and returns its exit code; it is the one place
that turns an :class:`~evidence.errors.EvidenceError` into one clear line on stderr and
exit code 1 or 2. Each module here adds its commands to the group; a module is imported
when one of its commands runs (see ``_COMMANDS`` in ``_app``).
"""

from __future__ import annotations

import sys

from evidence.cli._app import cli, main

__all__ = ["cli", "main", "run"]


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
