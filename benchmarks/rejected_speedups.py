"""Two speed-ups measured for issue 9 and not taken: what they would buy, on this machine.

    python benchmarks/rejected_speedups.py

1. numba's first compiled call initialises its CPU target, which imports ``scipy.linalg`` for a BLAS check
   (``numba.np.arraymath._HAVE_BLAS``) that none of iadsim's kernels needs (no ``np.dot``/``np.linalg`` in
   them). Measured in fresh processes: the import of numba and its first cached call, as is and with
   ``scipy.linalg.cython_blas`` hidden from the import system (the only way to skip the check: a hack on
   numba's internals, so not taken).
2. Handing a per-cycle kernel (the command post's are 0.2-0.3 ms) to a second thread while the main thread
   runs another: a persistent worker on a queue, the kernel ``nogil``. Measured: two kernels in a row
   against one on each thread, for kernels of about 1, 20 and 100 us.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

PROBE = textwrap.dedent('''
    import sys, time
    if len(sys.argv) > 1:
        sys.modules["scipy.linalg.cython_blas"] = None
    t0 = time.perf_counter()
    import numba
    t1 = time.perf_counter()
    f = numba.njit(cache=False)(lambda x: x + 1)
    f(1.0)
    t2 = time.perf_counter()
    print(f"{t1 - t0:.3f} {t2 - t1:.3f}")
''')


def numba_init(runs: int = 3) -> None:
    print("| numba | import (s) | first call (s) |\n| --- | ---: | ---: |")
    for label, extra in (("as is", []), ("BLAS check skipped", ["hide"])):
        out = [subprocess.run([sys.executable, "-c", PROBE, *extra], capture_output=True, text=True,
                              check=True).stdout.split() for _ in range(runs)]
        imp = min(float(o[0]) for o in out)
        first = min(float(o[1]) for o in out)
        print(f"| {label} | {imp:.3f} | {first:.3f} |")


def thread_handoff(n: int = 2000) -> None:
    import queue
    import threading
    import time

    import numpy as np
    from numba import njit

    @njit(nogil=True)
    def work(a, reps):
        s = 0.0
        for _ in range(reps):
            for i in range(a.size):
                s += a[i] * 1.0000001
        return s

    a = np.ones(1000)
    work(a, 1)
    inq, outq = queue.SimpleQueue(), queue.SimpleQueue()

    def worker():
        while True:
            f, args = inq.get()
            outq.put(f(*args))

    threading.Thread(target=worker, daemon=True).start()
    print("| kernel (us) | two in a row (us) | one on each thread (us) |\n| ---: | ---: | ---: |")
    for reps in (1, 20, 100):
        t0 = time.perf_counter()
        for _ in range(n):
            work(a, reps)
            work(a, reps)
        t1 = time.perf_counter()
        for _ in range(n):
            inq.put((work, (a, reps)))
            work(a, reps)
            outq.get()
        t2 = time.perf_counter()
        one = (t1 - t0) / n / 2 * 1e6
        print(f"| {one:.1f} | {(t1 - t0) / n * 1e6:.1f} | {(t2 - t1) / n * 1e6:.1f} |")


if __name__ == "__main__":
    numba_init()
    thread_handoff()
