"""Neural estimators of mutual information: MINE and the variational bounds it trains.

A small PyTorch network ``T(x, y)`` is trained to maximise a variational lower
bound on ``I(X; Y)`` (Belghazi et al., 2018). Chapter 03, section "MINE",
explains the bound and why only its population value is a lower bound.
"""

import math

import numpy as np
import torch
from torch import nn

from ilib import _validate
from ilib.models import seeded

__all__ = ["MINE"]


def _as_2d_tensor(a, name):
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
        self.hidden = _validate.positive_int(hidden, "hidden")
        self.seed = _validate.positive_int(seed, "seed", minimum=0)
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
        with seeded(self.seed):
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
        xt, yt = self._pairs(x, y)
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
        if self.network is None:
            raise ValueError("fit must be called before lower_bound")
        xt, yt = self._pairs(x, y)
        seed = _validate.positive_int(seed, "seed", minimum=0)
        perm = torch.randperm(xt.shape[0], generator=torch.Generator().manual_seed(seed))
        with torch.no_grad():
            t_joint, t_marginal = self._statistics(xt, yt, perm)
            return float(_dv_bound(t_joint, t_marginal))
