"""The exceptions logitlab raises for problems a user can fix.

The CLI turns every `LogitlabError` into one line on stderr and exit code 1; anything
else is a bug and keeps its traceback.
"""


class LogitlabError(Exception):
    """A problem with the user's input, files or settings, explained in one line."""


class DataError(LogitlabError, ValueError):
    """A dataset file or array is missing, malformed or fails its checksum."""


class ModelFileError(LogitlabError, ValueError):
    """A model file cannot be read or does not fit the data."""


class DivergenceError(LogitlabError, FloatingPointError):
    """Training produced a non-finite loss (usually a learning rate too large)."""
