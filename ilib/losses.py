"""Losses of chapter 05: label smoothing, calibration, distillation, ELBO pieces.

Everything is in **nats** (natural logarithm), as PyTorch's losses are.

* :func:`smooth_targets` and :func:`soft_cross_entropy`: label smoothing
  written out by hand, to compare with ``F.cross_entropy(..., label_smoothing=ε)``
  (section 5.2).
* :func:`reliability_bins` and :func:`expected_calibration_error`: how far a
  classifier's confidence is from its accuracy (section 5.2).
* :func:`fit_temperature`: temperature scaling, one scalar fitted on held-out
  data (section 5.2).
* :func:`confidence_penalty_loss`: cross-entropy minus ``beta`` times the
  entropy of the prediction, the mirror of label smoothing (section 5.2).
* :func:`distillation_loss`: the KL loss of knowledge distillation with a
  temperature (section 5.2, "KL loss").
* :func:`monte_carlo_kl`, :func:`monte_carlo_reconstruction`,
  :func:`log_importance_weights`, :func:`iwae_from_log_weights` and
  :func:`importance_weighted_bound`: the ELBO of a VAE term by term, and the
  importance-weighted bounds of Burda et al. (2016) (section 5.3).

The VAE itself lives in :mod:`ilib.models` and the Gaussian formulas in
:mod:`ilib.gaussian`; the functions here only call the VAE's ``encode`` and
``decode``.
"""

import math

import numpy as np
import torch
import torch.nn.functional as F
from scipy.optimize import brentq

from ilib import _validate
from ilib.gaussian import log_normal_diag, reparameterise

__all__ = [
    "smooth_targets",
    "soft_cross_entropy",
    "reliability_bins",
    "expected_calibration_error",
    "fit_temperature",
    "confidence_penalty_loss",
    "distillation_loss",
    "monte_carlo_kl",
    "monte_carlo_reconstruction",
    "log_importance_weights",
    "iwae_from_log_weights",
    "importance_weighted_bound",
]


# --------------------------------------------------------------------------- checks
# Checks of torch tensors that only this module needs; scalar rules come from _validate.
def _labels(labels, num_classes):
    labels = torch.as_tensor(labels)
    if labels.dim() != 1 or labels.numel() == 0:
        raise ValueError(f"labels must be a non-empty 1-D array, got shape {tuple(labels.shape)}")
    if labels.dtype.is_floating_point or labels.dtype == torch.bool:
        raise ValueError("labels must hold integers")
    labels = labels.long()
    if bool((labels < 0).any()) or bool((labels >= num_classes).any()):
        raise ValueError(f"labels must lie in [0, {num_classes - 1}]")
    return labels


def _logits(logits, name="logits"):
    logits = torch.as_tensor(logits)
    if logits.dim() != 2 or logits.shape[0] == 0 or logits.shape[1] < 2:
        raise ValueError(
            f"{name} must have shape (n, K) with n >= 1 and K >= 2, got {tuple(logits.shape)}"
        )
    if not logits.dtype.is_floating_point:
        logits = logits.double()
    if not bool(torch.isfinite(logits).all()):
        raise ValueError(f"{name} must be finite")
    return logits


def _probabilities(probs, name="probs"):
    probs = torch.as_tensor(probs)
    if probs.dim() != 2 or probs.shape[0] == 0:
        raise ValueError(f"{name} must have shape (n, K), got {tuple(probs.shape)}")
    if not probs.dtype.is_floating_point:
        probs = probs.double()
    if not bool(torch.isfinite(probs).all()) or bool((probs < 0).any()):
        raise ValueError(f"{name} must hold finite, non-negative numbers")
    sums = probs.double().sum(dim=1)
    if not torch.allclose(sums, torch.ones_like(sums), atol=1e-4):
        raise ValueError(f"every row of {name} must sum to 1 (within 1e-4)")
    return probs


# ------------------------------------------------------------------ label smoothing
def smooth_targets(labels, num_classes, epsilon):
    """Label-smoothed target distributions ``(1 - epsilon) * onehot + epsilon / K``.

    Every class, the true one included, receives ``epsilon / K``; the true
    class therefore gets ``1 - epsilon + epsilon / K``. This is the target
    that ``torch.nn.functional.cross_entropy(..., label_smoothing=epsilon)``
    uses. See chapter 05, section 5.2.

    Parameters
    ----------
    labels : array of int, shape (n,)
        True classes in ``[0, num_classes - 1]``.
    num_classes : int
        Number of classes ``K`` (at least 2).
    epsilon : float in [0, 1]
        Smoothing strength; 0 gives the one-hot targets, 1 the uniform distribution.

    Returns
    -------
    torch.Tensor, float64, shape (n, num_classes)
        Each row is a probability distribution.

    Raises
    ------
    ValueError
        If ``num_classes < 2``, ``epsilon`` is outside [0, 1], or ``labels``
        are not integers in range.
    """
    k = _validate.positive_int(num_classes, "num_classes", minimum=2)
    eps = _validate.unit_interval(epsilon, "epsilon")
    labels = _labels(labels, k)
    onehot = F.one_hot(labels, k).double()
    return (1 - eps) * onehot + eps / k


def soft_cross_entropy(logits, target_probs, reduction="mean"):
    """Cross-entropy ``-sum_c t_c log softmax(logits)_c`` against soft targets, in nats.

    With one-hot targets it is the usual ``-log ŷ_true``; with the targets of
    :func:`smooth_targets` it equals ``F.cross_entropy(logits, labels,
    label_smoothing=epsilon)``. Uses ``log_softmax`` (never ``log(softmax)``).
    See chapter 05, sections 5.1 and 5.2.

    Parameters
    ----------
    logits : torch.Tensor, shape (n, K)
    target_probs : torch.Tensor, shape (n, K)
        Rows are probability distributions.
    reduction : {"mean", "sum", "none"}
        Mean over the batch (PyTorch's default), sum, or one value per row.

    Returns
    -------
    torch.Tensor
        A scalar, or shape (n,) for ``reduction="none"``.
    """
    logits = _logits(logits)
    target_probs = _probabilities(target_probs, "target_probs")
    if target_probs.shape != logits.shape:
        raise ValueError(
            f"target_probs must have the shape of logits {tuple(logits.shape)}, "
            f"got {tuple(target_probs.shape)}"
        )
    per_row = -(target_probs.to(logits.dtype) * F.log_softmax(logits, dim=1)).sum(dim=1)
    if reduction == "mean":
        return per_row.mean()
    if reduction == "sum":
        return per_row.sum()
    if reduction == "none":
        return per_row
    raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


# ---------------------------------------------------------------------- calibration
def reliability_bins(probs, labels, n_bins=15):
    """Bin predictions by confidence: the numbers behind a reliability diagram.

    The confidence of a prediction is its largest probability; predictions
    are put into ``n_bins`` equal-width bins of confidence on (0, 1] (a bin
    holds ``lower < confidence <= upper``). For each bin the mean confidence
    and the accuracy (fraction of predictions equal to the label) are
    returned. See chapter 05, section 5.2 (calibration).

    Parameters
    ----------
    probs : array, shape (n, K)
        Predicted class probabilities (rows sum to 1).
    labels : array of int, shape (n,)
    n_bins : int, default 15

    Returns
    -------
    dict of numpy arrays
        ``edges`` (n_bins + 1,), ``count``, ``confidence`` and ``accuracy``
        (n_bins,); the last two are NaN for an empty bin.
    """
    probs = _probabilities(probs).double()
    labels = _labels(labels, probs.shape[1])
    if labels.shape[0] != probs.shape[0]:
        raise ValueError(f"labels must have {probs.shape[0]} entries, got {labels.shape[0]}")
    n_bins = _validate.positive_int(n_bins, "n_bins")
    confidence, predicted = probs.max(dim=1)
    confidence = confidence.numpy()
    correct = (predicted == labels).double().numpy()
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    index = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, n_bins - 1)
    count = np.bincount(index, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_confidence = np.bincount(index, weights=confidence, minlength=n_bins) / count
        accuracy = np.bincount(index, weights=correct, minlength=n_bins) / count
    return {"edges": edges, "count": count, "confidence": mean_confidence, "accuracy": accuracy}


def expected_calibration_error(probs, labels, n_bins=15):
    """Expected calibration error: ``sum_b (n_b / n) |accuracy_b - confidence_b|``.

    Guo et al. (2017). Zero for a perfectly calibrated classifier (among the
    predictions made with confidence 0.9, 90% are right); it is a fraction,
    not in nats. See chapter 05, section 5.2.

    Parameters
    ----------
    probs : array, shape (n, K)
    labels : array of int, shape (n,)
    n_bins : int, default 15

    Returns
    -------
    float
    """
    bins = reliability_bins(probs, labels, n_bins)
    filled = bins["count"] > 0
    weights = bins["count"][filled] / bins["count"].sum()
    gaps = np.abs(bins["accuracy"][filled] - bins["confidence"][filled])
    return float(np.sum(weights * gaps))


def _expected_minus_true_logit(logits, labels, inverse_temperature):
    """``d NLL / d(1/T)``: the mean of ``E_p[z] - z_y`` under ``p = softmax(z / T)``."""
    scaled = logits * inverse_temperature
    p = np.exp(scaled - scaled.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    return float(np.mean((p * logits).sum(axis=1) - logits[np.arange(len(labels)), labels]))


def fit_temperature(logits, labels, bounds=(0.01, 100.0)):
    """Temperature scaling: the ``T`` that minimises the NLL of ``softmax(logits / T)``.

    Guo et al. (2017): one scalar fitted on held-out data, after training;
    dividing every logit by the same ``T`` changes no prediction (the argmax
    stays), only the confidence. The mean NLL is convex in ``1/T``, so it has
    one minimum, found by a bounded scalar search over ``log T``. At the
    optimum the mean logit of the true class equals the mean of the logits
    averaged under ``softmax(logits / T)``. See chapter 05, section 5.2.

    Parameters
    ----------
    logits : array or torch.Tensor, shape (n, K)
        Held-out logits of the trained model (not its probabilities).
    labels : array of int, shape (n,)
    bounds : (float, float), default (0.01, 100)
        Range searched for ``T``.

    Returns
    -------
    float
        The fitted temperature.

    Raises
    ------
    ValueError
        If the arguments are malformed, or the minimum lies on a bound (for
        instance when every held-out prediction is right: the NLL then keeps
        falling as ``T -> 0``).
    """
    logits = _logits(logits).double()
    labels = _labels(labels, logits.shape[1])
    if labels.shape[0] != logits.shape[0]:
        raise ValueError(f"labels must have {logits.shape[0]} entries, got {labels.shape[0]}")
    try:
        low, high = (_validate.positive_float(b, "bounds") for b in bounds)
    except TypeError:
        raise ValueError(f"bounds must be a pair of numbers, got {bounds!r}") from None
    if not low < high:
        raise ValueError(f"bounds must be increasing, got {bounds!r}")
    z, y = logits.numpy(), labels.numpy()

    def slope(inverse_t):
        return _expected_minus_true_logit(z, y, inverse_t)

    if not slope(1 / high) < 0 < slope(1 / low):
        raise ValueError(f"the NLL has no minimum for T inside bounds {bounds!r}")
    return 1 / brentq(slope, 1 / high, 1 / low, xtol=1e-15, rtol=4 * np.finfo(float).eps)


def confidence_penalty_loss(logits, labels, beta):
    """Cross-entropy minus ``beta`` times the entropy of the prediction, batch mean, nats.

    Pereyra et al. (2017): ``L = -log p̂_y - beta H(p̂)``. Since
    ``H(p̂) = log K - KL(p̂ || u)`` for the uniform ``u``, the penalty is
    ``beta KL(p̂ || u)`` up to a constant: label smoothing adds
    ``epsilon KL(u || p̂)``, the same divergence in the other direction.
    See chapter 05, section 5.2.

    Parameters
    ----------
    logits : torch.Tensor, shape (n, K)
    labels : array of int, shape (n,)
    beta : float >= 0

    Returns
    -------
    torch.Tensor
        A scalar, differentiable with respect to ``logits``.
    """
    logits = _logits(logits)
    labels = _labels(labels, logits.shape[1])
    if labels.shape[0] != logits.shape[0]:
        raise ValueError(f"labels must have {logits.shape[0]} entries, got {labels.shape[0]}")
    beta = _validate.non_negative_float(beta, "beta")
    log_p = F.log_softmax(logits, dim=1)
    entropy = -(log_p.exp() * log_p).sum(dim=1)
    return F.nll_loss(log_p, labels) - beta * entropy.mean()


# ----------------------------------------------------------------------- distillation
def distillation_loss(student_logits, teacher_logits, temperature=1.0, scale=True):
    """Knowledge-distillation loss ``T² · D_KL(softmax(t/T) ‖ softmax(s/T))``, batch mean, nats.

    Computed as ``F.kl_div(log_softmax(s / T), softmax(t / T),
    reduction="batchmean")``: the **log**-probabilities of the model being
    trained come first, the target probabilities second, and ``batchmean``
    divides the sum by the batch size, which matches the definition of KL
    per example (Hinton et al., 2015). The factor ``T²`` keeps the size of the
    gradients comparable across temperatures. See chapter 05, section 5.2.

    Parameters
    ----------
    student_logits, teacher_logits : torch.Tensor, shape (n, K)
    temperature : float > 0, default 1
    scale : bool, default True
        Multiply by ``temperature ** 2``.

    Returns
    -------
    torch.Tensor
        A scalar.
    """
    student_logits = _logits(student_logits, "student_logits")
    teacher_logits = _logits(teacher_logits, "teacher_logits")
    if student_logits.shape != teacher_logits.shape:
        raise ValueError(
            "student_logits and teacher_logits must have the same shape, got "
            f"{tuple(student_logits.shape)} and {tuple(teacher_logits.shape)}"
        )
    t = _validate.positive_float(temperature, "temperature")
    log_student = F.log_softmax(student_logits / t, dim=1)
    teacher = F.softmax(teacher_logits.to(log_student.dtype) / t, dim=1)
    loss = F.kl_div(log_student, teacher, reduction="batchmean")
    return loss * t**2 if scale else loss


# ----------------------------------------------------------------------- ELBO pieces
def _vae(model):
    for attr in ("encode", "decode", "latent_dim"):
        if not hasattr(model, attr):
            raise ValueError(
                f"model must be a VAE with encode, decode and latent_dim; it lacks {attr}"
            )
    return model


@torch.no_grad()
def monte_carlo_kl(mean, logvar, n_samples=1000, generator=None):
    """Monte Carlo estimate of ``D_KL(q(z|x) ‖ N(0, I))`` per row, in nats.

    Draws ``n_samples`` values ``z ~ q(z|x) = N(mean, diag exp(logvar))`` and
    averages ``log q(z|x) - log p(z)``; compare with the closed form
    :func:`ilib.gaussian.kl_to_standard_normal`. See chapter 05, section 5.3.

    Parameters
    ----------
    mean, logvar : torch.Tensor, shape (n, k)
    n_samples : int, default 1000
    generator : torch.Generator, optional

    Returns
    -------
    estimate, standard_error : torch.Tensor, shape (n,)
    """
    n_samples = _validate.positive_int(n_samples, "n_samples")
    if mean.shape != logvar.shape:
        raise ValueError(
            "mean and logvar must have the same shape, got "
            f"{tuple(mean.shape)} and {tuple(logvar.shape)}"
        )
    z = reparameterise(mean, logvar, n_samples, generator)
    terms = log_normal_diag(z, mean, logvar) - log_normal_diag(
        z, torch.zeros_like(mean), torch.zeros_like(logvar)
    )
    error = (
        terms.std(dim=0) / math.sqrt(n_samples)
        if n_samples > 1
        else torch.full_like(terms[0], float("nan"))
    )
    return terms.mean(dim=0), error


def _decoded_samples(model, x, n_samples, generator):
    """Sample ``z ~ q(z|x)`` and decode every sample: ``(z, mean, logvar, log p(x|z))``."""
    model = _vae(model)
    n_samples = _validate.positive_int(n_samples, "n_samples")
    mean, logvar = model.encode(x)
    z = reparameterise(mean, logvar, n_samples, generator)
    logits = model.decode(z.reshape(-1, model.latent_dim)).reshape(n_samples, *x.shape)
    log_lik = -F.binary_cross_entropy_with_logits(
        logits, x.expand_as(logits), reduction="none"
    ).sum(dim=-1)
    return z, mean, logvar, log_lik


@torch.no_grad()
def monte_carlo_reconstruction(model, x, n_samples=100, generator=None, batch_size=60):
    """Monte Carlo estimate of ``E_q[log p(x|z)]`` per image, in nats.

    Samples ``z ~ q(z|x)`` with the model's encoder, **decodes every sample**
    and averages the Bernoulli log-likelihood ``-BCE(decode(z), x)`` summed
    over pixels. Images are decoded ``batch_size`` at a time, which bounds the
    memory at ``n_samples * batch_size`` decoder passes.
    See chapter 05, section 5.3.

    Parameters
    ----------
    model : ilib.models.VAE
    x : torch.Tensor, shape (n, input_dim), values in [0, 1]
    n_samples : int, default 100
    generator : torch.Generator, optional
    batch_size : int, default 60

    Returns
    -------
    torch.Tensor, shape (n,)
        Usually negative (a log-likelihood).
    """
    batch_size = _validate.positive_int(batch_size, "batch_size")
    parts = []
    for start in range(0, x.shape[0], batch_size):
        _, _, _, log_lik = _decoded_samples(model, x[start : start + batch_size], n_samples,
                                            generator)
        parts.append(log_lik.mean(dim=0))
    return torch.cat(parts)


@torch.no_grad()
def log_importance_weights(model, x, n_samples, generator=None, batch_size=60):
    """``log w_s = log p(x|z_s) + log p(z_s) - log q(z_s|x)`` for ``z_s ~ q(z|x)``.

    The log importance weights behind the importance-weighted bounds; their
    mean over samples is a Monte Carlo estimate of the ELBO. Images are
    decoded ``batch_size`` at a time, which bounds the memory at
    ``n_samples * batch_size`` decoder passes. See chapter 05, section 5.3.

    Parameters
    ----------
    model : ilib.models.VAE
    x : torch.Tensor, shape (n, input_dim)
    n_samples : int
    generator : torch.Generator, optional
    batch_size : int, default 60

    Returns
    -------
    torch.Tensor, shape (n_samples, n)
    """
    batch_size = _validate.positive_int(batch_size, "batch_size")
    parts = []
    for start in range(0, x.shape[0], batch_size):
        z, mean, logvar, log_lik = _decoded_samples(
            model, x[start : start + batch_size], n_samples, generator
        )
        log_prior = log_normal_diag(z, torch.zeros_like(mean), torch.zeros_like(logvar))
        parts.append(log_lik + log_prior - log_normal_diag(z, mean, logvar))
    return torch.cat(parts, dim=1)


def iwae_from_log_weights(log_weights, k):
    """Importance-weighted bounds ``log (1/K) sum_k w_k`` from ``S`` log weights per image.

    The ``S`` draws of each image are cut into ``S // K`` disjoint groups of
    ``K`` (a remainder is left out); each group gives one unbiased estimate of
    ``IWAE_K`` (``logsumexp`` of its log weights minus ``log K``, so that
    weights far below the smallest float never underflow), and the groups are
    averaged. ``K = 1`` averages the log weights: the Monte Carlo ELBO.
    See chapter 05, sections 5.3 and 5.4.

    Parameters
    ----------
    log_weights : array or torch.Tensor, shape (S, n)
        From :func:`log_importance_weights` or :func:`ilib.ppca.log_importance_weights`.
    k : int
        ``K``, between 1 and ``S``.

    Returns
    -------
    numpy.ndarray, float64, shape (n,)
        The estimate of ``IWAE_K`` for every image.
    """
    if isinstance(log_weights, torch.Tensor):
        log_weights = log_weights.detach().double().numpy()
    log_w = _validate.float_array(log_weights, "log_weights")
    if log_w.ndim != 2:
        raise ValueError(f"log_weights must have shape (S, n), got {log_w.shape}")
    if np.isnan(log_w).any() or np.isposinf(log_w).any():
        raise ValueError("log_weights has a NaN or +inf entry")
    k = _validate.positive_int(k, "k")
    if k > log_w.shape[0]:
        raise ValueError(f"k must be at most the number of draws {log_w.shape[0]}, got {k}")
    groups = log_w.shape[0] // k
    grouped = log_w[: groups * k].reshape(groups, k, -1)
    peak = grouped.max(axis=1, keepdims=True)
    # a group whose weights are all 0 (log w = -inf) has bound -inf, not NaN
    peak = np.where(np.isfinite(peak), peak, 0.0)
    with np.errstate(divide="ignore"):
        bounds = np.log(np.exp(grouped - peak).mean(axis=1)) + peak[:, 0]
    return bounds.mean(axis=0)


@torch.no_grad()
def importance_weighted_bound(model, x, n_samples, generator=None, batch_size=60):
    """Importance-weighted lower bound on ``log p(x)`` per image, in nats (Burda et al., 2016).

    ``IWAE_K = log (1/K) sum_k w_k`` with ``K = n_samples`` weights from
    :func:`log_importance_weights`, computed with ``logsumexp``. Its
    expectation is the ELBO for ``K = 1`` and rises with ``K`` towards
    ``log p(x)``: ``ELBO <= IWAE_K <= IWAE_{K+1} <= log p(x)``.
    See chapter 05, section 5.3.

    Parameters
    ----------
    model : ilib.models.VAE
    x : torch.Tensor, shape (n, input_dim)
    n_samples : int
        ``K``, the number of importance samples per image.
    generator : torch.Generator, optional
    batch_size : int, default 60

    Returns
    -------
    numpy.ndarray, float64, shape (n,)
    """
    log_w = log_importance_weights(model, x, n_samples, generator, batch_size)
    return iwae_from_log_weights(log_w, n_samples)
