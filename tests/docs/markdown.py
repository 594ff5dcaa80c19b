"""The code examples of the docs: every fenced block of README.md and docs/*.md, with the
``<!-- example: ... -->`` directive written just before it.

A directive is one HTML comment on the line (or lines) right before the opening fence, so it
never shows on the rendered page:

* ``<!-- example: skip REASON -->``: not run (a signature, an excerpt of pinkit's own source,
  another library's code shown for comparison). The reason is required.
* ``<!-- example: continues -->``: runs after the previous runnable block of the same file, in
  its namespace, working directory and emulator state (a page that tells one story).
* ``<!-- example: needs=board,pin -->``: fixtures made before the block runs (see
  ``tests/docs/fixtures.py``: each adds names to the block's namespace and, for shell blocks,
  environment variables such as ``$BOARD_ID``).
* ``<!-- example: pytest -->``: the block is a test module (a user's tests with pinkit's pytest
  plugin); it runs in an inner pytest session, where every test must pass.

Directives combine: ``<!-- example: continues needs=consent -->``. Shell blocks run their
``pinkit`` commands; a shell block without any (``make``, ``pip install``) is not an example of
pinkit and is skipped, saying so.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: The info strings of the blocks that are examples: Python, and shell sessions.
PYTHON = frozenset({"python", "py", "pycon"})
SHELL = frozenset({"sh", "bash", "console", "shell"})

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
DIRECTIVE = re.compile(r"<!--\s*example:(?P<body>.*?)-->", re.S)


class DirectiveError(ValueError):
    """A directive the runner does not understand: the docs test fails on it."""


@dataclass(frozen=True)
class Directive:
    skip: str | None = None
    continues: bool = False
    needs: tuple[str, ...] = ()
    pytest: bool = False
    elsewhere: str | None = None  # run by a test of its own, which finds it by this name


@dataclass(frozen=True)
class Example:
    path: Path
    line: int  # of the opening fence, 1-based
    lang: str
    code: str
    directive: Directive = field(default_factory=Directive)

    @property
    def id(self) -> str:
        path = self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path
        return f"{path.as_posix()}:{self.line}"

    @property
    def kind(self) -> str:
        return "python" if self.lang in PYTHON else "shell"

    @property
    def skip(self) -> str | None:
        """Why the block is not run (None: it runs)."""
        if self.directive.skip is not None:
            return self.directive.skip
        if self.directive.elsewhere is not None:
            return f"run by a test of its own, as {self.directive.elsewhere!r}"
        if self.kind == "shell" and not any(c[0] == "pinkit" for c in shell_commands(self)):
            return "a shell block without pinkit commands"
        return None


def parse_directive(body: str) -> Directive:
    words = body.split()
    if words and words[0] == "skip":
        reason = " ".join(words[1:])
        if not reason:
            raise DirectiveError("`example: skip` needs a reason")
        return Directive(skip=reason)
    if words and words[0].startswith("elsewhere="):
        return Directive(elsewhere=words[0][len("elsewhere=") :])
    continues = pytest = False
    needs: tuple[str, ...] = ()
    for word in words:
        if word == "continues":
            continues = True
        elif word == "pytest":
            pytest = True
        elif word.startswith("needs="):
            needs = tuple(n for n in word[len("needs=") :].split(",") if n)
        else:
            raise DirectiveError(f"unknown word in an example directive: {word!r}")
    return Directive(continues=continues, needs=needs, pytest=pytest)


def _directive_before(lines: list[str], index: int) -> Directive:
    """The directive ending on the last non-blank line before ``lines[index]``, if any."""
    end = index - 1
    while end >= 0 and not lines[end].strip():
        end -= 1
    if end < 0 or not lines[end].rstrip().endswith("-->"):
        return Directive()
    start = end
    while start > 0 and "<!--" not in lines[start]:
        start -= 1
    match = DIRECTIVE.search("\n".join(lines[start : end + 1]))
    return parse_directive(match["body"]) if match else Directive()


def examples_in(path: Path) -> list[Example]:
    """The Python and shell blocks of one Markdown file, in order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Example] = []
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if opening is None:
            i += 1
            continue
        indent, fence = opening["indent"], opening["fence"]
        lang = opening["info"].strip().split(" ")[0].lower()
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not lines[j].strip().startswith(fence):
            text = lines[j]
            body.append(text[len(indent) :] if text.startswith(indent) else text.lstrip())
            j += 1
        if lang in PYTHON or lang in SHELL:
            code = "\n".join(body) + "\n"
            found.append(Example(path, i + 1, lang, code, _directive_before(lines, i)))
        i = j + 1
    return found


def doc_files() -> list[Path]:
    """README.md and every page under docs/ (pages added later are picked up)."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def all_examples() -> list[Example]:
    return [example for path in doc_files() for example in examples_in(path)]


# -- shell blocks --------------------------------------------------------------------------------
def shell_commands(example: Example) -> list[list[str]]:
    """The commands of a shell block as argument lists: ``$ `` prompts and comments removed,
    backslash continuations joined; in a ``console`` block, lines without a prompt are output."""
    commands: list[list[str]] = []
    pending = ""
    for raw in example.code.splitlines():
        line = raw.rstrip()
        if example.lang == "console" and not pending:
            if not line.startswith("$ "):
                continue  # output shown in the transcript
            line = line[2:]
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        words = shlex.split(line, comments=True)
        if words:
            commands.append(words)
    return commands
