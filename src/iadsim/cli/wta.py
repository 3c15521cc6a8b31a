"""``iadsim wta``: solve a static weapon-target assignment instance (JSON) and report the result."""

from __future__ import annotations

import math
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from iadsim.errors import InputError

DEFAULT_TIME_LIMIT = 60.0


def wta(
    instance: Path = typer.Argument(..., help="WTA instance JSON (values, pk, counts[, cost, mask])."),  # noqa: B008
    method: str = typer.Option("exact", "--method", "-m", help="exact | greedy | local_search"),
    time_limit: float | None = typer.Option(
        None, "--time-limit", "-t",
        help=f"Seconds for the solver (default {DEFAULT_TIME_LIMIT:g}); it stops then with its best solution, "
             "its proven bound and status time_limit."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write result + assignment JSON."),  # noqa: B008
) -> None:
    """Solve a static weapon-target assignment: minimise expected surviving value + shot cost."""
    from iadsim.assignment import METHODS, solve_wta  # numba kernels: imported when the command runs
    from iadsim.assignment.io import load_instance, result_to_json
    from iadsim.fileio import write_json
    from iadsim.outputs import check_output_file

    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}",
                         field="--method")
    if time_limit is not None and not (time_limit > 0 and math.isfinite(time_limit)):
        raise InputError("must be a positive, finite number of seconds", field="--time-limit")
    if out is not None:
        check_output_file(out)
    problem = load_instance(instance)
    res = solve_wta(problem, method=method, time_limit=time_limit if time_limit is not None else DEFAULT_TIME_LIMIT)
    table = Table(title=f"WTA {instance.name}: {problem.n} weapon types x {problem.m} targets",
                  show_header=False)
    for key, val in (("method", res.method), ("status", res.status),
                     ("objective", f"{res.objective:.9g}"),
                     ("surviving value", f"{res.surviving_value:.9g}"),
                     ("destroyed value", f"{res.destroyed_value:.9g}"), ("cost", f"{res.cost:.9g}"),
                     ("bound", f"{res.bound:.9g}" if math.isfinite(res.bound) else "none"),
                     ("gap", f"{res.gap:.3e}" if math.isfinite(res.gap) else "n/a"),
                     ("time (s)", f"{res.time:.3f}"), ("shots", str(int(res.x.sum())))):
        table.add_row(key, val)
    Console().print(table)
    if out is not None:
        try:
            write_json(out, result_to_json(res), indent=1)
        except OSError as exc:
            raise InputError(f"cannot write output ({exc.strerror or exc})", file=str(out), field="--out") from None
