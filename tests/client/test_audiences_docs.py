"""The Python examples of docs/audiences.md run, in order, as written, and print what their
comments say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "audiences.md"


def test_the_examples_in_docs_audiences_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the examples' ledger file
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) >= 5
    namespace: dict[str, object] = {"__name__": "docs_audiences"}
    try:
        for block in blocks:
            exec(compile(block, str(DOC), "exec"), namespace)
    finally:
        emulator = namespace.get("emu")
        if emulator is not None:
            emulator.close()  # type: ignore[attr-defined]
    printed = capsys.readouterr().out.splitlines()
    said = [
        comment.split(":")[0].strip()
        for block in blocks
        for line in block.splitlines()
        if line.lstrip().startswith("print(") and "#" in line
        for comment in [line.split("#", 1)[1]]
    ]
    assert len(printed) == len(said)
    for shown, comment in zip(printed, said, strict=True):
        expected = comment.split(", or ")[0].removesuffix(" ...")
        assert shown.startswith(expected), (shown, comment)
    assert (tmp_path / "customers.ledger").is_file()
