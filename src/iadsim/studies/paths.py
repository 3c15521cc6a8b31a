"""Paths into a scenario's data: ``raids.Drones.count``, ``fire_units.Alpha-1.position.lat``.

A path is dot-separated segments read against the parsed scenario YAML (before validation). A segment into
a list of named entries (``assets``, ``sensors``, ``fire_units``, ``raids``) is an entry's name, or the
unique entry whose name starts with it (``Drones`` for "Drones from the west"), or its index; a name with
dots is written in brackets (``raids[Wave 1.5].count``). The other segments are mapping keys; the last may
be a field the file leaves at its default (the scenario model then checks that it exists). Setting a value
copies the data; the scenario is then validated and compiled like any file, so a wrong field, unit or value
fails as it would in a scenario, named by the path that set it.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from iadsim.errors import InputError

_SEGMENT = re.compile(r"\[([^\]]+)\]|([^.\[\]]+)")


@dataclass(frozen=True)
class ScenarioPath:
    """A parsed path: ``text`` as written and its ``segments``."""

    text: str
    segments: tuple[str, ...]

    def locate(self, data) -> tuple[tuple, object]:
        """``(loc, current)``: the location as keys and indices, and the value there (``None`` when the
        last key is absent). Raises :class:`InputError` naming the segment that does not resolve."""
        loc: list = []
        node = data
        for k, seg in enumerate(self.segments):
            last = k == len(self.segments) - 1
            if isinstance(node, list):
                i = _list_index(node, seg, self.text, ".".join(map(str, loc)) or "the scenario")
                loc.append(i)
                node = node[i]
            elif isinstance(node, dict):
                if seg not in node:
                    if last:
                        loc.append(seg)
                        return tuple(loc), None
                    keys = ", ".join(map(str, node)) or "none"
                    raise InputError(f"path {self.text!r}: no field {seg!r} at {'.'.join(map(str, loc)) or 'top'} "
                                     f"(fields there: {keys})")
                loc.append(seg)
                node = node[seg]
            else:
                raise InputError(f"path {self.text!r}: {'.'.join(map(str, loc))} is a value ({node!r}), not a "
                                 f"mapping or a list, so it has no {seg!r}")
        return tuple(loc), node

    def set(self, data, value):
        """A deep copy of ``data`` with ``value`` at this path."""
        loc, _ = self.locate(data)
        out = copy.deepcopy(data)
        node = out
        for key in loc[:-1]:
            node = node[key]
        node[loc[-1]] = value
        return out


def _list_index(items: list, seg: str, text: str, where: str) -> int:
    names = [it.get("name") if isinstance(it, dict) else None for it in items]
    if seg in names:
        return names.index(seg)
    starts = [i for i, n in enumerate(names) if isinstance(n, str) and n.startswith(seg)]
    if len(starts) == 1:
        return starts[0]
    if len(starts) > 1:
        raise InputError(f"path {text!r}: {seg!r} starts several names in {where} "
                         f"({', '.join(repr(names[i]) for i in starts)}); write more of the name")
    if re.fullmatch(r"\d+", seg) and int(seg) < len(items):
        return int(seg)
    shown = ", ".join(repr(n) for n in names if n is not None) or f"{len(items)} unnamed entries"
    raise InputError(f"path {text!r}: no entry {seg!r} in {where} (entries: {shown})")


def parse_path(text: str) -> ScenarioPath:
    """Parse ``text`` (module docstring); an empty or malformed path is one line."""
    text = text.strip()
    segs, pos = [], 0
    while pos < len(text):
        m = _SEGMENT.match(text, pos)
        if m is None:
            raise InputError(f"path {text!r}: cannot read it after {text[:pos]!r} (e.g. raids.Drones.count)")
        segs.append((m.group(1) or m.group(2)).strip())
        pos = m.end()
        if pos < len(text):
            if text[pos] == ".":
                pos += 1
                if pos == len(text):
                    raise InputError(f"path {text!r}: ends with a dot")
            elif text[pos] != "[":
                raise InputError(f"path {text!r}: cannot read it after {text[:pos]!r}")
    if not segs or any(not s for s in segs):
        raise InputError(f"path {text!r}: empty segment (e.g. raids.Drones.count)")
    return ScenarioPath(text=text, segments=tuple(segs))
