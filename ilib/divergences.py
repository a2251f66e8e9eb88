"""Divergences between continuous densities on a grid, and Gaussian fits by KL.

Chapter 02 compares densities numerically (to check the closed-form Gaussian
KL divergence, and for the Jensen-Shannon divergence, which has no closed form
for Gaussians) and fits one Gaussian to a two-peaked mixture by minimising the
forward or the reverse KL divergence.

Densities are arrays of density *values* ``p(x)`` on an evenly spaced grid
``x``; an integral is the Riemann sum ``sum(f(x)) * dx``. Probabilities of grid
cells are ``p(x) * dx``; going back, a density is ``probability / dx`` (not
``probability * len(x)``: the pitfall of section 2.1).

Conventions are those of :mod:`ilib.measures`: ``0 log 0 = 0``; a KL
divergence is ``math.inf`` where ``p > 0`` and ``q = 0``; bad input raises
:class:`ValueError` naming the argument.
"""

import math
from typing import NamedTuple

import numpy as np
from scipy.optimize import minimize
from scipy.special import logsumexp

from ilib import _validate

__all__ = [
    "GaussianFit",
    "fit_gaussian",
    "gaussian_density",
    "grid_js",
    "grid_kl",
    "mixture_density",
]

_LOG_2PI = math.log(2.0 * math.pi)


def _array(a, name):
    arr = _validate.float_array(a, name)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} has a NaN or infinite entry")
    return arr


def _grid(x):
    """Validate an evenly spaced, increasing 1-D grid; return ``(x, dx)``."""
    arr = _array(x, "x")
    if arr.ndim != 1 or arr.size < 2:
        raise ValueError(f"x must be a 1-D grid of at least 2 points, got shape {arr.shape}")
    steps = np.diff(arr)
    dx = float(steps.mean())
    if dx <= 0.0 or not np.allclose(steps, dx, rtol=1e-6, atol=0.0):
        raise ValueError("x must be increasing and evenly spaced")
    return arr, dx


def _density(p, name, x):
    arr = _array(p, name)
    if arr.shape != x.shape:
        raise ValueError(f"{name} must have the shape of x {x.shape}, got {arr.shape}")
    if float(arr.min()) < 0.0:
        raise ValueError(f"{name} has a negative entry")
    return arr


def _base_scale(base):
    return math.log(_validate.log_base(base))


def _check_variance(var, name="var"):
    arr = _array(var, name)
    if not (arr > 0.0).all():
        raise ValueError(f"{name} must be positive (a variance), got {arr.min()!r}")
    return arr


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
    """
    xs = _array(x, "x")
    mean = float(_array(mean, "mean"))
    var = float(_check_variance(var))
    return np.exp(-0.5 * (xs - mean) ** 2 / var - 0.5 * (_LOG_2PI + math.log(var)))


def _mixture_log_density(x, weights, means, variances):
    w = _array(weights, "weights")
    m = _array(means, "means")
    v = _check_variance(variances, "variances")
    if not (w.ndim == m.ndim == v.ndim == 1 and w.shape == m.shape == v.shape):
        raise ValueError("weights, means and variances must be 1-D with the same length")
    if float(w.min()) < 0.0 or abs(float(w.sum()) - 1.0) > 1e-6:
        raise ValueError("weights must be non-negative and sum to 1")
    xs = _array(x, "x")[..., None]
    logs = -0.5 * (xs - m) ** 2 / v - 0.5 * (_LOG_2PI + np.log(v))
    with np.errstate(divide="ignore"):
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
    """
    return np.exp(_mixture_log_density(x, weights, means, variances))


def _kl_terms(p, q):
    """``p log(p/q)`` with ``0 log 0 = 0``; ``inf`` where ``p > 0 = q``."""
    mask = p > 0.0
    if (q[mask] == 0.0).any():
        return None
    return p[mask] * np.log(p[mask] / q[mask])


def grid_kl(p, q, x, base=math.e):
    """KL divergence of two densities given on an evenly spaced grid.

    .. math:: D_{KL}(p \\| q) \\approx \\sum_i p(x_i) \\log \\frac{p(x_i)}{q(x_i)}\\, \\Delta x.

    Only the part of the densities inside the grid counts: mass outside it is
    truncated (section 2.1 shows the effect).

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
    scale = _base_scale(base)
    xs, dx = _grid(x)
    parr, qarr = _density(p, "p", xs), _density(q, "q", xs)
    terms = _kl_terms(parr, qarr)
    if terms is None:
        return math.inf
    return float(terms.sum()) * dx / scale


def grid_js(p, q, x, base=math.e):
    """Jensen-Shannon divergence of two densities given on an evenly spaced grid.

    .. math:: JS(p, q) = \\tfrac12 D_{KL}(p \\| m) + \\tfrac12 D_{KL}(q \\| m),
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
    scale = _base_scale(base)
    xs, dx = _grid(x)
    parr, qarr = _density(p, "p", xs), _density(q, "q", xs)
    m = 0.5 * (parr + qarr)
    total = float(_kl_terms(parr, m).sum()) + float(_kl_terms(qarr, m).sum())
    return max(0.5 * total * dx, 0.0) / scale


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
    ``start``, so the result is deterministic.

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
        ``(mean, var, kl)`` with ``kl`` the minimised divergence in nats.

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
    mean0 = float(_array(start[0], "start mean"))
    var0 = float(_check_variance(start[1], "start variance"))
    with np.errstate(divide="ignore"):
        log_p = np.log(parr)

    def objective(theta):
        mean, log_var = theta
        log_q = -0.5 * (xs - mean) ** 2 / np.exp(log_var) - 0.5 * (_LOG_2PI + log_var)
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
