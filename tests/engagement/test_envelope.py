"""Kinematic envelope tables against direct fly-outs of the 3-DOF model, their physics, and their cache."""

import numpy as np
import pytest

from iadsim.engagement import airframe as af
from iadsim.engagement import envelope as E
from iadsim.scenario.catalog import resolve

TYPES = ["lr_interceptor", "mr_interceptor", "sr_interceptor"]


@pytest.fixture(scope="module", params=TYPES)
def typed(request):
    spec = resolve("interceptor", request.param)
    return request.param, spec, E.envelope_table(spec)


def test_table_agrees_with_direct_flyouts_within_one_percent(typed):
    """Random points where the table says feasible: a fresh fly-out of the model reaches them, and its time
    of flight is within 1 % of the interpolated table (speed at arrival within 3 %)."""
    name, spec, tab = typed
    rng = np.random.default_rng(TYPES.index(name))
    rho = rng.uniform(0.0, tab.rho[-1], 600)
    h = rng.uniform(tab.h[0], tab.h[-1], 600)
    tof, speed, accel, ok = E.EnvelopeSet([tab]).lookup(np.zeros(rho.size, int), rho, h)
    assert ok.sum() >= 150  # the sample covers the envelope
    rho, h, tof, speed = rho[ok], h[ok], tof[ok], speed[ok]
    site = E.reference_site()
    res = E.fly_points(af.AirframeTable.from_types([spec]), np.zeros(rho.size, int), site[None],
                       E.point_at(site, rho, h), v_guess=0.6 * af.ideal_delta_v(spec))
    assert (res["reason"] == af.POINT_REACHED).all()
    assert (res["miss"] <= E.REACH_TOLERANCE).all()
    np.testing.assert_allclose(tof, res["tof"], rtol=0.01)
    np.testing.assert_allclose(speed, res["speed"], rtol=0.03)


def test_table_physics(typed):
    """Time of flight grows with ground range at every altitude; the reach matches the catalog's layer
    (public figures: upper tier ~120 km, middle ~60-70 km, lower ~40 km); the aerodynamic interceptors are
    lift-limited over part of their envelope; nothing below the type's minimum range or speed."""
    name, spec, tab = typed
    for j in range(tab.h.size):
        col = tab.tof[tab.feasible[:, j], j]
        assert np.all(np.diff(col) > 0), f"{name}: tof not increasing with range at h = {tab.h[j]:.0f} m"
    reach = {"lr_interceptor": (100e3, 140e3), "mr_interceptor": (50e3, 75e3), "sr_interceptor": (35e3, 50e3)}
    lo, hi = reach[name]
    assert lo <= tab.max_range <= hi
    assert tab.max_tof <= spec.max_flight_time
    site = E.reference_site()
    R, H = np.meshgrid(tab.rho, tab.h, indexing="ij")
    slant = np.linalg.norm(E.point_at(site, R, H) - site, axis=-1)
    assert (slant[tab.feasible] >= spec.min_range).all()
    assert (tab.speed[tab.feasible] >= spec.min_speed).all()
    g_lim = spec.g_limit * 9.80665
    assert (tab.accel[tab.feasible] <= g_lim * (1 + 1e-9)).all()
    if spec.kill_vehicle is None:
        # lift-limited (below the structural g limit) over part of the envelope: long, high shots arrive slow
        # in thin air (at equal speed, capacity falls with altitude: tests/engagement/test_airframe.py)
        assert (tab.accel[tab.feasible] < 0.99 * g_lim).any()


def test_cache_round_trip_and_key(tmp_path, monkeypatch):
    """A table read back from the disk cache equals the one built; another parameter, another table."""
    monkeypatch.setenv("IADSIM_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(E, "_MEMORY", {})
    spec = resolve("interceptor", "sr_interceptor")
    built = E.envelope_table(spec)
    files = list((tmp_path / "envelopes").glob("*.npz"))
    assert len(files) == 1
    monkeypatch.setattr(E, "_MEMORY", {})
    again = E.envelope_table(spec)
    for k in ("rho", "h", "tof", "speed", "accel", "feasible"):
        np.testing.assert_array_equal(getattr(built, k), getattr(again, k))
    other = resolve("interceptor", "sr_interceptor", {"max_flight_time": "40 s"})
    assert E._key(other) != E._key(spec)
    assert E._key(resolve("interceptor", "sr_interceptor", {"cost": 1.0})) == E._key(spec)  # cost is not kinematics
    shorter = E.envelope_table(other)
    assert shorter.max_range < built.max_range


def test_constant_speed_envelope_is_the_closed_form():
    tab = E.constant_speed_envelope(1000.0, 2e3, 50e3, 0.0, 20e3)
    site = E.reference_site()
    rng = np.random.default_rng(3)
    rho, h = rng.uniform(0, 50e3, 200), rng.uniform(0, 20e3, 200)
    tof, speed, _, ok = E.EnvelopeSet([tab]).lookup(np.zeros(200, int), rho, h)
    d = np.linalg.norm(E.point_at(site, rho, h) - site, axis=-1)
    # bilinear interpolation of d / s over 1 km cells: within 0.5 s, exact speed
    np.testing.assert_allclose(tof[ok], d[ok] / 1000.0, atol=0.5)
    assert (speed[ok] == 1000.0).all()
    assert not ok[d > 50e3].any()
