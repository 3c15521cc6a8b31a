"""The interceptor rows of the truth table are the integrated fly-outs, and the doctrine's fire-control
coverage test (``doctrine._covered``) on hand-computed points."""

from pathlib import Path

import numpy as np

import iadsim
from iadsim.assignment.doctrine import _covered
from iadsim.engine.simulation import Simulation, fire_unit_kinematics
from iadsim.frames import geodetic2ecef

ROOT = Path(__file__).resolve().parents[2]


def test_interceptor_truth_samples_follow_each_round():
    """Quickstart, seed 1: every interceptor sample lies inside its round's flight (launch to end), the
    rounds fly outward from their launcher (distance increasing sample to sample), no faster than the
    type's ideal speed allows, and the last sample is within one sample interval of where the round ended."""
    c = iadsim.load_scenario(ROOT / "examples" / "scenarios" / "quickstart.yaml")
    sim = Simulation(c, 1)
    res = sim.run()
    truth = res.tables["truth"].to_pydict()
    is_int = np.array(truth["object"]) == "interceptor"
    ids = np.array(truth["id"])[is_int]
    t = np.array(truth["time"])[is_int]
    pos = np.stack([np.array(truth[k])[is_int] for k in ("x", "y", "z")], -1)
    st = sim.engagements.st
    launcher = c.fire_units.ecef[0]
    spec = c.interceptor_types[0][1]
    v_cap = spec.launch_speed + 3000.0
    rounds = np.unique(ids)
    assert rounds.size == sim.engagements.n == int(sim.fire_units.fired.sum())
    for i in rounds:
        m = ids == i
        ti, pi = t[m], pos[m]
        assert (ti >= st["t_launch"][i] - 1e-9).all() and (ti <= st["t_end"][i] + 1e-9).all()
        d = np.linalg.norm(pi - launcher, axis=1)
        assert np.all(np.diff(d) > 0), f"round {i} does not fly outward"
        step = np.linalg.norm(np.diff(pi, axis=0), axis=1)
        assert np.all(step <= v_cap * np.diff(ti) + 1e-6)
        assert np.linalg.norm(st["y"][i, :3] - pi[-1]) <= v_cap * c.truth_sample
        assert d[0] <= v_cap * (ti[0] - st["t_launch"][i]) + 1.0


def test_fire_control_coverage_hand_cases():
    """Quickstart's FCR-1 (facing 270 deg, its catalog sector, elevation limits, 4/3-earth horizon): points
    placed by hand inside and outside each limit."""
    c = iadsim.load_scenario(ROOT / "examples" / "scenarios" / "quickstart.yaml")
    sim = Simulation(c, 1)
    kin = fire_unit_kinematics(c, sim.radars)
    radar = sim.radars[c.fire_units.radars[0][0]]
    p = radar.params
    lat, lon = radar.params.lat, radar.params.lon
    half = min(p.az_width, 2 * np.pi) / 2

    def at(az, ground, alt):
        """A point at azimuth ``az`` and ground distance ``ground`` (small-offset sphere) at ``alt``."""
        R = 6371008.8
        return geodetic2ecef(lat + ground * np.cos(az) / R, lon + ground * np.sin(az) / (R * np.cos(lat)), alt)

    f = np.zeros(1, int)
    west = p.az_center
    inside = at(west, 50e3, 3000.0)
    assert _covered(kin, f, inside[None])[0]
    assert not _covered(kin, f, at(west, p.r_max + 5e3, 8000.0)[None])[0]  # beyond the instrumented range
    if half < np.pi:
        assert _covered(kin, f, at(west + 0.95 * half, 40e3, 3000.0)[None])[0]
        assert not _covered(kin, f, at(west + 1.05 * half, 40e3, 3000.0)[None])[0]  # outside the sector
    # below the radar horizon: a low point far out (the 4/3-earth horizon of a 30 m site and a 50 m target
    # is about 4.12 (sqrt(30) + sqrt(50)) = 52 km), inside the range and sector
    assert _covered(kin, f, at(west, 45e3, 50.0)[None])[0]
    assert not _covered(kin, f, at(west, 60e3, 50.0)[None])[0]
    # a unit without a linked radar covers everything
    no_fcr = type(kin)(**{**kin.__dict__, "has_fcr": np.zeros(1, bool)})
    assert _covered(no_fcr, f, at(west, 60e3, 50.0)[None])[0]
