"""Noise jamming against the closed-form jamming equation (Skolnik's and Adamy's forms), burn-through,
detection range under jamming, strobes.

The radar here is built from physical parameters (peak power, gain, wavelength, noise figure, bandwidth)
through the full monostatic radar equation, so that its reference detection is the one those parameters
give; the model itself never sees the peak power, so J/S from the model against the textbook forms that
use it is an independent check."""

from types import SimpleNamespace

import numpy as np
import pymap3d
import pytest

from iadsim.frames import aer2enu, enu2ecef
from iadsim.sensors import Radar, RadarParams
from iadsim.sensors.jamming import (
    BOLTZMANN,
    T0,
    ActiveJammers,
    JammerTable,
    Racetrack,
    burn_through_range,
    jammed_detection_range,
    js_self_screening,
    js_stand_off,
)
from iadsim.sensors.radar import STROBE_JNR
from iadsim.sensors.resolution import C_LIGHT

PT, GT, LAM, F, B = 1.0e6, 10 ** 3.5, 0.1, 10 ** 0.3, 1.0e6  # 1 MW, 35 dB, S band, 3 dB, 1 MHz
PJ, GJ, BJ = 0.05, 2.0, 10.0e6  # 50 mW, 3 dB, 10 MHz barrage (a 1 MW radar without pulse compression)
SNR_REQ = np.log(1e-6) / np.log(0.9) - 1.0  # Swerling 1, Pd 0.9, Pfa 1e-6, one pulse
N = BOLTZMANN * T0 * F * B
A = PT * GT ** 2 * LAM ** 2 * 1.0 / ((4 * np.pi) ** 3 * N)  # SNR = A / R^4 on 1 m^2
R_REF = (A / SNR_REQ) ** 0.25


def _radar(**kw):
    base = dict(name="jam", lat=0.0, lon=0.0, alt=10.0, r_max=400e3, r_ref=R_REF, rcs_ref=1.0, pd_ref=0.9,
                pfa=1e-6, sigma_r=10.0, sigma_az=1e-4, sigma_el=1e-4, sigma_rdot=1.0,
                range_resolution=C_LIGHT / (2 * B), beamwidth_az=np.radians(2.0), beamwidth_el=np.radians(2.0),
                sidelobe=1e-3, wavelength=LAM, antenna_gain=GT, noise_figure=F, bandwidth=B)
    base.update(kw)
    return Radar(RadarParams(**base), gamma_sea=1e-30)  # no clutter: jamming alone


def _pos(radar, az_deg, el_deg, r):
    return enu2ecef(aer2enu(np.radians(np.atleast_1d(az_deg)), np.radians(np.atleast_1d(el_deg)),
                            np.atleast_1d(np.asarray(r, float))), radar.ecef, radar.C)


def _jammers(pos, power=PJ, gain=GJ, bw=BJ):
    pos = np.atleast_2d(pos)
    n = pos.shape[0]
    return ActiveJammers(pos=pos, power=np.full(n, power), gain=np.full(n, gain), bandwidth=np.full(n, bw),
                         index=np.arange(n))


def test_the_reference_detection_is_the_full_radar_equation():
    radar = _radar()
    assert radar.snr_ref == pytest.approx(SNR_REQ)
    assert R_REF == pytest.approx(83.4e3, rel=0.01)


@pytest.mark.parametrize("r", [10e3, 40e3, 120e3])
def test_self_screening_js_matches_skolnik_and_adamy(r):
    radar = _radar()
    pos = _pos(radar, 60.0, 5.0, r)
    geo, cover = radar.geometry(pos, np.zeros_like(pos))
    jnr = radar.jam_to_noise(geo, _jammers(pos))
    snr = A / geo[0, 0] ** 4
    js_model = jnr[0] / snr
    assert js_model == pytest.approx(js_self_screening(PJ, GJ, BJ, PT, GT, 1.0, geo[0, 0], B), rel=1e-9)
    # Adamy, EW 101, ch. 9: J/S = ERP_j - ERP_r + 71 + 20 log R(km) - 10 log sigma, in dB (B_r / B_j added)
    adamy = (10 * np.log10(PJ * GJ) - 10 * np.log10(PT * GT) + 71.0 + 20 * np.log10(geo[0, 0] / 1e3)
             - 0.0 + 10 * np.log10(B / BJ))
    assert 10 * np.log10(js_model) == pytest.approx(adamy, abs=0.02)  # 71 is 10 log(4 pi) + 60 rounded


def test_burn_through_range():
    """J/S = 1 at the burn-through range sqrt(P_t G_t sigma B_j / (4 pi P_j G_j B_r))."""
    radar = _radar()
    r_bt = burn_through_range(PJ, GJ, BJ, PT, GT, 1.0, B)
    assert r_bt == pytest.approx(np.sqrt(PT * GT * BJ / (4 * np.pi * PJ * GJ * B)))
    pos = _pos(radar, 10.0, 3.0, r_bt)
    geo, _ = radar.geometry(pos, np.zeros_like(pos))
    js = radar.jam_to_noise(geo, _jammers(pos))[0] / (A / geo[0, 0] ** 4)
    assert js == pytest.approx(1.0, rel=1e-6)


def test_detection_range_under_self_screening_jamming():
    """The model's Pd = 0.9 range under jamming is the root of SNR / (1 + JNR) = SNR_req with SNR = A / R^4
    and JNR = C / R^2 (C from the one-way jamming equation), far inside the unjammed 83 km; a Monte Carlo
    of 2000 looks there detects 90 %."""
    radar = _radar()
    C = PJ * GJ * GT * LAM ** 2 * (B / BJ) / ((4 * np.pi) ** 2 * N)
    r_j = jammed_detection_range(A, C, SNR_REQ)
    assert 5e3 < r_j < 0.5 * R_REF
    pos = _pos(radar, 45.0, 2.0, r_j)
    vel = np.zeros_like(pos)
    jam = _jammers(pos)
    geo, _ = radar.geometry(pos, vel)
    assert radar.pd_expected(pos, vel, np.ones(1), jam)[0] == pytest.approx(0.9, abs=2e-3)
    assert radar.pd_expected(_pos(radar, 45.0, 2.0, R_REF), vel, np.ones(1))[0] == pytest.approx(0.9)
    rng = np.random.default_rng(5)
    hits = sum(len(radar.measure(0.0, pos, vel, np.ones(1), np.array([0]), rng, jammers=jam).truth_id) > 0
               for _ in range(2000))
    assert abs(hits - 1800) < 4 * np.sqrt(2000 * 0.09)


def test_stand_off_jamming_through_the_sidelobes_and_the_main_beam():
    radar = _radar()
    tgt = _pos(radar, 90.0, 3.0, 60e3)
    geo, _ = radar.geometry(tgt, np.zeros_like(tgt))
    r_t = geo[0, 0]
    # far off the beam: the sidelobe floor, G_r = G_t SL
    soj = _pos(radar, 30.0, 1.0, 150e3)
    r_j = np.linalg.norm(soj[0] - radar.ecef)
    js = radar.jam_to_noise(geo, _jammers(soj, power=500.0, gain=100.0))[0] / (A / r_t ** 4)
    assert js == pytest.approx(js_stand_off(500.0, 100.0, BJ, GT * 1e-3, PT, GT, 1.0, r_t, r_j, B), rel=1e-9)
    # right behind the target: the main beam, G_r = G_t
    behind = _pos(radar, 90.0, 3.0, 150e3)
    js_main = radar.jam_to_noise(geo, _jammers(behind, power=500.0, gain=100.0))[0] / (A / r_t ** 4)
    assert js_main == pytest.approx(js_stand_off(500.0, 100.0, BJ, GT, PT, GT, 1.0, r_t, 150e3, B), rel=1e-6)


def test_strobes_report_the_jammers_bearing():
    radar = _radar()
    soj = _pos(radar, 30.0, 1.0, 150e3)
    rng = np.random.default_rng(11)
    none = np.zeros((0, 3))
    zs, jn = [], None
    for _ in range(400):
        det = radar.measure(0.0, none, none, np.zeros(0), np.zeros(0, int), rng, jammers=_jammers(soj, power=10.0))
        assert len(det.strobes) == 1 and det.strobes.jammer[0] == 0
        zs.append(det.strobes.z[0])
        R, jn = det.strobes.R[0], det.strobes.jnr[0]
    zs = np.array(zs)
    assert jn > STROBE_JNR
    err = zs - np.radians([30.0, 1.0])
    nees = np.einsum("ki,ij,kj->k", err, np.linalg.inv(R), err)
    assert nees.mean() == pytest.approx(2.0, abs=0.4)  # chi-square with 2 degrees of freedom
    # a jammer too weak to lift the beam's noise 10 dB gives no strobe
    far = _pos(radar, 30.0, 1.0, 399e3)
    tiny = ActiveJammers(pos=far, power=np.array([1e-6]), gain=np.array([1.0]), bandwidth=np.array([1e9]),
                         index=np.array([0]))
    det = radar.measure(0.0, none, none, np.zeros(0), np.zeros(0, int), rng, jammers=tiny)
    assert radar._jnr(tiny, radar._jammer_geometry(tiny), 1.0)[0] < STROBE_JNR and len(det.strobes) == 0


# --- a stand-off jammer on an orbit (issue 10) ----------------------------------------------------------------
# The closed forms here are written from the geometry, independently of Racetrack's piecewise formula, and the
# tangent plane is mapped to ECEF by pymap3d's enu2ecef (an independent tool).


def _orbit(**kw):
    base = dict(lat=np.radians(1.0), lon=np.radians(0.8), alt=9000.0, heading=np.radians(30.0), leg=0.0,
                radius=20e3, speed=200.0, turn=1, start=40.0)
    base.update(kw)
    return Racetrack(**base)


def _ecef_of(orbit, east, north):
    x, y, z = pymap3d.enu2ecef(east, north, np.zeros_like(east), orbit.lat, orbit.lon, orbit.alt, deg=False)
    return np.stack([x, y, z], axis=-1)


@pytest.mark.parametrize("turn", [1, -1])
def test_a_circular_orbit_is_the_circle_at_angular_rate_v_over_r(turn):
    """leg 0: center + R (cos phi, sin phi) (east, north), phi turning at v / R (clockwise for right turns),
    starting at the point from which the first 'leg' heads along ``heading``."""
    o = _orbit(turn=turn)
    t = np.array([40.0, 41.0, 100.0, 40.0 + np.pi * 20e3 / 200.0, 777.7, -300.0])
    h = np.radians(30.0)
    # the start point is the turn center minus R toward the turns' side; heading h there
    side = turn * np.array([np.cos(h), -np.sin(h)])
    phi0 = np.arctan2(-side[1], -side[0])
    phi = phi0 - turn * (200.0 / 20e3) * (t - 40.0)
    want = _ecef_of(o, 20e3 * np.cos(phi), 20e3 * np.sin(phi))
    np.testing.assert_allclose(o.ecef(t), want, atol=1e-6)
    # at the start the velocity is along the heading
    d = o.enu(40.0 + 1e-3) - o.enu(40.0 - 1e-3)
    np.testing.assert_allclose(d[:2] / np.linalg.norm(d[:2]), [np.sin(h), np.cos(h)], atol=1e-6)


def test_a_racetrack_flies_its_legs_and_turns():
    """Legs due east and west, 60 km long, 20 km turns to the right (so the first leg is the northern one)."""
    v, L, R = 250.0, 60e3, 20e3
    o = _orbit(heading=np.radians(90.0), leg=L, radius=R, speed=v, start=0.0)
    P = 2 * L + 2 * np.pi * R
    half_turn = np.pi * R / v
    pts = {  # time: (east, north) km, from the drawing
        0.0: (-30, 20), 0.5 * L / v: (0, 20), L / v: (30, 20),
        L / v + 0.5 * half_turn: (50, 0), L / v + half_turn: (30, -20),
        1.5 * L / v + half_turn: (0, -20), 2 * L / v + half_turn: (-30, -20),
        2 * L / v + 1.5 * half_turn: (-50, 0), P / v: (-30, 20), P / v + 0.25 * L / v: (-15, 20),
    }
    t = np.array(list(pts))
    en = np.array(list(pts.values()), float) * 1e3
    np.testing.assert_allclose(o.enu(t)[:, :2], en, atol=1e-6)
    np.testing.assert_allclose(o.ecef(t), _ecef_of(o, en[:, 0], en[:, 1]), atol=1e-6)
    # a point of the first turn: the turn's center (30, 0) plus R at 45 deg past the north point
    t45 = L / v + 0.25 * half_turn
    np.testing.assert_allclose(o.enu(t45)[:2], [30e3 + R * np.sin(np.pi / 4), R * np.cos(np.pi / 4)], atol=1e-6)
    # left turns: the mirror image across the legs' axis
    left = _orbit(heading=np.radians(90.0), leg=L, radius=R, speed=v, start=0.0, turn=-1)
    np.testing.assert_allclose(left.enu(t)[:, :2], en * [1, -1], atol=1e-6)


@pytest.mark.parametrize("leg", [0.0, 60e3])
def test_the_orbit_is_flown_at_constant_speed(leg):
    o = _orbit(leg=leg, speed=180.0)
    dt = 0.05
    t = np.arange(-100.0, 100.0 + o.perimeter / 180.0, dt)
    p = o.ecef(t)
    v = np.linalg.norm(np.diff(p, axis=0), axis=1) / dt
    # a chord is shorter than its arc by (v dt)^2 / (24 R^2) relative: 1e-9 here
    np.testing.assert_allclose(v, 180.0, rtol=1e-7)


def _orbit_table(orbit):
    spec = SimpleNamespace(power=500.0, gain=100.0, bandwidth=BJ, raid=-1, ecef=np.zeros(3), orbit=orbit)
    fixed = SimpleNamespace(power=1.0, gain=1.0, bandwidth=BJ, raid=-1, ecef=np.array([1.0, 2.0, 3.0]), orbit=None)
    return JammerTable.build([fixed, spec], np.zeros(0, int))


def test_stand_off_js_uses_the_jammers_position_at_the_scan_time():
    """J/S of an orbiting jammer through the sidelobes is Skolnik's stand-off equation at the jammer's range
    at the time of the scan."""
    radar = _radar()
    tgt = _pos(radar, 90.0, 3.0, 60e3)
    geo, _ = radar.geometry(tgt, np.zeros_like(tgt))
    r_t = geo[0, 0]
    east, north, _ = pymap3d.ecef2enu(*_pos(radar, 330.0, 0.0, 150e3)[0], 0.0, 0.0, 10.0, deg=False)
    lat, lon, _ = pymap3d.enu2geodetic(east, north, 0.0, 0.0, 0.0, 10.0, deg=False)
    o = _orbit(lat=lat, lon=lon, leg=40e3)
    table = _orbit_table(o)
    rjs = []
    for t in (0.0, 150.0, 400.0):
        jam = table.at(t, np.zeros(1, bool), None)
        assert jam.index.tolist() == [0, 1]
        np.testing.assert_allclose(jam.pos[0], [1.0, 2.0, 3.0])  # the fixed one stays put
        one = ActiveJammers(pos=jam.pos[1:], power=jam.power[1:], gain=jam.gain[1:], bandwidth=jam.bandwidth[1:],
                            index=jam.index[1:])
        r_j = np.linalg.norm(o.ecef(t) - radar.ecef)
        js = radar.jam_to_noise(geo, one)[0] / (A / r_t ** 4)
        assert js == pytest.approx(js_stand_off(500.0, 100.0, BJ, GT * 1e-3, PT, GT, 1.0, r_t, r_j, B), rel=1e-9)
        rjs.append(r_j)
    assert np.ptp(rjs) > 10e3  # the jammer did move


def test_a_strobe_follows_the_orbiting_jammer():
    radar = _radar()
    east, north, _ = pymap3d.ecef2enu(*_pos(radar, 30.0, 0.0, 150e3)[0], 0.0, 0.0, 10.0, deg=False)
    lat, lon, _ = pymap3d.enu2geodetic(east, north, 0.0, 0.0, 0.0, 10.0, deg=False)
    o = _orbit(lat=lat, lon=lon, radius=30e3, speed=220.0)
    spec = SimpleNamespace(power=10.0, gain=GJ, bandwidth=BJ, raid=-1, ecef=np.zeros(3), orbit=o)
    table = JammerTable.build([spec], np.zeros(0, int))
    rng = np.random.default_rng(3)
    none = np.zeros((0, 3))
    az = []
    for t in (0.0, 200.0, 400.0):
        det = radar.measure(t, none, none, np.zeros(0), np.zeros(0, int), rng, jammers=table.at(t, np.zeros(1, bool),
                                                                                               None))
        assert len(det.strobes) == 1
        e, n, u = pymap3d.ecef2enu(*o.ecef(t), 0.0, 0.0, 10.0, deg=False)
        want = np.arctan2(e, n) % (2 * np.pi)
        sigma = np.sqrt(det.strobes.R[0, 0, 0])
        assert abs(det.strobes.z[0, 0] - want) < 5 * sigma
        az.append(want)
    assert np.ptp(az) > 20 * sigma  # the bearing moved by far more than the strobe's noise
