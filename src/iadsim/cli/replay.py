"""``iadsim replay`` (the run in a browser) and ``iadsim export`` (its trajectories as CZML and KML)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from iadsim.errors import InputError

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def replay(
    run_dir: Path = typer.Argument(..., help="Run directory written by `iadsim run --out`."),
    out: Path | None = typer.Option(None, "--out", help="Write the page as a static folder instead of serving it."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to serve on (other than loopback: a warning)."),
    port: int = typer.Option(0, "--port", min=0, max=65535, help="Port to serve on (0: the OS chooses)."),
    no_browser: bool = typer.Option(False, "--no-browser", help="Do not open the web browser."),
    max_points: int = typer.Option(250_000, "--max-points", min=1000,
                                   help="Budget of trajectory points; larger runs are decimated in time."),
) -> None:
    """Replay RUN_DIR in the browser: map, MIL-STD-2525 symbols, tracks, engagements, time slider."""
    import webbrowser

    from iadsim.replay.data import replay_document
    from iadsim.replay.serve import ReplayServer, is_loopback, write_static
    from iadsim.rundir import read_run_dir

    doc = replay_document(read_run_dir(run_dir), max_points=max_points)
    dec = doc["decimation"]
    if dec["stride"] > 1:
        console.print(f"decimated for the page: {dec['rows']} samples, {dec['kept']} kept (one in {dec['stride']})")
    if out is not None:
        index = write_static(doc, out)
        console.print(f"replay written to {out}/ (open {index})")
        if not no_browser:
            webbrowser.open(index.resolve().as_uri())
        return
    if not is_loopback(host):
        err_console.print(f"warning: serving on {host}: the replay is reachable from other machines", markup=False)
    server = ReplayServer(doc, host, port)
    console.print(f"replay of {run_dir} at {server.url} (Ctrl-C to stop)")
    if not no_browser:
        webbrowser.open(server.url)
    # Ctrl-C stops the server even when the parent process started us with SIGINT ignored (a disposition a
    # child inherits, e.g. from a test runner or a process pool that ignores it)
    import signal

    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        console.print("stopped")
    finally:
        server.httpd.server_close()


def export(
    run_dir: Path = typer.Argument(..., help="Run directory written by `iadsim run --out`."),
    czml: Path | None = typer.Option(None, "--czml", help="Write the trajectories as CZML (Cesium) to this file."),
    kml: Path | None = typer.Option(None, "--kml", help="Write the trajectories as KML (Google Earth) to this file."),
) -> None:
    """Export the trajectories of RUN_DIR (threats, interceptors, units) as CZML and/or KML."""
    if czml is None and kml is None:
        raise InputError("nothing to export: give --czml FILE and/or --kml FILE")
    from iadsim.replay.export import write_czml, write_kml
    from iadsim.rundir import read_run_dir

    run = read_run_dir(run_dir)
    if czml is not None:
        console.print(f"CZML: {write_czml(run, czml)}")
    if kml is not None:
        console.print(f"KML: {write_kml(run, kml)}")
