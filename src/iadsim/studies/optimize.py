"""Defense design optimisation: decision variables over the scenario, an objective estimated by replications
under common random numbers, an Optuna sampler driving the search, a final estimate on fresh seeds.

The design file (:class:`DesignFile`, YAML) names:

- ``variables``: each sets one or more scenario paths (:mod:`iadsim.studies.paths`) from one decision:
  ``float`` (``low``/``high``, optional ``unit``: a fire unit's ``position.lon`` moving with its radar's),
  ``int`` (``low``/``high``: an inventory), ``choice`` (``options``: which battery type to buy) and ``split``
  (an integer ``total`` shared by two paths, the first takes ``k``, the second ``total - k``: rounds split
  between interceptor types);
- ``objective``: a replication metric (:func:`iadsim.montecarlo.replication_row`), ``value_surviving_fraction``
  or ``value_undamaged_fraction`` (maximised; the second, sum of value x (1 - damage) over the assets, is
  continuous where an asset's survival is 0/1; benchmarks/RESULTS.md section 12 compares searches) or ``leakage`` /
  ``assets_lost`` (minimised) by default, with ``cost_weight`` per USD of
  interceptors fired as a penalty (``J = metric -+ cost_weight * interceptor_cost``, sign against the
  direction) and an optional ``budget``: the inventory's cost (each fire unit's rounds, launchers x
  missiles + reserve, times its interceptor's catalog unit cost) must not exceed it (a design over it is
  infeasible, never run);
- ``runs`` replications per trial on the tuning seeds ``0 .. runs-1``, the same for every trial (common random
  numbers), ``trials``, the ``sampler`` (``tpe``: Bergstra et al., NeurIPS 2011; ``cmaes``: Hansen, 2016,
  through Optuna's CmaEsSampler; ``random``) and its ``seed``;
- ``fresh_runs`` and ``fresh_first_seed``: the seeds of the final estimate, disjoint from the tuning seeds.

Search. Trials are asked from Optuna in batches of ``workers`` (ask/tell); each batch's replications run
together on the Monte Carlo backends (:func:`iadsim.montecarlo.run_replications`), so the search is
parallel and, for a seeded sampler, deterministic. The best trial's mean over the tuning seeds is biased
upwards (it was selected on them), so the result re-estimates the best design and the baseline (the scenario
as written) on the fresh seeds: each mean with a 95 % Student-t interval, and the paired difference (the
same seeds: common random numbers) with its own interval (Law, *Simulation Modeling and Analysis*, 5th ed.,
sect. 10.2.2, the paired-t confidence interval).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from iadsim.errors import InputError

#: replication metrics an objective may name (:func:`iadsim.montecarlo.replication_row`)
METRICS = ("value_surviving_fraction", "value_undamaged_fraction", "leakage", "assets_lost", "assets_surviving",
           "threats_leaked",
           "threats_intercepted", "interceptor_cost", "interceptors_fired", "threat_cost_destroyed")
MAXIMISE = ("value_surviving_fraction", "value_undamaged_fraction", "assets_surviving", "threats_intercepted",
            "threat_cost_destroyed")


class Variable(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    kind: Literal["float", "int", "choice", "split"]
    paths: list[str] = Field(min_length=1)
    low: float | None = None
    high: float | None = None
    unit: str = ""
    options: list[str | int | float] | None = None
    total: int | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _check(self):
        if self.kind in ("float", "int"):
            if self.low is None or self.high is None or not self.low < self.high:
                raise ValueError(f"variable {self.name!r}: {self.kind} needs low < high")
        if self.kind == "choice" and not self.options:
            raise ValueError(f"variable {self.name!r}: choice needs options")
        if self.kind == "split" and (self.total is None or len(self.paths) != 2):
            raise ValueError(f"variable {self.name!r}: split needs a total and exactly two paths")
        return self


class DesignFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    variables: list[Variable] = Field(min_length=1)
    objective: str = "value_surviving_fraction"
    direction: Literal["maximize", "minimize"] | None = None
    cost_weight: float = Field(0.0, ge=0, allow_inf_nan=False)
    budget: float | None = Field(None, gt=0, allow_inf_nan=False)
    runs: int = Field(8, ge=2, le=10_000)
    trials: int = Field(20, ge=1, le=10_000)
    sampler: Literal["tpe", "cmaes", "random"] = "tpe"
    seed: int = Field(0, ge=0)
    fresh_runs: int = Field(30, ge=2, le=100_000)
    fresh_first_seed: int = Field(1_000_000, ge=0)


def read_design(path: str | Path) -> DesignFile:
    """Read and check a design YAML (module docstring); a bad field is one line with its line number."""
    from iadsim.scenario.load import _clean_loc, _message
    from iadsim.scenario.yamlio import dotted, line_of, load_yaml

    data, lines = load_yaml(Path(path))
    if not isinstance(data, dict):
        raise InputError("a design file must be a YAML mapping", file=str(path), line=1)
    try:
        d = DesignFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = _clean_loc(tuple(err["loc"]))
        raise InputError(_message(err), file=str(path), line=line_of(lines, loc), field=dotted(loc) or None) from None
    if d.fresh_first_seed < d.runs:
        raise InputError("fresh_first_seed must be at least runs: the fresh seeds are not the tuning seeds",
                         file=str(path), line=line_of(lines, ("fresh_first_seed",)), field="fresh_first_seed")
    return d


def _suggest(trial, v: Variable) -> dict:
    if v.kind == "float":
        return {v.name: trial.suggest_float(v.name, v.low, v.high)}
    if v.kind == "int":
        return {v.name: trial.suggest_int(v.name, int(v.low), int(v.high))}
    if v.kind == "choice":
        return {v.name: trial.suggest_categorical(v.name, v.options)}
    return {v.name: trial.suggest_int(v.name, 0, v.total)}


def apply_design(data, design: DesignFile, values: dict):
    """The scenario data with the decision ``values`` (by variable name) written at their paths."""
    from iadsim.studies.paths import parse_path

    for v in design.variables:
        x = values[v.name]
        if v.kind == "split":
            writes = [x, v.total - x]
        elif v.kind == "float":
            writes = [f"{x:.12g} {v.unit}" if v.unit else float(x)] * len(v.paths)
        else:
            writes = [x] * len(v.paths)
        for p, w in zip(v.paths, writes, strict=True):
            data = parse_path(p).set(data, w)
    return data


def inventory_cost(compiled) -> float:
    """Cost of the rounds held: per fire unit, (launchers x missiles per launcher + reserve) x the unit cost of
    its interceptor type (the catalog's ``cost``, USD)."""
    fu = compiled.fire_units
    costs = [compiled.interceptor_types[int(t)][1].cost for t in fu.type_index]
    rounds = fu.launchers * fu.missiles_per_launcher + fu.reserve
    return float(sum(float(r) * float(c) for r, c in zip(rounds, costs, strict=True)))


def objective_value(design: DesignFile, row: dict) -> float:
    """The objective of one replication: the metric with the cost penalty against the direction."""
    sign = 1.0 if direction(design) == "minimize" else -1.0
    return float(row[design.objective]) + sign * design.cost_weight * float(row["interceptor_cost"])


def direction(design: DesignFile) -> str:
    return design.direction or ("maximize" if design.objective in MAXIMISE else "minimize")


def _mean_ci(x: list[float]) -> dict:
    import numpy as np
    from scipy import stats

    a = np.asarray(x, float)
    n = a.size
    sd = float(a.std(ddof=1)) if n > 1 else 0.0
    half = float(stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)) if n > 1 else math.nan
    return {"mean": float(a.mean()), "ci95": [float(a.mean()) - half, float(a.mean()) + half], "n": n, "std": sd}


@dataclass
class OptimizeResult:
    """The best design (``best``: values by variable), its tuning mean, the fresh-seed estimates of the best
    and the baseline with CIs, their paired difference, and the ``history`` (one dict per trial)."""

    best: dict
    best_tuning: float
    fresh_best: dict
    fresh_baseline: dict
    fresh_difference: dict
    history: list[dict] = field(default_factory=list)
    out: Path | None = None


def optimize_design(scenario: str | Path, design: DesignFile, *, workers: int = 1, scheduler=None,
                    out: str | Path | None = None, progress: Callable[[int, int], None] | None = None,
                    allow_large: bool = False) -> OptimizeResult:
    """Search the design (module docstring) and estimate the best and the baseline on fresh seeds."""
    import optuna

    from iadsim.montecarlo import run_replications
    from iadsim.scenario import scenario_from_data
    from iadsim.scenario.yamlio import load_yaml

    path = Path(scenario)
    data, lines = load_yaml(path)
    baseline = scenario_from_data(data, lines, file=str(path), allow_large=allow_large)
    for v in design.variables:  # every path resolves before any trial
        from iadsim.studies.paths import parse_path

        for p in v.paths:
            parse_path(p).locate(data)
    if design.objective not in METRICS:
        raise InputError(f"objective {design.objective!r} is not a replication metric (e.g. value_surviving_fraction, "
                         "leakage, assets_lost)")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    samplers = {"tpe": lambda: optuna.samplers.TPESampler(seed=design.seed),
                "cmaes": lambda: optuna.samplers.CmaEsSampler(seed=design.seed, warn_independent_sampling=False),
                "random": lambda: optuna.samplers.RandomSampler(seed=design.seed)}
    study = optuna.create_study(direction=direction(design), sampler=samplers[design.sampler]())
    tuning = list(range(design.runs))
    batch = max(1, workers)
    history: list[dict] = []
    done = 0
    while done < design.trials:
        trials, compiled, values = [], [], []
        for _ in range(min(batch, design.trials - done)):
            t = study.ask()
            vals = {}
            for v in design.variables:
                vals.update(_suggest(t, v))
            try:
                c = scenario_from_data(apply_design(data, design, vals), lines, file=str(path),
                                       allow_large=allow_large)
            except InputError as exc:
                study.tell(t, state=optuna.trial.TrialState.FAIL)
                history.append({"trial": t.number, **vals, "objective": math.nan, "feasible": False,
                                "note": str(exc)})
                done += 1
                continue
            cost = inventory_cost(c)
            if design.budget is not None and cost > design.budget:
                study.tell(t, state=optuna.trial.TrialState.FAIL)
                history.append({"trial": t.number, **vals, "objective": math.nan, "feasible": False,
                                "note": f"inventory cost {cost:.6g} USD over the budget"})
                done += 1
                continue
            trials.append((t, cost))
            compiled.append(c)
            values.append(vals)
        results: dict[int, list[float]] = {k: [] for k in range(len(compiled))}
        run_replications(compiled, [(k, s) for k in range(len(compiled)) for s in tuning],
                         lambda k, s, row, res=results: res[k].append(objective_value(design, row)),
                         workers=workers, scheduler=scheduler)
        for k, (t, cost) in enumerate(trials):
            j = float(sum(results[k]) / len(results[k]))
            study.tell(t, j)
            history.append({"trial": t.number, **values[k], "objective": j, "feasible": True,
                            "inventory_cost": cost, "note": ""})
            done += 1
        if progress:
            progress(done, design.trials)
    feasible = [h for h in history if h["feasible"]]
    if not feasible:
        raise InputError("no trial was feasible (every design was over the budget or did not validate)")
    best_trial = study.best_trial
    best = {v.name: best_trial.params[v.name] for v in design.variables}
    best_c = scenario_from_data(apply_design(data, design, best), lines, file=str(path), allow_large=allow_large)
    fresh = list(range(design.fresh_first_seed, design.fresh_first_seed + design.fresh_runs))
    per: dict[int, dict[int, float]] = {0: {}, 1: {}}
    run_replications([best_c, baseline], [(k, s) for k in (0, 1) for s in fresh],
                     lambda k, s, row: per[k].__setitem__(s, objective_value(design, row)),
                     workers=workers, scheduler=scheduler)
    jb = [per[0][s] for s in fresh]
    j0 = [per[1][s] for s in fresh]
    history.sort(key=lambda h: h["trial"])
    result = OptimizeResult(best=best, best_tuning=float(best_trial.value), fresh_best=_mean_ci(jb),
                            fresh_baseline=_mean_ci(j0), fresh_difference=_mean_ci([a - b for a, b in zip(jb, j0,
                                                                                                            strict=True)]),
                            history=history, out=Path(out) if out is not None else None)
    if result.out is not None:
        _write(result, design)
    return result


def _write(result: OptimizeResult, design: DesignFile) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq
    from matplotlib.figure import Figure

    from iadsim.fileio import write_json

    out = result.out
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "optimize.json", {
        "design": design.model_dump(mode="json"), "direction": direction(design), "best": result.best,
        "best_tuning_mean": result.best_tuning, "fresh_seeds": [design.fresh_first_seed,
                                                                design.fresh_first_seed + design.fresh_runs - 1],
        "fresh_best": result.fresh_best, "fresh_baseline": result.fresh_baseline,
        "fresh_difference": result.fresh_difference}, indent=2, sort_keys=True)
    cols = sorted({k for h in result.history for k in h}, key=lambda k: (k != "trial", k))
    table = pa.table({k: [None if isinstance(h.get(k), float) and math.isnan(h[k]) else h.get(k)
                          for h in result.history] for k in cols})
    pq.write_table(table, out / "trials.parquet")
    fig = Figure(figsize=(6, 3.5))
    ax = fig.add_subplot()
    ok = [h for h in result.history if h["feasible"]]
    ax.plot([h["trial"] for h in ok], [h["objective"] for h in ok], "o", ms=4, label="trial (tuning seeds)")
    best, xs, ys = None, [], []
    for h in ok:
        better = best is None or (h["objective"] > best if direction(design) == "maximize" else h["objective"] < best)
        best = h["objective"] if better else best
        xs.append(h["trial"])
        ys.append(best)
    ax.step(xs, ys, where="post", label="best so far")
    ax.set_xlabel("trial")
    ax.set_ylabel(f"objective ({design.objective})")
    ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "history.png", dpi=100, metadata={"Software": None})
