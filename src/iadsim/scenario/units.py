"""Quantities with units in scenario files, converted once, at load, to SI floats.

Users write ``"150 km"``, ``"30 deg"``, ``"250 m/s"``, ``"0.1 m^2"``, ``"10 min"``. Each field declares the
physical dimension it expects through an ``Annotated`` pydantic type (:data:`Length`, :data:`Angle`,
:data:`Speed`, :data:`Duration`, :data:`Area`); parsing is done by pint, a well-kept unit library, and
the value is stored as a plain float in the SI base unit (m, rad, m/s, s, m^2, m/s^2, kg, N, Pa, kg/m^2, Hz,
W). A bare number is refused for dimensioned fields ("150" is ambiguous); a quantity of the wrong dimension
("150 s" for a length) is refused with the expected unit named; a non-finite value ("inf min", ".nan") is
refused.

Power ratios (antenna gains, sidelobe levels, clutter reflectivity, improvement factors) are written in
decibels, ``"30 dB"`` (:data:`Decibel`), and stored as the linear power ratio ``10^(x/10)``; a bare number is
refused there too (linear or dB would be a guess).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import tempfile
from functools import lru_cache
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

_STATE: dict = {}


def _ureg():
    """pint's unit registry, built on first use (importing pint and building the registry is a quarter of a
    second; with the quantity cache below, a scenario already read once does not need it)."""
    if "ureg" not in _STATE:
        import pint

        ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
        ureg.define("NM = nautical_mile")
        _STATE["ureg"] = ureg
    return _STATE["ureg"]


# -- the quantity cache ------------------------------------------------------------------------------------
# parse_quantity's successful results, kept on disk (iadsim._cache) as {"kind<TAB>text": value}. The values
# are pint's own results, written with repr and read back to the same float, so a cached parse returns the
# same bits as pint. The cache is keyed by this module's source and pint's version: any change to either
# starts a new cache. Failures are never cached (they always go through pint, for the message).
_CACHE_FILE = "quantities.json"
_CACHE_MAX = 20_000


def _cache_key() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        pint_version = version("pint")
    except PackageNotFoundError:  # pragma: no cover - pint is a declared dependency
        pint_version = "?"
    with open(__file__, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16] + "-pint" + pint_version


def _cache() -> dict:
    if "cache" not in _STATE:
        from iadsim._cache import cache_root

        _STATE["cache"], _STATE["new"], _STATE["key"] = {}, False, _cache_key()
        _STATE["path"] = cache_root() / _CACHE_FILE
        try:
            with open(_STATE["path"], encoding="utf-8") as f:
                data = json.load(f)
            if data.get("key") == _STATE["key"]:
                _STATE["cache"] = {k: float(v) for k, v in data["values"].items()}
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            pass  # no cache, or an unreadable one: parse with pint
    return _STATE["cache"]


def flush_quantity_cache() -> None:
    """Write the quantities parsed since the cache was read (atomically; a read-only or full disk is not an
    error: the next process parses them with pint again)."""
    if not _STATE.get("new"):
        return
    path = _STATE["path"]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".quantities-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"key": _STATE["key"], "values": _STATE["cache"]}, f)
        os.replace(tmp, path)
        _STATE["new"] = False
    except OSError:
        pass

_SI = {
    "length": ("m", "[length]"),
    "angle": ("rad", ""),
    "speed": ("m/s", "[length] / [time]"),
    "duration": ("s", "[time]"),
    "area": ("m**2", "[length] ** 2"),
    "acceleration": ("m/s**2", "[length] / [time] ** 2"),
    "mass": ("kg", "[mass]"),
    "force": ("N", "[mass] * [length] / [time] ** 2"),
    "pressure": ("Pa", "[mass] / [length] / [time] ** 2"),
    "ballistic coefficient": ("kg/m**2", "[mass] / [length] ** 2"),
    "frequency": ("Hz", "1 / [time]"),
    "power": ("W", "[mass] * [length] ** 2 / [time] ** 3"),
}
_EXAMPLES = {"length": "150 km", "angle": "30 deg", "speed": "250 m/s", "duration": "10 min",
             "area": "0.1 m^2", "acceleration": "9.81 m/s^2",
             "mass": "300 kg", "force": "50 kN", "pressure": "20 kPa", "ballistic coefficient": "5000 kg/m^2",
             "frequency": "3 GHz", "power": "500 W"}


#: a quantity is a number, then a unit expression (names, ``*``, ``/``, parentheses, small integer exponents):
#: pint evaluates arithmetic, so ``9**9**9 m`` would never finish; such text is refused before pint sees it
MAX_QUANTITY_TEXT = 100
_NUMBER_UNIT = re.compile(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*", re.S)
_UNIT_START = re.compile(r"[^\W\d]|\(|°")
_UNIT_EXPONENT = re.compile(r"(?<=[^\W\d]|\))\s*(?:\*\*|\^)\s*-?\d{1,2}(?!\d)")


@lru_cache(maxsize=4096)
def parse_quantity(text: str, kind: str) -> float:
    """Parse ``text`` as a quantity of ``kind`` and return its value in SI base units.

    Raises ``ValueError`` with a short message that names the expected unit. A text parsed before (in this
    process or, through the on-disk quantity cache, an earlier one) returns pint's earlier result.
    """
    cache, key = _cache(), kind + "\t" + text
    if key in cache:
        return cache[key]
    value = _parse_with_pint(text, kind)
    if len(cache) < _CACHE_MAX:
        cache[key] = value
        _STATE["new"] = True
    return value


def _parse_with_pint(text: str, kind: str) -> float:
    unit, _ = _SI[kind]
    if re.match(r"\s*[-+]?(inf|infinity|nan)\b", text, re.I):
        raise ValueError(f"{text!r} is not a finite {kind}")
    m = _NUMBER_UNIT.fullmatch(text) if len(text) <= MAX_QUANTITY_TEXT else None
    if m is None or (m.group(2) and not _UNIT_START.match(m.group(2))) \
            or re.search(r"\d|\*\*|\^", _UNIT_EXPONENT.sub("", m.group(2))):
        raise ValueError(f"cannot read {text!r} as a {kind} (e.g. {_EXAMPLES[kind]!r})")
    try:
        q = (_ureg().Quantity(float(m.group(1)), m.group(2).replace("^", "**")) if m.group(2)
             else float(m.group(1)))
    except Exception:
        raise ValueError(f"cannot read {text!r} as a {kind} (e.g. {_EXAMPLES[kind]!r})") from None
    if isinstance(q, (int, float)) or q.dimensionless and kind != "angle":
        raise ValueError(f"{text!r} has no unit; write a {kind} with its unit, e.g. {_EXAMPLES[kind]!r}")
    from pint import DimensionalityError

    try:
        value = float(q.to(unit).magnitude)
    except DimensionalityError:
        raise ValueError(f"{text!r} is not a {kind} (expected units of {unit}, e.g. "
                         f"{_EXAMPLES[kind]!r})") from None
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"cannot read {text!r} as a {kind} (e.g. {_EXAMPLES[kind]!r})") from None
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is not a finite {kind}")
    return value


def _validator(kind: str):
    def convert(value):
        if isinstance(value, bool):
            raise ValueError(f"expected a {kind} with its unit, e.g. {_EXAMPLES[kind]!r}")
        if isinstance(value, (int, float)):
            if not math.isfinite(value):
                raise ValueError(f"{value!r} is not a finite {kind}")
            if kind == "angle" or value == 0:
                # a bare number is allowed for angles (degrees) and for zero of any dimension
                return float(value) * (3.141592653589793 / 180.0 if kind == "angle" else 1.0)
            raise ValueError(f"{value!r} has no unit; write a {kind} with its unit, e.g. "
                             f"{_EXAMPLES[kind]!r}")
        if not isinstance(value, str):
            raise ValueError(f"expected a {kind} with its unit, e.g. {_EXAMPLES[kind]!r}")
        return parse_quantity(value.strip(), kind)

    return convert


def _quantity_type(kind: str):
    return Annotated[
        float,
        BeforeValidator(_validator(kind)),
        PlainSerializer(lambda v: f"{v!r} {_SI[kind][0]}", return_type=str, when_used="json"),
        WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "number"}],
                        "description": f"a {kind} with units, e.g. {_EXAMPLES[kind]!r}"
                        + (" (a bare number is degrees)" if kind == "angle" else "")}),
    ]


Length = _quantity_type("length")
Angle = _quantity_type("angle")
Speed = _quantity_type("speed")
Duration = _quantity_type("duration")
Area = _quantity_type("area")
Acceleration = _quantity_type("acceleration")
Mass = _quantity_type("mass")
Force = _quantity_type("force")
Pressure = _quantity_type("pressure")
BallisticCoefficient = _quantity_type("ballistic coefficient")


def _decibel(value):
    if isinstance(value, str):
        text = value.strip()
        if text.lower().endswith("db"):
            try:
                return 10.0 ** (float(text[:-2]) / 10.0)
            except ValueError:
                pass
        raise ValueError(f"cannot read {value!r} as a power ratio in decibels (e.g. '30 dB')")
    raise ValueError("expected a power ratio in decibels with its unit, e.g. '30 dB'")


def _db_text(v: float) -> str:
    import math

    return f"{10.0 * math.log10(v)!r} dB"


#: A power ratio written in decibels (``"-30 dB"``), stored as the linear ratio.
Decibel = Annotated[
    float,
    BeforeValidator(_decibel),
    PlainSerializer(_db_text, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "description": "a power ratio in decibels, e.g. '30 dB'"}),
]
Frequency = _quantity_type("frequency")
Power = _quantity_type("power")
