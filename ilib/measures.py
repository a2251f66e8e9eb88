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
    :data:`ilib._validate.SUM_TOLERANCE` (``1e-6``). Distributions are used as given, never
    renormalised.
"""

import heapq
import math

import numpy as np

from ilib import _validate

#: The smallest positive float (a subnormal). ``maximum(p, _TINY)`` changes only
#: the zero entries of ``p``, so ``p * log(maximum(p, _TINY))`` is exactly
#: ``p * log(p)`` where ``p > 0`` and exactly ``0`` where ``p == 0``: the
#: ``0 log 0 = 0`` convention in one pass, with no clipping of any probability.
_TINY = float(np.nextafter(0.0, 1.0))


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


def _joint(pxy, base):
    """Validate a joint table and ``base``; return ``(table, log, scale, h)``.

    ``h / scale`` is ``H(X, Y)`` in the unit of ``base``.
    """
    log, _, scale = _validate.logs(base)
    arr, pmin = _validate.distribution(pxy, "pxy", 2)
    return arr, log, scale, _neg_sum_plogp(arr, pmin, log)


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
    _, _, scale, h_joint = _joint(pxy, base)
    return h_joint / scale


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
    _validate.one_of(given, "given", ("x", "y"))
    arr, log, scale, h_joint = _joint(pxy, base)
    # marginal of the conditioning variable: P(y) sums the rows (axis 0)
    marg = arr.sum(axis=0 if given == "y" else 1)
    h_marg = _neg_sum_plogp(marg, float(marg.min()), log)
    return max(h_joint - h_marg, 0.0) / scale


def mutual_information(pxy, base=2):
    """Mutual information ``I(X; Y)`` of a joint probability table.

    .. math:: I(X; Y) = D_{\\mathrm{KL}}(P_{XY} \\| P_X P_Y) = H(X) + H(Y) - H(X, Y).

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
    arr, log, scale, h_joint = _joint(pxy, base)
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


def _on_support(p, q, base):
    """Validate; return ``(log, scale, P, Q)`` with P and Q restricted to where ``P > 0``."""
    log, _, scale = _validate.logs(base)
    parr, qarr = _pair(p, q)
    mask = parr > 0.0
    return log, scale, parr[mask], qarr[mask]


def cross_entropy(p, q, base=2):
    """Cross-entropy ``H(P, Q)``: the average code length of P in Q's code.

    .. math:: H(P, Q) = -\\sum_x P(x) \\log Q(x) = H(P) + D_{\\mathrm{KL}}(P \\| Q).

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
    log, scale, pm, qm = _on_support(p, q, base)
    if qm.min() == 0.0:
        return math.inf
    return -float(np.dot(pm, log(qm))) / scale


def kl_divergence(p, q, base=2):
    """Kullback-Leibler divergence ``D_KL(P || Q)``.

    .. math:: D_{\\mathrm{KL}}(P \\| Q) = \\sum_x P(x) \\log \\frac{P(x)}{Q(x)}.

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
    log, scale, pm, qm = _on_support(p, q, base)
    if qm.min() == 0.0:
        return math.inf
    return max(float(np.dot(pm, log(pm / qm))), 0.0) / scale


def js_divergence(p, q, base=2):
    """Jensen-Shannon divergence of two discrete distributions.

    .. math:: JS(P, Q) = \\tfrac12 D_{\\mathrm{KL}}(P \\| M) + \\tfrac12 D_{\\mathrm{KL}}(Q \\| M),
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

    .. math:: D_{\\mathrm{KL}}(\\mathcal N(\\mu_1, \\sigma_1^2)
              \\| \\mathcal N(\\mu_2, \\sigma_2^2))
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
    scale = math.log(_validate.log_base(base))
    args = {
        "mean_p": _validate.finite_array(mean_p, "mean_p"),
        "var_p": _validate.positive_array(var_p, "var_p", "a variance"),
        "mean_q": _validate.finite_array(mean_q, "mean_q"),
        "var_q": _validate.positive_array(var_q, "var_q", "a variance"),
    }
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


# --- added by ch03
# ---------------------------------------------------------------------------
# three variables: conditional mutual information
# ---------------------------------------------------------------------------


def conditional_mutual_information(pxyz, base=2):
    """Conditional mutual information ``I(X; Y | Z)`` of a three-way probability table.

    .. math:: I(X; Y \\mid Z) = \\sum_z P(z)\\, I(X; Y \\mid Z = z)
              = H(X, Z) + H(Y, Z) - H(X, Y, Z) - H(Z).

    It is zero exactly when X and Y are independent given Z (a Markov chain
    ``X -> Z -> Y``). With it the chain rule reads
    ``I(X; Y, Z) = I(X; Z) + I(X; Y | Z)``.

    See chapter 03, section 3.2 (Conditional mutual information and the chain rule).

    Parameters
    ----------
    pxyz : array_like, 3-D
        ``pxyz[x, y, z] = P(X = x, Y = y, Z = z)``; non-negative, summing to 1.
    base : float, default 2
        Base of the logarithm.

    Returns
    -------
    float
        ``I(X; Y | Z)``, non-negative.

    Raises
    ------
    ValueError
        If ``pxyz`` is not a 3-D probability table, or ``base`` is invalid.

    Examples
    --------
    >>> xor = np.zeros((2, 2, 2))
    >>> for x in (0, 1):
    ...     for y in (0, 1):
    ...         xor[x, y, x ^ y] = 0.25
    >>> conditional_mutual_information(xor)  # independent, but not given Z
    1.0
    """
    log, _, scale = _validate.logs(base)
    arr = _validate.float_array(pxyz, "pxyz")
    if arr.ndim != 3:
        raise ValueError(f"pxyz must be 3-D, got shape {arr.shape}")
    _validate.distribution_min(arr, "pxyz")

    def h(table):
        return _neg_sum_plogp(table, float(table.min()), log)

    cmi = h(arr.sum(axis=1)) + h(arr.sum(axis=0)) - h(arr) - h(arr.sum(axis=(0, 1)))
    return max(cmi, 0.0) / scale
