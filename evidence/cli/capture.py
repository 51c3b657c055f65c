"""The ``capture`` command: fetch a page into a WARC file and add it as a source.

Example::

    evidence capture my-case https://example.org/news/1 --attach screenshot=page.png
"""

from __future__ import annotations

from pathlib import Path

import click

from evidence.case import Case
from evidence.cli._app import cli
from evidence.cli._output import echo
from evidence.ingest.add import AddResult
from evidence.ingest.capture import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, MAX_REDIRECTS, USER_AGENT
from evidence.model import SourceBody

__all__ = ["capture", "echo_details"]


def echo_details(result: AddResult) -> None:
    """What ``add`` and ``capture`` say after a source's line: attachments, redirects and
    warnings (the warnings on stderr)."""
    body = result.record.body
    if isinstance(body, SourceBody) and not result.existed:
        hops = body.capture.redirects
        if hops and body.capture.final_url:
            echo(f"  after {len(hops)} redirect(s): {body.capture.final_url}")
        for item in body.attachments:
            echo(
                f"  attached {item.role:<10} {item.object.filename}  {item.media_type}  "
                f"blake3 {item.object.blake3[:16]}…"
            )
    for warning in result.warnings:
        echo(f"  warning: {warning}", err=True)


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.argument("url")
@click.option(
    "--warc",
    "warc_path",
    type=click.Path(path_type=Path),
    help="Where to write the WARC file (default: DIR/out/captures/<time>-<host>.warc.gz).",
)
@click.option(
    "--user-agent",
    default=USER_AGENT,
    help="The User-Agent to send (recorded in the source); default: one that names this tool.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds for each request, connection to last byte.",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_BYTES,
    show_default=True,
    help="The largest body accepted.",
)
@click.option(
    "--max-redirects",
    type=click.IntRange(min=0),
    default=MAX_REDIRECTS,
    show_default=True,
    help="How many redirects to follow.",
)
@click.option("--title", help="Title (default: the page's).")
@click.option("--publisher", help="Publisher or outlet (default: the page's site name).")
@click.option("--author", "authors", multiple=True, help="An author (repeatable).")
@click.option("--published", help="Publication date YYYY-MM-DD or RFC 3339 time.")
@click.option("--language", help="BCP 47 language tag (default: the page's).")
@click.option("--encoding", help="The page's encoding, when its declaration is wrong.")
@click.option(
    "--attach",
    "attach",
    multiple=True,
    metavar="[ROLE=]FILE",
    help="A related file kept with the source, e.g. screenshot=page.png (repeatable).",
)
@click.option("--actor", help="The collector (default: EVIDENCE_ACTOR or the OS user).")
def capture(
    directory: Path,
    url: str,
    warc_path: Path | None,
    user_agent: str,
    timeout: float,
    max_bytes: int,
    max_redirects: int,
    title: str | None,
    publisher: str | None,
    authors: tuple[str, ...],
    published: str | None,
    language: str | None,
    encoding: str | None,
    attach: tuple[str, ...],
    actor: str | None,
) -> int:
    """Fetch URL over HTTP(S) into a WARC file and add it to the case DIRECTORY.

    The source records who collected the page, when (UTC, with a note on the clock), how
    (capture-command), with what tool and user agent, the final URL after redirects and
    the HTTP answer. The WARC is kept (see --warc) whatever happens after the fetch.
    """
    from evidence._fs import new_output_path
    from evidence.ingest.add import check_input_file
    from evidence.ingest.attach import parse_attach
    from evidence.ingest.capture import capture_url

    if warc_path is not None:  # before anything is fetched
        new_output_path(warc_path, what="WARC file", replaceable=False, make_folder=True)
    case = Case.open(directory)
    specs = [parse_attach(value) for value in attach]
    for spec in specs:
        check_input_file(spec.path)  # refuse a bad argument before fetching anything
    overrides = {
        "title": title,
        "publisher": publisher,
        "authors": list(authors) or None,
        "published": published,
        "language": language,
    }
    result = capture_url(
        case,
        url,
        warc_path=warc_path,
        user_agent=user_agent,
        timeout=timeout,
        max_bytes=max_bytes,
        max_redirects=max_redirects,
        overrides=overrides,
        encoding=encoding,
        attachments=specs,
        actor=actor,
    )
    for exchange in result.fetch.exchanges:
        echo(
            f"fetched  {exchange.url}  {exchange.status} {exchange.reason}  "
            f"{exchange.body_size} bytes  {exchange.seconds:.2f} s"
        )
    echo(f"wrote    {case.rel(result.warc_path)}")
    added = result.added
    body = added.record.body
    if added.existed:
        echo(
            f"{added.record.id}  the same capture is already in the case as "
            f"{added.record.id} ({added.ern}); nothing added"
        )
    elif isinstance(body, SourceBody):
        text = "with text" if body.text else "no text (cite, not quote)"
        echo(
            f"{added.record.id}  {added.ern}  {body.url}  {body.media_type}  "
            f"blake3 {body.object.blake3[:16]}…  {text}"
        )
    echo_details(added)
    return 0
