"""Fuzzers (issue 11): mutations of the shipped examples - deleted, duplicated and retyped fields, random
unicode, non-finite numbers, deep nesting, anchors and aliases, binary bytes - fed to ``iadsim validate``,
``iadsim wta`` and ``iadsim track``. Each either accepts the file or exits 3 with one ``error:`` line; an
exception escaping the CLI (a traceback) fails the test; every example has a time bound (hypothesis
``deadline``) and the whole run a bound on the memory it adds (peak RSS)."""

import contextlib
import io
import json
import resource
import tempfile
from pathlib import Path

import yaml
from helpers import EXAMPLES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iadsim.cli import main

SCENARIOS = [p.read_text() for p in sorted((EXAMPLES / "scenarios").glob("*.yaml"))]
INSTANCE = json.loads((EXAMPLES / "wta" / "instance.json").read_text())
DETECTIONS = (EXAMPLES / "track" / "detections.csv").read_text().splitlines()
SENSORS = EXAMPLES / "track" / "sensors.yaml"
FUZZ = settings(max_examples=60, deadline=5000, suppress_health_check=[HealthCheck.too_slow],
                derandomize=True)

NASTY = st.sampled_from([float("inf"), float("-inf"), float("nan"), 1e308, -1e308, 5e-324, 0, -1, 2**70,
                         True, False, None, "", "inf min", "nan km", "1e999 s", "9**9**9 m", "\x00", "\ufeff",
                         "10 parsecs", "NaN", [], {}, [[[]]], {"a": {"b": {}}}])
VALUES = st.one_of(NASTY, st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
                   st.booleans())


def _paths(obj, prefix=()):
    """Every (path, value) of a nested YAML/JSON document."""
    yield prefix, obj
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _paths(v, prefix + (i,))


def _parent(doc, path):
    for p in path[:-1]:
        doc = doc[p]
    return doc


@st.composite
def mutated_document(draw, doc):
    """``doc`` after 1-3 structural mutations: delete, duplicate or retype a field, or nest it deeply."""
    import copy

    doc = copy.deepcopy(doc)
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p, _ in _paths(doc) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = _parent(doc, path), path[-1]
        op = draw(st.sampled_from(["delete", "duplicate", "retype", "nest", "rename"]))
        if op == "delete":
            del parent[key]
        elif op == "duplicate" and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))
        elif op == "retype":
            parent[key] = draw(VALUES)
        elif op == "nest":
            v = parent[key]
            for _ in range(draw(st.sampled_from([2, 70, 300]))):
                v = [v]
            parent[key] = v
        elif op == "rename" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=8))] = parent.pop(key)
    return doc


@st.composite
def mutated_text(draw, text):
    """``text`` with a text-level mutation: random unicode, a duplicated line, an anchor/alias bomb, bytes."""
    op = draw(st.sampled_from(["none", "unicode", "dup_line", "anchor", "truncate"]))
    lines = text.splitlines()
    if op == "unicode":
        k = draw(st.integers(0, len(text)))
        text = text[:k] + draw(st.text(min_size=1, max_size=6)) + text[k:]
    elif op == "dup_line" and lines:
        k = draw(st.integers(0, len(lines) - 1))
        text = "\n".join(lines[: k + 1] + [lines[k]] + lines[k + 1:]) + "\n"
    elif op == "anchor":
        bomb = "x0: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\n" + "".join(
            f"x{i}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 9) + "]\n" for i in range(1, 8))
        text = bomb + text
    elif op == "truncate":
        text = text[: draw(st.integers(0, len(text)))]
    return text


def _run(argv) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, err.getvalue()


def _check(code: int, err: str) -> None:
    assert code in (0, 3), (code, err)
    if code == 3:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), err


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


_RSS0 = []


def setup_module(module):
    _run(["validate", EXAMPLES / "scenarios" / "quickstart.yaml"])  # warm imports before the deadlines count
    _RSS0.append(_rss_mb())


def teardown_module(module):
    grown = _rss_mb() - _RSS0[0]
    assert grown < 600, f"peak RSS grew by {grown:.0f} MB while fuzzing"


@FUZZ
@given(data=st.data())
def test_validate_accepts_or_gives_one_line(data):
    base = data.draw(st.sampled_from(SCENARIOS))
    doc = data.draw(mutated_document(yaml.safe_load(base)))
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    text = data.draw(mutated_text(text))
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "s.yaml"
        f.write_text(text, encoding="utf-8", errors="surrogatepass")
        _check(*_run(["validate", f]))


@FUZZ
@given(data=st.data())
def test_wta_reader_accepts_or_gives_one_line(data):
    doc = data.draw(mutated_document(INSTANCE))
    text = json.dumps(doc, allow_nan=True)
    text = data.draw(mutated_text(text))
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "i.json"
        f.write_text(text, encoding="utf-8", errors="surrogatepass")
        _check(*_run(["wta", f, "--method", "greedy", "--time-limit", "2", "--out", Path(d) / "r.json"]))
        if (Path(d) / "r.json").exists():
            json.loads((Path(d) / "r.json").read_text(), parse_constant=lambda c: 1 / 0)


@FUZZ
@given(data=st.data())
def test_detection_reader_accepts_or_gives_one_line(data):
    lines = list(DETECTIONS)
    for _ in range(data.draw(st.integers(1, 3))):
        k = data.draw(st.integers(0, len(lines) - 1))
        fields = lines[k].split(",")
        op = data.draw(st.sampled_from(["field", "drop", "extra", "unicode", "delete_line"]))
        if op == "field":
            fields[data.draw(st.integers(0, len(fields) - 1))] = str(data.draw(VALUES))
        elif op == "drop" and len(fields) > 1:
            fields.pop(data.draw(st.integers(0, len(fields) - 1)))
        elif op == "extra":
            fields.append(data.draw(st.text(max_size=5)))
        elif op == "unicode":
            fields[0] = data.draw(st.text(max_size=5)) + fields[0]
        lines[k] = ",".join(fields)
        if op == "delete_line" and len(lines) > 1:
            del lines[k]
    raw = ("\n".join(lines) + "\n").encode("utf-8", errors="surrogatepass")
    if data.draw(st.booleans()):
        k = data.draw(st.integers(0, len(raw)))
        raw = raw[:k] + data.draw(st.binary(min_size=1, max_size=8)) + raw[k:]
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "det.csv"
        f.write_bytes(raw)
        _check(*_run(["track", f, "--sensors", SENSORS, "--out", Path(d) / "t.csv"]))
