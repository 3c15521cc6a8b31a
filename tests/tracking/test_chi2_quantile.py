"""The chi-square quantile the gates use (``management.chi2_ppf``) against tables and scipy.stats."""

import numpy as np
import pytest
from scipy.stats import chi2

from iadsim.tracking import management
from iadsim.tracking.management import TrackerConfig, chi2_ppf


def test_chi2_quantile_matches_the_published_table():
    # Abramowitz & Stegun (1964) table 26.8 / NIST e-handbook 1.3.6.7.4, upper-tail critical values
    table = {(0.95, 1): 3.841, (0.99, 2): 9.210, (0.999, 3): 16.266, (0.999, 4): 18.467, (0.95, 10): 18.307,
             (0.05, 10): 3.940, (0.975, 30): 46.979, (0.01, 5): 0.554}
    for (p, df), v in table.items():
        assert abs(chi2_ppf(p, df) - v) < 6e-4, (p, df)


@pytest.mark.parametrize("df", [*range(1, 41), 57, 100, 163, 200])
def test_closed_form_quantile_equals_scipy_to_the_last_digits(df):
    """Integer degrees of freedom (the closed-form tails and Newton): within a few units in the last place
    of scipy.stats.chi2.ppf over eleven decades of tail probability, both tails (scipy's own error reaches
    2e-14: for df = 1, p = 0.85 the exact quantile z^2, z = Phi^-1(0.925), is ours, and scipy's is 4e-14
    away), and the tail at the quantile equal to its target to 1e-13 relative."""
    p = np.r_[1e-12, 1e-9, 1e-6, 1e-3, 0.025, np.linspace(0.05, 0.95, 19), 0.975, 0.999, 0.9995, 1 - 1e-6,
              1 - 1e-9]
    ours = np.array([chi2_ppf(float(q), df) for q in p])
    np.testing.assert_allclose(ours, chi2.ppf(p, df), rtol=5e-14, atol=0)
    # the tails are what the iteration solves: check them directly too
    for q, x in zip(p, ours, strict=True):
        if q > 0.5:
            assert abs(management._chi2_sf_pdf(x, df)[0] - (1 - q)) <= 1e-13 * (1 - q)
        else:
            assert abs(management._chi2_cdf_series(x, df) - q) <= 1e-13 * q


def test_other_degrees_of_freedom_and_arrays_go_through_scipy():
    p = np.array([0.025, 0.975])
    np.testing.assert_array_equal(chi2_ppf(p, 300), chi2.ppf(p, 300))  # beyond the closed-form range
    assert chi2_ppf(0.9, 2.5) == chi2.ppf(0.9, 2.5)
    np.testing.assert_allclose(chi2_ppf(np.array([0.5, 0.999]), np.array([3, 4])), chi2.ppf([0.5, 0.999], [3, 4]),
                               rtol=2e-14)


def test_the_gates_and_that_no_scipy_special_is_needed_for_them():
    cfg = TrackerConfig(gate_probability=0.9995)
    np.testing.assert_allclose([cfg.gate(m) for m in (1, 2, 3, 4)], chi2.ppf(0.9995, [1, 2, 3, 4]), rtol=2e-14)
    import subprocess
    import sys

    code = ("import sys; from iadsim.tracking.management import TrackerConfig; "
            "g = [TrackerConfig().gate(m) for m in (1, 2, 3, 4)]; print('scipy.special' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
