"""Hostile files (issue 11): each case the issue saw, reproduced, and now one line with exit code 3 within
bounded memory and time. Before the guarded reader (``iadsim.fileio``) these gave a 7 GB alias expansion, a
``RecursionError``, a ``yaml.reader.ReaderError`` or a ``UnicodeDecodeError`` traceback."""

import json

import pytest
from helpers import EXAMPLES, QUICK, assert_one_line_exit_3, bounded_cli, cli

from iadsim.errors import InputError, one_line
from iadsim.fileio import MAX_DEPTH, MAX_NODES, parse_json


def _bomb(levels: int = 9, width: int = 9, top: str = "lol") -> str:
    """The YAML "billion laughs": ``levels`` anchors, each a list of ``width`` aliases of the previous one
    (9 x 9: a few hundred bytes that expand to 9^9 = 387 million strings)."""
    names = "abcdefghijklmnop"
    text = f"{top}_a: &a [" + ", ".join(['"lol"'] * width) + "]\n"
    for k in range(1, levels):
        text += f"{top}_{names[k]}: &{names[k]} [" + ", ".join([f"*{names[k - 1]}"] * width) + "]\n"
    return text


def test_alias_bomb_is_refused_in_bounded_memory_and_time(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(_bomb())
    assert len(bomb.read_bytes()) < 600
    p = bounded_cli(["validate", bomb], mem_mb=1500, timeout=60)
    assert_one_line_exit_3(p.returncode, p.stderr, "bomb.yaml:", "alias bomb", f"{MAX_NODES:,}")


def test_alias_bomb_inside_a_valid_scenario(tmp_path):
    # the bomb as the value of a real field (description takes any text): it must stop while building
    text = QUICK.replace("name: Quickstart", _bomb(top="x") + "description: *i\nname: Quickstart", 1)
    f = tmp_path / "s.yaml"
    f.write_text(text)
    p = bounded_cli(["validate", f], mem_mb=1500, timeout=60)
    assert_one_line_exit_3(p.returncode, p.stderr, "s.yaml:", "aliases expand")


def test_alias_as_mapping_key_is_refused(tmp_path, capsys):
    f = tmp_path / "k.yaml"
    f.write_text("a: &a [1, 2]\n? *a\n: 1\n")
    code, _, err = cli(["validate", f], capsys)
    assert_one_line_exit_3(code, err, "mapping key must be a plain value")


@pytest.mark.parametrize("text", ["a: " + "[" * 5000 + "]" * 5000 + "\n",
                                  "".join("  " * i + f"k{i}:\n" for i in range(2000)) + "  " * 2000 + "v\n",
                                  "a: " + "{b: " * 3000 + "1" + "}" * 3000 + "\n"],
                         ids=["list", "block-mapping", "flow-mapping"])
def test_deep_nesting_is_refused(tmp_path, capsys, text):
    f = tmp_path / "deep.yaml"
    f.write_text(text)
    code, _, err = cli(["validate", f], capsys)
    assert_one_line_exit_3(code, err, "deep.yaml:", f"nested more than {MAX_DEPTH} levels deep")


def test_nul_byte_names_its_line(tmp_path, capsys):
    f = tmp_path / "nul.yaml"
    text = QUICK.replace("value: 100", "value: 1\x0000", 1)
    f.write_text(text)
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "\x00" in ln)
    code, _, err = cli(["validate", f], capsys)
    assert_one_line_exit_3(code, err, f"nul.yaml:{line}:", "NUL byte")


def test_control_character_is_a_yaml_error_on_one_line(tmp_path, capsys):
    f = tmp_path / "bell.yaml"
    f.write_text(QUICK.replace("value: 100", "value: 1\x0700", 1))
    code, _, err = cli(["validate", f], capsys)
    assert_one_line_exit_3(code, err, "bell.yaml:", "#x0007")


def test_not_utf8_and_oversized_and_not_a_file(tmp_path, capsys):
    f = tmp_path / "latin1.yaml"
    f.write_bytes(QUICK.replace("Port Aurel", "Port Aur\xe9l").encode("latin-1"))
    code, _, err = cli(["validate", f], capsys)
    assert_one_line_exit_3(code, err, "latin1.yaml:", "not UTF-8 text (byte 0xe9)")
    big = tmp_path / "big.yaml"
    with open(big, "wb") as fh:
        fh.truncate(17 * 2**20)  # sparse: 17 MiB of zeros, above the 16 MiB scenario limit
    code, _, err = cli(["validate", big], capsys)
    assert_one_line_exit_3(code, err, "big.yaml:", "above the 16 MiB limit")
    code, _, err = cli(["validate", "/dev/zero"], capsys)
    assert_one_line_exit_3(code, err, "/dev/zero:", "not a regular file")


def test_huge_integer_in_yaml(tmp_path, capsys):
    f = tmp_path / "int.yaml"
    f.write_text(QUICK.replace("count: 2", "count: " + "9" * 5000, 1))
    code, _, err = cli(["validate", f], capsys)
    assert_one_line_exit_3(code, err, "int.yaml:", "more than 4300 digits")


def test_pint_arithmetic_is_not_evaluated(tmp_path, capsys):
    # pint evaluates arithmetic: "9**9**9 km" never finished before the quantity text was checked
    f = tmp_path / "pow.yaml"
    f.write_text(QUICK.replace("duration: 20 min", "duration: 9**9**9 min", 1))
    code, _, err = cli(["validate", f], capsys)
    assert_one_line_exit_3(code, err, "pow.yaml:", "duration", "cannot read '9**9**9 min'")


def _track_case(tmp_path):
    sensors = EXAMPLES / "track" / "sensors.yaml"
    det = tmp_path / "det.csv"
    det.write_text((EXAMPLES / "track" / "detections.csv").read_text())
    return det, sensors


def test_binary_detections_csv(tmp_path, capsys):
    det, sensors = _track_case(tmp_path)
    det.write_bytes(b"time,sensor,range,azimuth,elevation,range_rate\n0,SR-1,1,2,0.1,\n\xff\xfe\x01\x9c garbage\n")
    code, _, err = cli(["track", det, "--sensors", sensors, "--out", tmp_path / "o.csv"], capsys)
    assert_one_line_exit_3(code, err, "det.csv:3:", "not UTF-8 text (byte 0xff): a binary file")
    det.write_bytes(b"time,sensor,range,azimuth,elevation,range_rate\n0,SR-1,1,2,0.1,\n0,SR-1\x00\n")
    code, _, err = cli(["track", det, "--sensors", sensors, "--out", tmp_path / "o.csv"], capsys)
    assert_one_line_exit_3(code, err, "det.csv:3:", "NUL byte")


def test_detections_with_a_byte_order_mark_are_read(tmp_path, capsys):
    det, sensors = _track_case(tmp_path)
    det.write_bytes(b"\xef\xbb\xbf" + det.read_bytes())
    code, out, err = cli(["track", det, "--sensors", sensors, "--out", tmp_path / "o.csv"], capsys)
    assert code == 0, err
    assert "3 confirmed tracks" in out


def test_rows_with_extra_or_missing_fields_are_refused_alike(tmp_path, capsys):
    det, sensors = _track_case(tmp_path)
    lines = det.read_text().splitlines()
    for k, mangled in ((4, lines[3] + ",99"), (6, lines[5].rsplit(",", 1)[0])):
        bad = lines.copy()
        bad[k - 1] = mangled
        det.write_text("\n".join(bad) + "\n")
        code, _, err = cli(["track", det, "--sensors", sensors, "--out", tmp_path / "o.csv"], capsys)
        assert_one_line_exit_3(code, err, f"det.csv:{k}:", "expected 6 fields (as in the header)")


def test_header_only_detections(tmp_path, capsys):
    det, sensors = _track_case(tmp_path)
    det.write_text(det.read_text().splitlines()[0] + "\n")
    code, out, err = cli(["track", det, "--sensors", sensors, "--truth", EXAMPLES / "track" / "truth.csv",
                          "--out", tmp_path / "o.csv"], capsys)
    assert_one_line_exit_3(code, err, "det.csv:2:", "no detection rows")
    assert "nan" not in out + err


def test_sensors_yaml_errors_name_their_line(tmp_path, capsys):
    det, sensors = _track_case(tmp_path)
    text = sensors.read_text()
    bad = tmp_path / "sensors.yaml"
    bad.write_text(text.replace("range_rate: 1.0}", "range_rate: -1.0}"))
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "range_rate: 1.0}" in ln)
    code, _, err = cli(["track", det, "--sensors", bad, "--out", tmp_path / "o.csv"], capsys)
    assert_one_line_exit_3(code, err, f"sensors.yaml:{line}: sensors[1].sigma: sigmas must be > 0")
    bad.write_text(text.replace("scan_period: 2.0\n    max_range", "scan_period: .inf\n    max_range"))
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "scan_period" in ln)
    code, _, err = cli(["track", det, "--sensors", bad, "--out", tmp_path / "o.csv"], capsys)
    assert_one_line_exit_3(code, err, f"sensors.yaml:{line}: sensors[0].scan_period: expected a finite number")


def test_deep_json_duplicate_key_and_constants(tmp_path, capsys):
    f = tmp_path / "i.json"
    f.write_text("[" * 100_000 + "]" * 100_000)
    code, _, err = cli(["wta", f], capsys)
    assert_one_line_exit_3(code, err, "i.json:", "nested more than 64 levels deep")
    f.write_text('{"values": [1],\n "values": [2],\n "pk": [[0.5]], "counts": [1]}')
    code, _, err = cli(["wta", f], capsys)
    assert_one_line_exit_3(code, err, "i.json:2:", "duplicate key 'values'")
    f.write_text('{"values": [NaN], "pk": [[0.5]], "counts": [1]}')
    code, _, err = cli(["wta", f], capsys)
    assert_one_line_exit_3(code, err, "i.json:", "non-standard JSON constant NaN")
    f.write_text('{"values": [1e400], "pk": [[0.5]], "counts": [1]}')
    code, _, err = cli(["wta", f], capsys)
    assert_one_line_exit_3(code, err, "i.json:1: values:", "infinite")


def test_values_of_1e308_give_valid_json_or_one_line(tmp_path, capsys):
    f = tmp_path / "i.json"
    f.write_text(json.dumps({"values": [1e308, 1e308], "pk": [[0.5, 0.5]], "counts": [1]}))
    code, _, err = cli(["wta", f, "--out", tmp_path / "r.json"], capsys)
    assert_one_line_exit_3(code, err, "values: the values add up beyond the floating-point range")
    assert not (tmp_path / "r.json").exists()
    # the largest values that do add up: the result file is strict JSON (no Infinity anywhere)
    f.write_text(json.dumps({"values": [8e307, 8e307], "pk": [[0.5, 0.5]], "counts": [1]}))
    code, _, err = cli(["wta", f, "--method", "greedy", "--out", tmp_path / "r.json"], capsys)
    assert code == 0, err
    res = parse_json((tmp_path / "r.json").read_text(), "r.json")
    assert res["objective"] == pytest.approx(1.2e308)


def test_one_line_escapes_what_it_quotes():
    e = InputError("unknown key '\ufefftime'\nsecond line", file="f.csv", line=1)
    assert str(e) == "f.csv:1: unknown key '\\ufefftime' second line"
    assert one_line("x" * 5000).endswith("...") and len(one_line("x" * 5000)) == 600


def test_a_bad_character_after_non_ascii_text_names_its_own_line(tmp_path, capsys):
    """The line of a refused character is counted in characters: multibyte text before it (here a name and a
    comment in other scripts) does not move the line the error names."""
    lines = QUICK.splitlines(keepends=True)
    lines.insert(2, "# Velmora: Вельмора, ヴェルモラ, فيلمورا\n")
    text = "".join(lines).replace("value: 100", "value: 1\x0700", 1)
    f = tmp_path / "bell.yaml"
    f.write_text(text, encoding="utf-8")
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "\x07" in ln)
    code, _, err = cli(["validate", f], capsys)
    assert_one_line_exit_3(code, err, f"bell.yaml:{line}:", "#x0007")


def test_a_tab_indent_is_named(tmp_path, capsys):
    f = tmp_path / "tab.yaml"
    f.write_text("name: t\nraids:\n\t- threat: srbm\n")
    code, _, err = cli(["validate", f], capsys)
    assert_one_line_exit_3(code, err, "tab.yaml:3:", "found character '\\t' that cannot start any token")
