"""Write the generated parts of the docs: the emulator's controls table in docs/emulator.md.

The table comes from the controls' declarations (``pinkit.emulator._controls``), between the
``<!-- controls:begin -->`` and ``<!-- controls:end -->`` markers. A test runs ``--check``.

Usage: python scripts/gen_docs.py [--check]
"""

from __future__ import annotations

import sys
from pathlib import Path

from pinkit.emulator._controls import controls_markdown
from pinkit.emulator._core_controls import CORE_CONTROLS
from pinkit.emulator._registry import Registry
from pinkit.emulator.areas import AREAS

ROOT = Path(__file__).resolve().parent.parent
EMULATOR_DOC = ROOT / "docs" / "emulator.md"
BEGIN, END = "<!-- controls:begin -->", "<!-- controls:end -->"


def controls_table() -> str:
    return controls_markdown([*CORE_CONTROLS, *Registry(AREAS).controls])


def render(text: str) -> str:
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{controls_table()}{END}{tail}"


def main(argv: list[str]) -> int:
    current = EMULATOR_DOC.read_text(encoding="utf-8")
    wanted = render(current)
    if "--check" in argv:
        if current != wanted:
            print("docs/emulator.md is out of date; run scripts/gen_docs.py", file=sys.stderr)
            return 1
        return 0
    EMULATOR_DOC.write_text(wanted, encoding="utf-8")
    print(f"wrote {EMULATOR_DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
