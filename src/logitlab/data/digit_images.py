"""Bring a photo or scan of one handwritten digit to MNIST's format.

MNIST's digits were size-normalised to fit a 20×20 box (aspect ratio kept, antialiased
grey levels) and then placed in a 28×28 field so that their centre of mass sits at the
centre (LeCun et al.). The test set bears this out: every digit's ink spans exactly 20
pixels on its longer side and its centre of mass lies within half a pixel of (14, 14),
i.e. the digits were moved by whole pixels. A model trained on MNIST only sees digits
prepared this way, so `predict` prepares its images the same way.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageOps, UnidentifiedImageError
from scipy import ndimage

from logitlab._inputs import check_input_file
from logitlab.errors import DataError

MNIST_SIZE = 28
DIGIT_BOX = 20
# MNIST's centres of mass cluster at 14.0 ± 0.29 (uniform on [13.5, 14.5]): whole-pixel
# shifts that bring the rounded centre of mass to pixel 14.
CENTRE = 14.0
# The bounding box counts pixels above 5% of the strongest ink: resampling halos and
# JPEG ringing stay outside it. On MNIST's own digits this keeps 84% identical and the
# rest within 0.1% mean grey level. With 0 (every non-zero pixel) the halo of a
# Lanczos-enlarged digit widened the box, and a softmax model's labels on such copies
# agreed with its labels on the originals for 70% of digits instead of 93%.
INK_FRACTION = 0.05
# The background's noise: median absolute deviation × 1.4826 estimates a normal
# standard deviation; levels 3 of them above the background's are ink.
MAD_TO_STD = 1.4826
NOISE_SIGMAS = 3.0
# A phone camera's 48-megapixel photo passes; decoding costs ~9 bytes a pixel (grey
# float64 plus the 8-bit image), ~0.5 GB at this limit. A 17 KB one-bit PNG can
# declare 12000×12000 and took 3.5 GB before this check.
MAX_PIXELS = 50_000_000
_TOO_BIG = (
    f"more than {MAX_PIXELS // 10**6} megapixels; crop or shrink the photo to the digit"
)


def read_image(path: str | os.PathLike[str]) -> NDArray[np.float64]:
    """Grey levels (0 black … 255 white) of an image file, transparency over white.

    The file must be a regular file (a FIFO would block) and the image at most
    `MAX_PIXELS`, judged from its header before any pixel is decoded.
    """
    path = Path(path)
    check_input_file(path, DataError, "image file")
    try:
        with warnings.catch_warnings():  # our own limit, below Pillow's, says it
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img_file = Image.open(path)  # reads the header only
        with img_file as img:
            _check_size(img.size)
            img = ImageOps.exif_transpose(img)  # phone photos carry their rotation
            if img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info:
                rgba = img.convert("RGBA")
                background = Image.new("RGBA", rgba.size, "white")
                img = Image.alpha_composite(background, rgba)
            grey = np.asarray(img.convert("L"), dtype=np.float64)
    except FileNotFoundError:
        raise DataError(f"{path}: no such image file") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a folder, not an image file") from None
    except DataError as exc:
        raise DataError(f"{path}: {exc}") from None
    except Image.DecompressionBombError:  # over twice Pillow's limit, at open()
        raise DataError(f"{path}: {_TOO_BIG}") from None
    except UnidentifiedImageError as exc:
        raise DataError(f"{path}: not a readable image ({_first_line(exc)})") from None
    except Exception as exc:  # damaged files raise every kind inside Pillow
        raise DataError(f"{path}: damaged image ({_first_line(exc)})") from None
    return grey


def _check_size(size: tuple[int, int]) -> None:
    width, height = size
    if width * height > MAX_PIXELS:
        raise DataError(f"{width}×{height} pixels is {_TOO_BIG}")


def to_mnist_format(
    grey: NDArray[np.floating] | NDArray[np.integer],
) -> NDArray[np.uint8]:
    """A (28, 28) uint8 MNIST-style digit (white ink on black) from any grey image.

    The background is the median of the border; a light background is inverted so ink
    is bright, the background level and its noise are subtracted, contrast is stretched
    so the strongest ink is 255, and the ink's bounding box is scaled to fit 20×20 and
    centred by centre of mass in 28×28.
    """
    a = np.asarray(grey, dtype=np.float64)
    if a.ndim != 2 or min(a.shape) < 1:
        raise DataError(f"expected a 2-D grey image, got shape {a.shape}")
    border = np.concatenate([a[0], a[-1], a[:, 0], a[:, -1]])
    if np.median(border) > 127.5:  # dark ink on light paper
        a = 255.0 - a
        border = 255.0 - border
    # Background plus its noise (JPEG, paper texture): median + 3 robust std devs.
    level = np.median(border)
    noise = MAD_TO_STD * np.median(np.abs(border - level))
    a = np.clip(a - (level + NOISE_SIGMAS * noise), 0.0, None)
    peak = a.max()
    if peak <= 0:
        raise DataError("no digit found: the image is blank")
    a *= 255.0 / peak

    ink = a > INK_FRACTION * 255.0
    rows = np.flatnonzero(ink.any(axis=1))
    cols = np.flatnonzero(ink.any(axis=0))
    a = a[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]  # the ink's bounding box
    h, w = a.shape
    factor = DIGIT_BOX / max(h, w)
    size = (max(1, round(w * factor)), max(1, round(h * factor)))  # (width, height)
    # Pillow's LANCZOS widens its kernel when shrinking, so downscaling is antialiased.
    box = np.asarray(
        Image.fromarray(a.astype(np.float32)).resize(size, Image.Resampling.LANCZOS)
    )
    box = np.clip(box, 0.0, 255.0)

    # Place the box so its centre of mass lands on pixel 14 (whole-pixel moves, as
    # MNIST), kept inside the field so no ink is cut off.
    cy, cx = ndimage.center_of_mass(box)
    top = min(max(round(CENTRE - cy), 0), MNIST_SIZE - box.shape[0])
    left = min(max(round(CENTRE - cx), 0), MNIST_SIZE - box.shape[1])
    field = np.zeros((MNIST_SIZE, MNIST_SIZE))
    field[top : top + box.shape[0], left : left + box.shape[1]] = box
    return np.rint(field).astype(np.uint8)


def load_digit_image(path: str | os.PathLike[str]) -> NDArray[np.uint8]:
    """Read a PNG/JPEG/... of one handwritten digit as a (28, 28) MNIST-style image."""
    try:
        return to_mnist_format(read_image(path))
    except DataError as exc:
        if str(path) in str(exc):
            raise
        raise DataError(f"{path}: {exc}") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
