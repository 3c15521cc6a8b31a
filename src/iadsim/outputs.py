"""Output locations: checked before any work starts, and run directories replaced whole.

* :func:`check_output_file` / :func:`check_output_dir` run at the start of a command, before the scenario is
  simulated or the instance solved: the location must not be of the wrong kind (a directory where a file is
  asked for, a file where a directory is), and iadsim must be able to create a file there. The test is an
  actual creation of a probe file in the nearest existing directory (``os.access`` says yes to root even on
  a read-only file system). So an unwritable ``--out`` stops in a second with one line, not after the run.
* :func:`replace_dir` puts a finished directory in place: the new run is written completely under a hidden
  temporary name beside the target, then renamed onto it; an existing target is renamed aside first and
  removed only once the new one is in place. A reader sees the old run or the new one, never a mixture, and
  no stray file of an older run survives. Replacing a non-empty directory needs ``overwrite=True``
  (``--overwrite`` on the command line).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from iadsim.errors import InputError


def _nearest_existing(p: Path) -> Path:
    p = p.absolute()
    while not p.exists():
        if p.parent == p:
            break
        p = p.parent
    return p


def _probe(directory: Path, shown: Path, option: str) -> None:
    if not directory.is_dir():
        raise InputError(f"cannot create it: {directory} is not a directory", file=str(shown), field=option)
    try:
        fd, name = tempfile.mkstemp(prefix=".iadsim-probe-", dir=directory)
    except OSError as exc:
        raise InputError(f"cannot write there: {exc.strerror or exc}", file=str(shown), field=option) from None
    os.close(fd)
    os.unlink(name)


def check_output_file(path: str | Path, option: str = "--out") -> Path:
    """Check that the file ``path`` can be written (module docstring); returns it."""
    p = Path(path)
    if p.is_dir():
        raise InputError("is a directory, expected a file name", file=str(p), field=option)
    if p.exists() and not p.is_file():
        raise InputError("exists and is not a regular file", file=str(p), field=option)
    _probe(_nearest_existing(p.parent), p, option)
    return p


def check_output_dir(path: str | Path, option: str = "--out", *, overwrite: bool | None = None) -> Path:
    """Check that the directory ``path`` can be created or written (module docstring); returns it.

    ``overwrite=False``: an existing non-empty directory is refused (pass ``--overwrite``); ``None``: an
    existing directory is fine (a study directory that is resumed)."""
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise InputError("exists and is not a directory", file=str(p), field=option)
    if overwrite is False and p.is_dir() and any(p.iterdir()):
        raise InputError("directory exists and is not empty; pass --overwrite to replace it", file=str(p),
                         field=option)
    # the run directory is written beside the target and renamed, so its parent must be writable too
    _probe(_nearest_existing(p.parent if overwrite is not None else p), p, option)
    return p


def temp_dir_beside(target: str | Path) -> Path:
    """A new empty hidden directory in the parent of ``target`` (created with its parents)."""
    t = Path(target)
    t.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{t.name}.partial-", dir=t.parent))


def replace_dir(new: str | Path, target: str | Path, *, overwrite: bool) -> Path:
    """Rename the finished directory ``new`` onto ``target`` (module docstring); returns ``target``."""
    new, target = Path(new), Path(target)
    old = None
    if target.exists():
        if not target.is_dir():
            raise InputError("exists and is not a directory", file=str(target), field="--out")
        if any(target.iterdir()):
            if not overwrite:
                raise InputError("directory exists and is not empty; pass --overwrite to replace it",
                                 file=str(target), field="--out")
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            os.rmdir(old)
            os.rename(target, old)
        else:
            os.rmdir(target)
    os.rename(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return target
