"""``pinkit completion bash|zsh|fish``: the shell completion script (click's)."""

from __future__ import annotations

import click

from ._options import global_options

__all__ = ["completion"]

SHELLS = ("bash", "zsh", "fish")


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("shell", type=click.Choice(SHELLS))
@global_options()
@click.pass_context
def completion(ctx: click.Context, shell: str) -> None:
    """Print the shell completion script for bash, zsh or fish.

    \b
    Install it (then open a new shell):
      bash  pinkit completion bash > ~/.local/share/bash-completion/completions/pinkit
      zsh   pinkit completion zsh > "${fpath[1]}/_pinkit"
      fish  pinkit completion fish > ~/.config/fish/completions/pinkit.fish
    Or load it in the shell's startup file: eval "$(pinkit completion bash)" in ~/.bashrc,
    eval "$(pinkit completion zsh)" in ~/.zshrc, pinkit completion fish | source in
    ~/.config/fish/config.fish.
    """
    from click.shell_completion import get_completion_class

    complete = get_completion_class(shell)
    assert complete is not None  # one of SHELLS
    root = ctx.find_root().command
    script = complete(root, {}, "pinkit", "_PINKIT_COMPLETE").source()
    click.echo(script, nl=False)
