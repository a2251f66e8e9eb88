"""Diagonal Gaussians in torch: log-density, KL divergence and reparameterised samples.

One home for the formulas that the VAE (chapter 04), the ELBO pieces and the
importance-weighted bounds (chapter 05) and the multivariate KL of chapter 02
share. Covariances are diagonal and given by their log-variances, as a VAE's
encoder outputs them. Everything is in nats.
"""

import math

import torch

#: ln(2π), the constant of every Gaussian log-density.
LOG_2PI = math.log(2 * math.pi)


def _same_shape(a, b, aname, bname):
    if a.shape != b.shape:
        raise ValueError(
            f"{aname} and {bname} must have the same shape, "
            f"got {tuple(a.shape)} and {tuple(b.shape)}"
        )


def log_normal_diag(z, mean, logvar):
    """``log N(z; mean, diag exp(logvar))`` summed over the last axis, in nats.

    Broadcasts: ``z`` may carry leading sample axes, e.g. ``(S, n, k)`` against
    ``mean`` of shape ``(n, k)``. With ``mean = 0`` and ``logvar = 0`` it is the
    log-density of the prior ``N(0, I)``. See chapter 05, section 5.3.

    Returns
    -------
    torch.Tensor
        ``z``'s shape without its last axis.
    """
    z, mean, logvar = (torch.as_tensor(a) for a in (z, mean, logvar))
    return -0.5 * (LOG_2PI + logvar + (z - mean).pow(2) * torch.exp(-logvar)).sum(dim=-1)


def kl_diagonal(mean_p, logvar_p, mean_q, logvar_q):
    """``D_KL(N(mean_p, diag e^logvar_p) || N(mean_q, diag e^logvar_q))`` over the last axis.

    ``0.5 * sum(logvar_q - logvar_p + (e^logvar_p + (mean_p - mean_q)^2) / e^logvar_q - 1)``:
    the one-dimensional formula of chapter 02, section 2.1, summed over
    independent coordinates.

    Returns
    -------
    torch.Tensor
        The shape of the arguments without the last axis.
    """
    mean_p, logvar_p, mean_q, logvar_q = (
        torch.as_tensor(a) for a in (mean_p, logvar_p, mean_q, logvar_q)
    )
    _same_shape(mean_p, logvar_p, "mean_p", "logvar_p")
    _same_shape(mean_q, logvar_q, "mean_q", "logvar_q")
    ratio = torch.exp(logvar_p - logvar_q)
    return 0.5 * (ratio + (mean_p - mean_q).pow(2) * torch.exp(-logvar_q) - 1
                  - (logvar_p - logvar_q)).sum(dim=-1)


def kl_to_standard_normal(mean, logvar):
    """``D_KL(N(mean, diag exp(logvar)) || N(0, I))`` per row, in nats.

    ``0.5 * sum(mean**2 + exp(logvar) - logvar - 1)`` over the last axis: the
    KL term of the ELBO (chapter 04, section 4.1).
    """
    mean, logvar = torch.as_tensor(mean), torch.as_tensor(logvar)
    _same_shape(mean, logvar, "mean", "logvar")
    return 0.5 * (mean.pow(2) + logvar.exp() - logvar - 1).sum(dim=-1)


def reparameterise(mean, logvar, n_samples=None, generator=None):
    """Samples ``z = mean + exp(logvar / 2) * eps`` with ``eps ~ N(0, I)``.

    The reparameterisation trick: the randomness is in ``eps``, so gradients flow
    to ``mean`` and ``logvar`` (chapter 04, section 4.1).

    Parameters
    ----------
    mean, logvar : torch.Tensor, same shape
    n_samples : int, optional
        With ``S``, the result has a leading axis of ``S`` samples.
    generator : torch.Generator, optional

    Returns
    -------
    torch.Tensor
        ``mean``'s shape, or ``(S, *mean.shape)``.
    """
    _same_shape(mean, logvar, "mean", "logvar")
    shape = mean.shape if n_samples is None else (n_samples, *mean.shape)
    eps = torch.randn(shape, generator=generator, dtype=mean.dtype)
    return mean + torch.exp(0.5 * logvar) * eps
