"""Radar: geometry vs pymap3d, Monte Carlo Pd vs theory, 4/3-earth horizon, false alarms, noise."""

import numpy as np
import pymap3d
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iadsim.frames import aer2enu, enu2ecef, geodetic2ecef
from iadsim.sensors import Radar, RadarParams, horizon_visible
from iadsim.sensors.detection import pd_marcum_exact, pd_swerling1, snr_from_reference

A_WGS = 6378137.0


def _params(**kw):
    base = dict(name="test", lat=0.0, lon=0.0, alt=10.0, r_max=600e3, r_ref=300e3, rcs_ref=1.0, pd_ref=0.9,
                pfa=1e-6, sigma_r=30.0, sigma_az=1e-3, sigma_el=2e-3, sigma_rdot=3.0)
    base.update(kw)
    return RadarParams(**base)


def _targets(radar, az, el, r):
    enu = aer2enu(np.asarray(az, float), np.asarray(el, float), np.asarray(r, float))
    return enu2ecef(enu, radar.ecef, radar.C)


def _binomial_ok(k, n, p, z=4.0):
    return abs(k - n * p) <= z * np.sqrt(n * p * (1 - p)) + 1


def test_geometry_matches_pymap3d():
    radar = Radar(_params(lat=np.radians(35.0), lon=np.radians(-20.0), alt=250.0))
    rng = np.random.default_rng(0)
    pos = radar.ecef + rng.normal(scale=100e3, size=(50, 3))
    vel = rng.normal(scale=300.0, size=(50, 3))
    geo, _ = radar.geometry(pos, vel)
    az, el, r = pymap3d.ecef2aer(pos[:, 0], pos[:, 1], pos[:, 2], np.radians(35.0), np.radians(-20.0), 250.0,
                                 deg=False)
    np.testing.assert_allclose(geo[:, 0], r, rtol=1e-12)
    np.testing.assert_allclose(geo[:, 1], az, atol=1e-9)
    np.testing.assert_allclose(geo[:, 2], el, atol=1e-9)
    dt = 1e-3
    geo_p, _ = radar.geometry(pos + vel * dt, vel)
    geo_m, _ = radar.geometry(pos - vel * dt, vel)
    np.testing.assert_allclose(geo[:, 3], (geo_p[:, 0] - geo_m[:, 0]) / (2 * dt), atol=1e-5)


@pytest.mark.parametrize("swerling,n_pulses", [(1, 1), (1, 4), (0, 1), (0, 8)])
def test_monte_carlo_pd_matches_theory(swerling, n_pulses):
    """Detections of 4000 identical targets at each of three ranges: counts within 4 binomial sigmas of
    the model Pd (pd_swerling1 / exact Marcum) at the SNR from the referenced radar equation."""
    radar = Radar(_params(swerling=swerling, n_pulses=n_pulses))
    ranges = np.array([250e3, 330e3, 420e3])
    m = 4000
    r = np.repeat(ranges, m)
    pos = _targets(radar, np.full(r.size, 1.0), np.full(r.size, np.radians(5.0)), r)
    ids = np.arange(r.size)
    det = radar.measure(0.0, pos, np.zeros_like(pos), np.ones(r.size), ids, np.random.default_rng(42))
    snr = snr_from_reference(ranges, 1.0, 300e3, 1.0, radar.snr_ref)
    pd = (pd_swerling1(snr, 1e-6, n_pulses) if swerling == 1 else pd_marcum_exact(snr, 1e-6, n_pulses))
    counts = np.bincount(det.truth_id // m, minlength=3)
    for k, p in zip(counts, pd, strict=True):
        assert _binomial_ok(k, m, p), (k, m * p)
    # the reference detection itself: pd_ref at r_ref on rcs_ref
    p_ref = pd_swerling1(radar.snr_ref, 1e-6, n_pulses) if swerling == 1 else pd_marcum_exact(
        radar.snr_ref, 1e-6, n_pulses)
    assert p_ref == pytest.approx(0.9, abs=1e-9)


@pytest.mark.parametrize("h", [10.0, 100.0, 1000.0])
def test_radar_horizon_distance(h):
    """Radar horizon over the 4/3 earth: d = sqrt(2 k R h) ~ 4.12 sqrt(h[m]) km (Skolnik ch. 8;
    Doerry SAND2012-10690) for a target on the ground, and sqrt(2kRh_r) + sqrt(2kRh_t) for a target at
    height h_t; checked 1 % either side of the boundary."""
    k = 4.0 / 3.0
    d_h = np.sqrt(2 * k * A_WGS * h)
    assert d_h / 1e3 == pytest.approx(4.12 * np.sqrt(h), rel=3e-3)
    radar = geodetic2ecef(0.0, 0.0, h)
    d = np.array([0.99, 1.01]) * d_h
    tgt = geodetic2ecef(np.zeros(2), d / A_WGS, np.zeros(2))
    assert horizon_visible(radar, tgt).tolist() == [True, False]
    h_t = 3000.0
    d2 = np.array([0.99, 1.01]) * (d_h + np.sqrt(2 * k * A_WGS * h_t))
    tgt = geodetic2ecef(np.zeros(2), d2 / A_WGS, np.full(2, h_t))
    assert horizon_visible(radar, tgt).tolist() == [True, False]
    # k = 1 (no refraction) shortens the horizon by sqrt(4/3)
    d3 = 1.01 * np.sqrt(2 * A_WGS * h)
    assert not horizon_visible(radar, geodetic2ecef(0.0, d3 / A_WGS, 0.0)[None], k=1.0)[0]
    assert horizon_visible(radar, geodetic2ecef(0.0, 0.99 * d3 / A_WGS, 0.0)[None], k=1.0)[0]


def test_below_horizon_never_detected():
    radar = Radar(_params(r_ref=2000e3, r_max=1000e3, el_min=np.radians(-5.0)))
    # 10 m radar, 30 m target: horizon ~ 13.0 + 22.6 km; put 2000 copies at 60 km (enormous SNR) and a
    # control group at 30 km
    lon = np.r_[np.full(2000, 60e3), np.full(2000, 30e3)] / A_WGS
    pos = geodetic2ecef(np.zeros(lon.size), lon, np.full(lon.size, 30.0))
    det = radar.measure(0.0, pos, np.zeros_like(pos), np.ones(lon.size), np.arange(lon.size),
                        np.random.default_rng(3))
    assert np.all(det.truth_id >= 2000)
    assert len(det) == 2000


def test_false_alarms_poisson_and_uniform():
    p = _params(fa_per_scan=2.5, az_center=np.radians(90.0), az_width=np.radians(60.0), r_min=5e3,
                el_min=np.radians(1.0), el_max=np.radians(40.0), rdot_max=1500.0)
    radar = Radar(p)
    rng = np.random.default_rng(7)
    none = np.empty((0, 3))
    scans = [radar.measure(float(i), none, none, np.empty(0), np.empty(0, int), rng) for i in range(4000)]
    counts = np.array([len(d) for d in scans])
    mean = counts.mean()
    assert abs(mean - 2.5) < 4 * np.sqrt(2.5 / counts.size)
    assert 0.9 < counts.var() / mean < 1.1  # Poisson dispersion index
    assert _binomial_ok(np.sum(counts == 0), counts.size, np.exp(-2.5))
    z = np.vstack([d.z for d in scans])
    assert np.all(np.concatenate([d.truth_id for d in scans]) == -1)
    assert z[:, 0].min() >= 5e3 and z[:, 0].max() <= 600e3
    assert np.all(np.abs(z[:, 1] - np.radians(90.0)) <= np.radians(30.0) + 1e-12)
    assert z[:, 2].min() >= np.radians(1.0) and z[:, 2].max() <= np.radians(40.0)
    assert np.abs(z[:, 3]).max() <= 1500.0
    # uniform in range: each of 10 equal bins gets 1/10 within 4 binomial sigmas
    hist, _ = np.histogram(z[:, 0], bins=10, range=(5e3, 600e3))
    assert all(_binomial_ok(k, z.shape[0], 0.1) for k in hist)


def test_measurement_noise_statistics():
    p = _params(r_ref=5000e3)
    radar = Radar(p)
    n = 20000
    az0, el0, r0 = 0.0005, np.radians(10.0), 100e3  # azimuth next to north: wrap-around exercised
    pos = _targets(radar, np.full(n, az0), np.full(n, el0), np.full(n, r0))
    vel = np.tile([100.0, -50.0, 20.0], (n, 1))
    det = radar.measure(5.0, pos, vel, np.ones(n), np.arange(n), np.random.default_rng(11))
    assert len(det) == n  # Pd = 1 at this SNR
    truth, _ = radar.geometry(pos, vel)
    err = det.z - truth
    err[:, 1] = np.mod(err[:, 1] + np.pi, 2 * np.pi) - np.pi
    sig = np.array([30.0, 1e-3, 2e-3, 3.0])
    assert np.all(np.abs(err.mean(axis=0)) < 4 * sig / np.sqrt(n))
    np.testing.assert_allclose(err.std(axis=0), sig, rtol=0.03)
    np.testing.assert_allclose(det.R, np.diag(sig**2))
    assert np.all((det.z[:, 1] >= 0) & (det.z[:, 1] < 2 * np.pi))
    assert det.components == ("r", "az", "el", "rdot") and det.t == 5.0


def test_snr_dependent_angle_accuracy():
    """sigma = sqrt(floor^2 + (theta3 / (k_m sqrt(2 SNR)))^2) (Principles of Modern Radar, ch. 18)."""
    bw = np.radians(2.0)
    radar = Radar(_params(beamwidth_az=bw, beamwidth_el=bw, k_mono=1.6, sigma_az=1e-4, sigma_el=1e-4,
                          r_ref=500e3))
    n = 20000
    pos = _targets(radar, np.full(n, 1.0), np.full(n, np.radians(10.0)), np.full(n, 200e3))
    det = radar.measure(0.0, pos, np.zeros_like(pos), np.ones(n), np.arange(n), np.random.default_rng(5))
    snr = snr_from_reference(200e3, 1.0, 500e3, 1.0, radar.snr_ref)
    expected = np.sqrt(1e-4**2 + (bw / (1.6 * np.sqrt(2 * snr))) ** 2)
    truth, _ = radar.geometry(pos, np.zeros_like(pos))
    err = det.z - truth[det.truth_id]
    np.testing.assert_allclose(err[:, 1:3].std(axis=0), expected, rtol=0.03)
    assert det.R.shape == (len(det), 4, 4)
    np.testing.assert_allclose(det.R[:, 1, 1], expected**2)
    np.testing.assert_allclose(det.snr, snr)


def test_coverage_limits_and_components():
    p = _params(r_min=20e3, az_center=np.radians(350.0), az_width=np.radians(40.0), el_min=np.radians(2.0),
                el_max=np.radians(60.0), r_ref=5000e3, measured=("r", "az"))
    radar = Radar(p)
    az = np.radians([350.0, 5.0, 15.0, 320.0, 350.0, 350.0, 350.0, 350.0])
    el = np.radians([10.0, 10.0, 10.0, 10.0, 1.0, 70.0, 10.0, 10.0])
    r = np.array([100e3, 100e3, 100e3, 100e3, 100e3, 100e3, 10e3, 700e3])
    pos = _targets(radar, az, el, r)
    det = radar.measure(0.0, pos, np.zeros_like(pos), np.ones(8), np.arange(8), np.random.default_rng(0))
    assert det.truth_id.tolist() == [0, 1]
    assert det.z.shape == (2, 2) and det.R.shape == (2, 2)


def test_order_and_reproducibility():
    radar = Radar(_params(fa_per_scan=3.0, r_ref=2000e3))
    rng = np.random.default_rng(1)
    ids = rng.permutation(np.arange(100, 150))
    pos = _targets(radar, rng.uniform(0, 2 * np.pi, 50), np.full(50, 0.2), rng.uniform(10e3, 500e3, 50))
    a = radar.measure(0.0, pos, np.zeros_like(pos), np.ones(50), ids, np.random.default_rng(9))
    b = radar.measure(0.0, pos, np.zeros_like(pos), np.ones(50), ids, np.random.default_rng(9))
    np.testing.assert_array_equal(a.z, b.z)
    real = a.truth_id[a.truth_id >= 0]
    assert np.all(np.diff(real) > 0) and real.size > 40
    k = real.size
    assert np.all(a.truth_id[k:] == -1)


def test_params_validation():
    with pytest.raises(ValueError):
        _params(measured=("az", "r"))
    with pytest.raises(ValueError):
        _params(r_min=700e3)
    with pytest.raises(ValueError):
        _params(swerling=2)
    with pytest.raises(ValueError):
        _params(pd_ref=1e-7)


@settings(max_examples=60, deadline=None)
@given(h_r=st.floats(0.0, 3000.0), d=st.floats(1e3, 600e3), h_t=st.floats(0.0, 20e3), dh=st.floats(1.0, 5e3),
       lat=st.floats(-80.0, 80.0))
def test_horizon_monotone_in_target_height(h_r, d, h_t, dh, lat):
    """Property: raising a visible target never hides it; lowering a hidden one never reveals it."""
    lat0 = np.radians(lat)
    radar = geodetic2ecef(lat0, 0.0, h_r)
    lon = d / A_WGS / np.cos(lat0)
    tgt = geodetic2ecef(np.full(2, lat0), np.full(2, lon), np.array([h_t, h_t + dh]))
    low, high = horizon_visible(radar, tgt)
    assert high or not low
