"""``evidence serve``: review a case in the browser.

A local web page over a case folder, as Jupyter gives one over notebooks: the overview,
the sources, each source's text with its claims highlighted, suggestions to accept or
reject, and buttons that seal, verify and render. Every change is written to the case's
files (claims/*.yaml, case.yaml) through the same checks as ``evidence check``, so the
command line, git and a text editor see the same state. The server binds 127.0.0.1 and
answers only with its random token (see :mod:`evidence.serve._guard`).

Needs the ``serve`` extra: ``pip install "evidence[serve]"``.

Example:
    >>> # run(ServeConfig(Path("okh"), token=new_token(), port=8765))  # doctest: +SKIP
"""

from __future__ import annotations

from evidence.serve.app import ServeConfig, create_app
from evidence.serve.server import Server, new_token, run

__all__ = ["ServeConfig", "Server", "create_app", "new_token", "run"]
