"""The local cache: verified arrays as uncompressed `.npy` files, memory-mapped on load.

Layout: `<cache>/<dataset>/<array>.npy` plus `manifest.json`. The cache folder is
`$LOGITLAB_DATA_DIR`, else the platform's user cache folder as platformdirs names it:
`$XDG_CACHE_HOME/logitlab` (`~/.cache/logitlab` when unset) on Linux,
`~/Library/Caches/logitlab` on macOS, `%LOCALAPPDATA%\\logitlab\\Cache` on Windows.

When digests are checked: hashing 55 MB costs ~100 ms, far more than mapping the files,
so every array is verified against its canonical SHA-256 *before* it is written, and
the manifest then records each file's `(size, mtime_ns, ctime_ns, inode)` as seen
right after the write. A load whose files still match the manifest maps them without
hashing; any file that does not match (rewritten, truncated, replaced, or edited with
its mtime put back — which still moves ctime, since no program can set ctime) is
hashed in full, and one that fails is discarded so the data are fetched again.
(A change within the same timestamp tick as the write, a few ms, could go unseen.)
Corruption below the filesystem (bit rot) leaves the stat unchanged; `logitlab data
info --verify` and `load_dataset(..., verify=True)` hash every file regardless.

Writes go through `logitlab._atomic` (staged files, then renames), so an interrupted
fetch or two processes fetching at once never leave a half-written array; a manifest
written by the slower of two racing processes may not match, which costs one re-hash.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from logitlab._atomic import (
    OutputError,
    atomic_write_text,
    output_transaction,
    sweep_temporaries,
)
from logitlab._console import info
from logitlab.data.checksums import ARRAY_NAMES, ARRAY_SHA256, array_digest
from logitlab.errors import DataError

MANIFEST = "manifest.json"
Arrays = dict[str, NDArray[np.uint8]]


def cache_root() -> Path:
    """`$LOGITLAB_DATA_DIR`, else the user cache folder of the platform's convention."""
    env = os.environ.get("LOGITLAB_DATA_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_path

    return user_cache_path("logitlab", appauthor=False)


def dataset_dir(dataset: str) -> Path:
    return cache_root() / dataset


def _fingerprint(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def _read_manifest(folder: Path) -> dict[str, dict[str, object]]:
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
        return manifest if isinstance(manifest, dict) else {}
    except (OSError, ValueError):
        return {}  # no manifest or an unreadable one: every file gets hashed


def _write_manifest(folder: Path, dataset: str) -> None:
    entries = {
        name: {
            "sha256": ARRAY_SHA256[dataset][name],
            "stat": _fingerprint(folder / f"{name}.npy"),
        }
        for name in ARRAY_NAMES
    }
    atomic_write_text(folder / MANIFEST, json.dumps(entries, indent=1) + "\n")


def check_file(
    dataset: str, name: str, verify: bool = False
) -> tuple[NDArray[np.uint8] | None, str]:
    """Map one cached array and say how far it can be trusted.

    Returns (array or None, status); status is "missing", "unreadable", "fails its
    SHA-256 check", "unchanged since verified" (not hashed) or "verified" (hashed now).
    """
    folder = dataset_dir(dataset)
    path = folder / f"{name}.npy"
    if not path.is_file():
        return None, "missing"
    try:
        array = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError):
        return None, "unreadable"
    entry = _read_manifest(folder).get(name)
    expected = ARRAY_SHA256[dataset][name]
    if (
        not verify
        and isinstance(entry, dict)
        and entry.get("sha256") == expected
        and entry.get("stat") == _fingerprint(path)
    ):
        return array, "unchanged since verified"
    if array.dtype != np.uint8 or array_digest(array) != expected:
        return None, "fails its SHA-256 check"
    return array, "verified"


def load_cached(dataset: str, verify: bool = False) -> Arrays | None:
    """The cached arrays (read-only memmaps), or None if any is absent or corrupt.

    A corrupt cache is deleted and announced, so the caller fetches the data again.
    Temporaries left by a killed run are swept first.
    """
    sweep_temporaries(dataset_dir(dataset))
    arrays: Arrays = {}
    statuses = []
    for name in ARRAY_NAMES:
        array, status = check_file(dataset, name, verify)
        if array is None:
            if status != "missing":
                info(
                    f"cached {dataset} {name} {status}; discarding the cache and "
                    "fetching again"
                )
                discard(dataset)
            return None
        arrays[name] = array
        statuses.append(status)
    if "verified" in statuses:  # re-hashed after a stat change: record the new stat
        with contextlib.suppress(OSError):  # a read-only cache still serves
            _write_manifest(dataset_dir(dataset), dataset)
    return arrays


def store(dataset: str, arrays: Arrays) -> None:
    """Write verified arrays (all four or none), then the manifest of their stats.

    The manifest comes after the renames because a rename changes a file's ctime.
    """
    folder = dataset_dir(dataset)
    try:
        with output_transaction(folder) as tx:
            for name in ARRAY_NAMES:
                array = np.ascontiguousarray(arrays[name])
                np.save(tx.path(f"{name}.npy"), array, allow_pickle=False)
        _write_manifest(folder, dataset)
    except OutputError as exc:  # names the file already
        raise DataError(f"cannot write the cache: {exc}") from None
    except OSError as exc:
        raise DataError(
            f"cannot write the cache in {folder}: {exc.strerror or exc}"
        ) from None


def discard(dataset: str) -> None:
    """Remove a dataset's cache files (a failed digest means none can be trusted)."""
    folder = dataset_dir(dataset)
    for name in (*[f"{n}.npy" for n in ARRAY_NAMES], MANIFEST):
        (folder / name).unlink(missing_ok=True)
