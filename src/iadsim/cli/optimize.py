"""``iadsim optimize``: search a defense design (positions, inventories, battery types) with Optuna."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from iadsim.errors import InputError

console = Console(highlight=False, soft_wrap=True)


def optimize(
    scenario: Path = typer.Argument(..., help="Scenario YAML file (its design is the baseline)."),
    design: Path = typer.Option(..., "--design", help="Design YAML: variables, objective, budget, runs, trials."),
    workers: int = typer.Option(2, "--workers", min=1, help="Trials run together (local processes or Dask)."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask: 'local' or tcp://host:8786."),
    out: Path | None = typer.Option(None, "--out", help="Result directory (default runs/<scenario>_optimize)."),
    allow_large: bool = typer.Option(False, "--allow-large", help="Skip the work-estimate limits."),
) -> None:
    """Find the best design of SCENARIO under DESIGN; report it and the baseline on fresh seeds."""
    from iadsim.outputs import check_output_dir
    from iadsim.studies.optimize import optimize_design, read_design

    d = read_design(design)
    out = out or Path("runs") / f"{scenario.stem}_optimize"
    check_output_dir(out)
    try:
        res = optimize_design(scenario, d, workers=workers, scheduler=scheduler, out=out, allow_large=allow_large,
                              progress=lambda done, total: console.print(f"trials {done}/{total}", end="\r"))
    except OSError as exc:
        raise InputError(f"cannot write the result directory: {exc.strerror or exc}", file=str(out)) from None
    fb, f0, dd = res.fresh_best, res.fresh_baseline, res.fresh_difference
    console.print(f"best design: {res.best} (tuning mean {res.best_tuning:.4g} over {d.runs} seeds)")
    console.print(f"fresh seeds ({d.fresh_runs}): best {fb['mean']:.4g} [{fb['ci95'][0]:.4g}, {fb['ci95'][1]:.4g}], "
                  f"baseline {f0['mean']:.4g} [{f0['ci95'][0]:.4g}, {f0['ci95'][1]:.4g}], "
                  f"difference {dd['mean']:.4g} [{dd['ci95'][0]:.4g}, {dd['ci95'][1]:.4g}]")
    console.print(f"result directory: {out} (optimize.json, trials.parquet, history.png)")
