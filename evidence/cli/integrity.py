"""Commands for integrity anyone can check: keygen, stamp, proof, verify-proof, disclose.

Each result can also be checked with stock tools; the commands print how.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from evidence._fs import new_output_path, replace_file, write_new_file
from evidence.case import Case
from evidence.cli._app import cli
from evidence.cli._options import STAMP_TSA_CA_HELP, trust_options, tsa_ca_option
from evidence.cli._output import echo, print_report
from evidence.errors import EXIT_CANNOT_RUN, EXIT_FINDINGS, EXIT_PARTIAL, UsageError

if TYPE_CHECKING:
    from evidence.integrity.sign import SigningKey
    from evidence.integrity.timestamp import StampResult

__all__ = [
    "disclose",
    "hex_root",
    "keygen",
    "load_signing_key",
    "passphrase_from_env",
    "print_stamp",
    "proof",
    "stamp",
    "verify_proof",
]

_TIMEOUT_HELP = "Seconds each time-stamping authority has to answer, in all."


def workers_for_cli() -> int:
    """How many processes a command may use for a large case: ``EVIDENCE_WORKERS`` if
    set to a positive number (tests set 1 or 2), else the number of cores. The library
    itself always takes ``workers=`` (default 1) and never reads the environment."""
    from evidence._parallel import cpu_count

    configured = os.environ.get("EVIDENCE_WORKERS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return cpu_count()


def passphrase_from_env(variable: str | None) -> bytes | None:
    """The passphrase held in environment variable ``variable`` (never on the command line,
    where other users could read it in the process list).

    Raises:
        UsageError: the variable is not set or empty.
    """
    if variable is None:
        return None
    value = os.environ.get(variable)
    if value is None:
        raise UsageError(f"--passphrase-env {variable}: that environment variable is not set")
    if not value:
        raise UsageError(f"--passphrase-env {variable}: the passphrase is empty")
    return value.encode("utf-8")


def load_signing_key(path: Path, passphrase_env: str | None) -> SigningKey:
    """Load a private key for signing, printing its warnings to stderr."""
    from evidence.integrity.sign import load_private_key

    key = load_private_key(path, passphrase=passphrase_from_env(passphrase_env))
    for warning in key.warnings:
        echo(f"warning: {warning}", err=True)
    return key


def print_stamp(case: Case, result: StampResult, directory: Path, *, sealed: bool = False) -> int:
    """Say what a time-stamping run stored and which authorities failed; the exit code:
    0 all stamped; 3 (done in part) when a seal was written by this run (``sealed``) or
    some authority stamped it while another failed; 2 when nothing was written."""
    for token in result.stamped:
        how = (
            (
                " (the TSA's first answer was not DER; asked again without certificates, "
                "which are in the chain file)"
            )
            if token.refetched
            else ""
        )
        echo(
            f"time-stamped {case.rel(result.seal_path)} at "
            f"{token.gen_time.isoformat().replace('+00:00', 'Z')} by {token.tsa_name}: "
            f"{case.rel(token.path)} + {token.chain.name}{how}"
        )
        if token.root is not None:
            echo(
                f"  the token chains to the --tsa-ca root, stored as {case.rel(token.root)} "
                "(for whoever checks it; trusting it stays their decision)"
            )
    for _, error in result.failures:
        echo(f"evidence: {error}", err=True)
        if error.diagnostics():
            echo(f"  {error.diagnostics()}", err=True)
    if result.failures:
        urls = " ".join(f"--tsa {url}" for url, _ in result.failures)
        echo(
            f"  {case.rel(result.seal_path)} is written and unchanged; time-stamp it later "
            f"with: evidence stamp {directory} {urls}",
            err=True,
        )
        return EXIT_PARTIAL if sealed or result.stamped else EXIT_CANNOT_RUN
    return 0


@cli.command()
@click.argument("prefix", type=click.Path(path_type=Path))
@click.option(
    "--passphrase-env",
    metavar="VAR",
    help="Encrypt the private key with the passphrase held in environment variable VAR.",
)
def keygen(prefix: Path, passphrase_env: str | None) -> int:
    """Make an Ed25519 key pair: PREFIX.key (private, mode 0600) and PREFIX.pub."""
    from evidence.integrity.sign import generate_key_files, key_file_paths

    for path in key_file_paths(prefix):
        if not (path.exists() or path.is_symlink()):  # an existing one: the key's message
            new_output_path(path, what="key", replaceable=False)
    pair = generate_key_files(prefix, passphrase=passphrase_from_env(passphrase_env))
    encrypted = ", encrypted" if pair.encrypted else ""
    echo(
        f"wrote {pair.private_path} (private key, mode 0600{encrypted}) and "
        f"{pair.public_path} (public key)"
    )
    echo(f"fingerprint {pair.fingerprint}")
    echo(
        f"  (anyone can recompute it: openssl pkey -pubin -in {pair.public_path} "
        "-outform DER | sha256sum)"
    )
    echo(
        f"sign seals with `evidence seal DIR --key {pair.private_path}`; give "
        f"{pair.public_path} to whoever verifies (--trusted-key)"
    )
    return 0


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--tsa",
    "tsa_urls",
    multiple=True,
    required=True,
    metavar="URL",
    help="RFC 3161 time-stamping authority (repeatable).",
)
@click.option(
    "--seal",
    "sequence",
    type=click.IntRange(min=1),
    metavar="N",
    help="Time-stamp seal N (default: the latest).",
)
@click.option(
    "--tsa-timeout",
    type=click.FloatRange(min=0.1),
    default=10.0,
    show_default=True,
    help=_TIMEOUT_HELP,
)
@tsa_ca_option(STAMP_TSA_CA_HELP)
@click.option("--actor", help="Who acts (default: EVIDENCE_ACTOR or the OS user).")
def stamp(
    directory: Path,
    tsa_urls: tuple[str, ...],
    sequence: int | None,
    tsa_timeout: float,
    tsa_ca: Path | None,
    actor: str | None,
) -> int:
    """Time-stamp a seal (RFC 3161), now or again later; the seal itself never changes."""
    from evidence.integrity.timestamp import load_certificates, stamp_seal

    roots = None if tsa_ca is None else load_certificates(tsa_ca, what="--tsa-ca file")
    case = Case.open(directory)
    result = stamp_seal(
        case, tsa_urls=tsa_urls, sequence=sequence, actor=actor, timeout=tsa_timeout, tsa_ca=roots
    )
    return print_stamp(case, result, directory)


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.argument("record_id")
@click.option(
    "--seal",
    "sequence",
    type=click.IntRange(min=1),
    metavar="N",
    help="Prove inclusion in seal N (default: the latest).",
)
@click.option(
    "--revision",
    type=click.IntRange(min=1),
    help="The revision to prove (default: the latest the seal covers).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write the proof to this new file instead of printing it.",
)
@click.option("--force", is_flag=True, help="Replace the --output file if it exists.")
def proof(
    directory: Path,
    record_id: str,
    sequence: int | None,
    revision: int | None,
    output: Path | None,
    force: bool,
) -> int:
    """Print an RFC 9162 inclusion proof of one record in a seal, as JSON."""
    from evidence.integrity.proof import build_proof, proof_json

    if output is not None:
        new_output_path(output, force=force, what="proof")
    built = build_proof(Case.open(directory), record_id, seal_sequence=sequence, revision=revision)
    text = proof_json(built)
    if output is None:
        click.echo(text, nl=False)
        return 0
    if force:
        replace_file(output, text.encode("utf-8"))
    else:
        write_new_file(output, text.encode("utf-8"), mode=0o644)
    echo(
        f"wrote the inclusion proof of {built.label} (leaf {built.leaf_index} of "
        f"{built.tree_size}) in {built.seal_file} to {output}"
    )
    echo(f"check it with: evidence verify-proof {output} --seal {directory}/{built.seal_file}")
    return 0


@cli.command("verify-proof")
@click.argument("proof_file", type=click.Path(path_type=Path))
@click.option(
    "--seal",
    "seal_file",
    type=click.Path(path_type=Path),
    help="The seal file the proof names (seals/NNNN.json): check the root against "
    "it, with its signature and time-stamps.",
)
@click.option(
    "--root",
    "root",
    metavar="HEX",
    help="A Merkle root you hold from a trusted source (a dossier's cover, a "
    "verify report): the proof must lead to it.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@trust_options()
def verify_proof(
    proof_file: Path,
    seal_file: Path | None,
    root: str | None,
    as_json: bool,
    trusted_keys: tuple[Path, ...],
    tsa_ca: Path | None,
    require_signature: bool,
    require_timestamp: bool,
) -> int:
    """Check an inclusion proof made by `evidence proof`, anchored to --seal or --root.

    Without an anchor the proof can only be consistent, not proven: exit 1.
    """
    from evidence.verify import VerifyOptions
    from evidence.verify.partial import verify_proof_file

    if seal_file is None and (trusted_keys or tsa_ca or require_signature or require_timestamp):
        raise UsageError("--trusted-key, --tsa-ca and --require-* check a seal: give --seal")
    if root is not None:
        root = hex_root(root)
    options = VerifyOptions(
        trusted_keys=trusted_keys,
        tsa_ca=tsa_ca,
        require_signature=require_signature,
        require_timestamp=require_timestamp,
    )
    report = verify_proof_file(proof_file, seal_path=seal_file, root=root, options=options)
    print_report(report, as_json=as_json, title=f"verify-proof {proof_file}")
    return 0 if report.ok else EXIT_FINDINGS


def hex_root(text: str, option: str = "--root") -> str:
    """A Merkle root given on the command line: 64 hex digits, lower-cased.

    Raises:
        UsageError: anything else.
    """
    value = text.strip().lower()
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise UsageError(f"{option} {text!r}: expected a Merkle root of 64 hexadecimal digits")
    return value


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--records",
    required=True,
    metavar="ID,…",
    help="The records to show, e.g. SRC-0001,CLM-0003 (every sealed revision of each).",
)
@click.option(
    "-o",
    "--output",
    "out",
    required=True,
    type=click.Path(path_type=Path),
    help="A new folder for the partial case.",
)
@click.option("--actor", help="Who discloses (default: EVIDENCE_ACTOR or the OS user).")
def disclose(directory: Path, records: str, out: Path, actor: str | None) -> int:
    """Write a partial case: chosen records with proofs that they belong to the seals."""
    from evidence.integrity.disclose import disclose as write_disclosure

    new_output_path(out, folder=True, what="disclosure", replaceable=False)
    result = write_disclosure(Case.open(directory), records.split(","), out, actor=actor)
    shown = result.disclosure
    echo(
        f"wrote {out}: {len(shown.records)} record revision(s) of "
        f"{', '.join(shown.shown_ids)}, {result.objects} object(s), {result.seals} seal(s) "
        "with their signatures and time-stamps"
    )
    echo(
        f"withheld: {shown.withheld_records} record(s) ({shown.withheld_revisions} "
        f"revision(s)), {shown.withheld_events} custody event(s)"
    )
    for note in result.notes:
        echo(f"note: {note}")
    echo(
        f"check it with: evidence verify {out} --trusted-key SIGNER.pub --tsa-ca TSA-ROOT.pem"
        f" (stock-tool commands are in {out}/README.txt)"
    )
    return 0
