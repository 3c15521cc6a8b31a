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
    first_seed: int = typer.Option(0, "--first-seed", help="Seeds are first_seed .. first_seed + runs - 1."),
    workers: int = typer.Option(2, "--workers", min=1, help="Local worker processes."),
    out: Path | None = typer.Option(None, "--out", help="Study directory (default runs/<scenario>_mc)."),
) -> None:
    """Run RUNS replications of SCENARIO; resume an interrupted study in the same --out directory."""
    from iadsim.montecarlo import run_monte_carlo
    from iadsim.scenario import load_scenario

    load_scenario(scenario)  # bad input stops here, before any worker starts
    out = out or Path("runs") / f"{scenario.stem}_mc"
    if out.exists() and not out.is_dir():
        raise InputError("exists and is not a directory", file=str(out), field="--out")
    seeds = range(first_seed, first_seed + runs)
    with Progress(TextColumn("[bold]replications"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task("mc", total=runs)
        result = run_monte_carlo(scenario, seeds, workers=workers, out=out,
                                 progress=lambda done, total: bar.update(task, completed=done))
    t = Table(title=f"{scenario.name}: {result.stats['replications']} replications", title_justify="left")
    for col in ("metric", "mean", "95% CI", "std"):
        t.add_column(col, justify="left" if col == "metric" else "right")
    for k in SHOWN:
        s = result.stats.get(k)
        if s:
            t.add_row(k, f"{s['mean']:.4g}", f"[{s['ci95'][0]:.4g}, {s['ci95'][1]:.4g}]", f"{s['std']:.3g}")
    console.print(t)
    console.print(f"study directory: {out} (replications/*.parquet, summary.json)")
