"""Studies over a scenario: parameter sweeps (full grids, Latin hypercubes) and defense design optimisation.

A study varies fields of the scenario's own data, addressed by a path (:mod:`iadsim.studies.paths`), runs
every point with the same seeds (common random numbers) through the Monte Carlo backends of
:mod:`iadsim.montecarlo` (this process, a local process pool or Dask), and writes one resumable study
directory. :func:`run_sweep` and :func:`optimize_design` are the front doors.
"""

from iadsim.studies.paths import ScenarioPath, parse_path
from iadsim.studies.sweep import Param, SweepResult, grid_design, lhs_design, parse_vary, run_sweep

__all__ = ["Param", "ScenarioPath", "SweepResult", "grid_design", "lhs_design", "parse_path", "parse_vary",
           "run_sweep"]
