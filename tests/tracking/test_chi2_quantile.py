"""The chi-square quantile the gates use (``management.chi2_ppf``) against tables and scipy.stats."""

import numpy as np
from scipy.stats import chi2

from iadsim.tracking.management import TrackerConfig, chi2_ppf


def test_chi2_quantile_matches_the_published_table():
    # Abramowitz & Stegun (1964) table 26.8 / NIST e-handbook 1.3.6.7.4, upper-tail critical values
    table = {(0.95, 1): 3.841, (0.99, 2): 9.210, (0.999, 3): 16.266, (0.999, 4): 18.467, (0.95, 10): 18.307,
             (0.05, 10): 3.940}
    for (p, df), v in table.items():
        assert abs(chi2_ppf(p, df) - v) < 6e-4, (p, df)


def test_chi2_quantile_is_scipy_stats_bit_for_bit():
    rng = np.random.default_rng(3)
    p = rng.uniform(1e-4, 1 - 1e-4, 200)
    df = rng.integers(1, 400, 200)
    assert np.array_equal(chi2_ppf(p, df), chi2.ppf(p, df))
    cfg = TrackerConfig(gate_probability=0.9995)
    assert [cfg.gate(m) for m in (1, 2, 3, 4)] == [float(chi2.ppf(0.9995, m)) for m in (1, 2, 3, 4)]
