"""Every error Dateline raises on purpose, in one small hierarchy.

    DatelineError
    ├── InputError (ValueError)        bad input: names the file, line or field
    ├── NotFoundError (LookupError)    no event, version or page at that address
    ├── ConflictError                  the stored history disagrees with the input
    │   └── StaleVersionError          a write based on a version that is no longer current
    └── StoreUnavailableError          the database cannot be opened or reached

The CLI turns any of them into one line on stderr and exit status 2; anything else
is a bug and keeps its traceback.
"""

from __future__ import annotations


class DatelineError(Exception):
    """Base of every error Dateline raises deliberately."""


class InputError(DatelineError, ValueError):
    """Input that cannot be read: the message says where and what was expected.

    ``where`` is a file name, optionally with ``:line``; ``field`` names the part of
    the input (``headline``, ``date``...) when one is to blame.
    """

    def __init__(
        self,
        message: str,
        *,
        where: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.where = where
        self.line = line
        self.field = field
        self.detail = message
        super().__init__(self._format())

    def _format(self) -> str:
        place = ""
        if self.where:
            place = self.where + (f":{self.line}" if self.line is not None else "")
        elif self.line is not None:
            place = f"line {self.line}"
        prefix = f"{place}: " if place else ""
        field = f"{self.field}: " if self.field else ""
        return f"{prefix}{field}{self.detail}"

    def located(self, where: str) -> InputError:
        """The same error, attributed to file ``where`` (parsers know lines, not files)."""
        return InputError(self.detail, where=where, line=self.line, field=self.field)


class NotFoundError(DatelineError, LookupError):
    """Nothing is stored at the address asked for."""


class ConflictError(DatelineError):
    """The input contradicts history that is already stored (history is never rewritten)."""


class StaleVersionError(ConflictError):
    """A write was based on version ``expected`` but the current version is ``current``."""

    def __init__(self, event_id: int, expected: int, current: int) -> None:
        self.event_id = event_id
        self.expected = expected
        self.current = current
        super().__init__(
            f"event {event_id} is at version {current}, not {expected}: "
            "reload it and apply your change again"
        )


class StoreUnavailableError(DatelineError):
    """The database cannot be opened, reached or migrated."""
