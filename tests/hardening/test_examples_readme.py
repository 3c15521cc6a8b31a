"""The README's claims about the shipped sample inputs, checked by running them (issue 11)."""

import json

import pytest
from helpers import EXAMPLES, ROOT, cli

README = (ROOT / "README.md").read_text()


def test_track_sample_gives_what_the_readme_prints(tmp_path, capsys):
    d = EXAMPLES / "track"
    code, out, err = cli(["track", d / "detections.csv", "--sensors", d / "sensors.yaml", "--truth", d / "truth.csv",
                          "--out", tmp_path / "tracks.csv"], capsys)
    assert code == 0, err
    text = " ".join(out.split())  # Rich may wrap the long output path
    for claim in ("60 scans, 3 confirmed tracks, 172 rows", "mean GOSPA (3-D, c=1000 m, p=2, alpha=2): 136.39 m"):
        assert claim in text and claim in README, claim


def test_wta_sample_gives_what_the_readme_says(tmp_path, capsys):
    code, out, err = cli(["wta", EXAMPLES / "wta" / "instance.json", "--out", tmp_path / "r.json"], capsys)
    assert code == 0, err
    res = json.loads((tmp_path / "r.json").read_text())
    assert res["status"] == "optimal"
    assert f"objective {res['objective']:.9g}" in README
    assert res["bound"] == pytest.approx(res["objective"], rel=1e-9)


def test_readme_points_only_inside_the_repository():
    import re

    for target in re.findall(r"\]\(([^)]+)\)", README):
        if not target.startswith("http"):
            assert (ROOT / target).exists(), target
    assert "/work/" not in README
