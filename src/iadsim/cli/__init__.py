"""The ``iadsim`` command line: thin Typer commands over the public Python API.

Commands raise :class:`iadsim.errors.InputError` on bad input; :func:`command` registers them behind a
guard that prints the error as one line (``error: file:line: field: message``) and exits with code 3, no
traceback. Usage errors are Typer's own (exit code 2).

Start-up: this package and the command modules import only Typer, Rich and :mod:`iadsim.errors` at module
level; each command imports the heavy parts it needs (scenario loader, engine, tracker, WTA solvers with
their numba kernels) when it runs, so ``iadsim --help`` and ``iadsim --version`` stay fast
(``tests/test_startup.py``).
"""

from __future__ import annotations

import functools
import sys
import time

import typer
from rich.console import Console

from iadsim import __version__
from iadsim.errors import EXIT_BAD_INPUT, InputError

#: when the command started (set again by :func:`main`): ``iadsim run`` counts its wall time from here
START = time.perf_counter()

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="iadsim: integrated air and missile defense simulator.")
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"iadsim {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: bool = typer.Option(False, "--version", is_eager=True, callback=_print_version,
                                 help="Print the version and exit."),
) -> None:
    pass


def command(name: str, fn) -> None:
    """Register ``fn`` as command ``name``, turning :class:`InputError` into one line and exit code 3."""

    @functools.wraps(fn)
    def guarded(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            err_console.print(f"error: {exc}", markup=False)
            raise typer.Exit(EXIT_BAD_INPUT) from None

    app.command(name)(guarded)


# --- command registrations (one line per command module) ---
from iadsim.cli.run import run, schema, validate  # noqa: E402

command("run", run)
command("validate", validate)
command("schema", schema)
from iadsim.cli.track import track  # noqa: E402, I001

command("track", track)
from iadsim.cli.mc import mc  # noqa: E402, I001

command("mc", mc)
from iadsim.cli.sweep import sweep  # noqa: E402, I001

command("sweep", sweep)
from iadsim.cli.optimize import optimize  # noqa: E402, I001

command("optimize", optimize)
from iadsim.cli.wta import wta  # noqa: E402, I001

command("wta", wta)
from iadsim.cli.report import report  # noqa: E402, I001

command("report", report)
from iadsim.cli.replay import export, replay  # noqa: E402, I001

command("replay", replay)
command("export", export)
from iadsim.cli.dis import dis_dump, live  # noqa: E402, I001

command("live", live)
command("dis-dump", dis_dump)
# --- end registrations ---


def main(argv: list[str] | None = None) -> int:
    """Run the CLI in process (as the ``iadsim`` command would) and return its exit code."""
    global START
    START = time.perf_counter()
    try:
        app(args=argv, prog_name="iadsim")
    except SystemExit as exc:
        if exc.code is None:
            return 0
        return exc.code if isinstance(exc.code, int) else 1
    return 0


def entry() -> None:
    """Console-script entry point (``iadsim``): the garbage collector's thresholds for the command
    (:mod:`iadsim._gc`), then :func:`main`.

    The command's outputs are written and closed when :func:`main` returns (run directories, reports, pcap
    files, pools and clusters are closed by the commands themselves); what is left is the interpreter's own
    teardown, freeing every module and object, numba's compiler among them: about 0.15 s here, 3 % of the
    layered raid's run. So the exit handlers are run, the standard streams flushed, and the process ends
    with ``os._exit``. An exception out of :func:`main` takes the normal path (its traceback, the normal
    exit)."""
    import atexit
    import os

    from iadsim import _gc

    _gc.tune()  # fewer, cheaper collections during the command (iadsim._gc)
    rc = main()
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(rc)
