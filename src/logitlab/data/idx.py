"""Read IDX files (LeCun's MNIST format), gzip-compressed or raw, trusting nothing.

An IDX file is a 4-byte magic `0x0000TTNN` (TT the type code, 0x08 for unsigned
bytes; NN the number of dimensions), NN big-endian uint32 sizes, then the data. The
header is checked against the bytes actually present *before* anything is allocated,
so a 100-byte file whose header claims 10¹² items fails at once.
"""

from __future__ import annotations

import gzip
import io
import math
import os
import struct
import zlib
from pathlib import Path
from typing import IO

import numpy as np
from numpy.typing import NDArray

from logitlab._inputs import check_input_file
from logitlab.errors import DataError

UBYTE = 0x08
# Deflate cannot compress better than ~1032:1, so a gzip file of n bytes holds at
# most this many times n once inflated: an upper bound known before inflating.
_MAX_GZIP_RATIO = 1032
_CHUNK = 1 << 20


def read_idx(
    path: str | os.PathLike[str], ndim: int | None = None, name: str | None = None
) -> NDArray[np.uint8]:
    """Read the IDX file at `path` (gzip if it starts with the gzip magic)."""
    path = Path(path)
    check_input_file(path, DataError, "IDX file")  # a FIFO would block the read
    try:
        with path.open("rb") as f:
            return parse_idx(f, ndim=ndim, name=name or str(path))
    except FileNotFoundError:
        raise DataError(f"{name or path}: file not found") from None
    except IsADirectoryError:
        raise DataError(f"{name or path}: is a folder, expected an IDX file") from None


def parse_idx(
    stream: IO[bytes] | bytes, ndim: int | None = None, name: str = "<bytes>"
) -> NDArray[np.uint8]:
    """Parse IDX bytes (gzip or raw) into a uint8 array of the declared shape.

    `ndim` (1 for labels, 3 for images) is checked against the magic number; `name`
    names the source in every error message.
    """
    f: IO[bytes] = io.BytesIO(stream) if isinstance(stream, bytes) else stream
    size = f.seek(0, io.SEEK_END)
    f.seek(0)
    if f.read(2) == b"\x1f\x8b":
        f.seek(0)
        limit = size * _MAX_GZIP_RATIO
        try:
            with gzip.GzipFile(fileobj=f, mode="rb") as gz:
                return _parse(gz, name, ndim, limit=limit)
        except (OSError, EOFError, zlib.error) as exc:
            raise DataError(f"{name}: corrupt gzip data ({exc})") from None
    f.seek(0)
    return _parse(f, name, ndim, limit=size, exact=True)


def _parse(
    f: IO[bytes] | gzip.GzipFile,
    name: str,
    ndim: int | None,
    limit: int,
    exact: bool = False,
) -> NDArray[np.uint8]:
    """Check the header against `limit` (bytes available at most), then read."""
    head = f.read(4)
    if len(head) < 4:
        raise DataError(f"{name}: too short for an IDX header ({len(head)} bytes)")
    zero, type_code, nd = struct.unpack(">HBB", head)
    if zero != 0 or nd not in (1, 3):
        raise DataError(
            f"{name}: bad magic number 0x{head.hex()}, expected 0x00000801 (labels) "
            "or 0x00000803 (images)"
        )
    if type_code != UBYTE:
        raise DataError(
            f"{name}: type code 0x{type_code:02x}, expected 0x08 (unsigned byte)"
        )
    if ndim is not None and nd != ndim:
        kind = "labels" if ndim == 1 else "images"
        raise DataError(
            f"{name}: {nd}-dimensional IDX data, expected {ndim} ({kind}, "
            f"magic 0x0000080{ndim})"
        )
    dims_raw = f.read(4 * nd)
    if len(dims_raw) < 4 * nd:
        raise DataError(f"{name}: truncated header (needs {nd} dimension sizes)")
    shape = struct.unpack(f">{nd}I", dims_raw)
    count = math.prod(shape)  # exact: Python ints do not overflow
    header = 4 + 4 * nd
    if (header + count != limit) if exact else (header + count > limit):
        held = (
            f"holds {limit - header}" if exact else f"can hold at most {limit - header}"
        )
        raise DataError(
            f"{name}: header declares shape {shape} ({count} bytes of data) but the "
            f"file {held}"
        )
    data = bytearray()
    while len(data) < count:  # grow only with bytes actually there
        chunk = f.read(min(_CHUNK, count - len(data)))
        if not chunk:
            break
        data += chunk
    if len(data) < count:
        raise DataError(
            f"{name}: truncated: header declares shape {shape} ({count} bytes of "
            f"data) but only {len(data)} are present"
        )
    if f.read(1):
        raise DataError(f"{name}: trailing bytes after the {count} declared")
    return np.frombuffer(data, dtype=np.uint8).reshape(shape)
