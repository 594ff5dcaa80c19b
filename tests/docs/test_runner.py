"""The docs runner itself: blocks found as written, directives read, and a failing example
fails (a docs test that cannot fail would prove nothing)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.docs.markdown import DirectiveError, examples_in, parse_directive, shell_commands
from tests.docs.runner import Runner

PAGE = """# A page

```python
import pinkit

client = pinkit.Client()
board = client.boards.create("From the page")
```

<!-- example: continues -->
```python
assert client.boards.get(board.id).name == "From the page"
```

<!-- example: skip a signature -->
```python
client.boards.create(name, *, description=None)
```

  <!-- example: needs=pin -->
  ```sh
  pinkit pins get $PIN_ID --format json   # a comment
  pinkit boards list \\
      --format csv
  ```

```console
$ pinkit auth status
Logged in as emulator_user
```

```sh
make demo
```

```text
pinkit is not run here
```
"""


def write(tmp_path: Path, text: str) -> Path:
    page = tmp_path / "page.md"
    page.write_text(text, encoding="utf-8")
    return page


def test_blocks_and_directives_are_read_as_written(tmp_path: Path) -> None:
    examples = examples_in(write(tmp_path, PAGE))
    assert [(e.line, e.kind) for e in examples] == [
        (3, "python"), (11, "python"), (16, "python"), (21, "shell"), (27, "shell"), (32, "shell")
    ]  # fmt: skip
    first, second, signature, indented, console, make = examples
    assert second.directive.continues and not first.directive.continues
    assert signature.skip == "a signature"
    assert indented.directive.needs == ("pin",)
    assert shell_commands(indented) == [
        ["pinkit", "pins", "get", "$PIN_ID", "--format", "json"],
        ["pinkit", "boards", "list", "--format", "csv"],
    ]
    assert shell_commands(console) == [["pinkit", "auth", "status"]]
    assert make.skip == "a shell block without pinkit commands"
    assert console.skip is None


@pytest.mark.parametrize("body", ["skip", "needs", "later", "continues needs=board extra"])
def test_a_directive_the_runner_does_not_know_is_an_error(body: str) -> None:
    with pytest.raises(DirectiveError):
        parse_directive(body)


def test_the_page_runs_and_a_continued_block_alone_replays_its_story(
    tmp_path: Path, runner: Runner, monkeypatch: pytest.MonkeyPatch, request: Any
) -> None:
    examples = examples_in(write(tmp_path, PAGE))
    runner.discard()
    runner.run(examples[1], monkeypatch, request)  # alone: the first block is run first
    runner.run(examples[3], monkeypatch, request)
    runner.run(examples[4], monkeypatch, request)
    with pytest.raises(pytest.skip.Exception):
        runner.run(examples[2], monkeypatch, request)


def test_top_level_await_runs(
    tmp_path: Path, runner: Runner, monkeypatch: pytest.MonkeyPatch, request: Any
) -> None:
    page = (
        "```python\nimport pinkit\nclient = pinkit.AsyncClient()\n"
        "me = await client.user_account.get()\nawait client.aclose()\n```\n\n"
        "<!-- example: continues -->\n```python\nassert me.username == 'emulator_user'\n```\n"
    )
    for example in examples_in(write(tmp_path, page)):
        runner.run(example, monkeypatch, request)


@pytest.mark.parametrize(
    ("block", "said"),
    [
        ('```python\nimport pinkit\npinkit.Client().pins.get("123")\n```\n', "NotFoundError"),
        ("```python\nassert 1 + 1 == 3\n```\n", "AssertionError"),
        ("```python\nawait missing()\n```\n", "NameError"),
        ("```sh\npinkit pins get 123\n```\n", "exit code 1"),
        ("```sh\npinkit boards list --no-such-option\n```\n", "exit code 2"),
        ("```sh\npinkit pins get $NOT_SET\n```\n", "$NOT_SET is not set"),
        ("```sh\npinkit boards list | head\n```\n", "pipes and redirections"),
        ("<!-- example: needs=nothing -->\n```python\npass\n```\n", "no fixture 'nothing'"),
        ("<!-- example: continues -->\n```python\npass\n```\n", "no runnable block before"),
    ],
)
def test_a_failing_example_fails(
    tmp_path: Path,
    runner: Runner,
    monkeypatch: pytest.MonkeyPatch,
    request: Any,
    block: str,
    said: str,
) -> None:
    (example,) = examples_in(write(tmp_path, block))
    with pytest.raises(pytest.fail.Exception) as failed:
        runner.run(example, monkeypatch, request)
    assert said in str(failed.value)


def test_examples_leave_the_session_where_it_was(
    tmp_path: Path, runner: Runner, monkeypatch: pytest.MonkeyPatch, request: Any
) -> None:
    """No example's directory, variables or inner pytest session outlive it."""

    def ours() -> dict[str, str]:
        return {k: v for k, v in os.environ.items() if k.startswith(("PINTEREST_", "PINKIT_"))}

    before = (Path.cwd(), ours())
    page = (
        "<!-- example: pytest -->\n```python\ndef test_it(pinkit_client):\n    pass\n```\n\n"
        "```python\nimport os\nos.environ['PINKIT_X'] = '1'\nos.chdir('/')\n```\n"
    )
    for example in examples_in(write(tmp_path, page)):
        runner.run(example, monkeypatch, request)
    assert ours() == before[1]
    # pytester's own directory until this test ends; then pytester restores ``before``.
    assert Path.cwd() in (before[0], request.getfixturevalue("pytester").path)
