"""Where IDX data come from: a folder of the four files, or the canonical web mirrors.

Every source returns the four arrays already verified by their canonical digests.
A source that cannot serve raises `Unavailable` (the loader moves on to the next one);
a folder the user named raises `DataError` instead, because it is authoritative.
"""

from __future__ import annotations

import hashlib
import urllib.error
import urllib.request
from pathlib import Path

from logitlab._console import info, progress_bar
from logitlab.data.cache import Arrays
from logitlab.data.checksums import ARRAY_NAMES, FILE_DIGESTS, verify_array
from logitlab.data.idx import parse_idx, read_idx
from logitlab.errors import DataError

# array name -> (canonical file name without .gz, IDX dimensions)
IDX_FILES = {
    "train_images": ("train-images-idx3-ubyte", 3),
    "train_labels": ("train-labels-idx1-ubyte", 1),
    "test_images": ("t10k-images-idx3-ubyte", 3),
    "test_labels": ("t10k-labels-idx1-ubyte", 1),
}

MIRRORS = {
    "mnist": (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ),
    "fashion-mnist": ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
}
CONNECT_TIMEOUT = 3.0  # seconds; also the longest silence tolerated mid-download
_MAX_DOWNLOAD = 64 << 20  # the largest canonical file is ~26 MB


class Unavailable(Exception):
    """A source could not serve the data; the message says why, for the final report,
    and `hint`, if given, what the user can do about it."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


def read_folder(dataset: str, folder: Path) -> Arrays:
    """The four IDX files (`.gz` or uncompressed) in `folder`, verified.

    Any missing, malformed or non-canonical file is a DataError naming it.
    """
    if not folder.is_dir():
        raise DataError(f"{folder}: no such folder (given as the {dataset} folder)")
    arrays: Arrays = {}
    for name in ARRAY_NAMES:
        stem, ndim = IDX_FILES[name]
        path = next(
            (p for p in (folder / f"{stem}.gz", folder / stem) if p.exists()), None
        )
        if path is None:
            raise DataError(f"{folder / stem}.gz: missing (nor is {stem} there)")
        arrays[name] = read_idx(path, ndim=ndim)
        verify_array(dataset, name, arrays[name], str(path))
    return arrays


def read_web(dataset: str) -> tuple[Arrays, str]:
    """Download from the first mirror that serves all four files intact."""
    failures = []
    for base in MIRRORS[dataset]:
        try:
            return _read_mirror(dataset, base), base
        except (Unavailable, DataError) as exc:
            failures.append(str(exc))
    raise Unavailable("; ".join(failures))


def _read_mirror(dataset: str, base: str) -> Arrays:
    arrays: Arrays = {}
    for name in ARRAY_NAMES:
        stem, ndim = IDX_FILES[name]
        url = base + stem + ".gz"
        data = _download(url, FILE_DIGESTS[dataset][stem + ".gz"])
        arrays[name] = parse_idx(data, ndim=ndim, name=url)
        verify_array(dataset, name, arrays[name], url)
    return arrays


def _download(url: str, digest: tuple[str, str]) -> bytes:
    """GET `url` into memory with a progress bar, checking its published digest."""
    algorithm, expected = digest
    hasher = hashlib.new(algorithm)
    chunks = []
    try:
        with urllib.request.urlopen(url, timeout=CONNECT_TIMEOUT) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            if total is not None and total > _MAX_DOWNLOAD:
                raise Unavailable(f"{url} is {total} bytes, larger than any MNIST file")
            info(f"downloading {url}")
            with progress_bar(
                total, unit="B", unit_scale=True, desc=url.split("/")[-1]
            ) as bar:
                size = 0
                while chunk := response.read(1 << 16):
                    size += len(chunk)
                    if size > _MAX_DOWNLOAD:
                        raise Unavailable(f"{url} is larger than any MNIST file")
                    hasher.update(chunk)
                    chunks.append(chunk)
                    bar.update(len(chunk))
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise Unavailable(f"{url}: {reason}") from None
    if hasher.hexdigest() != expected:
        raise Unavailable(f"{url} does not match its published {algorithm}")
    return b"".join(chunks)
