"""Tests of ilib.divergences: grid integrals against closed forms and SciPy, Gaussian fits."""

import math

import numpy as np
import pytest
import scipy.integrate
import scipy.stats

from ilib import gaussian_kl
from ilib.divergences import (
    GaussianFit,
    fit_gaussian,
    gaussian_density,
    gaussian_log_density,
    grid_js,
    grid_kl,
    mixture_density,
    mixture_log_density,
    quad_js,
    quad_kl,
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
        (lambda: grid_kl([1, 1], [1, 1], [0, 1, 2]), "p and x must have the same shape"),
        (lambda: grid_kl([1, 1, 1], [1, 1, 1], [0, 1, 3]), "evenly spaced"),
        (lambda: grid_kl([1, -1], [1, 1], [0, 1]), "p has a negative"),
        (lambda: grid_kl([1, 1], [1, np.nan], [0, 1]), "q has a NaN"),
        (lambda: grid_kl([1, 1], [1, 1], [0, 1], base=1), "base"),
        (lambda: grid_js([1, 1], [1, 1], [[0, 1]]), "x must be 1-D"),
        (lambda: grid_js([1], [1], [0]), "x must hold at least 2"),
        (lambda: gaussian_density([0.0], 0.0, 0.0), "var must be > 0"),
        (lambda: gaussian_density([0.0], math.nan, 1.0), "mean must be finite"),
        (lambda: gaussian_log_density([np.inf], 0.0, 1.0), "x has a NaN or infinite"),
        (lambda: mixture_density([0.0], [0.5, 0.5], [0, 1], [1, -1]), "variances must be positive"),
        (lambda: mixture_density([0.0], [0.5, 0.6], [0, 1], [1, 1]), "sum to 1"),
        (lambda: mixture_density([0.0], [1.0], [0, 1], [1, 1]), "same length"),
        (lambda: fit_gaussian([0, 1], [1, 1], "sideways"), "direction"),
        (lambda: fit_gaussian([0, 1], [1, 1], "forward", start=(0, -1)), "start variance"),
        (lambda: quad_kl(0.5, math.log), "log_p must be a function"),
        (lambda: quad_js(math.log, "q"), "log_q must be a function"),
        (lambda: quad_kl(math.log, math.log, points=[1.0, 0.0]), "points must be strictly"),
        (lambda: quad_kl(math.log, math.log, points=[0.0, math.inf]), "points has a NaN"),
        (lambda: quad_js(math.log, math.log, base=-2), "base"),
    ],
)
def test_bad_input_raises(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ------------------------------------------------------------------ quadrature over the real line


def _normal(mean, var):
    return lambda t: gaussian_log_density(t, mean, var)


def _laplace(loc, scale):
    # written out: scipy.stats.laplace.logpdf underflows to -inf in the far tails
    return lambda t: -math.log(2 * scale) - abs(t - loc) / scale


def _uniform(a, b):
    return lambda t: -math.log(b - a) if a <= t <= b else -math.inf


@pytest.mark.parametrize(
    ("m1", "v1", "m2", "v2"),
    [(0, 1, 1, 1), (0, 1, 2, 4), (2, 4, 0, 1), (0, 1, 2, 2), (-1, 0.5, 0.3, 3), (0, 1, 0, 100)],
)
def test_quad_kl_matches_the_gaussian_closed_form(m1, v1, m2, v2):
    value = quad_kl(_normal(m1, v1), _normal(m2, v2), points=[m1])
    assert value == pytest.approx(gaussian_kl(m1, v1, m2, v2), rel=1e-9, abs=1e-12)
    in_bits = quad_kl(_normal(m1, v1), _normal(m2, v2), points=[m1], base=2)
    assert in_bits == pytest.approx(gaussian_kl(m1, v1, m2, v2, base=2), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(("m1", "b1", "m2", "b2"), [(0, 1, 1, 2), (0.5, 2, -1, 0.7), (0, 1, 0, 1)])
def test_quad_kl_matches_the_laplace_closed_form(m1, b1, m2, b2):
    # D(Laplace(m1, b1) || Laplace(m2, b2)) = ln(b2/b1) + (b1 e^{-|m1-m2|/b1} + |m1-m2|)/b2 - 1
    d = abs(m1 - m2)
    exact = math.log(b2 / b1) + (b1 * math.exp(-d / b1) + d) / b2 - 1
    assert quad_kl(_laplace(m1, b1), _laplace(m2, b2), points=sorted({m1, m2})) == pytest.approx(
        exact, rel=1e-8, abs=1e-12)


def test_quad_kl_counts_the_tails_a_grid_cuts_off():
    mixture = lambda t: mixture_log_density(t, [0.5, 0.5], [-2.0, 2.0], [0.36, 0.36])  # noqa: E731
    wide = _normal(0.0, 4.36)
    full = quad_kl(wide, mixture, points=[-2, 0, 2])
    def integrand(t):
        return math.exp(wide(t)) * (wide(t) - mixture(t))

    inside = scipy.integrate.quad(integrand, -8, 8, points=[-2, 0, 2], epsabs=1e-13)[0]
    tails = 2 * scipy.integrate.quad(integrand, 8, np.inf, epsabs=1e-13)[0]
    assert full == pytest.approx(inside + tails, abs=1e-9)
    x = np.linspace(-8, 8, 3201)
    assert grid_kl(np.exp(wide(x)), np.exp(mixture(x)), x) == pytest.approx(inside, abs=1e-4)
    assert tails > 5e-3


def test_quad_kl_is_infinite_where_q_vanishes_and_ignores_where_p_does():
    assert quad_kl(_uniform(0, 2), _uniform(0, 1), points=[0, 1, 2]) == math.inf
    assert quad_kl(_uniform(0, 1), _uniform(0, 2), points=[0, 1, 2]) == pytest.approx(math.log(2))


def test_quad_js_matches_the_grid_and_saturates_on_disjoint_supports():
    p, q = gaussian_density(X, 0, 1), gaussian_density(X, 1, 1)
    by_quad = quad_js(_normal(0, 1), _normal(1, 1), points=[0, 1])
    assert by_quad == pytest.approx(grid_js(p, q, X), abs=1e-9)
    cuts = [0, 1, 2, 3]
    assert quad_js(_uniform(0, 1), _uniform(2, 3), points=cuts) == pytest.approx(math.log(2))
    assert quad_js(_uniform(0, 1), _uniform(2, 3), points=cuts, base=2) == pytest.approx(1.0)
    assert quad_js(_normal(0, 1), _normal(0, 1)) == pytest.approx(0.0, abs=1e-12)
    previous = 0.0
    for d in (1, 2, 4, 8):
        js = quad_js(_normal(0, 1), _normal(d, 1), points=[0, d])
        assert previous < js < math.log(2)
        assert js == pytest.approx(quad_js(_normal(d, 1), _normal(0, 1), points=[0, d]), abs=1e-12)
        previous = js
    far = quad_js(_normal(0, 1), _normal(40, 1), points=[0, 20, 40])
    assert far == pytest.approx(math.log(2), abs=1e-12)


def test_laplace_helper_matches_scipy():
    t = np.linspace(-20, 20, 9)
    assert np.allclose([_laplace(0.5, 2.0)(v) for v in t], scipy.stats.laplace.logpdf(t, 0.5, 2.0))


def test_log_densities_match_scipy():
    t = np.linspace(-30, 30, 13)
    assert np.allclose(gaussian_log_density(t, 1.0, 4.0), scipy.stats.norm.logpdf(t, 1.0, 2.0))
    expected = np.logaddexp(np.log(0.3) + scipy.stats.norm.logpdf(t, -2, 0.6),
                            np.log(0.7) + scipy.stats.norm.logpdf(t, 1, 2 ** 0.5))
    assert np.allclose(mixture_log_density(t, [0.3, 0.7], [-2.0, 1.0], [0.36, 2.0]), expected)
    assert np.isfinite(mixture_log_density(200.0, [0.5, 0.5], [-2.0, 2.0], [0.36, 0.36]))
    assert mixture_log_density(0.0, [1.0, 0.0], [0.0, 5.0], [1.0, 1.0]) == pytest.approx(
        scipy.stats.norm.logpdf(0.0))
