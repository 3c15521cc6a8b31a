"""``iadsim wta`` in process: round trip through --out, and one-line errors (exit 3) on bad files."""

from __future__ import annotations

import json

import numpy as np
import pytest

from iadsim.assignment import METHODS, WTAProblem, evaluate
from iadsim.assignment.io import assignment_from_json, load_instance, problem_to_dict
from iadsim.cli import main
from iadsim.errors import InputError

GOOD = {"values": [100, 50, 30], "pk": [[0.8, 0.6, 0.5], [0.5, 0.9, 0.4]], "counts": [2, 1],
        "cost": [5, 1], "mask": [[True, True, False], [True, True, True]]}


@pytest.mark.parametrize("method", METHODS)
def test_round_trip(tmp_path, capsys, method):
    inst = tmp_path / "inst.json"
    inst.write_text(json.dumps(GOOD, indent=1))
    out = tmp_path / "res.json"
    code = main(["wta", str(inst), "--method", method, "--time-limit", "10", "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "objective" in printed and "gap" in printed
    data = json.loads(out.read_text())
    prob = load_instance(inst)
    x = assignment_from_json(data, prob.n, prob.m)
    prob.check_feasible(x)
    surv, cost = evaluate(prob, x)
    assert data["objective"] == pytest.approx(surv + cost, rel=1e-12)
    assert data["bound"] <= data["objective"] + 1e-9
    assert data["method"] == method
    # by hand: 2 x type 0 on target 0 (100*0.04 + 10), type 1 on target 1 (50*0.1 + 1), 30 survives
    if method == "exact":
        assert data["status"] == "optimal"
        assert data["objective"] == pytest.approx(50.0)


def test_problem_to_dict_round_trip(tmp_path):
    prob = load_instance(_write(tmp_path, GOOD))
    again = WTAProblem(**problem_to_dict(prob))
    assert np.array_equal(again.pk, prob.pk) and np.array_equal(again.mask, prob.mask)


def _write(tmp_path, obj, text=None):
    p = tmp_path / "bad.json"
    p.write_text(text if text is not None else json.dumps(obj, indent=1))
    return p


BAD = [
    ("ragged", {**GOOD, "pk": [[0.8, 0.6, 0.5], [0.5, 0.9]]}, "pk"),
    ("p_range", {**GOOD, "pk": [[0.8, 0.6, 1.5], [0.5, 0.9, 0.4]]}, "pk"),
    ("negative_count", {**GOOD, "counts": [2, -1]}, "counts"),
    ("unknown_key", {**GOOD, "weapons": 3}, "weapons"),
    ("missing_key", {k: v for k, v in GOOD.items() if k != "counts"}, "counts"),
    ("string_value", {**GOOD, "values": [100, "a lot", 30]}, "values"),
    ("negative_value", {**GOOD, "values": [100, -50, 30]}, "values"),
    ("bad_cost", {**GOOD, "cost": [5]}, "cost"),
    ("bad_mask", {**GOOD, "mask": [[1, 0, 1], [1, 1, 1]]}, "mask"),
    ("wrong_shape", {**GOOD, "pk": [[0.8, 0.6], [0.5, 0.9]]}, "pk"),
]


@pytest.mark.parametrize("name,obj,field", BAD, ids=[b[0] for b in BAD])
def test_bad_instance_exits_3_naming_field(tmp_path, capsys, name, obj, field):
    path = _write(tmp_path, obj)
    code = main(["wta", str(path)])
    assert code == 3
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert str(path) in err and f"{field}:" in err
    with pytest.raises(InputError) as exc:
        load_instance(path)
    assert exc.value.field == field
    assert exc.value.line is not None or name == "missing_key"


def test_invalid_json_names_line(tmp_path, capsys):
    path = _write(tmp_path, None, text='{\n "values": [1, 2],\n "pk": [[0.5, 0.5]]\n "counts": [1]\n}\n')
    assert main(["wta", str(path)]) == 3
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"{path}:4:" in err and "not valid JSON" in err


def test_missing_file(tmp_path, capsys):
    path = tmp_path / "nope.json"
    assert main(["wta", str(path)]) == 3
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "file not found" in err


def test_line_of_field(tmp_path):
    path = _write(tmp_path, {**GOOD, "pk": [[0.8, 0.6, 0.5], [0.5, 0.9, 2.0]]})
    with pytest.raises(InputError) as exc:
        load_instance(path)
    lines = path.read_text().splitlines()
    assert '"pk"' in lines[exc.value.line - 1]


@pytest.mark.parametrize("args", [["--method", "simplex"], ["--time-limit", "-1"]])
def test_bad_options(tmp_path, capsys, args):
    path = _write(tmp_path, GOOD)
    assert main(["wta", str(path), *args]) == 3
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
