"""JSON instance and result files for the static WTA.

Instance: ``{"values": [m numbers], "pk": [[m numbers] x n], "counts": [n integers],
"cost": [n numbers] (optional), "mask": [[m booleans] x n] (optional)}``.

Result (:func:`result_to_json`): the objective parts, bound, gap, status, time, method and the
assignment as ``[{"weapon_type": i, "target": j, "count": k}, ...]`` (non-zero entries only), so
the objective can be recomputed from the file and the instance alone.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np

from iadsim.assignment.problem import WTAProblem, WTAResult
from iadsim.errors import InputError
from iadsim.fileio import parse_json, read_text

REQUIRED = ("values", "pk", "counts")
OPTIONAL = ("cost", "mask")


def _line_of(text: str, key: str) -> int | None:
    m = re.search(r'"' + re.escape(key) + r'"\s*:', text)
    return text.count("\n", 0, m.start()) + 1 if m else None


def _check_numbers(obj, key: str, depth: int, kind: str = "number"):
    """Reject non-numeric entries (JSON booleans, strings, null) before numpy coerces them."""
    if depth == 0:
        if kind == "bool":
            if not isinstance(obj, bool):
                raise InputError(f"expected true/false, got {obj!r}", field=key)
        elif isinstance(obj, bool) or not isinstance(obj, (int, float)):
            raise InputError(f"expected a number, got {obj!r}", field=key)
        return
    if not isinstance(obj, list):
        raise InputError(f"expected a {'list' if depth == 1 else 'list of lists'}, got {obj!r}",
                         field=key)
    lengths = set()
    for item in obj:
        _check_numbers(item, key, depth - 1, kind)
        if depth == 2:
            lengths.add(len(item))
    if len(lengths) > 1:
        raise InputError(f"ragged matrix: rows have lengths {sorted(lengths)}", field=key)


def problem_from_dict(data, file: str | None = None, text: str = "") -> WTAProblem:
    """Validate a decoded JSON object and build a :class:`WTAProblem` (errors name the field)."""
    if not isinstance(data, dict):
        raise InputError("expected a JSON object with keys values, pk, counts", file=file, line=1)
    unknown = sorted(set(data) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise InputError(f"unknown key (expected one of {', '.join(REQUIRED + OPTIONAL)})",
                         file=file, line=_line_of(text, unknown[0]), field=unknown[0])
    for key in REQUIRED:
        if key not in data:
            raise InputError("missing required key", file=file, field=key)
    shapes = {"values": 1, "pk": 2, "counts": 1, "cost": 1, "mask": 2}
    try:
        for key, depth in shapes.items():
            if key in data:
                _check_numbers(data[key], key, depth, "bool" if key == "mask" else "number")
        return WTAProblem(values=data["values"], pk=data["pk"], counts=data["counts"],
                          mask=data.get("mask"), cost=data.get("cost"))
    except InputError as exc:
        raise InputError(exc.message, file=file, line=_line_of(text, exc.field or ""),
                         field=exc.field) from None


def load_instance(path: str | Path) -> WTAProblem:
    """Read and validate a JSON WTA instance; raises :class:`InputError` naming file, line, field.

    The file goes through the guarded reader (:func:`iadsim.fileio.load_json`: size limit, UTF-8, strict
    JSON without NaN/Infinity or duplicate keys, bounded nesting)."""
    path = Path(path)
    text = read_text(path, "instance")
    data = parse_json(text, str(path))
    return problem_from_dict(data, file=str(path), text=text)


def problem_to_dict(problem: WTAProblem) -> dict:
    """The JSON instance form of a problem."""
    d = {"values": problem.values.tolist(), "pk": problem.pk.tolist(),
         "counts": problem.counts.tolist()}
    if problem.cost is not None:
        d["cost"] = problem.cost.tolist()
    if problem.mask is not None:
        d["mask"] = problem.mask.tolist()
    return d


def result_to_json(result: WTAResult) -> dict:
    """Numbers and the non-zero assignment of a result, JSON-serialisable and valid JSON: a number that is
    not finite (no bound: ``bound = -inf``, ``gap = inf``) is written as ``null``, and ``bound_status`` says
    whether a proven bound exists."""
    def num(v: float):
        return float(v) if math.isfinite(v) else None

    ii, jj = np.nonzero(result.x)
    return {
        "method": result.method, "status": result.status,
        "bound_status": "proven" if math.isfinite(result.bound) else "none",
        "objective": num(result.objective), "bound": num(result.bound), "gap": num(result.gap),
        "surviving_value": num(result.surviving_value), "destroyed_value": num(result.destroyed_value),
        "cost": num(result.cost), "time": num(result.time),
        "assignment": [{"weapon_type": int(i), "target": int(j), "count": int(result.x[i, j])}
                       for i, j in zip(ii, jj, strict=True)],
    }


def assignment_from_json(data: dict, n: int, m: int) -> np.ndarray:
    """Rebuild the (n, m) shot matrix from :func:`result_to_json` output."""
    x = np.zeros((n, m), np.int64)
    for e in data["assignment"]:
        x[e["weapon_type"], e["target"]] += e["count"]
    return x
