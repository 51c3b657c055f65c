"""The ``evidence`` command group and the one place errors become exit codes."""

from __future__ import annotations

import errno
import importlib
import os
import sys
import traceback
from collections.abc import Sequence

import click

from evidence import __version__
from evidence._text import visible
from evidence.errors import EXIT_CANNOT_RUN, EXIT_INTERRUPTED, EvidenceError

__all__ = ["cli", "main"]

_CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


# Which module defines each command. A command's module (and the libraries it needs:
# cryptography, reportlab, http …) is imported only when that command runs, so that
# `evidence add` of a large file does not pay for the start-up of every other command.
_COMMANDS: dict[str, str] = {
    **dict.fromkeys(("init", "add", "check", "seal", "verify", "demo"), "evidence.cli.core"),
    "capture": "evidence.cli.capture",
    **dict.fromkeys(("suggest", "corroborate"), "evidence.cli.claims"),
    **dict.fromkeys(
        ("keygen", "stamp", "proof", "verify-proof", "disclose"), "evidence.cli.integrity"
    ),
    **dict.fromkeys(("export", "import"), "evidence.cli.package"),
    "render": "evidence.cli.render",
    "serve": "evidence.cli.serve",
}


class _LazyGroup(click.Group):
    """A group whose commands are imported when they are first needed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(_COMMANDS))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in _COMMANDS:
            importlib.import_module(_COMMANDS[cmd_name])
        return super().get_command(ctx, cmd_name)


@click.group(cls=_LazyGroup, context_settings=_CONTEXT)
@click.version_option(__version__, prog_name="evidence")
@click.option("--verbose", is_flag=True, help="Show the Python traceback of an error.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """Hashed, timestamped, sealed evidence records from articles and web captures.

    Exit codes: 0 all good; 1 the evidence has findings; 2 the command could not run
    (nothing was written); 3 done in part (a seal written but not time-stamped: run
    `evidence stamp` later); 130 interrupted (nothing half-written). With --json, an
    error is also printed on stdout as {"ok": false, "error": {...}}.
    """
    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose


_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def _said_disk_full(exc: BaseException) -> bool:
    """Say "disk full: … nothing was written" (and its JSON form) when that is the cause."""
    full = _disk_full(exc)
    if full is None:
        return False
    click.echo(f"evidence: {full}", err=True)
    _failed("disk-full", full)
    return True


def _disk_full(exc: BaseException) -> str | None:
    """The one line for a write that found no space (the error or its cause), else None.

    Every writer removes its temporary files and cuts the custody log back on failure,
    so the line can say that nothing was written.
    """
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno in _FULL:
            where = f" writing {seen.filename}" if seen.filename else ""
            reason = os.strerror(seen.errno or errno.ENOSPC)
            return f"disk full{where}: {reason}; nothing was written"
        seen = seen.__cause__ or seen.__context__
    # An error that crossed a process boundary (a pool worker) has lost its cause.
    text = os.strerror(errno.ENOSPC)
    if isinstance(exc, EvidenceError) and text in exc.message:
        return f"disk full: {text}; nothing was written"
    return None


_INTERRUPTED = "interrupted; nothing half-written was left behind"


def _json_error(
    kind: str, message: str, exc: BaseException | None = None, code: int = EXIT_CANNOT_RUN
) -> str:
    """The error as the JSON object a script reads on stdout with ``--json``."""
    error: dict[str, object] = {"type": kind, "message": message, "exit_code": code}
    if isinstance(exc, EvidenceError):
        error.update(
            {
                "message": exc.message,
                "text": str(exc),
                "path": exc.path,
                "line": exc.line,
                "pointer": exc.pointer,
                "hint": exc.diagnostics() or None,
            }
        )
    from evidence.cli._output import json_text

    return json_text({"ok": False, "error": error})


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (never raises, never exits)."""
    args = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in args
    _LAST_ERROR.clear()
    from evidence.cli._output import configure_logging  # logging is the CLI's to set

    configure_logging()
    code = _run(args)
    if as_json and _LAST_ERROR:
        kind, message, exc = _LAST_ERROR.pop()
        click.echo(_json_error(kind, message, exc, code))
    _LAST_ERROR.clear()
    return code


_LAST_ERROR: list[tuple[str, str, BaseException | None]] = []


def _failed(kind: str, message: str, exc: BaseException | None = None) -> None:
    """Note the error of this run, for ``--json``."""
    _LAST_ERROR.append((kind, message, exc))


def _check_arguments(args: list[str]) -> None:
    """Refuse a control or bidirectional character in any argument, naming the option."""
    from evidence._text import check_cli_argument

    for index, arg in enumerate(args):
        if arg.startswith("--") and "=" in arg:
            option, _, value = arg.partition("=")
        elif index and args[index - 1].startswith("-") and not arg.startswith("-"):
            option, value = args[index - 1], arg
        else:
            option, value = f"argument {index + 1}", arg
        check_cli_argument(option, value)


def _run(args: list[str]) -> int:
    verbose = "--verbose" in args
    try:
        _check_arguments(args)
        result = cli.main(args=args, prog_name="evidence", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        return EXIT_CANNOT_RUN
    except click.ClickException as exc:
        exc.show()
        _failed("usage", exc.format_message(), exc)
        return EXIT_CANNOT_RUN
    except click.exceptions.Abort as exc:
        # click turns Ctrl-C (KeyboardInterrupt) into Abort; every writer removes its
        # temporary files on the way out, so nothing half-written is left.
        if isinstance(exc.__context__ or exc.__cause__, KeyboardInterrupt):
            click.echo(f"evidence: {_INTERRUPTED}", err=True)
            _failed("interrupted", _INTERRUPTED)
            return EXIT_INTERRUPTED
        click.echo("evidence: aborted", err=True)
        _failed("aborted", "aborted")
        return EXIT_CANNOT_RUN
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except EvidenceError as exc:
        if verbose:
            traceback.print_exc()
        if _said_disk_full(exc):
            return EXIT_CANNOT_RUN
        click.echo(f"evidence: {visible(str(exc))}", err=True)
        _failed(type(exc).__name__, str(exc), exc)
        detail = exc.diagnostics()
        if detail:
            click.echo(f"  {detail}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo(f"evidence: {_INTERRUPTED}", err=True)
        _failed("interrupted", _INTERRUPTED)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0
    except OSError as exc:
        if verbose:
            traceback.print_exc()
        if _said_disk_full(exc):
            return EXIT_CANNOT_RUN
        where = f"{exc.filename}: " if exc.filename else ""
        click.echo(f"evidence: {where}{exc.strerror or exc}", err=True)
        _failed("os-error", f"{where}{exc.strerror or exc}")
        return EXIT_CANNOT_RUN
    except Exception as exc:
        if verbose:
            traceback.print_exc()
        click.echo(f"evidence: internal error: {type(exc).__name__}: {exc}", err=True)
        click.echo("  Please report this; run again with --verbose for the traceback.", err=True)
        _failed("internal", f"{type(exc).__name__}: {exc}")
        return EXIT_CANNOT_RUN
    return int(result or 0)
