"""The doctrine's fused window kernel (assignment/_windows.py) against the plain prediction-then-search it
replaces, bit for bit, and the bounds its sample skipping rests on, checked independently."""

import numpy as np
import pytest

from iadsim.assignment._windows import (
    CELL_MIN_RADIUS,
    CELL_RATE,
    COAST_ACCEL,
    _entry_time,
    _travel_time,
    cell_distances,
    fused_windows,
    skip_bounds,
)
from iadsim.assignment.doctrine import Doctrine, FireUnitKinematics
from iadsim.engagement.envelope import EnvelopeSet, constant_speed_envelope, ground_range_altitude, point_at
from iadsim.frames import geodetic2ecef
from iadsim.sensors.radar import Radar, RadarParams


def _units(rng, F):
    """``F`` fire units spread over ~1 degree around (10 N, 20 E), three tiers of constant-speed tables, each
    with a fire-control radar at its site (sector, elevation limits and horizon) for most of them."""
    env = EnvelopeSet([constant_speed_envelope(1500.0, 5e3, 120e3, 50.0, 30e3, accel=300.0),
                       constant_speed_envelope(1000.0, 2e3, 50e3, 30.0, 15e3, accel=200.0),
                       constant_speed_envelope(600.0, 500.0, 15e3, 10.0, 6e3, accel=150.0)])
    lat = np.radians(10.0 + rng.uniform(-0.5, 0.5, F))
    lon = np.radians(20.0 + rng.uniform(-0.5, 0.5, F))
    pos = geodetic2ecef(lat, lon, rng.uniform(0.0, 500.0, F))
    C, rpos = [], []
    for f in range(F):
        radar = Radar(RadarParams(name=f"fcr{f}", lat=float(lat[f]), lon=float(lon[f]),
                                  alt=10.0, r_max=150e3, r_ref=150e3, rcs_ref=1.0, pd_ref=0.9, pfa=1e-6,
                                  az_center=0.0, az_width=2 * np.pi, el_min=0.0, el_max=1.5, scan_period=2.0,
                                  sigma_r=10.0, sigma_az=1e-3, sigma_el=1e-3), sensor=f)
        C.append(radar.C)
        rpos.append(radar.ecef)
    typ = rng.integers(0, 3, F)
    return FireUnitKinematics(
        pos=pos, typ=typ, env=env, reaction=rng.uniform(2.0, 8.0, F), layer=typ.copy(), pk=np.full((F, 4), 0.7),
        salvo=np.ones(F, int), a_need=rng.uniform(0.0, 120.0, (F, 4)), min_closing=rng.uniform(0.0, 300.0, F),
        has_fcr=rng.random(F) < 0.8, fcr_pos=np.array(rpos), fcr_C=np.array(C),
        fcr_rmax=rng.uniform(40e3, 150e3, F), fcr_az_center=rng.uniform(-np.pi, np.pi, F),
        fcr_az_half=rng.uniform(0.5, np.pi, F), fcr_el_min=np.zeros(F), fcr_el_max=np.full(F, 1.5),
        cost=np.ones(F), channels=np.ones(F, int), fcr_k=np.full(F, 4.0 / 3.0))


def _tracks(rng, M):
    """``M`` tracks around the units: air-breathing ones (drones, cruise missiles, aircraft) at constant
    velocity from 20-250 km out, some heading at the defended area and some crossing, and ballistic ones
    (class 0) descending on it from 60-150 km up at 1.5-3 km/s."""
    centre = geodetic2ecef(np.radians(10.0), np.radians(20.0), 0.0)
    up = centre / np.linalg.norm(centre)
    east = np.cross([0.0, 0.0, 1.0], up)
    east /= np.linalg.norm(east)
    north = np.cross(up, east)
    x = np.zeros((M, 6))
    cls = rng.integers(0, 4, M).astype(np.int8)
    for m in range(M):
        az = rng.uniform(0, 2 * np.pi)
        horiz = np.cos(az) * north + np.sin(az) * east
        if cls[m] == 0:
            rho, alt, speed, dive = rng.uniform(50e3, 400e3), rng.uniform(60e3, 150e3), rng.uniform(1500, 3000), \
                rng.uniform(0.3, 1.2)
            pos = point_at(centre, rho, alt, azimuth_ref=horiz)
            vel = speed * (-np.cos(dive) * horiz - np.sin(dive) * up)
        else:
            rho = rng.uniform(20e3, 250e3)
            alt = {1: rng.uniform(30.0, 300.0), 2: rng.uniform(50.0, 3000.0), 3: rng.uniform(500.0, 12e3)}[cls[m]]
            speed = {1: rng.uniform(200, 300), 2: rng.uniform(30, 80), 3: rng.uniform(150, 600)}[cls[m]]
            pos = point_at(centre, rho, alt, azimuth_ref=horiz)
            heading = -horiz if rng.random() < 0.7 else np.cross(up, horiz)
            vel = speed * (heading + rng.normal(0, 0.05, 3))
        x[m, :3], x[m, 3:] = pos, vel
    return x, cls


@pytest.mark.parametrize("seed", range(10))
def test_fused_windows_equal_the_plain_prediction_and_search(seed):
    """On the fine and the coarse grid, with deadlines and every window test active: the same feasibility,
    intercept and launch times, PIPs, speeds and accelerations, to the bit, and the skip actually used."""
    rng = np.random.default_rng(seed)
    F, M = 9, 30
    fu = _units(rng, F)
    doc = Doctrine(fu, cycle=2.0, look_ahead=300.0)
    x, cls = _tracks(rng, M)
    now = 100.0
    t_end = np.where(rng.random(M) < 0.7, now + rng.uniform(20.0, 400.0, M), np.inf)
    pf, pm = (a.ravel() for a in np.meshgrid(np.arange(F), np.arange(M), indexing="ij"))
    keep = rng.random(pf.size) < 0.8
    pf, pm = pf[keep], pm[keep]
    n_feasible = 0
    for offsets in (doc.offsets, doc.later_offsets):
        ref = doc._windows_plain(now, x, cls, t_end, pf, pm, offsets)
        counts = np.zeros(4, np.int64)
        got = fused_windows(doc._window_arrays, now, x, cls, t_end, pf, pm, offsets, doc.beta, counts)
        f = ref.feasible
        np.testing.assert_array_equal(got.feasible, f)
        np.testing.assert_array_equal(got.t_intercept, ref.t_intercept)
        for name in ("t_launch", "pip", "speed", "accel"):
            np.testing.assert_array_equal(getattr(got, name)[f], getattr(ref, name)[f])
        n_feasible += int(f.sum())
        assert counts[1] > 0  # samples were skipped
        assert counts[0] < pf.size * offsets.size  # fewer pair-samples tested than the plain search's grid
    assert 0 < n_feasible < 2 * pf.size  # both outcomes occur
    # the doctrine's own entry point is the fused pass
    got = doc._windows(now, x, cls, t_end, pf, pm, doc.offsets)
    np.testing.assert_array_equal(got.feasible, doc._windows_plain(now, x, cls, t_end, pf, pm, doc.offsets).feasible)


def test_fused_windows_with_no_pairs_and_no_tracks():
    fu = _units(np.random.default_rng(0), 3)
    doc = Doctrine(fu, cycle=2.0)
    x, cls = _tracks(np.random.default_rng(1), 4)
    empty = np.zeros(0, np.int64)
    w = fused_windows(doc._window_arrays, 0.0, x, cls, np.full(4, np.inf), empty, empty, doc.offsets, doc.beta)
    assert w.feasible.shape == (0,) and w.pip.shape == (0, 3)
    w = fused_windows(doc._window_arrays, 0.0, np.zeros((0, 6)), np.zeros(0, np.int8), np.zeros(0), empty, empty,
                      doc.offsets, doc.beta)
    assert w.feasible.shape == (0,)


def test_chord_and_shell_bounds_hold_over_the_table_box():
    """Every point of a table's box (ground range up to its last node, radial altitude within its band) lies
    within ``d_lim`` of the fire unit and inside the shell ``a_lo <= |q| <= a_hi``, on the box's corners and
    edges too, whatever the unit's latitude and height; and the bounds are not loose by more than a few
    percent (they would skip nothing)."""
    rng = np.random.default_rng(3)
    env = EnvelopeSet([constant_speed_envelope(1500.0, 5e3, 120e3, 50.0, 30e3),
                       constant_speed_envelope(600.0, 500.0, 15e3, 10.0, 6e3)])
    for typ in (0, 1):
        rho_top = env.rho0[typ] + env.drho[typ] * 48
        h_lo, h_hi = env.h0[typ], env.h0[typ] + env.dh[typ] * 40
        for lat in (0.0, 35.0, 60.0, 89.0):
            site = geodetic2ecef(np.radians(lat), np.radians(rng.uniform(-180, 180)), rng.uniform(-50.0, 3000.0))
            d_lim, a_lo, a_hi = (b[0] for b in skip_bounds(env, np.array([typ]), site[None]))
            n = 4000
            rho = np.r_[rng.uniform(0.0, rho_top, n), np.full(4, rho_top), 0.0, 0.0]
            h = np.r_[rng.uniform(h_lo, h_hi, n), h_lo, h_hi, h_lo, h_hi, h_lo, h_hi]
            az = rng.uniform(0, 2 * np.pi, rho.size)
            up = site / np.linalg.norm(site)
            east = np.cross([0.0, 0.0, 1.0], up)
            east /= np.linalg.norm(east)
            north = np.cross(up, east)
            pts = np.array([point_at(site, r, hh, azimuth_ref=np.cos(a) * north + np.sin(a) * east)
                            for r, hh, a in zip(rho, h, az, strict=True)])
            d = np.linalg.norm(pts - site, axis=1)
            r = np.linalg.norm(pts, axis=1)
            assert d.max() <= d_lim and a_lo <= r.min() and r.max() <= a_hi
            assert d.max() >= 0.9 * d_lim
            assert a_hi - r.max() < 0.05 * (h_hi - h_lo) + 100.0 and r.min() - a_lo < 0.05 * (h_hi - h_lo) + 100.0


@pytest.mark.parametrize("inside_below", [True, False])
def test_entry_time_of_a_straight_line_against_a_fine_scan(inside_below):
    """``_entry_time`` gives the first time a squared distance along a straight line crosses its bound:
    never later than a 1 ms scan of the quadratic finds it, and inf only when the scan never finds it."""
    rng = np.random.default_rng(6)
    tau = np.arange(0.0, 600.0, 1e-3)
    for _ in range(300):
        p = rng.normal(size=3) * rng.uniform(1e3, 3e5)
        v = rng.normal(size=3) * rng.uniform(0.0, 3e3)
        c0, c1, c2 = p @ p, 2.0 * p @ v, v @ v
        lim2 = (np.sqrt(c0) * rng.uniform(0.3, 1.7)) ** 2
        got = _entry_time(c0, c1, c2, lim2, inside_below)
        q = c0 + c1 * tau + c2 * tau * tau
        hit = np.flatnonzero(q <= lim2 if inside_below else q >= lim2)
        if hit.size == 0:
            assert got == np.inf or got >= tau[-1] - 1e-3
        else:
            assert got <= tau[hit[0]] + 1e-12
            assert got >= tau[hit[0]] - 2e-3  # and it is the crossing, not a weak bound
    assert _entry_time(1.0, 0.0, 0.0, 4.0, True) == 0.0  # already inside
    assert _entry_time(9.0, 0.0, 0.0, 4.0, True) == np.inf  # at rest outside


def test_coast_distance_bound_along_compiled_coasts():
    """The coast bound the skip rests on, checked along the compiled coast (gravity with J2, rotation,
    drag; dives steep and shallow, slow and fast, down to the ground): from every sample, the distance to a
    point (fire units around, and the earth's centre) at every later sample is at least ``d + min(d', 0) tau
    - COAST_ACCEL tau^2 / 2``, i.e. no later sample comes nearer sooner than ``_travel_time`` says."""
    from iadsim.threats import rocket as rk

    rng = np.random.default_rng(5)
    n = 40
    start = geodetic2ecef(np.radians(rng.uniform(-80, 80, n)), np.radians(rng.uniform(-180, 180, n)),
                          rng.uniform(20e3, 150e3, n))
    up = start / np.linalg.norm(start, axis=1, keepdims=True)
    horiz = np.cross(up, rng.normal(size=(n, 3)))
    horiz /= np.linalg.norm(horiz, axis=1, keepdims=True)
    dive = rng.uniform(-0.3, 1.5, n)[:, None]
    v0 = rng.uniform(200.0, 7000.0, n)[:, None] * (np.cos(dive) * horiz - np.sin(dive) * up)
    t = np.arange(0.0, 300.0, 1.0)
    pv = np.empty((n, t.size, 6))
    rk.coast_grid(start, v0, np.full(n, 6000.0), t, rk.DT_EXO_PREDICT, rk.J2, True, pv)
    worst = np.inf
    for i in range(n):
        pts = [np.zeros(3)] + [start[i] + rng.normal(size=3) * 50e3 - up[i] * 20e3 for _ in range(4)]
        for f in pts:
            rel = pv[i, :, :3] - f
            d = np.linalg.norm(rel, axis=1)
            rate = np.einsum("kj,kj->k", rel, pv[i, :, 3:]) / d
            for k in range(0, t.size - 1, 7):
                tau = t[k + 1:] - t[k]
                bound = d[k] + min(rate[k], 0.0) * tau - 0.5 * COAST_ACCEL * tau ** 2
                worst = min(worst, float((d[k + 1:] - bound).min()))
                # the same statement as the kernel uses it
                shrink = d[k] - d[k + 1:]
                ok = shrink > 0
                wait = np.array([_travel_time(e, max(-rate[k], 0.0), COAST_ACCEL) for e in shrink[ok]])
                assert (wait <= tau[ok] + 1e-9).all()
    assert worst >= 0.0
    assert worst < 50.0  # the bound is near what the coasts reach somewhere


def _plan_args(rng, F, M):
    fu = _units(rng, F)
    x, cls = _tracks(rng, M)
    now = 50.0
    return fu, dict(now=now, x=x, cls=cls, value=rng.uniform(1.0, 100.0, M),
                    t_end=np.where(rng.random(M) < 0.7, now + rng.uniform(30.0, 400.0, M), np.inf),
                    eligible=rng.random(M) < 0.9, shots=rng.integers(0, 3, F), later_shots=rng.integers(0, 4, F))


@pytest.mark.parametrize("seed", range(6))
def test_plan_with_the_fused_windows_equals_the_plan_with_the_plain_ones(seed):
    """Doctrine.plan (fused windows; the later windows searched only when some unit can launch now) gives
    the same launch orders as the plan over the plain prediction-then-search windows."""
    rng = np.random.default_rng(100 + seed)
    fu, args = _plan_args(rng, 9, 40)
    fused = Doctrine(fu, cycle=2.0, look_ahead=300.0)
    plain = Doctrine(fu, cycle=2.0, look_ahead=300.0)
    plain._windows = plain._windows_plain
    a, b = fused.plan(**args), plain.plan(**args)
    assert len(b) > 0
    for name in ("fire_unit", "track_row", "t_launch", "t_intercept", "pip", "salvo", "pk", "value"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def test_no_launch_now_skips_the_later_search():
    """With no pair able to launch this cycle the plan is empty and the look-ahead windows are not searched
    (they could only have shaped the launches of this cycle)."""
    rng = np.random.default_rng(7)
    fu, args = _plan_args(rng, 6, 20)
    doc = Doctrine(fu, cycle=2.0, look_ahead=300.0)
    calls = []
    search = doc._windows
    doc._windows = lambda *a: calls.append(a[-1].size) or search(*a)
    assert len(doc.plan(**args)) > 0 and calls == [doc.offsets.size, doc.later_offsets.size]
    calls.clear()
    far = dict(args, x=args["x"] + np.r_[3e5, 0.0, 0.0, 0.0, 0.0, 0.0])  # everything 300 km further out
    assert len(doc.plan(**far)) == 0
    assert calls == [doc.offsets.size]


def test_cell_distances_against_points_of_the_cells():
    """The gap of every cell to the nearest all-feasible cell is at most the distance (ground range,
    altitude) from any point of it to any point of such a cell (random points, corners included), and
    attained by the rectangles' nearest points: zero for all-feasible cells and their neighbours."""
    rng = np.random.default_rng(8)
    env = EnvelopeSet([constant_speed_envelope(1500.0, 20e3, 120e3, 50.0, 30e3),
                       constant_speed_envelope(600.0, 3e3, 15e3, 10.0, 6e3)])
    cells = cell_distances(env)
    for t in range(2):
        ok = env.ok[t]
        cell_ok = ok[:-1, :-1] & ok[1:, :-1] & ok[:-1, 1:] & ok[1:, 1:]
        assert (cells[t][cell_ok] == 0).all() and (cells[t] > 0).any()
        gi, gj = np.nonzero(cell_ok)
        for i, j in zip(*np.nonzero(~cell_ok), strict=True):
            # points of cell (i, j) and of the ok cells, in metres
            a = np.c_[(i + rng.random(20)) * env.drho[t], (j + rng.random(20)) * env.dh[t]]
            a = np.r_[a, [[i * env.drho[t], j * env.dh[t]], [(i + 1) * env.drho[t], (j + 1) * env.dh[t]]]]
            b = np.c_[(gi + rng.random(gi.size)) * env.drho[t], (gj + rng.random(gj.size)) * env.dh[t]]
            d = np.sqrt(((a[:, None, :] - b[None]) ** 2).sum(-1)).min()
            assert cells[t, i, j] <= d + 1e-6
        # exact for a neighbour-free cell: the gap between rectangles
        far = np.unravel_index(np.argmax(cells[t]), cells[t].shape)
        gap_i = np.maximum(np.abs(far[0] - gi) - 1, 0) * env.drho[t]
        gap_j = np.maximum(np.abs(far[1] - gj) - 1, 0) * env.dh[t]
        assert cells[t][far] == pytest.approx(np.sqrt(gap_i ** 2 + gap_j ** 2).min())
    empty = constant_speed_envelope(600.0, 3e3, 15e3, 10.0, 6e3)
    none = EnvelopeSet([type(empty)(**{**empty.__dict__, "feasible": np.zeros_like(empty.feasible)})])
    assert np.isinf(cell_distances(none)).all()


def test_ground_range_and_altitude_move_at_most_cell_rate_times_the_path():
    """Along straight lines and compiled coasts in every direction (above ``CELL_MIN_RADIUS``), the
    (ground range, radial altitude) of a point seen from a fire unit changes between samples by at most
    ``CELL_RATE`` times the distance flown."""
    from iadsim.threats import rocket as rk

    rng = np.random.default_rng(9)
    n = 60
    start = geodetic2ecef(np.radians(rng.uniform(-89, 89, n)), np.radians(rng.uniform(-180, 180, n)),
                          rng.uniform(-20e3, 100e3, n))
    v0 = rng.normal(size=(n, 3)) * rng.uniform(10.0, 5000.0, n)[:, None]
    t = np.arange(0.0, 60.0, 0.5)
    pv = np.empty((n, t.size, 6))
    rk.coast_grid(start, v0, np.full(n, 6000.0), t, rk.DT_EXO_PREDICT, rk.J2, True, pv)
    line = start[:, None, :] + v0[:, None, :] * t[None, :, None]
    worst = 0.0
    for path in (pv[:, :, :3], line):
        for i in range(n):
            f = start[i] + rng.normal(size=3) * 40e3
            f *= 6371e3 / np.linalg.norm(f)
            rho, h = ground_range_altitude(f, path[i])
            moved = np.hypot(np.diff(rho), np.diff(h))
            flown = np.linalg.norm(np.diff(path[i], axis=0), axis=1)
            keep = (np.linalg.norm(path[i], axis=1)[1:] >= CELL_MIN_RADIUS) & (flown > 1.0)
            keep &= np.linalg.norm(path[i], axis=1)[:-1] >= CELL_MIN_RADIUS
            if keep.any():
                worst = max(worst, float((moved[keep] / flown[keep]).max()))
    assert worst <= CELL_RATE
    assert worst > 0.999  # the bound is near what is reached


def _candidate_pairs_plain(x, cls, eligible, value, shots, later, pos, r_max, P_salvo, horizon):
    """The numpy pre-gate Doctrine.plan had (reference for candidate_pairs)."""
    m_idx = np.flatnonzero(eligible & (value > 0))
    f_idx = np.flatnonzero((shots > 0) | (later > 0))
    r, v = x[m_idx, :3], x[m_idx, 3:6]
    dist = np.linalg.norm(r[None, :, :] - pos[f_idx][:, None, :], axis=2)
    reach = r_max[f_idx][:, None] + np.linalg.norm(v, axis=1)[None, :] * horizon
    fi, mi = np.nonzero((dist <= reach) & (P_salvo[f_idx][:, cls[m_idx]] > 0))
    return f_idx[fi], m_idx[mi]


@pytest.mark.parametrize("seed", range(5))
def test_candidate_pairs_equal_the_numpy_pre_gate(seed):
    from iadsim.assignment._windows import candidate_pairs

    rng = np.random.default_rng(200 + seed)
    F, M = 9, 50
    fu = _units(rng, F)
    x, cls = _tracks(rng, M)
    P_salvo = np.where(rng.random((F, 4)) < 0.8, rng.uniform(0.3, 0.9, (F, 4)), 0.0)
    r_max = rng.uniform(10e3, 150e3, F)
    for horizon in (0.0, 92.0, 392.0):
        args = (x, cls.astype(np.int64), rng.random(M) < 0.8, np.where(rng.random(M) < 0.9, 10.0, 0.0),
                rng.integers(0, 3, F), rng.integers(0, 3, F), fu.pos, r_max, P_salvo, horizon)
        got, ref = candidate_pairs(*args), _candidate_pairs_plain(*args)
        assert 0 < ref[0].size < F * M
        np.testing.assert_array_equal(got[0], ref[0])
        np.testing.assert_array_equal(got[1], ref[1])
