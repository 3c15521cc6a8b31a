"""Whole-engine analytic oracles (iadsim.validation.oracles), with the replications of CI.

Each test runs one oracle: a seeded Monte Carlo of small scenarios in the validation modes (perfect tracking,
constant Pk) against its closed form. A check passes when its two-sided p-value is at least
``iadsim.validation.stats.ALPHA`` (0.001); the p-values are printed (``pytest -s``) and a failure names the
oracle and its failing checks. Few replications give wide acceptance bands, not a looser criterion;
``benchmarks/validation.py`` runs the same oracles with about eight times the replications and writes
docs/validation.md.
"""

import pytest

from iadsim.validation.oracles import ORACLES
from iadsim.validation.stats import ALPHA


@pytest.mark.parametrize("name", list(ORACLES))
def test_oracle(name):
    oracle = ORACLES[name]
    res = oracle.fn(**oracle.ci)
    print("\n" + res.report())
    failed = [c.line() for c in res.checks if not c.passed]
    assert res.checks, f"oracle {name}: no checks"
    assert not failed, f"oracle {name} failed (alpha = {ALPHA}):\n" + "\n".join(failed)
