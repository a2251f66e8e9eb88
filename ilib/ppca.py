"""Probabilistic PCA: a latent-variable model whose ELBO can be checked exactly.

Tipping & Bishop (1999): a latent code ``z ~ N(0, I_k)`` and an observation
``x | z ~ N(W z + mu, sigma² I_d)``. Everything a VAE can only estimate has a
closed form here: the evidence ``log p(x)`` (``x ~ N(mu, W Wᵀ + sigma² I)``),
the posterior ``p(z|x)``, the ELBO of any Gaussian ``q(z|x)`` and its gap
``KL(q(z|x) || p(z|x))``. Chapter 05, section 5.4 uses it to check the identity
``log p(x) - ELBO(q) = KL(q || p(z|x))`` and the importance-weighted bounds.

NumPy, float64, natural logarithms (nats). The densities are over continuous
values, so they are not comparable with the probabilities of binary images.
"""

import math
from typing import NamedTuple

import numpy as np

from ilib import _validate
from ilib.gaussian import LOG_2PI

__all__ = [
    "PPCA",
    "elbo",
    "fit_ppca",
    "kl_to_posterior",
    "log_importance_weights",
    "log_marginal",
    "posterior",
]


class PPCA(NamedTuple):
    """Parameters of a probabilistic PCA model.

    Attributes
    ----------
    mean : numpy.ndarray, shape (d,)
        ``mu``, the mean of ``x``.
    weight : numpy.ndarray, shape (d, k)
        ``W``, the loading matrix.
    noise_variance : float
        ``sigma²``, the variance of the isotropic observation noise (> 0).
    """

    mean: np.ndarray
    weight: np.ndarray
    noise_variance: float

    @property
    def latent_dim(self):
        return self.weight.shape[1]

    @property
    def data_dim(self):
        return self.weight.shape[0]


# --------------------------------------------------------------------------- checks
def _model(model):
    if not isinstance(model, PPCA):
        raise ValueError(f"model must be an ilib.ppca.PPCA, got {type(model).__name__}")
    return model


def _data(x, d, name="x"):
    arr = _validate.float_array(x, name)
    if arr.ndim != 2 or arr.shape[1] != d:
        raise ValueError(f"{name} must have shape (n, {d}), got {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} has a NaN or infinite entry")
    return arr


def _q(q_mean, q_cov, n, k):
    """Check a Gaussian q(z|x) for n images; return means (n, k), covariances, Cholesky factors."""
    m = _data(q_mean, k, "q_mean")
    if m.shape[0] != n:
        raise ValueError(f"q_mean must have {n} rows (one per image), got {m.shape[0]}")
    s = _validate.float_array(q_cov, "q_cov")
    if s.shape not in ((k, k), (n, k, k)):
        raise ValueError(f"q_cov must have shape ({k}, {k}) or ({n}, {k}, {k}), got {s.shape}")
    if not np.isfinite(s).all():
        raise ValueError("q_cov has a NaN or infinite entry")
    if not np.allclose(s, np.swapaxes(s, -1, -2)):
        raise ValueError("q_cov must be symmetric")
    try:
        chol = np.linalg.cholesky(s)
    except np.linalg.LinAlgError:
        raise ValueError("q_cov must be positive definite") from None
    return m, s, chol


def _log_det(chol):
    return 2 * np.log(np.diagonal(chol, axis1=-2, axis2=-1)).sum(axis=-1)


# ----------------------------------------------------------------------------- model
def fit_ppca(x, latent_dim):
    """Maximum-likelihood probabilistic PCA in closed form (Tipping & Bishop, 1999).

    With the sample covariance ``S = (1/n) sum (x - mu)(x - mu)ᵀ`` and its
    eigenvalues ``l_1 >= ... >= l_d`` (eigenvectors ``U``), the maximum of the
    likelihood is at ``mu`` = the sample mean, ``sigma²`` = the mean of the
    ``d - k`` discarded eigenvalues, and ``W = U_k (L_k - sigma² I)^{1/2}`` (up
    to a rotation of the latent space, fixed here to the identity).
    See chapter 05, section 5.4.

    Parameters
    ----------
    x : array, shape (n, d)
        Data, one row per example (n >= 2).
    latent_dim : int
        ``k``, between 1 and ``d - 1``.

    Returns
    -------
    PPCA

    Raises
    ------
    ValueError
        If ``x`` is not a finite 2-D array with at least two rows, ``latent_dim``
        is not an integer in [1, d - 1], or the discarded eigenvalues are all
        zero (``sigma² = 0``: the data lie in a k-dimensional subspace).
    """
    arr = _validate.float_array(x, "x")
    if arr.ndim != 2 or arr.shape[0] < 2 or arr.shape[1] < 2:
        raise ValueError(f"x must have shape (n, d) with n >= 2 and d >= 2, got {arr.shape}")
    arr = _data(arr, arr.shape[1])
    d = arr.shape[1]
    k = _validate.positive_int(latent_dim, "latent_dim")
    if k >= d:
        raise ValueError(f"latent_dim must be below the data dimension {d}, got {k}")
    mu = arr.mean(axis=0)
    centred = arr - mu
    eigenvalues, eigenvectors = np.linalg.eigh(centred.T @ centred / arr.shape[0])
    eigenvalues, eigenvectors = eigenvalues[::-1], eigenvectors[:, ::-1]
    # eigh may return tiny negative values for a rank-deficient covariance
    discarded = np.clip(eigenvalues[k:], 0.0, None)
    noise_variance = float(discarded.mean())
    if noise_variance <= 0:
        raise ValueError("x lies in a subspace of dimension <= latent_dim: sigma² would be 0")
    weight = eigenvectors[:, :k] * np.sqrt(np.clip(eigenvalues[:k] - noise_variance, 0.0, None))
    return PPCA(mu, weight, noise_variance)


def log_marginal(model, x):
    """``log p(x) = log N(x; mu, W Wᵀ + sigma² I)`` per row, in nats.

    The evidence that every ELBO bounds from below. See chapter 05, section 5.4.

    Parameters
    ----------
    model : PPCA
    x : array, shape (n, d)

    Returns
    -------
    numpy.ndarray, shape (n,)
    """
    model = _model(model)
    x = _data(x, model.data_dim)
    cov = model.weight @ model.weight.T + model.noise_variance * np.eye(model.data_dim)
    chol = np.linalg.cholesky(cov)
    white = np.linalg.solve(chol, (x - model.mean).T)
    return -0.5 * (model.data_dim * LOG_2PI + _log_det(chol) + (white**2).sum(axis=0))


def posterior(model, x):
    """The exact posterior ``p(z|x) = N(M⁻¹ Wᵀ (x - mu), sigma² M⁻¹)``, ``M = WᵀW + sigma² I``.

    The covariance is the same for every ``x``. See chapter 05, section 5.4.

    Parameters
    ----------
    model : PPCA
    x : array, shape (n, d)

    Returns
    -------
    mean : numpy.ndarray, shape (n, k)
    cov : numpy.ndarray, shape (k, k)
    """
    model = _model(model)
    x = _data(x, model.data_dim)
    m = model.weight.T @ model.weight + model.noise_variance * np.eye(model.latent_dim)
    mean = np.linalg.solve(m, model.weight.T @ (x - model.mean).T).T
    return mean, model.noise_variance * np.linalg.inv(m)


def elbo(model, x, q_mean, q_cov):
    """``ELBO(q) = E_q[log p(x|z)] - KL(q(z|x) || N(0, I))`` in closed form, per row, nats.

    For ``q(z|x) = N(m, S)``: ``E_q[log p(x|z)] = -d/2 log(2 pi sigma²)
    - (||x - mu - W m||² + tr(Wᵀ W S)) / (2 sigma²)`` and
    ``KL = (tr S + ||m||² - k - log det S) / 2``. See chapter 05, section 5.4.

    Parameters
    ----------
    model : PPCA
    x : array, shape (n, d)
    q_mean : array, shape (n, k)
        Mean of ``q(z|x)`` for every row of ``x``.
    q_cov : array, shape (k, k) or (n, k, k)
        Covariance of ``q(z|x)``, shared or one per row; positive definite.

    Returns
    -------
    numpy.ndarray, shape (n,)
    """
    model = _model(model)
    x = _data(x, model.data_dim)
    m, s, chol = _q(q_mean, q_cov, x.shape[0], model.latent_dim)
    w, var, d, k = model.weight, model.noise_variance, model.data_dim, model.latent_dim
    residual = ((x - model.mean - m @ w.T) ** 2).sum(axis=1)
    trace = np.trace(w.T @ w @ s, axis1=-2, axis2=-1)
    reconstruction = -0.5 * d * math.log(2 * math.pi * var) - (residual + trace) / (2 * var)
    kl_prior = 0.5 * (np.trace(s, axis1=-2, axis2=-1) + (m**2).sum(axis=1) - k - _log_det(chol))
    return reconstruction - kl_prior


def kl_to_posterior(model, x, q_mean, q_cov):
    """``KL(q(z|x) || p(z|x))`` per row, in nats, between two Gaussians in closed form.

    ``(tr(P⁻¹ S) + (m_p - m)ᵀ P⁻¹ (m_p - m) - k + log det P - log det S) / 2``
    with ``p(z|x) = N(m_p, P)`` from :func:`posterior`: the gap between
    ``log p(x)`` and :func:`elbo`. See chapter 05, section 5.4.

    Parameters
    ----------
    model : PPCA
    x : array, shape (n, d)
    q_mean : array, shape (n, k)
    q_cov : array, shape (k, k) or (n, k, k)

    Returns
    -------
    numpy.ndarray, shape (n,)
    """
    post_mean, post_cov = posterior(model, x)
    m, s, chol = _q(q_mean, q_cov, post_mean.shape[0], model.latent_dim)
    post_chol = np.linalg.cholesky(post_cov)
    precision = np.linalg.inv(post_cov)
    diff = post_mean - m
    mahalanobis = np.einsum("ni,ij,nj->n", diff, precision, diff)
    trace = np.trace(precision @ s, axis1=-2, axis2=-1)
    return 0.5 * (trace + mahalanobis - model.latent_dim + _log_det(post_chol) - _log_det(chol))


def log_importance_weights(model, x, q_mean, q_cov, n_samples, rng):
    """``log w_s = log p(x|z_s) + log p(z_s) - log q(z_s|x)`` for ``z_s ~ q(z|x)``, in nats.

    Their mean over ``s`` estimates :func:`elbo`; the log of their mean gives
    the importance-weighted bounds (:func:`ilib.losses.iwae_from_log_weights`).
    With ``q`` the exact posterior every weight equals ``p(x)``.
    See chapter 05, section 5.4.

    Parameters
    ----------
    model : PPCA
    x : array, shape (n, d)
    q_mean : array, shape (n, k)
    q_cov : array, shape (k, k) or (n, k, k)
    n_samples : int
    rng : numpy.random.Generator

    Returns
    -------
    numpy.ndarray, shape (n_samples, n)
    """
    model = _model(model)
    x = _data(x, model.data_dim)
    m, _, chol = _q(q_mean, q_cov, x.shape[0], model.latent_dim)
    n_samples = _validate.positive_int(n_samples, "n_samples")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    k, d, var = model.latent_dim, model.data_dim, model.noise_variance
    eps = rng.standard_normal((n_samples, x.shape[0], k))
    if chol.ndim == 2:
        z = m + eps @ chol.T
    else:
        z = m + np.einsum("nij,snj->sni", chol, eps)
    log_q = -0.5 * (k * LOG_2PI + _log_det(chol) + (eps**2).sum(axis=-1))
    log_prior = -0.5 * (k * LOG_2PI + (z**2).sum(axis=-1))
    # ||x - mu - W z||² expanded, so that no (n_samples, n, d) array is formed
    centred = x - model.mean
    cross = centred @ model.weight
    gram = model.weight.T @ model.weight
    residual = ((centred**2).sum(axis=1) - 2 * (z * cross).sum(axis=-1)
                + np.einsum("snk,kl,snl->sn", z, gram, z))
    log_lik = -0.5 * (d * math.log(2 * math.pi * var) + residual / var)
    return log_lik + log_prior - log_q
