"""The one exception type a user can cause: the CLI prints its message as one line and exits non-zero."""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix: the message names the value at fault and what to do.

    The CLI prints ``error: <message>`` and exits with ``exit_code`` (2 unless set).
    """

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code
