"""Validation of :class:`WTAProblem`: bad input raises InputError naming the field."""

from __future__ import annotations

import numpy as np
import pytest

from iadsim.assignment import WTAProblem
from iadsim.errors import InputError

GOOD = dict(values=[10.0, 20.0], pk=[[0.5, 0.6], [0.1, 0.9], [0.0, 1.0]], counts=[1, 2, 0])


@pytest.mark.parametrize("change,field", [
    (dict(pk=[[0.5, 0.6], [0.1], [0.0, 1.0]]), "pk"),          # ragged
    (dict(pk=[[0.5, 1.2], [0.1, 0.9], [0.0, 1.0]]), "pk"),     # p > 1
    (dict(pk=[[0.5, -0.1], [0.1, 0.9], [0.0, 1.0]]), "pk"),    # p < 0
    (dict(pk=[[0.5, np.nan], [0.1, 0.9], [0.0, 1.0]]), "pk"),  # NaN
    (dict(pk=[[0.5, 0.6], [0.1, 0.9]]), "pk"),                 # wrong number of rows
    (dict(values=[10.0, -1.0]), "values"),
    (dict(values=[10.0, np.inf]), "values"),
    (dict(counts=[1, -2, 0]), "counts"),
    (dict(counts=[1, 1.5, 0]), "counts"),
    (dict(cost=[1.0, -1.0, 0.0]), "cost"),
    (dict(cost=[1.0, 1.0]), "cost"),
    (dict(mask=[[True, False]]), "mask"),
    (dict(mask=[[1, 2], [0, 1], [1, 1]]), "mask"),
])
def test_bad_input_names_field(change, field):
    with pytest.raises(InputError) as exc:
        WTAProblem(**{**GOOD, **change})
    assert exc.value.field == field
    assert str(exc.value).startswith(f"{field}: ")


def test_good_input_is_frozen_copy():
    pk = np.array(GOOD["pk"])
    prob = WTAProblem(values=GOOD["values"], pk=pk, counts=GOOD["counts"], cost=[1, 2, 3],
                      mask=np.ones((3, 2), int))
    pk[0, 0] = 0.99
    assert prob.pk[0, 0] == 0.5
    assert prob.n == 3 and prob.m == 2
    assert prob.counts.dtype == np.int64 and prob.mask.dtype == bool
    with pytest.raises(ValueError):
        prob.pk[0, 0] = 0.1
    # counts of 0 make a type unusable
    assert not prob.allowed[2].any()
