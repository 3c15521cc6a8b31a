"""One place that compiles iadsim's array kernels with numba (``njit``), cached on disk.

Every compiled kernel in the package is declared with :func:`njit` from this module, so the cache policy
is stated once. Without numba the decorator returns the plain Python function (identical results, slower).

Cache location. numba writes its cache next to the source (``__pycache__`` of each kernel's package) when
that is writable. For a read-only install (system site-packages, a container image, a read-only mount)
this module points numba at a per-user directory instead, ``$XDG_CACHE_HOME/iadsim/numba`` or
``~/.cache/iadsim/numba``, by setting ``NUMBA_CACHE_DIR`` before numba is imported - and only when the
user has not set ``NUMBA_CACHE_DIR`` and the package directory is not writable (:func:`configure_cache`).
numba is imported on the first :func:`njit` call, i.e. when the first module with kernels is imported, so
``import iadsim`` and the command line's start-up do not pay for it. If no cache directory is writable at
all, kernels are compiled without a disk cache (each process compiles again) instead of failing.

Threads. The few ``parallel=True`` kernels (the raid's missile flights, :func:`iadsim.threats.rocket.fly_parallel`)
run on numba's fork-safe threading layer (``forksafe``: TBB if installed, else the built-in workqueue) unless
``NUMBA_THREADING_LAYER`` chooses another: a Monte Carlo pool forks its workers after the parent may have run
such a kernel, and GNU OpenMP, numba's first pick on Linux, is not fork-safe. The workqueue is not
thread-safe, so those kernels are called from the main thread only (their serial twins elsewhere; same results).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent

_state: dict = {}


def _writable_dir(path: Path) -> bool:
    """Whether numba could write cache files into ``path`` (created if missing), tested as numba does."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=path).close()
    except OSError:
        return False
    return True


def fallback_cache_dir() -> Path:
    """The per-user cache directory used when the package directory is not writable."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "iadsim" / "numba"


def configure_cache() -> str | None:
    """Set ``NUMBA_CACHE_DIR`` to :func:`fallback_cache_dir` if the user has not set it and the package's
    ``__pycache__`` is not writable; return the cache directory set (``None``: numba's default, in-tree).

    Call before numba is imported (:func:`njit` does, once). If numba is already imported, its
    configuration is updated as well, so kernels decorated afterwards use the same directory.
    """
    if os.environ.get("NUMBA_CACHE_DIR") or _writable_dir(PACKAGE_DIR / "__pycache__"):
        return None
    fallback = fallback_cache_dir()
    if not _writable_dir(fallback):
        return None  # numba tries its own per-user locator; failing that, njit compiles without a cache
    os.environ["NUMBA_CACHE_DIR"] = str(fallback)
    config = sys.modules.get("numba.core.config")
    if config is not None:
        config.CACHE_DIR = str(fallback)
    return str(fallback)


def _numba_njit():
    """``numba.njit`` (imported on first use, after :func:`configure_cache`), or ``None`` without numba."""
    if "njit" not in _state:
        configure_cache()
        chosen = "NUMBA_THREADING_LAYER" in os.environ
        try:
            from numba import config
            from numba import njit as numba_njit
        except ImportError:  # pragma: no cover - exercised only without numba
            numba_njit = None
        else:
            # the parallel kernels' threads: a fork-safe layer (a Monte Carlo pool forks its workers after the
            # parent may have run one; GNU OpenMP, numba's first pick on Linux, is not fork-safe), unless the
            # user chose one; it takes effect at the first parallel launch
            if not chosen:
                config.THREADING_LAYER = "forksafe"
        _state["njit"] = numba_njit
    return _state["njit"]


def njit(*args, **kwargs):
    """``numba.njit(cache=True, ...)``; a no-op decorator when numba is not installed.

    Used bare (``@njit``) or with options (``@njit(fastmath=False)``), like ``numba.njit``.
    """
    kwargs.setdefault("cache", True)
    numba_njit = _numba_njit()
    if numba_njit is None:
        if args and callable(args[0]):
            return args[0]
        return lambda f: f
    if args and callable(args[0]):
        return _compile(numba_njit, args[0], args[1:], kwargs)
    return lambda f: _compile(numba_njit, f, args, kwargs)


def _compile(numba_njit, f, args, kwargs):
    try:
        return numba_njit(*args, **kwargs)(f)
    except RuntimeError as exc:
        # "cannot cache function ...: no locator available": no writable cache directory anywhere
        if not kwargs.get("cache") or "cannot cache" not in str(exc):
            raise
        return numba_njit(*args, **{**kwargs, "cache": False})(f)


def prange_or_range():
    """``numba.prange`` (a parallel loop inside ``njit(parallel=True)``), or ``range`` without numba.

    For a module with kernels, which imports numba anyway when its first :func:`njit` decorates."""
    _numba_njit()
    try:
        from numba import prange
    except ImportError:  # pragma: no cover - exercised only without numba
        return range
    return prange
