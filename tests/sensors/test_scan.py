"""Rotating-radar scan timing: each azimuth sector at its own time (iadsim.sensors.scan)."""

from pathlib import Path

import numpy as np
import pytest
import yaml

from iadsim.engine.simulation import Simulation, small_target_counting
from iadsim.frames import aer2enu, enu2aer, enu2ecef
from iadsim.scenario.load import scenario_from_data
from iadsim.sensors import Radar, RadarParams
from iadsim.sensors.scan import ScanClock

ROOT = Path(__file__).resolve().parents[2]


def test_scan_clock_cycles_the_sectors_at_the_dwell():
    clock = ScanClock([10.0, 2.0], [12, 1])
    assert clock.dwell(0) == pytest.approx(10.0 / 12) and clock.dwell(1) == 2.0
    assert [clock.step(0) for _ in range(14)] == list(range(12)) + [0, 1]
    assert clock.step(1) is None


def _rotating(**kw):
    base = dict(name="rot", lat=0.0, lon=0.0, alt=20.0, r_max=200e3, r_ref=200e3, sigma_r=10.0, sigma_az=1e-3,
                sigma_el=1e-3, sigma_rdot=1.0, sectors=12, fa_per_scan=0.0)
    base.update(kw)
    return Radar(RadarParams(**base))


def test_a_sector_sees_only_its_azimuths_and_the_tracker_counts_only_there():
    radar = _rotating()
    az = np.radians([5.0, 100.0, 200.0, 359.0])
    pos = enu2ecef(aer2enu(az, np.radians(np.full(4, 3.0)), np.full(4, 50e3)), radar.ecef, radar.C)
    seen = {}
    for j in range(12):
        det = radar.measure(0.0, pos, np.zeros_like(pos), np.full(4, 10.0), np.arange(4), np.random.default_rng(j),
                            sector=j)
        for i in det.truth_id:
            seen.setdefault(int(i), []).append(j)
        counted = small_target_counting([radar])(0, pos)
        assert counted.tolist() == [int(np.degrees(a) // 30) == j for a in az]
    assert seen == {0: [0], 1: [3], 2: [6], 3: [11]}
    with pytest.raises(ValueError, match="full circle"):
        RadarParams(name="x", lat=0, lon=0, alt=0, r_max=1e5, r_ref=1e5, sectors=4, az_width=np.radians(90))


def test_the_engine_gives_each_sector_its_own_time(tmp_path):
    """A rotating radar in a run: scan events T / S apart, sectors in turn, and every detection's true
    azimuth at its own event time inside that event's sector."""
    d = yaml.safe_load((ROOT / "examples" / "scenarios" / "quickstart.yaml").read_text())
    d["sensors"] = [{"name": "SR", "type": "doppler_surveillance_radar",
                     "position": {"lat": -20.0, "lon": -15.05, "alt": "30 m"}}]
    d["fire_units"][0]["radars"] = ["SR"]
    d["duration"] = "6 min"
    c = scenario_from_data(d)
    sim = Simulation(c, 3)
    radar = sim.radars[0]
    log = []
    real = radar.measure

    def spy(t, pos, vel, rcs, ids, rng, **kw):
        det = real(t, pos, vel, rcs, ids, rng, **kw)
        log.append((t, kw["sector"], det.truth_id[det.truth_id >= 0].copy(), pos, ids))
        return det

    radar.measure = spy
    sim.run(tables=False)
    times = np.array([e[0] for e in log])
    np.testing.assert_allclose(np.diff(times), 10.0 / 12, rtol=1e-9)
    sectors = [e[1] for e in log]
    assert all((b - a) % 12 == 1 for a, b in zip(sectors, sectors[1:], strict=False))
    n = 0
    for _t, j, truth, pos, ids in log:
        for i in truth:
            p = pos[np.flatnonzero(ids == i)[0]]
            az = enu2aer(((p - radar.ecef) @ radar.C.T)[None])[0][0]
            assert int(az // (2 * np.pi / 12)) == j
            n += 1
    assert n > 50
