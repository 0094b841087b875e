"""Progress bars and messages: quiet with --quiet and when stderr is not a terminal.

One process-wide verbosity: -1 quiet (results and errors only), 0 normal (progress
bars for a person watching, informational lines), 1 or more with --verbose (also the
details: every data source tried, a fit's epochs). tqdm is imported on first use, so
the command line's `--help` does not pay for it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

_state = {"verbosity": 0}


def set_verbosity(level: int) -> None:
    """-1 quiet, 0 normal, 1+ verbose, for the whole process."""
    _state["verbosity"] = level


def verbosity() -> int:
    return _state["verbosity"]


def set_quiet(quiet: bool) -> None:
    """Silence progress bars and informational messages (or restore the default)."""
    set_verbosity(-1 if quiet else 0)


def is_quiet() -> bool:
    return _state["verbosity"] < 0


def progress_enabled() -> bool:
    """Bars only for a person watching: not with --quiet, not into a pipe or a log."""
    return not is_quiet() and sys.stderr.isatty()


def progress(iterable: Iterable[T], **kwargs: Any) -> Iterator[T]:
    """`tqdm(iterable)` on stderr when progress is enabled, else the plain iterable."""
    if not progress_enabled():
        yield from iterable
        return
    from tqdm.auto import tqdm

    yield from tqdm(iterable, file=sys.stderr, leave=False, **kwargs)


def in_notebook() -> bool:
    """True in Jupyter, where tqdm.auto draws a widget (stderr is no terminal there)."""
    from tqdm.auto import tqdm
    from tqdm.notebook import tqdm as notebook_tqdm

    return issubclass(tqdm, notebook_tqdm)


def progress_bar(total: int | None, *, shown: bool | None = None, **kwargs: Any) -> Any:
    """A manual tqdm bar (`update(n)`, `close()`), disabled when progress is off.

    `shown`: None follows `progress_enabled`; a library call passes whether its user
    asked for progress (`verbose > 0`): False never draws, True draws in a terminal
    or a notebook (a widget there, through tqdm.auto), unless quiet.
    """
    from tqdm.auto import tqdm

    disable = not progress_enabled()
    if shown is not None:
        disable = not shown or is_quiet() or not (sys.stderr.isatty() or in_notebook())
    return tqdm(total=total, file=sys.stderr, leave=False, disable=disable, **kwargs)


def info(message: str) -> None:
    """One informational line on stderr, unless quiet."""
    if not is_quiet():
        _write(message)


def detail(message: str) -> None:
    """One line on stderr with --verbose only."""
    if _state["verbosity"] > 0:
        _write(message)


def _write(message: str) -> None:
    from tqdm.auto import tqdm

    tqdm.write(message, file=sys.stderr)  # above a running bar, not through it
