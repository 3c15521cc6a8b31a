"""iadsim: an integrated air and missile defense simulator and battle-management toolkit.

Public API::

    import iadsim
    scenario = iadsim.load_scenario("examples/scenarios/quickstart.yaml")
    result = iadsim.simulate(scenario, seed=1)
    result.summary            # dict, as in summary.json
    result.write("runs/quickstart")
"""

__version__ = "0.1.0"

from iadsim.engine import RunResult, simulate  # noqa: E402
from iadsim.montecarlo import run_monte_carlo  # noqa: E402
from iadsim.scenario import load_scenario  # noqa: E402

__all__ = ["RunResult", "__version__", "load_scenario", "run_monte_carlo", "simulate"]
