"""Read YAML into plain Python data while remembering the line of every mapping key and list item.

Validation errors then name the line of the offending field: ``scenario.yaml:42: fire_units[1].magazine``.
PyYAML's composer gives every node a start mark; we walk the node tree once and build both the data and a
``{path: line}`` map, where ``path`` is the tuple of keys and list indices pydantic reports as ``loc``.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from iadsim.errors import InputError

LineMap = dict[tuple, int]


class _Loader(yaml.SafeLoader):
    pass


def _build(node, path: tuple, lines: LineMap, loader: yaml.SafeLoader):
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if isinstance(key, list):
                raise InputError("a mapping key cannot be a list", line=key_node.start_mark.line + 1)
            if key in out:
                raise InputError(f"duplicate key {key!r}", line=key_node.start_mark.line + 1,
                                 field=_dotted(path + (key,)))
            lines[path + (key,)] = key_node.start_mark.line + 1
            out[key] = _build(value_node, path + (key,), lines, loader)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (i,), lines, loader) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def load_yaml(path: str | Path) -> tuple[object, LineMap]:
    """Load a YAML file; return ``(data, lines)``. Raises :class:`InputError` on a missing or broken file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", file=str(path)) from None
    except IsADirectoryError:
        raise InputError("is a directory, expected a YAML file", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", file=str(path)) from None
    return load_yaml_text(text, file=str(path))


def load_yaml_text(text: str, file: str = "<string>") -> tuple[object, LineMap]:
    """Parse YAML text (see :func:`load_yaml`)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        lines: LineMap = {}
        data = {} if node is None else _build(node, (), lines, loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(f"broken YAML: {problem}", file=file, line=line) from None
    except yaml.YAMLError as exc:
        raise InputError(f"broken YAML: {exc}", file=file) from None
    except InputError as exc:
        exc.file = file
        raise InputError(exc.message, file=file, line=exc.line, field=exc.field) from None
    finally:
        loader.dispose()
    return data, lines


def line_of(lines: LineMap, loc: tuple) -> int | None:
    """The line of the deepest known prefix of ``loc`` (pydantic error locations may go deeper)."""
    loc = tuple(loc)
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return lines.get(())


def _dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


dotted = _dotted
