"""Options several commands share: what a verification may trust and require."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

__all__ = ["STAMP_TSA_CA_HELP", "trust_options", "tsa_ca_option"]

F = TypeVar("F", bound=Callable[..., Any])


STAMP_TSA_CA_HELP = (
    "Root CA certificate(s) (PEM) of the time-stamping authority: each "
    "token must chain to one, which is stored beside the seal "
    "(.N.root.pem) for whoever checks it later."
)


def tsa_ca_option(
    help_text: str = "CA certificates (PEM) that time-stamp tokens must chain to.",
) -> Callable[[F], F]:
    """``--tsa-ca``, as every command that checks or takes time-stamp tokens spells it."""
    return click.option("--tsa-ca", type=click.Path(path_type=Path), help=help_text)


def trust_options(*, requirements: bool = True) -> Callable[[F], F]:
    """``--trusted-key`` and ``--tsa-ca`` (and, with ``requirements``, ``--require-signature``
    and ``--require-timestamp``), as every verifying command spells them."""

    def apply(func: F) -> F:
        options = [
            click.option(
                "--trusted-key",
                "trusted_keys",
                multiple=True,
                type=click.Path(path_type=Path),
                help="Ed25519 public key (PEM) whose seal signatures are trusted (repeatable).",
            ),
            tsa_ca_option(),
        ]
        if requirements:
            options += [
                click.option(
                    "--require-signature",
                    is_flag=True,
                    help="Fail unless every seal is signed by a trusted key.",
                ),
                click.option(
                    "--require-timestamp",
                    is_flag=True,
                    help="Fail unless every seal has a time-stamp token that chains to --tsa-ca.",
                ),
            ]
        for option in reversed(options):
            func = option(func)
        return func

    return apply
