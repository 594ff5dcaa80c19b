"""The root ``pinkit`` group, the global options, and the one place errors become exit codes.

Exit codes: 0 success; 1 the API (or the network, or a login) failed; 2 bad input (usage
errors, bad ``-p``, invalid JSON, ``InvalidInputError``, a missing extra); 130 interrupted.
Errors are one line on stderr, never a traceback (unless ``--verbose``) and never a secret.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence
from typing import Any

import click

from .._redact import redact_text
from ..errors import InvalidInputError, PinterestError
from ._config import Settings
from ._options import global_options

__all__ = ["cli", "main", "run"]

CONTEXT_SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT_SETTINGS)
@global_options(hidden=False)
@click.version_option(package_name="pinkit", prog_name="pinkit", message="%(prog)s %(version)s")
def cli() -> None:
    """pinkit: the Pinterest API v5 from the command line.

    \b
    Examples:
      pinkit auth login                     log in through the browser
      pinkit api GET /user_account          call any API operation
      pinkit api GET /user_account/followers --paginate --format ndjson
      pinkit --emulator api GET /user_account   try it against the local emulator

    Global options work before or after the command. Profiles live in config.toml under
    $PINKIT_CONFIG_DIR (default: the platform config dir); environment variables
    (PINTEREST_ACCESS_TOKEN, PINTEREST_API_URI, PINTEREST_CLIENT_ID, PINTEREST_CLIENT_SECRET,
    PINTEREST_AD_ACCOUNT_ID) win over the file.
    """


def _register() -> None:
    from . import analytics, api, auth, boards, demo, emulator, media, pins, reports

    cli.add_command(auth.auth)
    cli.add_command(api.api)
    cli.add_command(boards.boards)
    cli.add_command(pins.pins)
    cli.add_command(media.media)
    cli.add_command(analytics.analytics)
    cli.add_command(reports.reports)
    cli.add_command(emulator.emulator)
    cli.add_command(demo.demo)


_register()


def _one_line(text: str) -> str:
    return " ".join(redact_text(str(text)).split())


def _usage_message(exc: click.ClickException) -> str:
    message = _one_line(exc.format_message())
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and ctx is not None:
        message += f" (see '{ctx.command_path} --help')"
    return message


def run(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    """Run the CLI and return the exit code (what ``main`` exits with)."""
    settings = settings if settings is not None else Settings()

    def verbose() -> bool:
        return settings.verbose or os.environ.get("PINKIT_LOG", "").lower() == "debug"

    def fail(message: str, code: int) -> int:
        if verbose() and sys.exc_info()[0] is not None:
            traceback.print_exc()
        click.echo(f"error: {message}", err=True)
        return code

    try:
        result = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="pinkit",
            standalone_mode=False,
            obj=settings,
        )
        return result if isinstance(result, int) else 0
    except click.exceptions.Abort:
        click.echo("", err=True)
        return 130
    except KeyboardInterrupt:
        click.echo("", err=True)
        return 130
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        return fail(_usage_message(exc), exc.exit_code)
    except InvalidInputError as exc:
        return fail(_one_line(str(exc)), 2)
    except PinterestError as exc:
        return fail(_one_line(str(exc)), 1)
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, and keep Python from complaining
        # when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except OSError as exc:
        return fail(_one_line(f"{type(exc).__name__}: {exc}"), 1)
    except Exception as exc:
        hint = "" if verbose() else " (run with --verbose for a traceback)"
        return fail(_one_line(f"internal error: {type(exc).__name__}: {exc}") + hint, 1)


def main() -> None:
    """Console-script entry point."""
    sys.exit(run())
