"""Constant-gamma clutter at low grazing angles, the signal-to-clutter term, and the MTI/Doppler notch."""

import numpy as np
import pytest

from iadsim.frames import aer2enu, enu2ecef
from iadsim.sensors import Radar, RadarParams
from iadsim.sensors.clutter import GAMMA_SEA, beam_gain, clutter_rcs, grazing_angles
from iadsim.sensors.detection import pd_swerling1, snr_from_reference

A_E = 4.0 / 3.0 * 6_371_000.0


def test_grazing_angle_against_the_exact_triangle():
    """The surface point at slant range R from a radar h above a sphere of radius a_e: the law of cosines
    gives sin(psi) = (2 a_e h + h^2 - R^2) / (2 a_e R) exactly; the model drops h^2 / (2 a_e R)."""
    h = 30.0
    R = np.array([2e3, 5e3, 10e3, 20e3])
    exact = (2 * A_E * h + h * h - R * R) / (2 * A_E * R)
    sin_psi, sin_delta = grazing_angles(R, h, A_E)
    np.testing.assert_allclose(sin_psi, exact, atol=1e-7)
    # the depression angle of the same point: sin(delta) = (R^2 + 2 a_e h + h^2 ... ) / (2 (a_e + h) R)
    exact_d = ((A_E + h) ** 2 + R * R - A_E ** 2) / (2 * (A_E + h) * R)
    np.testing.assert_allclose(sin_delta, exact_d, atol=1e-7)
    # beyond the 4/3-earth horizon sqrt(2 a_e h) = 22.6 km there is no lit surface
    assert grazing_angles(23e3, h, A_E)[0] < 0 < grazing_angles(22e3, h, A_E)[0]


def test_clutter_rcs_by_hand():
    # sea, gamma -30 dB, 10 km, 1 deg grazing, 150 m cells, 1.5 deg beam: pulse-limited patch
    psi = np.radians(1.0)
    area = 10e3 * np.radians(1.5) * 150.0 / np.cos(psi)
    expect = 1e-3 * np.sin(psi) * area
    assert clutter_rcs(10e3, np.sin(psi), 1e-3, 150.0, np.radians(1.5), np.radians(2.0)) == pytest.approx(expect)
    assert expect == pytest.approx(0.685, abs=0.001)  # about 0.7 m^2 of sea in one cell
    assert clutter_rcs(10e3, -0.01, 1e-3, 150.0, 0.02, 0.03) == 0.0
    # the beam pattern: -3 dB at half the beamwidth, the floor in the sidelobes
    assert beam_gain(0.01, 0.02, 1e-3) == pytest.approx(0.5)
    assert beam_gain(1.0, 0.02, 1e-3) == 1e-3


def _doppler_radar(**kw):
    base = dict(name="dop", lat=0.0, lon=0.0, alt=30.0, r_max=100e3, r_ref=60e3, rcs_ref=1.0, pfa=1e-6,
                sigma_r=10.0, sigma_az=1e-3, sigma_el=1e-3, sigma_rdot=1.0, range_resolution=150.0,
                beamwidth_az=np.radians(1.5), beamwidth_el=np.radians(2.0), sidelobe=1e-3, mti_notch=15.0,
                clutter_attenuation=10 ** 4.5, el_min=np.radians(-2.0))
    base.update(kw)
    return Radar(RadarParams(**base))


def test_sinr_adds_the_clutter_of_the_target_cell():
    """A low target over the sea: SINR = SNR / (1 + CNR / I) with CNR from the clutter RCS of the cell
    through the same referenced radar equation, computed here step by step."""
    radar = _doppler_radar()
    r, el = 12e3, np.radians(0.2)
    pos = enu2ecef(aer2enu(np.radians(90.0), el, r)[None], radar.ecef, radar.C)
    vel = enu2ecef(np.array([[-200.0, 0.0, 0.0]]), np.zeros(3), radar.C)  # inbound, far outside the notch
    geo, cover = radar.geometry(pos, vel)
    assert cover[0]
    sinr, _ = radar.sinr(geo, cover, np.array([0.02]))
    snr = snr_from_reference(r, 0.02, 60e3, 1.0, radar.snr_ref)
    a_e = 4.0 / 3.0 * (np.linalg.norm(radar.ecef) - 30.0)
    sin_psi = 30.0 / r - r / (2 * a_e)
    sin_delta = 30.0 / r + r / (2 * a_e)
    area = min(r * np.radians(1.5) * 150.0 / np.sqrt(1 - sin_psi ** 2),
               np.pi * r * r * np.radians(1.5) * np.radians(2.0) / (4 * sin_psi))
    g = max(np.exp(-4 * np.log(2) * ((el + np.arcsin(sin_delta)) / np.radians(2.0)) ** 2), 1e-3)
    cnr = snr_from_reference(r, GAMMA_SEA * sin_psi * area * g * g, 60e3, 1.0, radar.snr_ref)
    assert sinr[0] == pytest.approx(snr / (1 + cnr / 10 ** 4.5), rel=1e-9)
    assert cnr > snr  # the clutter is stronger than the target before Doppler processing
    # without the improvement factor the low target is lost in the clutter
    plain = _doppler_radar(clutter_attenuation=1.0, mti_notch=None)
    sinr0, _ = plain.sinr(geo, cover, np.array([0.02]))
    assert sinr0[0] < 1.0 < sinr[0]


def test_a_target_circling_a_doppler_radar_is_not_detected_inside_the_notch():
    """A drone flies a 20 km circle centred 40 km east of the radar at 60 m/s: its radial speed sweeps
    through zero twice per lap. Over 30 laps sampled at 720 points, no detection where |rdot| < notch (the
    radial speed computed here by finite differences of the range), and the detection rate elsewhere
    matches Pd of the radar equation (4 binomial standard deviations)."""
    # resolution off (no clutter, no merging of the closely spaced circle points): the notch alone
    radar = _doppler_radar(mti_notch=15.0, range_resolution=None)
    v, rc = 60.0, 20e3
    phi = np.linspace(0.0, 2 * np.pi, 720, endpoint=False)
    east = 40e3 + rc * np.cos(phi)
    north = rc * np.sin(phi)
    up = np.full(phi.size, 2000.0)
    enu = np.stack([east, north, up], -1)
    venu = v * np.stack([-np.sin(phi), np.cos(phi), np.zeros_like(phi)], -1)
    pos = enu2ecef(enu, radar.ecef, radar.C)
    vel = venu @ radar.C
    dt = 0.01
    r_plus = np.linalg.norm(enu2ecef(enu + venu * dt, radar.ecef, radar.C) - radar.ecef, axis=1)
    r_minus = np.linalg.norm(enu2ecef(enu - venu * dt, radar.ecef, radar.C) - radar.ecef, axis=1)
    rdot = (r_plus - r_minus) / (2 * dt)
    inside = np.abs(rdot) < 15.0
    assert 20 < inside.sum() < 700  # both kinds of point exist
    rng = np.random.default_rng(3)
    hits = np.zeros(phi.size, int)
    laps = 30
    for _ in range(laps):
        det = radar.measure(0.0, pos, vel, np.full(phi.size, 0.1), np.arange(phi.size), rng)
        hits[det.truth_id[det.truth_id >= 0]] += 1
    margin = np.abs(np.abs(rdot) - 15.0) > 0.05  # leave out points on the notch edge itself
    assert hits[inside & margin].sum() == 0
    geo, cover = radar.geometry(pos, vel)
    sinr, _ = radar.sinr(geo, cover, np.full(phi.size, 0.1))
    pd = pd_swerling1(sinr, 1e-6)
    out = ~inside & margin
    n = laps * out.sum()
    expected = laps * pd[out].sum()
    sd = np.sqrt(laps * np.sum(pd[out] * (1 - pd[out])))
    assert abs(hits[out].sum() - expected) <= 4 * sd + 1
    assert hits[out].sum() > 0.5 * n


def test_a_radar_without_the_stressor_fields_is_unchanged():
    """Same draws, same detections as before the stressors: resolution, clutter, notch all off."""
    base = dict(name="old", lat=0.0, lon=0.0, alt=30.0, r_max=100e3, r_ref=60e3, sigma_r=10.0, sigma_az=1e-3,
                sigma_el=1e-3, sigma_rdot=1.0, fa_per_scan=2.0)
    radar = Radar(RadarParams(**base))
    pos = enu2ecef(aer2enu(np.radians([10.0, 90.0]), np.radians([0.1, 5.0]), np.array([20e3, 50e3])),
                   radar.ecef, radar.C)
    vel = np.zeros_like(pos)  # zero radial speed: an MTI radar would reject both
    geo, cover = radar.geometry(pos, vel)
    sinr, cover2 = radar.sinr(geo, cover, np.ones(2))
    np.testing.assert_array_equal(cover, cover2)
    np.testing.assert_allclose(sinr, snr_from_reference(geo[:, 0], 1.0, 60e3, 1.0, radar.snr_ref))
