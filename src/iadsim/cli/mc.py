"""``iadsim mc``: Monte Carlo over seeds, resumable, with 95 % confidence intervals."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from iadsim.errors import InputError

console = Console(highlight=False, soft_wrap=True)

SHOWN = ("threats_launched", "threats_intercepted", "threats_leaked", "leakage", "assets_lost",
         "value_surviving_fraction", "interceptors_fired", "interceptor_cost", "gospa_mean_m", "wall_s")


def mc(
    scenario: Path = typer.Argument(..., help="Scenario YAML file."),
    runs: int = typer.Option(50, "--runs", min=1, help="Number of replications."),
    first_seed: int = typer.Option(0, "--first-seed", help="Seeds are first_seed .. first_seed + runs - 1 (>= 0)."),
    workers: int = typer.Option(2, "--workers", min=1, help="Local worker processes."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask: 'local' (a LocalCluster of --workers "
                                         "processes) or the address of a running scheduler (tcp://host:8786)."),
    out: Path | None = typer.Option(None, "--out", help="Study directory (default runs/<scenario>_mc)."),
    allow_large: bool = typer.Option(False, "--allow-large",
                                     help="Run even when the scenario's work estimate is above the limits."),
) -> None:
    """Run RUNS replications of SCENARIO; resume an interrupted study in the same --out directory."""
    from iadsim.engine.simulation import check_seed
    from iadsim.montecarlo import run_monte_carlo
    from iadsim.outputs import check_output_dir
    from iadsim.scenario import load_scenario

    check_seed(first_seed)
    check_seed(first_seed + runs - 1)
    out = out or Path("runs") / f"{scenario.stem}_mc"
    check_output_dir(out)  # before anything runs: a file in the way or an unwritable place stops here
    load_scenario(scenario, allow_large=allow_large)  # bad input stops here, before any worker starts
    seeds = range(first_seed, first_seed + runs)
    with Progress(TextColumn("[bold]replications"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task("mc", total=runs)
        try:
            result = run_monte_carlo(scenario, seeds, workers=workers, out=out, allow_large=allow_large,
                                     scheduler=scheduler,
                                     progress=lambda done, total: bar.update(task, completed=done))
        except OSError as exc:
            raise InputError(f"cannot write the study directory: {exc.strerror or exc}", file=str(out)) from None
    t = Table(title=f"{scenario.name}: {result.stats['replications']} replications", title_justify="left")
    for col in ("metric", "mean", "95% CI", "std"):
        t.add_column(col, justify="left" if col == "metric" else "right")
    for k in SHOWN:
        s = result.stats.get(k)
        if s:
            lo, hi = s["ci95"]
            ci = f"[{lo:.4g}, {hi:.4g}]" if lo == lo else "n/a (one replication)"
            t.add_row(k, f"{s['mean']:.4g}", ci, f"{s['std']:.3g}")
    console.print(t)
    console.print(f"study directory: {out} (study.json, replications/*.parquet, summary.json)")
