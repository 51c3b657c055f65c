"""Commands on claims: ``suggest`` (candidate claims for review) and ``corroborate``
(the ledger of claims across sources)."""

from __future__ import annotations

from pathlib import Path

import click

from evidence.case import Case
from evidence.cli._app import cli
from evidence.cli._output import echo, json_text

__all__ = ["corroborate", "suggest"]


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.argument("source_id", metavar="SRC-ID")
@click.option(
    "--write",
    is_flag=True,
    help="Write claims/SRC-ID.suggested.yaml (never over a file you edited).",
)
def suggest(directory: Path, source_id: str, write: bool) -> int:
    """Suggest claims for one source, for you to review (status: proposed).

    Without --write the suggestions are printed as a claims file; nothing is written.
    Each suggestion says in `why` which rule proposed it and on which words.
    """
    from evidence.suggest import suggest_claims, summary_lines, write_suggestions

    case = Case.open(directory)
    result = suggest_claims(case, source_id)
    for note in result.notes:
        echo(f"note: {note}", err=True)
    if not result.suggestions:
        already = f"; {result.covered} already claimed in the case" if result.covered else ""
        echo(
            f"no candidate claims in {source_id} ({result.sentences} sentence(s) read"
            f"{already}); nothing written"
        )
        return 0
    count = len(result.suggestions)
    skipped = f"; {result.covered} already claimed, left out" if result.covered else ""
    if not write:
        echo(result.document)
        echo(
            f"{count} suggestion(s) for {source_id}{skipped}; not written "
            f"(add --write to write {case.rel(result.path)})",
            err=True,
        )
        return 0
    written = write_suggestions(case, result)
    verb = "replaced" if written.replaced else "wrote"
    echo(f"{verb} {case.rel(written.path)}: {count} proposed claim(s){skipped}")
    for line in summary_lines(written):
        echo(line)
    echo(
        "review them, then accept each by setting its status or moving it to "
        f"claims/{source_id}.yaml; `evidence check` validates them"
    )
    return 0


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the ledger as JSON.")
def corroborate(directory: Path, as_json: bool) -> int:
    """The ledger of sealed claims across sources: who said what, agreement and conflict.

    Suggests a status for each claim (corroborated, contested, reported) and changes
    nothing.
    """
    from evidence.suggest import build_ledger, render_ledger

    case = Case.open(directory)
    ledger = build_ledger(case)
    if as_json:
        click.echo(json_text(ledger.to_dict()))
        return 0
    for line in render_ledger(ledger):
        echo(line)
    return 0
