"""Write the generated parts of the docs, in docs/emulator.md: the emulator's controls table
and its list of implemented operations.

The table comes from the controls' declarations (``pinkit.emulator._controls``), the list from
the areas' handlers (``pinkit.emulator.areas.AREAS``); each sits between its
``<!-- NAME:begin -->`` and ``<!-- NAME:end -->`` markers. A test runs ``--check``.

Usage: python scripts/gen_docs.py [--check]
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable

from _generated import ROOT, write_or_check  # scripts/ is first on sys.path when run

from pinkit._operations import all_operations
from pinkit.emulator._controls import controls_markdown
from pinkit.emulator._core_controls import CORE_CONTROLS
from pinkit.emulator._registry import Registry
from pinkit.emulator.areas import AREAS

EMULATOR_DOC = ROOT / "docs" / "emulator.md"


def controls_table() -> str:
    return controls_markdown([*CORE_CONTROLS, *Registry(AREAS).controls])


def operations_list() -> str:
    """The operationIds each area answers, and how many of the spec's there are."""
    lines = ["| area | operations |", "|---|---|"]
    answered = 0
    for area in AREAS:
        ids = [h.operation_id for h in area.handlers]
        answered += len(ids)
        if ids:
            lines.append(f"| {area.name} | {', '.join(f'`{i}`' for i in ids)} |")
    total = len(all_operations())
    note = (
        f"{answered} of the spec's {total} operations. Every other one answers **501** "
        '`{"code": 501, ...}`, after the same routing, authentication, rate limits, scopes and '
        "parameter checks as the implemented ones."
    )
    lines += ["", textwrap.fill(note, width=96, break_on_hyphens=False)]
    return "\n".join(lines) + "\n"


SECTIONS: dict[str, Callable[[], str]] = {
    "controls": controls_table,
    "operations": operations_list,
}


def render(text: str) -> str:
    for name, make in SECTIONS.items():
        begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        text = f"{head}{begin}\n{make()}{end}{tail}"
    return text


def main(argv: list[str]) -> int:
    wanted = render(EMULATOR_DOC.read_text(encoding="utf-8"))
    return write_or_check({EMULATOR_DOC: wanted}, argv, "scripts/gen_docs.py")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
