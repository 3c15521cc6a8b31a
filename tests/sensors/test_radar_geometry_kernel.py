"""The compiled radar geometry (``Radar.geometry``, one pass per target) against its array form
(``Radar.geometry_reference``): same coverage everywhere, the same numbers to round-off."""

import numpy as np
import pytest

from iadsim.frames import aer2enu, enu2ecef
from iadsim.sensors import Radar, RadarParams


def _radar(**kw):
    base = dict(name="k", lat=np.radians(37.2), lon=np.radians(-8.4), alt=35.0, r_max=450e3, r_ref=250e3)
    base.update(kw)
    return Radar(RadarParams(**base))


CASES = [
    {},
    {"r_min": 2e3, "el_min": np.radians(1.0), "el_max": np.radians(60.0)},
    {"az_center": np.radians(350.0), "az_width": np.radians(120.0)},  # a sector across north
    {"sectors": 8},
    {"az_center": np.radians(90.0), "az_width": np.radians(200.0), "r_min": 500.0},
    {"lat": np.radians(-71.0), "lon": np.radians(179.9), "alt": 2500.0, "k_earth": 1.0},
]


def _targets(radar, rng, n):
    """Targets spread over the coverage edges: near the horizon (low and far), around the range and
    elevation limits, in every azimuth, with velocities of either sign."""
    az = rng.uniform(0, 2 * np.pi, n)
    el = np.concatenate([rng.uniform(-0.02, 0.02, n // 2), rng.uniform(-0.2, 1.6, n - n // 2)])
    r = np.concatenate([rng.uniform(0, 1.2 * radar.params.r_max, n - 3), [0.0, 1.0, radar.params.r_max]])
    pos = enu2ecef(aer2enu(az, el, r), radar.ecef, radar.C)
    vel = rng.normal(size=(n, 3)) * 400.0
    return pos, vel


@pytest.mark.parametrize("kw", CASES)
def test_compiled_geometry_equals_the_array_form(kw):
    radar = _radar(**kw)
    rng = np.random.default_rng(11)
    pos, vel = _targets(radar, rng, 4000)
    sectors = [None] + (list(range(radar.params.sectors)) if radar.params.sectors > 1 else [])
    covered = 0
    for sector in sectors:
        geo, cover = radar.geometry(pos, vel, sector)
        geo0, cover0 = radar.geometry_reference(pos, vel, sector)
        assert np.array_equal(cover, cover0)
        covered += int(cover.sum())
        np.testing.assert_allclose(geo[:, 0], geo0[:, 0], rtol=1e-14, atol=1e-9)  # range, m
        np.testing.assert_allclose(geo[:, 1:3], geo0[:, 1:3], rtol=0, atol=1e-12)  # angles, rad (1 um at 1000 km)
        np.testing.assert_allclose(geo[:, 3], geo0[:, 3], rtol=1e-12, atol=1e-9)  # range rate, m/s
    assert 0 < covered < 4000 * len(sectors)  # both sides of the edges were exercised


def test_compiled_geometry_on_one_target_and_on_none():
    radar = _radar()
    pos = enu2ecef(aer2enu(np.array([0.3]), np.array([0.05]), np.array([1e5])), radar.ecef, radar.C)
    geo, cover = radar.geometry(pos[0], np.array([10.0, 0.0, 0.0]))
    assert geo.shape == (1, 4) and cover.tolist() == [True]
    np.testing.assert_allclose(geo[0, :3], [1e5, 0.3, 0.05], rtol=1e-12)
    geo, cover = radar.geometry(np.zeros((0, 3)), np.zeros((0, 3)))
    assert geo.shape == (0, 4) and cover.shape == (0,)


PLAIN = [
    {"fa_per_scan": 6.0},
    {"fa_per_scan": 3.0, "sectors": 6, "n_pulses": 4, "swerling": 1},
    {"fa_per_scan": 2.0, "az_center": np.radians(200.0), "az_width": np.radians(90.0), "swerling": 0,
     "n_pulses": 3, "measured": ("r", "az")},
    {"fa_per_scan": 0.0, "measured": ("r", "az", "el", "rdot"), "r_min": 3e3},
]


@pytest.mark.parametrize("kw", PLAIN)
def test_plain_scan_detections_are_the_general_path_bit_for_bit(kw):
    """Radar.measure's compiled plain path (no stressor touches the detections) against the general path on
    the same random stream: the same detections, noise, false alarms, SNRs and truth ids."""
    fast = _radar(**kw)
    slow = _radar(**kw)
    slow._plain = False
    assert fast._plain
    rng = np.random.default_rng(4)
    pos, vel = _targets(fast, rng, 301)
    away = np.linalg.norm(pos - fast.ecef, axis=1) > 0  # no target on the antenna
    pos, vel = pos[away][:300], vel[away][:300]
    rcs = rng.lognormal(0.0, 1.5, 300)
    ids = rng.permutation(1000)[:300]
    sectors = list(range(fast.params.sectors)) if fast.params.sectors > 1 else [None]
    seen = 0
    for scan in range(12):
        sector = sectors[scan % len(sectors)]
        a = fast.measure(float(scan), pos, vel, rcs, ids, np.random.default_rng(scan), sector=sector)
        b = slow.measure(float(scan), pos, vel, rcs, ids, np.random.default_rng(scan), sector=sector)
        for name in ("z", "truth_id", "snr"):
            assert np.array_equal(getattr(a, name), getattr(b, name)), name
        assert np.array_equal(np.broadcast_to(a.R, (len(a), *a.R.shape[-2:])),
                              np.broadcast_to(b.R, (len(b), *b.R.shape[-2:])))
        assert a.components == b.components and len(a.strobes) == len(b.strobes) == 0
        assert fast.last_sector == slow.last_sector
        seen += int(np.count_nonzero(a.truth_id >= 0))
    assert seen > 50


ONE_PASS = [
    {"fa_per_scan": 6.0},
    {"fa_per_scan": 9.9},  # the largest Poisson means the one pass takes (below POISSON_EXACT)
    {"fa_per_scan": 57.0, "sectors": 6},  # 9.5 a sector
    {"fa_per_scan": 2.0, "az_center": np.radians(200.0), "az_width": np.radians(90.0), "measured": ("r", "az")},
    {"fa_per_scan": 0.0, "r_min": 3e3},
    {"fa_per_scan": 0.3, "sectors": 8, "measured": ("r", "az", "rdot")},
]


@pytest.mark.parametrize("kw", ONE_PASS)
def test_one_pass_scan_draws_and_detects_as_the_two_pass_path(kw):
    """The single-pulse Swerling 1 radar's one compiled pass, which draws from the scan's generator inside
    the kernel, against the two-pass plain path that draws in Python: the same detections, noise, false
    alarms, SNRs and truth ids bit for bit, and the generator left in the same state (a target on the
    antenna included: r = 0 gives Pd = 1 in both)."""
    one = _radar(**kw)
    two = _radar(**kw)
    two._one_pass = False
    assert one._one_pass and two._plain
    rng = np.random.default_rng(4)
    pos, vel = _targets(one, rng, 301)
    rcs = rng.lognormal(0.0, 1.5, 301)
    ids = np.sort(rng.permutation(1000)[:301])
    sectors = list(range(one.params.sectors)) if one.params.sectors > 1 else [None]
    seen = fa = 0
    for scan in range(24):
        sector = sectors[scan % len(sectors)]
        g1, g2 = np.random.default_rng(scan), np.random.default_rng(scan)
        a = one.measure(float(scan), pos, vel, rcs, ids, g1, sector=sector)
        with np.errstate(divide="ignore"):
            b = two.measure(float(scan), pos, vel, rcs, ids, g2, sector=sector)
        for name in ("z", "truth_id", "snr"):
            assert np.array_equal(getattr(a, name), getattr(b, name)), name
        assert np.array_equal(a.R, b.R) and a.components == b.components and len(a.strobes) == 0
        assert g1.random() == g2.random()
        seen += int(np.count_nonzero(a.truth_id >= 0))
        fa += int(np.count_nonzero(a.truth_id < 0))
    assert seen > 300 and (fa > 0) == (one.params.fa_per_scan > 0)


def test_one_pass_is_taken_only_where_it_holds(monkeypatch):
    """Multi-pulse, Swerling 0 and stressed radars keep the other paths, and so does a scan whose false
    alarms' Poisson mean reaches POISSON_EXACT (numba's draw there is not numpy's); a rotating radar's sector
    has its share of the mean."""
    from iadsim.sensors import radar as radar_mod

    assert _radar()._one_pass
    assert not _radar(n_pulses=3)._one_pass and not _radar(swerling=0)._one_pass
    assert not _radar(beamwidth_az=0.02, beamwidth_el=0.02)._one_pass
    taken = []
    real = radar_mod.Radar._measure_one_pass
    monkeypatch.setattr(radar_mod.Radar, "_measure_one_pass", lambda self, *a: taken.append(1) or real(self, *a))
    pos, vel = _targets(_radar(), np.random.default_rng(5), 50)
    for kw, sector, one in [({"fa_per_scan": 9.99}, None, True), ({"fa_per_scan": 10.0}, None, False),
                            ({"fa_per_scan": 25.0}, None, False), ({"fa_per_scan": 25.0, "sectors": 3}, 1, True),
                            ({"fa_per_scan": 30.0, "sectors": 3}, 2, False)]:
        taken.clear()
        with np.errstate(divide="ignore"):
            det = _radar(**kw).measure(0.0, pos, vel, np.ones(50), np.arange(50), np.random.default_rng(1),
                                       sector=sector)
        assert bool(taken) == one, kw
        assert len(det) > 0


@pytest.mark.parametrize("kw", CASES)
def test_cover_within_is_geometry_cover_inside_the_cut(kw):
    """Radar.cover_within (the tracker's counting, one pass) equals geometry()'s coverage of the targets
    within r_cut of the site, False beyond, with geometry()'s azimuth and elevation where covered."""
    radar = _radar(**kw)
    rng = np.random.default_rng(12)
    pos, _ = _targets(radar, rng, 3000)
    r_cut = 0.6 * radar.params.r_max
    d = np.linalg.norm(pos - radar.ecef, axis=1)
    sectors = [None] + (list(range(radar.params.sectors)) if radar.params.sectors > 1 else [])
    for sector in sectors:
        cover, az_el = radar.cover_within(pos, r_cut, sector)
        geo, ref = radar.geometry_reference(pos, np.zeros_like(pos), sector)
        ref = ref & (d <= r_cut)
        assert np.array_equal(cover, ref)
        np.testing.assert_allclose(az_el[cover], geo[cover, 1:3], rtol=0, atol=1e-12)
        assert np.all(az_el[d > r_cut] == 0.0)
    assert 0 < cover.sum() < np.count_nonzero(d <= r_cut)


@pytest.mark.parametrize("kw", [c for c in CASES if "sectors" not in c] + [{"sectors": 8}])
def test_plain_expected_pd_equals_the_array_form(kw):
    """Radar.pd_expected's compiled pass (plain single-pulse Swerling 1 radar) against the array form: zero
    outside the same coverage, the same Pd to round-off inside (pfa^(1 / (1 + SNR)))."""
    radar = _radar(pfa=1e-6, pd_ref=0.8, **kw)
    rng = np.random.default_rng(13)
    pos, vel = _targets(radar, rng, 3000)
    away = np.linalg.norm(pos - radar.ecef, axis=1) > 0
    pos, vel = pos[away], vel[away]
    rcs = rng.lognormal(0.0, 2.0, pos.shape[0])
    a = radar.pd_expected(pos, vel, rcs)
    b = radar.pd_expected_reference(pos, vel, rcs)
    assert np.array_equal(a > 0, b > 0) and np.count_nonzero(b > 0) > 100
    np.testing.assert_allclose(a, b, rtol=1e-14, atol=0)
    assert np.count_nonzero((b > 0.05) & (b < 0.95)) > 50  # the steep part of the curve was exercised
