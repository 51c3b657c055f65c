"""Files that ship inside the package: schemas, templates, examples.

They live at the top of the repository (schemas/, templates/, examples/) and are
installed as the packages ``evidence.schemas``, ``evidence.templates`` and
``evidence.examples``; they are always read through :mod:`importlib.resources`, so the
installed package works from any directory.
"""

from __future__ import annotations

import functools
import hashlib
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

__all__ = ["code_digest", "resource", "resource_bytes"]


def resource(package: str, *parts: str) -> Traversable:
    """A file or folder shipped in ``evidence.<package>``."""
    node = resources.files(f"evidence.{package}")
    for part in parts:
        node = node / part
    return node


def resource_bytes(package: str, *parts: str) -> bytes:
    """The bytes of a file shipped in ``evidence.<package>``."""
    return resource(package, *parts).read_bytes()


_CODE_SUFFIXES = (".py", ".json", ".yaml")
_SHIPPED = ("schemas", "templates")  # folders of the repository shipped as evidence.<name>


def _code_files() -> dict[str, Path]:
    """The package's code, schemas and word lists by their path in an installed package,
    the same whether installed from a wheel or in place (where schemas/ and templates/
    sit beside the package folder)."""
    root = Path(__file__).resolve().parent
    files = {
        path.relative_to(root).as_posix(): path
        for path in root.rglob("*")
        if path.suffix in _CODE_SUFFIXES
        and path.relative_to(root).parts[0] not in (*_SHIPPED, "examples")
    }
    for name in _SHIPPED:
        folder = Path(str(resources.files(f"evidence.{name}")))
        for path in folder.rglob("*"):
            if path.suffix in _CODE_SUFFIXES:
                files[f"{name}/{path.relative_to(folder).as_posix()}"] = path
    return files


@functools.cache
def code_digest() -> str:
    """SHA-256 over the installed package's code, schemas, templates and word lists: a
    line ``<path> <length>`` then the bytes of each file, sorted by path.

    Any edit of the code gives another digest, where the version number may stay the
    same between releases: the dossier's manifest records it with the renderer
    (docs/decisions/0328) and the claims summary names the compiler by it (0020, 0045).
    """
    hasher = hashlib.sha256()
    for rel, path in sorted(_code_files().items()):
        data = path.read_bytes()
        hasher.update(f"{rel} {len(data)}\n".encode())
        hasher.update(data)
    return hasher.hexdigest()
