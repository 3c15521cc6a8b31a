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

import math
import re
from functools import lru_cache
from typing import Annotated

import pint
from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

_UREG = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
_UREG.define("NM = nautical_mile")

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

    Raises ``ValueError`` with a short message that names the expected unit.
    """
    unit, _ = _SI[kind]
    if re.match(r"\s*[-+]?(inf|infinity|nan)\b", text, re.I):
        raise ValueError(f"{text!r} is not a finite {kind}")
    m = _NUMBER_UNIT.fullmatch(text) if len(text) <= MAX_QUANTITY_TEXT else None
    if m is None or (m.group(2) and not _UNIT_START.match(m.group(2))) \
            or re.search(r"\d|\*\*|\^", _UNIT_EXPONENT.sub("", m.group(2))):
        raise ValueError(f"cannot read {text!r} as a {kind} (e.g. {_EXAMPLES[kind]!r})")
    try:
        q = (_UREG.Quantity(float(m.group(1)), m.group(2).replace("^", "**")) if m.group(2)
             else float(m.group(1)))
    except Exception:
        raise ValueError(f"cannot read {text!r} as a {kind} (e.g. {_EXAMPLES[kind]!r})") from None
    if isinstance(q, (int, float)) or q.dimensionless and kind != "angle":
        raise ValueError(f"{text!r} has no unit; write a {kind} with its unit, e.g. {_EXAMPLES[kind]!r}")
    try:
        value = float(q.to(unit).magnitude)
    except pint.DimensionalityError:
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
