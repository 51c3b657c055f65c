"""Files that ship inside the package: schemas, templates, examples.

They live at the top of the repository (schemas/, templates/, examples/) and are
installed as the packages ``evidence.schemas``, ``evidence.templates`` and
``evidence.examples``; they are always read through :mod:`importlib.resources`, so the
installed package works from any directory.
"""

from __future__ import annotations

from importlib import resources
from importlib.abc import Traversable

__all__ = ["resource", "resource_bytes"]


def resource(package: str, *parts: str) -> Traversable:
    """A file or folder shipped in ``evidence.<package>``."""
    node = resources.files(f"evidence.{package}")
    for part in parts:
        node = node / part
    return node


def resource_bytes(package: str, *parts: str) -> bytes:
    """The bytes of a file shipped in ``evidence.<package>``."""
    return resource(package, *parts).read_bytes()
