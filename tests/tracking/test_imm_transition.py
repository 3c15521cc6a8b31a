"""IMM time-dependent transition matrices: closed form (2 modes) and eigen-decomposition (n modes) against
``scipy.linalg.expm`` of the generator ``G = (Pi - I) / dt_ref``."""

import numpy as np
import pytest
from scipy.linalg import expm

from iadsim.tracking.filters import EKF
from iadsim.tracking.imm import IMM
from iadsim.tracking.motion import NCV

# intervals from 0 through sub-millisecond radar dwell gaps to long coasts (many dt_ref)
DTS = np.r_[0.0, np.geomspace(1e-6, 1e4, 61)]


def imm(transition, dt_ref):
    r = len(transition)
    return IMM([EKF(NCV(1.0, "enu")) for _ in range(r)], transition, np.full(r, 1.0 / r), dt_ref=dt_ref)


def reference(transition, dt_ref, dts):
    G = (np.asarray(transition, dtype=float) - np.eye(len(transition))) / dt_ref
    return np.array([expm(dt * G) for dt in dts])


@pytest.mark.parametrize("transition, dt_ref", [
    ([[0.95, 0.05], [0.05, 0.95]], 5.0),     # simulation: imm_ncv
    ([[0.98, 0.02], [0.02, 0.98]], 5.0),     # simulation: imm_ballistic
    ([[0.97, 0.03], [0.03, 0.97]], 1.0),     # tests/tracking/test_imm_tracker.py
    ([[0.95, 0.05], [0.1, 0.9]], 2.0),       # asymmetric rates
    ([[1.0, 0.0], [0.3, 0.7]], 0.5),         # one absorbing mode
])
def test_two_mode_closed_form_matches_expm(transition, dt_ref):
    m = imm(transition, dt_ref)
    got = m.transition_matrix(DTS, len(DTS))
    np.testing.assert_allclose(got, reference(transition, dt_ref, DTS), rtol=1e-10, atol=1e-300)
    np.testing.assert_array_equal(got[0], np.eye(2))
    np.testing.assert_allclose(got.sum(axis=2), 1.0, rtol=1e-14)
    assert np.all(got >= 0)
    # scalar dt broadcast over M tracks
    one = m.transition_matrix(7.0, 3)
    assert one.shape == (3, 2, 2)
    np.testing.assert_allclose(one, reference(transition, dt_ref, [7.0] * 3), rtol=1e-10)


def test_two_mode_without_switching_is_identity():
    got = imm([[1.0, 0.0], [0.0, 1.0]], 5.0).transition_matrix(DTS, len(DTS))
    np.testing.assert_array_equal(got, np.broadcast_to(np.eye(2), got.shape))


@pytest.mark.parametrize("transition", [
    [[0.90, 0.06, 0.04], [0.05, 0.90, 0.05], [0.10, 0.10, 0.80]],   # real eigenvalues
    [[0.80, 0.15, 0.05], [0.05, 0.80, 0.15], [0.15, 0.05, 0.80]],   # cyclic: complex eigenvalues
])
def test_three_mode_eigen_decomposition_matches_expm(transition):
    m = imm(transition, 2.0)
    assert m._eig is not None
    got = m.transition_matrix(DTS, len(DTS))
    np.testing.assert_allclose(got, reference(transition, 2.0, DTS), rtol=1e-10)
    np.testing.assert_array_equal(got[0], np.eye(3))
    assert got.dtype == np.float64


def test_defective_generator_falls_back_to_expm():
    # G = [[-c, c, 0], [0, -c, c], [0, 0, 0]]: eigenvalue -c twice with one eigenvector (a Jordan block)
    transition = [[0.9, 0.1, 0.0], [0.0, 0.9, 0.1], [0.0, 0.0, 1.0]]
    m = imm(transition, 1.0)
    assert m._eig is None
    dts = DTS[DTS > 0]
    np.testing.assert_allclose(m.transition_matrix(dts, len(dts)), reference(transition, 1.0, dts), rtol=1e-10,
                               atol=1e-300)


def test_without_dt_ref_the_matrix_is_applied_per_predict():
    P = [[0.9, 0.1], [0.2, 0.8]]
    m = IMM([EKF(NCV(1.0, "enu"))] * 2, P, [0.5, 0.5])
    np.testing.assert_array_equal(m.transition_matrix(np.array([0.1, 50.0]), 2), [P, P])
