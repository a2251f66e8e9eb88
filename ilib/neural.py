"""Neural estimators of mutual information: MINE and the variational bounds it trains.

A small PyTorch network ``T(x, y)`` (the *critic*) is trained to maximise a
variational lower bound on ``I(X; Y)``: the Donsker-Varadhan bound of MINE
(Belghazi et al., 2018), the Nguyen-Wainwright-Jordan bound and InfoNCE
(van den Oord et al., 2018), compared by Poole et al. (2019). Only the
*population* value of a bound, an expectation under the true distributions, is
a lower bound; its value on a finite sample is an estimate with a bias and a
variance of its own. Chapter 03, section 3.5, explains both.

The module also holds the chapter's toy problem with a known answer
(:func:`toy_pairs`, :func:`toy_log_density_ratio`, :func:`toy_mutual_information`),
so that the chapter and the tests sample and score the same problem.
"""

import math

import numpy as np
import torch
from scipy import integrate
from torch import nn

from ilib import _validate, i18n
from ilib.models import seeded
from ilib.progress import progress

__all__ = [
    "BOUNDS",
    "MINE",
    "TOY_NOISE_VARIANCE",
    "CriticEstimator",
    "dv_bound",
    "infonce_bound",
    "nwj_bound",
    "toy_log_density_ratio",
    "toy_mutual_information",
    "toy_pairs",
    "toy_population_bound",
]

# ---------------------------------------------------------------------------
# the toy problem: x = sign(N(0, 1)), y = x + N(0, 0.2)
# ---------------------------------------------------------------------------

#: Variance of the Gaussian noise added to ``x`` in the toy problem.
TOY_NOISE_VARIANCE = 0.2


def toy_pairs(n, seed=0):
    """Draw ``n`` pairs of the toy problem: ``x = sign(z)``, ``y = x + e``.

    ``z ~ N(0, 1)`` makes ``x`` equal to -1 or +1 with probability 1/2 each;
    ``e ~ N(0, TOY_NOISE_VARIANCE)`` is independent of ``z``.

    See chapter 03, section 3.5 (Neural estimators: MINE and the variational bounds).

    Parameters
    ----------
    n : int
        Number of pairs, at least 1.
    seed : int, default 0
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        ``x`` and ``y``, each of shape ``(n,)``.

    Raises
    ------
    ValueError
        If ``n`` is not a positive integer or ``seed`` not a non-negative integer.
    """
    n = _validate.positive_int(n, "n")
    seed = _validate.non_negative_int(seed, "seed")
    rng = np.random.default_rng(seed)
    x = np.sign(rng.standard_normal(n))
    return x, x + math.sqrt(TOY_NOISE_VARIANCE) * rng.standard_normal(n)


def toy_log_density_ratio(x, y):
    """``log p(y | x) / p(y)`` of the toy problem, in nats: its optimal critic.

    ``p(y)`` is the mixture ``N(y; -1, v)/2 + N(y; 1, v)/2`` with
    ``v = TOY_NOISE_VARIANCE``; the ratio is computed from log-densities
    (``logaddexp``), so that it stays finite far in the tails. Its mean over
    the joint distribution is ``I(X; Y)``; as a critic it attains every bound
    of this module in the population.

    See chapter 03, section 3.5 (Neural estimators: MINE and the variational bounds).

    Parameters
    ----------
    x : array_like
        Values of ``x`` (-1 or +1).
    y : array_like
        Values of ``y``, broadcastable against ``x``.

    Returns
    -------
    numpy.ndarray
        The log-ratio, in nats, with the broadcast shape of ``x`` and ``y``.

    Raises
    ------
    ValueError
        If ``x`` holds a value other than -1 and +1, or ``y`` a NaN or infinity.
    """
    xa = _validate.float_array(x, "x")
    ya = _validate.float_array(y, "y")
    if not np.isin(xa, (-1.0, 1.0)).all():
        raise ValueError("x must hold only -1 and +1")
    if not np.isfinite(ya).all():
        raise ValueError("y has a NaN or infinite entry")
    v = TOY_NOISE_VARIANCE
    # the common factor exp(-(y^2 + 1) / 2v) of both Gaussians cancels in the ratio
    return xa * ya / v - np.logaddexp(ya / v, -ya / v) + math.log(2.0)


def toy_mutual_information():
    """``I(X; Y)`` of the toy problem in nats, by numerical integration.

    By symmetry ``I = integral of N(y; 1, v) log(N(y; 1, v) / p(y)) dy``;
    :func:`scipy.integrate.quad` evaluates it over ``1 +- 12 sd``, beyond
    which the integrand is below ``1e-30``. The value is 0.658734 nats
    (0.950353 bits).

    See chapter 03, section 3.5 (Neural estimators: MINE and the variational bounds).

    Returns
    -------
    float
        The mutual information in nats.
    """
    sd = math.sqrt(TOY_NOISE_VARIANCE)

    def integrand(v):
        return math.exp(-0.5 * ((v - 1.0) / sd) ** 2) / (sd * math.sqrt(2 * math.pi)) * float(
            toy_log_density_ratio(1.0, v)
        )

    return integrate.quad(integrand, 1.0 - 12.0 * sd, 1.0 + 12.0 * sd, epsabs=1e-12)[0]


def toy_population_bound(statistic, bound="dv"):
    """Population value of the DV or NWJ bound of a critic on the toy problem (nats).

    The expectations over the joint ``P`` and the product of marginals ``Q``
    are integrals over ``y`` for ``x = -1`` and ``x = +1``, computed by the
    trapezoidal rule on 24001 points of ``[-1 - 12 sd, 1 + 12 sd]``:

    * ``"dv"``: ``E_P[T] - log E_Q[e^T]``;
    * ``"nwj"``: ``E_P[T] - E_Q[e^(T - 1)]``.

    Unlike a bound computed on a sample, this value is a lower bound on
    ``I(X; Y)`` for every critic: it is the quantity the theory bounds.

    See chapter 03, section 3.5 (Neural estimators: MINE and the variational bounds).

    Parameters
    ----------
    statistic : callable
        ``statistic(x, y)`` returns the critic's values for arrays ``x`` and
        ``y`` of the same shape ``(m,)``, e.g. :meth:`MINE.statistic`.
    bound : {"dv", "nwj"}, default "dv"
        The bound.

    Returns
    -------
    float
        The population bound, at most ``toy_mutual_information()`` (up to the
        integration error, below ``1e-6``).

    Raises
    ------
    ValueError
        If ``bound`` is neither ``"dv"`` nor ``"nwj"``, or ``statistic``
        returns values of the wrong shape or non-finite values.
    """
    if bound not in ("dv", "nwj"):
        raise ValueError(f'bound must be "dv" or "nwj", got {bound!r}')
    sd = math.sqrt(TOY_NOISE_VARIANCE)
    grid = np.linspace(-1.0 - 12.0 * sd, 1.0 + 12.0 * sd, 24001)
    minus = np.exp(-0.5 * ((grid + 1.0) / sd) ** 2) / (sd * math.sqrt(2 * math.pi))
    plus = minus[::-1]  # the grid is symmetric about 0
    mixture = 0.5 * (minus + plus)
    values = {}
    for sign in (-1.0, 1.0):
        t = np.asarray(statistic(np.full(grid.shape, sign), grid), dtype=np.float64)
        if t.shape != grid.shape or not np.isfinite(t).all():
            raise ValueError("statistic must return one finite value per pair")
        values[sign] = t
    e_joint = 0.5 * sum(np.trapezoid(values[s] * (plus if s > 0 else minus), grid)
                        for s in (-1.0, 1.0))
    shift = 0.0 if bound == "dv" else -1.0
    e_exp = 0.5 * sum(np.trapezoid(np.exp(values[s] + shift) * mixture, grid) for s in (-1.0, 1.0))
    return float(e_joint - (math.log(e_exp) if bound == "dv" else e_exp))


# ---------------------------------------------------------------------------
# the bounds, from critic values
# ---------------------------------------------------------------------------

#: Names of the bounds that :class:`CriticEstimator` trains.
BOUNDS = ("dv", "nwj", "infonce")


def dv_bound(t_joint, t_marginal):
    """Donsker-Varadhan bound ``mean(T_joint) - log mean exp(T_marginal)`` (nats).

    ``log mean exp`` is computed as ``logsumexp - log n``, which never overflows.
    On a sample it is biased upwards: ``log`` of a sample mean is on average
    below ``log`` of the expectation (Jensen).

    See chapter 03, section 3.5 (Neural estimators: MINE and the variational bounds).

    Parameters
    ----------
    t_joint, t_marginal : torch.Tensor
        Critic values on pairs from the joint and from the product of marginals,
        along the last axis; leading axes index independent batches.

    Returns
    -------
    torch.Tensor
        The bound of each batch: a scalar for 1-D input.
    """
    n = t_marginal.shape[-1]
    return t_joint.mean(dim=-1) - (torch.logsumexp(t_marginal, dim=-1) - math.log(n))


def nwj_bound(t_joint, t_marginal):
    """Nguyen-Wainwright-Jordan bound ``mean(T_joint) - mean(exp(T_marginal - 1))`` (nats).

    Both terms are plain means, so on a sample the bound is an unbiased
    estimate of its population value for a fixed critic; its variance grows
    with ``exp(T)``.

    See chapter 03, section 3.5 (Neural estimators: MINE and the variational bounds).

    Parameters
    ----------
    t_joint, t_marginal : torch.Tensor
        Critic values on pairs from the joint and from the product of marginals,
        along the last axis; leading axes index independent batches.

    Returns
    -------
    torch.Tensor
        The bound of each batch: a scalar for 1-D input.
    """
    return t_joint.mean(dim=-1) - torch.exp(t_marginal - 1.0).mean(dim=-1)


def infonce_bound(scores):
    r"""InfoNCE bound from an ``(n, n)`` matrix of critic values ``T(x_i, y_j)``.

    .. math:: \frac1n \sum_i \Big[T(x_i, y_i) - \log \frac1n \sum_j e^{T(x_i, y_j)}\Big].

    Row ``i`` asks which of the ``n`` values ``y_j`` belongs to ``x_i``. Each
    bracket is at most ``log n`` (the ``j = i`` term alone makes the sum at
    least ``e^{T(x_i, y_i)}``), so the bound never exceeds ``log n`` whatever
    the critic.

    See chapter 03, section 3.5 (Neural estimators: MINE and the variational bounds).

    Parameters
    ----------
    scores : torch.Tensor, shape (..., n, n)
        ``scores[..., i, j] = T(x_i, y_j)``; the diagonal holds the observed
        pairs; leading axes index independent batches.

    Returns
    -------
    torch.Tensor
        The bound of each batch, at most ``log n``: a scalar for an ``(n, n)`` input.
    """
    n = scores.shape[-1]
    diagonal = scores.diagonal(dim1=-2, dim2=-1)
    return (diagonal - torch.logsumexp(scores, dim=-1)).mean(dim=-1) + math.log(n)


def _as_2d_tensor(a, name):
    arr = _validate.finite_array(a, name).astype(np.float32)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] < 2:
        raise ValueError(f"{name} must be 1-D or 2-D with at least 2 samples, got shape "
                         f"{np.shape(a)}")
    return torch.from_numpy(np.ascontiguousarray(arr))


def _critic(dim, hidden, seed):
    """The statistics network: an MLP ``dim -> hidden -> hidden -> 1`` with ReLU, seeded."""
    with seeded(seed):
        return nn.Sequential(
            nn.Linear(dim, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 1),
        )


def _paired_tensors(x, y):
    xt = _as_2d_tensor(x, "x")
    yt = _as_2d_tensor(y, "y")
    if xt.shape[0] != yt.shape[0]:
        raise ValueError(
            f"x and y must have the same number of samples, got {xt.shape[0]} and "
            f"{yt.shape[0]}"
        )
    return xt, yt


def _learning_rate(lr):
    if isinstance(lr, bool) or not (isinstance(lr, int | float) and math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    return float(lr)


class MINE:
    """Mutual information neural estimation with the Donsker-Varadhan bound.

    A statistics network ``T(x, y)`` (an MLP with two hidden ReLU layers) is
    trained to maximise

    .. math:: I(X; Y) \\ge \\mathbb E_{P_{XY}}[T] - \\log \\mathbb E_{P_X P_Y}[e^{T}],

    where samples of the product of marginals are the observed pairs with
    ``y`` shuffled. The inequality holds for the population expectations; the
    bound computed on a sample (``history_``, :meth:`evaluate`) is an estimate
    of it with a bias of its own (up by Jensen's inequality, down when shuffled
    negatives reuse a small batch). The bound is computed with ``logsumexp`` (``log mean exp =
    logsumexp - log n``), never as ``log(mean(exp(T)))``, which overflows.

    With ``moving_average=alpha`` the gradient uses the bias correction of the
    MINE paper: the denominator ``E_Q[e^T]`` of the gradient is replaced by an
    exponential moving average (rate ``alpha``) of its batch estimates, which
    reduces the bias of the gradient at small batches; the reported bound is
    unchanged.

    Everything is seeded (``seed``) and runs on the CPU with the current torch
    settings; under ``ilib.setup()`` (one thread, deterministic algorithms) a
    run is reproducible. The global torch random state is left untouched.

    See chapter 03, section 3.5 (Neural estimators: MINE and the variational bounds).

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
        Mean of the last ``n_average`` values of ``history_``: measured on the
        training pairs, which the optimiser pushed the bound up on.

    Raises
    ------
    ValueError
        If ``hidden`` is not a positive integer, ``seed`` is not a
        non-negative integer or ``moving_average`` is not in ``(0, 1]``.
    """

    def __init__(self, hidden=32, seed=0, moving_average=None):
        self.hidden = _validate.positive_int(hidden, "hidden")
        self.seed = _validate.non_negative_int(seed, "seed")
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

    def _statistics(self, xt, yt, perm):
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
        xt, yt = _paired_tensors(x, y)
        n = xt.shape[0]
        steps = _validate.positive_int(steps, "steps")
        n_average = _validate.positive_int(n_average, "n_average")
        if n_average > steps:
            raise ValueError(f"n_average must be at most steps ({steps}), got {n_average}")
        if batch_size is None:
            batch_size = n
        batch_size = _validate.positive_int(batch_size, "batch_size", minimum=2)
        if batch_size > n:
            raise ValueError(f"batch_size must be at most the number of samples ({n}), "
                             f"got {batch_size}")
        lr = _learning_rate(lr)
        self.network = _critic(xt.shape[1] + yt.shape[1], self.hidden, self.seed)
        generator = torch.Generator().manual_seed(self.seed)
        optimizer = torch.optim.Adam(self.network.parameters(), lr=lr)
        history = np.empty(steps)
        running = None
        for step in progress(range(steps), desc=i18n.choose("training", "学習")):
            if batch_size < n:
                idx = torch.randperm(n, generator=generator)[:batch_size]
                xb, yb = xt[idx], yt[idx]
            else:
                xb, yb = xt, yt
            perm = torch.randperm(batch_size, generator=generator)
            t_joint, t_marginal = self._statistics(xb, yb, perm)
            bound = dv_bound(t_joint, t_marginal)
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

    def statistic(self, x, y):
        """The trained network's values ``T(x_i, y_i)`` on the pairs given, as a NumPy array.

        Raises
        ------
        ValueError
            If the network has not been trained, or the samples are invalid.
        """
        if self.network is None:
            raise ValueError("fit must be called before statistic")
        xt, yt = _paired_tensors(x, y)
        with torch.no_grad():
            return self.network(torch.cat([xt, yt], dim=1)).squeeze(1).numpy()

    def evaluate(self, x, y, seed=0):
        """The Donsker-Varadhan bound (nats) of the trained network on the pairs given.

        The product of marginals is sampled by shuffling ``y`` with a
        permutation from ``torch.Generator().manual_seed(seed)``. On fresh
        pairs this is an estimate of the network's population bound, which
        is a lower bound on ``I(X; Y)``; the estimate itself is not: it is
        biased upwards by Jensen's inequality and scatters around its mean.

        Raises
        ------
        ValueError
            If the network has not been trained, or the samples are invalid.
        """
        if self.network is None:
            raise ValueError("fit must be called before evaluate")
        xt, yt = _paired_tensors(x, y)
        seed = _validate.non_negative_int(seed, "seed")
        perm = torch.randperm(xt.shape[0], generator=torch.Generator().manual_seed(seed))
        with torch.no_grad():
            t_joint, t_marginal = self._statistics(xt, yt, perm)
            return float(dv_bound(t_joint, t_marginal))


def _scores(network, xt, yt):
    """Critic values ``T(x_i, y_j)`` of every pairing within each batch.

    ``xt`` and ``yt`` have shape ``(batches, n, d)``; the result has shape
    ``(batches, n, n)``, one forward pass for all batches.
    """
    b, n = xt.shape[:2]
    pairs = torch.cat([xt[:, :, None, :].expand(b, n, n, xt.shape[2]),
                       yt[:, None, :, :].expand(b, n, n, yt.shape[2])], dim=3)
    return network(pairs).squeeze(3)


def _batch_bounds(scores, bound):
    """The bound of each batch of ``scores`` (shape ``(batches, n, n)``), shape ``(batches,)``."""
    if bound == "infonce":
        return infonce_bound(scores)
    n = scores.shape[1]
    t_joint = scores.diagonal(dim1=1, dim2=2)
    t_marginal = scores[:, ~torch.eye(n, dtype=torch.bool)]
    return dv_bound(t_joint, t_marginal) if bound == "dv" else nwj_bound(t_joint, t_marginal)


class CriticEstimator:
    """A critic ``T(x, y)`` trained on one variational bound: DV, NWJ or InfoNCE.

    Each step draws a batch of ``n`` pairs and scores all ``n * n`` pairings
    ``T(x_i, y_j)``: the ``n`` observed pairs (the diagonal) are samples of the
    joint distribution, the ``n (n - 1)`` others stand in for the product of
    marginals (Poole et al., 2019). The bound named by ``bound`` is then

    * ``"dv"``: :func:`dv_bound` (diagonal against off-diagonal);
    * ``"nwj"``: :func:`nwj_bound` (the same pairs);
    * ``"infonce"``: :func:`infonce_bound` of the whole matrix, at most ``log n``.

    The network is an MLP with two hidden ReLU layers; weights, batches and
    everything else are seeded, and the global torch random state is left
    untouched.

    See chapter 03, section 3.5 (Neural estimators: MINE and the variational bounds).

    Parameters
    ----------
    bound : {"dv", "nwj", "infonce"}
        The bound to maximise.
    hidden : int, default 32
        Width of the two hidden layers.
    seed : int, default 0
        Seed of the initial weights and of the batches.

    Attributes
    ----------
    history_ : numpy.ndarray
        The bound (nats) on each training step's batch, after :meth:`fit`.

    Raises
    ------
    ValueError
        If ``bound`` is unknown, ``hidden`` is not a positive integer or
        ``seed`` not a non-negative integer.
    """

    def __init__(self, bound, hidden=32, seed=0):
        if bound not in BOUNDS:
            raise ValueError(f"bound must be one of {BOUNDS}, got {bound!r}")
        self.bound = bound
        self.hidden = _validate.positive_int(hidden, "hidden")
        self.seed = _validate.non_negative_int(seed, "seed")
        self.network = None

    def fit(self, x, y, steps=300, batch_size=128, lr=5e-3):
        """Train the critic by Adam on batches of ``batch_size`` pairs.

        Parameters
        ----------
        x, y : array_like, shape (n,) or (n, d)
            Paired samples of X and Y.
        steps : int, default 300
            Adam steps.
        batch_size : int, default 128
            Pairs per step (drawn without replacement each step), at least 2 and
            at most ``n``.
        lr : float, default 5e-3
            Adam's learning rate.

        Returns
        -------
        CriticEstimator
            ``self``, with ``history_`` set.

        Raises
        ------
        ValueError
            If the samples are invalid, ``steps`` or ``batch_size`` is out of
            range, or ``lr`` is not positive.
        """
        xt, yt = _paired_tensors(x, y)
        n = xt.shape[0]
        steps = _validate.positive_int(steps, "steps")
        batch_size = _validate.positive_int(batch_size, "batch_size", minimum=2)
        if batch_size > n:
            raise ValueError(f"batch_size must be at most the number of samples ({n}), "
                             f"got {batch_size}")
        lr = _learning_rate(lr)
        self.network = _critic(xt.shape[1] + yt.shape[1], self.hidden, self.seed)
        generator = torch.Generator().manual_seed(self.seed)
        optimizer = torch.optim.Adam(self.network.parameters(), lr=lr)
        history = np.empty(steps)
        for step in progress(range(steps), desc=i18n.choose("training", "学習")):
            idx = torch.randperm(n, generator=generator)[:batch_size]
            value = _batch_bounds(_scores(self.network, xt[idx][None], yt[idx][None]),
                                  self.bound)[0]
            optimizer.zero_grad()
            (-value).backward()
            optimizer.step()
            history[step] = float(value.detach())
        self.history_ = history
        return self

    def batch_estimates(self, x, y, batch_size, bound=None):
        """The bound of the trained critic on consecutive batches of fresh pairs.

        The pairs are cut into ``len(x) // batch_size`` disjoint batches (a
        remainder is dropped), and the bound is computed on each as in
        training. The mean of the returned values shows the estimate's bias
        at this batch size, their standard deviation its variance.

        Parameters
        ----------
        x, y : array_like, shape (n,) or (n, d)
            Fresh paired samples, at least ``batch_size`` of them.
        batch_size : int
            Pairs per batch, at least 2.
        bound : {"dv", "nwj", "infonce"}, optional
            The bound to compute; defaults to the one the critic was trained on.

        Returns
        -------
        numpy.ndarray
            One estimate (nats) per batch.

        Raises
        ------
        ValueError
            If the critic is untrained, the samples are invalid, ``batch_size``
            is out of range, or ``bound`` is unknown.
        """
        if self.network is None:
            raise ValueError("fit must be called before batch_estimates")
        bound = self.bound if bound is None else bound
        if bound not in BOUNDS:
            raise ValueError(f"bound must be one of {BOUNDS}, got {bound!r}")
        xt, yt = _paired_tensors(x, y)
        batch_size = _validate.positive_int(batch_size, "batch_size", minimum=2)
        batches = xt.shape[0] // batch_size
        if batches == 0:
            raise ValueError(f"batch_size must be at most the number of samples "
                             f"({xt.shape[0]}), got {batch_size}")
        with torch.no_grad():
            cut = batches * batch_size
            xb = xt[:cut].reshape(batches, batch_size, -1)
            yb = yt[:cut].reshape(batches, batch_size, -1)
            return _batch_bounds(_scores(self.network, xb, yb), bound).numpy().astype(np.float64)
