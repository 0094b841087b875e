"""SIGINT and SIGTERM as one exception, and moments they must wait for.

The command line installs `install()` first thing, before the heavy imports, so a
Ctrl-C or a `kill` at any moment becomes `Interrupted` (a `KeyboardInterrupt`, so code
that already cleans up after Ctrl-C cleans up after SIGTERM too). Commits and
roll-backs of outputs run inside `deferred()`: a signal arriving then is held until
the block ends, so the files are never left between their old and new state.

This module imports nothing but the standard library: it must be cheap to load.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

HANDLED = (signal.SIGINT, signal.SIGTERM)
_state: dict[str, int] = {"depth": 0, "pending": 0}


class Interrupted(KeyboardInterrupt):
    """Asked to stop (Ctrl-C or SIGTERM); `exit_code` is 128 + the signal number."""

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.exit_code = 128 + signum
        self.verb = "terminated" if signum == signal.SIGTERM else "interrupted"


def _handle(signum: int, frame: FrameType | None) -> None:
    if _state["depth"]:
        _state["pending"] = _state["pending"] or signum
        return
    raise Interrupted(signum)


def interruption(exc: BaseException) -> KeyboardInterrupt | None:
    """The Ctrl-C or SIGTERM behind `exc`, if any: a signal that arrives while a C
    extension initialises (scipy's pocketfft, say) reaches the caller as an
    ImportError whose cause is our `Interrupted`, and must end the run as one too."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def install() -> None:
    """Turn SIGINT and SIGTERM into `Interrupted` (from the main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in HANDLED:
        signal.signal(signum, _handle)


def ignore() -> None:
    """Ignore SIGINT and SIGTERM from now on: the command has finished (its outputs
    committed or rolled back) and only the interpreter's exit is left."""
    if threading.current_thread() is threading.main_thread():
        for signum in HANDLED:
            signal.signal(signum, signal.SIG_IGN)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Hold SIGINT/SIGTERM until the block ends, then raise `Interrupted` for them.

    Nested blocks hold the signal until the outermost one ends. With the handlers not
    installed (library use) a Ctrl-C still raises at once, as Python's default does.
    """
    _state["depth"] += 1
    try:
        yield
    except BaseException:
        _state["depth"] -= 1
        if not _state["depth"]:
            _state["pending"] = 0  # the process is stopping on this error anyway
        raise
    _state["depth"] -= 1
    if not _state["depth"] and _state["pending"]:
        signum, _state["pending"] = _state["pending"], 0
        raise Interrupted(signum)


def pending() -> int:
    """The signal held by an open `deferred()` block (0 if none)."""
    return _state["pending"]
