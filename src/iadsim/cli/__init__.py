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
