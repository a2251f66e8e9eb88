"""Data sets used in the text: the handwritten digits of scikit-learn.

MNIST cannot be downloaded where the book is built, so the chapters use the
1797 real handwritten digits (8×8 pixels, values 0–16) that ship inside
scikit-learn. Chapter 04, section 4.1 trains variational autoencoders on
them, binarised; chapter 05, section 5.3 reuses them.
"""

import numpy as np

from ilib._validate import non_negative_int

#: Number of images in ``sklearn.datasets.load_digits``.
N_DIGITS = 1797
#: Pixels per image (8×8).
N_PIXELS = 64


def digits(test_size=360, seed=0, binarize=False):
    """The scikit-learn digits as torch tensors, split into train and test.

    Pixel values 0–16 are divided by 16, so every image is a vector of 64
    grey levels in [0, 1]; ``binarize=True`` turns them into 0/1 pixels, the
    data on which a Bernoulli decoder is a proper likelihood. The split is
    stratified by digit and seeded: the default gives 1437 training and 360
    test images.

    Used in chapter 04, section 4.1 (VAE) and chapter 05, section 5.3 (ELBO).

    Parameters
    ----------
    test_size : int, default 360
        Number of test images, between 10 (one per digit) and 1787.
    seed : int, default 0
        Seed of the stratified shuffle (``random_state`` of
        :func:`sklearn.model_selection.train_test_split`).
    binarize : bool, default False
        With True, every pixel is 1 where its grey level is at least 8 of 16
        and 0 elsewhere: binary images, on which a Bernoulli decoder is a
        proper likelihood and ``-ELBO`` bounds ``-log p(x)``.

    Returns
    -------
    x_train, x_test : torch.Tensor
        float32, shape ``(n, 64)``, values in [0, 1] (0 or 1 with ``binarize``).
    y_train, y_test : torch.Tensor
        int64, shape ``(n,)``, the digit 0–9 of each image.

    Raises
    ------
    ValueError
        If ``test_size`` is not an integer in [10, 1787] or ``seed`` is not a
        non-negative integer.
    """
    test_size = non_negative_int(test_size, "test_size")
    if not 10 <= test_size <= N_DIGITS - 10:
        raise ValueError(f"test_size must lie in [10, {N_DIGITS - 10}], got {test_size}")
    seed = non_negative_int(seed, "seed")
    if not isinstance(binarize, bool):
        raise ValueError(f"binarize must be True or False, got {binarize!r}")

    import torch
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    bunch = load_digits()
    x = (bunch.data / 16.0).astype(np.float32)
    if binarize:
        x = (x >= 0.5).astype(np.float32)
    y = bunch.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=test_size, stratify=y, random_state=seed
    )
    return (
        torch.from_numpy(np.ascontiguousarray(x_train)),
        torch.from_numpy(np.ascontiguousarray(x_test)),
        torch.from_numpy(np.ascontiguousarray(y_train)),
        torch.from_numpy(np.ascontiguousarray(y_test)),
    )
