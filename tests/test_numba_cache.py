"""``iadsim._numba``: kernels are cached on disk (a second process loads them instead of compiling), and
a read-only install sends the cache to a per-user directory."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("numba")

import iadsim._numba as inumba  # noqa: E402

KERNEL = textwrap.dedent('''
    from iadsim._numba import njit

    @njit
    def axpy(a, x, y):
        s = 0.0
        for i in range(x.shape[0]):
            s += a * x[i] + y[i]
        return s
''')

REPORT = textwrap.dedent('''
    import json, os, sys
    import numpy as np
    sys.path.insert(0, sys.argv[1])
    import iadsim._numba as inumba
    if len(sys.argv) > 2:                     # pretend the package directory is read-only
        inumba.PACKAGE_DIR = inumba.Path(sys.argv[2])
    import kernel_mod
    assert kernel_mod.axpy(2.0, np.arange(3.0), np.ones(3)) == 9.0
    st = kernel_mod.axpy.stats
    print(json.dumps({"hits": sum(st.cache_hits.values()), "misses": sum(st.cache_misses.values()),
                      "cache_dir": os.environ.get("NUMBA_CACHE_DIR")}))
''')


def run(env, *args):
    p = subprocess.run([sys.executable, "-c", REPORT, *map(str, args)], capture_output=True, text=True,
                       env=env, timeout=300)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout.strip().splitlines()[-1])


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env.update({k: str(v) for k, v in extra.items()})
    return env


def test_second_process_loads_the_kernel_from_the_disk_cache(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "kernel_mod.py").write_text(KERNEL)
    env = clean_env(NUMBA_CACHE_DIR=tmp_path / "cache")
    first = run(env, tmp_path / "src")
    assert (first["hits"], first["misses"]) == (0, 1)
    assert any(p.suffix == ".nbi" for p in (tmp_path / "cache").rglob("*"))   # index written
    second = run(env, tmp_path / "src")
    assert (second["hits"], second["misses"]) == (1, 0)                      # loaded, not compiled
    assert second["cache_dir"] == str(tmp_path / "cache")                     # the user's setting is kept


def test_read_only_package_caches_under_xdg_cache_home(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "kernel_mod.py").write_text(KERNEL)
    blocker = tmp_path / "not_a_dir"
    blocker.write_text("")                    # nothing can be created under a file, even by root
    env = clean_env(XDG_CACHE_HOME=tmp_path / "xdg")
    first = run(env, tmp_path / "src", blocker / "iadsim")
    fallback = tmp_path / "xdg" / "iadsim" / "numba"
    assert first["cache_dir"] == str(fallback)
    assert any(p.suffix == ".nbi" for p in fallback.rglob("*"))
    second = run(env, tmp_path / "src", blocker / "iadsim")
    assert (second["hits"], second["misses"]) == (1, 0)


def test_configure_cache_leaves_a_writable_package_or_a_user_setting_alone(tmp_path, monkeypatch):
    monkeypatch.setattr(inumba, "PACKAGE_DIR", tmp_path / "pkg")
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    assert inumba.configure_cache() is None                  # writable package: numba's in-tree cache
    assert "NUMBA_CACHE_DIR" not in os.environ
    (tmp_path / "file").write_text("")
    monkeypatch.setattr(inumba, "PACKAGE_DIR", tmp_path / "file" / "pkg")
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "mine"))
    assert inumba.configure_cache() is None                  # the user's NUMBA_CACHE_DIR wins
    assert os.environ["NUMBA_CACHE_DIR"] == str(tmp_path / "mine")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert inumba.fallback_cache_dir() == tmp_path / "xdg" / "iadsim" / "numba"
