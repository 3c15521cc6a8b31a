"""Triangulation of jamming strobes from two radars (iadsim.tracking.strobes)."""

import numpy as np
import pytest

from iadsim.frames import ecef2enu, enu2aer, enu_rotation, geodetic2ecef
from iadsim.tracking.measurements import SensorGeometry
from iadsim.tracking.strobes import StrobeFixer, closest_points

SITES = [(-20.0, -14.05, 30.0), (-19.55, -14.40, 30.0)]


def _geom(dims=(("r", "az", "el"), ("r", "az", "el", "rdot"))):
    pos = np.array([geodetic2ecef(np.radians(a), np.radians(b), h) for a, b, h in SITES])
    C = np.array([enu_rotation(np.radians(a), np.radians(b)) for a, b, _ in SITES])
    return SensorGeometry(position=pos, C=C, dims=dims)


def _bearing(geom, k, p):
    az, el, _ = enu2aer(ecef2enu(np.atleast_2d(p), geom.position[k], geom.C[k]))
    return np.stack([az, el], -1)


def _range(geom, k, p):
    return np.linalg.norm(np.atleast_2d(p) - geom.position[k], axis=-1)


def test_closest_points_of_two_crossing_lines():
    pa, ua = np.zeros(3), np.array([1.0, 0.0, 0.0])
    pb, ub = np.array([5.0, -3.0, 2.0]), np.array([0.0, 1.0, 0.0])
    s_a, s_b, sin_g = closest_points(pa, ua, pb, ub)
    assert (s_a, s_b, sin_g) == pytest.approx((5.0, 3.0, 1.0))


def test_noise_free_strobes_fix_the_jammer():
    geom = _geom()
    jam = geodetic2ecef(np.radians(-19.9), np.radians(-15.9), 9000.0)  # 190 km west
    fixer = StrobeFixer(geom)
    R = np.eye(2)[None] * 1e-8
    zf, _ = fixer.add(0.0, 0, _bearing(geom, 0, jam), R)
    assert zf.shape[0] == 0  # one radar alone: no fix
    zf, Rf = fixer.add(1.0, 1, _bearing(geom, 1, jam), R)
    assert zf.shape == (1, 4) and zf[0, 3] == 0.0 and Rf[0, 3, 3] == 3000.0 ** 2
    assert zf[0, 0] == pytest.approx(_range(geom, 1, jam)[0], abs=1.0)
    assert zf[0, 1:3] == pytest.approx(_bearing(geom, 1, jam)[0], abs=1e-9)


def test_fix_errors_are_consistent_with_their_stated_range_variance():
    """500 noisy strobe pairs (0.2 deg): the fix's range errors over their stated sigma have unit variance
    within sampling error (the first-order crossing geometry of the module docstring)."""
    geom = _geom()
    jam = geodetic2ecef(np.radians(-19.9), np.radians(-15.9), 9000.0)
    rng = np.random.default_rng(2)
    sig = np.radians(0.2)
    R = np.eye(2)[None] * sig ** 2
    truth = _range(geom, 1, jam)[0]
    norm = []
    for i in range(500):
        fixer = StrobeFixer(geom, v_max=0.0)
        fixer.add(0.0, 0, _bearing(geom, 0, jam) + rng.normal(size=2) * sig, R)
        zf, Rf = fixer.add(0.0, 1, _bearing(geom, 1, jam) + rng.normal(size=2) * sig, R)
        assert zf.shape[0] == 1, i
        norm.append((zf[0, 0] - truth) / np.sqrt(Rf[0, 0, 0]))
    norm = np.array(norm)
    assert abs(norm.mean()) < 0.2
    assert norm.std() == pytest.approx(1.0, abs=0.25)


def test_ghosts_of_two_jammers_at_different_heights_are_rejected():
    geom = _geom()
    jams = geodetic2ecef(np.radians([-19.9, -20.6]), np.radians([-15.9, -15.7]), np.array([9000.0, 500.0]))
    R = np.eye(2)[None].repeat(2, 0) * np.radians(0.05) ** 2
    fixer = StrobeFixer(geom)
    fixer.add(0.0, 0, _bearing(geom, 0, jams), R)
    zf, _ = fixer.add(0.5, 1, _bearing(geom, 1, jams), R)
    assert zf.shape[0] == 2  # the two true crossings, not four
    assert np.sort(zf[:, 0]) == pytest.approx(np.sort(_range(geom, 1, jams)), rel=0.02)


def test_stale_or_parallel_strobes_give_no_fix():
    geom = _geom()
    jam = geodetic2ecef(np.radians(-19.9), np.radians(-15.9), 9000.0)
    R = np.eye(2)[None] * 1e-8
    fixer = StrobeFixer(geom, max_age=5.0)
    fixer.add(0.0, 0, _bearing(geom, 0, jam), R)
    assert fixer.add(6.0, 1, _bearing(geom, 1, jam), R)[0].shape[0] == 0  # partner strobe too old
    # a jammer far away on the baseline's extension: the lines cross at a sliver of a degree
    far = geom.position[1] + 50 * (geom.position[1] - geom.position[0])
    fixer = StrobeFixer(geom)
    fixer.add(0.0, 0, _bearing(geom, 0, far), R)
    assert fixer.add(0.0, 1, _bearing(geom, 1, far), R)[0].shape[0] == 0
