"""The HTML report of a run or of a Monte Carlo study: one self-contained file.

``build_report(path, out=None)`` reads a run directory (through :func:`iadsim.rundir.read_run_dir`) or a
study directory (:func:`iadsim.report.study.read_study_dir`), fills a Jinja2 template and writes one HTML
file (default ``path/report.html``) that opens offline: the CSS is in the page, the figures are inline
SVG made by matplotlib, and nothing refers to a resource outside the file.

A run's page: the scenario (name, file, hash, seed, iadsim version), the outcome per threat class and per
asset, the interceptors fired and their cost, the cost-exchange ratio and the engagement results (all of
them the numbers of ``summary.json``, not recomputed), and the figures of :mod:`iadsim.report.figures`: the
engagement map, the timeline, magazines and fire channels per fire unit, intercept altitude and range per
layer, GOSPA and its parts over time, and the tracker's position error against truth (derived from the
tables by :mod:`iadsim.report.series`). A study's page: the statistics of ``summary.json`` (mean, standard
deviation, 95 % CI), the distributions of leakage, assets lost and interceptor cost over the replications,
and for a sweep the curves of those metrics against each swept parameter.

The same directory gives the same bytes (fixed SVG id salts, no dates).
"""

from __future__ import annotations

from pathlib import Path

from iadsim.errors import InputError

__all__ = ["build_report"]


def build_report(path: str | Path, out: str | Path | None = None) -> Path:
    """Write the report of the run or study directory ``path`` to ``out`` (default ``path/report.html``)."""
    from iadsim.report.render import run_html, study_html, write_report
    from iadsim.report.study import is_study_dir, read_study_dir

    d = Path(path)
    if is_study_dir(d):
        html = study_html(read_study_dir(d))
    elif d.is_dir() and not (d / "manifest.json").exists():
        raise InputError("neither a run directory (manifest.json, summary.json, layout.json, tables) nor a Monte "
                         "Carlo study directory (replications/, summary.json)", file=str(d))
    else:
        from iadsim.rundir import read_run_dir

        html = run_html(read_run_dir(d))
    return write_report(html, Path(out) if out is not None else d / "report.html")
