"""Dead reckoning (IEEE 1278.1 Annex E closed forms), the issuance rules (brute force over a known
trajectory), and orientation from the velocity (hypothesis: the body x axis is the velocity direction,
the wings are level)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from iadsim.dis.dead_reckoning import (
    DR_FPW,
    DR_FVW,
    DR_RVW,
    DR_STATIC,
    DeadReckoningState,
    body_x,
    dead_reckon,
    local_frame,
    orientation_and_rates,
)
from iadsim.frames import geodetic2ecef


def test_dead_reckoning_models_are_the_closed_forms():
    p0, v0, a0 = np.array([6.4e6, 1.0, 2.0]), np.array([100.0, -50.0, 10.0]), np.array([0.0, -9.8, 3.0])
    dt = 2.5
    assert np.allclose(dead_reckon(DR_STATIC, p0, v0, a0, dt), p0)
    assert np.allclose(dead_reckon(DR_FPW, p0, v0, a0, dt), p0 + v0 * dt)
    for alg in (DR_RVW, DR_FVW):
        assert np.allclose(dead_reckon(alg, p0, v0, a0, dt), p0 + v0 * dt + 0.5 * a0 * dt**2)


def test_a_pdu_is_due_exactly_when_the_drift_passes_the_threshold_or_the_heartbeat_expires():
    # a turning entity (circle of radius 20 km at 300 m/s) sent with first-order dead reckoning
    R, w = 20e3, 300.0 / 20e3
    c = np.array([6.4e6, 0.0, 0.0])

    def truth(t):
        return c + R * np.array([0.0, np.cos(w * t), np.sin(w * t)]), R * w * np.array([0.0, -np.sin(w * t),
                                                                                      np.cos(w * t)])

    dr = DeadReckoningState(1, threshold=1.0, heartbeat=5.0)
    times = np.arange(0.0, 60.0, 0.01)
    sent = []
    for t in times:
        p, v = truth(t)
        if dr.due([0], t, p[None, :])[0]:
            sent.append(t)
            dr.sent([0], t, p[None, :], v[None, :], np.zeros((1, 3)), DR_FPW)
        # what receivers dead-reckon is never more than the threshold from the truth after this check
        assert np.linalg.norm(dr.predicted([0], t)[0] - p) <= 1.0 + 1e-9
    gaps = np.diff(sent)
    # first-order drift of a circle: |a| dt^2 / 2 = 1 m at dt = sqrt(2 R / v^2) = 0.667 s (sampled at 0.01 s)
    assert np.all(np.abs(gaps - np.sqrt(2.0 * 1.0 / (R * w * w))) < 0.02)
    # a straight, unaccelerated entity is only sent at the heartbeat
    dr = DeadReckoningState(1)
    beats = []
    for t in np.arange(0.0, 30.0, 0.5):
        p = c + np.array([0.0, 250.0 * t, 0.0])
        if dr.due([0], t, p[None, :])[0]:
            beats.append(t)
            dr.sent([0], t, p[None, :], np.array([[0.0, 250.0, 0.0]]), np.zeros((1, 3)), DR_RVW)
    assert beats == [0.0, 5.0, 10.0, 15.0, 20.0, 25.0]


@settings(max_examples=200, deadline=None)
@given(lat=st.floats(-89.0, 89.0), lon=st.floats(-180.0, 180.0), alt=st.floats(0.0, 1e6),
       v=st.tuples(*[st.floats(-3000.0, 3000.0)] * 3).filter(lambda v: np.linalg.norm(v) > 1.0))
def test_orientation_points_the_body_along_the_velocity_with_level_wings(lat, lon, alt, v):
    p = geodetic2ecef(np.radians(lat), np.radians(lon), alt)[None, :]
    v = np.array(v)[None, :]
    ori, _ = orientation_and_rates(p, v, np.zeros((1, 3)))
    assert np.allclose(body_x(ori)[0], v[0] / np.linalg.norm(v), atol=1e-9)
    # wings level: the body y axis (Rz Ry Rx convention) is horizontal
    psi, theta, phi = ori[0]
    y = np.array([np.sin(phi) * np.sin(theta) * np.cos(psi) - np.cos(phi) * np.sin(psi),
                  np.sin(phi) * np.sin(theta) * np.sin(psi) + np.cos(phi) * np.cos(psi), np.sin(phi) * np.cos(theta)])
    _, down = local_frame(p)
    horizontal_speed = np.linalg.norm(v[0] - (v[0] @ down[0]) * down[0])
    if horizontal_speed > 1e-3 * np.linalg.norm(v):
        assert abs(y @ down[0]) < 1e-6
