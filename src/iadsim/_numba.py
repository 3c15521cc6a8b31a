"""One place that compiles iadsim's array kernels with numba (``njit``), cached on disk.

Every compiled kernel in the package is declared with :func:`njit` from this module, so the cache policy
is stated once. Without numba the decorator returns the plain Python function (identical results, slower).

Cache location and freshness. numba invalidates a cached kernel when the file that defines it changes,
but not when a compiled function it calls from another file does (a kernel inlines its callees: the
atmosphere, gravity, the truth's piece search...), so an edit of one kernel module could leave other
modules' cached kernels running the old code. This module therefore sets ``NUMBA_CACHE_DIR`` (before numba
is imported) to a directory named by a digest of the contents of every module with kernels
(:data:`KERNEL_MODULES`, :func:`source_fingerprint`): any change there starts a fresh cache, and the same
sources share one. The directory is ``__pycache__/numba/<digest>`` in the package when that is writable,
else, for a read-only install (system site-packages, a container image, a read-only mount), a per-user
``$XDG_CACHE_HOME/iadsim/numba/<digest>`` or ``~/.cache/iadsim/numba/<digest>``; the two most recent other
digests are kept (two installs sharing the per-user directory), older ones removed
(:func:`configure_cache`). A ``NUMBA_CACHE_DIR`` the user set is left alone (one this module set, inherited by
a child process, is chosen again). numba is imported on the first
:func:`njit` call, i.e. when the first module with kernels is imported, so ``import iadsim`` and the command
line's start-up do not pay for it. If no cache directory is writable at all, kernels are compiled without a
disk cache (each process compiles again) instead of failing.

Threads. The few ``parallel=True`` kernels (the raid's missile flights, :func:`iadsim.threats.rocket.fly_parallel`)
run on numba's fork-safe threading layer (``forksafe``: TBB if installed, else the built-in workqueue) unless
``NUMBA_THREADING_LAYER`` chooses another: a Monte Carlo pool forks its workers after the parent may have run
such a kernel, and GNU OpenMP, numba's first pick on Linux, is not fork-safe. The workqueue is not
thread-safe, so those kernels are called from the main thread only (their serial twins elsewhere; same results).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent

#: the package's modules whose code or constants compiled kernels contain: the files that use :func:`njit`,
#: and those whose names a kernel reads (numba compiles a global's value in; ``tests/test_numba_cache.py``
#: keeps the list complete): their contents name the cache directory
KERNEL_MODULES = (
    "_numba.py", "assignment/_kernels.py", "assignment/_windows.py", "engagement/airframe.py",
    "engagement/engagements.py", "engagement/envelope.py", "evaluation/threat_evaluation.py", "frames.py",
    "metrics/tracking.py", "physics/atmosphere.py", "physics/ellipsoid.py", "physics/gravity.py", "physics/grid.py",
    "sensors/radar.py", "terrain.py", "threats/ballistic.py", "threats/rocket.py", "threats/truth.py",
    "tracking/_imm_kernels.py", "tracking/_kernels.py",
)
#: other digests' cache directories kept next to the current one
KEEP_OTHER = 2
#: set next to ``NUMBA_CACHE_DIR`` when this module chose it: a child process that inherits both (another
#: tree, or sources edited since) chooses again instead of taking it for the user's setting
_MARK = "IADSIM_NUMBA_CACHE_DIR"

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


def source_fingerprint() -> str:
    """A digest (16 hex digits, BLAKE2b) of the contents of :data:`KERNEL_MODULES` (a missing file counts as
    empty): the name of the kernels' cache directory."""
    h = hashlib.blake2b(digest_size=8)
    for rel in KERNEL_MODULES:
        try:
            data = (PACKAGE_DIR / rel).read_bytes()
        except OSError:
            data = b""
        h.update(rel.encode() + b"\0" + len(data).to_bytes(8, "little") + data)
    return h.hexdigest()


def _prune(base: Path, current: str) -> None:
    """Remove the digest directories under ``base`` other than ``current`` and the :data:`KEEP_OTHER` most
    recently used; best effort (another process may be using or removing them)."""
    try:
        others = [p for p in base.iterdir() if p.is_dir() and p.name != current and len(p.name) == 16
                  and all(c in "0123456789abcdef" for c in p.name)]
        others.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return
    for p in others[KEEP_OTHER:]:
        shutil.rmtree(p, ignore_errors=True)


def configure_cache() -> str | None:
    """Set ``NUMBA_CACHE_DIR`` to the digest directory of the current kernel sources (module docstring) in
    the package's ``__pycache__/numba`` when writable, else under :func:`fallback_cache_dir`, unless the user
    has set ``NUMBA_CACHE_DIR``; return the directory set (``None``: nothing set).

    Call before numba is imported (:func:`njit` does, once). If numba is already imported, its
    configuration is updated as well, so kernels decorated afterwards use the same directory.
    """
    mine = os.environ.get("NUMBA_CACHE_DIR")
    if mine and mine != os.environ.get(_MARK):  # the user's own (not one this module set in a parent process)
        return None
    digest = source_fingerprint()
    for base in (PACKAGE_DIR / "__pycache__" / "numba", fallback_cache_dir()):
        if _writable_dir(base / digest):
            break
    else:
        return None  # numba tries its own per-user locator; failing that, njit compiles without a cache
    path = str(base / digest)
    _prune(base, digest)
    os.environ["NUMBA_CACHE_DIR"] = os.environ[_MARK] = path
    config = sys.modules.get("numba.core.config")
    if config is not None:
        config.CACHE_DIR = path
    return path


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
