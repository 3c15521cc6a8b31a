"""The output tables' string columns (``engine.result._strings``): built from the codes' bytes in numpy, they
are the Arrow string arrays of the Python strings themselves, for ASCII and non-ASCII vocabularies, empty
columns and unused vocabulary entries, without importing Arrow's compute module."""

import subprocess
import sys

import numpy as np
import pyarrow as pa
import pytest

from iadsim.engine.result import _strings


@pytest.mark.parametrize("vocab", [("interceptor", "threat"), ("ballistic", "cruise", "drone", "aircraft"),
                                   ("", "Velmora Air Base", "Isola – Entsalzung", "ü")])
def test_strings_are_the_python_strings(vocab):
    rng = np.random.default_rng(11)
    for n in (0, 1, 7, 5000):
        codes = rng.integers(0, len(vocab) - 1, n)  # the last entry is never used
        col = _strings(codes, vocab)
        assert col.type == pa.string()
        assert col.equals(pa.array([vocab[c] for c in codes], type=pa.string()))


def test_no_compute_module_is_imported():
    code = ("import sys, numpy as np; from iadsim.engine.result import _strings; "
            "_strings(np.array([1, 0, 1]), ('a', 'bc')); print('pyarrow.compute' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_codes_outside_the_vocabulary_are_refused():
    with pytest.raises(ValueError, match="outside"):
        _strings(np.array([0, 2]), ("a", "b"))
    with pytest.raises(ValueError, match="outside"):
        _strings(np.array([-1, 0]), ("a", "b"))
