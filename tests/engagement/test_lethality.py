"""Lethality: hand values, closed forms vs quadrature and Monte Carlo, salvo vs Bernoulli trials, shapes."""

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.stats import rayleigh

from iadsim.engagement.lethality import (
    CARLETON,
    CARLETON_CUTOFF,
    HIT_TO_KILL,
    KINDS,
    damage_function,
    expected_pk_circular_normal,
    kind_code_of,
    salvo_kill_probability,
    single_shot_pk,
    support_radius,
)


def salvo_pk(p, n):
    """Identical independent shots, written out: ``1 - (1 - p)^n``."""
    return 1.0 - (1.0 - np.asarray(p, float)) ** n


RNG_SEED = 20260512

# (kind, radius m, sigma m): sub-metre hit-to-kill, then blast-frag with sigma well inside, near and well
# outside the lethal radius (the last two make the 3 R_L truncation visible at rtol 1e-6).
CASES = [
    (HIT_TO_KILL, 0.3, 0.1),
    (HIT_TO_KILL, 0.5, 0.5),
    (HIT_TO_KILL, 1.0, 3.0),
    (CARLETON, 20.0, 5.0),
    (CARLETON, 20.0, 20.0),
    (CARLETON, 20.0, 60.0),
    (CARLETON, 10.0, 100.0),
]


def test_kind_codes():
    assert KINDS == ("hit_to_kill", "carleton")
    assert KINDS[HIT_TO_KILL] == "hit_to_kill" and KINDS[CARLETON] == "carleton"
    assert (HIT_TO_KILL, CARLETON) == (0, 1)
    assert kind_code_of("carleton") == CARLETON and kind_code_of("hit_to_kill") == HIT_TO_KILL
    assert CARLETON_CUTOFF == 3.0


# ---------------------------------------------------------------------------------------------------------
# hand values
# ---------------------------------------------------------------------------------------------------------


def test_hit_to_kill_hand_values():
    r = 0.5
    d = np.array([0.0, 0.25, r, np.nextafter(r, np.inf), 0.51, 10.0, np.inf])
    np.testing.assert_array_equal(damage_function(HIT_TO_KILL, d, r), [1, 1, 1, 0, 0, 0, 0])
    assert float(support_radius(HIT_TO_KILL, r)) == r


def test_carleton_hand_values():
    R = 20.0
    d = np.array([0.0, 10.0, R, 2 * R, 3 * R, np.nextafter(3 * R, np.inf), 61.0, 1e4, np.inf])
    expected = [1.0, np.exp(-0.25), np.exp(-1.0), np.exp(-4.0), np.exp(-9.0), 0.0, 0.0, 0.0, 0.0]
    np.testing.assert_allclose(damage_function(CARLETON, d, R), expected, rtol=1e-15, atol=0)
    assert float(damage_function(CARLETON, R, R)) == pytest.approx(0.36787944117144233, rel=1e-15)
    assert float(support_radius(CARLETON, R)) == 60.0


def test_zero_radius_is_a_point():
    for kind in (HIT_TO_KILL, CARLETON):
        np.testing.assert_array_equal(damage_function(kind, [0.0, 1e-12, 1.0, np.inf], 0.0), [1, 0, 0, 0])
        assert float(support_radius(kind, 0.0)) == 0.0
        assert float(expected_pk_circular_normal(kind, 0.0, 1.0)) == 0.0


def test_single_shot_pk_hand_values():
    assert float(single_shot_pk(CARLETON, 20.0, 20.0, 0.9, 0.8)) == pytest.approx(0.72 * np.exp(-1), rel=1e-15)
    assert float(single_shot_pk(HIT_TO_KILL, 0.2, 0.5, 0.95, 0.9)) == pytest.approx(0.855, rel=1e-15)
    assert float(single_shot_pk(HIT_TO_KILL, 0.6, 0.5, 0.95, 0.9)) == 0.0
    assert float(single_shot_pk(CARLETON, 61.0, 20.0, 1.0, 1.0)) == 0.0


def test_sigma_zero_gives_damage_at_zero():
    for kind in (HIT_TO_KILL, CARLETON):
        for R in (0.0, 0.5, 20.0):
            assert float(expected_pk_circular_normal(kind, R, 0.0)) == 1.0
            assert float(expected_pk_circular_normal(kind, R, 0.0)) == float(damage_function(kind, 0.0, R))
        # continuous as sigma -> 0
        assert float(expected_pk_circular_normal(kind, 20.0, 1e-6)) == pytest.approx(1.0, abs=1e-12)


# ---------------------------------------------------------------------------------------------------------
# closed forms vs independent evidence
# ---------------------------------------------------------------------------------------------------------


def quad_expected(kind, R, sigma, damage=None):
    """E[D(d)], d ~ Rayleigh(sigma), by adaptive quadrature, split at the support edge written by hand."""
    if damage is None:
        def damage(d):
            return float(damage_function(kind, d, R))
    edge = R if kind == HIT_TO_KILL else 3.0 * R

    def f(d):
        return damage(d) * rayleigh.pdf(d, scale=sigma)

    inside, _ = quad(f, 0.0, edge, epsabs=0.0, epsrel=1e-11, limit=200)
    outside, _ = quad(f, edge, np.inf, epsabs=1e-14, epsrel=1e-11, limit=200)
    return inside + outside


@pytest.mark.parametrize("kind, R, sigma", CASES)
def test_closed_form_matches_quadrature(kind, R, sigma):
    ref = quad_expected(kind, R, sigma)
    got = float(expected_pk_circular_normal(kind, R, sigma))
    np.testing.assert_allclose(got, ref, rtol=1e-6)


def test_carleton_truncation_is_what_the_closed_form_integrates():
    # Untruncated Carleton vs quadrature of exp(-d^2/R^2) over [0, inf): the textbook R^2/(R^2+2 sigma^2).
    for R, sigma in [(20.0, 5.0), (20.0, 60.0), (10.0, 100.0)]:
        untrunc_ref = quad_expected(CARLETON, R, sigma, damage=lambda d, R=R: np.exp(-(d / R) ** 2))
        np.testing.assert_allclose(R**2 / (R**2 + 2 * sigma**2), untrunc_ref, rtol=1e-6)
    # When sigma is large against R_L, the truncation changes the expectation by more than the 1e-6 tolerance,
    # so the truncated closed form and the quadrature test above would catch a missing factor.
    R, sigma = 10.0, 100.0
    trunc = float(expected_pk_circular_normal(CARLETON, R, sigma))
    untrunc = R**2 / (R**2 + 2 * sigma**2)
    assert abs(untrunc / trunc - 1.0) > 1e-5
    np.testing.assert_allclose(trunc / untrunc, 1.0 - np.exp(-9.0 * (1.0 + R**2 / (2 * sigma**2))), rtol=1e-14)


def test_closed_form_matches_monte_carlo():
    n = 200_000
    rng = np.random.default_rng(RNG_SEED)
    kind = np.array([c[0] for c in CASES])[:, None]
    R = np.array([c[1] for c in CASES])[:, None]
    sigma = np.array([c[2] for c in CASES])[:, None]
    xy = rng.normal(size=(len(CASES), n, 2)) * sigma[:, :, None]  # circular normal, per-axis std sigma
    d = np.hypot(xy[..., 0], xy[..., 1])
    D = damage_function(kind, d, R)  # (cases, n)
    mean = D.mean(axis=1)
    se = D.std(axis=1, ddof=1) / np.sqrt(n)
    closed = expected_pk_circular_normal(kind[:, 0], R[:, 0], sigma[:, 0])
    assert np.all(se > 0)
    z = np.abs(mean - closed) / se
    assert np.all(z < 4.0), z
    # The same check rejects a plausible mistake: sigma taken as the standard deviation of the miss distance
    # (a 1-D normal radius), i.e. Rayleigh scale sigma / sqrt(2 - pi/2).
    wrong = expected_pk_circular_normal(kind[:, 0], R[:, 0], sigma[:, 0] / np.sqrt(2 - np.pi / 2))
    assert np.all(np.abs(mean - wrong) / se > 4.0)


# ---------------------------------------------------------------------------------------------------------
# salvo
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("pk", [[0.7, 0.5, 0.9], [0.2, 0.35, 0.05, 0.6]])
def test_salvo_matches_bernoulli_trials(pk):
    pk = np.asarray(pk)
    trials = 200_000
    rng = np.random.default_rng([RNG_SEED, len(pk)])
    killed = (rng.random((trials, pk.size)) < pk).any(axis=1)
    p = float(salvo_kill_probability(pk))
    assert p == pytest.approx(1.0 - np.prod(1.0 - pk), rel=1e-15)
    se = np.sqrt(p * (1.0 - p) / trials)
    assert abs(killed.mean() - p) < 4.0 * se
    # the check has power: the salvo of identical shots at the mean pk is rejected
    assert abs(killed.mean() - float(salvo_pk(pk.mean(), pk.size))) > 4.0 * se


def test_salvo_hand_values_and_edges():
    assert float(salvo_kill_probability([0.7, 0.5, 0.9])) == pytest.approx(0.985, rel=1e-15)
    assert float(salvo_kill_probability([0.7, 1.0])) == 1.0
    assert float(salvo_kill_probability(np.zeros(0))) == 0.0
    assert float(salvo_kill_probability(0.4)) == pytest.approx(0.4, rel=1e-15)
    # identical shots: the flyout rule 1 - (1 - p)^n
    for p, n in [(0.3, 1), (0.3, 2), (0.85, 4)]:
        assert float(salvo_kill_probability(np.full(n, p))) == pytest.approx(float(salvo_pk(p, n)), rel=1e-14)
    # small pk keep relative precision: 1 - (1 - 1e-12)^3 = 3e-12 - 3e-24 + ...
    assert float(salvo_kill_probability(np.full(3, 1e-12))) == pytest.approx(3e-12, rel=1e-10)


def test_salvo_reduces_last_axis():
    pk = np.random.default_rng(RNG_SEED + 1).random((4, 5, 3))
    got = salvo_kill_probability(pk)
    assert got.shape == (4, 5)
    np.testing.assert_allclose(got, 1.0 - np.prod(1.0 - pk, axis=-1), rtol=1e-13)


# ---------------------------------------------------------------------------------------------------------
# broadcasting and validation
# ---------------------------------------------------------------------------------------------------------


def test_broadcasting_matches_scalar_calls():
    rng = np.random.default_rng(RNG_SEED + 2)
    kind = np.array([HIT_TO_KILL, CARLETON])[:, None, None]  # (2, 1, 1)
    radius = np.array([0.5, 5.0, 20.0])[None, :, None]  # (1, 3, 1)
    miss = rng.uniform(0.0, 70.0, size=4)  # (4,)
    sigma = rng.uniform(0.1, 40.0, size=4)
    rel = np.array([0.9, 1.0, 0.8])[:, None]  # (3, 1)
    D = damage_function(kind, miss, radius)
    E = expected_pk_circular_normal(kind, radius, sigma)
    S = support_radius(kind, radius)
    P = single_shot_pk(kind, miss, radius, rel, 0.7)
    assert D.shape == E.shape == P.shape == (2, 3, 4) and S.shape == (2, 3, 1)
    for i, k in enumerate((HIT_TO_KILL, CARLETON)):
        for j, r in enumerate(radius.ravel()):
            assert S[i, j, 0] == float(support_radius(k, r))
            for m in range(4):
                assert D[i, j, m] == float(damage_function(k, miss[m], r))
                assert E[i, j, m] == float(expected_pk_circular_normal(k, r, sigma[m]))
                assert P[i, j, m] == pytest.approx(rel[j, 0] * 0.7 * D[i, j, m], rel=1e-15)
    assert np.asarray(damage_function(CARLETON, 1.0, 2.0)).shape == ()
    # a miss beyond the support always scores zero
    assert np.all(damage_function(kind, S * 1.0001 + 1e-9, radius) == 0.0)


@pytest.mark.parametrize(
    "call",
    [
        lambda: damage_function(CARLETON, 1.0, -1.0),
        lambda: damage_function(HIT_TO_KILL, 1.0, [0.5, -0.1]),
        lambda: damage_function(CARLETON, 1.0, np.inf),
        lambda: damage_function(CARLETON, -1.0, 1.0),
        lambda: damage_function(CARLETON, np.nan, 1.0),
        lambda: damage_function(2, 1.0, 1.0),
        lambda: damage_function(0.5, 1.0, 1.0),
        lambda: support_radius(CARLETON, -1.0),
        lambda: expected_pk_circular_normal(HIT_TO_KILL, -0.5, 1.0),
        lambda: expected_pk_circular_normal(HIT_TO_KILL, 0.5, -1.0),
        lambda: single_shot_pk(CARLETON, 1.0, 1.0, 1.1, 1.0),
        lambda: single_shot_pk(CARLETON, 1.0, 1.0, 1.0, -0.1),
        lambda: salvo_kill_probability([0.5, 1.5]),
        lambda: kind_code_of("gaussian"),
    ],
)
def test_invalid_inputs_raise_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_kind_name_instead_of_code_raises_type_error():
    with pytest.raises(TypeError):
        damage_function("carleton", 1.0, 1.0)
