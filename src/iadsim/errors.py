"""One error type for bad input, caught at the boundary (CLI) and printed as one line.

Every loader (scenario YAML, detections CSV, WTA instance JSON) raises :class:`InputError` with
the file, the line or row when known, the field, and what was expected. The CLI prints
``str(error)`` and exits with :data:`EXIT_BAD_INPUT`; no traceback reaches the user.

The text is always one line of visible characters: line breaks become spaces and other non-printable
characters (a byte-order mark, a NUL, control codes quoted from a hostile file) are written as escapes
(``\\ufeff``), so the message can neither spill over lines nor hide what it quotes; it is cut at
:data:`MAX_MESSAGE` characters.
"""

from __future__ import annotations

EXIT_BAD_INPUT = 3
#: longest message printed (a hostile file may quote megabytes back)
MAX_MESSAGE = 600


class InputError(Exception):
    """Bad user input: ``file:line: field: message``."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 field: str | None = None):
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = str(self.file)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        elif self.line is not None:
            where = f"line {self.line}: "
        field = f"{self.field}: " if self.field else ""
        return one_line(f"{where}{field}{self.message}")


def one_line(text: str) -> str:
    """``text`` on one line of printable characters (module docstring)."""
    text = " ".join(text.splitlines())
    if not text.isprintable():
        text = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE - 3] + "..."
