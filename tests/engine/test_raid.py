"""Raid realization (``iadsim.engine.raid.realize_raids``) against its module docstring.

Evidence by kind:

* **statistical** (Kolmogorov-Smirnov, seeded): launch times uniform over the launch window; launch points
  uniform by area over the launch disc, i.e. ``P(rho <= r) = (r / R)^2`` and the bearing uniform on
  ``[0, 2 pi)``. A test rejects at ``p < 1e-3``; each would reject the obvious wrong draw (``rho = R u``
  gives ``(rho / R)^2 = u^2``, KS distance ~0.25, ``p ~ 1e-20`` for 400 threats).
* **exact** (the documented draw order replayed on a copy of the generator): per raid ``n`` uniforms for the
  times (sorted), then ``n`` for ``rho = R sqrt(u1)``, then ``n`` for ``theta = 2 pi u2``.
* **hand-computed**: targets assigned in turn from the raid's list; a zero-length window and a zero radius.
* **geometric**: ballistic threats end at their aim asset (impact within 1 m of it); air-breathing threats
  pass through every route waypoint at cruise altitude, in order, and end at the asset.

The launch point is recovered by inverting the documented small-offset mapping on the mean sphere
(``north = R_E dlat``, ``east = R_E cos(lat0) dlon``); the great-circle distance agrees with it within
0.2 % over a 20 km disc (checked below), so the distribution test does not hinge on that choice.
"""

from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy import stats

from iadsim.engine.raid import TERMINAL_DIVE, realize_raids
from iadsim.frames import R_EARTH, geodetic2ecef
from iadsim.scenario import scenario_from_data

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "scenarios"
BASE = yaml.safe_load((EXAMPLES / "quickstart.yaml").read_text())
SEED = 20260516
P_REJECT = 1e-3

N_BM, N_CM, N_DRONE = 400, 150, 5
BM_WINDOW = (100.0, 400.0)
CM_WINDOW = (0.0, 60.0)
BM_RADIUS, CM_RADIUS = 20e3, 10e3
ROUTE = [(-19.5, -15.8), (-19.6, -15.3)]
CRUISE_ALT = 60.0  # catalog cruise_missile altitude (m)


def _data():
    d = dict(BASE)
    d["assets"] = BASE["assets"] + [
        {"name": "Hill", "position": {"lat": -19.9, "lon": -15.1, "alt": "200 m"}, "value": 10},
        {"name": "Bay", "position": {"lat": -20.1, "lon": -15.2, "alt": "0 m"}, "value": 5}]
    d["raids"] = [
        {"name": "bm", "threat": "srbm", "count": N_BM,
         "launch_area": {"center": {"lat": -20.2, "lon": -17.5}, "radius": f"{BM_RADIUS} m"},
         "launch_window": {"start": f"{BM_WINDOW[0]} s", "end": f"{BM_WINDOW[1]} s"},
         "targets": ["Port Aurel", "Hill", "Bay"]},
        # the first-fidelity route (no terminal leg, no CEP): waypoints at cruise altitude, then the dive
        {"name": "cm", "threat": {"type": "cruise_missile", "override": {"terminal": None, "cep": "0 m"}},
         "count": N_CM,
         "launch_area": {"center": {"lat": -19.8, "lon": -16.0}, "radius": f"{CM_RADIUS} m"},
         "launch_window": {"start": f"{CM_WINDOW[0]} s", "end": f"{CM_WINDOW[1]} s"},
         "targets": ["Hill", "Port Aurel"],
         "route": [{"lat": la, "lon": lo} for la, lo in ROUTE]},
        {"name": "drones", "threat": "owa_drone", "count": N_DRONE,
         "launch_area": {"center": {"lat": -20.0, "lon": -15.6}, "radius": "0 m"},
         "launch_window": {"start": "30 s", "end": "30 s"}, "targets": ["Bay"]},
    ]
    return d


@pytest.fixture(scope="module")
def compiled():
    return scenario_from_data(_data())


@pytest.fixture(scope="module")
def realized(compiled):
    return realize_raids(compiled, np.random.default_rng(SEED))


def _raid_rows(r, k):
    return np.flatnonzero(r.raid == k)


def _polar(compiled, r, rows, k):
    """(rho, theta) of the launch points of ``rows`` about raid ``k``'s centre (module docstring)."""
    raid = compiled.raids[k]
    north = (r.launch_lat[rows] - raid.center_lat) * R_EARTH
    east = (r.launch_lon[rows] - raid.center_lon) * R_EARTH * np.cos(raid.center_lat)
    return np.hypot(north, east), np.mod(np.arctan2(east, north), 2 * np.pi)


# --- statistical ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("k,window", [(0, BM_WINDOW), (1, CM_WINDOW)])
def test_launch_times_uniform_over_window_and_sorted(realized, k, window):
    rows = _raid_rows(realized, k)
    t = realized.t_launch[rows]
    assert np.all(np.diff(t) >= 0.0), "launch times of a raid are not sorted"
    assert t.min() >= window[0] and t.max() <= window[1]
    ks = stats.kstest(t, stats.uniform(loc=window[0], scale=window[1] - window[0]).cdf)
    assert ks.pvalue > P_REJECT, f"launch times not uniform over {window}: {ks}"
    # the KS test has the power to see a wrong window: the same sample against a window 30 % too long
    wrong = stats.kstest(t, stats.uniform(loc=window[0], scale=1.3 * (window[1] - window[0])).cdf)
    assert wrong.pvalue < P_REJECT


@pytest.mark.parametrize("k,radius", [(0, BM_RADIUS), (1, CM_RADIUS)])
def test_launch_points_uniform_by_area_over_disc(compiled, realized, k, radius):
    rows = _raid_rows(realized, k)
    rho, theta = _polar(compiled, realized, rows, k)
    assert rho.max() <= radius * (1 + 1e-9)
    # P(rho <= r) = (r/R)^2  <=>  (rho/R)^2 ~ U(0, 1)
    ks = stats.kstest((rho / radius) ** 2, "uniform")
    assert ks.pvalue > P_REJECT, f"launch radius not uniform by area: {ks}"
    # uniform in radius (the wrong disc) would be rejected on the same sample
    assert stats.kstest(rho / radius, "uniform").pvalue < P_REJECT
    ks_th = stats.kstest(theta / (2 * np.pi), "uniform")
    assert ks_th.pvalue > P_REJECT, f"launch bearing not uniform: {ks_th}"
    # the great-circle distance on the mean sphere agrees with the small-offset radius (module docstring)
    raid = compiled.raids[k]
    la, lo = realized.launch_lat[rows], realized.launch_lon[rows]
    hav = 2 * R_EARTH * np.arcsin(np.sqrt(np.sin((la - raid.center_lat) / 2) ** 2 + np.cos(la) * np.cos(
        raid.center_lat) * np.sin((lo - raid.center_lon) / 2) ** 2))
    np.testing.assert_allclose(hav, rho, rtol=2e-3, atol=1e-6)


# --- exact: the documented draw order -----------------------------------------------------------------------

def test_draws_follow_the_documented_order(compiled, realized):
    rng = np.random.default_rng(SEED)
    for k, raid in enumerate(compiled.raids):
        rows = _raid_rows(realized, k)
        n = raid.count
        if raid.t_end > raid.t_start:
            t = np.sort(rng.uniform(raid.t_start, raid.t_end, n))
        else:
            t = np.full(n, raid.t_start)
        rho = raid.radius * np.sqrt(rng.random(n))
        th = 2 * np.pi * rng.random(n)
        np.testing.assert_array_equal(realized.t_launch[rows], t)
        got_rho, got_th = _polar(compiled, realized, rows, k)
        np.testing.assert_allclose(got_rho, rho, rtol=1e-9, atol=1e-6)
        ok = rho > 1.0  # the bearing of a point at the centre is undefined
        np.testing.assert_allclose(np.cos(got_th[ok] - th[ok]), 1.0, atol=1e-12)


def test_same_generator_state_same_raid_and_different_seed_differs(compiled, realized):
    again = realize_raids(compiled, np.random.default_rng(SEED))
    np.testing.assert_array_equal(again.t_launch, realized.t_launch)
    np.testing.assert_array_equal(again.launch_lat, realized.launch_lat)
    other = realize_raids(compiled, np.random.default_rng(SEED + 1))
    assert not np.array_equal(other.t_launch, realized.t_launch)


# --- hand-computed ----------------------------------------------------------------------------------------

def test_targets_assigned_in_turn_from_the_raid_list(compiled, realized):
    names = compiled.assets.names
    idx = {n: i for i, n in enumerate(names)}
    bm, cm, dr = (_raid_rows(realized, k) for k in range(3))
    # raid order: ballistic raid, cruise raid, drones; the k-th threat of a raid takes targets[k % len]
    np.testing.assert_array_equal(bm, np.arange(N_BM))
    expected_bm = [idx[n] for n in ("Port Aurel", "Hill", "Bay")] * (N_BM // 3 + 1)
    np.testing.assert_array_equal(realized.target[bm], expected_bm[:N_BM])
    expected_cm = [idx["Hill"], idx["Port Aurel"]] * (N_CM // 2 + 1)
    np.testing.assert_array_equal(realized.target[cm], expected_cm[:N_CM])
    np.testing.assert_array_equal(realized.target[dr], np.full(N_DRONE, idx["Bay"]))


def test_zero_window_and_zero_radius(compiled, realized):
    rows = _raid_rows(realized, 2)
    raid = compiled.raids[2]
    np.testing.assert_array_equal(realized.t_launch[rows], np.full(N_DRONE, 30.0))
    np.testing.assert_array_equal(realized.launch_lat[rows], np.full(N_DRONE, raid.center_lat))
    np.testing.assert_array_equal(realized.launch_lon[rows], np.full(N_DRONE, raid.center_lon))


def test_per_threat_columns_follow_the_type(compiled, realized):
    for k, cls in ((0, 0), (1, 1), (2, 2)):
        rows = _raid_rows(realized, k)
        spec = compiled.threat_types[compiled.raids[k].threat_type][1]
        np.testing.assert_array_equal(realized.rcs[rows], spec.rcs)
        np.testing.assert_array_equal(realized.p_damage[rows], spec.p_damage)
        np.testing.assert_array_equal(realized.cost[rows], spec.cost)
        assert set(realized.cls[rows].tolist()) == {cls}
        np.testing.assert_array_equal(realized.truth.is_ballistic[rows], k == 0)
    np.testing.assert_allclose(realized.t_end, realized.t_launch + realized.truth.duration)
    assert len(realized) == N_BM + N_CM + N_DRONE


# --- geometric --------------------------------------------------------------------------------------------

def test_threats_start_at_their_launch_point(compiled, realized):
    r = realized
    alt = np.where(r.raid == 0, compiled.raids[0].center_alt, np.where(r.raid == 1, CRUISE_ALT, 300.0))
    start = geodetic2ecef(r.launch_lat, r.launch_lon, alt)
    pos, _ = r.truth.state(r.t_launch)
    np.testing.assert_allclose(np.linalg.norm(pos - start, axis=1), 0.0, atol=1e-3)


def test_ballistic_threats_end_at_their_aim_asset(compiled, realized):
    rows = _raid_rows(realized, 0)
    a = compiled.assets.ecef[realized.target[rows]]
    # the shot lands on its aim point (solved to within metres), which the CEP scatters about the asset
    miss = np.linalg.norm(realized.truth.end_pos[rows] - realized.aim[rows], axis=1)
    assert miss.max() < 10.0, f"ballistic impact {miss.max():.3f} m from its aim point"
    spec = dict(compiled.threat_types)["srbm"]
    scatter = np.linalg.norm(realized.aim[rows] - a, axis=1)
    assert 0.0 < scatter.max() < 5.0 * spec.cep
    # coming down: the end velocity points below the local horizontal
    up = a / np.linalg.norm(a, axis=1, keepdims=True)
    assert np.all(np.einsum("ij,ij->i", realized.truth.end_vel[rows], up) < 0)
    # and the flight lasts: the minimum-energy arcs of 250 km or so take minutes
    assert np.all(realized.truth.duration[rows] > 120.0)


def _closest(truth, i, p, t0, t1):
    """Closest approach of threat ``i`` to the point ``p (3,)`` over ``[t0, t1]``: distance and time.

    A coarse pass (0.25 s, 60 m at cruise speed) finds the neighbourhood, a fine pass (1 ms) the minimum;
    the path has corners at the waypoints, so a chord through coarse samples would cut them."""
    t = np.append(np.arange(t0, t1, 0.25), t1)
    pos, _ = truth.state(t, np.full(t.size, i))
    k = int(np.argmin(np.linalg.norm(pos - p, axis=1)))
    tf = np.clip(np.arange(t[k] - 0.5, t[k] + 0.5, 1e-3), t0, t1)
    pos, _ = truth.state(tf, np.full(tf.size, i))
    d = np.linalg.norm(pos - p, axis=1)
    return float(d.min()), float(tf[np.argmin(d)])


def test_air_breathing_threats_fly_the_route_then_end_at_the_asset(compiled, realized):
    rows = _raid_rows(realized, 1)
    wps = geodetic2ecef(np.radians([w[0] for w in ROUTE]), np.radians([w[1] for w in ROUTE]), CRUISE_ALT)
    assets = compiled.assets
    worst = 0.0
    for i in rows[:: max(1, rows.size // 40)]:  # 40 threats keep the test fast; all share one route
        t0, t1 = realized.t_launch[i], realized.t_end[i]
        d1, s1 = _closest(realized.truth, i, wps[0], t0, t1)
        d2, s2 = _closest(realized.truth, i, wps[1], t0, t1)
        worst = max(worst, d1, d2)
        assert t0 < s1 < s2 < t1, "route waypoints passed out of order"
        a = assets.ecef[realized.target[i]]
        end, _ = realized.truth.state(t1, np.array([i]))
        assert np.linalg.norm(end[0] - a) < 1.0
        # the terminal dive starts TERMINAL_DIVE short of the asset, at cruise altitude
        speed = compiled.threat_types[compiled.raids[1].threat_type][1].speed
        p_dive, _ = realized.truth.state(realized.t_end[i] - TERMINAL_DIVE / speed, np.array([i]))
        alt_dive = np.linalg.norm(p_dive[0]) - np.linalg.norm(
            geodetic2ecef(*_latlon(p_dive[0]), 0.0))
        assert abs(alt_dive - CRUISE_ALT) < 2.0
    assert worst < 1.0, f"an air-breathing threat passes {worst:.2f} m from a route waypoint"


def _latlon(p):
    from iadsim.frames import ecef2geodetic

    la, lo, _ = ecef2geodetic(p)
    return la, lo
