"""Terrain following: the envelope over a hand-built ridge (clearance kept, slopes within the limits, the
climb starting where the hand computation says), equal to an independent linear programme (scipy linprog,
the minimal-profile problem posed directly) on random ground; the same through ``waypoint_tracks`` over a
``Terrain`` grid, and exactly the clearance above sea level without one."""

from pathlib import Path

import numpy as np
import pytest
import yaml
from pydantic import ValidationError
from scipy.optimize import linprog

from iadsim.cli import main
from iadsim.engine.simulation import Simulation
from iadsim.frames import ecef2geodetic
from iadsim.scenario.catalog import resolve
from iadsim.scenario.load import load_scenario
from iadsim.terrain import Terrain
from iadsim.threats.airbreathing import waypoint_tracks
from iadsim.threats.terrain_following import Following, follow_envelope

A_WGS84 = 6_378_137.0  # the ground arc along the equator is a * dlon


def _triangle(x, crest, half_width, height):
    return np.clip(1.0 - np.abs(x - crest) / half_width, 0.0, None) * height


def test_envelope_over_a_triangular_ridge_by_hand():
    """A 400 m ridge with flanks 2 km wide (11.3 deg, steeper than the 5 deg climb limit, which binds),
    clearance 50 m over flat sea: the climb starts H / tan(5 deg) = 4572 m before the crest,
    the profile tops out at H + clearance over the crest and comes down at the 3 deg dive limit."""
    x = np.linspace(0.0, 40e3, 40001)[None, :]  # 1 m samples
    H, c, crest = 400.0, 50.0, 20e3
    ground = _triangle(x, crest, 2000.0, H)
    gc, gd = np.radians(5.0), np.radians(3.0)
    h = follow_envelope(x, ground + c, np.tan(gc), np.tan(gd))[0]
    assert np.all(h >= ground[0] + c - 1e-9)
    slope = np.diff(h) / np.diff(x[0])
    assert slope.max() <= np.tan(gc) + 1e-9 and slope.min() >= -np.tan(gd) - 1e-9
    # climb start: (ridge height + clearance - cruise height) / tan(max_climb) before the crest
    d_climb = (H + c - c) / np.tan(gc)
    start = x[0][np.argmax(h > c + 1e-6)]
    assert start == pytest.approx(crest - d_climb, abs=1.5)
    assert h[x[0] == crest][0] == pytest.approx(H + c, abs=1e-9)
    end = x[0][len(h) - 1 - np.argmax(h[::-1] > c + 1e-6)]
    assert end == pytest.approx(crest + H / np.tan(gd), abs=1.5)
    # over flat ground, far from the ridge, exactly the clearance
    far = (x[0] < crest - d_climb - 10) | (x[0] > end + 10)
    assert np.all(h[far] == c)
    # a gentle ridge (flanks flatter than the climb limit) is followed at the clearance all the way
    soft = _triangle(x, crest, 10e3, 400.0)  # 2.3 deg flanks
    np.testing.assert_array_equal(follow_envelope(x, soft + c, np.tan(gc), np.tan(gd)), soft + c)


def test_envelope_equals_the_minimal_profile_linear_programme():
    """Independent reference: minimise sum(z) subject to z_i >= f_i and the slope limits between neighbours
    (a linear programme solved by HiGHS through scipy.optimize.linprog); its unique optimum is the lowest
    profile, which the two running-maximum passes must reproduce."""
    rng = np.random.default_rng(7)
    for trial in range(3):
        n = 120
        s = np.cumsum(rng.uniform(20.0, 120.0, n)) - 50.0
        f = np.maximum(0.0, np.cumsum(rng.normal(0.0, 25.0, n))) + 30.0  # rough ground + clearance
        f[rng.random(n) < 0.1] = -np.inf  # some unconstrained samples
        b, a = np.tan(np.radians(8.0 + 4 * trial)), np.tan(np.radians(4.0 + trial))
        ds = np.diff(s)
        # z_{i+1} - z_i <= b ds ;  z_i - z_{i+1} <= a ds
        D = np.zeros((n - 1, n))
        D[np.arange(n - 1), np.arange(n - 1)] = -1.0
        D[np.arange(n - 1), np.arange(1, n)] = 1.0
        A_ub = np.vstack([D, -D])
        b_ub = np.concatenate([b * ds, a * ds])
        lo = np.where(np.isfinite(f), f, -1e4)
        res = linprog(np.ones(n), A_ub=A_ub, b_ub=b_ub, bounds=list(zip(lo, [None] * n, strict=True)),
                      method="highs")
        assert res.status == 0
        h = follow_envelope(s[None, :], f[None, :], b, a)[0]
        np.testing.assert_allclose(h, res.x, atol=1e-6)


def test_rows_are_independent_and_limits_broadcast():
    s = np.tile(np.linspace(0.0, 10e3, 1001), (2, 1))
    f = np.full_like(s, 10.0)
    f[:, 500] = 510.0  # a 500 m mast at 5 km
    h = follow_envelope(s, f, np.array([0.25, 0.5]), np.array([0.2, 0.05]))
    # row 0 climbs 500 m at slope 0.25 from 2 km back; row 1 at 0.5 from 1 km back
    assert h[0, np.searchsorted(s[0], 5000 - 2000)] == pytest.approx(10.0, abs=1e-9)
    assert h[0, np.searchsorted(s[0], 5000 - 1000)] == pytest.approx(260.0, abs=1e-9)
    assert h[1, np.searchsorted(s[1], 5000 - 1000)] == pytest.approx(10.0, abs=1e-9)
    assert h[1, np.searchsorted(s[1], 5000 - 500)] == pytest.approx(260.0, abs=1e-9)
    # after the mast: row 0 dives at 0.2 (2.5 km), row 1 at 0.05 (10 km: still 260 m up at the end)
    assert h[0, np.searchsorted(s[0], 7500)] == pytest.approx(10.0, abs=1e-9)
    assert h[1, -1] == pytest.approx(510.0 - 0.05 * 5000, abs=1e-9)


def _east_ridge_grid(height=300.0, lon_crest=0.3, half_width=0.02):
    """Flat sea with a north-south triangular ridge at longitude ``lon_crest`` (deg), flanks ``half_width``
    deg (2.2 km) wide, on a 0.002 deg (222 m) grid along the equator."""
    lat = np.radians(np.linspace(-0.2, 0.2, 41))
    lon = np.radians(np.linspace(-0.1, 1.0, 551))
    prof = _triangle(np.degrees(lon), lon_crest, half_width, height)
    return Terrain(lat, lon, np.broadcast_to(prof, (lat.size, lon.size)).copy())


def test_waypoint_paths_follow_the_grid_then_dive_on_the_aim():
    """Two threats due east along the equator over the ridge, followed up to waypoint 1, then a leg down to
    the aim at 0 m; the flown altitudes (from the ECEF samples) keep the clearance over the bilinear ground
    also between the samples, within the climb limit, and the second row (no following) is untouched."""
    terrain = _east_ridge_grid()
    lat = np.zeros((2, 3))
    lon = np.radians([[0.0, 0.6, 0.62], [0.0, 0.6, 0.62]])
    alt = np.array([[80.0, 80.0, 0.0], [80.0, 80.0, 0.0]])
    c, gam = 60.0, np.radians(5.0)  # the flanks rise at 7.7 deg: the climb limit binds
    fol = Following(terrain=terrain, clearance=np.full(2, c), tan_climb=np.full(2, np.tan(gam)),
                    tan_dive=np.full(2, np.tan(gam)), end=np.array([1, -1]))
    paths = waypoint_tracks(lat, lon, alt, np.full(2, 240.0), follow=fol)
    plain = waypoint_tracks(lat, lon, alt, np.full(2, 240.0))
    np.testing.assert_array_equal(paths.s[1, :plain.n_samples[1]], plain.s[1, :plain.n_samples[1]])
    np.testing.assert_array_equal(paths.pos[1, :plain.n_samples[1]], plain.pos[1, :plain.n_samples[1]])
    # the finer samples do not change the ground track's length or timing (beyond the chords' 1e-8)
    assert paths.duration[0] == pytest.approx(plain.duration[0], rel=1e-8)
    k = paths.n_samples[0]
    la, lo, h = ecef2geodetic(paths.pos[0, :k])
    s = paths.s[0, :k]
    assert np.max(np.diff(s[s < paths.s_waypoint[0, 1]])) <= 0.25 * terrain.spacing + 1e-6
    span = s <= paths.s_waypoint[0, 1] + 1e-6
    ground = terrain.elevation_at(la, lo)
    assert np.all(h[span] >= ground[span] + c - 1e-6)
    # between samples (20 points per 56 m segment on the straight chords), also over the sharp crest that
    # falls between two samples: the floor halfway to the neighbours keeps the chord above it (0.05 m: the
    # chords' sagitta and the bilinear ground's curvature)
    u = np.linspace(0.0, 1.0, 21)[None, :, None]
    mid = paths.pos[0, :k - 1][:, None, :] * (1 - u) + paths.pos[0, 1:k][:, None, :] * u
    mla, mlo, mh = ecef2geodetic(mid.reshape(-1, 3))
    in_span = np.repeat(span[1:], 21)
    assert np.all(mh[in_span] >= terrain.elevation_at(mla, mlo)[in_span] + c - 0.05)
    slope = np.diff(h[span]) / np.diff(s[span])
    assert slope.max() <= np.tan(gam) * (1 + 1e-6) and slope.min() >= -np.tan(gam) * (1 + 1e-6)
    # at the clearance over the sea on both sides, the crest + clearance over the crest
    assert h[0] == pytest.approx(c, abs=1e-6)
    crest = np.argmin(np.abs(np.degrees(lo) - 0.3))
    assert h[crest] == pytest.approx(300.0 + c, abs=0.5)
    # the climb starts (H + c - c) / tan(gamma) = 3429 m before the crest (ground distance)
    s_crest = np.radians(0.3) * A_WGS84
    start = s[np.argmax(h > c + 1e-3)]
    assert start == pytest.approx(s_crest - 300.0 / np.tan(gam), abs=0.25 * terrain.spacing)
    # the last leg runs linearly from the followed altitude (c) to the aim's
    assert h[-1] == pytest.approx(0.0, abs=1e-6)
    last = s > paths.s_waypoint[0, 1]
    np.testing.assert_allclose(h[last], c * (s[-1] - s[last]) / (s[-1] - paths.s_waypoint[0, 1]), atol=1e-6)


def test_without_terrain_it_is_the_clearance_above_sea_level():
    lat = np.radians([[10.0, 11.0, 11.02]])
    lon = np.radians([[20.0, 21.0, 21.0]])
    alt = np.array([[500.0, 500.0, 0.0]])
    fol = Following(terrain=None, clearance=np.array([45.0]), tan_climb=np.array([0.3]), tan_dive=np.array([0.3]),
                    end=np.array([1]))
    paths = waypoint_tracks(lat, lon, alt, np.array([200.0]), follow=fol)
    plain = waypoint_tracks(lat, lon, alt, np.array([200.0]))
    assert paths.n_samples[0] == plain.n_samples[0]  # no terrain: no densification
    _, _, h = ecef2geodetic(paths.pos[0, :paths.n_samples[0]])
    upto = paths.s[0, :paths.n_samples[0]] <= paths.s_waypoint[0, 1]
    np.testing.assert_allclose(h[upto], 45.0, atol=1e-6)


def _ridge_scenario(tmp_path, threat, with_terrain=True):
    """A hand-built 300 m ridge (crest at 0.3 deg east on the equator) between a cruise missile launched at
    0 deg and a surveillance radar at 30 m, 0.45 deg east (16.7 km behind the crest), defending a port at
    0.5 deg."""
    terrain = _east_ridge_grid()
    np.savez(tmp_path / "ridge.npz", elevation=terrain.elevation, lat=np.degrees(terrain.lat),
             lon=np.degrees(terrain.lon))
    ground = {"terrain": {"kind": "grid", "file": "ridge.npz"}} if with_terrain else {}
    d = {"name": "ridge", "duration": "6 min", **ground,
         "assets": [{"name": "Port", "position": {"lat": 0.0, "lon": 0.5, "alt": "5 m"}, "value": 1}],
         "sensors": [{"name": "R", "type": "surveillance_radar", "override": {"false_alarms_per_scan": 0},
                      "position": {"lat": 0.0, "lon": 0.45, "alt": "30 m"}}],
         "raids": [{"name": "CM", "threat": threat, "count": 1,
                    "launch_area": {"center": {"lat": 0.0, "lon": 0.0}},
                    "launch_window": {"start": "0 s", "end": "0 s"},
                    "targets": ["Port"]}]}
    f = tmp_path / "ridge.yaml"
    f.write_text(yaml.safe_dump(d))
    return load_scenario(f), terrain


def _first_detection(c, seed=3):
    """Run the scenario; the time of the radar's first detection of the threat, and the simulation."""
    sim = Simulation(c, seed)
    radar = sim.radars[0]
    seen = []
    measure = radar.measure

    def recording(t, *args, **kw):  # the real measurement, its detections of the threat noted
        det = measure(t, *args, **kw)
        if np.any(det.truth_id == 0):
            seen.append(t)
        return det

    radar.measure = recording
    sim.run(tables=False)
    return (min(seen) if seen else np.inf), sim


def test_a_terrain_following_missile_is_masked_by_the_ridge_until_it_crests_it(tmp_path):
    tf = {"type": "cruise_missile", "override": {"terrain_following": {"clearance": "50 m", "max_climb": "5 deg"}}}
    c, terrain = _ridge_scenario(tmp_path, tf)
    t_seen, sim = _first_detection(c)
    truth = sim.threats.truth
    t = np.arange(0.0, float(truth.duration[0]), 0.5)
    pos = np.array([truth.state(float(x), np.array([0]))[0][0] for x in t])
    la, lo, h = ecef2geodetic(pos)
    ground = terrain.elevation_at(la, lo)
    lon = np.degrees(lo)
    # over the sea before the ridge at the clearance; over the crest at crest + clearance (at least)
    sea = lon < 0.25
    np.testing.assert_allclose(h[sea], 50.0, atol=0.05)
    assert np.all(np.diff(lon) > 0)
    t_crest = float(np.interp(0.3, lon, t))
    p_crest = truth.state(t_crest, np.array([0]))[0]
    _, lo_c, h_c = ecef2geodetic(p_crest)
    # the tolerance: a crest between two samples ds = 55.6 m apart (a quarter of the grid) may stand above
    # the chord by kappa ds / 8 = 1.9 m, kappa = 2 x 300 / 2224 the jump of the ground slope at the crest
    tol = 2 * 300.0 / 2224.0 * 0.25 * terrain.spacing / 8
    assert np.degrees(lo_c[0]) == pytest.approx(0.3, abs=1e-6) and h_c[0] >= 300.0 + 50.0 - tol
    upto_dive = lon < 0.48  # the final dive starts 2 km (0.018 deg) before the port
    assert np.all(h[upto_dive] >= ground[upto_dive] + 50.0 - tol)
    # not seen before it climbs over the crest: by then it is within 2 km of the crest, up the climb
    lon_seen = float(np.interp(t_seen, t, lon))
    assert 0.28 < lon_seen < 0.33, lon_seen
    assert np.isfinite(t_seen)
    # the same missile at a constant 2 km (no terrain following) is seen long before it reaches the ridge
    c_hi, _ = _ridge_scenario(tmp_path, {"type": "cruise_missile", "override": {"altitude": "2000 m"}})
    t_hi, sim_hi = _first_detection(c_hi)
    lon_hi = float(np.degrees(ecef2geodetic(sim_hi.threats.truth.state(t_hi, np.array([0]))[0])[1][0]))
    assert lon_hi < 0.1 and t_hi < t_seen - 60.0
    # determinism: same seed, identical truth and detections
    t_again, sim2 = _first_detection(_ridge_scenario(tmp_path, tf)[0])
    assert t_again == t_seen
    pos2 = np.array([sim2.threats.truth.state(float(x), np.array([0]))[0][0] for x in t])
    np.testing.assert_array_equal(pos2, pos)


QUICK = (Path(__file__).resolve().parents[2] / "examples" / "scenarios" / "quickstart.yaml").read_text()


@pytest.mark.parametrize("tf, words", [
    ("{clearance: -20 m}", ["terrain_following.clearance", "greater than 0"]),
    ("{clearance: 50 m, max_climb: 0 deg}", ["terrain_following.max_climb", "within (0, 90) deg"]),
    ("{clearance: 50 m, max_climb: 90 deg}", ["terrain_following.max_climb", "within (0, 90) deg", "not 90 deg"]),
    ("{clearance: 50 m, max_dive: 95 deg}", ["terrain_following.max_dive", "within (0, 90) deg"]),
    ("{clearance: 50}", ["terrain_following.clearance"]),
    ("{clearance: 50 m, max_climbs: 5 deg}", ["terrain_following.max_climbs"]),
])
def test_bad_terrain_following_is_one_line_naming_the_field_exit_3(tmp_path, capsys, tf, words):
    text = QUICK.replace("    threat: cruise_missile\n",
                         f"    threat: {{type: cruise_missile, override: {{terrain_following: {tf}}}}}\n", 1)
    assert text != QUICK
    f = tmp_path / "bad.yaml"
    f.write_text(text)
    code = main(["validate", str(f)])
    err = capsys.readouterr().err.strip()
    assert code == 3 and len(err.splitlines()) == 1, err
    assert err.startswith(f"error: {f}:")
    for w in words:
        assert w in err, err


def test_terrain_following_is_not_for_aircraft_and_types_without_it_hash_as_before():
    with pytest.raises(ValidationError, match="not by an aircraft"):
        resolve("threat", "fighter", {"terrain_following": {"clearance": "100 m"}})
    assert "terrain_following" not in resolve("threat", "cruise_missile").model_dump()
    spec = resolve("threat", "owa_drone", {"terrain_following": {"clearance": "80 m", "max_climb": "8 deg"}})
    tf = spec.terrain_following
    assert tf.clearance == 80.0 and tf.max_climb == pytest.approx(np.radians(8.0)) and tf.dive == tf.max_climb


def _flown(c, seed=5, dt=0.25):
    """Truth of the scenario's threats sampled every ``dt`` s: (time, lat, lon, alt) per threat."""
    from iadsim.engine.raid import realize_raids

    r = realize_raids(c, np.random.default_rng(seed))
    out = []
    for i in range(r.n_threats):
        t = np.arange(0.0, float(r.truth.duration[i]), dt)
        p = np.array([r.truth.state(float(x) + float(r.t_launch[i]), np.array([i]))[0][0] for x in t])
        out.append((t, *ecef2geodetic(p)))
    return out


def test_a_popup_missile_follows_up_to_its_pop_up_then_climbs_and_dives_as_before(tmp_path):
    """popup_cruise_missile (terminal at 8 m, pop-up to 400 m at 3 km, 20 deg climb) over the ridge: followed
    at 40 m up to its pop-up point PU = 3 km + (400 - 8) / tan 20 deg = 4.08 km before the port (placed as
    without terrain following), then the straight climb from there to 400 m and the dive."""
    tf = {"type": "popup_cruise_missile",
          "override": {"weave": None, "terrain_following": {"clearance": "40 m", "max_climb": "6 deg"}}}
    c, terrain = _ridge_scenario(tmp_path, tf)
    (t, la, lo, h), = _flown(c, dt=0.05)  # 12 m steps: the apex is cut by at most 1.5 m
    ground = terrain.elevation_at(la, lo)
    lon_port = 0.5
    dist = np.radians(lon_port - np.degrees(lo)) * A_WGS84  # ground distance to the port along the equator
    pu = 3000.0 + (400.0 - 8.0) / np.tan(np.radians(20.0))
    before = dist > pu + 50.0
    assert np.all(h[before] >= ground[before] + 40.0 - 2.0)
    assert float(np.interp(0.3, np.degrees(lo), h)) > 300.0 + 40.0 - 5.0  # over the crest (0.25 s samples)
    flat = before & (np.degrees(lo) > 0.36)  # back on the clearance after the ridge
    np.testing.assert_allclose(h[flat], 40.0, atol=0.05)
    assert h.max() <= 400.0 + 1e-6 and h.max() == pytest.approx(400.0, abs=1.5)
    assert np.all(h[(dist < pu - 20.0) & (dist > 3020.0)] > 40.0 + 1.0)  # climbing from PU
    assert dist[np.argmax(h)] == pytest.approx(3000.0, abs=60.0)


def test_drone_profile_legs_follow_at_the_clearance_without_terrain(tmp_path):
    """No terrain section: the owa_drone's dog-legs are flown at the clearance above sea level (not its
    300 m), then the final dive from 2 km onto the port."""
    tf = {"type": "owa_drone", "override": {"terrain_following": {"clearance": "70 m"}}}
    c, _ = _ridge_scenario(tmp_path, tf, with_terrain=False)
    assert c.terrain is None
    (t, la, lo, h), = _flown(c)
    lon_port = 0.5
    dist = np.hypot(np.radians(lon_port - np.degrees(lo)), la) * A_WGS84
    level = dist > 2000.0 + 30.0
    np.testing.assert_allclose(h[level], 70.0, atol=0.08)  # the 2 km chords sag by L^2 / 8R = 7.8 cm
    assert h[-1] < 10.0
