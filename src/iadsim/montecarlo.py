"""Monte Carlo over replications: one row per replication, resumable, in local processes.

``run_monte_carlo(scenario, seeds, workers, out)`` runs :func:`iadsim.simulate` once per seed and keeps one
flat row of metrics per replication (:func:`replication_row`). With ``out``, each finished replication is
written at once as its own Parquet part ``out/replications/seed=<seed>.parquet`` (written to a temporary
name and renamed, so a part is either complete or absent); a rerun skips the seeds whose part exists, so
an interrupted study resumes without losing or repeating a replication. The parts together are one
Parquet dataset (``pyarrow.parquet.read_table(out / "replications")``).

Every replication is a pure function of ``(scenario, seed)``, so the rows do not depend on the number of
workers or the order in which replications finish; rows are returned sorted by seed.

A row needs only the replication's summary, so by default (``summary_only=True``) a replication computes
the summary without the Parquet tables it would throw away (:func:`iadsim.engine.result.build_result`
with ``tables=False``: the same summary numbers, hence the same rows).

Statistics (:func:`summarize_rows`): for each metric the mean, the sample standard deviation and a 95 %
confidence interval of the mean from Student's t distribution, ``mean +- t_{0.975, n-1} s / sqrt(n)``
(e.g. Law, *Simulation Modeling and Analysis*, 5th ed., sect. 9.4.1).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from scipy import stats

from iadsim.scenario import CompiledScenario, load_scenario
from iadsim.scenario.catalog_models import THREAT_CLASSES


def replication_row(summary: dict) -> dict:
    """The flat metrics row of one replication's ``summary.json``."""
    row = {"seed": int(summary["seed"])}
    tot = summary["threats"]["total"]
    for k in ("launched", "intercepted", "leaked", "in_flight"):
        row[f"threats_{k}"] = tot[k]
    for cls in THREAT_CLASSES:
        c = summary["threats"]["by_class"].get(cls)
        if c is not None:
            row[f"{cls}_leaked"] = c["leaked"]
            row[f"{cls}_intercepted"] = c["intercepted"]
    row["leakage"] = tot["leaked"] / tot["launched"] if tot["launched"] else 0.0
    for name, d in summary["interceptors"]["by_type"].items():
        row[f"fired_{name}"] = d["fired"]
    row["interceptors_fired"] = summary["interceptors"]["total_fired"]
    row["interceptor_cost"] = summary["cost"]["interceptors_fired"]
    row["threat_cost_destroyed"] = summary["cost"]["threats_destroyed"]
    a = summary["assets"]
    row["assets_surviving"] = a["surviving"]
    row["assets_lost"] = a["total"] - a["surviving"]
    row["value_surviving_fraction"] = a["value_surviving"] / a["value_total"] if a["value_total"] else 1.0
    tr = summary["tracking"]
    row["gospa_mean_m"] = tr.get("gospa_mean_m") if tr.get("gospa_mean_m") is not None else math.nan
    row["track_breaks"] = tr.get("track_breaks", 0)
    row["wall_s"] = summary["time"]["wall_s"]
    return row


@dataclass
class MonteCarloResult:
    """Rows (one dict per replication, sorted by seed) and their statistics."""

    rows: list[dict]
    stats: dict
    out: Path | None = None


_WORKER: dict = {}


def _init_worker(scenario_path: str) -> None:
    _WORKER["compiled"] = load_scenario(scenario_path)


def _run_one(seed: int, compiled: CompiledScenario | None = None, summary_only: bool = True) -> dict:
    from iadsim.engine import Simulation

    sim = Simulation(compiled if compiled is not None else _WORKER["compiled"], seed)
    return replication_row(sim.run(tables=not summary_only).summary)


def _part(out: Path, seed: int) -> Path:
    return out / "replications" / f"seed={seed:08d}.parquet"


def _write_part(out: Path, row: dict) -> None:
    path = _part(out, row["seed"])
    tmp = path.with_suffix(".tmp")
    pq.write_table(pa.Table.from_pylist([row]), tmp)
    os.replace(tmp, path)


def run_monte_carlo(scenario: str | Path | CompiledScenario, seeds: Iterable[int], workers: int = 1,
                    out: str | Path | None = None,
                    progress: Callable[[int, int], None] | None = None,
                    summary_only: bool = True) -> MonteCarloResult:
    """Run one replication per seed (module docstring). ``workers > 1`` needs a scenario path.

    ``summary_only=False`` builds each replication's full result (tables included) before taking its row;
    the rows are the same."""
    seeds = [int(s) for s in seeds]
    if len(set(seeds)) != len(seeds):
        raise ValueError("seeds must be distinct")
    out_path = Path(out) if out is not None else None
    rows: dict[int, dict] = {}
    todo = list(seeds)
    if out_path is not None:
        (out_path / "replications").mkdir(parents=True, exist_ok=True)
        for s in seeds:
            p = _part(out_path, s)
            if p.exists():
                rows[s] = pq.read_table(p).to_pylist()[0]
        todo = [s for s in seeds if s not in rows]
    done = len(rows)
    if progress:
        progress(done, len(seeds))

    def record(row):
        nonlocal done
        rows[row["seed"]] = row
        if out_path is not None:
            _write_part(out_path, row)
        done += 1
        if progress:
            progress(done, len(seeds))

    if workers <= 1 or len(todo) <= 1:
        compiled = scenario if isinstance(scenario, CompiledScenario) else load_scenario(scenario)
        for s in todo:
            record(_run_one(s, compiled, summary_only))
    else:
        if isinstance(scenario, CompiledScenario):
            raise ValueError("parallel Monte Carlo needs the scenario's path")
        with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,
                                 initargs=(str(scenario),)) as pool:
            futures = [pool.submit(_run_one, s, None, summary_only) for s in todo]
            for fut in as_completed(futures):
                record(fut.result())
    ordered = [rows[s] for s in sorted(rows)]
    result = MonteCarloResult(rows=ordered, stats=summarize_rows(ordered), out=out_path)
    if out_path is not None:
        (out_path / "summary.json").write_text(json.dumps(result.stats, indent=2, sort_keys=True) + "\n")
    return result


def summarize_rows(rows: list[dict]) -> dict:
    """Mean, standard deviation and 95 % Student-t confidence interval of every numeric metric."""
    if not rows:
        return {"replications": 0}
    keys = sorted({k for r in rows for k in r if k != "seed"})
    out: dict = {"replications": len(rows)}
    for k in keys:
        x = np.array([r.get(k, math.nan) for r in rows], dtype=float)
        x = x[np.isfinite(x)]
        n = x.size
        if n == 0:
            continue
        mean = float(x.mean())
        sd = float(x.std(ddof=1)) if n > 1 else 0.0
        half = float(stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)) if n > 1 else math.nan
        out[k] = {"mean": mean, "std": sd, "ci95": [mean - half, mean + half], "n": n}
    return out
