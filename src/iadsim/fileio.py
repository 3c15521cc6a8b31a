"""The one guarded path for files iadsim reads from users, and for the JSON it writes.

Every user file (scenario, sensors and sweep YAML, WTA instance JSON, detections and truth CSV, run and
study directories read back) goes through these functions, which bound the work an input can cause and
turn every problem into one :class:`~iadsim.errors.InputError` line naming the file and, when known, the
line:

* :func:`read_text`: the path must be a regular file (not a directory, FIFO or device) no larger than the
  limit of its kind (:data:`MAX_BYTES`); the bytes must be UTF-8 (a leading byte-order mark is dropped)
  without NUL bytes (a binary file is named as such, with its line).
* :func:`parse_json` / :func:`load_json`: strict JSON (RFC 8259): no ``NaN`` / ``Infinity`` constants, no
  duplicate keys in an object, nesting at most :data:`MAX_DEPTH` levels, numbers within the float range.
* :func:`open_csv`: a size-checked CSV reader whose rows are ``(line, fields)``; undecodable bytes, NUL bytes
  and CSV syntax errors stop at their line.
* YAML goes through :func:`iadsim.scenario.yamlio.load_yaml`, which reads with :func:`read_text` and bounds
  nesting depth and alias expansion (the "billion laughs" alias bomb, cf. CVE-2003-1564 for the XML
  original) while composing.
* :func:`dumps_json` / :func:`write_json`: what iadsim writes is valid JSON: non-finite floats become
  ``null`` (``allow_nan=False`` checks that none is left), and files are written to a temporary name and
  renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

from iadsim.errors import InputError

MiB = 1 << 20
#: largest accepted file of each kind (bytes); beyond it, one line naming the limit
MAX_BYTES = {
    "scenario": 16 * MiB,   # a scenario of 16 MB is far past anything hand-written (the largest example: 6 kB)
    "sensors": 16 * MiB,
    "sweep": 16 * MiB,
    "instance": 256 * MiB,  # a dense 3000 x 3000 WTA instance is about 100 MB of JSON
    "detections": 1024 * MiB,
    "truth": 1024 * MiB,
    "json": 64 * MiB,       # run and study directory files read back
}
#: deepest nesting of lists / mappings in YAML and JSON inputs (the scenario language needs 6)
MAX_DEPTH = 64
#: most YAML nodes a document may build once its aliases are expanded (the largest example builds ~900)
MAX_NODES = 200_000


def _kind_label(kind: str) -> str:
    return {"instance": "a WTA instance", "json": "a JSON file"}.get(kind, f"a {kind} file")


def check_regular_file(path: str | Path, kind: str) -> int:
    """Raise :class:`InputError` unless ``path`` is a readable regular file within its size limit; return
    its size in bytes."""
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise InputError("file not found", file=str(p)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=str(p)) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"is a directory, expected {_kind_label(kind)}", file=str(p))
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"is not a regular file (a device, pipe or socket), expected {_kind_label(kind)}",
                         file=str(p))
    limit = MAX_BYTES.get(kind, MAX_BYTES["json"])
    if st.st_size > limit:
        raise InputError(f"file is {st.st_size / MiB:.1f} MiB, above the {limit // MiB} MiB limit for "
                         f"{_kind_label(kind)}", file=str(p))
    return st.st_size


def decode(data: bytes, file: str) -> str:
    """UTF-8 text of ``data`` (a leading BOM dropped); undecodable bytes and NUL bytes name their line."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    nul = data.find(b"\x00")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if 0 <= nul < exc.start:
            raise InputError("contains a NUL byte: a binary file, not text", file=file,
                             line=data.count(b"\n", 0, nul) + 1) from None
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(f"not UTF-8 text (byte 0x{data[exc.start]:02x}): a binary file or another encoding",
                         file=file, line=line) from None
    if nul >= 0:
        raise InputError("contains a NUL byte: a binary file, not text", file=file,
                         line=data.count(b"\n", 0, nul) + 1)
    return text


def read_text(path: str | Path, kind: str) -> str:
    """Read the user file ``path`` of ``kind`` (a key of :data:`MAX_BYTES`) as text (module docstring)."""
    p = Path(path)
    size = check_regular_file(p, kind)
    try:
        with open(p, "rb") as fh:
            data = fh.read(size + 1)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=str(p)) from None
    if len(data) > MAX_BYTES.get(kind, MAX_BYTES["json"]):
        raise InputError(f"file grew above the size limit for {_kind_label(kind)} while being read", file=str(p))
    return decode(data, str(p))


# --- JSON -----------------------------------------------------------------------------------------------

class _Duplicate(Exception):
    pass


def _pairs(pairs):
    out = {}
    for k, v in pairs:
        if k in out:
            raise _Duplicate(k)
        out[k] = v
    return out


def _no_constant(name):
    raise ValueError(f"non-standard JSON constant {name} (write a finite number)")


def _line_of_key(text: str, key: str, occurrence: int = 1) -> int | None:
    hits = list(re.finditer(r'"' + re.escape(key) + r'"\s*:', text))
    if len(hits) > occurrence:
        return text.count("\n", 0, hits[occurrence].start()) + 1
    return text.count("\n", 0, hits[0].start()) + 1 if hits else None


def _depth(obj) -> int:
    """Nesting depth of decoded JSON, iteratively (no recursion on hostile input)."""
    deepest, stack = 0, [(obj, 1)]
    while stack:
        o, d = stack.pop()
        if isinstance(o, (list, dict)):
            deepest = max(deepest, d)
            if d <= MAX_DEPTH:
                stack.extend((v, d + 1) for v in (o.values() if isinstance(o, dict) else o))
    return deepest


def parse_json(text: str, file: str) -> object:
    """Decode strict JSON (module docstring); errors are one :class:`InputError` line."""
    try:
        data = json.loads(text, object_pairs_hook=_pairs, parse_constant=_no_constant)
    except _Duplicate as exc:
        key = str(exc.args[0])
        raise InputError(f"duplicate key {key!r} in one object", file=file, line=_line_of_key(text, key)) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg} (column {exc.colno})", file=file, line=exc.lineno) from None
    except RecursionError:
        raise InputError(f"nested more than {MAX_DEPTH} levels deep", file=file) from None
    except ValueError as exc:  # constants refused above, integers of more than 4300 digits
        raise InputError(f"not valid JSON: {exc}", file=file) from None
    if _depth(data) > MAX_DEPTH:
        raise InputError(f"nested more than {MAX_DEPTH} levels deep", file=file)
    return data


def load_json(path: str | Path, kind: str = "json") -> object:
    """Read and decode the JSON user file ``path`` (:func:`read_text` + :func:`parse_json`)."""
    return parse_json(read_text(path, kind), str(path))


def finite_or_none(obj):
    """``obj`` with every non-finite float (NaN, +-inf) replaced by None, recursively (JSON ``null``)."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: finite_or_none(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [finite_or_none(v) for v in obj]
    if hasattr(obj, "item") and hasattr(obj, "dtype"):  # numpy scalars
        return finite_or_none(obj.item())
    return obj


def dumps_json(obj, **kwargs) -> str:
    """Valid JSON text of ``obj``: non-finite floats written as ``null`` (:func:`finite_or_none`)."""
    return json.dumps(finite_or_none(obj), allow_nan=False, **kwargs)


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to a temporary name beside ``path``, then rename it over ``path``."""
    p = Path(path)
    tmp = p.with_name(f".{p.name}.tmp{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, p)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_json(path: str | Path, obj, **kwargs) -> None:
    """Write ``obj`` as valid JSON (:func:`dumps_json`, a trailing newline) with :func:`write_text_atomic`."""
    write_text_atomic(path, dumps_json(obj, **kwargs) + "\n")


# --- CSV ------------------------------------------------------------------------------------------------

class CsvFile:
    """A guarded CSV reader: ``header`` (stripped column names) and :meth:`rows` -> ``(line, fields)``.

    The file is checked by :func:`check_regular_file`, read as bytes line by line and each line decoded as
    UTF-8 (a byte-order mark at the start is dropped), so a NUL byte, an undecodable byte or a CSV syntax
    error stops with the line it is on. Use as a context manager."""

    def __init__(self, path: str | Path, kind: str):
        self.path = str(path)
        check_regular_file(path, kind)
        try:
            self._fh = open(path, "rb")
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}", file=self.path) from None
        self._line = 0
        self._reader = csv.reader(self._lines())
        first = self._next()
        if first is None:
            self.close()
            raise InputError("empty file (expected a header line)", file=self.path, line=1)
        self.header = [c.strip() for c in first[1]]

    def _lines(self):
        for raw in self._fh:
            self._line += 1
            if self._line == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if b"\x00" in raw:
                raise InputError("contains a NUL byte: a binary file, not text", file=self.path, line=self._line)
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(f"not UTF-8 text (byte 0x{raw[exc.start]:02x}): a binary file or another "
                                 f"encoding", file=self.path, line=self._line) from None

    def _next(self):
        try:
            row = next(self._reader)
        except StopIteration:
            return None
        except csv.Error as exc:
            raise InputError(f"broken CSV: {exc}", file=self.path, line=self._line) from None
        return self._reader.line_num, row

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """``(line number, fields)`` of every data row after the header, blank lines included."""
        while (item := self._next()) is not None:
            yield item

    def close(self) -> None:
        self._fh.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
