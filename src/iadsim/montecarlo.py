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

The study manifest. ``out/study.json`` records what the study is: the scenario hash (of the validated,
compiled scenario, as in a run's manifest), the iadsim version, the seeds asked for so far and the options.
A study directory is resumed only by the same scenario and version: another scenario (4 drones changed to
40) or another iadsim version is refused with one line, since its replications would be mixed with ones
that do not belong to it; so is a directory that holds replication parts but no manifest.

Backends (:func:`run_replications`, the executor of Monte Carlo, sweeps and optimisation): this process, a
local process pool (the compiled scenarios go to each worker once, in its initializer), or Dask
(``scheduler="local"`` for a ``distributed.LocalCluster``, an address for a running cluster, or a ``Client``):
the compiled scenarios are scattered to every worker once and each task names them; parts are written by
the calling process as results arrive, so a task Dask runs again after a lost worker is written once.

Lost workers. A replication whose worker process dies (killed, out of memory) breaks the process pool;
the pool is started again and the replications that had not finished are submitted again (finished ones
are kept: their parts are already written). A replication is tried at most :data:`MAX_ATTEMPTS` times,
then the study stops with one line naming its seed.

Statistics (:func:`summarize_rows`): for each metric the mean, the sample standard deviation and a 95 %
confidence interval of the mean from Student's t distribution, ``mean +- t_{0.975, n-1} s / sqrt(n)``
(e.g. Law, *Simulation Modeling and Analysis*, 5th ed., sect. 9.4.1). For the metrics that are proportions
(:data:`PROPORTIONS`, each replication's value in [0, 1]) the interval is the Wilson score interval (Wilson,
J. Am. Stat. Assoc. 22, 1927; recommended by Brown, Cai & DasGupta, Stat. Sci. 16, 2001) at the mean, with
the effective sample size of the replications, ``n_eff = p (1 - p) / (s^2 / n)`` (Kish's design effect, as
Korn & Graubard, Surv. Methodol. 24, 1998, use it for proportions estimated from clustered data; ``n_eff = n``
when every replication gave the same value) and the t quantile in place of the normal one. Unlike ``mean +-
half-width`` it stays inside [0, 1], also when most replications give 0 (``[-0.037, 0.287]`` before).
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from scipy import stats

from iadsim.errors import InputError
from iadsim.fileio import load_json, write_json
from iadsim.scenario import CompiledScenario, load_scenario
from iadsim.scenario.catalog_models import THREAT_CLASSES

#: metrics whose per-replication values are proportions in [0, 1] (Wilson interval, module docstring)
PROPORTIONS = ("leakage", "value_surviving_fraction")
#: tries of one replication before a lost worker stops the study
MAX_ATTEMPTS = 3
#: format of ``study.json``
STUDY_FORMAT = 1


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
    # the value-weighted undamaged fraction, sum v (1 - d) / sum v: continuous where survival is 0/1 per asset
    row["value_undamaged_fraction"] = a["value_undamaged"] / a["value_total"] if a["value_total"] else 1.0
    # released objects that are not threats (decoys, spent stages): how many, and the interceptors they drew
    for role, o in sorted(summary.get("objects", {}).items()):
        row[f"{role}_released"] = o["released"]
        row[f"interceptors_on_{role}"] = o["interceptors_on"]
    tr = summary["tracking"]
    row["gospa_mean_m"] = tr.get("gospa_mean_m") if tr.get("gospa_mean_m") is not None else math.nan
    row["track_breaks"] = tr.get("track_breaks", 0)
    row["wall_s"] = summary["time"]["wall_s"]
    return row


@dataclass
class MonteCarloResult:
    """Rows (one dict per replication, sorted by seed) and their statistics; ``pool_restarts`` counts the
    process pools started again after a lost worker."""

    rows: list[dict]
    stats: dict
    out: Path | None = None
    pool_restarts: int = 0


_WORKER: dict = {}


def _init_worker(compiled: tuple[CompiledScenario, ...]) -> None:
    # the compiled scenarios travel once per worker process (pickled with the pool's initargs), not per task
    from iadsim import _gc

    _gc.tune()  # the worker is iadsim's own process (iadsim._gc)
    _WORKER["compiled"] = compiled


def _run_one(seed: int, compiled: CompiledScenario | None = None, summary_only: bool = True) -> dict:
    from iadsim.engine import Simulation

    sim = Simulation(compiled if compiled is not None else _WORKER["compiled"][0], seed)
    return replication_row(sim.run(tables=not summary_only).summary)


def _run_task(point: int, seed: int, summary_only: bool) -> tuple[int, int, dict]:
    return point, seed, _run_one(seed, _WORKER["compiled"][point], summary_only)


def _dask_task(compiled: CompiledScenario, point: int, seed: int, summary_only: bool) -> tuple[int, int, dict]:
    # ``compiled`` is a scattered (broadcast) object: each worker holds it once; the task only names it
    return point, seed, _run_one(seed, compiled, summary_only)


def _part(out: Path, seed: int, point: int | None = None) -> Path:
    name = f"seed={seed:08d}" if point is None else f"seed={seed:08d}_point={point:04d}"
    return out / "replications" / f"{name}.parquet"


def _write_part(out: Path, row: dict, point: int | None = None) -> None:
    path = _part(out, row["seed"], point)
    tmp = path.with_suffix(".tmp")
    pq.write_table(pa.Table.from_pylist([row]), tmp)
    os.replace(tmp, path)


def _read_part(path: Path, seed: int) -> dict:
    try:
        rows = pq.read_table(path).to_pylist()
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise InputError(f"damaged replication part ({type(exc).__name__}); delete it to run seed {seed} again",
                         file=str(path)) from None
    if len(rows) != 1 or rows[0].get("seed") != seed:
        raise InputError(f"replication part does not hold seed {seed}'s row; delete it to run it again",
                         file=str(path))
    return rows[0]


def _open_study(out: Path, compiled: CompiledScenario, seeds: list[int], options: dict,
                design: dict | None = None) -> None:
    """Create or check ``out/study.json`` (module docstring). ``design`` (a sweep's or an optimisation's
    points) must be the same on a resume."""
    from iadsim import __version__

    manifest_path = out / "study.json"
    parts = out / "replications"
    if manifest_path.exists():
        m = load_json(manifest_path)
        if not isinstance(m, dict) or m.get("study_format") != STUDY_FORMAT:
            raise InputError("not a study manifest of this iadsim (study_format "
                             f"{m.get('study_format') if isinstance(m, dict) else '?'})", file=str(manifest_path))
        if m.get("scenario_hash") != compiled.scenario_hash:
            raise InputError(f"this study directory holds replications of another scenario "
                             f"({m.get('scenario_file')!r}, hash {str(m.get('scenario_hash'))[:12]}); this "
                             f"scenario's hash is {compiled.scenario_hash[:12]}: use another --out",
                             file=str(manifest_path))
        if m.get("iadsim_version") != __version__:
            raise InputError(f"this study was run by iadsim {m.get('iadsim_version')}; this is iadsim "
                             f"{__version__}: use another --out", file=str(manifest_path))
        if m.get("design") != design:
            raise InputError("this study directory holds another design (other swept values or points, or a Monte "
                             "Carlo study): use another --out", file=str(manifest_path))
        seeds = sorted(set(int(x) for x in m.get("seeds", [])) | set(seeds))
    elif parts.is_dir() and any(parts.iterdir()):
        raise InputError("holds replication parts but no study.json (another scenario or an older iadsim?): "
                         "use another --out", file=str(out))
    parts.mkdir(parents=True, exist_ok=True)
    doc = {"study_format": STUDY_FORMAT, "iadsim_version": __version__, "scenario": compiled.scenario.name,
           "scenario_file": compiled.source, "scenario_hash": compiled.scenario_hash, "seeds": sorted(seeds),
           "options": options}
    if design is not None:
        doc["design"] = design
    write_json(manifest_path, doc, indent=2, sort_keys=True)


def run_monte_carlo(scenario: str | Path | CompiledScenario, seeds: Iterable[int], workers: int = 1,
                    out: str | Path | None = None,
                    progress: Callable[[int, int], None] | None = None,
                    summary_only: bool = True, allow_large: bool = False,
                    scheduler=None) -> MonteCarloResult:
    """Run one replication per seed (module docstring).

    ``scheduler``: ``None`` runs in this process (``workers == 1``) or a local process pool of ``workers``;
    ``"local"`` starts a ``distributed.LocalCluster`` of ``workers`` processes; an address
    (``"tcp://host:8786"``) connects to a running Dask cluster; a ``distributed.Client`` is used as it is
    (:func:`run_replications`). The rows do not depend on the backend. ``summary_only=False`` builds each
    replication's full result (tables included) before taking its row; the rows are the same.
    ``allow_large`` skips the work-estimate limits (:mod:`iadsim.scenario.work`). Bad seeds, a study
    directory of another scenario or version raise :class:`~iadsim.errors.InputError` before any
    replication runs."""
    from iadsim.engine.simulation import check_seed

    seeds = [check_seed(s) for s in seeds]
    if len(set(seeds)) != len(seeds):
        raise ValueError("seeds must be distinct")
    compiled = scenario if isinstance(scenario, CompiledScenario) else load_scenario(scenario, allow_large=allow_large)
    out_path = Path(out) if out is not None else None
    rows: dict[int, dict] = {}
    todo = list(seeds)
    if out_path is not None:
        _open_study(out_path, compiled, seeds, {"summary_only": summary_only, "allow_large": allow_large})
        for s in seeds:
            p = _part(out_path, s)
            if p.exists():
                rows[s] = _read_part(p, s)
        todo = [s for s in seeds if s not in rows]
    done = len(rows)
    if progress:
        progress(done, len(seeds))

    def record(point, seed, row):
        nonlocal done
        rows[seed] = row
        if out_path is not None:
            _write_part(out_path, row)
        done += 1
        if progress:
            progress(done, len(seeds))

    restarts = run_replications((compiled,), [(0, s) for s in todo], record, workers=workers, scheduler=scheduler,
                                summary_only=summary_only)
    ordered = [rows[s] for s in sorted(rows)]
    result = MonteCarloResult(rows=ordered, stats=summarize_rows(ordered), out=out_path, pool_restarts=restarts)
    if out_path is not None:
        write_json(out_path / "summary.json", result.stats, indent=2, sort_keys=True)
    return result


def run_replications(compiled: Sequence[CompiledScenario], tasks: list[tuple[int, int]],
                     record: Callable[[int, int, dict], None], *, workers: int = 1, scheduler=None,
                     summary_only: bool = True) -> int:
    """Run each task ``(point, seed)`` (a replication of ``compiled[point]`` with ``seed``) and call
    ``record(point, seed, row)`` once per task, in this process, as results arrive (the caller writes the
    part there, so a task retried on another worker is never written twice). Returns the pool restarts.

    Backends. ``scheduler=None``: in this process (``workers <= 1`` or one task) or a local process pool
    whose workers receive ``compiled`` once, at start. ``"local"``, an address or a ``distributed.Client``:
    Dask; ``compiled`` is scattered to every worker once (``broadcast=True``) and each task carries only a
    reference to it, its point and its seed. A worker that dies is replaced by the cluster and its tasks run
    again elsewhere (the scheduler's ``allowed-failures``); a task that keeps killing workers stops the
    study with one line, the finished replications kept."""
    compiled = tuple(dataclasses.replace(c, load_s=0.0) for c in compiled)
    if not tasks:
        return 0
    if scheduler is not None:
        _run_dask(compiled, tasks, record, workers, scheduler, summary_only)
        return 0
    if workers <= 1 or len(tasks) <= 1:
        for point, seed in tasks:
            record(point, seed, _run_one(seed, compiled[point], summary_only))
        return 0
    return _run_pool(compiled, tasks, workers, summary_only, record)


def _run_pool(compiled: tuple[CompiledScenario, ...], todo: list[tuple[int, int]], workers: int,
              summary_only: bool, record: Callable[[int, int, dict], None]) -> int:
    """Run ``todo`` in a local process pool; a broken pool (a worker died) is started again and the
    replications that did not finish are submitted again, each at most :data:`MAX_ATTEMPTS` times.
    Returns the number of restarts."""
    attempts = dict.fromkeys(todo, 0)
    left = list(todo)
    restarts = -1
    while left:
        restarts += 1
        for t in left:
            attempts[t] += 1
        pool = ProcessPoolExecutor(max_workers=min(workers, len(left)), initializer=_init_worker,
                                   initargs=(compiled,))
        broken = False
        try:
            futures = {pool.submit(_run_task, p, s, summary_only): (p, s) for p, s in left}
            for fut in as_completed(futures):
                try:
                    point, seed, row = fut.result()
                except BrokenProcessPool:
                    broken = True
                    continue
                record(point, seed, row)
                left.remove(futures[fut])
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        if not broken:
            break
        lost = [t for t in left if attempts[t] >= MAX_ATTEMPTS]
        if lost:
            raise InputError(f"replication seed {lost[0][1]} lost its worker process {MAX_ATTEMPTS} times (killed or "
                             "out of memory?); the finished replications are kept: run the same command again "
                             "to resume")
    return max(restarts, 0)


def dask_client(scheduler, workers: int = 2):
    """``(client, owned)`` for ``scheduler``: a ``distributed.Client`` as given (``owned=False``), ``"local"``
    for a new ``LocalCluster`` of ``workers`` single-threaded processes bound to 127.0.0.1 (no dashboard),
    or the address of a running scheduler (``tcp://host:port``, started with ``dask scheduler``). A
    scheduler that cannot be reached is one line."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError("--scheduler needs dask's distributed package (pip install 'dask[distributed]')") from None
    if isinstance(scheduler, Client):
        return scheduler, False
    if scheduler == "local":
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None)
        return Client(cluster), True
    if not isinstance(scheduler, str) or "://" not in scheduler:
        raise InputError(f"scheduler {scheduler!r} is neither 'local' nor an address such as tcp://127.0.0.1:8786")
    try:
        return Client(scheduler, timeout="10s"), True
    except (OSError, TimeoutError) as exc:
        raise InputError(f"cannot reach the Dask scheduler at {scheduler} ({type(exc).__name__}): start it with "
                         "`dask scheduler` and workers with `dask worker ADDRESS`") from None


def _run_dask(compiled, tasks, record, workers, scheduler, summary_only) -> None:
    from distributed import as_completed as dask_completed
    from distributed.scheduler import KilledWorker

    client, owned = dask_client(scheduler, workers)
    try:
        shared = client.scatter(list(compiled), broadcast=True, hash=False)
        tag = compiled[0].scenario_hash[:12]
        futures = [client.submit(_dask_task, shared[p], p, s, summary_only, key=f"iadsim-{tag}-{p}-{s}")
                   for p, s in tasks]
        try:
            for fut in dask_completed(futures):
                try:
                    point, seed, row = fut.result()
                except KilledWorker:
                    raise InputError(f"a replication ({fut.key}) killed its Dask workers again and again (out of "
                                     "memory?); the finished replications are kept: run the same command again "
                                     "to resume") from None
                record(point, seed, row)
                fut.release()
        finally:
            client.cancel(futures)
    finally:
        if owned:
            cluster = client.cluster
            client.close()
            if cluster is not None:
                cluster.close()


def wilson_interval(p: float, n: float, z: float) -> tuple[float, float]:
    """Wilson score interval of a proportion ``p`` from ``n`` (effective) observations at quantile ``z``:
    ``(p + z^2/2n -+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)`` (Wilson 1927; Brown, Cai & DasGupta 2001,
    eq. 4)."""
    z2 = z * z
    centre = p + z2 / (2 * n)
    half = z * math.sqrt(max(p * (1 - p), 0.0) / n + z2 / (4 * n * n))
    lo, hi = (centre - half) / (1 + z2 / n), (centre + half) / (1 + z2 / n)
    return max(0.0, lo), min(1.0, hi)


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
        if n < 2:
            ci = [math.nan, math.nan]  # written as null
            method = "none"
        elif k in PROPORTIONS and np.all((x >= 0.0) & (x <= 1.0)):
            p = min(max(mean, 0.0), 1.0)
            n_eff = p * (1 - p) / (sd * sd / n) if sd > 0 and 0 < p < 1 else float(n)
            ci = list(wilson_interval(p, n_eff, float(stats.t.ppf(0.975, n - 1))))
            method = "wilson"
        else:
            half = float(stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n))
            ci = [mean - half, mean + half]
            method = "student_t"
        out[k] = {"mean": mean, "std": sd, "ci95": ci, "n": n, "ci_method": method}
    return out
