"""Parameter sweeps: full grids and Latin-hypercube designs over scenario fields, under common random numbers.

A swept parameter (:class:`Param`, from ``PATH=VALUES [UNIT]`` by :func:`parse_vary`) is a path into the
scenario's data (:mod:`iadsim.studies.paths`) with either a list of values (``0,8,16``), an inclusive
range with a step (``50:500:50``) or, for a Latin hypercube, bounds (``50:500``); a unit after the values
(``=10:40:10 km``) is written with each value, so the scenario's own unit checking applies. A field that
holds an integer in the scenario (``count``, ``reserve``) takes integers (a Latin hypercube rounds).

Designs. :func:`grid_design` is the full factorial product of the value lists; :func:`lhs_design` draws
``n`` points of a Latin hypercube (McKay, Beckman & Conover, Technometrics 21, 1979) with
``scipy.stats.qmc.LatinHypercube`` from a given seed, scaled to the bounds. Every point is validated and
compiled like a scenario file before any replication runs; a point that does not validate is one line
naming the parameter values and the scenario's message.

Common random numbers. Every point runs the same seeds; since each component draws from its own generator
keyed by its name (DESIGN.md, Randomness), the raid, the radars' noise and the kill draws are the same at
every point as far as the point's changes allow, which is what makes the differences between points
precise (Law, *Simulation Modeling and Analysis*, 5th ed., sect. 11.2). Two points with the same values
give identical rows.

The study directory. ``replications/seed=<seed>_point=<k>.parquet`` holds one row per replication: the
metrics of :func:`iadsim.montecarlo.replication_row`, ``point`` and one ``sweep_<param>`` column per
parameter (its value in the unit written); ``points.parquet`` the summary per point (mean and 95 % CI of
the main metrics); ``summary.json`` the statistics of all rows and ``points`` (each point's values and
statistics); ``study.json`` the manifest with the design, so a resume with other values is refused.
Parts are written atomically as replications finish; a rerun runs only the missing ones. ``iadsim report``
draws the metrics against each ``sweep_<param>``.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from iadsim.errors import InputError
from iadsim.studies.paths import ScenarioPath, parse_path

#: metrics of the per-point table ``points.parquet`` (mean, ci_lo, ci_hi each)
POINT_METRICS = ("leakage", "threats_leaked", "assets_lost", "value_surviving_fraction", "value_undamaged_fraction",
                 "interceptor_cost", "interceptors_fired")
_VALUES = re.compile(r"\s*([-+0-9.eE:,\s]*[0-9.])\s*(.*?)\s*")


@dataclass(frozen=True)
class Param:
    """One swept parameter: ``path``, ``values`` (a grid's list) or ``bounds`` (a Latin hypercube's),
    ``unit`` (text written after each value, or ``""``), ``integer`` (set by :func:`resolve_params`)."""

    path: ScenarioPath
    values: tuple[float, ...] | None = None
    bounds: tuple[float, float] | None = None
    unit: str = ""
    integer: bool = False

    @property
    def column(self) -> str:
        return "sweep_" + re.sub(r"[^0-9A-Za-z]+", "_", self.path.text).strip("_")

    def scenario_value(self, v: float):
        """The value as written into the scenario's data."""
        if self.integer:
            return int(round(v))
        if self.unit:
            return f"{v:.12g} {self.unit}"
        return float(v)


def parse_vary(text: str) -> Param:
    """``PATH=VALUES [UNIT]`` (module docstring) as a :class:`Param`; malformed text is one line."""
    if "=" not in text:
        raise InputError(f"--vary {text!r}: expected PATH=VALUES, e.g. raids.Drones.count=50:500:50")
    path_text, spec = text.split("=", 1)
    path = parse_path(path_text)
    m = _VALUES.fullmatch(spec)
    if m is None:
        raise InputError(f"--vary {text!r}: cannot read the values {spec.strip()!r} (a,b,c or start:stop:step or "
                         "low:high, then an optional unit)")
    nums, unit = m.group(1).replace(" ", ""), m.group(2)
    try:
        if ":" in nums:
            parts = [float(x) for x in nums.split(":")]
            if len(parts) == 2:
                if not parts[0] < parts[1]:
                    raise InputError(f"--vary {text!r}: the low bound must be below the high bound")
                return Param(path=path, bounds=(parts[0], parts[1]), unit=unit)
            if len(parts) != 3:
                raise ValueError
            a, b, step = parts
            if step <= 0 or b < a:
                raise InputError(f"--vary {text!r}: start:stop:step needs start <= stop and a positive step")
            n = (b - a) / step
            if n > 10_000 or abs(n - round(n)) > 1e-9 * max(1.0, n):
                raise InputError(f"--vary {text!r}: the step does not divide stop - start into at most 10000 steps")
            values = tuple(a + k * step for k in range(int(round(n)) + 1))
        else:
            values = tuple(float(x) for x in nums.split(","))
    except ValueError:
        raise InputError(f"--vary {text!r}: cannot read the values {nums!r} as numbers") from None
    if not all(math.isfinite(v) for v in values):
        raise InputError(f"--vary {text!r}: values must be finite")
    return Param(path=path, values=values, unit=unit)


def resolve_params(params: Sequence[Param], data) -> list[Param]:
    """Check each path against the scenario's data and take the kind of value it holds: an integer field
    takes integers; a quantity field (text with a unit) needs a unit. Returns the params with ``integer``
    set. A path that does not resolve, or values of the wrong kind, are one line."""
    from dataclasses import replace

    out = []
    cols = set()
    for p in params:
        _, current = p.path.locate(data)
        integer = isinstance(current, int) and not isinstance(current, bool)
        if isinstance(current, str) and not p.unit:
            raise InputError(f"--vary {p.path.text}: the scenario writes this field as a quantity ({current!r}); "
                             "give the swept values a unit, e.g. =10,20 km")
        if integer and p.unit:
            raise InputError(f"--vary {p.path.text}: this field is a number without unit ({current!r}); "
                             f"remove the unit {p.unit!r}")
        if integer and p.values is not None and any(v != round(v) for v in p.values):
            raise InputError(f"--vary {p.path.text}: this field is an integer ({current!r}); the values must be "
                             "whole numbers")
        q = replace(p, integer=integer)
        if q.column in cols:
            raise InputError(f"--vary {p.path.text}: the same parameter is varied twice")
        cols.add(q.column)
        out.append(q)
    return out


def grid_design(params: Sequence[Param]) -> list[tuple[float, ...]]:
    """The full factorial grid of the parameters' value lists (the first parameter varies slowest)."""
    for p in params:
        if p.values is None:
            raise InputError(f"--vary {p.path.text}: a grid needs values (a,b,c or start:stop:step), not only "
                             "bounds; use --design lhs for bounds")
    return [tuple(float(round(v)) if p.integer else v for v, p in zip(pt, params, strict=True))
            for pt in itertools.product(*(p.values for p in params))]


def lhs_design(params: Sequence[Param], n: int, seed: int = 0) -> list[tuple[float, ...]]:
    """``n`` Latin-hypercube points (McKay et al. 1979; ``scipy.stats.qmc.LatinHypercube`` seeded with
    ``seed``) over each parameter's bounds (or the range of its values); integers rounded."""
    from scipy.stats import qmc

    if n < 1:
        raise InputError("a Latin hypercube needs at least one sample")
    lo = [p.bounds[0] if p.bounds else min(p.values) for p in params]
    hi = [p.bounds[1] if p.bounds else max(p.values) for p in params]
    u = qmc.LatinHypercube(d=len(params), seed=seed).random(n)
    x = qmc.scale(u, lo, hi) if any(h > lo_ for lo_, h in zip(lo, hi, strict=True)) else u * 0 + lo
    return [tuple(float(round(v)) if p.integer else float(v) for v, p in zip(row, params, strict=True)) for row in x]


def compile_points(data, lines, file: str, params: Sequence[Param], points: Sequence[tuple[float, ...]],
                   allow_large: bool = False):
    """Validate and compile the scenario at every point; the first point that fails is one line naming its
    values and the scenario's message."""
    from iadsim.scenario import scenario_from_data

    compiled = []
    for k, pt in enumerate(points):
        d = data
        for p, v in zip(params, pt, strict=True):
            d = p.path.set(d, p.scenario_value(v))
        try:
            compiled.append(scenario_from_data(d, lines, file=file, allow_large=allow_large))
        except InputError as exc:
            vals = ", ".join(f"{p.path.text}={p.scenario_value(v)}" for p, v in zip(params, pt, strict=True))
            raise InputError(f"sweep point {k} ({vals}): {exc}") from None
    return compiled


@dataclass
class SweepResult:
    """Rows (sorted by point, then seed), the points' values, each point's statistics, the study directory."""

    rows: list[dict]
    params: list[Param]
    points: list[tuple[float, ...]]
    point_stats: list[dict]
    out: Path | None = None


def run_sweep(scenario: str | Path, params: Sequence[Param], seeds: Iterable[int], *, design: str = "grid",
              samples: int = 10, design_seed: int = 0, workers: int = 1, scheduler=None,
              out: str | Path | None = None, progress: Callable[[int, int], None] | None = None,
              allow_large: bool = False) -> SweepResult:
    """Run every point of the design with the same ``seeds`` (module docstring) on the Monte Carlo backends
    (:func:`iadsim.montecarlo.run_replications`)."""
    from iadsim.engine.simulation import check_seed
    from iadsim.fileio import write_json
    from iadsim.montecarlo import _open_study, _read_part, _write_part, run_replications, summarize_rows
    from iadsim.scenario import scenario_from_data
    from iadsim.scenario.yamlio import load_yaml

    seeds = [check_seed(s) for s in seeds]
    if len(set(seeds)) != len(seeds):
        raise ValueError("seeds must be distinct")
    if not params:
        raise InputError("a sweep needs at least one --vary PATH=VALUES")
    path = Path(scenario)
    data, lines = load_yaml(path)
    base = scenario_from_data(data, lines, file=str(path), allow_large=allow_large)
    params = resolve_params(params, data)
    if design == "grid":
        points = grid_design(params)
    elif design == "lhs":
        points = lhs_design(params, samples, design_seed)
    else:
        raise InputError(f"unknown design {design!r} (grid or lhs)")
    compiled = compile_points(data, lines, str(path), params, points, allow_large)
    out_path = Path(out) if out is not None else None
    rows: dict[tuple[int, int], dict] = {}
    tasks = [(k, s) for k in range(len(points)) for s in seeds]
    if out_path is not None:
        manifest_design = {"kind": design, "params": [{"path": p.path.text, "unit": p.unit, "column": p.column}
                                                      for p in params],
                           "points": [list(pt) for pt in points]}
        _open_study(out_path, base, seeds, {"allow_large": allow_large, "design_seed": design_seed},
                    design=manifest_design)
        from iadsim.montecarlo import _part

        for k, s in tasks:
            part = _part(out_path, s, k)
            if part.exists():
                row = _read_part(part, s)
                if row.get("point") != k:
                    raise InputError(f"replication part does not hold point {k}; delete it to run it again",
                                     file=str(part))
                rows[(k, s)] = row
    todo = [t for t in tasks if t not in rows]
    done = len(rows)
    if progress:
        progress(done, len(tasks))

    def record(k, s, row):
        nonlocal done
        row = {**row, "point": k, **{p.column: float(v) for p, v in zip(params, points[k], strict=True)}}
        rows[(k, s)] = row
        if out_path is not None:
            _write_part(out_path, row, k)
        done += 1
        if progress:
            progress(done, len(tasks))

    run_replications(compiled, todo, record, workers=workers, scheduler=scheduler)
    ordered = [rows[t] for t in sorted(rows)]
    point_stats = [summarize_rows([r for r in ordered if r["point"] == k]) for k in range(len(points))]
    result = SweepResult(rows=ordered, params=list(params), points=points, point_stats=point_stats, out=out_path)
    if out_path is not None:
        _write_points_table(out_path / "points.parquet", result)
        stats = summarize_rows(ordered)
        stats["points"] = [{"point": k, "values": {p.column: float(v) for p, v in zip(params, pt, strict=True)},
                            "stats": st} for k, (pt, st) in enumerate(zip(points, point_stats, strict=True))]
        write_json(out_path / "summary.json", stats, indent=2, sort_keys=True)
    return result


def points_table(result: SweepResult):
    """The summary per point as a ``pyarrow.Table``: ``point``, the ``sweep_*`` columns, ``replications``
    and ``<metric>_mean``, ``<metric>_ci_lo``, ``<metric>_ci_hi`` for :data:`POINT_METRICS`."""
    import pyarrow as pa

    cols: dict[str, list] = {"point": list(range(len(result.points)))}
    for j, p in enumerate(result.params):
        cols[p.column] = [float(pt[j]) for pt in result.points]
    cols["replications"] = [st.get("replications", 0) for st in result.point_stats]
    for m in POINT_METRICS:
        for key, pick in (("mean", lambda s: s["mean"]), ("ci_lo", lambda s: s["ci95"][0]),
                          ("ci_hi", lambda s: s["ci95"][1])):
            cols[f"{m}_{key}"] = [pick(st[m]) if m in st else None for st in result.point_stats]
    return pa.table(cols)


def _write_points_table(path: Path, result: SweepResult) -> None:
    import os

    import pyarrow.parquet as pq

    tmp = path.with_suffix(".tmp")
    pq.write_table(points_table(result), tmp)
    os.replace(tmp, path)


def read_sweep_file(path: str | Path) -> dict:
    """Read a sweep YAML: ``vary`` (a list of ``PATH=VALUES [UNIT]``), ``design`` (grid or lhs), ``samples``,
    ``design_seed``, ``runs``, ``first_seed``. Unknown keys and wrong types are one line with the line."""
    from pydantic import BaseModel, ConfigDict, Field, ValidationError

    from iadsim.scenario.load import _clean_loc, _message
    from iadsim.scenario.yamlio import dotted, line_of, load_yaml

    class SweepFile(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True)
        vary: list[str] = Field(min_length=1)
        design: str = Field("grid", pattern="^(grid|lhs)$")
        samples: int = Field(10, ge=1, le=100_000)
        design_seed: int = Field(0, ge=0)
        runs: int = Field(30, ge=1, le=1_000_000)
        first_seed: int = Field(0, ge=0)

    data, lines = load_yaml(Path(path))
    if not isinstance(data, dict):
        raise InputError("a sweep file must be a YAML mapping", file=str(path), line=1)
    try:
        return SweepFile.model_validate(data).model_dump()
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = _clean_loc(tuple(err["loc"]))
        raise InputError(_message(err), file=str(path), line=line_of(lines, loc), field=dotted(loc) or None) from None
