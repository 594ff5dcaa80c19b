"""A generator of scripts/ loaded as a module, as it runs: with scripts/ first on sys.path."""

from __future__ import annotations

import runpy
import sys
from typing import Any

from tests.spec import ROOT

SCRIPTS = ROOT / "scripts"


def load_script(name: str) -> dict[str, Any]:
    """The globals of ``scripts/<name>.py``, run under another name than ``__main__``."""
    if str(SCRIPTS) not in sys.path:
        sys.path.insert(0, str(SCRIPTS))
    return runpy.run_path(str(SCRIPTS / f"{name}.py"), run_name=f"scripts.{name}")
