"""Reading a run directory back: the one checked entry point for tools that consume a run.

A run directory (written by :meth:`iadsim.engine.result.RunResult.write`) holds ``manifest.json``,
``summary.json``, ``layout.json`` (the scenario's static picture: assets, sensors with their coverage,
fire units with their envelope reach, raids, the origin) and the Parquet tables ``events``, ``truth``,
``tracks`` and ``engagements``. :func:`read_run_dir` checks what is there and that the run was written by
this version of iadsim's run-directory format, and raises :class:`~iadsim.errors.InputError` (one line:
the file and what is wrong) otherwise; tables are read on first use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from iadsim.errors import InputError

#: version of the run-directory layout; bumped when a file or column changes meaning
RUN_FORMAT = 2
TABLES = ("events", "truth", "tracks", "engagements")
FILES = ("manifest.json", "summary.json", "layout.json")


@dataclass
class RunDir:
    """A checked run directory: ``manifest``, ``summary`` and ``layout`` dicts; :meth:`table` reads one table."""

    path: Path
    manifest: dict
    summary: dict
    layout: dict
    _tables: dict = field(default_factory=dict, repr=False)

    def table(self, name: str):
        """The ``pyarrow.Table`` ``name`` (one of :data:`TABLES`), read once."""
        if name not in TABLES:
            raise KeyError(name)
        if name not in self._tables:
            import pyarrow.parquet as pq

            p = self.path / f"{name}.parquet"
            try:
                self._tables[name] = pq.read_table(p)
            except Exception as exc:  # pyarrow raises several types for a damaged file
                raise InputError(f"not a readable Parquet table ({type(exc).__name__})", file=str(p)) from None
        return self._tables[name]


def _json(p: Path) -> dict:
    from iadsim.fileio import load_json  # the guarded reader: size, UTF-8, strict JSON, bounded nesting

    data = load_json(p, "json")
    if not isinstance(data, dict):
        raise InputError("expected a JSON object", file=str(p))
    return data


def read_run_dir(path: str | Path) -> RunDir:
    """Open and check the run directory ``path`` (module docstring)."""
    from iadsim import __version__

    d = Path(path)
    if not d.is_dir():
        raise InputError("not a run directory (no such directory)", file=str(d))
    missing = [f for f in FILES + tuple(f"{t}.parquet" for t in TABLES) if not (d / f).is_file()]
    if missing:
        raise InputError(f"not a complete run directory: missing {', '.join(missing)}", file=str(d))
    manifest = _json(d / "manifest.json")
    fmt = manifest.get("run_format")
    if fmt != RUN_FORMAT:
        raise InputError(f"written by iadsim {manifest.get('iadsim_version', '?')} in run format {fmt}; this is "
                         f"iadsim {__version__} (run format {RUN_FORMAT}): run the scenario again",
                         file=str(d / "manifest.json"))
    return RunDir(path=d, manifest=manifest, summary=_json(d / "summary.json"), layout=_json(d / "layout.json"))
