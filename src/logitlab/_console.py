"""Progress bars and messages: quiet with --quiet and when stderr is not a terminal."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from tqdm.auto import tqdm

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


def progress_bar(total: int | None, **kwargs: Any) -> Any:
    """A manual tqdm bar (`update(n)`, `close()`), disabled when progress is off."""
    disable = not progress_enabled()
    return tqdm(total=total, file=sys.stderr, leave=False, disable=disable, **kwargs)


def info(message: str) -> None:
    """One informational line on stderr, unless quiet."""
    if not _state["quiet"]:
        tqdm.write(message, file=sys.stderr)  # above a running bar, not through it
