"""Radar measurement geometry: reference values, pymap3d cross-check, Jacobians, residual, conversion."""

import numpy as np
import pymap3d
import pytest

from iadsim.frames import enu_rotation, geodetic2ecef
from iadsim.tracking.measurements import H, SensorGeometry, cart_from_polar, h, residual

ALL = ("r", "az", "el", "rdot")


def test_reference_values_flat():
    geom = SensorGeometry.flat([[100.0, 200.0, 10.0]], [ALL])
    # target 3 km east, 4 km north, 10 m up relative -> r = 5 km, az = atan2(3, 4), el = 0
    x = np.array([[3100.0, 4200.0, 10.0, 30.0, 40.0, 0.0]])
    z = h(x, geom, 0, ALL)[0]
    assert z[0] == pytest.approx(5000.0)
    assert z[1] == pytest.approx(np.arctan2(3.0, 4.0))
    assert z[2] == pytest.approx(0.0, abs=1e-15)
    assert z[3] == pytest.approx(50.0)  # radial velocity (30,40) along (3,4)/5
    # due west and 45 degrees up: az = 3pi/2, el = pi/4
    x2 = np.array([[100.0 - 1000.0, 200.0, 1010.0, 0, 0, 0]])
    z2 = h(x2, geom, 0, ("r", "az", "el"))[0]
    np.testing.assert_allclose(z2, [np.sqrt(2) * 1000, 1.5 * np.pi, np.pi / 4], rtol=1e-12)


def test_ecef_against_pymap3d():
    lat, lon, alt = np.radians(52.0), np.radians(4.5), 30.0
    C = enu_rotation(lat, lon)
    p0 = geodetic2ecef(lat, lon, alt)
    geom = SensorGeometry(p0[None], C[None], [("r", "az", "el")])
    rng = np.random.default_rng(1)
    tl = np.radians(52.0) + rng.uniform(-1, 1, 20) * 0.02
    tn = np.radians(4.5) + rng.uniform(-1, 1, 20) * 0.02
    ta = rng.uniform(1000, 12000, 20)
    pos = geodetic2ecef(tl, tn, ta)
    x = np.concatenate([pos, np.zeros((20, 3))], axis=1)
    z = h(x, geom, np.zeros(20, int), ("r", "az", "el"))
    az, el, rng_ = pymap3d.geodetic2aer(tl, tn, ta, lat, lon, alt, deg=False)
    np.testing.assert_allclose(z[:, 0], rng_, rtol=1e-9)
    np.testing.assert_allclose(residual(z[:, 1], np.asarray(az), ("az",)), 0, atol=1e-9)
    np.testing.assert_allclose(z[:, 2], el, atol=1e-9)


@pytest.mark.parametrize("comps", [ALL, ("r", "az"), ("az", "r", "rdot"), ("r",)])
def test_jacobian_matches_finite_differences(comps):
    C = enu_rotation(0.7, -1.2)
    p0 = geodetic2ecef(0.7, -1.2, 50.0)
    geom = SensorGeometry(p0[None], C[None], [comps])
    rng = np.random.default_rng(2)
    x = np.concatenate([p0 + rng.normal(0, 4e4, (6, 3)), rng.normal(0, 300, (6, 3)), np.ones((6, 2))], 1)
    J = H(x, geom, 0, comps)
    assert J.shape == (6, len(comps), 8)
    assert np.all(J[:, :, 6:] == 0)
    Jn = np.zeros_like(J)
    for k in range(6):
        step = 1e-2 if k < 3 else 1e-3
        dx = np.zeros(8)
        dx[k] = step
        Jn[:, :, k] = residual(h(x + dx, geom, 0, comps), h(x - dx, geom, 0, comps), comps) / (2 * step)
    np.testing.assert_allclose(J, Jn, rtol=1e-5, atol=1e-12)


def test_residual_wraps_azimuth():
    comps = ("r", "az")
    y = residual(np.array([[10.0, 0.01]]), np.array([[8.0, 2 * np.pi - 0.01]]), comps)
    np.testing.assert_allclose(y, [[2.0, 0.02]], atol=1e-12)
    y = residual(np.array([[0.0, 2 * np.pi - 0.01]]), np.array([[0.0, 0.01]]), comps)
    np.testing.assert_allclose(y, [[0.0, -0.02]], atol=1e-12)
    # exactly pi stays at +pi: interval (-pi, pi]
    assert residual(np.array([[0.0, np.pi]]), np.array([[0.0, 0.0]]), comps)[0, 1] == pytest.approx(np.pi)
    assert residual(np.array([[0.0, 0.0]]), np.array([[0.0, np.pi]]), comps)[0, 1] == pytest.approx(np.pi)


def test_cart_from_polar_round_trip_and_covariance():
    C = enu_rotation(0.3, 0.9)
    p0 = geodetic2ecef(0.3, 0.9, 0.0)
    comps = ("r", "az", "el")
    geom = SensorGeometry(p0[None], C[None], [comps])
    x = np.concatenate([p0 + C.T @ np.array([30e3, -50e3, 8e3]), np.zeros(3)])[None]
    z = h(x, geom, 0, comps)
    R = np.diag([15.0, 2e-3, 2e-3]) ** 2
    pos, Rc = cart_from_polar(z, geom, 0, comps, R=R)
    np.testing.assert_allclose(pos, x[:, :3], atol=1e-6)
    # covariance against a Monte Carlo of the exact conversion (small noise: linearization holds)
    rng = np.random.default_rng(3)
    zs = z + rng.normal(size=(200_000, 3)) * np.sqrt(np.diag(R))
    ps, _ = cart_from_polar(zs, geom, np.zeros(len(zs), int), comps)
    np.testing.assert_allclose(np.cov(ps.T), Rc[0], rtol=0.02, atol=50.0)


def test_cart_from_polar_without_elevation_uses_caller_height():
    geom = SensorGeometry.flat([[0.0, 0.0, 0.0]], [("r", "az")])
    z = np.array([[5000.0, 0.5 * np.pi]])
    pos, Rc = cart_from_polar(z, geom, 0, ("r", "az"), R=np.diag([10.0, 1e-3]) ** 2, up=3000.0, up_sigma=100)
    np.testing.assert_allclose(pos, [[4000.0, 0.0, 3000.0]], atol=1e-9)
    assert np.all(np.linalg.eigvalsh(Rc) > 0)


def test_geometry_validation():
    with pytest.raises(ValueError):
        SensorGeometry.flat([[0, 0, 0]], [("az", "el")])
    with pytest.raises(ValueError):
        SensorGeometry.flat([[0, 0, 0]], [("r", "doppler")])
