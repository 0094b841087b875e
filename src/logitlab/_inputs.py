"""Input paths checked before anything opens them.

Opening a FIFO blocks until someone writes to it, and a device can stream forever, so
every file a user names must be a regular file (after symlinks) before it is read.
"""

from __future__ import annotations

import os
import stat

from logitlab.errors import LogitlabError


def check_input_file(
    path: str | os.PathLike[str], error: type[LogitlabError], what: str = "file"
) -> None:
    """Raise `error` (one line naming `path`) unless `path` is a regular file."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise error(f"{path}: no such {what}") from None
    except OSError as exc:
        raise error(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(mode):
        raise error(f"{path}: is a folder, not a {what}")
    if not stat.S_ISREG(mode):
        raise error(f"{path}: is not a regular file (a FIFO, device or socket?)")
