"""Write ``docs/cli-reference.md``: every command and group of ``pinkit`` with its usage, help,
arguments and options, read from the click app itself (the lazy command modules are loaded).

Run it after changing a command, an option or a help text. A test compares the checked-in
page with what this script would write.

Usage: python scripts/gen_cli_reference.py [--check]
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Iterator
from typing import Any

import click
from _generated import ROOT, write_or_check  # scripts/ is first on sys.path when run

from pinkit.cli._app import cli

TARGET = ROOT / "docs" / "cli-reference.md"

HEAD = """\
# `pinkit` command reference

Every command and group of `pinkit`: its usage, help, arguments and options, generated from the
command line itself by `scripts/gen_cli_reference.py` (do not edit this page by hand; a test
fails when it is out of date). The guide, with examples and what the commands have in common
(configuration, output formats, exit codes), is [cli.md](cli.md). Every command also takes
`-h`/`--help`.
"""


def walk(
    command: click.Command, ctx: click.Context
) -> Iterator[tuple[click.Command, click.Context]]:
    """``command`` and every command under it, depth first, in the order help lists them."""
    yield command, ctx
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                yield from walk(sub, click.Context(sub, info_name=name, parent=ctx))


def cell(text: str) -> str:
    """One Markdown table cell: one line, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def help_text(text: str | None) -> list[str]:
    """click's help as Markdown: ``\\b`` paragraphs (examples, lists) stay as they are, in a
    code block; other paragraphs are joined into one line each; ``\\f`` ends the help."""
    if not text:
        return []
    text = inspect.cleandoc(text.split("\f", 1)[0])
    out: list[str] = []
    for paragraph in text.split("\n\n"):
        lines = paragraph.splitlines()
        if lines and lines[0].strip() == "\b":
            body = inspect.cleandoc("\n".join(lines[1:]))
            out += ["```text", *body.splitlines(), "```", ""]
        elif paragraph.strip():
            out += [" ".join(paragraph.split()), ""]
    return out


def value_of(param: click.Parameter, ctx: click.Context) -> str:
    """What the option takes: ``flag``, its metavar, its choices, or its range."""
    if isinstance(param, click.Option) and param.is_flag:
        return "flag"
    if param.metavar:
        return param.metavar
    kind = param.type
    if isinstance(kind, click.Choice):
        return "|".join(str(c) for c in kind.choices)
    if isinstance(kind, (click.IntRange, click.FloatRange)):
        low = "" if kind.min is None else kind.min
        high = "" if kind.max is None else kind.max
        return f"{kind.name.split()[0].upper()} {low}..{high}"
    return str(kind.get_metavar(param, ctx) or kind.name.upper())


def default_of(param: click.Parameter) -> str:
    default = param.to_info_dict()["default"]  # click's "no default" sentinel is None here
    if callable(default) or default is None or default is False or default in ((), []):
        return ""
    if isinstance(param, click.Option) and param.is_flag and default is True:
        return "on"
    return f"`{default}`"


def envvar_of(param: click.Parameter) -> str:
    envvar = param.envvar
    names = [envvar] if isinstance(envvar, str) else list(envvar or [])
    return ", ".join(f"`{n}`" for n in names)


def option_table(params: list[click.Option], ctx: click.Context) -> list[str]:
    with_env = any(envvar_of(p) for p in params)
    rows = [
        "| option | value | default |" + (" environment |" if with_env else "") + " what |",
        "|---|---|---|" + ("---|" if with_env else "") + "---|",
    ]
    for param in params:
        names = ", ".join(f"`{n}`" for n in [*param.opts, *param.secondary_opts])
        what = param.help or ""
        if param.required:
            what = f"**required.** {what}"
        if param.multiple:
            what = f"{what} (repeatable)"
        value = cell(value_of(param, ctx))
        env = f" {envvar_of(param)} |" if with_env else ""
        rows.append(f"| {names} | {value} | {default_of(param)} |{env} {cell(what)} |")
    return [*rows, ""]


def argument_list(params: list[click.Argument], ctx: click.Context) -> list[str]:
    out = []
    for param in params:
        name = param.make_metavar(ctx)
        needed = "required" if param.required else "optional"
        many = ", one or more" if param.nargs == -1 else ""
        out.append(f"- `{name}` ({needed}{many})")
    return [*out, ""]


def anchor(path: str) -> str:
    return path.replace(" ", "-")


def section(command: click.Command, ctx: click.Context) -> list[str]:
    path = ctx.command_path
    usage = " ".join([path, *command.collect_usage_pieces(ctx)])
    out = [f"## `{path}`", "", "```text", f"Usage: {usage}", "```", ""]
    out += help_text(command.help)
    helps = set(ctx.help_option_names)
    visible = [
        p
        for p in command.get_params(ctx)
        if not getattr(p, "hidden", False) and not helps & set(p.opts)
    ]
    arguments = [p for p in visible if isinstance(p, click.Argument)]
    options = [p for p in visible if isinstance(p, click.Option)]
    if arguments:
        out += ["Arguments:", "", *argument_list(arguments, ctx)]
    if options:
        title = "Global options" if ctx.parent is None else "Options"
        out += [f"{title}:", "", *option_table(options, ctx)]
    if ctx.parent is None:
        out += [
            "The global options are also accepted after the command "
            "(`pinkit boards list --format json`); the last one given wins.",
            "",
        ]
    if isinstance(command, click.Group):
        out += ["| command | what |", "|---|---|"]
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is None or sub.hidden:
                continue
            link = f"[`{name}`](#{anchor(f'{path} {name}')})"
            out.append(f"| {link} | {cell(sub.get_short_help_str(limit=200))} |")
        out.append("")
    if command.epilog:
        out += help_text(command.epilog)
    return out


def render() -> str:
    root = click.Context(cli, info_name="pinkit")
    lines: list[Any] = [HEAD]
    for command, ctx in walk(cli, root):
        lines += section(command, ctx)
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str]) -> int:
    return write_or_check({TARGET: render()}, argv, "scripts/gen_cli_reference.py")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
