"""Tracking metrics against hand-computed cases."""

import numpy as np
import pytest

from iadsim.metrics.tracking import gospa, nees, nees_interval, ospa, track_continuity


def test_gospa_hand_case_parts():
    X = np.array([[0.0, 0.0], [10.0, 0.0]])
    Y = np.array([[0.0, 3.0], [100.0, 100.0]])
    g = gospa(X, Y, c=5.0, p=2)
    # (0,0)-(0,3) at 3 m: loc 9; (10,0) missed: 25/2; (100,100) false: 25/2
    assert g.localisation == pytest.approx(9.0)
    assert g.missed == pytest.approx(12.5) and g.false == pytest.approx(12.5)
    assert g.n_missed == 1 and g.n_false == 1
    assert g.total == pytest.approx(np.sqrt(34.0))
    assert g.pairs == ((0, 0),)


def test_gospa_pair_beyond_cutoff_is_miss_plus_false():
    g = gospa(np.array([[0.0, 0.0]]), np.array([[6.0, 0.0]]), c=5.0)
    assert g.total == pytest.approx(5.0) and g.localisation == 0.0 and g.n_missed == 1 and g.n_false == 1


def test_gospa_cardinality_and_empty_sets():
    g = gospa(np.array([[0.0, 0.0], [1.0, 0.0]]), np.array([[0.5, 0.0]]), c=5.0)
    assert g.total == pytest.approx(np.sqrt(0.25 + 12.5))
    assert gospa(np.zeros((3, 2)), np.zeros((0, 2)), c=4.0).total == pytest.approx(np.sqrt(3 * 8.0))
    assert gospa(np.zeros((0, 2)), np.zeros((0, 2)), c=4.0).total == 0.0
    # p = 1: d + c/2 per miss
    g1 = gospa(np.array([[0.0, 0.0], [50.0, 0.0]]), np.array([[3.0, 4.0]]), c=10.0, p=1)
    assert g1.total == pytest.approx(5.0 + 5.0)


def test_gospa_optimal_not_greedy():
    # greedy nearest pairing takes truth 0 - estimate 0 (1 m) first, forcing truth 1 - estimate 1 (6 m)
    X = np.array([[0.0], [4.0]])
    Y = np.array([[1.0], [-2.0]])
    g = gospa(X, Y, c=100.0)
    # options: {0-0 (1), 1-1 (6)} = 1 + 36 ; {0-1 (2), 1-0 (3)} = 4 + 9 -> 13
    assert g.total == pytest.approx(np.sqrt(13.0))


def test_ospa_hand_cases():
    X = np.array([[0.0, 0.0], [10.0, 0.0]])
    Y = np.array([[0.0, 3.0]])
    assert ospa(X, Y, c=5.0) == pytest.approx(np.sqrt((9.0 + 25.0) / 2))
    assert ospa(Y, X, c=5.0) == pytest.approx(np.sqrt((9.0 + 25.0) / 2))   # symmetric
    assert ospa(np.array([[0.0, 0.0]]), np.array([[3.0, 4.0], [100.0, 0.0]]), c=10.0, p=1) == \
        pytest.approx(7.5)
    assert ospa(np.zeros((0, 2)), np.zeros((0, 2)), c=3.0) == 0.0
    assert ospa(np.zeros((2, 2)), np.zeros((0, 2)), c=3.0) == 3.0


def test_nees_hand_case_and_interval():
    assert nees(np.array([1.0, 2.0]), np.zeros(2), np.diag([1.0, 4.0])) == pytest.approx(2.0)
    e = nees(np.array([[1.0, 0.0], [0.0, 3.0]]), np.zeros((2, 2)), np.array([np.eye(2), 9 * np.eye(2)]))
    np.testing.assert_allclose(e, [1.0, 1.0])
    lo, hi = nees_interval(2, 1, 0.95)
    assert lo == pytest.approx(0.0506356, rel=1e-5) and hi == pytest.approx(7.377759, rel=1e-6)
    # BLK2001 sec. 5.4.2: [chi2_300(.025), chi2_300(.975)] / 50, checked against the Wilson-Hilferty
    # approximation chi2_k(p) ~ k (1 - 2/(9k) + z_p sqrt(2/(9k)))^3 (accurate to ~1e-4 at k = 300)
    lo, hi = nees_interval(6, 50, 0.95)
    k, zp = 300, 1.959964
    wh = [k * (1 - 2 / (9 * k) + s * zp * np.sqrt(2 / (9 * k))) ** 3 / 50 for s in (-1, 1)]
    assert lo == pytest.approx(wh[0], rel=1e-3) and hi == pytest.approx(wh[1], rel=1e-3)


def test_track_continuity_hand_case():
    A, B = np.array([[0.0, 0.0]]), np.array([[1000.0, 0.0]])
    near = np.array([[1.0, 0.0]])
    nearb = np.array([[1001.0, 0.0]])
    frames = [
        (["A", "B"], np.r_[A, B], [1, 3], np.r_[near, nearb]),
        (["A", "B"], np.r_[A, B], [1, 3], np.r_[near, nearb]),
        (["A", "B"], np.r_[A, B], [4], nearb),                 # A lost (break), B now on track 4
        (["A", "B"], np.r_[A, B], [2, 3], np.r_[near, nearb]),  # A back on a new id (switch), B back to 3
        (["A", "B"], np.r_[A, B], [2, 3], np.r_[near, nearb]),
        (["B"], B, [3], nearb),                                 # A ends: not a break
    ]
    cont = track_continuity(frames, c=10.0)
    assert cont.id_switches == {"A": 1, "B": 2}
    assert cont.breaks == {"A": 1, "B": 0}
    assert cont.total_id_switches == 3 and cont.total_breaks == 1
