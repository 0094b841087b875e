"""All-or-nothing outputs: one file (`atomic_path`) or a set (`output_transaction`).

A command that writes several files stages them in a temporary folder inside its
output folder, then commits them by renames (same filesystem, so each is atomic),
moving every file it replaces aside first. A failure or a signal at any point —
while staging, or half-way through the renames — rolls back: new files are removed,
replaced files put back, folders it made removed, the temporary folder deleted. The
renames and the roll-back run with SIGINT/SIGTERM held (`logitlab._signals`), so the
output is always wholly old or wholly new.

Every temporary name starts with `.logitlab-tmp-<pid>-`. A run killed outright
(SIGKILL, power loss) cannot clean up, so each transaction and each cache write first
sweeps the temporaries whose process is gone (`sweep_temporaries`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from logitlab import _signals
from logitlab.errors import LogitlabError

TEMP_PREFIX = ".logitlab-tmp-"
_LEGACY_PREFIXES = (".logitlab-homework-",)  # temporary folders of earlier versions


class OutputError(LogitlabError, OSError):
    """An output could not be written (full disk, permissions, read-only file)."""


def _temp_prefix(label: str) -> str:
    return f"{TEMP_PREFIX}{os.getpid()}-{label}."


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str], suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path next to `target`; on success rename it over `target`.

    On any exception the temporary file is removed and `target` is left as it was
    (the pattern of black's cache: `NamedTemporaryFile(dir=...)` then `os.replace`).
    An `OSError` names `target`, never the temporary path.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        dir=target.parent,
        prefix=_temp_prefix(target.name),
        suffix=suffix or target.suffix,
    )
    os.close(fd)
    tmp_path = Path(tmp)
    os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes 0600; give what open() would
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    except BaseException as exc:
        tmp_path.unlink(missing_ok=True)
        if isinstance(exc, OSError) and not isinstance(exc, LogitlabError):
            raise OSError(exc.errno, exc.strerror or str(exc), str(target)) from None
        raise


def _umask() -> int:
    """The process umask (reading it means setting it; set it straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(target: str | os.PathLike[str], data: bytes) -> None:
    """Write `data` to `target` atomically."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(target: str | os.PathLike[str], text: str) -> None:
    """Write `text` (UTF-8) to `target` atomically."""
    atomic_write_bytes(target, text.encode("utf-8"))


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # someone else's process, or a name we cannot judge: keep it
    return True


def sweep_temporaries(folder: str | os.PathLike[str]) -> None:
    """Delete this program's temporaries in `folder` whose process no longer runs."""
    with contextlib.suppress(OSError):
        entries = list(os.scandir(folder))
        for entry in entries:
            if entry.name.startswith(TEMP_PREFIX):
                pid = entry.name[len(TEMP_PREFIX) :].split("-", 1)[0]
                if pid.isdigit() and _process_alive(int(pid)):
                    continue
            elif not entry.name.startswith(_LEGACY_PREFIXES):
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def is_read_only(path: Path) -> bool:
    """An existing file with no write permission bit (root's `access()` says yes)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return stat.S_ISREG(mode) and not mode & 0o222


def check_output_folder(folder: Path, names: Iterable[str] = ()) -> None:
    """Refuse, before any work, an `--out` that is a file or read-only files in it."""
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: exists and is not a folder")
    for name in names:
        if is_read_only(folder / name):
            raise OutputError(
                f"{folder / name}: is read-only; not replaced (make it writable or "
                "choose another --out)"
            )


class OutputTransaction:
    """Files staged under `folder`'s temporary folder, committed or rolled back whole.

    `path(name)` gives where to write the file that will become `folder/name` (`name`
    may hold subfolders: "figures/roc.png"). Use through `output_transaction`.
    """

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        self._stage: Path | None = None
        self._names: list[str] = []  # in the order handed out
        self._made: list[Path] = []  # folders this transaction created
        self._current: str | None = None  # the output being written now

    def begin(self) -> None:
        check_output_folder(self.folder)
        self._mkdirs(self.folder)
        sweep_temporaries(self.folder)
        self._stage = Path(
            tempfile.mkdtemp(prefix=_temp_prefix("out"), dir=self.folder)
        )

    def path(self, name: str) -> Path:
        """The staging path of output `name` (relative to the folder)."""
        assert self._stage is not None, "use output_transaction()"
        rel = Path(name)
        if rel.is_absolute() or ".." in rel.parts or not rel.parts:
            raise ValueError(f"output name {name!r} must be a path inside the folder")
        check_output_folder(self.folder, [name])
        if name not in self._names:
            self._names.append(name)
        self._current = name
        staged = self._stage / rel
        staged.parent.mkdir(parents=True, exist_ok=True)
        return staged

    def write_bytes(self, name: str, data: bytes) -> Path:
        self.path(name).write_bytes(data)
        return self.folder / name

    def write_text(self, name: str, text: str) -> Path:
        return self.write_bytes(name, text.encode("utf-8"))

    def commit(self) -> None:
        """Rename every staged file into place; on any failure or signal, undo all."""
        assert self._stage is not None
        done: list[tuple[Path, Path | None]] = []
        with _signals.deferred():
            try:
                for name in self._names:
                    staged = self._stage / name
                    if staged.is_file():
                        self._current = name
                        done.append(self._move_in(staged, name))
                if _signals.pending():  # asked to stop: end as if never started
                    self._undo(done)
            except BaseException:
                self._undo(done)
                raise

    def _move_in(self, staged: Path, name: str) -> tuple[Path, Path | None]:
        target = self.folder / name
        check_output_folder(self.folder, [name])
        if target.is_dir() and not target.is_symlink():
            raise OutputError(f"{target}: is a folder; not replaced")
        self._mkdirs(target.parent)
        backup = None
        if target.exists() or target.is_symlink():
            assert self._stage is not None
            backup = self._stage / ".replaced" / name
            backup.parent.mkdir(parents=True, exist_ok=True)
            os.replace(target, backup)
        try:
            os.replace(staged, target)
        except BaseException:
            if backup is not None:
                os.replace(backup, target)
            raise
        return target, backup

    def _undo(self, done: list[tuple[Path, Path | None]]) -> None:
        for target, backup in reversed(done):
            with contextlib.suppress(OSError):
                if backup is None:
                    target.unlink()
                else:
                    os.replace(backup, target)
        done.clear()

    def abort(self) -> None:
        """Delete the staging folder and the folders it made (if they are empty)."""
        with _signals.deferred():
            if self._stage is not None:
                shutil.rmtree(self._stage, ignore_errors=True)
            for folder in reversed(self._made):
                with contextlib.suppress(OSError):
                    folder.rmdir()

    def finish(self) -> None:
        """After a commit: delete the staging folder (and the replaced files in it)."""
        if self._stage is not None:
            shutil.rmtree(self._stage, ignore_errors=True)

    def _mkdirs(self, folder: Path) -> None:
        missing = []
        while not folder.exists():
            missing.append(folder)
            folder = folder.parent
        for path in reversed(missing):
            path.mkdir()
            self._made.append(path)

    def user_error(self, exc: OSError) -> OutputError:
        """The error in the user's terms: their file's name, not a temporary one."""
        where: Path | str = self.folder
        filename = str(exc.filename) if exc.filename else ""
        if (
            filename
            and self._stage is not None
            and not filename.startswith(str(self._stage))
        ):
            where = filename
        elif self._current is not None:
            where = self.folder / self._current
        return OutputError(f"{where}: {exc.strerror or exc}")


@contextlib.contextmanager
def output_transaction(folder: str | os.PathLike[str]) -> Iterator[OutputTransaction]:
    """Stage outputs for `folder`; commit them when the block ends without error.

    On an exception or a signal nothing in `folder` changes (a folder that did not
    exist is not left behind); an `OSError` becomes an `OutputError` naming the
    user's file.
    """
    tx = OutputTransaction(folder)
    try:
        tx.begin()
        yield tx
        tx.commit()
    except BaseException as exc:
        tx.abort()
        if isinstance(exc, OSError) and not isinstance(exc, LogitlabError):
            raise tx.user_error(exc) from None
        raise
    tx.finish()
