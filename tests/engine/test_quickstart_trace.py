"""Exact event trace of ``quickstart.yaml`` (seed 1): launches, engagements, intercepts, assessments, leaks.

The golden file is the reviewed trace of the current models; a change to any stage of the kill chain that
alters behaviour shows up here as a readable diff. Regenerate deliberately with
``IADSIM_REGEN_TRACE=1 pytest tests/engine/test_quickstart_trace.py`` and review the diff.
"""

import json
import os
from pathlib import Path

import iadsim

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "data" / "quickstart_seed1_trace.json"


def trace(result):
    ev = result.tables["events"].to_pydict()
    return [[round(t, 3), k, th, tr, fu, d] for t, k, th, tr, fu, d in zip(
        ev["time"], ev["kind"], ev["threat"], ev["track"], ev["fire_unit"], ev["detail"], strict=True)]


def test_quickstart_trace():
    result = iadsim.simulate(iadsim.load_scenario(ROOT / "examples" / "scenarios" / "quickstart.yaml"), seed=1)
    got = trace(result)
    if os.environ.get("IADSIM_REGEN_TRACE"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text("[\n" + ",\n".join(json.dumps(row) for row in got) + "\n]\n")
    expected = json.loads(GOLDEN.read_text())
    assert got == expected
    # the trace tells a coherent story: every kill follows a launch of an interceptor at that track
    launched_tracks = {row[3] for row in got if row[1] == "interceptor_launch"}
    assert all(row[3] in launched_tracks for row in got if row[1] in ("intercept", "miss"))
    kinds = {row[1] for row in got}
    assert {"threat_launch", "interceptor_launch", "intercept", "kill_assessment"} <= kinds
