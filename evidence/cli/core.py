"""Commands of the core: init, add, check, seal, verify, demo."""

from __future__ import annotations

import re
from pathlib import Path

import click

from evidence.case import Case, default_actor
from evidence.cli._app import cli
from evidence.cli._options import STAMP_TSA_CA_HELP, trust_options, tsa_ca_option
from evidence.cli._output import echo, print_report, progress, quiet_pdf_warnings
from evidence.errors import EXIT_FINDINGS, UsageError
from evidence.model import RecordId, SourceBody, Subject

__all__ = ["add", "check", "demo", "init", "seal", "verify"]


def _default_id(folder: Path) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", folder.resolve().name).strip("-._")
    return cleaned[:64] or "CASE"


def _default_prefix(case_id: str) -> str:
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", case_id.upper()) if p][:2]
    return "-".join(p[:12] for p in parts) or "EX"


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--title", help="Case title (default: the case id).")
@click.option("--id", "case_id", help="Case id (default: from the folder name).")
@click.option(
    "--template",
    type=click.Choice(["icc-otp", "un-report", "transmittal"]),
    default="icc-otp",
    show_default=True,
    help="Dossier style.",
)
@click.option("--ern-prefix", help="Prefix of exhibit numbers, e.g. UKR-OKH.")
@click.option("--situation", help="Situation or context, e.g. 'Situation in Ukraine (ICC-01/22)'.")
@click.option(
    "--classification",
    type=click.Choice(["public", "confidential", "restricted"]),
    default="public",
    show_default=True,
)
@click.option("--organisation", help="The submitting organisation.")
@click.option("--actor", help="Who acts (default: EVIDENCE_ACTOR or the OS user).")
def init(
    directory: Path,
    title: str | None,
    case_id: str | None,
    template: str,
    ern_prefix: str | None,
    situation: str | None,
    classification: str,
    organisation: str | None,
    actor: str | None,
) -> int:
    """Create a case folder: case.yaml and the first custody event."""
    cid = case_id or _default_id(directory)
    case = Case.init(
        directory,
        case_id=cid,
        title=title or cid,
        ern_prefix=ern_prefix or _default_prefix(cid),
        template=template,
        situation=situation,
        classification=classification,
        submitter={"organisation": organisation} if organisation else None,
        actor=actor,
    )
    echo(f"created case {case.meta.id} in {directory} (exhibits {case.meta.ern_prefix}-0001 …)")
    echo("edit case.yaml for the submitter, summary and reference; then `evidence add`")
    return 0


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--url", help="Where the article was published.")
@click.option(
    "--title", help="Title (default: front matter, else the first line that reads as a headline)."
)
@click.option("--publisher", help="Publisher or outlet, e.g. Censor.NET.")
@click.option("--author", "authors", multiple=True, help="An author (repeatable).")
@click.option("--published", help="Publication date YYYY-MM-DD or RFC 3339 time.")
@click.option("--language", help="BCP 47 language tag, e.g. en, uk, ru.")
@click.option("--encoding", help="Text encoding when not UTF-8, e.g. windows-1251.")
@click.option("--actor", help="The collector (default: EVIDENCE_ACTOR or the OS user).")
@click.option(
    "--attach",
    "attach",
    multiple=True,
    metavar="[ROLE=]FILE",
    help="A related file kept with the source: screenshot=FILE, page-pdf=FILE, "
    "video=FILE … (repeatable; the role is inferred when not given).",
)
@click.option(
    "--no-text", is_flag=True, help="Keep the file as bytes only, without reading text from it."
)
@click.option(
    "--warc-record",
    metavar="ID",
    help="For a WARC/WACZ: the WARC-Record-ID of the response to take.",
)
def add(
    directory: Path,
    files: tuple[Path, ...],
    url: str | None,
    title: str | None,
    publisher: str | None,
    authors: tuple[str, ...],
    published: str | None,
    language: str | None,
    encoding: str | None,
    actor: str | None,
    attach: tuple[str, ...],
    no_text: bool,
    warc_record: str | None,
) -> int:
    """Add article files, web pages, PDFs, WARC/WACZ archives (or any captured file) to the
    case as sources. For an archive, --url says which page to take."""
    from evidence.cli.capture import echo_details
    from evidence.ingest.add import add_sources
    from evidence.ingest.attach import parse_attach

    if len(files) > 1 and (url or title):
        raise UsageError("--url and --title describe one file; add files one at a time")
    case = Case.open(directory)
    overrides = {
        "url": url,
        "title": title,
        "publisher": publisher,
        "authors": list(authors) or None,
        "published": published,
        "language": language,
    }
    results = add_sources(
        case,
        files,
        overrides=overrides,
        encoding=encoding,
        actor=actor,
        attachments=[parse_attach(value) for value in attach],
        no_text=no_text,
        warc_record=warc_record,
    )
    for result in results:
        body = result.record.body
        if result.existed:
            echo(
                f"{result.record.id}  {result.path}: the same bytes are already in the case "
                f"as {result.record.id} ({result.ern}); nothing added"
            )
            echo_details(result)
            continue
        if not isinstance(body, SourceBody):  # add only ever writes sources
            raise TypeError(f"{result.record.id}: add wrote a {type(body).__name__}")
        text = "with text" if body.text else "no text (cite, not quote)"
        echo(
            f"{result.record.id}  {result.ern}  {result.path}  {body.media_type}  "
            f"blake3 {body.object.blake3[:16]}…  {text}"
        )
        echo_details(result)
    return 0


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def check(directory: Path, as_json: bool) -> int:
    """Validate what people wrote (case.yaml, claims/*.yaml); write nothing."""
    from evidence.check import check_case
    from evidence.cli.integrity import workers_for_cli

    report = check_case(directory, workers=workers_for_cli())
    print_report(report, as_json=as_json, title=f"check {directory}")
    return 0 if report.ok else EXIT_FINDINGS


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--actor", help="Who seals (default: EVIDENCE_ACTOR or the OS user).")
@click.option(
    "--key",
    "key_file",
    type=click.Path(path_type=Path),
    help="Sign the seal with this Ed25519 private key (PREFIX.key).",
)
@click.option(
    "--passphrase-env", metavar="VAR", help="Environment variable that holds the key's passphrase."
)
@click.option(
    "--tsa",
    "tsa_urls",
    multiple=True,
    metavar="URL",
    help="Time-stamp the seal with this RFC 3161 authority (repeatable).",
)
@click.option(
    "--tsa-timeout",
    type=click.FloatRange(min=0.1),
    default=10.0,
    show_default=True,
    help="Seconds each time-stamping authority has to answer, in all.",
)
@tsa_ca_option(STAMP_TSA_CA_HELP)
def seal(
    directory: Path,
    actor: str | None,
    key_file: Path | None,
    passphrase_env: str | None,
    tsa_urls: tuple[str, ...],
    tsa_timeout: float,
    tsa_ca: Path | None,
) -> int:
    """Compile claims into records and seal every record under one Merkle root."""
    from evidence.cli.integrity import load_signing_key, print_stamp, workers_for_cli
    from evidence.integrity.seal import seal_case

    if passphrase_env and key_file is None:
        raise UsageError("--passphrase-env is for --key: give the key to sign with")
    if tsa_ca is not None and not tsa_urls:
        raise UsageError("--tsa-ca is the root of the time-stamping authority: give --tsa URL")
    roots = None
    if tsa_urls:  # the time-stamping code (HTTP, X.509) is imported only to time-stamp
        from evidence.integrity.timestamp import check_url, load_certificates

        for url in tsa_urls:
            check_url(url)  # refuse a bad argument before anything is written
        roots = None if tsa_ca is None else load_certificates(tsa_ca, what="--tsa-ca file")
    case = Case.open(directory)
    key = load_signing_key(key_file, passphrase_env) if key_file is not None else None
    with progress("sealing") as bar:
        result = seal_case(
            case, actor=default_actor(actor), progress=bar, key=key, workers=workers_for_cli()
        )
    _say_recorded(result.added, result.withdrawn)
    if result.proposed:
        echo(
            f"note: {result.proposed} proposed claim(s) in claims/*.suggested.yaml were left "
            "out; accept one by giving it a status or moving it to claims/SRC-….yaml",
            err=True,
        )
    if result.path is None:
        echo(
            f"nothing new to seal: the latest seal covers every record "
            f"({result.unchanged} claim(s) unchanged)"
        )
        if key is not None or tsa_urls:
            echo(
                "nothing was signed or time-stamped; `evidence stamp DIR --tsa URL` "
                "time-stamps the latest seal"
            )
        return 0
    echo(f"sealed {result.size} record revision(s) in {case.rel(result.path)}: root {result.root}")
    if result.signature is not None and key is not None:
        echo(f"signed with key {key.fingerprint}: {case.rel(result.signature)}")
    if tsa_urls:
        from evidence.integrity.timestamp import stamp_seal

        stamped = stamp_seal(
            case,
            tsa_urls=tsa_urls,
            sequence=result.sequence,
            actor=default_actor(actor),
            timeout=tsa_timeout,
            tsa_ca=roots,
        )
        return print_stamp(case, stamped, directory, sealed=True)
    return 0


def _say_recorded(added: list[Subject], withdrawn: list[RecordId]) -> None:
    """One line per record for a few; a summary for many."""
    if len(added) <= 20:
        for subject in added:
            echo(f"recorded {subject.id}.{subject.revision}")
    else:
        new = sum(1 for s in added if s.revision == 1)
        echo(
            f"recorded {len(added)} claim record(s): {new} new, {len(added) - new} "
            f"revised ({added[0].id} … {added[-1].id})"
        )
    for record_id in withdrawn[:20]:
        echo(f"withdrew {record_id} (its claim is no longer in claims/)")
    if len(withdrawn) > 20:
        echo(f"withdrew {len(withdrawn) - 20} more claim(s)")


@cli.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@trust_options()
@click.option(
    "--clock-skew",
    type=click.FloatRange(min=0),
    default=300.0,
    show_default=True,
    help="Seconds a time-stamp may precede its seal's sealed_at.",
)
@click.option(
    "--expect-root",
    metavar="HEX",
    help="A Merkle root you hold (a dossier's cover, an earlier report): some seal "
    "must have it, or the case was rolled back or replaced.",
)
@click.option(
    "--min-seal",
    type=click.IntRange(min=1),
    metavar="N",
    help="Fail unless the latest seal is seal N or later (a rollback shows).",
)
@click.option(
    "--log",
    "log_it",
    is_flag=True,
    help="Record the verdict as a `verified` event in the case's custody log.",
)
@click.option("--actor", help="Who verifies, with --log (default: EVIDENCE_ACTOR or OS user).")
def verify(
    path: Path,
    as_json: bool,
    trusted_keys: tuple[Path, ...],
    tsa_ca: Path | None,
    require_signature: bool,
    require_timestamp: bool,
    clock_skew: float,
    expect_root: str | None,
    min_seal: int | None,
    log_it: bool,
    actor: str | None,
) -> int:
    """Check a case folder, package or dossier PDF: nothing changed, every check named."""
    from evidence.integrity.sign import load_trusted_keys
    from evidence.integrity.timestamp import load_certificates
    from evidence.verify import VerifyOptions, verify_path

    quiet_pdf_warnings()
    load_trusted_keys(trusted_keys)  # an unusable key or CA file stops here, exit 2
    if tsa_ca is not None:
        load_certificates(tsa_ca, what="--tsa-ca file")
    from evidence.cli.integrity import hex_root

    options = VerifyOptions(
        trusted_keys=trusted_keys,
        tsa_ca=tsa_ca,
        require_signature=require_signature,
        require_timestamp=require_timestamp,
        clock_skew=clock_skew,
        expect_root=hex_root(expect_root, "--expect-root") if expect_root is not None else None,
        min_seal=min_seal,
    )
    with progress("verifying") as bar:
        report = verify_path(path, options=options, progress=bar)
    if log_it:
        from evidence.verify import log_verification

        log_verification(path, report, actor=actor)
    print_report(report, as_json=as_json, title=f"verify {path}")
    return 0 if report.ok else EXIT_FINDINGS


@cli.command()
@click.argument("out", required=False, type=click.Path(path_type=Path))
def demo(out: Path | None) -> int:
    """Build the bundled example case (the 8 July 2024 attack) end to end."""
    from evidence._fs import new_output_path
    from evidence.demo import build_demo

    if out is not None and (out.exists() or out.is_symlink()) and not out.is_dir():
        new_output_path(out, folder=True, what="demo case", replaceable=False)
    with progress("demo") as bar:
        result = build_demo(out, progress=bar)
    for line in result.log:
        echo(line)
    echo(f"the example case is in {result.case_dir}")
    return 0 if result.report.ok else EXIT_FINDINGS
