"""``python -m evidence``: the same as the ``evidence`` command."""

from evidence.cli import run

run()
