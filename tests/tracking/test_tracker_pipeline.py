"""Tracker pipeline: crossing targets in clutter, detection-order invariance, fusion, deletion, API."""

import numpy as np
import pytest

from iadsim.metrics.tracking import gospa, track_continuity
from iadsim.tracking import EKF, SensorGeometry, Tracker, TrackerConfig, h
from iadsim.tracking.classify import CLASSES
from iadsim.tracking.motion import NCV

COMPS = ("r", "az")
SIG = np.array([20.0, 1.5e-3])


def crossing_scenario(seed, steps=40, T=2.0, pd=0.95, clutter=10, region=(-30e3, 30e3, 20e3, 80e3)):
    """Four targets in a plane crossing near the centre at t = 40 s; uniform Poisson clutter."""
    rng = np.random.default_rng(seed)
    geom = SensorGeometry.flat([[0.0, 0.0, 0.0]], [COMPS])
    centre = np.array([0.0, 50e3, 0.0])
    heads = np.radians([10.0, 100.0, 190.0, 280.0])
    speed = np.array([200.0, 180.0, 220.0, 160.0])
    v = np.stack([speed * np.sin(heads), speed * np.cos(heads), np.zeros(4)], 1)
    offs = np.array([[0, 0, 0], [600.0, 0, 0], [0, -600.0, 0], [-600.0, 600.0, 0]])
    p0 = centre + offs - v * 40.0
    scans, truth = [], []
    for k in range(steps):
        t = k * T
        x = np.concatenate([p0 + v * t, v], 1)
        truth.append(x)
        det = rng.random(4) < pd
        z = h(x[det], geom, 0, COMPS) + rng.normal(size=(det.sum(), 2)) * SIG
        nc = rng.poisson(clutter)
        cp = np.stack([rng.uniform(region[0], region[1], nc), rng.uniform(region[2], region[3], nc),
                       np.zeros(nc)], 1)
        zc = h(np.concatenate([cp, np.zeros((nc, 3))], 1), geom, 0, COMPS)
        scans.append((t, np.concatenate([z, zc])))
    return geom, scans, truth


def _tracker(geom, **kw):
    cfg = dict(v_max=400.0, gate_probability=0.999, confirm_m=4, confirm_n=5, max_misses=3)
    cfg.update(kw)
    return Tracker(geom, EKF(NCV(5.0, "enu")), TrackerConfig(**cfg))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_crossing_targets_in_clutter_one_track_each(seed):
    geom, scans, truth = crossing_scenario(seed)
    trk = _tracker(geom)
    R = np.diag(SIG**2)
    frames, n_conf = [], []
    for (t, z), x in zip(scans, truth, strict=True):
        trk.step(t, 0, z, R)
        c = trk.confirmed()
        n_conf.append(len(c))
        frames.append((np.arange(4), x[:, :2], c.id, c.x[:, :2]))
        assert np.all(c.t == t)
    n_conf = np.array(n_conf)
    # after the confirmation delay: exactly one confirmed track per target, no false confirmed track
    assert np.all(n_conf[6:] == 4), n_conf
    g = gospa(truth[-1][:, :2], trk.confirmed().x[:, :2], c=500.0)
    assert g.n_missed == 0 and g.n_false == 0
    assert np.sqrt(g.localisation / 4) < 60.0
    cont = track_continuity(frames[6:], c=500.0)
    assert cont.total_id_switches == 0 and cont.total_breaks == 0
    # tentative tracks do exist (clutter) but never leave confirmed()
    assert len(trk.all_tracks()) > len(trk.confirmed())


def test_false_confirmed_tracks_rare_in_pure_clutter():
    """Clutter only, 10 per scan over 60 km x 60 km: M-of-N 4/5 confirms (almost) nothing."""
    geom, scans, _ = crossing_scenario(11, steps=60, pd=0.0, clutter=10)
    trk = _tracker(geom)
    n_false = 0
    for t, z in scans:
        trk.step(t, 0, z, np.diag(SIG**2))
        n_false = max(n_false, len(trk.confirmed()))
    assert n_false == 0


def test_detection_order_does_not_matter():
    geom, scans, _ = crossing_scenario(3, steps=20)
    a, b = _tracker(geom), _tracker(geom)
    rng = np.random.default_rng(0)
    for t, z in scans:
        a.step(t, 0, z, np.diag(SIG**2))
        b.step(t, 0, z[rng.permutation(len(z))], np.diag(SIG**2))
    ta, tb = a.all_tracks(), b.all_tracks()
    np.testing.assert_array_equal(ta.id, tb.id)
    np.testing.assert_allclose(ta.x, tb.x, rtol=0, atol=0)


def test_pregate_gives_same_tracks_as_full_matrix():
    geom, scans, _ = crossing_scenario(4, steps=25, clutter=30)
    a, b = _tracker(geom, pregate=True), _tracker(geom, pregate=False)
    for t, z in scans:
        a.step(t, 0, z, np.diag(SIG**2))
        b.step(t, 0, z, np.diag(SIG**2))
    np.testing.assert_array_equal(a.all_tracks().id, b.all_tracks().id)
    np.testing.assert_allclose(a.all_tracks().x, b.all_tracks().x)


def _two_radar_run(use, max_range=None, seed=9, steps=40):
    dims = [("r", "az", "el"), ("r", "az", "el")]
    geom = SensorGeometry.flat([[0.0, 0.0, 0.0], [40e3, 0.0, 0.0]], dims)
    rng = np.random.default_rng(seed)
    v = np.array([[150.0, 20.0, 0.0], [-120.0, -40.0, 0.0]])
    p0 = np.array([[5e3, 50e3, 8e3], [30e3, 60e3, 9e3]])
    sig = np.array([30.0, 2e-3, 2e-3])
    trk = Tracker(geom, EKF(NCV(2.0, "enu")), TrackerConfig(v_max=300.0, max_range=max_range))
    err = []
    for k in range(steps):
        t = 1.0 * k
        s = k % 2
        x = np.concatenate([p0 + v * t, v], 1)
        z = h(x, geom, s, dims[s]) + rng.normal(size=(2, 3)) * sig
        trk.step(t, s, z if s in use else z[:0], np.diag(sig**2))
        c = trk.confirmed()
        if k >= 20:
            assert len(c) == 2
            err.append(gospa(x[:, :3], c.x[:, :3], c=2000.0).localisation)
    return trk, np.mean(err)


def test_two_sensor_fusion():
    """Two radars scanning alternately: one fused track per target, more accurate than one radar."""
    trk, err_both = _two_radar_run(use=(0, 1))
    assert len(trk) == 2 and np.all(trk.all_tracks().n_updates == 40)
    _, err_one = _two_radar_run(use=(0,), max_range=(None, 1.0))
    assert err_both < 0.8 * err_one
    # kinematic class of the confirmed tracks: 130-150 m/s in level flight at 8-9 km -> aircraft
    c = trk.confirmed()
    assert [CLASSES[k] for k in c.cls] == ["aircraft"] * 2 and np.all(c.cls_conf > 0.5)


def test_scans_outside_coverage_do_not_count_as_misses():
    # radar 1 sees nothing; with a 1 m coverage its empty scans are not misses, so the tracks live on
    trk, _ = _two_radar_run(use=(0,), max_range=(None, 1.0))
    assert len(trk.confirmed()) == 2
    # with unlimited coverage the same empty scans are misses, yet 3 in a row never happen here
    # (scans alternate hit/miss): the miss counter resets on every hit
    trk2, _ = _two_radar_run(use=(0,))
    assert len(trk2.confirmed()) == 2
    # max_misses = 1: each counted empty scan of radar 1 deletes the confirmed tracks ...
    n = _run_with(Tracker(trk2.geom, trk2.filter, TrackerConfig(v_max=300.0, max_misses=1)))
    assert np.all(n[21::2] == 0)
    # ... unless radar 1's coverage excludes them
    n = _run_with(Tracker(trk2.geom, trk2.filter, TrackerConfig(v_max=300.0, max_misses=1,
                                                                max_range=(None, 1.0))))
    assert np.all(n[20:] == 2)


def _run_with(trk, steps=40):
    dims = trk.geom.dims
    rng = np.random.default_rng(9)
    v = np.array([[150.0, 20.0, 0.0], [-120.0, -40.0, 0.0]])
    p0 = np.array([[5e3, 50e3, 8e3], [30e3, 60e3, 9e3]])
    sig = np.array([30.0, 2e-3, 2e-3])
    n = []
    for k in range(steps):
        s = k % 2
        x = np.concatenate([p0 + v * k, v], 1)
        z = h(x, trk.geom, s, dims[s]) + rng.normal(size=(2, 3)) * sig
        trk.step(float(k), s, z if s == 0 else z[:0], np.diag(sig**2))
        n.append(len(trk.confirmed()))
    return np.array(n)


def test_deletion_after_misses_and_predict_confirmed_is_pure():
    geom = SensorGeometry.flat([[0.0, 0.0, 0.0]], [COMPS])
    trk = _tracker(geom, confirm_m=2, confirm_n=3, max_misses=3)
    x = np.array([[1e3, 40e3, 0.0, 100.0, 0.0, 0.0]])
    rng = np.random.default_rng(1)
    for k in range(5):
        xk = x.copy()
        xk[:, 0] += 100.0 * k * 2.0
        trk.step(2.0 * k, 0, h(xk, geom, 0, COMPS) + rng.normal(size=(1, 2)) * SIG, np.diag(SIG**2))
    c = trk.confirmed()
    assert len(c) == 1 and c.n_updates[0] == 5
    before = (trk.state.x.copy(), trk.state.P.copy(), trk.t.copy())
    p = trk.predict_confirmed(20.0)
    np.testing.assert_allclose(p.x[0, 0], c.x[0, 0] + c.x[0, 3] * 12.0)
    assert p.t[0] == 20.0 and np.all(np.diag(p.P[0]) > np.diag(c.P[0]))
    np.testing.assert_array_equal(trk.state.x, before[0])
    np.testing.assert_array_equal(trk.t, before[2])
    for k in range(5, 8):   # three empty scans: deleted at the third miss
        assert len(trk.confirmed()) == 1
        trk.step(2.0 * k, 0, np.zeros((0, 2)), np.diag(SIG**2))
    assert len(trk.confirmed()) == 0 and len(trk) == 0


def test_rejects_scans_going_back_in_time():
    geom = SensorGeometry.flat([[0.0, 0.0, 0.0]], [COMPS])
    trk = _tracker(geom)
    trk.step(5.0, 0, np.array([[1e4, 0.1]]), np.diag(SIG**2))
    with pytest.raises(ValueError):
        trk.step(4.0, 0, np.array([[1e4, 0.1]]), np.diag(SIG**2))


def _clutter_density(clutter=10, region=(-30e3, 30e3, 20e3, 80e3)):
    """Mean clutter density in (range, azimuth) space: lambda / area * r (dA = r dr daz), at mid range."""
    area = (region[1] - region[0]) * (region[3] - region[2])
    return clutter / area * 50e3


def test_sprt_score_increments_by_hand():
    from iadsim.tracking.management import score_increment_hit
    cfg = TrackerConfig(confirmation="sprt", pd=0.9, clutter_density=2e-4, new_target_density=1e-5,
                        sprt_alpha=1e-3, sprt_beta=0.1)
    S = np.diag([400.0, 1e-6])   # sqrt|S| = 20 * 1e-3 = 0.02
    dl = score_increment_hit(np.array([3.0]), S[None], cfg)[0]
    assert dl == pytest.approx(np.log(0.9 / (2 * np.pi * 2e-4 * 0.02)) - 1.5)
    lo, hi = cfg.sprt_thresholds()
    assert lo == pytest.approx(np.log(0.1 / 0.999)) and hi == pytest.approx(np.log(0.9 / 1e-3))


@pytest.mark.parametrize("seed", [0, 1])
def test_sprt_confirmation_tracks_targets_and_rejects_clutter(seed):
    geom, scans, truth = crossing_scenario(seed)
    sprt = dict(confirmation="sprt", pd=0.95, clutter_density=_clutter_density(), new_target_density=1e-5)
    trk = _tracker(geom, **sprt)
    n_conf = []
    for t, z in scans:
        trk.step(t, 0, z, np.diag(SIG**2))
        n_conf.append(len(trk.confirmed()))
    assert np.all(np.array(n_conf[6:]) == 4), n_conf
    # scores of confirmed tracks are far above the confirmation threshold, tentative ones below it
    tab_status = trk.status
    assert np.all(trk.score[tab_status == 1] > trk.config.sprt_thresholds()[1])
    # pure clutter: no confirmed track
    geom, scans, _ = crossing_scenario(11 + seed, steps=60, pd=0.0)
    trk = _tracker(geom, **sprt)
    for t, z in scans:
        trk.step(t, 0, z, np.diag(SIG**2))
        assert len(trk.confirmed()) == 0


def test_ecef_frame_two_distant_radars():
    """ECEF tracker frame, two radars 2 degrees of longitude apart (earth curvature matters)."""
    from iadsim.frames import enu_rotation, geodetic2ecef
    lat, lons = np.radians(45.0), np.radians([10.0, 12.0])
    pos = geodetic2ecef(lat, lons, np.array([50.0, 80.0]))
    C = enu_rotation(np.full(2, lat), lons)
    dims = [("r", "az", "el", "rdot"), ("r", "az", "el")]
    geom = SensorGeometry(pos, C, dims)
    # three aircraft at 9 km altitude between the radars, flying straight (great-circle effects over
    # 60 s are a few metres; the truth propagates in ECEF on straight lines like the NCV model)
    p0 = geodetic2ecef(np.radians([45.3, 44.8, 45.1]), np.radians([10.8, 11.2, 11.0]), np.full(3, 9000.0))
    Cm = enu_rotation(np.radians(45.0), np.radians(11.0))
    v = np.array([[200.0, 50.0, 0.0], [-180.0, 60.0, 0.0], [20.0, -230.0, 0.0]]) @ Cm   # ENU -> ECEF
    sig = [np.array([30.0, 1.5e-3, 1.5e-3, 2.0]), np.array([30.0, 1.5e-3, 1.5e-3])]
    trk = Tracker(geom, EKF(NCV(1.0, "ecef")), TrackerConfig(v_max=400.0))
    assert trk.frame == "ecef"
    rng = np.random.default_rng(21)
    for k in range(40):
        s = k % 2
        x = np.concatenate([p0 + v * k, v], 1)
        z = h(x, geom, s, dims[s]) + rng.normal(size=(3, len(dims[s]))) * sig[s]
        trk.step(float(k), s, z, np.diag(sig[s] ** 2))
    c = trk.confirmed()
    assert len(c) == 3 and np.all(c.n_updates == 40)
    x_end = np.concatenate([p0 + v * 39.0, v], 1)
    g = gospa(x_end[:, :3], c.x[:, :3], c=1000.0)
    assert g.n_missed == 0 and g.n_false == 0 and np.sqrt(g.localisation / 3) < 150.0
    order = np.argmin(np.linalg.norm(c.x[:, None, :3] - x_end[None, :, :3], axis=2), axis=1)
    np.testing.assert_allclose(c.x[:, 3:6], v[order], atol=15.0)


@pytest.mark.parametrize("seed", [0, 1])
def test_jpda_option_tracks_crossing_targets(seed):
    geom, scans, truth = crossing_scenario(seed, clutter=10)
    trk = _tracker(geom, association="jpda", pd=0.95, clutter_density=_clutter_density())
    n_conf, loc = [], []
    for (t, z), x in zip(scans, truth, strict=True):
        trk.step(t, 0, z, np.diag(SIG**2))
        c = trk.confirmed()
        n_conf.append(len(c))
        if len(c) == 4:
            loc.append(np.sqrt(gospa(x[:, :2], c.x[:, :2], c=500.0).localisation / 4))
    assert np.all(np.array(n_conf[6:]) == 4), n_conf
    assert np.mean(loc) < 60.0


def test_jpda_needs_pda_capable_filter():
    class NoPDA:
        n = 6
    with pytest.raises(ValueError):
        Tracker(SensorGeometry.flat([[0.0, 0.0, 0.0]], [COMPS]), NoPDA(), TrackerConfig(association="jpda"))
