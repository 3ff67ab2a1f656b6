"""Information lines for people: where they go so that they read as information.

A line such as "tipsim: using embedded moto ..." is information, not an error. In a
terminal it goes to stderr, so that a command's stdout stays machine-readable (``tipsim
run ... --json``). In a notebook, JupyterLab shows stderr in a red box that reads as an
error (and Voila hides stderr altogether), so there it goes to stdout and shows as normal
output.
"""

from __future__ import annotations

import sys
from typing import TextIO


def in_notebook() -> bool:
    """True inside a Jupyter kernel (stdout is ipykernel's stream to the notebook)."""
    return type(sys.stdout).__module__.startswith("ipykernel")


def info_stream() -> TextIO:
    """Where an information line goes: stdout in a notebook, stderr elsewhere."""
    return sys.stdout if in_notebook() else sys.stderr


def info(line: str) -> None:
    """Print one information line where it reads as information (see the module)."""
    print(line, file=info_stream(), flush=True)
