"""Tests of ilib.data: the scikit-learn digits as torch tensors (chapter 04, 4.1)."""

import pytest
import torch
from sklearn.datasets import load_digits

from ilib.data import digits


def test_shapes_types_and_range():
    x_train, x_test, y_train, y_test = digits()
    assert x_train.shape == (1437, 64) and x_test.shape == (360, 64)
    assert y_train.shape == (1437,) and y_test.shape == (360,)
    assert x_train.dtype == torch.float32 and y_train.dtype == torch.int64
    assert float(x_train.min()) >= 0 and float(x_train.max()) <= 1
    assert float(x_train.max()) == 1.0


def test_stratified_and_complete():
    x_train, x_test, y_train, y_test = digits()
    counts = torch.bincount(y_test, minlength=10)
    assert int(counts.min()) >= 35 and int(counts.max()) <= 37
    bunch = load_digits()
    together = torch.cat([x_train, x_test]) * 16
    assert sorted(map(tuple, together.round().int().tolist())) == sorted(
        map(tuple, bunch.data.astype(int).tolist())
    )


def test_seeded():
    a = digits(seed=3)
    b = digits(seed=3)
    c = digits(seed=4)
    assert all(torch.equal(u, v) for u, v in zip(a, b, strict=True))
    assert not torch.equal(a[1], c[1])
    assert digits(test_size=100)[1].shape == (100, 64)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"test_size": 0}, "test_size"), ({"test_size": 0.2}, "test_size"), ({"seed": -1}, "seed")],
)
def test_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name):
        digits(**kwargs)


def test_binarize_thresholds_at_half():
    grey = digits()
    binary = digits(binarize=True)
    for g, b in zip(grey[:2], binary[:2], strict=True):
        assert set(torch.unique(b).tolist()) == {0.0, 1.0}
        torch.testing.assert_close(b, (g >= 0.5).float(), rtol=0, atol=0)
    assert torch.equal(grey[2], binary[2]) and torch.equal(grey[3], binary[3])
    with pytest.raises(ValueError, match="binarize"):
        digits(binarize=1)
