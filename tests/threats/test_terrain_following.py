"""Terrain following: the envelope over a hand-built ridge (clearance kept, slopes within the limits, the
climb starting where the hand computation says), equal to an independent linear programme (scipy linprog,
the minimal-profile problem posed directly) on random ground; the same through ``waypoint_tracks`` over a
``Terrain`` grid, and exactly the clearance above sea level without one."""

import numpy as np
import pytest
from scipy.optimize import linprog

from iadsim.frames import ecef2geodetic
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
