"""Compare two run directories table by table (the speed work's identity check).

    python benchmarks/compare_runs.py RUN_A RUN_B

Reads `events`, `engagements`, `tracks` and `truth` Parquet tables of both runs with pyarrow and checks
that the schemas are equal and every column is equal bit for bit (floats compared as their 64-bit
patterns, so NaNs in the same places count as equal and -0.0 differs from 0.0); prints one line per table
and exits 1 if any differs, naming the first differing column and its largest absolute difference.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

TABLES = ("events", "engagements", "tracks", "truth")


def _same(a, b) -> bool:
    if a.null_count != b.null_count or not a.is_null().equals(b.is_null()):
        return False
    na, nb = a.to_numpy(zero_copy_only=False), b.to_numpy(zero_copy_only=False)
    if na.dtype.kind == "f":
        return np.array_equal(na.astype(np.float64).view(np.int64), nb.astype(np.float64).view(np.int64))
    return bool(np.all(na == nb))


def _maxdiff(a, b) -> str:
    na, nb = a.to_numpy(zero_copy_only=False), b.to_numpy(zero_copy_only=False)
    if na.dtype.kind != "f":
        return ""
    return f", max |diff| {np.nanmax(np.abs(na - nb)):.3g}"


def main(argv: list[str]) -> int:
    a, b = (Path(p) for p in argv[:2])
    bad = 0
    for name in TABLES:
        ta, tb = pq.read_table(a / f"{name}.parquet"), pq.read_table(b / f"{name}.parquet")
        if ta.schema != tb.schema or ta.num_rows != tb.num_rows:
            bad += 1
            print(f"{name}: DIFFERENT schema or rows ({ta.num_rows} vs {tb.num_rows})")
            continue
        diff = [c for c in ta.column_names if not _same(ta[c], tb[c])]
        if not diff:
            print(f"{name}: identical ({ta.num_rows} rows, {ta.num_columns} columns)")
            continue
        bad += 1
        print(f"{name}: DIFFERENT in {diff} (first: {diff[0]}{_maxdiff(ta[diff[0]], tb[diff[0]])})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
