"""The Python examples of docs/ads.md run, in order, as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "ads.md"


def test_the_examples_in_docs_ads_run(capsys: pytest.CaptureFixture[str]) -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) >= 8
    namespace: dict[str, object] = {"__name__": "docs_ads"}
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), namespace)
    shown = capsys.readouterr().out
    assert "BatchResult(98 succeeded, 2 failed)" in shown
    assert "[30, 30, 30, 9]" in shown and "USD 20.00" in shown
    assert "ad ['ARCHIVED', 'ARCHIVED']" in shown and "USD 12.50" in shown
