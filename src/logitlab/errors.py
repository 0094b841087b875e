"""The exceptions logitlab raises for problems a user can fix.

The CLI turns every `LogitlabError` into one short line on stderr and exit code 1 (a
`hint:` line follows when the error carries one; its `details` are shown with
`--verbose`); anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from collections.abc import Sequence


class LogitlabError(Exception):
    """A problem with the user's input, files or settings, explained in one line.

    Parameters
    ----------
    message : str
        What went wrong, in one line (about 150 characters at most).
    hint : str or None, default=None
        How to fix it, when the message alone does not say.
    details : sequence of str, default=()
        Supporting lines (e.g. every source tried), for those who ask for them.
    """

    def __init__(
        self, message: str, *, hint: str | None = None, details: Sequence[str] = ()
    ) -> None:
        super().__init__(message)
        self.hint = hint
        self.details = tuple(details)

    def __reduce__(self) -> tuple[object, ...]:  # keep hint and details across pickling
        return (type(self), self.args, self.__dict__)


class DataError(LogitlabError, ValueError):
    """A dataset file or array is missing, malformed or fails its checksum."""


class ModelFileError(LogitlabError, ValueError):
    """A model file cannot be read or does not fit the data."""


class DivergenceError(LogitlabError, FloatingPointError):
    """Training produced a non-finite loss (usually a learning rate too large)."""
