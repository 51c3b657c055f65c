"""``evidence render``: the PDF dossier of a case's latest seal."""

from __future__ import annotations

from pathlib import Path

import click

from evidence.case import Case
from evidence.cli._app import cli
from evidence.cli._output import echo, progress

__all__ = ["render"]


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Where to write the PDF (default: DIR/out/<case-id>-seal-<NNNN>-<template>.pdf).",
)
@click.option(
    "--template",
    metavar="NAME|FILE.yaml",
    help="icc-otp, un-report or transmittal, or a template file (default: the "
    "case's template in case.yaml).",
)
@click.option(
    "--no-embed-sources",
    is_flag=True,
    help="Do not embed the captured bytes of the sources (their texts, the records, "
    "the seal and the custody log are always embedded).",
)
@click.option("--force", is_flag=True, help="Replace the -o file if it exists.")
@click.option("--actor", help="Who renders (default: EVIDENCE_ACTOR or the OS user).")
@click.option(
    "--strict",
    is_flag=True,
    help="Refuse (exit 2) when a character of the case has no glyph in the fonts "
    "the dossier ships, instead of printing it as a ‹U+XXXX› marker.",
)
def render(
    directory: Path,
    output: Path | None,
    template: str | None,
    no_embed_sources: bool,
    force: bool,
    actor: str | None,
    strict: bool,
) -> int:
    """Render the dossier of the latest seal as a PDF that carries the case data.

    Refuses a case with no seal (exit 2) and a case whose sealed data does not verify
    (exit 1). A character no shipped font covers is printed as a marker and listed in the
    integrity annex, with a warning; with --strict, nothing is written (exit 2). Records
    written since the latest seal are not in the dossier; the command says so.
    """
    from evidence._fs import new_output_path
    from evidence.render import render_dossier

    if output is not None:
        new_output_path(output, force=force, what="dossier")
    case = Case.open(directory)
    with progress("rendering") as bar:
        result = render_dossier(
            case,
            template=template,
            output=output,
            embed_sources=not no_embed_sources,
            actor=actor,
            progress=bar,
            strict=strict,
        )
    seal = result.seal
    echo(f"rendered {result.path}")
    echo(
        f"  template {result.template}, seal {seal.sequence:04d} (root {seal.root}), "
        f"{result.pages} pages, {result.size:,} bytes, sha256 {result.sha256}"
    )
    echo(
        f"  embedded {result.embedded} files of case data; verification: {result.verdict.summary()}"
    )
    for item in result.omitted:
        echo(f"  not embedded: {item.name} ({item.size:,} bytes): {item.reason}")
    if result.unprintable:
        from evidence.render.coverage import grouped, summary

        echo(f"warning: {summary(result.unprintable)}", err=True)
        for line in grouped(result.unprintable):
            echo(f"  {line}", err=True)
    if result.unsealed:
        echo(
            f"note: {result.unsealed} record revision(s) written since seal "
            f"{seal.sequence:04d} are not in this dossier; run `evidence seal` to include "
            "them",
            err=True,
        )
    return 0
