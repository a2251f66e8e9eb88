"""Discrete and Gaussian information measures, exact and validated.

Every function takes NumPy arrays or plain lists and returns a Python
``float`` (except where its docstring says otherwise). Each docstring names the
chapter section of the book that teaches the quantity.

Conventions
-----------
base
    The base of the logarithm: ``2`` gives bits (the default for discrete
    measures), ``math.e`` gives nats, ``10`` gives hartleys; any positive,
    finite number other than 1 is allowed.
Exact mathematics
    ``0 log 0 = 0``; a cross-entropy or KL divergence is ``math.inf`` where
    ``P(x) > 0`` and ``Q(x) = 0``. No probability is ever clipped with an
    epsilon. Quantities that are non-negative in exact arithmetic (KL, JS,
    conditional entropy, mutual information) are returned as ``0.0`` when
    floating-point rounding makes them a hair negative, and the JS divergence
    is capped at 1 bit for the same reason.
Validation
    Bad input raises :class:`ValueError` with a message naming the argument and
    the problem: an empty array, a NaN or infinite entry, a negative entry,
    a wrong number of dimensions or mismatched shapes, an unknown option, and a
    distribution whose entries do not sum to 1 within the absolute tolerance
    :data:`SUM_TOLERANCE` (``1e-6``). Distributions are used as given, never
    renormalised.
"""

import heapq
import math
from typing import NamedTuple

import numpy as np

from ilib import _validate
from ilib._validate import SUM_TOLERANCE

__all__ = [
    "SUM_TOLERANCE",
    "PermutationTestResult",
    "conditional_entropy",
    "cross_entropy",
    "entropy",
    "gaussian_kl",
    "huffman_code",
    "joint_entropy",
    "js_divergence",
    "kl_divergence",
    "miller_madow_mutual_information",
    "mutual_information",
    "mutual_information_from_samples",
    "permutation_test_mutual_information",
]

#: Absolute tolerance on ``|sum(p) - 1|`` for an argument to count as a
#: probability distribution.

#: The smallest positive float (a subnormal). ``maximum(p, _TINY)`` changes only
#: the zero entries of ``p``, so ``p * log(maximum(p, _TINY))`` is exactly
#: ``p * log(p)`` where ``p > 0`` and exactly ``0`` where ``p == 0``: the
#: ``0 log 0 = 0`` convention in one pass, with no clipping of any probability.
_TINY = float(np.nextafter(0.0, 1.0))


# ---------------------------------------------------------------------------
# validation helpers
# ---------------------------------------------------------------------------


def _neg_sum_plogp(p, pmin, log):
    """``-sum(p log p)`` with ``0 log 0 = 0``; ``pmin`` is ``min(p)``."""
    flat = p.reshape(-1)
    if pmin > 0.0:
        logs = log(flat)
    else:
        logs = np.maximum(flat, _TINY)
        log(logs, out=logs)
    # 0.0 - x, not -x: a certain outcome gives +0.0 bits, never a printed "-0.0".
    return 0.0 - float(np.dot(flat, logs))


# ---------------------------------------------------------------------------
# chapter 01: entropy
# ---------------------------------------------------------------------------


def entropy(p, base=2):
    """Shannon entropy of a discrete distribution.

    .. math:: H(X) = -\\sum_x P(x) \\log P(x), \\qquad 0 \\log 0 = 0.

    See chapter 01, section 1.1 (Self-information and entropy).

    Parameters
    ----------
    p : array_like, 1-D
        Probabilities ``P(x)``; non-negative, summing to 1 within
        ``SUM_TOLERANCE``.
    base : float, default 2
        Base of the logarithm (2: bits, ``math.e``: nats).

    Returns
    -------
    float
        ``H(X)``, between 0 and ``log(len(p))``.

    Raises
    ------
    ValueError
        If ``p`` is empty, not 1-D, has a negative, NaN or infinite entry, or
        does not sum to 1; if ``base`` is not positive or is 1.

    Examples
    --------
    >>> entropy([0.5, 0.25, 0.125, 0.125])
    1.75
    """
    log, _, scale = _validate.logs(base)
    arr, pmin = _validate.distribution(p, "p", 1)
    return _neg_sum_plogp(arr, pmin, log) / scale


def joint_entropy(pxy, base=2):
    """Joint entropy ``H(X, Y)`` of a joint probability table.

    .. math:: H(X, Y) = -\\sum_{x, y} P(x, y) \\log P(x, y).

    See chapter 01, section 1.2 (Joint and conditional entropy).

    Parameters
    ----------
    pxy : array_like, 2-D
        ``pxy[x, y] = P(X = x, Y = y)``: rows are the values of X, columns the
        values of Y; non-negative, summing to 1.
    base : float, default 2
        Base of the logarithm.

    Returns
    -------
    float
        ``H(X, Y)``.

    Raises
    ------
    ValueError
        If ``pxy`` is not a 2-D probability table, or ``base`` is invalid.
    """
    log, _, scale = _validate.logs(base)
    arr, pmin = _validate.distribution(pxy, "pxy", 2)
    return _neg_sum_plogp(arr, pmin, log) / scale


def conditional_entropy(pxy, given, base=2):
    """Conditional entropy from a joint probability table.

    ``given="y"`` returns ``H(X | Y) = H(X, Y) - H(Y)``, the uncertainty left in
    the row variable X once the column variable Y is known;
    ``given="x"`` returns ``H(Y | X) = H(X, Y) - H(X)``. Both equal
    ``sum_c P(c) H(. | c)``, the average over the conditioning value ``c`` of
    the entropy of the slice normalised by the marginal of ``c`` (normalising by
    the other marginal is the pitfall of section 1.2).

    See chapter 01, section 1.2 (Joint and conditional entropy; chain rule).

    Parameters
    ----------
    pxy : array_like, 2-D
        ``pxy[x, y] = P(X = x, Y = y)``.
    given : {"y", "x"}
        The conditioning variable.
    base : float, default 2
        Base of the logarithm.

    Returns
    -------
    float
        ``H(X | Y)`` or ``H(Y | X)``, non-negative.

    Raises
    ------
    ValueError
        If ``pxy`` is not a 2-D probability table, ``given`` is neither
        ``"x"`` nor ``"y"``, or ``base`` is invalid.
    """
    if given not in ("x", "y"):
        raise ValueError(f'given must be "x" or "y", got {given!r}')
    log, _, scale = _validate.logs(base)
    arr, pmin = _validate.distribution(pxy, "pxy", 2)
    h_joint = _neg_sum_plogp(arr, pmin, log)
    # marginal of the conditioning variable: P(y) sums the rows (axis 0)
    marg = arr.sum(axis=0 if given == "y" else 1)
    h_marg = _neg_sum_plogp(marg, float(marg.min()), log)
    return max(h_joint - h_marg, 0.0) / scale


def mutual_information(pxy, base=2):
    """Mutual information ``I(X; Y)`` of a joint probability table.

    .. math:: I(X; Y) = D_{KL}(P_{XY} \\| P_X P_Y) = H(X) + H(Y) - H(X, Y).

    See chapter 03, section 3.1 (Mutual information); the entropy form is the
    chain rule of chapter 01, section 1.2.

    Parameters
    ----------
    pxy : array_like, 2-D
        ``pxy[x, y] = P(X = x, Y = y)``.
    base : float, default 2
        Base of the logarithm.

    Returns
    -------
    float
        ``I(X; Y)``, between 0 and ``min(H(X), H(Y))``.

    Raises
    ------
    ValueError
        If ``pxy`` is not a 2-D probability table, or ``base`` is invalid.
    """
    log, _, scale = _validate.logs(base)
    arr, pmin = _validate.distribution(pxy, "pxy", 2)
    h_joint = _neg_sum_plogp(arr, pmin, log)
    px = arr.sum(axis=1)
    py = arr.sum(axis=0)
    hx = _neg_sum_plogp(px, float(px.min()), log)
    hy = _neg_sum_plogp(py, float(py.min()), log)
    mi = min(max(hx + hy - h_joint, 0.0), hx, hy)
    return mi / scale


def huffman_code(probs):
    """Codewords of an optimal (Huffman) binary prefix code.

    The codeword lengths come from Huffman's algorithm: repeatedly merge the
    two least probable nodes. Ties are broken deterministically, in favour of
    the node that exists first (original outcomes in input order, then merged
    nodes in order of creation). The codewords are then the *canonical* code
    for those lengths: sorted by (length, input position), each codeword is the
    previous one plus one, padded with zeros to its length. For ``(1/2, 1/4, 1/8, 1/8)`` this gives
    ``['0', '10', '110', '111']``.

    An outcome of probability 0 still gets a (long) codeword; it never
    changes the average length. A single outcome gets ``'0'``.

    Huffman's algorithm is a priority-queue loop over the ``K`` outcomes
    (``O(K log K)``); it is the one measure here that is not a NumPy pass.

    See chapter 01, section 1.1 (Entropy as the length of the best code).

    Parameters
    ----------
    probs : array_like, 1-D
        Probabilities of the outcomes, summing to 1.

    Returns
    -------
    list of str
        One codeword of ``'0'``/``'1'`` characters per outcome, in input order.
        The average length ``L = sum(p * len)`` satisfies ``H <= L < H + 1``
        (bits), with ``L = H`` for dyadic probabilities (the one exception:
        when an outcome is certain, ``H = 0`` and ``L = 1``).

    Raises
    ------
    ValueError
        If ``probs`` is not a 1-D probability distribution.
    """
    arr, _ = _validate.distribution(probs, "probs", 1)
    k = arr.size
    if k == 1:
        return ["0"]
    weights = arr.tolist()
    # nodes 0..k-1 are the outcomes, k.. the merged nodes
    parent = [0] * (2 * k - 1)
    heap = [(w, i) for i, w in enumerate(weights)]
    heapq.heapify(heap)
    nxt = k
    while len(heap) > 1:
        w1, a = heapq.heappop(heap)
        w2, b = heapq.heappop(heap)
        parent[a] = parent[b] = nxt
        heapq.heappush(heap, (w1 + w2, nxt))
        nxt += 1
    # depth of each node, from the root (the last node) down
    depth = [0] * (2 * k - 1)
    for node in range(2 * k - 3, -1, -1):
        depth[node] = depth[parent[node]] + 1
    lengths = depth[:k]
    order = sorted(range(k), key=lambda i: (lengths[i], i))
    codes = [""] * k
    code = 0
    prev_len = lengths[order[0]]
    for i in order:
        code <<= lengths[i] - prev_len
        prev_len = lengths[i]
        codes[i] = format(code, f"0{prev_len}b")
        code += 1
    return codes


# ---------------------------------------------------------------------------
# chapter 02: KL divergence and cross-entropy
# ---------------------------------------------------------------------------


def _pair(p, q):
    parr, _ = _validate.distribution(p, "p", 1)
    qarr = _validate.float_array(q, "q")
    _validate.same_shape(parr, qarr)
    _validate.distribution_min(qarr, "q")
    return parr, qarr


def cross_entropy(p, q, base=2):
    """Cross-entropy ``H(P, Q)``: the average code length of P in Q's code.

    .. math:: H(P, Q) = -\\sum_x P(x) \\log Q(x) = H(P) + D_{KL}(P \\| Q).

    Terms with ``P(x) = 0`` contribute 0 whatever ``Q(x)``; if ``P(x) > 0``
    where ``Q(x) = 0`` the result is ``math.inf`` (Q's code has no word for
    ``x``), never an epsilon-clipped finite number.

    See chapter 02, section 2.2 (Cross-entropy).

    Parameters
    ----------
    p, q : array_like, 1-D, same shape
        The true distribution P and the model (code) distribution Q.
    base : float, default 2
        Base of the logarithm.

    Returns
    -------
    float
        ``H(P, Q) >= H(P)``, possibly ``math.inf``.

    Raises
    ------
    ValueError
        If ``p`` or ``q`` is not a 1-D probability distribution, their shapes
        differ, or ``base`` is invalid.
    """
    log, _, scale = _validate.logs(base)
    parr, qarr = _pair(p, q)
    mask = parr > 0.0
    qm = qarr[mask]
    if qm.min() == 0.0:
        return math.inf
    return -float(np.dot(parr[mask], log(qm))) / scale


def kl_divergence(p, q, base=2):
    """Kullback-Leibler divergence ``D_KL(P || Q)``.

    .. math:: D_{KL}(P \\| Q) = \\sum_x P(x) \\log \\frac{P(x)}{Q(x)}.

    Non-negative (Gibbs' inequality), zero if and only if ``P = Q``, not
    symmetric. ``math.inf`` where ``P(x) > 0`` and ``Q(x) = 0``.

    See chapter 02, section 2.1 (KL divergence).

    Parameters
    ----------
    p, q : array_like, 1-D, same shape
        The distributions P and Q.
    base : float, default 2
        Base of the logarithm (2: bits; ``math.e``: nats, as in PyTorch).

    Returns
    -------
    float
        ``D_KL(P || Q) >= 0``, possibly ``math.inf``.

    Raises
    ------
    ValueError
        If ``p`` or ``q`` is not a 1-D probability distribution, their shapes
        differ, or ``base`` is invalid.

    Examples
    --------
    >>> round(kl_divergence([0.5, 0.5], [0.7, 0.3], base=math.e), 7)
    0.0871767
    """
    log, _, scale = _validate.logs(base)
    parr, qarr = _pair(p, q)
    mask = parr > 0.0
    pm = parr[mask]
    qm = qarr[mask]
    if qm.min() == 0.0:
        return math.inf
    return max(float(np.dot(pm, log(pm / qm))), 0.0) / scale


def js_divergence(p, q, base=2):
    """Jensen-Shannon divergence of two discrete distributions.

    .. math:: JS(P, Q) = \\tfrac12 D_{KL}(P \\| M) + \\tfrac12 D_{KL}(Q \\| M),
              \\qquad M = \\tfrac12 (P + Q).

    Symmetric, always finite, between 0 and 1 bit (``ln 2`` nats).

    See chapter 02, section 2.1 (KL divergence: Jensen-Shannon divergence).

    Parameters
    ----------
    p, q : array_like, 1-D, same shape
        The distributions P and Q.
    base : float, default 2
        Base of the logarithm.

    Returns
    -------
    float
        ``JS(P, Q)`` in ``[0, log_base 2]``.

    Raises
    ------
    ValueError
        If ``p`` or ``q`` is not a 1-D probability distribution, their shapes
        differ, or ``base`` is invalid.
    """
    log, slog, scale = _validate.logs(base)
    parr, qarr = _pair(p, q)
    m = 0.5 * (parr + qarr)
    total = 0.0
    for a in (parr, qarr):  # the two halves, not a loop over outcomes
        mask = a > 0.0
        am = a[mask]
        total += float(np.dot(am, log(am / m[mask])))
    # 0 <= JS <= log 2 in exact arithmetic; clamp the rounding error
    return min(max(0.5 * total, 0.0), slog(2.0)) / scale


def gaussian_kl(mean_p, var_p, mean_q, var_q, base=math.e):
    """KL divergence between two univariate Gaussians, from their *variances*.

    .. math:: D_{KL}(\\mathcal N(\\mu_1, \\sigma_1^2) \\| \\mathcal N(\\mu_2, \\sigma_2^2))
              = \\tfrac12 \\Big( \\ln\\frac{\\sigma_2^2}{\\sigma_1^2}
              + \\frac{\\sigma_1^2 + (\\mu_1 - \\mu_2)^2}{\\sigma_2^2} - 1 \\Big).

    The arguments are variances ``sigma**2``, never standard deviations:
    ``gaussian_kl(0, 1, 2, 4)`` is ``D_KL(N(0, 1) || N(2, 2**2)) = 0.818147``
    nats, ``gaussian_kl(0, 1, 2, 2)`` is ``D_KL(N(0, 1) || N(2, sigma**2 = 2))
    = 1.096574`` nats.

    With scalar arguments the result is a Python ``float``. Array arguments
    broadcast and the result is an ``ndarray`` of elementwise divergences,
    one per coordinate: for diagonal (independent) Gaussians in several
    dimensions the total divergence is ``gaussian_kl(...).sum(axis=-1)``
    (chapter 04's KL term of the VAE).

    See chapter 02, section 2.1 (KL divergence between Gaussians).

    Parameters
    ----------
    mean_p, var_p : float or array_like
        Mean and variance of P.
    mean_q, var_q : float or array_like
        Mean and variance of Q.
    base : float, default ``math.e``
        Base of the logarithm (default nats, as in the text and in PyTorch).

    Returns
    -------
    float or numpy.ndarray
        ``D_KL(P || Q) >= 0``.

    Raises
    ------
    ValueError
        If a variance is not positive, an argument is NaN or infinite or not
        numeric, the arguments do not broadcast, or ``base`` is invalid.
    """
    _validate.logs(base)  # validates base
    scale = math.log(float(base))
    args = {}
    for name, value in (
        ("mean_p", mean_p),
        ("var_p", var_p),
        ("mean_q", mean_q),
        ("var_q", var_q),
    ):
        arr = _validate.float_array(value, name)
        if not np.isfinite(arr).all():
            raise ValueError(f"{name} has a NaN or infinite entry")
        if name.startswith("var") and not (arr > 0.0).all():
            raise ValueError(f"{name} must be positive (a variance), got {float(arr.min())!r}")
        args[name] = arr
    try:
        mp, vp, mq, vq = np.broadcast_arrays(*args.values())
    except ValueError:
        shapes = ", ".join(f"{k} {v.shape}" for k, v in args.items())
        raise ValueError(f"the arguments must broadcast together, got {shapes}") from None
    ratio = vp / vq
    kl = 0.5 * (ratio - np.log(ratio) + (mp - mq) ** 2 / vq - 1.0)
    kl = np.maximum(kl, 0.0) / scale
    if kl.ndim == 0:
        return float(kl)
    return kl


# ---------------------------------------------------------------------------
# chapter 03: mutual information from samples
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

    Labels may be integers, booleans, floats or strings; non-negative integer
    labels are counted directly with ``np.bincount``, others are first
    numbered with ``np.unique``.

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
        is NaN or infinite, or ``base`` is invalid.
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
