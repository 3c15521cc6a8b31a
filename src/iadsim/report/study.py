"""Reading a Monte Carlo study directory back (written by :func:`iadsim.montecarlo.run_monte_carlo`).

A study directory holds ``replications/seed=<seed>.parquet`` (one row per replication, the metrics of
:func:`iadsim.montecarlo.replication_row`), ``summary.json`` (mean, standard deviation, 95 % CI and ``n`` of
every metric, and ``replications``) and, when the writer records one, a ``manifest.json``.
:func:`read_study_dir` checks that the parts are readable one-row tables with a ``seed``, that the summary
is a JSON object covering exactly those replications (an interrupted study has parts but a summary of an
earlier pass, or none), and raises :class:`~iadsim.errors.InputError` with one line otherwise.

Sweeps. A study whose rows carry columns named ``sweep_<parameter>`` (numbers) is a sweep over those
parameters; :attr:`StudyDir.sweep` lists them, and the report draws each metric's mean and CI against
each parameter (the rows grouped by its value, statistics by :func:`iadsim.montecarlo.summarize_rows`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from iadsim.errors import InputError
from iadsim.rundir import _json  # the run directory's checked JSON-object reader (one-line errors)

SWEEP_PREFIX = "sweep_"


@dataclass
class StudyDir:
    """A checked study directory: ``rows`` (sorted by seed), ``summary``, ``manifest`` (or ``None``), ``sweep``."""

    path: Path
    rows: list[dict]
    summary: dict
    manifest: dict | None
    sweep: list[str]


def is_study_dir(path: str | Path) -> bool:
    """Whether ``path`` looks like a study directory (it has ``replications/``)."""
    return (Path(path) / "replications").is_dir()


def read_study_dir(path: str | Path) -> StudyDir:
    """Open and check the study directory ``path`` (module docstring)."""
    import pyarrow.parquet as pq

    d = Path(path)
    parts_dir = d / "replications"
    if not parts_dir.is_dir():
        raise InputError("not a Monte Carlo study directory (no replications/)", file=str(d))
    parts = sorted(parts_dir.glob("seed=*.parquet"))
    if not parts:
        raise InputError("no replication parts (seed=*.parquet)", file=str(parts_dir))
    rows = []
    for p in parts:
        try:
            t = pq.read_table(p)
        except Exception as exc:  # pyarrow raises several types for a damaged file
            raise InputError(f"not a readable Parquet table ({type(exc).__name__})", file=str(p)) from None
        if t.num_rows != 1 or "seed" not in t.column_names:
            raise InputError(f"expected one replication row with a seed column, found {t.num_rows} rows",
                             file=str(p))
        rows.append(t.to_pylist()[0])
    rows.sort(key=lambda r: r["seed"])
    if not (d / "summary.json").is_file():
        raise InputError("missing summary.json (the study did not finish: run iadsim mc again with the same "
                         "--out to complete it)", file=str(d))
    summary = _json(d / "summary.json")
    n = summary.get("replications")
    if n != len(rows):
        raise InputError(f"summary.json covers {n} replications but replications/ holds {len(rows)}: run iadsim mc "
                         "again with the same --out to bring them together", file=str(d / "summary.json"))
    manifest = _json(d / "manifest.json") if (d / "manifest.json").is_file() else None
    sweep = sorted({k for r in rows for k in r if k.startswith(SWEEP_PREFIX)})
    for k in sweep:
        bad = [r["seed"] for r in rows if not isinstance(r.get(k), int | float)]
        if bad:
            raise InputError(f"sweep column {k} is missing or not a number (seed {bad[0]})", file=str(parts_dir))
    return StudyDir(path=d, rows=rows, summary=summary, manifest=manifest, sweep=sweep)
