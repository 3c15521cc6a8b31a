"""The base of every scenario and catalog model: frozen, no unknown fields, finite numbers, no booleans
taken for numbers.

* ``extra="forbid"``: an unknown field is an error (a typo must not be silently ignored).
* ``allow_inf_nan=False``: NaN and infinities are refused in every float field, nested ones included
  (``.inf``, ``.nan``, ``"inf min"``): no model of the kill chain has a meaningful infinite input, and a
  NaN would pass every ``gt``/``le`` bound check unnoticed.
* booleans are not numbers: pydantic's lax mode reads ``true`` as 1 for an ``int`` or ``float`` field
  (``count: true`` would be one threat); here a ``true``/``false`` given to a field whose type does not
  admit ``bool`` (at any nesting level: lists, mappings) is refused. A model-level ``before`` validator
  swaps such a boolean for :data:`BOOL_GIVEN`, which fails the field's own validation at the field's
  location; the loader words that error (:func:`iadsim.scenario.load._message`).
"""

from __future__ import annotations

import typing
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator


def _admits_bool(annotation) -> bool:
    if annotation is bool or annotation is Any or annotation is object:
        return True
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return any(a is True or a is False for a in typing.get_args(annotation))
    return any(_admits_bool(a) for a in typing.get_args(annotation))


class _BoolGiven:
    """Stands for a true/false given where a number was expected (fails every number and text type)."""

    def __repr__(self) -> str:
        return "true/false"


BOOL_GIVEN = _BoolGiven()


def _swap_bools(value, annotation):
    """``value`` with the booleans that ``annotation`` does not admit replaced by :data:`BOOL_GIVEN`,
    following lists and mappings of plain types (a nested model checks its own fields)."""
    if _admits_bool(annotation):
        return value
    if isinstance(value, bool):
        return BOOL_GIVEN
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _swap_bools(value, typing.get_args(annotation)[0])
    args = typing.get_args(annotation)
    if origin is list and isinstance(value, list) and args:
        return [_swap_bools(v, args[0]) for v in value]
    if origin is dict and isinstance(value, dict) and len(args) == 2:
        return {k: _swap_bools(v, args[1]) for k, v in value.items()}
    return value


class StrictModel(BaseModel):
    """Frozen pydantic model with the input rules of the module docstring."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _no_bool_as_number(cls, data):
        if not isinstance(data, dict):
            return data
        out = None
        for name, value in data.items():
            f = cls.model_fields.get(name) if isinstance(name, str) else None
            if f is None:
                continue
            swapped = _swap_bools(value, f.annotation)
            if swapped is not value and swapped != value:
                out = out if out is not None else dict(data)
                out[name] = swapped
        return data if out is None else out
