"""Progress bars and messages: quiet with --quiet and when stderr is not a terminal."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from tqdm.auto import tqdm
from tqdm.notebook import tqdm as _notebook_tqdm

T = TypeVar("T")

_state = {"quiet": False}


def set_quiet(quiet: bool) -> None:
    """Silence progress bars and informational messages for the whole process."""
    _state["quiet"] = quiet


def is_quiet() -> bool:
    return _state["quiet"]


def progress_enabled() -> bool:
    """Bars only for a person watching: not with --quiet, not into a pipe or a log."""
    return not _state["quiet"] and sys.stderr.isatty()


def progress(iterable: Iterable[T], **kwargs: Any) -> Iterator[T]:
    """`tqdm(iterable)` on stderr when progress is enabled, else the plain iterable."""
    if not progress_enabled():
        yield from iterable
        return
    yield from tqdm(iterable, file=sys.stderr, leave=False, **kwargs)


def in_notebook() -> bool:
    """True in Jupyter, where tqdm.auto draws a widget (stderr is no terminal there)."""
    return issubclass(tqdm, _notebook_tqdm)


def progress_bar(total: int | None, *, shown: bool | None = None, **kwargs: Any) -> Any:
    """A manual tqdm bar (`update(n)`, `close()`), disabled when progress is off.

    `shown`: None follows `progress_enabled`; a library call passes whether its user
    asked for progress (`verbose > 0`): False never draws, True draws in a terminal
    or a notebook (a widget there, through tqdm.auto), unless quiet.
    """
    disable = not progress_enabled()
    if shown is not None:
        disable = not shown or is_quiet() or not (sys.stderr.isatty() or in_notebook())
    return tqdm(total=total, file=sys.stderr, leave=False, disable=disable, **kwargs)


def info(message: str) -> None:
    """One informational line on stderr, unless quiet."""
    if not _state["quiet"]:
        tqdm.write(message, file=sys.stderr)  # above a running bar, not through it
