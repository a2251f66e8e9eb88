"""Divergences between continuous densities, on a grid or by quadrature, and Gaussian fits by KL.

Chapter 02 compares densities numerically (to check the closed-form Gaussian
KL divergence, and for the Jensen-Shannon divergence, which has no closed form
for Gaussians) and fits one Gaussian to a two-peaked mixture by minimising the
forward or the reverse KL divergence.

Two ways to integrate:

* on a grid: densities are arrays of density *values* ``p(x)`` on an evenly
  spaced grid ``x``; an integral is the Riemann sum ``sum(f(x)) * dx``, and
  whatever lies outside the grid is lost (section 2.1 shows the effect).
  Probabilities of grid cells are ``p(x) * dx``; going back, a density is
  ``probability / dx`` (not ``probability * len(x)``);
* by adaptive quadrature over the whole real line (``quad_kl``, ``quad_js``):
  densities are functions returning *log*-densities, so that far tails, where
  the densities underflow but their log-ratio grows, still count.

Conventions are those of :mod:`ilib.measures`: ``0 log 0 = 0``; a KL
divergence is ``math.inf`` where ``p > 0`` and ``q = 0``; bad input raises
:class:`ValueError` naming the argument.
"""

import math
from typing import NamedTuple

import numpy as np
from scipy.integrate import quad
from scipy.optimize import minimize
from scipy.special import logsumexp

from ilib import _validate
from ilib.gaussian import LOG_2PI

__all__ = [
    "GaussianFit",
    "fit_gaussian",
    "gaussian_density",
    "gaussian_log_density",
    "grid_js",
    "grid_kl",
    "mixture_density",
    "mixture_log_density",
    "quad_js",
    "quad_kl",
]


def _grid(x):
    """Validate an evenly spaced, increasing 1-D grid; return ``(x, dx)``."""
    arr = _validate.finite_1d(x, "x")
    steps = np.diff(arr)
    dx = float(steps.mean())
    if dx <= 0.0 or not np.allclose(steps, dx, rtol=1e-6, atol=0.0):
        raise ValueError("x must be increasing and evenly spaced")
    return arr, dx


def _density(p, name, x):
    arr = _validate.finite_array(p, name)
    _validate.same_shape(arr, x, name, "x")
    if float(arr.min()) < 0.0:
        raise ValueError(f"{name} has a negative entry")
    return arr


def gaussian_log_density(x, mean, var):
    """Log-density of ``N(mean, var)`` at ``x``, in nats; ``var`` is the *variance*.

    See chapter 02, section 2.1 (KL divergence between Gaussians).

    Parameters
    ----------
    x : array_like or float
        Points.
    mean : float
        Mean.
    var : float
        Variance, positive.

    Returns
    -------
    numpy.ndarray or float
        ``-(x - mean)**2 / (2 var) - ln(2 pi var) / 2``, the shape of ``x``.

    Raises
    ------
    ValueError
        If ``x`` or ``mean`` is not finite or ``var`` is not positive.
    """
    xs = _validate.finite_array(x, "x")
    mean = _validate.finite_float(mean, "mean")
    var = _validate.positive_float(var, "var")
    return -0.5 * (xs - mean) ** 2 / var - 0.5 * (LOG_2PI + math.log(var))


def gaussian_density(x, mean, var):
    """Density of ``N(mean, var)`` at ``x``; ``var`` is the *variance* sigma**2.

    See chapter 02, section 2.1 (KL divergence between Gaussians).

    Parameters
    ----------
    x : array_like
        Points.
    mean : float
        Mean.
    var : float
        Variance, positive.

    Returns
    -------
    numpy.ndarray
        ``exp(-(x - mean)**2 / (2 var)) / sqrt(2 pi var)``.

    Raises
    ------
    ValueError
        As :func:`gaussian_log_density`.
    """
    return np.exp(gaussian_log_density(x, mean, var))


def mixture_log_density(x, weights, means, variances):
    """Log-density of a mixture of Gaussians, ``log sum_k w_k N(x; mean_k, var_k)``.

    Computed with log-sum-exp, so it stays finite far in the tails, where the
    density itself underflows to 0.

    See chapter 02, section 2.1 (forward and reverse KL).

    Parameters
    ----------
    x : array_like or float
        Points.
    weights : array_like, 1-D
        Mixture weights, non-negative, summing to 1.
    means, variances : array_like, 1-D
        Means and *variances* of the components (variances positive).

    Returns
    -------
    numpy.ndarray
        The log-density at ``x``, in nats, the shape of ``x``.

    Raises
    ------
    ValueError
        If the weights are not a distribution, the three arrays differ in
        length, a variance is not positive or an entry is not finite.
    """
    w, _ = _validate.distribution(weights, "weights", 1)
    m = _validate.finite_1d(means, "means", minimum=1)
    v = _validate.positive_entries(_validate.finite_1d(variances, "variances", minimum=1),
                                   "variances")
    if not w.shape == m.shape == v.shape:
        raise ValueError("weights, means and variances must have the same length, got "
                         f"{w.size}, {m.size} and {v.size}")
    xs = _validate.finite_array(x, "x")[..., None]
    logs = -0.5 * (xs - m) ** 2 / v - 0.5 * (LOG_2PI + np.log(v))
    with np.errstate(divide="ignore"):  # a zero weight is log 0 = -inf: that component drops out
        return logsumexp(logs + np.log(w), axis=-1)


def mixture_density(x, weights, means, variances):
    """Density of a mixture of Gaussians, ``sum_k w_k N(x; mean_k, var_k)``.

    See chapter 02, section 2.1 (forward and reverse KL).

    Parameters
    ----------
    x : array_like
        Points.
    weights : array_like, 1-D
        Mixture weights, non-negative, summing to 1.
    means, variances : array_like, 1-D
        Means and *variances* of the components.

    Returns
    -------
    numpy.ndarray
        The mixture density at ``x``.

    Raises
    ------
    ValueError
        As :func:`mixture_log_density`.
    """
    return np.exp(mixture_log_density(x, weights, means, variances))


def _kl_terms(p, q):
    """``p log(p/q)`` with ``0 log 0 = 0``; ``None`` (an infinite sum) where ``p > 0 = q``."""
    mask = p > 0.0
    if (q[mask] == 0.0).any():
        return None
    return p[mask] * np.log(p[mask] / q[mask])


def grid_kl(p, q, x, base=math.e):
    """KL divergence of two densities given on an evenly spaced grid.

    .. math:: D_{\\mathrm{KL}}(p \\| q)
              \\approx \\sum_i p(x_i) \\log \\frac{p(x_i)}{q(x_i)}\\, \\Delta x.

    Only the part of the densities inside the grid counts: mass outside it is
    truncated (section 2.1 shows the effect; :func:`quad_kl` integrates over
    the whole line).

    See chapter 02, section 2.1 (KL divergence between Gaussians).

    Parameters
    ----------
    p, q : array_like, 1-D
        Density values on the grid (not probabilities of cells).
    x : array_like, 1-D
        Increasing, evenly spaced grid.
    base : float, default ``math.e``
        Base of the logarithm (default nats).

    Returns
    -------
    float
        The Riemann-sum estimate; ``math.inf`` where ``p > 0`` and ``q = 0``.

    Raises
    ------
    ValueError
        If ``x`` is not an evenly spaced increasing grid, ``p`` or ``q`` has a
        negative or non-finite entry or another shape, or ``base`` is invalid.
    """
    scale = math.log(_validate.log_base(base))
    xs, dx = _grid(x)
    parr, qarr = _density(p, "p", xs), _density(q, "q", xs)
    terms = _kl_terms(parr, qarr)
    if terms is None:
        return math.inf
    return float(terms.sum()) * dx / scale


def grid_js(p, q, x, base=math.e):
    """Jensen-Shannon divergence of two densities given on an evenly spaced grid.

    .. math:: JS(p, q) = \\tfrac12 D_{\\mathrm{KL}}(p \\| m) + \\tfrac12 D_{\\mathrm{KL}}(q \\| m),
              \\qquad m = \\tfrac12 (p + q).

    Symmetric and at most ``log 2`` (1 bit), even where a KL divergence is
    infinite.

    See chapter 02, section 2.1 (Jensen-Shannon divergence).

    Parameters
    ----------
    p, q : array_like, 1-D
        Density values on the grid.
    x : array_like, 1-D
        Increasing, evenly spaced grid.
    base : float, default ``math.e``
        Base of the logarithm (default nats).

    Returns
    -------
    float
        The Riemann-sum estimate of ``JS(p, q)``.

    Raises
    ------
    ValueError
        As :func:`grid_kl`.
    """
    scale = math.log(_validate.log_base(base))
    xs, dx = _grid(x)
    parr, qarr = _density(p, "p", xs), _density(q, "q", xs)
    m = 0.5 * (parr + qarr)
    total = float(_kl_terms(parr, m).sum()) + float(_kl_terms(qarr, m).sum())
    return max(0.5 * total * dx, 0.0) / scale


def _pieces(points):
    """The real line cut at ``points``: ``[(-inf, a), (a, b), ..., (z, inf)]``."""
    if points is None or len(points) == 0:
        return [(-math.inf, math.inf)]
    cuts = _validate.finite_1d(points, "points", minimum=1)
    if np.any(np.diff(cuts) <= 0):
        raise ValueError("points must be strictly increasing")
    edges = [-math.inf, *cuts.tolist(), math.inf]
    return list(zip(edges[:-1], edges[1:], strict=True))


def _callable(f, name):
    if not callable(f):
        raise ValueError(
            f"{name} must be a function returning log-densities, got {type(f).__name__}")
    return f


def _p_log_ratio(log_p, log_r):
    """``p log(p / r)`` from logs: 0 where ``p`` is (or underflows to) 0; inf if ``r = 0 < p``."""
    p = math.exp(log_p)
    if p == 0.0:
        return 0.0
    return p * (log_p - log_r)


def _integrate(integrand, points):
    total = 0.0
    for a, b in _pieces(points):
        value, _ = quad(integrand, a, b, epsabs=1e-13, epsrel=1e-11, limit=200)
        total += value
    return total


def quad_kl(log_p, log_q, points=None, base=math.e):
    """KL divergence of two densities on the real line by adaptive quadrature.

    .. math:: D_{\\mathrm{KL}}(p \\| q)
              = \\int_{-\\infty}^{\\infty} p(x) \\log \\frac{p(x)}{q(x)}\\, dx,

    computed with :func:`scipy.integrate.quad` from the log-densities, so the
    far tails count even where ``p`` and ``q`` underflow. Nothing is truncated:
    compare :func:`grid_kl`.

    See chapter 02, section 2.1 (forward and reverse KL).

    Parameters
    ----------
    log_p, log_q : callable
        ``float -> float``: the natural log of each density (``-inf`` where it
        is 0), e.g. ``lambda t: gaussian_log_density(t, 0, 1)``.
    points : sequence of float, optional
        Increasing points where the line is cut into pieces integrated
        separately: put them at the peaks of ``p``, so that none is missed.
    base : float, default ``math.e``
        Base of the logarithm (default nats).

    Returns
    -------
    float
        The divergence; ``math.inf`` if ``q = 0`` on a set where ``p > 0``
        (the integral diverges).

    Raises
    ------
    ValueError
        If ``log_p`` or ``log_q`` is not callable, ``points`` is not a finite
        increasing sequence, or ``base`` is invalid.
    """
    scale = math.log(_validate.log_base(base))
    log_p, log_q = _callable(log_p, "log_p"), _callable(log_q, "log_q")
    with np.errstate(invalid="ignore"):
        total = _integrate(lambda t: _p_log_ratio(float(log_p(t)), float(log_q(t))), points)
    if not math.isfinite(total):
        return math.inf
    return max(total, 0.0) / scale


def quad_js(log_p, log_q, points=None, base=math.e):
    """Jensen-Shannon divergence of two densities on the real line by adaptive quadrature.

    .. math:: JS(p, q) = \\tfrac12 D_{\\mathrm{KL}}(p \\| m) + \\tfrac12 D_{\\mathrm{KL}}(q \\| m),
              \\qquad m = \\tfrac12 (p + q).

    At most ``log 2``, reached when ``p`` and ``q`` have disjoint supports.

    See chapter 02, section 2.1 (Jensen-Shannon divergence).

    Parameters
    ----------
    log_p, log_q : callable
        ``float -> float``: the natural log of each density (``-inf`` where it is 0).
    points : sequence of float, optional
        Increasing points where the line is cut (put them at the peaks).
    base : float, default ``math.e``
        Base of the logarithm (default nats).

    Returns
    -------
    float
        ``JS(p, q)``.

    Raises
    ------
    ValueError
        As :func:`quad_kl`.
    """
    scale = math.log(_validate.log_base(base))
    log_p, log_q = _callable(log_p, "log_p"), _callable(log_q, "log_q")

    def integrand(t):
        lp, lq = float(log_p(t)), float(log_q(t))
        if lp == lq == -math.inf:
            return 0.0
        log_m = np.logaddexp(lp, lq) - math.log(2.0)
        return 0.5 * (_p_log_ratio(lp, log_m) + _p_log_ratio(lq, log_m))

    return min(max(_integrate(integrand, points), 0.0), math.log(2.0)) / scale


class GaussianFit(NamedTuple):
    """Result of :func:`fit_gaussian`: the fitted Gaussian and its divergence."""

    mean: float
    var: float
    kl: float


def fit_gaussian(x, p, direction, start=(0.0, 1.0)):
    """Fit one Gaussian ``q = N(mean, var)`` to a density ``p`` by minimising a KL divergence.

    ``direction="forward"`` minimises ``D_KL(p || q)`` (mode-covering: the
    optimum matches the mean and variance of ``p``); ``direction="reverse"``
    minimises ``D_KL(q || p)`` (mode-seeking: ``q`` settles on one peak, the
    one nearest to ``start``). Both divergences are Riemann sums on the grid
    ``x``; the optimiser (SciPy's L-BFGS-B over ``(mean, log var)``) starts at
    ``start``, so the result is deterministic. The reported ``kl`` is the grid
    value: recompute it with :func:`quad_kl` where the grid may cut off a tail.

    See chapter 02, section 2.1 (forward and reverse KL).

    Parameters
    ----------
    x : array_like, 1-D
        Increasing, evenly spaced grid that holds (nearly) all the mass of ``p``.
    p : array_like, 1-D
        Target density values on ``x``, positive where ``q`` may put mass for the
        reverse direction.
    direction : {"forward", "reverse"}
        Which divergence to minimise.
    start : (float, float)
        Starting mean and *variance*.

    Returns
    -------
    GaussianFit
        ``(mean, var, kl)`` with ``kl`` the minimised grid divergence in nats.

    Raises
    ------
    ValueError
        If ``direction`` is unknown, the grid or density is invalid, or the
        starting variance is not positive.
    """
    if direction not in ("forward", "reverse"):
        raise ValueError(f'direction must be "forward" or "reverse", got {direction!r}')
    xs, dx = _grid(x)
    parr = _density(p, "p", xs)
    mean0 = _validate.finite_float(start[0], "start mean")
    var0 = _validate.positive_float(start[1], "start variance")
    with np.errstate(divide="ignore"):  # log 0 = -inf where p vanishes; masked below
        log_p = np.log(parr)

    def objective(theta):
        mean, log_var = theta
        log_q = -0.5 * (xs - mean) ** 2 / np.exp(log_var) - 0.5 * (LOG_2PI + log_var)
        if direction == "forward":
            mask = parr > 0.0
            return float(np.dot(parr[mask], log_p[mask] - log_q[mask])) * dx
        q = np.exp(log_q)
        with np.errstate(invalid="ignore"):
            terms = np.where(q > 0.0, q * (log_q - log_p), 0.0)
        return float(terms.sum()) * dx

    result = minimize(objective, x0=[mean0, math.log(var0)], method="L-BFGS-B",
                      options={"ftol": 1e-14, "gtol": 1e-10, "maxiter": 500})
    mean, log_var = result.x
    return GaussianFit(float(mean), float(math.exp(log_var)), float(result.fun))
