"""One error type for bad input, caught at the boundary (CLI) and printed as one line.

Every loader (scenario YAML, detections CSV, WTA instance JSON) raises :class:`InputError` with
the file, the line or row when known, the field, and what was expected. The CLI prints
``str(error)`` and exits with :data:`EXIT_BAD_INPUT`; no traceback reaches the user.
"""

from __future__ import annotations

EXIT_BAD_INPUT = 3


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
        return f"{where}{field}{self.message}"
