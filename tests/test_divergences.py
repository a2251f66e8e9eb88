"""Tests of ilib.divergences: grid integrals against closed forms and SciPy, Gaussian fits."""

import math

import numpy as np
import pytest
import scipy.stats

from ilib import gaussian_kl
from ilib.divergences import (
    GaussianFit,
    fit_gaussian,
    gaussian_density,
    grid_js,
    grid_kl,
    mixture_density,
)

X = np.linspace(-20.0, 21.0, 41001)


def test_gaussian_density_matches_scipy_and_takes_a_variance():
    x = np.linspace(-3, 5, 17)
    assert np.allclose(gaussian_density(x, 1.0, 4.0), scipy.stats.norm.pdf(x, 1.0, 2.0))


def test_mixture_density_integrates_to_one_and_matches_scipy():
    x = np.linspace(-10, 10, 4001)
    p = mixture_density(x, [0.3, 0.7], [-2.0, 1.0], [0.36, 2.0])
    expected = 0.3 * scipy.stats.norm.pdf(x, -2, 0.6) + 0.7 * scipy.stats.norm.pdf(x, 1, 2 ** 0.5)
    assert np.allclose(p, expected, rtol=1e-12, atol=1e-300)
    assert p.sum() * (x[1] - x[0]) == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize(
    ("m1", "v1", "m2", "v2"),
    [(0, 1, 1, 1), (0, 1, 2, 4), (2, 4, 0, 1), (0, 1, 1, 4), (0, 1, 2, 2), (-1, 0.5, 0.3, 3)],
)
def test_grid_kl_matches_the_closed_form(m1, v1, m2, v2):
    p, q = gaussian_density(X, m1, v1), gaussian_density(X, m2, v2)
    assert grid_kl(p, q, X) == pytest.approx(gaussian_kl(m1, v1, m2, v2), abs=1e-9)
    assert grid_kl(p, q, X, base=2) == pytest.approx(gaussian_kl(m1, v1, m2, v2, base=2), abs=1e-9)


def test_book_values():
    p, q = gaussian_density(X, 0, 1), gaussian_density(X, 1, 1)
    assert grid_js(p, q, X) == pytest.approx(0.111421, abs=5e-7)
    assert grid_js(p, q, X, base=2) == pytest.approx(0.160747, abs=5e-7)
    assert grid_kl(p, q, X) == pytest.approx(0.5, abs=1e-9)


def test_js_is_symmetric_and_bounded_even_with_disjoint_support():
    x = np.linspace(0, 1, 101)
    dx = x[1] - x[0]
    p = np.where(x < 0.5, 1.0, 0.0)
    q = np.where(x >= 0.5, 1.0, 0.0)
    p, q = p / (p.sum() * dx), q / (q.sum() * dx)
    assert grid_kl(p, q, x) == math.inf
    js = grid_js(p, q, x, base=2)
    assert js == pytest.approx(grid_js(q, p, x, base=2))
    assert 0.0 <= js <= 1.0 + 1e-12


def test_zero_p_adds_nothing():
    x = np.linspace(0, 1, 11)
    p = np.array([0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 0], dtype=float)
    q = np.full(11, 1.0)
    assert grid_kl(p, q, x) == pytest.approx(5 * 2 * math.log(2) * 0.1)


def test_forward_fit_matches_moments_and_reverse_fit_finds_a_peak():
    x = np.linspace(-8, 8, 3201)
    p = mixture_density(x, [0.5, 0.5], [-2.0, 2.0], [0.36, 0.36])
    forward = fit_gaussian(x, p, "forward", start=(1.0, 1.0))
    assert isinstance(forward, GaussianFit)
    assert forward.mean == pytest.approx(0.0, abs=1e-5)
    assert forward.var == pytest.approx(4.36, rel=1e-5)
    assert forward.kl == pytest.approx(grid_kl(p, gaussian_density(x, 0.0, 4.36), x), abs=1e-9)
    right = fit_gaussian(x, p, "reverse", start=(1.0, 1.0))
    left = fit_gaussian(x, p, "reverse", start=(-1.0, 1.0))
    assert right.mean == pytest.approx(2.0, abs=0.01) and left.mean == pytest.approx(-2.0, abs=0.01)
    assert right.var == pytest.approx(0.36, rel=0.05)
    assert right.kl == pytest.approx(left.kl, abs=1e-8)
    assert right.kl == pytest.approx(math.log(2), abs=0.01)
    assert right.kl < forward.kl + 0.2  # both finite, the reverse fit ignores one peak


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: grid_kl([1, 1], [1, 1], [0, 0]), "evenly spaced"),
        (lambda: grid_kl([1, 1], [1, 1], [0, 1, 2]), "shape of x"),
        (lambda: grid_kl([1, 1, 1], [1, 1, 1], [0, 1, 3]), "evenly spaced"),
        (lambda: grid_kl([1, -1], [1, 1], [0, 1]), "p has a negative"),
        (lambda: grid_kl([1, 1], [1, np.nan], [0, 1]), "q has a NaN"),
        (lambda: grid_kl([1, 1], [1, 1], [0, 1], base=1), "base"),
        (lambda: grid_js([1, 1], [1, 1], [[0, 1]]), "1-D grid"),
        (lambda: gaussian_density([0.0], 0.0, 0.0), "variance"),
        (lambda: mixture_density([0.0], [0.5, 0.6], [0, 1], [1, 1]), "sum to 1"),
        (lambda: mixture_density([0.0], [1.0], [0, 1], [1, 1]), "same length"),
        (lambda: fit_gaussian([0, 1], [1, 1], "sideways"), "direction"),
        (lambda: fit_gaussian([0, 1], [1, 1], "forward", start=(0, -1)), "start variance"),
    ],
)
def test_bad_input_raises(call, message):
    with pytest.raises(ValueError, match=message):
        call()
