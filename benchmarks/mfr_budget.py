"""The multifunction radar time budget in a run: the scenario of tests/sensors/test_scheduler.py with the
catalog budget and with 60 ms track dwells; prints revisit intervals by class, search, detections, channels.

    python benchmarks/mfr_budget.py
"""

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "sensors"))
from test_scheduler import BUDGET, ENGAGED, OTHER, THREATENING, _intervals, _run  # noqa: E402

for label, budget in (("catalog", None), ("60 ms dwells", {**BUDGET, "track_dwell": "60 ms"})):
    t0 = time.perf_counter()
    sim, res = _run(budget)
    s = sim.schedulers[0]
    frac = np.array([f for *_, f in s.frames])
    print(f"{label}: {time.perf_counter() - t0:.1f} s wall, channels {sim.fire_units.radar_channels[1].tolist()}, "
          f"search < whole sector in {(frac < 1).mean():.0%} of frames, {sim.n_detections} detections, "
          f"{res.summary['threats']['total']['intercepted']} intercepted")
    for name, c in (("engaged", ENGAGED), ("threatening", THREATENING), ("other", OTHER)):
        iv = _intervals(s, c)
        print(f"  {name}: {iv.size} intervals, median {np.median(iv):.1f} s, mean {iv.mean():.2f} s")
