"""iadsim: an integrated air and missile defense simulator and battle-management toolkit.

Public API::

    import iadsim
    scenario = iadsim.load_scenario("examples/scenarios/quickstart.yaml")
    result = iadsim.simulate(scenario, seed=1)
    result.summary            # dict, as in summary.json
    result.write("runs/quickstart")

The names are imported on first use (PEP 562 module ``__getattr__``), so ``import iadsim`` - and the
command line's start-up - does not load scipy, pint, numba or the engine until they are needed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

#: public name -> module that defines it (imported on first attribute access)
_LAZY = {
    "RunResult": "iadsim.engine",
    "simulate": "iadsim.engine",
    "run_monte_carlo": "iadsim.montecarlo",
    "load_scenario": "iadsim.scenario",
}

__all__ = ["RunResult", "__version__", "load_scenario", "run_monte_carlo", "simulate"]

if TYPE_CHECKING:  # for type checkers and IDEs only
    from iadsim.engine import RunResult, simulate
    from iadsim.montecarlo import run_monte_carlo
    from iadsim.scenario import load_scenario


def __getattr__(name: str):
    module = _LAZY.get(name)
    if name.startswith("__"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if module is not None:
        value = getattr(importlib.import_module(module), name)
    else:
        # subpackages (``iadsim.engine``, ``iadsim.tracking``, ...) as attributes, as before they were lazy
        try:
            value = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
