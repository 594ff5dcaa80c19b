"""What every generator in scripts/ does with its output: ``--check`` says which files are out
of date (exit 1) and writes nothing; otherwise it writes the files whose text changed."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def write_or_check(files: Mapping[Path, str], argv: Sequence[str], script: str) -> int:
    """``files``: each generated path and its wanted text; ``script``: what to run to fix it."""
    stale = [p for p, text in files.items() if not p.is_file() or p.read_text("utf-8") != text]
    if "--check" in argv:
        for path in stale:
            print(f"{path.relative_to(ROOT)} is out of date; run {script}", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.write_text(files[path], encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0
