"""The on-disk cache of parsed quantities (``iadsim.scenario.units``): a second process reads the same
scenario to the same floats without importing pint; stale, broken or unwritable caches only cost a parse."""

import json
import os
import subprocess
import sys

import pytest

TEXTS = [("length", "150 km"), ("length", "12 NM"), ("angle", "30 deg"), ("speed", "250 m/s"),
         ("speed", "480 knot"), ("duration", "10 min"), ("area", "0.1 m^2"), ("acceleration", "9.81 m/s^2"),
         ("frequency", "3 GHz"), ("length", "1.5e3 ft"), ("pressure", "20 kPa")]
SCENARIO = "examples/scenarios/layered_defense.yaml"


def _child(cache_dir, code):
    env = dict(os.environ, IADSIM_CACHE_DIR=str(cache_dir))
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout.strip().splitlines()[-1])


PARSE = f"""
import json, sys
from iadsim.scenario import units
vals = [units.parse_quantity(t, k).hex() for k, t in {TEXTS!r}]
units.flush_quantity_cache()
print(json.dumps({{"vals": vals, "pint": "pint" in sys.modules}}))
"""

LOAD = f"""
import json, sys, dataclasses
import iadsim
c = iadsim.load_scenario({SCENARIO!r})
print(json.dumps({{"pint": "pint" in sys.modules, "repr": repr(dataclasses.replace(c, load_s=0.0))}}))
"""


def test_a_second_process_parses_the_same_bits_without_pint(tmp_path):
    first = _child(tmp_path, PARSE)
    assert first["pint"]
    second = _child(tmp_path, PARSE)
    assert not second["pint"], "the cache should answer every text"
    assert second["vals"] == first["vals"]
    # and pint's own values, in this process, with no cache involved
    import pint

    ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    ureg.define("NM = nautical_mile")
    si = {"length": "m", "angle": "rad", "speed": "m/s", "duration": "s", "area": "m**2",
          "acceleration": "m/s**2", "frequency": "Hz", "pressure": "Pa"}
    for (kind, text), h in zip(TEXTS, first["vals"], strict=True):
        num, unit = text.split(" ", 1)
        assert float.fromhex(h) == float(ureg.Quantity(float(num), unit.replace("^", "**")).to(si[kind]).magnitude)


def test_a_shipped_scenario_compiles_identically_from_the_cache(tmp_path):
    cold = _child(tmp_path, LOAD)
    warm = _child(tmp_path, LOAD)
    assert cold["pint"] and not warm["pint"]
    assert warm["repr"] == cold["repr"]


@pytest.mark.parametrize("content", ["not json",
                                     json.dumps({"key": "other-version", "values": {"length\t150 km": 1.0}}),
                                     json.dumps({"key": None, "values": 3}), json.dumps([1, 2])])
def test_a_stale_or_broken_cache_is_ignored(tmp_path, content):
    (tmp_path / "quantities.json").write_text(content)
    res = _child(tmp_path, PARSE)
    assert res["pint"]
    assert float.fromhex(res["vals"][0]) == 150_000.0
    # and it was replaced by a good one
    assert not _child(tmp_path, PARSE)["pint"]


def test_errors_are_not_cached_and_an_unwritable_cache_is_not_an_error(tmp_path):
    bad = """
import json
from iadsim.scenario import units
msgs = []
for t in ("150 s", "150 km"):
    try:
        units.parse_quantity(t, "length")
        msgs.append("ok")
    except ValueError as e:
        msgs.append(str(e))
units.flush_quantity_cache()
print(json.dumps(msgs))
"""
    first = _child(tmp_path, bad)
    assert first[0].startswith("'150 s' is not a length") and first[1] == "ok"
    assert _child(tmp_path, bad) == first
    ro = tmp_path / "ro"
    ro.mkdir()
    (ro / "sub").write_text("a file where the cache directory should be")
    res = _child(ro / "sub", PARSE)
    assert float.fromhex(res["vals"][0]) == 150_000.0
