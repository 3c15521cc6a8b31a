"""Compare two run directories table by table (the speed work's identity check).

    python benchmarks/compare_runs.py RUN_A RUN_B [--rtol R --atol A]

Reads `events`, `engagements`, `tracks` and `truth` Parquet tables of both runs with pyarrow and checks
that the schemas are equal and every column is equal bit for bit (floats compared as their 64-bit
patterns, so NaNs in the same places count as equal and -0.0 differs from 0.0); prints one line per table
and exits 1 if any differs, naming the first differing column and its largest absolute difference.

With ``--rtol`` / ``--atol`` (the check of a change that reorders floating point, e.g. a compiled kernel
replacing an array expression): every non-float column (ids, kinds, outcomes, counts: every discrete
result) must still be equal, and float columns may differ by ``atol + rtol |b|``, NaNs and infinities in
the same places; the largest absolute and relative differences of each float column that is not
bit-identical are printed.
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


def _close(a, b, rtol: float, atol: float) -> tuple[bool, str]:
    na, nb = a.to_numpy(zero_copy_only=False), b.to_numpy(zero_copy_only=False)
    if na.dtype.kind != "f":
        return bool(np.all(na == nb)), ""
    na, nb = na.astype(np.float64), nb.astype(np.float64)
    fa, fb = np.isfinite(na), np.isfinite(nb)
    if not np.array_equal(fa, fb) or not np.array_equal(na[~fa].view(np.int64), nb[~fb].view(np.int64)):
        return False, " (NaNs or infinities in different places)"
    ok = fa
    d = np.abs(na[ok] - nb[ok])
    rel = d / np.maximum(np.abs(nb[ok]), np.finfo(float).tiny)
    fine = bool(np.all(d <= atol + rtol * np.abs(nb[ok])))
    return fine, f" (max |diff| {d.max(initial=0):.3g}, relative {rel.max(initial=0):.3g})"


def _table_pairs(a: Path, b: Path):
    """``(name, table A, table B)`` of every table whose schema and row count agree; the others are
    reported (one line each) and yielded with ``None`` tables."""
    for name in TABLES:
        ta, tb = pq.read_table(a / f"{name}.parquet"), pq.read_table(b / f"{name}.parquet")
        if ta.schema != tb.schema or ta.num_rows != tb.num_rows:
            print(f"{name}: DIFFERENT schema or rows ({ta.num_rows} vs {tb.num_rows})")
            yield name, None, None
        else:
            yield name, ta, tb


def compare_exact(a: Path, b: Path) -> int:
    bad = 0
    for name, ta, tb in _table_pairs(a, b):
        if ta is None:
            bad += 1
            continue
        diff = [c for c in ta.column_names if not _same(ta[c], tb[c])]
        if not diff:
            print(f"{name}: identical ({ta.num_rows} rows, {ta.num_columns} columns)")
            continue
        bad += 1
        print(f"{name}: DIFFERENT in {diff} (first: {diff[0]}{_maxdiff(ta[diff[0]], tb[diff[0]])})")
    return 1 if bad else 0


def compare_close(a: Path, b: Path, rtol: float, atol: float) -> int:
    bad = 0
    for name, ta, tb in _table_pairs(a, b):
        if ta is None:
            bad += 1
            continue
        notes, failed = [], []
        for c in ta.column_names:
            if _same(ta[c], tb[c]):
                continue
            fine, note = _close(ta[c], tb[c], rtol, atol)
            (notes if fine else failed).append(c + note)
        bad += bool(failed)
        verdict = "DIFFERENT" if failed else ("identical" if not notes else "within tolerance")
        print(f"{name}: {verdict} ({ta.num_rows} rows, {ta.num_columns} columns)"
              + "".join(f"\n  differs beyond tolerance: {c}" for c in failed)
              + "".join(f"\n  round-off: {c}" for c in notes))
    return 1 if bad else 0


def main(argv: list[str]) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("a", type=Path)
    ap.add_argument("b", type=Path)
    ap.add_argument("--rtol", type=float, default=None, help="float tolerance mode (relative part)")
    ap.add_argument("--atol", type=float, default=None, help="float tolerance mode (absolute part)")
    args = ap.parse_args(argv)
    if args.rtol is None and args.atol is None:
        return compare_exact(args.a, args.b)
    return compare_close(args.a, args.b, 1e-9 if args.rtol is None else args.rtol,
                         0.0 if args.atol is None else args.atol)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
