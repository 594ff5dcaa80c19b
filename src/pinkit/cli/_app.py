"""The root ``pinkit`` group, the global options, and the one place errors become exit codes.

Exit codes (docs/cli.md lists them with examples):

* 0 success
* 1 the API, the network or a login failed (and ``pins publish`` rows that failed)
* 2 bad input: usage errors, bad ``-p``/``--data``, ``InvalidInputError``, a missing extra, a
  destructive command without ``--yes`` when stdin is not a terminal
* 4 not logged in, or the login is no longer valid (no token, a refresh token that expired or
  was revoked, a token Pinterest rejects with 401): run ``pinkit auth login``
* 130 interrupted (Ctrl-C), 143 terminated (SIGTERM), 141 the reader of stdout went away
  (``| head``)

Errors are one line on stderr, never a traceback (unless ``--verbose``) and never a secret.

Command modules are imported when they are invoked (``LazyGroup``): ``pinkit --help`` lists
them from the table below without importing any, ``pinkit boards ...`` imports only ``boards``.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

import click

from .._redact import redact_text
from ..errors import InvalidInputError, PinterestError
from ._config import Settings
from ._exits import Terminated, interrupt_code, login_hint, login_invalid, sigterm_interrupts
from ._options import global_options

__all__ = ["COMMANDS", "LazyGroup", "cli", "render_root_help", "run"]

CONTEXT_SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
COMPLETE_VAR = "_PINKIT_COMPLETE"


# -- the command modules, loaded on first use ----------------------------------------------------
def _ads() -> click.Command:
    from .ads import ads

    return ads


def _analytics() -> click.Command:
    from .analytics import analytics

    return analytics


def _api() -> click.Command:
    from .api import api

    return api


def _audiences() -> click.Command:
    from .audiences import audiences

    return audiences


def _auth() -> click.Command:
    from .auth import auth

    return auth


def _boards() -> click.Command:
    from .boards import boards

    return boards


def _completion() -> click.Command:
    from .completion import completion

    return completion


def _conversions() -> click.Command:
    from .conversions import conversions

    return conversions


def _customer_lists() -> click.Command:
    from .customer_lists import customer_lists

    return customer_lists


def _demo() -> click.Command:
    from .demo import demo

    return demo


def _emulator() -> click.Command:
    from .emulator import emulator

    return emulator


def _media() -> click.Command:
    from .media import media

    return media


def _reports() -> click.Command:
    from .reports import reports

    return reports


def _pins() -> click.Command:
    from .pins import pins

    return pins


#: name -> (the command's help, first paragraph, as ``pinkit --help`` lists it; its loader).
#: A test checks each summary against the loaded command's own help.
COMMANDS: dict[str, tuple[str, Callable[[], click.Command]]] = {
    "ads": ("Ads: ad accounts, campaigns, ad groups, ads, and promoting a pin.", _ads),
    "analytics": (
        "Analytics of your account, pins and ads: up to 90 days back (8 for HOUR).",
        _analytics,
    ),
    "api": ("Call any API operation: METHOD PATH relative to the base URL.", _api),
    "audiences": (
        "Audiences: list them, and make Actalikes (lookalikes) of customer-list audiences.",
        _audiences,
    ),
    "auth": ("Log in to Pinterest and manage the saved tokens.", _auth),
    "boards": ("Your boards: list, get, create, update, delete, and the pins on them.", _boards),
    "completion": ("Print the shell completion script for bash, zsh or fish.", _completion),
    "conversions": (
        "Conversion events: send a CSV or JSONL file (resumable), replay rejects, check a file.",
        _conversions,
    ),
    "customer-lists": (
        "Customer lists: upload e-mail addresses or device ids (hashed first), keep them in sync.",
        _customer_lists,
    ),
    "demo": (
        "Show what pinkit does, against a local emulator (no Pinterest account needed).",
        _demo,
    ),
    "emulator": ("The local Pinterest API v5 emulator.", _emulator),
    "media": ("Video uploads for video pins.", _media),
    "pins": (
        "Pins: list, get, create (image or video), update or move, delete, save, and publish "
        "many at once from a CSV file.",
        _pins,
    ),
    "reports": (
        "Async analytics reports: up to 914 days back, any length, exported to a file.",
        _reports,
    ),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported when they are invoked (or completed, or asked
    for their own help); its help lists them from ``lazy`` without importing them."""

    def __init__(
        self,
        *args: Any,
        lazy: dict[str, tuple[str, Callable[[], click.Command]]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in self.lazy:
            command = self.lazy[cmd_name][1]()
            self.add_command(command, cmd_name)
        return command

    def _listed(self, name: str) -> click.Command | None:
        """The command as the help lists it: loaded already, or a stand-in with its help."""
        loaded = self.commands.get(name)
        if loaded is not None or name not in self.lazy:
            return loaded
        return click.Command(name, help=self.lazy[name][0])

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # click's own layout, without importing a module to read a one-line summary.
        listed = [(name, self._listed(name)) for name in self.list_commands(ctx)]
        commands = [(name, cmd) for name, cmd in listed if cmd is not None and not cmd.hidden]
        if not commands:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in commands)
        rows = [(name, cmd.get_short_help_str(limit)) for name, cmd in commands]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings=CONTEXT_SETTINGS)
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


def render_root_help(width: int) -> str:
    """``pinkit --help`` as click prints it when it formats for ``width`` columns (the
    terminal's width, at most 100, minus 2): what ``_root_help`` keeps pre-rendered."""
    ctx = cli.make_context("pinkit", [], resilient_parsing=True, terminal_width=width)
    with ctx:
        return ctx.get_help() + "\n"


# -- errors --------------------------------------------------------------------------------------
def _one_line(text: str) -> str:
    return " ".join(redact_text(str(text)).split())


def _usage_message(exc: click.ClickException) -> str:
    message = _one_line(exc.format_message())
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and ctx is not None:
        message += f" (see '{ctx.command_path} --help')"
    return message


def _quiet_stdout() -> None:
    """The reader of stdout went away: point stdout at /dev/null, so the flush at exit
    does not complain."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def run(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    """Run the CLI and return the exit code (what ``main`` exits with)."""
    settings = settings if settings is not None else Settings()
    args = list(argv) if argv is not None else sys.argv[1:]

    def verbose() -> bool:
        return settings.verbose or os.environ.get("PINKIT_LOG", "").lower() == "debug"

    def fail(message: str, code: int) -> int:
        if verbose() and sys.exc_info()[0] is not None:
            import traceback

            traceback.print_exc()
        click.echo(f"error: {message}", err=True)
        return code

    instruction = os.environ.get(COMPLETE_VAR)
    if instruction:
        from click.shell_completion import shell_complete

        return shell_complete(cli, {"obj": settings}, "pinkit", COMPLETE_VAR, instruction)

    try:
        # Not ``cli.main``: it turns a broken pipe into exit 1 and interrupts into Abort.
        with sigterm_interrupts(), cli.make_context("pinkit", args, obj=settings) as ctx:
            result = cli.invoke(ctx)
        return result if isinstance(result, int) else 0
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (Terminated)
        if not isinstance(exc, Terminated):
            click.echo("", err=True)  # end the line the terminal's ^C is on
        return interrupt_code(exc)
    except click.exceptions.Abort as exc:  # an interrupted prompt
        click.echo("", err=True)
        return interrupt_code(exc.__cause__ or exc.__context__ or exc)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.format_message(), err=True)  # the help, as it is, not on one line
        return exc.exit_code
    except click.ClickException as exc:
        return fail(_usage_message(exc), exc.exit_code)
    except InvalidInputError as exc:
        return fail(_one_line(str(exc)), 2)
    except PinterestError as exc:
        if login_invalid(exc):
            return fail(f"{_one_line(str(exc))}; {login_hint(settings)}", 4)
        return fail(_one_line(str(exc)), 1)
    except BrokenPipeError:
        _quiet_stdout()  # the reader went away (``| head``): stop quietly
        return 141
    except OSError as exc:
        return fail(_one_line(f"{type(exc).__name__}: {exc}"), 1)
    except Exception as exc:
        hint = "" if verbose() else " (run with --verbose for a traceback)"
        return fail(_one_line(f"internal error: {type(exc).__name__}: {exc}") + hint, 1)
