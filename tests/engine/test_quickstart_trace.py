"""Exact event trace of ``quickstart.yaml`` (seed 1), and the facts it must obey whatever the golden file says.

The golden file is the reviewed trace of the current models: a change to any stage of the kill chain that
alters behaviour shows up as a readable diff. Regenerate deliberately with
``IADSIM_REGEN_TRACE=1 pytest tests/engine/test_quickstart_trace.py`` and review the diff. Because a
regenerated file only detects change, the same trace is also checked against facts derived independently
of the engine: launch times from the raid draw, interceptor times of flight from the interceptor type,
every kill before the threat's own end of flight and inside the lethality model's support.
"""

import json
import os
from pathlib import Path

import numpy as np

import iadsim
from iadsim.engagement.lethality import kind_code_of, support_radius
from iadsim.engine.simulation import Simulation

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "data" / "quickstart_seed1_trace.json"


def trace(result):
    ev = result.tables["events"].to_pydict()
    return [[round(t, 3), k, th, tr, fu, d] for t, k, th, tr, fu, d in zip(
        ev["time"], ev["kind"], ev["threat"], ev["track"], ev["fire_unit"], ev["detail"], strict=True)]


def test_quickstart_trace():
    c = iadsim.load_scenario(ROOT / "examples" / "scenarios" / "quickstart.yaml")
    sim = Simulation(c, 1)
    result = sim.run()
    got = trace(result)
    if os.environ.get("IADSIM_REGEN_TRACE"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text("[\n" + ",\n".join(json.dumps(row) for row in got) + "\n]\n")
    expected = json.loads(GOLDEN.read_text())
    assert got == expected

    # threat launches at the times the raid draw gives: sorted uniforms over each raid's window
    launches = {row[2]: row[0] for row in got if row[1] == "threat_launch"}
    assert sorted(launches) == list(range(len(sim.threats)))
    rng = np.random.default_rng(np.random.SeedSequence(1, spawn_key=(__import__("zlib").crc32(b"raid"),)))
    expect = []
    for raid in c.raids:
        t = np.sort(rng.uniform(raid.t_start, raid.t_end, raid.count)) if raid.t_end > raid.t_start else \
            np.full(raid.count, raid.t_start)
        rng.random(raid.count), rng.random(raid.count)  # the launch-disc draws that follow
        expect += t.tolist()
    np.testing.assert_allclose([launches[i] for i in range(len(expect))], expect, atol=5e-4)

    # interceptors fly for less than the type's maximum flight time and at least its minimum range's worth
    spec = c.interceptor_types[0][1]
    eng = result.tables["engagements"].to_pydict()
    rounds = [row for row in got if row[1] == "interceptor_launch"]
    assert len(rounds) == sum(eng["salvo"])
    for e in range(len(eng["engagement"])):
        t_launch = eng["t_launch"][e]
        if np.isfinite(eng["t_intercept"][e]):
            tof = eng["t_intercept"][e] - t_launch
            assert 0.0 < tof <= spec.max_flight_time + spec.salvo_interval * (eng["salvo"][e] - 1) + 1e-6
    # every kill comes before the threat's end of flight, at a miss the lethality model can kill at
    r_support = float(support_radius(kind_code_of(spec.lethality.kind), spec.lethality.radius))
    kills = [e for e, r in enumerate(eng["result"]) if r == "kill"]
    assert kills, "the quickstart defense kills something"
    for e in kills:
        j = eng["threat"][e]
        assert eng["t_intercept"][e] < sim.threats.t_end[j]
        assert eng["miss_distance"][e] <= r_support
        assert spec.min_altitude <= eng["intercept_alt"][e] <= spec.max_altitude
    # the trace tells a coherent story: every kill or miss follows a launch at that track
    launched_tracks = {row[3] for row in rounds}
    assert all(row[3] in launched_tracks for row in got if row[1] in ("intercept", "miss"))
    kinds = {row[1] for row in got}
    assert {"threat_launch", "interceptor_launch", "intercept", "kill_assessment"} <= kinds
