"""``iadsim sweep``: a grid or Latin-hypercube sweep of scenario fields under common random numbers."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from iadsim.errors import InputError

console = Console(highlight=False, soft_wrap=True)


def sweep(
    scenario: Path = typer.Argument(..., help="Scenario YAML file."),
    vary: list[str] = typer.Option([], "--vary", help="PATH=VALUES [UNIT]: 'raids.Drones.count=50:500:50', "
                                   "'fire_units.Alpha-1.reserve=0,8,16', 'sensors.FCR-1.facing=250:290 deg' "
                                   "(bounds, for --design lhs). Repeat for several parameters."),
    file: Path | None = typer.Option(None, "--file", help="Sweep YAML (vary, design, samples, design_seed, "
                                     "runs, first_seed); --vary adds to its parameters."),
    design: str | None = typer.Option(None, "--design", help="grid (default) or lhs (Latin hypercube)."),
    samples: int | None = typer.Option(None, "--samples", min=1, help="Points of a Latin hypercube (default 10)."),
    design_seed: int | None = typer.Option(None, "--design-seed", min=0, help="Seed of the Latin hypercube."),
    runs: int | None = typer.Option(None, "--runs", min=1, help="Replications per point (default 30)."),
    first_seed: int | None = typer.Option(None, "--first-seed", help="The same seeds first_seed.. at every point."),
    workers: int = typer.Option(2, "--workers", min=1, help="Local worker processes (or LocalCluster workers)."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask: 'local' (a LocalCluster) or the "
                                         "address of a running scheduler (tcp://host:8786)."),
    out: Path | None = typer.Option(None, "--out", help="Study directory (default runs/<scenario>_sweep)."),
    allow_large: bool = typer.Option(False, "--allow-large",
                                     help="Run even when a point's work estimate is above the limits."),
) -> None:
    """Run every point of a sweep over SCENARIO with the same seeds; resume in the same --out directory."""
    from iadsim.engine.simulation import check_seed
    from iadsim.outputs import check_output_dir
    from iadsim.studies.sweep import parse_vary, read_sweep_file, run_sweep

    spec = read_sweep_file(file) if file is not None else {}
    texts = list(spec.get("vary", [])) + list(vary)
    params = [parse_vary(t) for t in texts]
    design = design or spec.get("design", "grid")
    samples = samples or spec.get("samples", 10)
    design_seed = design_seed if design_seed is not None else spec.get("design_seed", 0)
    runs = runs or spec.get("runs", 30)
    first_seed = first_seed if first_seed is not None else spec.get("first_seed", 0)
    check_seed(first_seed)
    check_seed(first_seed + runs - 1)
    out = out or Path("runs") / f"{scenario.stem}_sweep"
    check_output_dir(out)
    with Progress(TextColumn("[bold]replications"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task("sweep", total=None)
        try:
            result = run_sweep(scenario, params, range(first_seed, first_seed + runs), design=design,
                               samples=samples, design_seed=design_seed, workers=workers, scheduler=scheduler,
                               out=out, allow_large=allow_large,
                               progress=lambda done, total: bar.update(task, completed=done, total=total))
        except OSError as exc:
            raise InputError(f"cannot write the study directory: {exc.strerror or exc}", file=str(out)) from None
    t = Table(title=f"{scenario.name}: {len(result.points)} points x {runs} replications", title_justify="left")
    for p in result.params:
        t.add_column(p.path.text + (f" ({p.unit})" if p.unit else ""), justify="right")
    for col in ("leakage", "95% CI", "assets lost", "interceptor cost"):
        t.add_column(col, justify="right")
    for pt, st in zip(result.points, result.point_stats, strict=True):
        lk = st.get("leakage", {})
        lo, hi = lk.get("ci95", [float("nan")] * 2)
        t.add_row(*(f"{v:g}" for v in pt), f"{lk.get('mean', float('nan')):.3f}",
                  f"[{lo:.3f}, {hi:.3f}]" if lo == lo else "n/a",
                  f"{st.get('assets_lost', {}).get('mean', float('nan')):.3g}",
                  f"{st.get('interceptor_cost', {}).get('mean', float('nan')):.4g}")
    console.print(t)
    console.print(f"study directory: {out} (replications/*.parquet, points.parquet, summary.json); "
                  f"curves: iadsim report {out}")
