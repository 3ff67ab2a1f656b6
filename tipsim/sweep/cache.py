"""A per-user folder for sweep results that the kit reuses (a panel's load sweeps).

A sweep's files are keyed by their inputs, not by the kit's code (see
:mod:`tipsim.sweep.store`), so a folder reused across sessions must change when the code or
the data change: :func:`cache_folder` names it with a fingerprint of the kit's source files
and data tables. After an upgrade or an edit of a model, the next sweep computes afresh in
a new folder; the same settings in the same code are read back from the files (resume).

Where: ``$TIPSIM_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/tipsim`` (``~/.cache/tipsim``),
the XDG Base Directory convention for non-essential, re-creatable data
(https://specifications.freedesktop.org/basedir-spec/latest/). Deleting it is always safe.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

import tipsim
from tipsim.data import data_dir


def cache_root() -> Path:
    """``$TIPSIM_CACHE_DIR``, else ``$XDG_CACHE_HOME/tipsim``, else ``~/.cache/tipsim``."""
    own = os.environ.get("TIPSIM_CACHE_DIR")
    if own:
        return Path(own)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "tipsim"


@functools.lru_cache(maxsize=4)
def _fingerprint(package: Path, data: Path) -> str:
    digest = hashlib.sha256()
    for base, paths in ((package, package.rglob("*.py")), (data, data.glob("*"))):
        for path in sorted(p for p in paths if p.is_file()):
            digest.update(f"{base.name}/{path.relative_to(base)}\n".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def code_fingerprint() -> str:
    """12 hex digits over the kit's Python sources and its data tables (prices)."""
    return _fingerprint(Path(tipsim.__file__).parent, data_dir())


def cache_folder(label: str) -> Path:
    """``<cache root>/sweeps/<label>-<code fingerprint>`` (not created here)."""
    return cache_root() / "sweeps" / f"{label}-{code_fingerprint()}"
