"""``iadsim track``: run the multi-target tracker over a detections CSV (file formats in
:mod:`iadsim.tracking.io`)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console


def track(
    detections: Annotated[Path, typer.Argument(help="Detections CSV: time, sensor, range, azimuth"
                                               "[, elevation][, range_rate] (SI units, azimuth in rad "
                                               "clockwise from north).")],
    sensors: Annotated[Path, typer.Option("--sensors", help="Sensors YAML (positions, measures, sigmas).")],
    out: Annotated[Path, typer.Option("--out", help="Tracks CSV to write.")],
    truth: Annotated[Path | None, typer.Option("--truth", help="Truth CSV: time, id, east, north, up.")]
    = None,
    gospa_c: Annotated[float, typer.Option("--gospa-c", help="GOSPA cut-off c (m).")] = 1000.0,
) -> None:
    """Track detections from one or more radars; write confirmed tracks; score against truth if given."""
    from iadsim.errors import InputError
    from iadsim.outputs import check_output_file
    from iadsim.tracking.io import track_files

    if not (gospa_c > 0 and math.isfinite(gospa_c)):
        raise InputError("must be a positive, finite distance in metres", field="--gospa-c")
    check_output_file(out)  # before reading and tracking
    res = track_files(detections, sensors, truth=truth, out=out, gospa_c=gospa_c)
    con = Console(highlight=False)
    con.print(f"{res.n_scans} scans, {res.n_tracks} confirmed tracks, {len(res.rows)} rows -> {out}")
    if res.mean_gospa is not None:
        con.print(f"mean GOSPA ({res.gospa_dims}-D, c={gospa_c:g} m, p=2, alpha=2): {res.mean_gospa:.2f} m")
