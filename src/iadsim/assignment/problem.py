"""The static weapon-target assignment (WTA) problem and its result.

Problem (Manne 1958; den Broeder, Ellison & Emerling 1959; notation of Ahuja, Kumar, Jha & Orlin,
"Exact and heuristic algorithms for the weapon-target assignment problem", Operations Research 55(6),
2007): targets ``j = 0..m-1`` with values ``V_j >= 0``, weapon types ``i = 0..n-1`` with counts
``c_i``, single-shot kill probabilities ``p_ij``, an optional feasibility mask and an optional cost
per shot ``k_i``. Choose non-negative integers ``x_ij`` (shots of type ``i`` at target ``j``) with
``sum_j x_ij <= c_i`` and ``x_ij = 0`` where the mask is False, to minimise

    F(x) = sum_j V_j prod_i (1 - p_ij)^x_ij  +  sum_ij k_i x_ij

(expected surviving value plus the cost of the shots fired). Shots are independent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from iadsim.errors import InputError

__all__ = ["WTAProblem", "WTAResult", "evaluate", "survival"]


def _as_float_array(obj, name: str, ndim: int) -> np.ndarray:
    try:
        a = np.asarray(obj, dtype=float)
    except (ValueError, TypeError, OverflowError) as exc:
        raise InputError(f"expected a {'matrix' if ndim == 2 else 'list'} of numbers "
                         f"(ragged or non-numeric: {exc})", field=name) from None
    if a.ndim != ndim:
        raise InputError(f"expected {ndim} dimension(s), got shape {a.shape}", field=name)
    if not np.all(np.isfinite(a)):
        raise InputError("contains NaN or infinite entries", field=name)
    return a


@dataclass(frozen=True, eq=False)
class WTAProblem:
    """A validated static WTA instance (arrays are copied and made read-only).

    Parameters
    ----------
    values : (m,) target values ``V_j >= 0``.
    pk : (n, m) single-shot kill probabilities ``p_ij`` in [0, 1].
    counts : (n,) non-negative integer number of weapons of each type ``c_i``.
    mask : optional (n, m) bool, False where type ``i`` may not engage target ``j``.
    cost : optional (n,) cost per shot ``k_i >= 0`` (same unit as the values).

    Raises :class:`iadsim.errors.InputError` naming the field on bad shapes or ranges.
    """

    values: np.ndarray
    pk: np.ndarray
    counts: np.ndarray
    mask: np.ndarray | None = None
    cost: np.ndarray | None = None

    def __post_init__(self):
        V = _as_float_array(self.values, "values", 1)
        p = _as_float_array(self.pk, "pk", 2)
        c = _as_float_array(self.counts, "counts", 1)
        m = V.shape[0]
        n = c.shape[0]
        if p.shape != (n, m):
            raise InputError(f"expected shape (len(counts), len(values)) = ({n}, {m}), got {p.shape}",
                             field="pk")
        if np.any(V < 0):
            raise InputError("target values must be >= 0", field="values")
        with np.errstate(over="ignore"):
            if not np.isfinite(V.sum()):
                raise InputError("the values add up beyond the floating-point range (1.8e308): rescale them",
                                 field="values")
        if np.any((p < 0) | (p > 1)):
            raise InputError("kill probabilities must lie in [0, 1]", field="pk")
        if np.any(c < 0) or np.any(c != np.round(c)):
            raise InputError("weapon counts must be non-negative integers", field="counts")
        ci = c.astype(np.int64)
        mask = None
        if self.mask is not None:
            try:
                mk = np.asarray(self.mask)
            except (ValueError, TypeError) as exc:
                raise InputError(f"expected a boolean matrix ({exc})", field="mask") from None
            if mk.shape != (n, m):
                raise InputError(f"expected shape ({n}, {m}), got {mk.shape}", field="mask")
            if mk.dtype != bool:
                if mk.dtype.kind not in "iuf" or not np.all((mk == 0) | (mk == 1)):
                    raise InputError("expected booleans", field="mask")
                mk = mk.astype(bool)
            mask = mk.copy()
        cost = None
        if self.cost is not None:
            k = _as_float_array(self.cost, "cost", 1)
            if k.shape != (n,):
                raise InputError(f"expected length {n} (one per weapon type), got {k.shape[0]}",
                                 field="cost")
            if np.any(k < 0):
                raise InputError("costs per shot must be >= 0", field="cost")
            with np.errstate(over="ignore"):
                if not np.isfinite(k @ c + V.sum()):
                    raise InputError("the costs of all shots and the values add up beyond the floating-point "
                                     "range (1.8e308): rescale them", field="cost")
            cost = k.copy()
        for name, arr in (("values", V.copy()), ("pk", p.copy()), ("counts", ci), ("mask", mask),
                          ("cost", cost)):
            if arr is not None:
                arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    @property
    def n(self) -> int:
        """Number of weapon types."""
        return self.counts.shape[0]

    @property
    def m(self) -> int:
        """Number of targets."""
        return self.values.shape[0]

    @property
    def k(self) -> np.ndarray:
        """Cost per shot (zeros when no cost was given), shape (n,)."""
        return self.cost if self.cost is not None else np.zeros(self.n)

    @property
    def allowed(self) -> np.ndarray:
        """(n, m) bool: pairs that may be used (mask and ``c_i > 0``)."""
        a = np.ones((self.n, self.m), bool) if self.mask is None else self.mask.copy()
        a &= (self.counts > 0)[:, None]
        return a

    def check_feasible(self, x: np.ndarray) -> None:
        """Raise ``ValueError`` unless ``x`` is a feasible (n, m) non-negative integer assignment."""
        x = np.asarray(x)
        if x.shape != (self.n, self.m):
            raise ValueError(f"x has shape {x.shape}, expected {(self.n, self.m)}")
        if np.any(x < 0) or np.any(x != np.round(x)):
            raise ValueError("x must hold non-negative integers")
        if np.any(x.sum(axis=1) > self.counts):
            raise ValueError("a weapon type is used more than its count")
        if self.mask is not None and np.any(x[~self.mask] != 0):
            raise ValueError("a masked pair is used")


def evaluate(problem: WTAProblem, x: np.ndarray) -> tuple[float, float]:
    """Return ``(surviving_value, cost)`` of assignment ``x``.

    ``surviving = sum_j V_j prod_i (1 - p_ij)^x_ij`` (computed with exact powers, so ``p = 1`` is
    handled exactly) and ``cost = sum_ij k_i x_ij``.
    """
    x = np.asarray(x)
    surv = float(np.dot(problem.values, survival(problem.pk, x)))
    cost = float(np.dot(problem.k, x.sum(axis=1)))
    return surv, cost


def survival(pk: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``prod_i (1 - p_ij)^x_ij`` per target, shape (m,), from the non-zero entries of ``x`` only (exact
    powers, multiplied in the order of ``i`` as a product over the whole column would: the same numbers,
    without the ``O(n m)`` powers at 5000 x 5000)."""
    ii, jj = np.nonzero(x)
    out = np.ones(pk.shape[1])
    np.multiply.at(out, jj, (1.0 - pk[ii, jj]) ** x[ii, jj])
    return out


@dataclass
class WTAResult:
    """Result of :func:`iadsim.assignment.solve_wta` (scipy.optimize style).

    Attributes
    ----------
    x : (n, m) int64 array of shots per (weapon type, target).
    objective : ``F(x)`` = expected surviving value + cost of shots.
    surviving_value, destroyed_value, cost : the parts of the objective
        (``destroyed = sum_j V_j - surviving``).
    bound : a proven lower bound on the optimal objective (``-inf`` if none).
    gap : ``(objective - bound) / max(|objective|, 1e-12)``.
    status : ``"optimal"`` (certified), ``"time_limit"`` (exact method stopped early, certified gap)
        or ``"heuristic"``.
    time : wall-clock seconds.
    method : the method name.
    info : method-specific counters (iterations, columns...).
    """

    x: np.ndarray
    objective: float
    surviving_value: float
    destroyed_value: float
    cost: float
    bound: float
    gap: float
    status: str
    time: float
    method: str
    info: dict = field(default_factory=dict)

    @classmethod
    def build(cls, problem: WTAProblem, x: np.ndarray, bound: float, status: str, time: float,
              method: str, info: dict | None = None) -> WTAResult:
        x = np.asarray(x, dtype=np.int64)
        surv, cost = evaluate(problem, x)
        obj = surv + cost
        bound = float(bound)
        if np.isfinite(bound):
            bound = min(bound, obj)  # round-off only: a valid bound never exceeds a feasible value
        gap = (obj - bound) / max(abs(obj), 1e-12) if np.isfinite(bound) else float("inf")
        return cls(x=x, objective=obj, surviving_value=surv,
                   destroyed_value=float(problem.values.sum()) - surv, cost=cost, bound=bound,
                   gap=float(gap), status=status, time=float(time), method=method, info=info or {})
