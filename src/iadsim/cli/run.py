"""``iadsim run``, ``iadsim validate`` and ``iadsim schema``: thin commands over the Python API.

The scenario loader (pydantic models, the pint registry) and the engine are imported inside the commands,
so ``iadsim --help`` does not load them.
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from iadsim.errors import InputError

console = Console(highlight=False, soft_wrap=True)


#: wall time (s) between two draws of ``iadsim run``'s progress bar
PROGRESS_REFRESH = 0.25

ALLOW_LARGE_HELP = "Run even when the scenario's work estimate is above the limits (iadsim.scenario.work)."


def run(
    scenario: Path = typer.Argument(..., help="Scenario YAML file."),
    seed: int = typer.Option(0, "--seed", help="Replication seed, 0 to 2^63 - 1 (same seed, same results)."),
    out: Path | None = typer.Option(None, "--out", help="Run directory (default runs/<scenario>_seed<N>)."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace a non-empty run directory (whole)."),
    allow_large: bool = typer.Option(False, "--allow-large", help=ALLOW_LARGE_HELP),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
    report: bool = typer.Option(False, "--report", help="Also write the HTML report (report.html) into the run "
                                "directory."),
    dis: str | None = typer.Option(None, "--dis", help="Send DIS PDUs to HOST:PORT or PORT (default host 127.0.0.1)."),
    dis_file: Path | None = typer.Option(None, "--dis-file", help="Record the DIS PDUs to a pcap file."),
    dis_broadcast: bool = typer.Option(False, "--dis-broadcast", help="Allow --dis to a broadcast address."),
) -> None:
    """Simulate one replication of SCENARIO, print its summary and write the run directory."""
    from iadsim.cli import START
    from iadsim.engine import simulate
    from iadsim.engine.simulation import check_seed
    from iadsim.outputs import check_output_dir
    from iadsim.scenario import load_scenario

    check_seed(seed)
    out = out or Path("runs") / f"{scenario.stem}_seed{seed}"
    check_output_dir(out, overwrite=overwrite)  # before the run, not after it
    compiled = load_scenario(scenario, allow_large=allow_large)
    # the load phase is the command's start to the compiled scenario (imports included)
    compiled = dataclasses.replace(compiled, load_s=time.perf_counter() - START)
    observers, sinks = [], []
    if dis is not None or dis_file is not None:  # DIS out (iadsim.dis.output): the same results, also on DIS
        from iadsim.cli.dis import dis_sinks
        from iadsim.dis.output import DisOutput

        sinks = dis_sinks(dis, dis_file, dis_broadcast, compiled.scenario.start.timestamp())
        observers.append(DisOutput(sinks))
    try:
        if quiet:
            result = simulate(compiled, seed, observers=observers)
        else:
            # drawn from the run's own progress calls, at most every PROGRESS_REFRESH s of wall time: rich's
            # refresh thread (10 draws a second) cost about 3 % of a short run in a terminal
            with Progress(TextColumn("[bold]simulating"), BarColumn(), TextColumn("{task.fields[t]}"),
                          TimeElapsedColumn(), console=console, transient=True, auto_refresh=False) as bar:
                task = bar.add_task("sim", total=compiled.duration, t="")
                drawn = [time.perf_counter()]

                def progress(t: float) -> None:
                    now = time.perf_counter()
                    if now - drawn[0] >= PROGRESS_REFRESH or t >= compiled.duration:
                        drawn[0] = now
                        bar.update(task, completed=t, t=f"t = {t:7.0f} / {compiled.duration:.0f} s", refresh=True)

                result = simulate(compiled, seed, progress=progress, observers=observers)
    finally:
        for s in sinks:
            s.close()
    try:
        path = result.write(out, overwrite=overwrite)
    except OSError as exc:
        raise InputError(f"cannot write the run directory: {exc.strerror or exc}", file=str(out)) from None
    print_summary(result.summary)
    if observers:
        from iadsim.cli.dis import dis_line

        console.print(dis_line(observers[0].counts))
    console.print(f"run directory: {path}")
    if report:
        from iadsim.report import build_report

        console.print(f"report: {build_report(path)}")


def print_summary(s: dict) -> None:
    """The summary tables of one run."""
    t = Table(title=f"{s['scenario']} (seed {s['seed']})", title_justify="left")
    for col in ("threat class", "launched", "intercepted", "leaked", "in flight"):
        t.add_column(col, justify="left" if col == "threat class" else "right")
    for name, row in s["threats"]["by_class"].items():
        t.add_row(name, *(str(row[k]) for k in ("launched", "intercepted", "leaked", "in_flight")))
    tot = s["threats"]["total"]
    t.add_row("[bold]total", *(f"[bold]{tot[k]}" for k in ("launched", "intercepted", "leaked", "in_flight")))
    console.print(t)
    w = Table(title="interceptors", title_justify="left")
    w.add_column("type")
    w.add_column("fired", justify="right")
    w.add_column("cost (USD)", justify="right")
    for name, row in s["interceptors"]["by_type"].items():
        w.add_row(name, str(row["fired"]), f"{row['cost']:,.0f}")
    console.print(w)
    a = s["assets"]
    cost = s["cost"]
    cer = cost["exchange_ratio"]
    tr = s["tracking"]
    tm = s["time"]
    lines = [
        f"assets surviving: {a['surviving']} of {a['total']}"
        + (f" (destroyed: {', '.join(a['destroyed'])})" if a["destroyed"] else ""),
        f"value surviving: {a['value_surviving']:.0f} of {a['value_total']:.0f}",
        f"engagements: {s['engagements']['total']} ("
        + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in s["engagements"].items()
                    if k not in ("total", "miss_distance_median_m"))
        + (f"; median miss {s['engagements']['miss_distance_median_m']:.1f} m"
           if s["engagements"].get("miss_distance_median_m") is not None else "") + ")",
        "cost exchange ratio (interceptor cost / destroyed threat cost): "
        + (f"{cer:.2f}" if cer is not None else "n/a")
        + f"  [{cost['interceptors_fired']:,.0f} / {cost['threats_destroyed']:,.0f} USD]",
        f"tracking: mean GOSPA {tr.get('gospa_mean_m') or 0:.0f} m, {tr.get('track_breaks', 0)} track breaks, "
        f"{tr.get('id_switches', 0)} id switches, {tr['tracks_confirmed']} confirmed tracks",
        f"time: {tm['simulated_s']:.0f} s simulated in {tm['wall_s']:.2f} s wall "
        f"({tm['speedup']:.0f}x real time; "
        + ", ".join(f"{k[:-2]} {v:.2f} s" for k, v in tm.get("phases", {}).items()) + ")",
    ]
    for line in lines:
        console.print(line)


def validate(scenario: Path = typer.Argument(..., help="Scenario YAML file."),
             allow_large: bool = typer.Option(False, "--allow-large", help=ALLOW_LARGE_HELP)) -> None:
    """Validate SCENARIO (schema, units, catalog types, cross-references, work estimate) without running it."""
    from iadsim.scenario import load_scenario

    c = load_scenario(scenario, allow_large=allow_large)
    w = c.work
    console.print(f"ok: {scenario}: {c.scenario.name!r}: {len(c.assets.names)} assets, {len(c.radars)} sensors, "
                  f"{len(c.fire_units)} fire units, {len(c.raids)} raids, {c.n_threats} threats, "
                  f"{c.duration:.0f} s; work: {w['radar_scans']:,} radar scans, {w['c2_cycles']:,} command-post "
                  f"cycles, {w['truth_samples']:,} truth samples")


def schema(out: Path | None = typer.Option(None, "--out", help="Write to a file instead of stdout.")) -> None:
    """Print the JSON Schema of the scenario language."""
    from iadsim.fileio import write_text_atomic
    from iadsim.outputs import check_output_file
    from iadsim.scenario import Scenario

    if out is not None:
        check_output_file(out)
    text = json.dumps(Scenario.model_json_schema(), indent=2)
    if out is None:
        typer.echo(text)
    else:
        try:
            write_text_atomic(out, text + "\n")
        except OSError as exc:
            raise InputError(f"cannot write: {exc.strerror or exc}", file=str(out), field="--out") from None
