"""Shared flight physics against published reference values (US Standard Atmosphere 1976, WGS-84)."""

import numpy as np
import pytest

from iadsim.physics.atmosphere import speed_of_sound, us1976_density, us1976_scalar, us1976_temperature
from iadsim.physics.gravity import J2, OMEGA_EARTH, POINT_MASS, gravity_ecef, gravity_scalar


def test_temperature_and_speed_of_sound_match_the_standard_tables():
    """NOAA-S/T 76-1562, Table I (geometric altitude): T (K) and speed of sound (m/s)."""
    h = np.array([0.0, 5e3, 11e3, 20e3, 30e3, 50e3, 80e3])
    T = np.array([288.150, 255.676, 216.774, 216.650, 226.509, 270.650, 198.639])
    a = np.array([340.294, 320.545, 295.154, 295.069, 301.709, 329.799, 282.543])
    np.testing.assert_allclose(us1976_temperature(h), T, rtol=2e-5)
    np.testing.assert_allclose(speed_of_sound(h), a, rtol=2e-5)


def test_compiled_scalar_equals_the_array_model_and_stays_finite_high_up():
    h = np.array([-200.0, 0.0, 3e3, 11e3, 19.9e3, 33e3, 47.5e3, 60e3, 79e3, 86e3, 120e3, 400e3])
    rho = us1976_density(h)
    a = speed_of_sound(h)
    for k, hk in enumerate(h):
        r_s, a_s = us1976_scalar(hk)
        assert r_s == pytest.approx(rho[k], rel=1e-12)
        assert a_s == pytest.approx(a[k], rel=1e-12)
    assert np.all(np.isfinite(rho)) and np.all(rho > 0) and rho[-1] < 1e-20
    # continuous where the isothermal continuation starts (84.852 km geopotential)
    hb = 6356766.0 * 84852.0 / (6356766.0 - 84852.0)
    np.testing.assert_allclose(us1976_density(hb - 1e-6), us1976_density(hb + 1e-6), rtol=1e-9)
    np.testing.assert_allclose(us1976_temperature(hb - 1e-6), us1976_temperature(hb + 1e-6), rtol=1e-9)


def test_normal_gravity_at_equator_and_pole_matches_wgs84():
    """NIMA TR8350.2 normal gravity: 9.7803253359 m/s^2 (equator), 9.8321849378 m/s^2 (pole); the J2 model
    with the centrifugal term agrees to the neglected higher harmonics (~1e-5)."""
    r = np.array([[6378137.0, 0.0, 0.0], [0.0, 0.0, 6356752.314245]])
    g = gravity_ecef(r, model=J2, rotating=True)
    assert np.linalg.norm(g[0]) == pytest.approx(9.7803253359, rel=1e-5)
    assert np.linalg.norm(g[1]) == pytest.approx(9.8321849378, rel=2e-5)
    assert g[0, 0] < 0 and g[1, 2] < 0


def test_coriolis_and_scalar_kernel():
    r = np.array([[4e6, 3e6, 3.5e6]])
    v = np.array([[100.0, -2000.0, 300.0]])
    g = gravity_ecef(r, model=POINT_MASS, rotating=True, v=v)
    g0 = gravity_ecef(r, model=POINT_MASS, rotating=False)
    w = np.array([0.0, 0.0, OMEGA_EARTH])
    expected = g0[0] - 2 * np.cross(w, v[0]) - np.cross(w, np.cross(w, r[0]))
    np.testing.assert_allclose(g[0], expected, rtol=1e-12)
    np.testing.assert_allclose(gravity_scalar(*r[0], *v[0], J2, True), gravity_ecef(r, J2, True, v)[0], rtol=1e-12)
