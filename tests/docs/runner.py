"""Run the docs' examples as their readers would: with real credentials in ``PINTEREST_*``.

Here the credentials are the emulator's: one served on loopback for the whole session, reset
for each example, with a fresh all-scopes token, the default app, its ad account and
``PINTEREST_API_URI`` pointing at it. Each example runs in a directory of its own; Python
blocks with ``exec`` (top-level ``await`` allowed), shell blocks through the CLI's ``run()``
in-process, blocks marked ``pytest`` as a test file in an inner pytest run.

A block marked ``continues`` runs in the world the previous block of its page left. When the
previous block was the last one run (the usual order), that world is reused; otherwise (the
item was selected alone) the page is replayed from the start of the story.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import linecache
import os
import re
import sys
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import pinkit
from pinkit.cli import run as run_cli
from pinkit.emulator import Emulator
from tests.docs.fixtures import FIXTURES, Setup
from tests.docs.markdown import DirectiveError, Example, examples_in, shell_commands
from tests.spec import load_spec, response_problems

VARIABLE = re.compile(r"\$(\w+)|\$\{(\w+)\}")


def story(example: Example) -> list[Example]:
    """The runnable blocks ``example`` continues, from the first of its story, and itself."""
    runnable = [e for e in examples_in(example.path) if e.skip is None]
    index = next(i for i, e in enumerate(runnable) if e.line == example.line)
    start = index
    while runnable[start].directive.continues:
        if start == 0:
            raise DirectiveError(f"{example.id}: `continues`, but no runnable block before it")
        start -= 1
    return runnable[start : index + 1]


@dataclass
class World:
    """What a story has made so far: names, environment, working directory."""

    setup: Setup
    last: str = ""

    def close(self) -> None:
        """Close what the examples left open (a script would exit; a test session goes on)."""
        self.setup.close()
        for value in list(self.setup.namespace.values()):
            if isinstance(value, pinkit.AsyncClient):
                asyncio.run(value.aclose())
            elif isinstance(value, (pinkit.Client, Emulator)):
                value.close()


class Runner:
    def __init__(self, emulator: Emulator, tmp: pytest.TempPathFactory) -> None:
        self.emulator = emulator
        self.tmp = tmp
        self.world: World | None = None

    # -- worlds ---------------------------------------------------------------------------------
    def fresh(self) -> World:
        emu = self.emulator
        emu.reset()
        # Jobs on Pinterest's side finish at once: the examples' clients wait on the real clock.
        emu.configure_reports(processing_seconds=0)
        emu.configure_media(processing_seconds=0)
        emu.configure_customer_lists(match_seconds=0)
        token = emu.issue_token()
        app = emu.default_app
        cwd = self.tmp.mktemp("example")
        env = {
            "PINTEREST_API_URI": emu.base_url,
            "PINTEREST_ACCESS_TOKEN": token.access_token,
            "PINTEREST_REFRESH_TOKEN": token.refresh_token or "",
            "PINTEREST_CLIENT_ID": app.client_id,
            "PINTEREST_CLIENT_SECRET": emu.app_secret(app.client_id),
            "PINTEREST_AD_ACCOUNT_ID": emu.default_ad_account_id,
            "PINKIT_CONFIG_DIR": str(cwd / ".config"),
            "PINKIT_DATA_DIR": str(cwd / ".data"),
            "NO_COLOR": "1",
            "COLUMNS": "120",
            # `~/...` paths of the examples land in their own directory.
            "HOME": str(cwd),
            "MPLCONFIGDIR": os.environ.get("MPLCONFIGDIR", str(Path.home() / ".cache/matplotlib")),
            # `pinkit` on the PATH, as an installed pinkit is.
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
        }
        namespace: dict[str, Any] = {"__name__": "__main__"}
        return World(Setup(emu, namespace, env, cwd))

    def discard(self) -> None:
        if self.world is not None:
            self.world.close()
            self.world = None

    def run(self, example: Example, monkeypatch: pytest.MonkeyPatch, request: Any) -> None:
        if example.skip is not None:
            pytest.skip(example.skip)
        try:
            self._run(example, monkeypatch, request)
        except DirectiveError as exc:
            pytest.fail(str(exc), pytrace=False)

    def _run(self, example: Example, monkeypatch: pytest.MonkeyPatch, request: Any) -> None:
        steps = story(example)
        if len(steps) > 1 and self.world is not None and self.world.last == steps[-2].id:
            world = self.world
        else:
            self.discard()
            world = self.world = self.fresh()
            for step in steps[:-1]:
                self.step(step, world, monkeypatch, request)
        self.step(example, world, monkeypatch, request)
        if not example.directive.continues and not _continued(example):
            self.discard()

    # -- one block ------------------------------------------------------------------------------
    def step(
        self, example: Example, world: World, monkeypatch: pytest.MonkeyPatch, request: Any
    ) -> None:
        setup = world.setup
        # Made before the example's directory is entered: pytester restores the directory it
        # started from when the test ends.
        pytester = request.getfixturevalue("pytester") if example.directive.pytest else None
        with environment(monkeypatch, setup.env, setup.cwd):
            for name in example.directive.needs:
                if name not in FIXTURES:
                    raise DirectiveError(f"{example.id}: no fixture {name!r} ({sorted(FIXTURES)})")
                FIXTURES[name](setup)
        with environment(monkeypatch, setup.env, setup.cwd):
            if pytester is not None:
                run_pytest(example, pytester)
            elif example.kind == "python":
                run_python(example, setup.namespace)
            else:
                run_shell(example, setup.env)
        world.last = example.id
        self.check_responses(example)

    def check_responses(self, example: Example) -> None:
        """Every answer the example got matches the spec: the docs double as contract tests."""
        spec = load_spec()
        records = self.emulator.requests
        self.emulator.clear_requests()
        problems = [p for r in records for p in response_problems(spec, r)] if spec else []
        if problems:
            shown = "\n".join(problems)
            pytest.fail(f"{example.id}: answers that do not match the spec:\n{shown}", False)


def _continued(example: Example) -> bool:
    """Whether the next runnable block of the page continues this one."""
    runnable = [e for e in examples_in(example.path) if e.skip is None]
    after = [e for e in runnable if e.line > example.line]
    return bool(after) and after[0].directive.continues


@contextmanager
def environment(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], cwd: Path) -> Iterator[None]:
    """Only the example's ``PINTEREST_*``/``PINKIT_*`` variables, in its directory; whatever
    the example changes in ``os.environ`` is undone afterwards."""
    saved = dict(os.environ)
    try:
        with monkeypatch.context() as patch:
            for name in list(os.environ):
                if name.startswith(("PINTEREST_", "PINKIT_")) or name == "BROWSER":
                    del os.environ[name]
            os.environ.update(env)
            patch.chdir(cwd)
            yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_python(example: Example, namespace: dict[str, Any]) -> None:
    """``exec`` the block with line numbers of the Markdown file (tracebacks point at the
    doc); a block with top-level ``await`` runs in ``asyncio.run``."""
    source = "\n" * example.line + example.code
    filename = str(example.path)
    # Tracebacks show the block's Python (blank lines stand for the rest of the page).
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    code = compile(
        source, filename, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True
    )
    try:
        if code.co_flags & inspect.CO_COROUTINE:
            asyncio.run(eval(code, namespace))
        else:
            exec(code, namespace)
    except Exception as exc:
        # The traceback from the block's own frame on, without this function's.
        shown = traceback.format_exception(type(exc), exc, exc.__traceback__.tb_next)
        failure = f"{example.id} failed:\n{''.join(shown)}"
    else:
        return
    pytest.fail(failure, pytrace=False)


def _expand(word: str, env: dict[str, str], example: Example) -> str:
    def value(match: re.Match[str]) -> str:
        name = match[1] or match[2]
        if name not in env:
            raise DirectiveError(f"{example.id}: ${name} is not set (add a fixture to needs=)")
        return env[name]

    return VARIABLE.sub(value, word)


def run_shell(example: Example, env: dict[str, str]) -> None:
    """Each ``pinkit ...`` line through the CLI's ``run()``, as the console script calls it;
    any exit code but 0 fails the example."""
    for argv in shell_commands(example):
        if argv[0] != "pinkit":
            raise DirectiveError(f"{example.id}: only pinkit commands run, got {argv[0]!r}")
        if any(word in ("|", "||", "&&", ";", ">", "<") for word in argv):
            raise DirectiveError(f"{example.id}: pipes and redirections are not run: {argv}")
        args = [_expand(word, env, example) for word in argv[1:]]
        began = time.perf_counter()
        with CliRunner().isolation() as (out, err, _mixed):
            code = run_cli(args)
        shown = f"$ {' '.join(argv)}  ({time.perf_counter() - began:.2f} s)\n"
        shown += out.getvalue().decode() + err.getvalue().decode()
        print(shown)
        if code != 0:
            pytest.fail(f"{example.id}: exit code {code}:\n{shown}", pytrace=False)


def run_pytest(example: Example, pytester: pytest.Pytester) -> None:
    """The block as a user's test module, in an inner pytest session: all its tests pass."""
    module = pytester.makepyfile(test_example=example.code)
    # Not hypothesis's plugin: it imports hypothesis, which the inner run would then unload.
    plugins_off = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest")
    result = pytester.runpytest_inprocess("-q", *plugins_off, str(module))
    print(result.stdout.str())
    outcomes = result.parseoutcomes()
    assert result.ret == 0, f"{example.id}: the tests of the block failed"
    assert outcomes.get("passed", 0) > 0, f"{example.id}: the block has no test that ran"
