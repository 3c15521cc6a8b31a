"""Where iadsim keeps what it computes once and reuses across processes (envelope tables, parsed quantities).

``$IADSIM_CACHE_DIR``, else ``$XDG_CACHE_HOME/iadsim`` or ``~/.cache/iadsim``. Every cached item is keyed by
what it was computed from, and a missing, stale or unreadable cache only means computing again.
(numba's compiled kernels have their own location rule: :mod:`iadsim._numba`.)
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    """The cache directory (not created here)."""
    base = os.environ.get("IADSIM_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "iadsim")
    return Path(base)
