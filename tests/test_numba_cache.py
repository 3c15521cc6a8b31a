"""``iadsim._numba``: kernels are cached on disk (a second process loads them instead of compiling), in a
directory named by the kernel modules' contents (an edit of any of them starts a fresh cache), and a
read-only install sends the cache to a per-user directory."""

import ast
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

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
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", "IADSIM_NUMBA_CACHE_DIR")}
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
    assert Path(first["cache_dir"]).parent == fallback and len(Path(first["cache_dir"]).name) == 16
    assert any(p.suffix == ".nbi" for p in fallback.rglob("*"))
    second = run(env, tmp_path / "src", blocker / "iadsim")
    assert (second["hits"], second["misses"]) == (1, 0)


def test_configure_cache_names_the_directory_by_the_sources_and_leaves_a_user_setting_alone(tmp_path,
                                                                                               monkeypatch):
    pkg = tmp_path / "pkg"
    for rel in inumba.KERNEL_MODULES:
        (pkg / rel).parent.mkdir(parents=True, exist_ok=True)
        (pkg / rel).write_text(f"# {rel}\n")
    monkeypatch.setattr(inumba, "PACKAGE_DIR", pkg)
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    first = inumba.configure_cache()                         # writable package: in its __pycache__
    assert first == os.environ["NUMBA_CACHE_DIR"] == str(pkg / "__pycache__" / "numba" / inumba.source_fingerprint())
    monkeypatch.delenv("NUMBA_CACHE_DIR")
    assert inumba.configure_cache() == first                 # same sources, same directory
    # an edit of any kernel module (here one its callers inline) names a new directory; old ones are pruned
    seen = [first]
    os.utime(first, (1e9 - 1, 1e9 - 1))
    for k in range(inumba.KEEP_OTHER + 2):
        (pkg / "physics" / "atmosphere.py").write_text(f"# edit {k}\n")
        monkeypatch.delenv("NUMBA_CACHE_DIR")
        new = inumba.configure_cache()
        assert new not in seen
        seen.append(new)
        os.utime(new, (1e9 + k, 1e9 + k))                    # increasing "last used" times
    left = sorted(p.name for p in (pkg / "__pycache__" / "numba").iterdir())
    assert left == sorted(Path(d).name for d in seen[-(inumba.KEEP_OTHER + 1):])
    # a child process inherits the directory chosen for other sources: it chooses again
    monkeypatch.setenv("NUMBA_CACHE_DIR", seen[0])
    monkeypatch.setenv("IADSIM_NUMBA_CACHE_DIR", seen[0])
    assert inumba.configure_cache() == seen[-1] == os.environ["NUMBA_CACHE_DIR"]
    monkeypatch.delenv("NUMBA_CACHE_DIR")
    monkeypatch.delenv("IADSIM_NUMBA_CACHE_DIR")
    (tmp_path / "file").write_text("")
    monkeypatch.setattr(inumba, "PACKAGE_DIR", tmp_path / "file" / "pkg")
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "mine"))
    assert inumba.configure_cache() is None                  # the user's NUMBA_CACHE_DIR wins
    assert os.environ["NUMBA_CACHE_DIR"] == str(tmp_path / "mine")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert inumba.fallback_cache_dir() == tmp_path / "xdg" / "iadsim" / "numba"


def _njit_reads(pkg: Path) -> set:
    """The package files whose names an ``@njit`` function reads: names imported from ``iadsim.*`` at module
    level (``from iadsim.x import y [as z]``, ``import iadsim.x as z``) that appear in a kernel's body."""
    def is_njit(d):
        return (isinstance(d, ast.Name) and d.id == "njit") or (isinstance(d, ast.Attribute) and d.attr == "njit") \
            or (isinstance(d, ast.Call) and is_njit(d.func))

    def file_of(mod):
        rel = mod.split(".", 1)[1].replace(".", "/") if "." in mod else "__init__"
        return pkg / f"{rel}.py" if (pkg / f"{rel}.py").exists() else pkg / rel / "__init__.py"

    out = set()
    for f in pkg.rglob("*.py"):
        tree = ast.parse(f.read_text(encoding="utf-8"))
        names = {}
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("iadsim"):
                for a in node.names:
                    sub = file_of(f"{node.module}.{a.name}")
                    names[a.asname or a.name] = sub if sub.exists() else file_of(node.module)
            elif isinstance(node, ast.Import):
                names.update({a.asname or a.name: file_of(a.name) for a in node.names if a.name.startswith("iadsim")})
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and any(is_njit(d) for d in node.decorator_list):
                out |= {names[n.id].relative_to(pkg).as_posix() for n in ast.walk(node)
                        if isinstance(n, ast.Name) and n.id in names}
    return out


def test_kernel_modules_are_every_file_a_kernel_is_made_of():
    """The digest covers every module that compiles kernels and every module whose functions or constants a
    kernel reads (numba compiles a global's value into the kernel, and its cache ignores it): a module missing
    from the list would bring back stale kernels after an edit of it (e.g. ``frames.GM_EARTH`` in gravity)."""
    pkg = Path(inumba.__file__).resolve().parent
    using = {p.relative_to(pkg).as_posix() for p in pkg.rglob("*.py") if "njit" in p.read_text(encoding="utf-8")}
    read = _njit_reads(pkg)
    assert {"frames.py", "threats/ballistic.py"} <= read  # constants the physics kernels read
    assert using | read == set(inumba.KERNEL_MODULES)
