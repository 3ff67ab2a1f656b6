"""Access to the files in ``data/``: price tables, presets, machine images.

Notebooks and modules read data through these helpers, never through a
relative ``../data`` path, so they work from any working directory.
``TIPSIM_DATA_DIR`` overrides the location (a learner's edited copy).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tipsim.errors import TipsimError


def data_dir() -> Path:
    """The folder that holds the kit's data files."""
    override = os.environ.get("TIPSIM_DATA_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[1] / "data"


def data_path(name: str) -> Path:
    """Path of one data file, checked to exist.

    Raises
    ------
    TipsimError
        If the file is missing, naming where it was looked for.
    """
    path = data_dir() / name
    if not path.exists():
        raise TipsimError(f"data file {name!r} not found in {data_dir()} (set TIPSIM_DATA_DIR?)")
    return path


def load_json(name: str) -> Any:
    """Read a JSON data file."""
    with data_path(name).open(encoding="utf-8") as fh:
        return json.load(fh)
