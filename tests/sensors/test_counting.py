"""Counted scans for the tracker: ``iadsim.engine.simulation.small_target_counting``.

A scan of radar ``s`` counts against a track at ``pos`` only inside the radar's coverage (range window,
azimuth sector, elevation limits, 4/3-earth horizon) and within the small-target detection range
``r_small = r_ref (0.1 / rcs_ref)^(1/4)`` (the R^-4 radar equation at the reference Pd).

Hand-computed cases, each beside a control that differs only in the property its name gives:

* ``r_ref = 100 km, rcs_ref = 1 m^2``: ``r_small = 100 km x 0.1^(1/4) = 56.2341 km``; points 1 mm inside
  and outside along one beam;
* ``rcs_ref = 2 m^2``: ``r_small = 100 km x 0.05^(1/4) = 47.2871 km``;
* ``r_small > r_max``: the instrumented range bounds it (``r_ref = 400 km`` gives 224.9 km; r_max 150 km);
* a sector of 120 deg about 270 deg: half a degree outside its edge, half a degree inside;
* the 4/3-earth horizon of a radar 30 m up and a target 10 m up,
  ``d = sqrt(2 k R h_r) + sqrt(2 k R h_t) = 22.6 + 13.0 = 35.6 km`` (k = 4/3, R = 6371 km): 3 % beyond it
  the point is hidden while its elevation (-0.2 deg) is inside the -1 deg limit; 3 % short of it, or
  300 m up, it is seen;
* the elevation ceiling (85 deg) and the minimum range (1 km).
"""

import numpy as np
import pytest

from iadsim.engine.simulation import SMALL_TARGET_RCS, small_target_counting
from iadsim.frames import aer2enu, enu2ecef, geodetic2ecef
from iadsim.sensors import Radar, RadarParams

LAT0, LON0, ALT0 = np.radians(-20.0), np.radians(-15.0), 30.0
R_MEAN = 6371e3
K_EARTH = 4.0 / 3.0


def _radar(sensor, **kw):
    base = dict(name=f"R{sensor}", lat=LAT0, lon=LON0, alt=ALT0, r_max=200e3, r_ref=100e3, rcs_ref=1.0,
                r_min=1e3, az_center=np.radians(270.0), az_width=np.radians(120.0), el_min=np.radians(-1.0),
                el_max=np.radians(85.0))
    base.update(kw)
    return Radar(RadarParams(**base), sensor=sensor)


RADARS = [
    _radar(0),
    _radar(1, r_ref=400e3, r_max=150e3, az_width=2 * np.pi),
    _radar(2, rcs_ref=2.0),
]
COUNTED = small_target_counting(RADARS)


def _aer(radar, az_deg, el_deg, r):
    enu = aer2enu(np.radians(np.atleast_1d(az_deg)), np.radians(np.atleast_1d(el_deg)), np.atleast_1d(r))
    return enu2ecef(enu, radar.ecef, radar.C)


def _west(ground, h):
    """Point ``ground`` metres west of the radar on the mean sphere, ``h`` m above the ellipsoid."""
    ground = np.atleast_1d(np.asarray(ground, float))
    return geodetic2ecef(np.full(ground.size, LAT0), LON0 - ground / (R_MEAN * np.cos(LAT0)),
                         np.broadcast_to(h, ground.shape))


def test_small_target_rcs_is_a_tenth_of_a_square_metre():
    assert SMALL_TARGET_RCS == 0.1


@pytest.mark.parametrize("sensor,r_small", [(0, 100e3 * 0.1 ** 0.25), (2, 100e3 * 0.05 ** 0.25)])
def test_counted_just_inside_the_small_target_range_not_just_outside(sensor, r_small):
    assert r_small == pytest.approx({0: 56234.13, 2: 47287.08}[sensor], abs=0.01)
    radar = RADARS[sensor]
    pos = _aer(radar, [270.0, 270.0], [3.0, 3.0], [r_small - 1e-3, r_small + 1e-3])
    assert COUNTED(sensor, pos).tolist() == [True, False]
    # both points are inside the radar's coverage: only the small-target range tells them apart
    assert radar.geometry(pos, np.zeros_like(pos))[1].tolist() == [True, True]


def test_instrumented_range_bounds_a_long_small_target_range():
    radar = RADARS[1]
    r_small = 400e3 * 0.1 ** 0.25
    assert r_small > 224e3
    pos = _aer(radar, [90.0, 90.0, 90.0], [3.0, 3.0, 3.0], [140e3, 160e3, 210e3])
    assert COUNTED(1, pos).tolist() == [True, False, False]


def test_outside_the_azimuth_sector_is_not_counted():
    radar = RADARS[0]
    edge = 270.0 + 60.0
    pos = _aer(radar, [edge - 0.5, edge + 0.5, 270.0 - 60.0 + 0.5, 270.0 - 60.0 - 0.5, 90.0],
               [3.0] * 5, [30e3] * 5)
    assert COUNTED(0, pos).tolist() == [True, False, True, False, False]
    # the all-round radar counts the same points (they are all in its range)
    assert COUNTED(1, pos).tolist() == [True] * 5


def test_below_the_horizon_is_not_counted():
    d_h = np.sqrt(2 * K_EARTH * R_MEAN * ALT0) + np.sqrt(2 * K_EARTH * R_MEAN * 10.0)
    assert d_h == pytest.approx(35.6e3, rel=2e-3)
    pos = _west([0.97 * d_h, 1.03 * d_h, 1.03 * d_h], [10.0, 10.0, 300.0])
    geo, _ = RADARS[0].geometry(pos, np.zeros_like(pos))
    # the hidden point is inside the elevation limits and the small-target range: the horizon hides it
    assert np.radians(-1.0) < geo[1, 2] < 0.0 and geo[1, 0] < 56e3
    assert COUNTED(0, pos).tolist() == [True, False, True]


def test_elevation_ceiling_and_minimum_range():
    radar = RADARS[0]
    pos = _aer(radar, [270.0, 270.0, 270.0, 270.0], [84.0, 86.0, 3.0, 3.0], [20e3, 20e3, 1.1e3, 0.9e3])
    assert COUNTED(0, pos).tolist() == [True, False, True, False]


def test_each_sensor_uses_its_own_geometry_and_range():
    """One point at 100 km west: beyond radar 0's small-target range, inside radar 1's."""
    pos = _aer(RADARS[0], [270.0], [3.0], [100e3])
    assert COUNTED(0, pos).tolist() == [False]
    assert COUNTED(1, pos).tolist() == [True]
    assert COUNTED(2, pos).tolist() == [False]
    # a second radar placed 150 km away sees nothing of radar 0's near field
    far = _radar(0, lon=LON0 + np.radians(1.5), az_width=2 * np.pi)
    counted = small_target_counting([RADARS[0], far])
    near = _aer(RADARS[0], [270.0], [3.0], [20e3])
    assert counted(0, near).tolist() == [True] and counted(1, near).tolist() == [False]


def test_empty_and_shape():
    assert COUNTED(0, np.zeros((0, 3))).shape == (0,)
    pos = _aer(RADARS[0], np.full(7, 270.0), np.full(7, 3.0), np.linspace(10e3, 70e3, 7))
    out = COUNTED(0, pos)
    assert out.dtype == bool and out.shape == (7,)
    np.testing.assert_array_equal(out, np.linspace(10e3, 70e3, 7) <= 100e3 * 0.1 ** 0.25)
