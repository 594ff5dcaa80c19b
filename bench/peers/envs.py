"""One virtual environment per peer, made on first use under ``bench/peers/.venvs/`` (git-ignored).

The official SDK and python-pinterest both install a top-level package named ``pinterest``, so
they never share an environment. Each environment is remade when its requirements change.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
from pathlib import Path

__all__ = ["PEERS", "interpreter"]

HERE = Path(__file__).resolve().parent
VENVS = HERE / ".venvs"

#: environment name -> what pip installs there
PEERS: dict[str, tuple[str, ...]] = {
    "official": ("pinterest-api-sdk==0.2.7",),  # the SDK and its generated client
    "sns": ("python-pinterest==0.2.0",),
    "requests": ("requests",),
}


def interpreter(name: str) -> Path:
    """The Python of environment ``name``, made (and its packages installed) if need be."""
    folder = VENVS / name
    python = folder / "bin" / "python"
    stamp = folder / "requirements.txt"
    wanted = "\n".join(PEERS[name]) + "\n"
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    print(f"making the {name} environment ({' '.join(PEERS[name])}) ...", file=sys.stderr)
    shutil.rmtree(folder, ignore_errors=True)
    venv.EnvBuilder(with_pip=True).create(folder)
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            *PEERS[name],
        ],
        check=True,
    )
    stamp.write_text(wanted)
    return python
