"""The ``iadsim`` command line: thin Typer commands over the public Python API.

Every command raises :class:`iadsim.errors.InputError` on bad input; :func:`main` prints it as one line
and exits with code 3 (no traceback).
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from iadsim.errors import EXIT_BAD_INPUT, InputError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="iadsim: integrated air and missile defense simulator.")
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

# --- command registrations (one line per command module) ---
from iadsim.cli.run import run, schema, validate  # noqa: E402

app.command("run")(run)
app.command("validate")(validate)
app.command("schema")(schema)
from iadsim.cli.track import track; app.command("track")(track)  # noqa: E402, E702, I001
from iadsim.cli.wta import wta; app.command("wta")(wta)  # noqa: E402, E702, I001
# --- end registrations ---


def main(argv: list[str] | None = None) -> int:
    """Run the CLI in process and return its exit code; :class:`InputError` becomes one line, code 3."""
    import click

    try:
        app(args=argv, standalone_mode=False, prog_name="iadsim")
    except InputError as exc:
        err_console.print(f"error: {exc}", markup=False)
        return EXIT_BAD_INPUT
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        err_console.print("aborted")
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    return 0


def entry() -> None:
    """Console-script entry point (``iadsim``)."""
    sys.exit(main())
