"""The committed front-end build matches its sources and its lockfile (so `pip install .` ships the page that
frontend/ describes, with the pinned libraries whose licences LICENSES.md lists)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from iadsim.replay.serve import static_dir

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"


def test_build_is_from_the_current_sources():
    info = json.loads((static_dir() / "build-info.json").read_text())
    h = hashlib.sha256()
    for f in info["sources"]:
        h.update(f"{f}\n".encode())
        h.update((FRONTEND / f).read_bytes())
    assert sorted(info["sources"]) == sorted(
        ["build.mjs", "index.html", "package.json", "package-lock.json"]
        + [f"src/{p.name}" for p in (FRONTEND / "src").iterdir() if p.is_file()])
    assert h.hexdigest() == info["sha256"], "frontend/ changed since the build: cd frontend && npm ci && npm run build"
    assert (static_dir() / "index.html").read_bytes() == (FRONTEND / "index.html").read_bytes()


def test_bundled_libraries_are_pinned_with_their_licences():
    info = json.loads((static_dir() / "build-info.json").read_text())
    pkg = json.loads((FRONTEND / "package.json").read_text())
    lock = json.loads((FRONTEND / "package-lock.json").read_text())
    lic = (static_dir() / "LICENSES.md").read_text()
    assert lic == (FRONTEND / "LICENSES.md").read_text()
    for name, version in info["packages"].items():
        assert pkg["dependencies"][name] == version  # exact pins, no ranges
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
        assert lock["packages"][f"node_modules/{name}"]["integrity"].startswith("sha512-")  # what npm ci verifies
        assert f"| {name} | {version} |" in lic
    assert set(info["packages"]) == set(pkg["dependencies"])
