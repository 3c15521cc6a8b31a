"""The built-in catalog of generic equipment and threat types (``iadsim/catalog/*.yaml``).

Types are kept as the raw YAML mappings (quantities still as unit strings) so that a scenario's
field-by-field ``override`` is merged *before* validation: ``{max_range: 80 km}`` replaces one field and the
merged mapping is validated by the type's model, with errors reported at the override's location.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from pydantic import TypeAdapter, ValidationError

from iadsim.errors import InputError
from iadsim.scenario.catalog_models import InterceptorType, RadarType, ThreatType
from iadsim.scenario.yamlio import load_yaml_text

#: catalog section -> (file name, validating model or adapter)
SECTIONS = {
    "radar": ("radars.yaml", TypeAdapter(RadarType)),
    "interceptor": ("interceptors.yaml", TypeAdapter(InterceptorType)),
    "threat": ("threats.yaml", TypeAdapter(ThreatType)),
}


@cache
def raw_catalog(section: str) -> dict[str, dict[str, Any]]:
    """The raw mappings of one catalog section, by type name."""
    fname, _ = SECTIONS[section]
    text = resources.files("iadsim.catalog").joinpath(fname).read_text(encoding="utf-8")
    data, _ = load_yaml_text(text, file=f"iadsim/catalog/{fname}")
    return data


def catalog_names(section: str) -> list[str]:
    return sorted(raw_catalog(section))


def resolve(section: str, name: str, override: dict[str, Any] | None = None, *, where: tuple = ()):
    """Validate catalog type ``name`` of ``section`` with ``override`` merged in.

    Raises ``LookupError`` for an unknown name and ``ValidationError`` (locations relative to the type)
    for a bad override; :func:`iadsim.scenario.load.load_scenario` turns both into :class:`InputError`.
    """
    cat = raw_catalog(section)
    if name not in cat:
        raise LookupError(f"unknown {section} type {name!r}; the catalog has: {', '.join(sorted(cat))}")
    merged = dict(cat[name])
    merged.update(override or {})
    return SECTIONS[section][1].validate_python(merged)


def describe_catalog() -> dict[str, dict[str, dict[str, Any]]]:
    """Every catalog type, validated, in SI (for documentation and ``iadsim catalog``)."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for section in SECTIONS:
        out[section] = {}
        for name in catalog_names(section):
            try:
                out[section][name] = resolve(section, name).model_dump()
            except ValidationError as exc:  # a broken built-in catalog is a bug, say so plainly
                raise InputError(str(exc), file=f"catalog/{SECTIONS[section][0]}", field=name) from None
    return out
