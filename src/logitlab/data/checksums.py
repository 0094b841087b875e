"""The datasets' canonical digests: facts about the data, so they live in the code.

Array digests are SHA-256 of the C-contiguous uint8 bytes (images (N, 28, 28), labels
(N,)); they hold whatever file, compression or mirror the arrays came from. File digests
are the ones published for the canonical `.gz` files, checked on download.
"""

from __future__ import annotations

import hashlib

import numpy as np
from numpy.typing import NDArray

from logitlab.errors import DataError

ARRAY_NAMES = ("train_images", "train_labels", "test_images", "test_labels")

ARRAY_SHAPES = {
    "train_images": (60000, 28, 28),
    "train_labels": (60000,),
    "test_images": (10000, 28, 28),
    "test_labels": (10000,),
}

# In the order of ARRAY_NAMES: train images, train labels, test images, test labels.
ARRAY_SHA256 = {
    "mnist": dict(
        zip(
            ARRAY_NAMES,
            (
                "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
                "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
                "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
                "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
            ),
            strict=True,
        )
    ),
    # Debian's dataset-fashion-mnist re-gzips the files, so only array digests match.
    "fashion-mnist": dict(
        zip(
            ARRAY_NAMES,
            (
                "2e487a6c89124f78f2d7521542223cafe96f7123c3ca13d447772ac6ecbb3012",
                "657fbd221bfc9f4198cc14b5619cc33ec57c58dd0e47af4d99d6650759e869a7",
                "c867c93ff95360594e8ec3287995350b824dd110b11595c0e13d5423f621867a",
                "3d0e6c6ea990b53b6f8f500a41cac93881d981b315f84578b7d915342ade01e9",
            ),
            strict=True,
        )
    ),
}

# (algorithm, hex digest) published for each canonical file: MNIST's SHA-256 from
# tensorflow_datasets' url_checksums/mnist.txt; Fashion-MNIST's MD5 from the table in
# zalandoresearch/fashion-mnist's README (the only digests its authors publish).
FILE_DIGESTS = {
    "mnist": {
        "train-images-idx3-ubyte.gz": (
            "sha256",
            "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        ),
        "train-labels-idx1-ubyte.gz": (
            "sha256",
            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        ),
        "t10k-images-idx3-ubyte.gz": (
            "sha256",
            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        ),
        "t10k-labels-idx1-ubyte.gz": (
            "sha256",
            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        ),
    },
    "fashion-mnist": {
        "train-images-idx3-ubyte.gz": ("md5", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        "train-labels-idx1-ubyte.gz": ("md5", "25c81989df183df01b3e8a0aad5dffbe"),
        "t10k-images-idx3-ubyte.gz": ("md5", "bef4ecab320f06d8554ea6380940ec79"),
        "t10k-labels-idx1-ubyte.gz": ("md5", "bb300cfdad3c16e7a12a480ee83cd310"),
    },
}


def array_digest(array: NDArray[np.uint8]) -> str:
    """SHA-256 of the array's C-contiguous uint8 bytes (hashed without a copy)."""
    return hashlib.sha256(np.ascontiguousarray(array, dtype=np.uint8).data).hexdigest()


def verify_array(
    dataset: str, name: str, array: NDArray[np.uint8], source: str
) -> None:
    """Raise DataError unless `array` is exactly the canonical `dataset` `name`."""
    shape = ARRAY_SHAPES[name]
    if array.dtype != np.uint8 or array.shape != shape:
        raise DataError(
            f"{dataset} {name} from {source}: {array.dtype} {array.shape}, expected "
            f"uint8 {shape}"
        )
    if array_digest(array) != ARRAY_SHA256[dataset][name]:
        raise DataError(
            f"{dataset} {name} from {source} fails its SHA-256 check: the data differ "
            "from the canonical release"
        )
