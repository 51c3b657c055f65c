"""Options several commands share: what a verification may trust and require."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

__all__ = ["trust_options"]

F = TypeVar("F", bound=Callable[..., Any])


def trust_options(*, requirements: bool = True) -> Callable[[F], F]:
    """``--trusted-key`` and ``--tsa-ca`` (and, with ``requirements``, ``--require-signature``
    and ``--require-timestamp``), as every verifying command spells them."""

    def apply(func: F) -> F:
        options = [
            click.option("--trusted-key", "trusted_keys", multiple=True,
                         type=click.Path(path_type=Path),
                         help="Ed25519 public key (PEM) whose seal signatures are trusted "
                              "(repeatable)."),
            click.option("--tsa-ca", type=click.Path(path_type=Path),
                         help="CA certificates (PEM) that time-stamp tokens must chain to."),
        ]
        if requirements:
            options += [
                click.option("--require-signature", is_flag=True,
                             help="Fail unless every seal is signed by a trusted key."),
                click.option("--require-timestamp", is_flag=True,
                             help="Fail unless every seal has a time-stamp token that chains "
                                  "to --tsa-ca."),
            ]
        for option in reversed(options):
            func = option(func)
        return func

    return apply
