"""Estimates of mutual information from samples of continuous variables.

Chapter 03 uses these functions; the discrete plug-in estimate, its
Miller-Madow correction and the permutation test live in
:mod:`ilib.measures`.

* :func:`gaussian_mutual_information`: the exact ``I(X; Y)`` of a bivariate
  Gaussian with correlation ``rho`` (the truth the estimates are compared with);
* :func:`binned_mutual_information`: the plug-in estimate after cutting each
  variable into bins;
* :func:`mrmr`: greedy feature selection by maximum relevance, minimum
  redundancy (Peng, Long and Ding, 2005);
* :class:`MINE`: mutual information neural estimation (Belghazi et al., 2018),
  a small PyTorch network trained on the Donsker-Varadhan lower bound.

Continuous estimates default to nats (``base=math.e``), as scikit-learn's
``mutual_info_regression`` and PyTorch do. Bad input raises
:class:`ValueError` naming the argument.
"""

import math
from typing import NamedTuple

import numpy as np

from ilib import _validate
from ilib.measures import mutual_information_from_samples

__all__ = [
    "MINE",
    "MRMRResult",
    "binned_mutual_information",
    "gaussian_mutual_information",
    "mrmr",
]


def _finite_1d(a, name):
    try:
        arr = np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of numbers") from None
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {arr.shape}")
    if arr.size < 2:
        raise ValueError(f"{name} must hold at least 2 samples, got {arr.size}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} has a NaN or infinite entry")
    return arr


def _positive_int(value, name, minimum=1):
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be an integer of at least {minimum}, got {value!r}")
    return int(value)


# ---------------------------------------------------------------------------
# the Gaussian truth
# ---------------------------------------------------------------------------


def gaussian_mutual_information(rho, base=math.e):
    """Mutual information of a bivariate Gaussian with correlation ``rho``.

    .. math:: I(X; Y) = -\\tfrac12 \\ln(1 - \\rho^2) \\ \\text{nats}.

    It depends on the correlation only (not on the means or variances), is 0
    at ``rho = 0`` and grows without bound as ``|rho| -> 1``.

    See chapter 03, section 3.1 (Mutual information of continuous variables).

    Parameters
    ----------
    rho : float or array_like
        Correlation coefficient(s), strictly between -1 and 1.
    base : float, default ``math.e``
        Base of the logarithm (default nats; 2 gives bits).

    Returns
    -------
    float or numpy.ndarray
        ``I(X; Y)``; an array for array input.

    Raises
    ------
    ValueError
        If ``rho`` is not numeric, NaN, or not in the open interval (-1, 1),
        or ``base`` is invalid.

    Examples
    --------
    >>> round(gaussian_mutual_information(0.6), 6)
    0.223144
    """
    _validate.logs(base)
    try:
        r = np.asarray(rho, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"rho must be a number, got {rho!r}") from None
    if not np.isfinite(r).all() or (np.abs(r) >= 1.0).any():
        raise ValueError(f"rho must lie strictly between -1 and 1, got {rho!r}")
    mi = -0.5 * np.log1p(-(r * r)) / math.log(float(base))
    mi = np.maximum(mi, 0.0)
    return float(mi) if mi.ndim == 0 else mi


# ---------------------------------------------------------------------------
# binned plug-in estimate
# ---------------------------------------------------------------------------


def _bin(a, bins, strategy):
    if strategy == "uniform":
        edges = np.linspace(a.min(), a.max(), bins + 1)
    else:  # quantile: bins of (nearly) equal counts
        edges = np.quantile(a, np.linspace(0.0, 1.0, bins + 1))
    # inner edges only: values fall into 0 .. bins-1, the maximum included
    return np.searchsorted(edges[1:-1], a, side="right")


def binned_mutual_information(x, y, bins=10, strategy="uniform", base=math.e):
    """Plug-in mutual information of continuous samples after binning.

    Each variable is cut into ``bins`` intervals (of equal width over its
    range, or of equal counts with ``strategy="quantile"``); the bin labels
    then go to :func:`ilib.mutual_information_from_samples`. Two errors pull
    in opposite directions: coarse bins lose information (biased down), and
    the plug-in estimate of a ``bins x bins`` table is biased up by about
    ``(bins - 1)**2 / (2N)`` nats under independence.

    See chapter 03, section 3.1 (Mutual information of continuous variables).

    Parameters
    ----------
    x, y : array_like, 1-D, same length
        Paired samples of two real variables.
    bins : int, default 10
        Number of bins per variable, at least 2.
    strategy : {"uniform", "quantile"}, default "uniform"
        Equal-width bins over the sample range, or equal-count bins.
    base : float, default ``math.e``
        Base of the logarithm (default nats).

    Returns
    -------
    float
        The estimate, non-negative.

    Raises
    ------
    ValueError
        If ``x`` or ``y`` is not 1-D, has fewer than 2 samples or a NaN or
        infinite entry, their lengths differ, ``bins`` is not an integer of at
        least 2, ``strategy`` is unknown, or ``base`` is invalid.
    """
    xa = _finite_1d(x, "x")
    ya = _finite_1d(y, "y")
    if xa.size != ya.size:
        raise ValueError(f"x and y must have the same length, got {xa.size} and {ya.size}")
    bins = _positive_int(bins, "bins", minimum=2)
    if strategy not in ("uniform", "quantile"):
        raise ValueError(f'strategy must be "uniform" or "quantile", got {strategy!r}')
    return mutual_information_from_samples(
        _bin(xa, bins, strategy), _bin(ya, bins, strategy), base=base
    )


# ---------------------------------------------------------------------------
# mRMR feature selection
# ---------------------------------------------------------------------------


class MRMRResult(NamedTuple):
    """Result of :func:`mrmr`."""

    #: Column indices in the order they were chosen.
    selected: list
    #: MI of every column with the target (nats), shape ``(n_features,)``.
    relevance: np.ndarray
    #: Criterion (relevance minus mean redundancy) of each chosen column when chosen.
    scores: list


def mrmr(X, y, k, *, relevance=None, redundancy="knn", bins=3, random_state=0, n_neighbors=3):
    """Greedy feature selection: maximum relevance, minimum redundancy.

    The first column is the one with the largest relevance ``I(x_j; y)``;
    each next one maximises

    .. math:: I(x_j; y) - \\frac{1}{|S|} \\sum_{s \\in S} I(x_j; x_s)

    over the columns not yet chosen, where ``S`` is the set already chosen
    (the "difference" form of Peng, Long and Ding, 2005). A column that copies
    information already selected scores low even when it is relevant.

    Relevance is ``sklearn.feature_selection.mutual_info_classif`` (k-NN
    estimate, nats) unless given. Redundancy between two columns is, with
    ``redundancy="knn"``, ``mutual_info_regression`` with the same
    ``random_state`` and ``n_neighbors``; with ``redundancy="binned"``, the
    plug-in MI of the columns cut into ``bins`` equal-count bins
    (:func:`binned_mutual_information`), as Peng et al. discretised continuous
    features into three states. Binning keeps redundancy on the scale of the
    relevance (at most ``ln bins`` nats), whereas the MI of two continuous,
    strongly correlated columns is unbounded. Redundancy is computed only
    against chosen columns, one column at a time.

    See chapter 03, section 3.2 (Feature selection).

    Parameters
    ----------
    X : array_like, shape (n_samples, n_features)
        Real-valued features.
    y : array_like, shape (n_samples,)
        Class labels.
    k : int
        Number of columns to choose, ``1 <= k <= n_features``.
    relevance : array_like, shape (n_features,), optional
        Precomputed ``I(x_j; y)`` in nats, e.g. from ``mutual_info_classif``.
    redundancy : {"knn", "binned"}, default "knn"
        Estimator of the MI between two columns.
    bins : int, default 3
        Bins per column for ``redundancy="binned"``.
    random_state : int, default 0
        Seed of scikit-learn's estimators (they add a little noise).
    n_neighbors : int, default 3
        Neighbours of the k-NN estimates.

    Returns
    -------
    MRMRResult
        ``(selected, relevance, scores)``.

    Raises
    ------
    ValueError
        If ``X`` is not a 2-D finite array, ``y`` does not have one label per
        row, ``k`` is out of range, ``relevance`` has the wrong shape, or
        ``redundancy`` or ``bins`` is invalid.
    """
    from sklearn.feature_selection import mutual_info_classif, mutual_info_regression

    try:
        Xa = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("X must be a 2-D array of numbers") from None
    if Xa.ndim != 2 or Xa.shape[0] < 2 or Xa.shape[1] < 1:
        raise ValueError(f"X must be 2-D with at least 2 rows and 1 column, got shape {Xa.shape}")
    if not np.isfinite(Xa).all():
        raise ValueError("X has a NaN or infinite entry")
    ya = np.asarray(y)
    if ya.ndim != 1 or ya.size != Xa.shape[0]:
        raise ValueError(f"y must be 1-D with one label per row of X ({Xa.shape[0]}), "
                         f"got shape {ya.shape}")
    n_features = Xa.shape[1]
    k = _positive_int(k, "k")
    if k > n_features:
        raise ValueError(f"k must be at most the number of columns of X ({n_features}), got {k}")
    n_neighbors = _positive_int(n_neighbors, "n_neighbors")
    if redundancy not in ("knn", "binned"):
        raise ValueError(f'redundancy must be "knn" or "binned", got {redundancy!r}')
    bins = _positive_int(bins, "bins", minimum=2)
    if relevance is None:
        rel = mutual_info_classif(Xa, ya, n_neighbors=n_neighbors, random_state=random_state)
    else:
        rel = np.asarray(relevance, dtype=np.float64)
        if rel.shape != (n_features,) or not np.isfinite(rel).all():
            raise ValueError(f"relevance must hold {n_features} finite numbers, got shape "
                             f"{rel.shape}")
    rel = np.asarray(rel, dtype=np.float64)

    selected = [int(np.argmax(rel))]
    scores = [float(rel[selected[0]])]
    redundancy_sum = np.zeros(n_features)
    while len(selected) < k:
        last = selected[-1]
        if redundancy == "knn":
            redundancy_sum += mutual_info_regression(
                Xa, Xa[:, last], n_neighbors=n_neighbors, random_state=random_state
            )
        else:
            redundancy_sum += [
                binned_mutual_information(Xa[:, j], Xa[:, last], bins=bins, strategy="quantile")
                for j in range(n_features)
            ]
        criterion = rel - redundancy_sum / len(selected)
        criterion[selected] = -np.inf
        best = int(np.argmax(criterion))
        selected.append(best)
        scores.append(float(criterion[best]))
    return MRMRResult(selected=selected, relevance=rel, scores=scores)


# ---------------------------------------------------------------------------
# MINE
# ---------------------------------------------------------------------------


def _as_2d_tensor(a, name):
    import torch

    try:
        arr = np.asarray(a, dtype=np.float32)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of numbers") from None
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] < 2:
        raise ValueError(f"{name} must be 1-D or 2-D with at least 2 samples, got shape "
                         f"{np.shape(a)}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} has a NaN or infinite entry")
    return torch.from_numpy(np.ascontiguousarray(arr))


def _dv_bound(t_joint, t_marginal):
    """Donsker-Varadhan bound ``mean(T_joint) - log mean exp(T_marginal)`` (nats).

    ``log mean exp`` is computed as ``logsumexp - log n``, which never overflows.
    """
    import torch

    n = t_marginal.shape[0]
    return t_joint.mean() - (torch.logsumexp(t_marginal, dim=0) - math.log(n))


class MINE:
    """Mutual information neural estimation with the Donsker-Varadhan bound.

    A statistics network ``T(x, y)`` (an MLP with two hidden ReLU layers) is
    trained to maximise

    .. math:: I(X; Y) \\ge \\mathbb E_{P_{XY}}[T] - \\log \\mathbb E_{P_X P_Y}[e^{T}],

    where samples of the product of marginals are the observed pairs with
    ``y`` shuffled. The bound is computed with ``logsumexp`` (``log mean exp =
    logsumexp - log n``), never as ``log(mean(exp(T)))``, which overflows.

    With ``moving_average=alpha`` the gradient uses the bias correction of the
    MINE paper: the denominator ``E_Q[e^T]`` of the gradient is replaced by an
    exponential moving average (rate ``alpha``) of its batch estimates. It
    matters only for small batches; the reported bound is unchanged.

    Everything is seeded (``seed``) and runs on the CPU with the current torch
    settings; under ``ilib.setup()`` (one thread, deterministic algorithms) a
    run is reproducible. The global torch random state is left untouched.

    See chapter 03, section "MINE" (mutual information neural estimation).

    Parameters
    ----------
    hidden : int, default 32
        Width of the two hidden layers.
    seed : int, default 0
        Seed of the initial weights, the mini-batches and the shuffles.
    moving_average : float or None, default None
        Rate ``alpha`` in ``(0, 1]`` of the moving-average gradient correction;
        ``None`` trains on the plain bound.

    Attributes
    ----------
    history_ : numpy.ndarray
        The bound (nats) on each training step's batch, after :meth:`fit`.
    estimate_ : float
        Mean of the last ``n_average`` values of ``history_``.

    Raises
    ------
    ValueError
        If ``hidden`` is not a positive integer, ``seed`` is not a
        non-negative integer or ``moving_average`` is not in ``(0, 1]``.
    """

    def __init__(self, hidden=32, seed=0, moving_average=None):
        self.hidden = _positive_int(hidden, "hidden")
        self.seed = _positive_int(seed, "seed", minimum=0)
        if moving_average is not None:
            try:
                alpha = float(moving_average)
            except (TypeError, ValueError):
                raise ValueError(
                    f"moving_average must be None or a number in (0, 1], got {moving_average!r}"
                ) from None
            if not 0.0 < alpha <= 1.0:
                raise ValueError(
                    f"moving_average must be None or a number in (0, 1], got {moving_average!r}"
                )
            moving_average = alpha
        self.moving_average = moving_average
        self.network = None

    def _build(self, dim):
        import torch
        from torch import nn

        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.seed)
            self.network = nn.Sequential(
                nn.Linear(dim, self.hidden), nn.ReLU(),
                nn.Linear(self.hidden, self.hidden), nn.ReLU(),
                nn.Linear(self.hidden, 1),
            )

    def _pairs(self, x, y):
        xt = _as_2d_tensor(x, "x")
        yt = _as_2d_tensor(y, "y")
        if xt.shape[0] != yt.shape[0]:
            raise ValueError(
                f"x and y must have the same number of samples, got {xt.shape[0]} and "
                f"{yt.shape[0]}"
            )
        return xt, yt

    def _statistics(self, xt, yt, perm):
        import torch

        joint = self.network(torch.cat([xt, yt], dim=1)).squeeze(1)
        marginal = self.network(torch.cat([xt, yt[perm]], dim=1)).squeeze(1)
        return joint, marginal

    def fit(self, x, y, steps=200, batch_size=None, lr=1e-2, n_average=20):
        """Train the statistics network on paired samples.

        Parameters
        ----------
        x, y : array_like, shape (n,) or (n, d)
            Paired samples of X and Y.
        steps : int, default 200
            Adam steps.
        batch_size : int or None, default None
            Pairs per step (drawn without replacement each step); ``None``
            uses all ``n`` pairs every step.
        lr : float, default 1e-2
            Adam's learning rate.
        n_average : int, default 20
            Number of last steps averaged into ``estimate_``.

        Returns
        -------
        MINE
            ``self``, with ``history_`` and ``estimate_`` set.

        Raises
        ------
        ValueError
            If ``x`` or ``y`` is not a finite 1-D or 2-D array, their numbers of
            samples differ, ``steps``, ``batch_size`` or ``n_average`` is not a
            positive integer (``batch_size`` at most ``n``, ``n_average`` at
            most ``steps``), or ``lr`` is not positive.
        """
        import torch

        xt, yt = self._pairs(x, y)
        n = xt.shape[0]
        steps = _positive_int(steps, "steps")
        n_average = _positive_int(n_average, "n_average")
        if n_average > steps:
            raise ValueError(f"n_average must be at most steps ({steps}), got {n_average}")
        if batch_size is None:
            batch_size = n
        batch_size = _positive_int(batch_size, "batch_size", minimum=2)
        if batch_size > n:
            raise ValueError(f"batch_size must be at most the number of samples ({n}), "
                             f"got {batch_size}")
        if not (isinstance(lr, int | float) and math.isfinite(lr) and lr > 0):
            raise ValueError(f"lr must be a positive number, got {lr!r}")

        self._build(xt.shape[1] + yt.shape[1])
        generator = torch.Generator().manual_seed(self.seed)
        optimizer = torch.optim.Adam(self.network.parameters(), lr=lr)
        history = np.empty(steps)
        running = None
        for step in range(steps):
            if batch_size < n:
                idx = torch.randperm(n, generator=generator)[:batch_size]
                xb, yb = xt[idx], yt[idx]
            else:
                xb, yb = xt, yt
            perm = torch.randperm(batch_size, generator=generator)
            t_joint, t_marginal = self._statistics(xb, yb, perm)
            bound = _dv_bound(t_joint, t_marginal)
            if self.moving_average is None:
                loss = -bound
            else:
                # gradient of E[T] - E[e^T] / running: the DV gradient with its
                # denominator E_Q[e^T] replaced by a moving average
                m = float(t_marginal.detach().exp().mean())
                running = m if running is None else (
                    (1 - self.moving_average) * running + self.moving_average * m
                )
                loss = -(t_joint.mean() - t_marginal.exp().mean() / running)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            history[step] = float(bound.detach())
        self.history_ = history
        self.estimate_ = float(history[-n_average:].mean())
        return self

    def lower_bound(self, x, y, seed=0):
        """The Donsker-Varadhan bound (nats) of the trained network on new pairs.

        The product of marginals is sampled by shuffling ``y`` with a
        permutation from ``torch.Generator().manual_seed(seed)``.

        Raises
        ------
        ValueError
            If the network has not been trained, or the samples are invalid.
        """
        import torch

        if self.network is None:
            raise ValueError("fit must be called before lower_bound")
        xt, yt = self._pairs(x, y)
        seed = _positive_int(seed, "seed", minimum=0)
        perm = torch.randperm(xt.shape[0], generator=torch.Generator().manual_seed(seed))
        with torch.no_grad():
            t_joint, t_marginal = self._statistics(xt, yt, perm)
            return float(_dv_bound(t_joint, t_marginal))
