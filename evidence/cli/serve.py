"""``evidence serve``: review a case in the browser (needs the ``serve`` extra)."""

from __future__ import annotations

import webbrowser
from pathlib import Path

import click

from evidence.cli._app import cli
from evidence.cli._options import tsa_ca_option
from evidence.cli._output import echo
from evidence.errors import UsageError

__all__ = ["serve"]


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="Port on 127.0.0.1 (0: any free port).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to bind; anything but a loopback address exposes the case.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the browser.")
@click.option(
    "--key",
    "key_file",
    type=click.Path(path_type=Path),
    help="Ed25519 private key that the Seal button signs with (never uploaded).",
)
@click.option(
    "--passphrase-env", metavar="VAR", help="Environment variable that holds the key's passphrase."
)
@click.option(
    "--tsa",
    "tsa_urls",
    multiple=True,
    metavar="URL",
    help="RFC 3161 time-stamping authority the Seal button asks (repeatable).",
)
@tsa_ca_option(
    "Root CA certificate(s) (PEM) of the time-stamping authority: the Seal button's "
    "tokens must chain to one, which is stored beside the seal; the Verify button "
    "requires it."
)
@click.option(
    "--trusted-key",
    "trusted_keys",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Public key the Verify button trusts seal signatures from (repeatable).",
)
@click.option(
    "--actor", help="Who acts, for the custody log (default: EVIDENCE_ACTOR or the OS user)."
)
def serve(
    directory: Path,
    port: int,
    host: str,
    open_browser: bool,
    key_file: Path | None,
    passphrase_env: str | None,
    tsa_urls: tuple[str, ...],
    tsa_ca: Path | None,
    trusted_keys: tuple[Path, ...],
    actor: str | None,
) -> int:
    """Serve a case as a local web page: read sources with their claims highlighted,
    make claims from selections, review suggestions, seal, verify and render.

    Prints the address with a random token; every request must carry it. Edits are
    written to claims/*.yaml and case.yaml, checked as `evidence check` does. Stop with
    Ctrl-C.
    """
    try:
        from evidence.serve import ServeConfig, new_token
        from evidence.serve.server import Server, bind
    except ImportError as exc:
        raise UsageError(
            f"the serve extra is not installed ({exc.name} is missing)",
            hint='Install it with: pip install "evidence[serve]"',
        ) from exc
    from evidence.case import Case
    from evidence.integrity.sign import load_trusted_keys

    Case.open(directory)  # a folder that is not a case stops here, exit 2
    key = None
    if key_file is not None:
        from evidence.cli.integrity import load_signing_key

        key = load_signing_key(key_file, passphrase_env)
    elif passphrase_env:
        raise UsageError("--passphrase-env is for --key: give the key to sign with")
    load_trusted_keys(trusted_keys)
    if tsa_ca is not None:
        from evidence.integrity.timestamp import load_certificates

        load_certificates(tsa_ca, what="--tsa-ca file")  # an unusable file stops here, exit 2
    try:
        sock = bind(host, port)
    except OSError as exc:
        raise UsageError(
            f"cannot listen on {host}:{port}: {exc.strerror}",
            hint="Give another --port, or --port 0 for any free one.",
        ) from exc
    config = ServeConfig(
        directory,
        token=new_token(),
        port=sock.getsockname()[1],
        host=host,
        key=key,
        tsa_urls=tsa_urls,
        tsa_ca=tsa_ca,
        trusted_keys=trusted_keys,
        actor=actor,
    )
    server = Server(config, sock)
    echo(f"serving {directory} at {server.base}/")
    echo(f"open: {server.url()}")
    echo("stop with Ctrl-C")
    if open_browser:
        webbrowser.open(server.url())
    server.run()
    return 0
