"""Commands for archival packages: export (BagIt folder or zip) and import."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import click

from evidence.case import Case
from evidence.cli._app import cli
from evidence.cli._options import trust_options
from evidence.cli._output import echo, print_report, progress
from evidence.errors import EXIT_FINDINGS, CaseError, VerificationFailed

__all__ = ["export", "import_"]


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--bagit",
    "out",
    required=True,
    type=click.Path(path_type=Path),
    help="The package to write: a new folder, or with --zip a new .zip file.",
)
@click.option(
    "--zip",
    "as_zip",
    is_flag=True,
    help="Write one deterministic zip of the bag instead of a folder.",
)
@click.option(
    "--force",
    is_flag=True,
    help="With --zip: replace the zip file if it exists (a folder never is).",
)
@click.option("--actor", help="Who exports (default: EVIDENCE_ACTOR or the OS user).")
def export(directory: Path, out: Path, as_zip: bool, force: bool, actor: str | None) -> int:
    """Write the case as a BagIt package (RFC 8493) and log an `exported` event."""
    from evidence._fs import new_output_path, replaced_output
    from evidence.export import export_case

    new_output_path(out, force=force and as_zip, what="package", replaceable=as_zip)
    case = Case.open(directory)
    with progress("exporting") as bar, replaced_output(out) as target:
        result = export_case(case, target, as_zip=as_zip, actor=actor, progress=bar)
    echo(
        f"exported case {result.case_id} to {out}: {result.files} files, "
        f"{result.octets} bytes (Payload-Oxum {result.oxum})"
    )
    if result.seal is not None:
        echo(f"seal {result.seal.sequence:04d} root {result.seal.root}")
    echo(f"custody head {result.custody.seq} {result.custody.sha256}")
    for dossier in result.dossiers:
        echo(f"dossier {dossier}")
    if result.seal is None or result.unsealed:
        what = (
            "the case has no seal"
            if result.seal is None
            else (f"{result.unsealed} record revision(s) are not covered by the latest seal")
        )
        echo(f"note: {what}; run `evidence seal` first for a fully sealed package", err=True)
    if result.zip_sha256 is not None:
        echo(f"{result.zip_sha256}  {result.path.name}")
    return 0


@cli.command("import")
@click.argument("package", type=click.Path(path_type=Path))
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the verification report as JSON.")
@trust_options(requirements=False)
@click.option("--actor", help="Who imports (default: EVIDENCE_ACTOR or the OS user).")
def import_(
    package: Path,
    directory: Path,
    as_json: bool,
    trusted_keys: tuple[Path, ...],
    tsa_ca: Path | None,
    actor: str | None,
) -> int:
    """Restore a case from a BagIt package (folder or zip), only once it verifies."""
    from evidence.export import import_package
    from evidence.integrity.sign import load_trusted_keys
    from evidence.integrity.timestamp import load_certificates
    from evidence.verify import VerifyOptions

    load_trusted_keys(trusted_keys)  # an unusable key or CA file stops here, exit 2
    if tsa_ca is not None:
        load_certificates(tsa_ca, what="--tsa-ca file")
    options = VerifyOptions(trusted_keys=trusted_keys, tsa_ca=tsa_ca)
    try:
        with progress("verifying") as bar:
            result = import_package(package, directory, options=options, actor=actor, progress=bar)
    except VerificationFailed as exc:
        full = os.strerror(errno.ENOSPC)
        if any(full in f.message for f in exc.report.problems()):
            # The copy to verify ran out of space: no verdict on the package was reached.
            raise CaseError(
                f"disk full: {full} while copying {package} to check it; nothing was written"
            ) from exc
        print_report(exc.report, as_json=as_json, title=f"import {package}")
        echo("nothing was imported: the package does not verify", err=True)
        return EXIT_FINDINGS
    print_report(result.report, as_json=as_json, title=f"verify {package}")
    if not as_json:
        echo(
            f"restored case {result.case_id} in {result.case_dir} (custody head "
            f"{result.custody.seq}, now followed by a `verified` event)"
        )
    return 0
