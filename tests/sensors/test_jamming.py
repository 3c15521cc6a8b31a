"""Noise jamming against the closed-form jamming equation (Skolnik's and Adamy's forms), burn-through,
detection range under jamming, strobes.

The radar here is built from physical parameters (peak power, gain, wavelength, noise figure, bandwidth)
through the full monostatic radar equation, so that its reference detection is the one those parameters
give; the model itself never sees the peak power, so J/S from the model against the textbook forms that
use it is an independent check."""

import numpy as np
import pytest

from iadsim.frames import aer2enu, enu2ecef
from iadsim.sensors import Radar, RadarParams
from iadsim.sensors.jamming import (
    BOLTZMANN,
    T0,
    ActiveJammers,
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
