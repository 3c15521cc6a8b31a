"""Read YAML into plain Python data while remembering the line of every mapping key and list item.

Validation errors then name the line of the offending field: ``scenario.yaml:42: fire_units[1].magazine``.
PyYAML's composer gives every node a start mark; we walk the node tree once and build both the data and a
``{path: line}`` map, where ``path`` is the tuple of keys and list indices pydantic reports as ``loc``.

Hostile files are bounded (the file itself is read by :func:`iadsim.fileio.read_text`: size, UTF-8, no NUL):
nesting deeper than :data:`~iadsim.fileio.MAX_DEPTH` stops while composing (PyYAML's composer recurses
once per level), a document whose aliases expand to more than :data:`~iadsim.fileio.MAX_NODES` nodes stops
while it is being built (the alias bomb: nine anchors of nine aliases each are a few hundred bytes that
expand to 387 million nodes), and mapping keys must be plain scalars (a key that is an alias of a large
mapping would be another bomb).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from iadsim.errors import InputError
from iadsim.fileio import MAX_DEPTH, MAX_NODES, read_text

LineMap = dict[tuple, int]


if getattr(yaml, "__with_libyaml__", False):
    class _Base(yaml.composer.Composer, yaml.cyaml.CParser, yaml.constructor.SafeConstructor,
                yaml.resolver.Resolver):
        """libyaml's scanner and parser (C) under PyYAML's own composer, constructor and resolver: the
        events, marks and data of ``yaml.SafeLoader``, parsed about six times faster; the composer stays
        Python so :class:`_Loader` can bound it."""

        def __init__(self, stream):
            yaml.cyaml.CParser.__init__(self, stream)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
            yaml.composer.Composer.__init__(self)
else:  # pragma: no cover - PyYAML built without libyaml
    _Base = yaml.SafeLoader


class _Loader(_Base):
    """A safe loader whose composer counts nesting depth and aliases (module docstring)."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0
        self.aliases = 0
        self.built = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            return super().compose_node(parent, index)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise InputError(f"nested more than {MAX_DEPTH} levels deep",
                                 line=self.peek_event().start_mark.line + 1)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _build(node, path: tuple, lines: LineMap, loader: _Loader):
    loader.built += 1
    if loader.built > MAX_NODES:
        what = (f"its {loader.aliases} aliases expand to more than {MAX_NODES:,} values (an alias bomb?)"
                if loader.aliases else f"more than {MAX_NODES:,} values")
        raise InputError(f"document too large: {what}", line=node.start_mark.line + 1)
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise InputError("a mapping key must be a plain value, not a list or mapping",
                                 line=key_node.start_mark.line + 1)
            key = loader.construct_object(key_node, deep=True)
            if key in out:
                raise InputError(f"duplicate key {key!r}", line=key_node.start_mark.line + 1,
                                 field=_dotted(path + (key,)))
            lines[path + (key,)] = key_node.start_mark.line + 1
            out[key] = _build(value_node, path + (key,), lines, loader)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (i,), lines, loader) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def load_yaml(path: str | Path, kind: str = "scenario") -> tuple[object, LineMap]:
    """Load a YAML file; return ``(data, lines)``. Raises :class:`InputError` on a missing, oversized,
    binary or broken file (``kind`` picks the size limit: :data:`iadsim.fileio.MAX_BYTES`)."""
    return load_yaml_text(read_text(path, kind), file=str(path))


def load_yaml_text(text: str, file: str = "<string>") -> tuple[object, LineMap]:
    """Parse YAML text (see :func:`load_yaml`)."""
    loader = None
    try:
        loader = _Loader(text)  # the reader checks the characters here
        node = loader.get_single_node()
        lines: LineMap = {}
        data = {} if node is None else _build(node, (), lines, loader)
    except yaml.reader.ReaderError as exc:
        # the first character the reader refuses, found in the text itself (libyaml's position counts UTF-8
        # bytes, so counting lines up to it in the string would drift after any non-ASCII character)
        bad = yaml.reader.Reader.NON_PRINTABLE.search(text)
        if bad is not None:
            line, char = text.count("\n", 0, bad.start()) + 1, ord(bad.group()[0])
        else:
            line = None
            char = exc.character if isinstance(exc.character, int) else ord(exc.character or "?")
        raise InputError(f"broken YAML: character #x{char:04x} is not allowed in YAML", file=file,
                         line=line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        if "maximum nesting depth" in problem:  # libyaml's own limit (1000 levels) while scanning ahead
            raise InputError(f"nested more than {MAX_DEPTH} levels deep", file=file, line=line) from None
        if "cannot start any token" in problem and mark is not None:  # name the character, as PyYAML did
            rows = text.splitlines()
            row = rows[mark.line] if mark.line < len(rows) else ""
            if 0 <= mark.column < len(row):
                ch = row[mark.column]
                problem = f"found character {ch!r} that cannot start any token" + (
                    " (YAML indents with spaces, not tabs)" if ch == "\t" else "")
        raise InputError(f"broken YAML: {problem}", file=file, line=line) from None
    except yaml.YAMLError as exc:
        raise InputError(f"broken YAML: {exc}", file=file) from None
    except RecursionError:  # a backstop: the composer's depth limit stops nesting first
        raise InputError(f"nested more than {MAX_DEPTH} levels deep", file=file) from None
    except ValueError as exc:  # a constructor's own error, e.g. an integer of more than 4300 digits
        msg = "a number with more than 4300 digits" if "digits" in str(exc) else str(exc)
        raise InputError(f"broken YAML: {msg}", file=file) from None
    except InputError as exc:
        exc.file = file
        raise InputError(exc.message, file=file, line=exc.line, field=exc.field) from None
    finally:
        if loader is not None:
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
