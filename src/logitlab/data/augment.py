"""Deformed copies of training digits: small random affine maps, elastic distortions.

The classic way to give a linear model more than 60,000 examples (Simard, Steinkraus &
Platt 2003, "Best practices for convolutional neural networks applied to visual
document analysis"; Loosli, Canu & Bottou's infiMNIST): every new image is a training
digit seen through a random smooth displacement field,

    source(p) = A (p - c) + c + t + α · (G_σ * u)(p),     u ~ U(-1, 1)^{28×28×2}

with A a small rotation/shear/scaling, t a shift of at most a pixel, c the image
centre, G_σ a Gaussian smoothing (σ = 4 px, α = 34 px: Simard's values), and the pixel
values read off the source digit by bilinear interpolation (`map_coordinates`).

Reproducible chunk by chunk: the images of rows [start, stop) depend only on the seed
and `start` (one generator per chunk, seeded by both), so any chunk can be regenerated
alone — which is what lets a Dask worker that died recompute its share.
Row j deforms training digit j mod 60,000 and keeps its label.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import gaussian_filter, map_coordinates

ELASTIC_SIGMA = 4.0  # px: smoothness of the displacement field (Simard et al.)
ELASTIC_ALPHA = 34.0  # px: its strength (Simard et al.)
MAX_ROTATION = 0.15  # rad, about 9 degrees
MAX_SHEAR = 0.15
MAX_SCALE = 0.1  # each axis scaled by 1 ± at most this
MAX_SHIFT = 1.0  # px


def _affine(rng: np.random.Generator, m: int) -> tuple[Any, Any]:
    """m random 2×2 maps (rotation · shear · scaling) and shifts: (m, 2, 2), (m, 2)."""
    theta = rng.uniform(-MAX_ROTATION, MAX_ROTATION, m)
    shear = rng.uniform(-MAX_SHEAR, MAX_SHEAR, m)
    scale = rng.uniform(1 - MAX_SCALE, 1 + MAX_SCALE, (m, 2))
    cos, sin = np.cos(theta), np.sin(theta)
    rotation = np.stack([np.stack([cos, -sin], -1), np.stack([sin, cos], -1)], 1)
    shearing = np.zeros((m, 2, 2))
    shearing[:, 0, 0] = shearing[:, 1, 1] = 1.0
    shearing[:, 0, 1] = shear
    A = rotation @ shearing * scale[:, None, :]  # columns scaled: A = R H diag(s)
    return A, rng.uniform(-MAX_SHIFT, MAX_SHIFT, (m, 2))


def deform(images: NDArray[np.uint8], rng: np.random.Generator) -> NDArray[np.uint8]:
    """Each image (m, h, w) seen through its own random affine + elastic field."""
    m, h, w = images.shape
    A, shift = _affine(rng, m)
    noise = rng.uniform(-1.0, 1.0, (2, m, h, w))
    # smooth each image's field on its own (σ 0 along the image axis)
    field = ELASTIC_ALPHA * gaussian_filter(
        noise, sigma=(0, 0, ELASTIC_SIGMA, ELASTIC_SIGMA), mode="constant"
    )
    rows, cols = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    centre = np.array([(h - 1) / 2, (w - 1) / 2])
    p = np.stack([rows.ravel(), cols.ravel()]) - centre[:, None]  # (2, h w)
    mapped = A @ p + (centre + shift)[:, :, None]  # (m, 2, h w)
    source = mapped.reshape(m, 2, h, w) + field.transpose(1, 0, 2, 3)
    pixels = images.astype(np.float64)
    values = np.empty((m, h, w))
    for i in range(m):  # one 2-D interpolation per image (a 3-D one costs 3× more)
        map_coordinates(
            pixels[i], source[i], output=values[i], order=1, mode="constant", cval=0.0
        )
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


def augmented_rows(
    images: NDArray[np.uint8], start: int, stop: int, seed: int
) -> NDArray[np.uint8]:
    """Rows [start, stop) of the augmented set as (stop - start, h·w) uint8 pixels.

    `images` (n, h, w) are the source digits; row j deforms images[j mod n].
    """
    source = images[np.arange(start, stop) % len(images)]
    rng = np.random.default_rng([seed, start])
    return deform(source, rng).reshape(stop - start, -1)


def augmented_labels(
    labels: NDArray[np.integer[Any]], start: int, stop: int
) -> NDArray[np.uint8]:
    """The labels of rows [start, stop): those of the digits they deform."""
    return labels[np.arange(start, stop) % len(labels)].astype(np.uint8)
