"""The simulation engine: one replication as a pure function ``simulate(compiled, seed)``."""

from iadsim.engine.result import RunResult
from iadsim.engine.simulation import Simulation, simulate

__all__ = ["RunResult", "Simulation", "simulate"]
