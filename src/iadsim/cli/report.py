"""``iadsim report``: one self-contained HTML report of a run or Monte Carlo study directory.

matplotlib and Jinja2 are imported inside the command (through :mod:`iadsim.report`), so ``iadsim --help``
does not load them.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

console = Console(highlight=False, soft_wrap=True)


def report(
    directory: Path = typer.Argument(..., metavar="RUN_DIR|STUDY_DIR",
                                     help="A run directory (iadsim run) or a study directory (iadsim mc)."),
    out: Path | None = typer.Option(None, "--out", help="The HTML file (default DIRECTORY/report.html)."),
) -> None:
    """Write the HTML report of a run or study directory: one file that opens offline."""
    from iadsim.report import build_report

    console.print(f"report: {build_report(directory, out)}")
