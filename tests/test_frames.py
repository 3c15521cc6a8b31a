"""Frames: reference points cross-checked against pymap3d's own ecef2enu/ecef2aer."""

import numpy as np
import pymap3d
import pytest

from iadsim.frames import aer2enu, ecef2enu, ecef2geodetic, enu2aer, enu2ecef, enu_rotation, geodetic2ecef


@pytest.mark.parametrize("lat,lon", [(0.0, 0.0), (45.0, 10.0), (-33.0, 151.0), (89.9, -120.0)])
def test_enu_matches_pymap3d(lat, lon):
    rng = np.random.default_rng(1)
    lat0, lon0 = np.radians(lat), np.radians(lon)
    o = geodetic2ecef(lat0, lon0, 100.0)
    pts = o + rng.normal(scale=2e5, size=(20, 3))
    C = enu_rotation(lat0, lon0)
    enu = ecef2enu(pts, o, C)
    e, n, u = pymap3d.ecef2enu(pts[:, 0], pts[:, 1], pts[:, 2], lat0, lon0, 100.0, deg=False)
    np.testing.assert_allclose(enu, np.stack([e, n, u], -1), atol=1e-6)
    np.testing.assert_allclose(enu2ecef(enu, o, C), pts, atol=1e-6)
    az, el, r = enu2aer(enu)
    az_ref, el_ref, r_ref = pymap3d.enu2aer(e, n, u, deg=False)
    np.testing.assert_allclose(np.stack([az, el, r]), np.stack([az_ref, el_ref, r_ref]), atol=1e-9)
    np.testing.assert_allclose(aer2enu(az, el, r), enu, atol=1e-6)


def test_geodetic_round_trip():
    lat, lon, alt = np.radians([10.0, -50.0]), np.radians([20.0, 170.0]), np.array([0.0, 30e3])
    lat2, lon2, alt2 = ecef2geodetic(geodetic2ecef(lat, lon, alt))
    np.testing.assert_allclose(lat2, lat, atol=1e-12)
    np.testing.assert_allclose(lon2, lon, atol=1e-12)
    np.testing.assert_allclose(alt2, alt, atol=1e-6)
