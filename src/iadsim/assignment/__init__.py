"""Static weapon-target assignment (WTA): problem, solvers and instance I/O.

>>> import numpy as np
>>> from iadsim.assignment import WTAProblem, solve_wta
>>> prob = WTAProblem(values=[100.0, 50.0], pk=[[0.8, 0.6], [0.5, 0.9]], counts=[1, 1])
>>> res = solve_wta(prob, method="exact")
>>> res.x.tolist(), round(res.objective, 6), res.status
([[1, 0], [0, 1]], 25.0, 'optimal')
"""

from iadsim.assignment.problem import WTAProblem, WTAResult, evaluate
from iadsim.assignment.solve import METHODS, solve_wta

__all__ = ["WTAProblem", "WTAResult", "solve_wta", "evaluate", "METHODS"]
