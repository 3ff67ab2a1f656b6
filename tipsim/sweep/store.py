"""Where a sweep's results live: one Parquet file per configuration, written atomically.

The file of a configuration is named ``<scenario>-<hash>.parquet``, the hash (SHA-256,
first 20 hex digits) taken over the scenario's name, every parameter of the configuration
(after validation, defaults included), the sweep's seed, its number of replications, the
seed rule (common random numbers or not) and the layout version. The same configuration
in the same sweep always maps to the same file, whatever grid surrounds it; a file that
exists is complete, because it is written to a hidden temporary file in the same folder
and then renamed over its name (``os.replace``, atomic on one file system). That is what
makes a sweep resumable: a re-run computes only the configurations whose file is missing.
Results are keyed by their inputs, not by the kit's code: after changing a model, sweep
into a new folder.

Each file holds one row per replication: ``scenario``, ``config_id``, ``replication``,
``run_seed``, every parameter of the configuration, then the run's flattened metrics
(:mod:`tipsim.sweep.flatten`). A metric named like a parameter or one of those four
columns is stored as ``result.<name>`` (the canary reports its ``strategy``, for one).
The sweep's description (scenario, seed, replications, parameters) is in the file's
Parquet metadata under ``tipsim.sweep``.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tipsim.errors import SweepError
from tipsim.sweep.grid import Configuration
from tipsim.sweep.seeds import run_seed

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

LAYOUT = "tipsim-sweep/1"
RESERVED = ("scenario", "config_id", "replication", "run_seed")


@dataclass(frozen=True)
class Entry:
    """One configuration of a sweep: where its file goes and the seed of each replication."""

    scenario: str
    config: Configuration
    config_id: str
    path: Path
    run_seeds: tuple[int, ...]
    meta: dict[str, Any]

    def exists(self) -> bool:
        return self.path.exists()


def _digest(obj: Any) -> str:
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def plan(out: str | os.PathLike[str], scenario: str, configs: Sequence[Configuration], *,
         seed: int, replications: int, common_random_numbers: bool = True) -> list[Entry]:
    """The entries of a sweep, one per distinct configuration, in grid order."""
    folder = Path(out)
    entries: list[Entry] = []
    for config in configs:
        params = config.params.model_dump(mode="json")
        meta = {"layout": LAYOUT, "scenario": scenario, "params": params, "seed": seed,
                "replications": replications, "common_random_numbers": common_random_numbers}
        config_id = _digest(meta)[:20]
        own = None if common_random_numbers else _digest([scenario, params])
        seeds = tuple(run_seed(seed, r, own) for r in range(replications))
        entries.append(Entry(scenario, config, config_id,
                             folder / f"{scenario}-{config_id}.parquet", seeds,
                             {**meta, "config_id": config_id, "swept": config.values}))
    return entries


def row(entry: Entry, replication: int, metrics: Mapping[str, Any]) -> dict[str, Any]:
    """One stored row: identity columns, the configuration's parameters, the metrics."""
    params = entry.config.params.model_dump(mode="json")
    out: dict[str, Any] = {"scenario": entry.scenario, "config_id": entry.config_id,
                           "replication": replication,
                           "run_seed": entry.run_seeds[replication]}
    for name, value in params.items():
        out[name] = json.dumps(value) if isinstance(value, list | dict) else value
    for name, value in metrics.items():
        out[f"result.{name}" if name in out else name] = value
    return out


def _table(rows: Sequence[Mapping[str, Any]], meta: Mapping[str, Any]) -> pa.Table:
    """Rows -> a table; a column whose values mix kinds (number and text) is stored as text."""
    import pyarrow as pa

    names = list(dict.fromkeys(k for r in rows for k in r))
    arrays = []
    for name in names:
        values = [r.get(name) for r in rows]
        try:
            arrays.append(pa.array(values))
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            arrays.append(pa.array([None if v is None else json.dumps(v) for v in values]))
    table = pa.Table.from_arrays(arrays, names=names)
    return table.replace_schema_metadata({"tipsim.sweep": json.dumps(meta)})


def write(entry: Entry, rows: Sequence[Mapping[str, Any]]) -> None:
    """Write ``rows`` as ``entry``'s file: a temporary file first, then one atomic rename."""
    import pyarrow.parquet as pq

    entry.path.parent.mkdir(parents=True, exist_ok=True)
    tmp = entry.path.with_name(f".{entry.path.name}.{uuid.uuid4().hex}.tmp")
    try:
        pq.write_table(_table(rows, entry.meta), tmp)
        os.replace(tmp, entry.path)
    finally:
        tmp.unlink(missing_ok=True)


def read(paths: Iterable[str | os.PathLike[str]]) -> pd.DataFrame:
    """The rows of the given files as one DataFrame (columns united; missing ones empty)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    tables = []
    for p in paths:
        try:
            tables.append(pq.read_table(p))
        except (OSError, pa.ArrowException) as exc:
            raise SweepError(f"cannot read sweep results {p}: {exc}") from None
    if not tables:
        return pd.DataFrame()
    try:
        table = pa.concat_tables(tables, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pd.concat([t.to_pandas() for t in tables], ignore_index=True)
    return table.replace_schema_metadata(None).to_pandas()


def read_folder(out: str | os.PathLike[str]) -> pd.DataFrame:
    """Every sweep result stored in the folder ``out`` (all scenarios and sweeps)."""
    return read(sorted(Path(out).glob("*.parquet")))
