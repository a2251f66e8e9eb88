"""Estimates of mutual information from samples.

Chapter 03 uses these functions. Exact measures of known distributions live
in :mod:`ilib.measures`; the neural estimators (MINE) in :mod:`ilib.neural`.

* :func:`gaussian_mutual_information`: the exact ``I(X; Y)`` of a bivariate
  Gaussian with correlation ``rho`` (the truth the estimates are compared with);
* :func:`binned_mutual_information`: the plug-in estimate after cutting each
  variable into bins;
* :func:`mrmr`: greedy feature selection by maximum relevance, minimum
  redundancy (Peng, Long and Ding, 2005);
* :func:`mutual_information_from_samples`, :func:`miller_madow_mutual_information`
  and :func:`permutation_test_mutual_information`: the plug-in estimate from
  discrete labels, its first-order bias correction and its significance.

Continuous estimates default to nats (``base=math.e``), as scikit-learn's
``mutual_info_regression`` and PyTorch do. Bad input raises
:class:`ValueError` naming the argument.
"""

import math
from typing import NamedTuple

import numpy as np

from ilib import _validate

__all__ = [
    "MRMRResult",
    "PermutationTestResult",
    "binned_mutual_information",
    "gaussian_mutual_information",
    "miller_madow_mutual_information",
    "mrmr",
    "mutual_information_from_samples",
    "permutation_test_mutual_information",
]


# ---------------------------------------------------------------------------
# the Gaussian truth
# ---------------------------------------------------------------------------


def gaussian_mutual_information(rho, base=math.e):
    """Mutual information of a bivariate Gaussian with correlation ``rho``.

    .. math:: I(X; Y) = -\\tfrac12 \\ln(1 - \\rho^2) \\ \\text{nats}.

    It depends on the correlation only (not on the means or variances), is 0
    at ``rho = 0`` and grows without bound as ``|rho| -> 1``.

    See chapter 03, section 3.3 (Continuous variables).

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

    See chapter 03, section 3.3 (Continuous variables).

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
    xa = _validate.finite_1d(x, "x")
    ya = _validate.finite_1d(y, "y")
    if xa.size != ya.size:
        raise ValueError(f"x and y must have the same length, got {xa.size} and {ya.size}")
    bins = _validate.positive_int(bins, "bins", minimum=2)
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

    See chapter 03, section 3.4 (Feature selection).

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
    k = _validate.positive_int(k, "k")
    if k > n_features:
        raise ValueError(f"k must be at most the number of columns of X ({n_features}), got {k}")
    n_neighbors = _validate.positive_int(n_neighbors, "n_neighbors")
    if redundancy not in ("knn", "binned"):
        raise ValueError(f'redundancy must be "knn" or "binned", got {redundancy!r}')
    bins = _validate.positive_int(bins, "bins", minimum=2)
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
# discrete labels: the plug-in estimate, Miller-Madow, the permutation test
# ---------------------------------------------------------------------------


def _codes(a, name):
    """Return ``(codes, k)``: the labels as integers in ``[0, k)``.

    Small non-negative integer labels are used as they are (``k = max + 1``;
    unused labels in between are empty bins, which change nothing). Anything
    else (strings, floats, negative or huge integers) is numbered with
    ``np.unique(..., return_inverse=True)``.
    """
    arr = np.asarray(a)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D sequence of labels, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty")
    kind = arr.dtype.kind
    if kind == "b":
        return arr.view(np.uint8), 2
    if kind in "iu":
        # One pass: seen as unsigned, a negative label is larger than any
        # small one, so the maximum checks the sign and finds the size at once.
        hi = int(arr.view(np.dtype(f"u{arr.itemsize}")).max())
        limit = 2 * arr.size + 1024
        if kind == "i":
            limit = min(limit, 1 << (8 * arr.itemsize - 1))
        if hi < limit:
            return arr, hi + 1
    elif kind == "f":
        if not np.isfinite(arr).all():
            raise ValueError(f"{name} has a NaN or infinite label")
        # Continuous samples are almost all distinct: every pair would be its own
        # cell and the plug-in estimate would be log N whatever the dependence.
        if (arr != np.round(arr)).any():
            raise ValueError(
                f"{name} holds non-integer floats, which look like samples of a continuous "
                "variable; the plug-in estimate needs discrete labels (with N distinct "
                "values it returns log N whatever the dependence). Bin them first "
                "(ilib.estimators.binned_mutual_information) or use a k-nearest-neighbour "
                "estimator (sklearn.feature_selection.mutual_info_regression); for discrete "
                "labels stored as floats, pass integer codes or strings"
            )
    elif kind == "c":
        raise ValueError(f"{name} has complex labels")
    return _compress(arr, name)


def _compress(arr, name="labels"):
    """Number the distinct labels of ``arr`` as ``0 .. k-1``; return ``(codes, k)``."""
    try:
        uniq, inv = np.unique(arr, return_inverse=True)
    except TypeError:
        raise ValueError(f"{name} has labels that cannot be compared") from None
    return inv.reshape(-1), uniq.size


def _paired_codes(x, y):
    xa, nx = _codes(x, "x")
    ya, ny = _codes(y, "y")
    if xa.size != ya.size:
        raise ValueError(f"x and y must have the same length, got {xa.size} and {ya.size}")
    return xa, nx, ya, ny


def _contingency(x, y):
    """Return ``(cx, cy, cxy, n)``: label counts of X, Y and the non-empty pairs.

    The pair counts come from one ``np.bincount`` over ``x * ny + y`` when the
    table is small enough (the usual case); otherwise, after numbering the
    labels, from sorting the pair codes.
    """
    xa, nx, ya, ny = _paired_codes(x, y)
    n = xa.size
    dense_limit = max(4 * n, 1 << 16)
    if nx * ny > dense_limit:
        xa, nx = _compress(xa)
        ya, ny = _compress(ya)
    if nx * ny <= dense_limit:
        idx = np.multiply(xa, ny, dtype=np.intp)
        idx += ya
        cxy = np.bincount(idx, minlength=nx * ny).reshape(nx, ny)
        return cxy.sum(axis=1), cxy.sum(axis=0), cxy, n
    idx = np.multiply(xa, ny, dtype=np.int64)
    idx += ya
    _, cxy = np.unique(idx, return_counts=True)
    return np.bincount(xa, minlength=nx), np.bincount(ya, minlength=ny), cxy, n


def _sum_clogc(counts, log):
    """``sum(c log c)`` over the non-zero counts."""
    c = counts[counts > 0].astype(np.float64)
    return float(np.dot(c, log(c)))


def _plugin_mi(cx, cy, cxy, n, log, slog):
    """Plug-in MI from counts: ``H(c) = log n - sum(c log c) / n`` for each term."""
    s = _sum_clogc(cxy, log) - _sum_clogc(cx, log) - _sum_clogc(cy, log)
    return slog(n) + s / n


def mutual_information_from_samples(x, y, base=2):
    """Plug-in estimate of ``I(X; Y)`` from paired samples of discrete labels.

    Counts the pairs into a contingency table, turns the counts into
    frequencies and returns the mutual information of that empirical joint
    distribution. The estimate is biased upwards: under independence its
    expected value is about ``(|X| - 1)(|Y| - 1) / (2 N ln 2)`` bits, see
    :func:`miller_madow_mutual_information` and
    :func:`permutation_test_mutual_information`. It equals
    ``sklearn.metrics.mutual_info_score(x, y)`` (which is in nats).

    Labels may be integers, booleans, strings or floats with integer values;
    non-negative integer labels are counted directly with ``np.bincount``,
    others are first numbered with ``np.unique``. Floats with a fractional
    part are refused: they look like samples of a continuous variable, whose
    values are almost all distinct, and the plug-in estimate of ``N`` distinct
    pairs is ``log N`` whatever the dependence. Bin such samples
    (:func:`binned_mutual_information`) or use a k-nearest-neighbour estimator.

    See chapter 03, section 3.1 (Mutual information: estimating it from
    samples).

    Parameters
    ----------
    x, y : array_like, 1-D, same length
        Paired observations of X and Y.
    base : float, default 2
        Base of the logarithm.

    Returns
    -------
    float
        The plug-in estimate, between 0 and ``min(H(X), H(Y))`` of the
        empirical distribution.

    Raises
    ------
    ValueError
        If ``x`` or ``y`` is empty or not 1-D, their lengths differ, a label
        is NaN or infinite or a float with a fractional part, or ``base`` is
        invalid.
    """
    log, slog, scale = _validate.logs(base)
    cx, cy, cxy, n = _contingency(x, y)
    return max(_plugin_mi(cx, cy, cxy, n, log, slog), 0.0) / scale


def miller_madow_mutual_information(x, y, base=2):
    """Plug-in mutual information with the Miller-Madow bias correction.

    Each entropy is corrected as ``H_MM = H_plugin + (m - 1) / (2 N)`` nats,
    where ``m`` is its number of non-empty bins and ``N`` the number of
    samples; applied to ``H(X)``, ``H(Y)`` and ``H(X, Y)`` this gives

    .. math:: I_{MM} = I_{plugin} + \\frac{m_X + m_Y - m_{XY} - 1}{2N}
              \\ \\text{nats}.

    Under independence with every cell seen, the correction is
    ``-(m_X - 1)(m_Y - 1) / (2N)``: it removes the first-order bias of the
    plug-in estimate. The result is an estimate, not a mutual information of
    any distribution, and may be slightly negative; it is returned as it is.

    See chapter 03, section 3.1 (Mutual information: the bias of the plug-in
    estimate).

    Parameters
    ----------
    x, y : array_like, 1-D, same length
        Paired observations of X and Y (labels as in
        :func:`mutual_information_from_samples`).
    base : float, default 2
        Base of the logarithm.

    Returns
    -------
    float
        The Miller-Madow corrected estimate.

    Raises
    ------
    ValueError
        As :func:`mutual_information_from_samples`.
    """
    log, slog, scale = _validate.logs(base)
    cx, cy, cxy, n = _contingency(x, y)
    mx = np.count_nonzero(cx)
    my = np.count_nonzero(cy)
    mxy = np.count_nonzero(cxy)
    mi = _plugin_mi(cx, cy, cxy, n, log, slog)
    # (m - 1) / (2N) nats is (m - 1) / (2N ln b) in base b
    correction = (int(mx) + int(my) - int(mxy) - 1) / (2.0 * n * math.log(float(base)))
    return mi / scale + correction


class PermutationTestResult(NamedTuple):
    """Result of :func:`permutation_test_mutual_information`."""

    #: Plug-in mutual information of the observed pairs.
    statistic: float
    #: ``(1 + #{permuted MI >= observed}) / (1 + n_permutations)``.
    pvalue: float
    #: Mean plug-in MI over the permutations: the bias under independence.
    null_mean: float
    #: The plug-in MI of every permutation, shape ``(n_permutations,)``.
    null_distribution: np.ndarray


def permutation_test_mutual_information(x, y, n_permutations=1000, seed=0, base=2):
    """Permutation test of independence with the plug-in mutual information.

    Shuffling ``y`` against ``x`` keeps both marginals and destroys any
    dependence, so the plug-in MI of shuffled pairs shows what the estimate
    gives by chance. The p-value is

    .. math:: p = \\frac{1 + \\#\\{\\text{permuted MI} \\ge \\text{observed}\\}}
              {1 + n_{\\text{permutations}}},

    never 0. A permuted MI counts as "at least the observed" when it is within
    a relative ``1e-12`` of it, so that rounding never splits ties.
    Permutations come from ``numpy.random.default_rng(seed)`` and are counted
    all at once with one ``np.bincount``.

    See chapter 03, section 3.1 (Mutual information: a permutation test).

    Parameters
    ----------
    x, y : array_like, 1-D, same length
        Paired observations of X and Y (labels as in
        :func:`mutual_information_from_samples`).
    n_permutations : int, default 1000
        Number of random permutations, at least 1.
    seed : int or numpy.random.Generator, default 0
        Seed of ``numpy.random.default_rng``.
    base : float, default 2
        Base of the logarithm of the statistics.

    Returns
    -------
    PermutationTestResult
        Named tuple ``(statistic, pvalue, null_mean, null_distribution)``.

    Raises
    ------
    ValueError
        As :func:`mutual_information_from_samples`, or if ``n_permutations``
        is not a positive integer.
    """
    log, slog, scale = _validate.logs(base)
    if isinstance(n_permutations, bool) or not isinstance(n_permutations, int | np.integer):
        raise ValueError(f"n_permutations must be a positive integer, got {n_permutations!r}")
    if n_permutations < 1:
        raise ValueError(f"n_permutations must be a positive integer, got {n_permutations!r}")
    n_permutations = int(n_permutations)
    xa, _, ya, _ = _paired_codes(x, y)
    n = xa.size
    xa, nx = _compress(xa)
    ya, ny = _compress(ya)
    cells = nx * ny
    # c log c for every possible count 0..n, looked up instead of recomputed
    clogc = np.arange(n + 1, dtype=np.float64)
    clogc[1:] *= log(clogc[1:])
    # sum(c log c) of both marginals: shuffling y changes neither
    s_marg = clogc[np.bincount(xa)].sum() + clogc[np.bincount(ya)].sum()
    xbase = np.multiply(xa, ny, dtype=np.intp)
    s_obs = clogc[np.bincount(xbase + ya, minlength=cells)].sum()

    rng = np.random.default_rng(seed)
    s_null = np.empty(n_permutations)
    batch = max(1, min(n_permutations, (1 << 22) // max(n, cells)))
    for start in range(0, n_permutations, batch):  # batches of permutations
        b = min(batch, n_permutations - start)
        shuffled = rng.permuted(np.broadcast_to(ya, (b, n)), axis=1)
        idx = shuffled + xbase
        idx += (np.arange(b, dtype=np.intp) * cells)[:, None]
        counts = np.bincount(idx.reshape(-1), minlength=b * cells).reshape(b, cells)
        s_null[start : start + b] = clogc[counts].sum(axis=1)
    # the statistic grows with sum(cxy log cxy); compare those sums directly
    tol = 1e-12 * max(abs(s_obs), 1.0)
    exceed = int(np.count_nonzero(s_null >= s_obs - tol))
    pvalue = (1 + exceed) / (1 + n_permutations)
    null = (slog(n) + (s_null - s_marg) / n) / scale
    np.maximum(null, 0.0, out=null)
    cx, cy = np.bincount(xa, minlength=nx), np.bincount(ya, minlength=ny)
    cxy = np.bincount(xbase + ya, minlength=cells)
    statistic = max(_plugin_mi(cx, cy, cxy, n, log, slog), 0.0) / scale
    return PermutationTestResult(
        statistic=statistic,
        pvalue=pvalue,
        null_mean=float(null.mean()),
        null_distribution=null,
    )
