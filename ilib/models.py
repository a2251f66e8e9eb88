"""Small torch models of the book: a variational autoencoder and a plain one.

Chapter 04, section 4.1 trains them on the scikit-learn digits
(:func:`ilib.data.digits`); chapter 05, section 5.3 reuses the VAE to compare
the ELBO with importance-weighted bounds.

Conventions
-----------
* Images are float tensors of shape ``(n, input_dim)`` with values in [0, 1]
  (fractional pixels). The decoder returns **logits** of a Bernoulli
  likelihood per pixel; ``-log p(x|z)`` is the binary cross-entropy with
  logits summed over pixels (fractional targets are allowed).
* Every loss is **per image, in nats** (natural logarithm).
* All randomness (initial weights, shuffling, the reparameterisation noise)
  comes from seeds, so a re-run prints the same numbers
  (DESIGN.md, "Determinism"; :func:`ilib.setup` fixes one thread).
"""

import contextlib
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

__all__ = [
    "VAE",
    "Autoencoder",
    "bernoulli_nll",
    "gaussian_kl_standard",
    "train_vae",
    "evaluate_vae",
    "train_autoencoder",
    "evaluate_autoencoder",
]


# --------------------------------------------------------------------------- checks
def _positive_int(value, name):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _non_negative_int(value, name):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    return int(value)


def _non_negative_float(value, name):
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(v) or v < 0:
        raise ValueError(f"{name} must be finite and >= 0, got {value!r}")
    return v


def _positive_float(value, name):
    v = _non_negative_float(value, name)
    if v == 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return v


def _images(x, input_dim, name="x"):
    """Check a batch of images: 2-D ``(n, input_dim)``, finite, values in [0, 1]."""
    if not isinstance(x, torch.Tensor):
        try:
            x = torch.as_tensor(np.asarray(x, dtype=np.float32))
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be an array of numbers") from None
    if x.dim() != 2 or x.shape[1] != input_dim or x.shape[0] == 0:
        raise ValueError(
            f"{name} must have shape (n, {input_dim}) with n >= 1, got {tuple(x.shape)}"
        )
    if not torch.is_floating_point(x):
        x = x.float()
    if not bool(torch.isfinite(x).all()):
        raise ValueError(f"{name} must not contain NaN or infinite values")
    if bool((x < 0).any()) or bool((x > 1).any()):
        raise ValueError(f"{name} must hold pixel values in [0, 1]")
    return x.float()


def _latents(z, latent_dim, name="z"):
    if not isinstance(z, torch.Tensor):
        z = torch.as_tensor(np.asarray(z, dtype=np.float32))
    if z.dim() != 2 or z.shape[1] != latent_dim:
        raise ValueError(f"{name} must have shape (n, {latent_dim}), got {tuple(z.shape)}")
    return z.float()


def seeded(seed):
    """Context in which layers are built from ``seed`` (global generator left untouched)."""
    if seed is None:
        return contextlib.nullcontext()
    seed = _non_negative_int(seed, "seed")
    stack = contextlib.ExitStack()
    stack.enter_context(torch.random.fork_rng(devices=[]))
    torch.manual_seed(seed)
    return stack


# ----------------------------------------------------------------------- loss pieces
def bernoulli_nll(logits, x):
    """``-log p(x|z)`` per image in nats: binary cross-entropy with logits, summed over pixels.

    Fractional targets ``x`` in [0, 1] are allowed (the digits' grey levels);
    the minimum over the logits is then the binary entropy of the pixels, not
    zero. See chapter 04, section 4.1.

    Parameters
    ----------
    logits : torch.Tensor, shape (n, d)
    x : torch.Tensor, shape (n, d)

    Returns
    -------
    torch.Tensor, shape (n,)
    """
    if logits.shape != x.shape:
        raise ValueError(
            f"logits and x must have the same shape, got {tuple(logits.shape)} and {tuple(x.shape)}"
        )
    return F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(dim=1)


def gaussian_kl_standard(mean, logvar):
    """Closed-form ``D_KL(N(mean, diag exp(logvar)) || N(0, I))`` per row, in nats.

    ``0.5 * sum(mean**2 + exp(logvar) - logvar - 1)`` over the last axis.
    See chapter 04, section 4.1 (the KL term of the ELBO).

    Parameters
    ----------
    mean, logvar : torch.Tensor, same shape (n, k)

    Returns
    -------
    torch.Tensor, shape (n,)
    """
    if mean.shape != logvar.shape:
        raise ValueError(
            "mean and logvar must have the same shape, "
            f"got {tuple(mean.shape)} and {tuple(logvar.shape)}"
        )
    return 0.5 * (mean.pow(2) + logvar.exp() - logvar - 1).sum(dim=-1)


# ---------------------------------------------------------------------------- models
class VAE(nn.Module):
    """Variational autoencoder with a Gaussian encoder and a Bernoulli decoder.

    Encoder ``input_dim → hidden (ReLU) → (mean, logvar)`` of ``latent_dim``
    each; decoder ``latent_dim → hidden (ReLU) → input_dim`` logits. Prior
    ``p(z) = N(0, I)``. See chapter 04, section 4.1 (and chapter 05,
    section 5.3 for importance-weighted bounds built on it).

    Parameters
    ----------
    latent_dim : int, default 2
    hidden : int, default 256
    input_dim : int, default 64
    seed : int, optional (keyword only)
        If given, the initial weights come from this seed and the global torch
        generator is left untouched; otherwise they come from the global
        generator (seeded by :func:`ilib.setup`).

    Raises
    ------
    ValueError
        If a size is not a positive integer or ``seed`` is negative.
    """

    def __init__(self, latent_dim=2, hidden=256, input_dim=64, *, seed=None):
        super().__init__()
        self.latent_dim = _positive_int(latent_dim, "latent_dim")
        self.hidden = _positive_int(hidden, "hidden")
        self.input_dim = _positive_int(input_dim, "input_dim")
        d, h, k = self.input_dim, self.hidden, self.latent_dim
        with seeded(seed):
            self.encoder = nn.Sequential(nn.Linear(d, h), nn.ReLU())
            self.to_mean = nn.Linear(h, k)
            self.to_logvar = nn.Linear(h, k)
            self.decoder = nn.Sequential(nn.Linear(k, h), nn.ReLU(), nn.Linear(h, d))

    def encode(self, x):
        """Parameters of ``q(z|x)``: ``(mean, logvar)``, each of shape ``(n, latent_dim)``."""
        x = _images(x, self.input_dim)
        h = self.encoder(x)
        return self.to_mean(h), self.to_logvar(h)

    def decode(self, z):
        """Bernoulli logits of ``p(x|z)``, shape ``(n, input_dim)``.

        ``torch.sigmoid`` of them gives the pixel means (the decoded image)."""
        z = _latents(z, self.latent_dim)
        return self.decoder(z)

    def sample_latent(self, mean, logvar, generator=None):
        """Reparameterised sample ``z = mean + exp(logvar / 2) * eps`` with ``eps ~ N(0, I)``."""
        eps = torch.randn(mean.shape, generator=generator, dtype=mean.dtype)
        return mean + torch.exp(0.5 * logvar) * eps

    def forward(self, x, generator=None):
        """Encode, sample one ``z`` and decode: returns ``(logits, mean, logvar)``."""
        mean, logvar = self.encode(x)
        z = self.sample_latent(mean, logvar, generator)
        return self.decode(z), mean, logvar

    def loss_terms(self, x, generator=None):
        """Per-image ``(reconstruction, kl)`` in nats; ``-ELBO = reconstruction + kl``.

        ``reconstruction`` is the binary cross-entropy summed over pixels for
        one reparameterised sample ``z ~ q(z|x)`` (an unbiased estimate of
        ``-E_q log p(x|z)``); ``kl`` is the closed form
        ``0.5 * sum(mean**2 + var - log var - 1)``.

        Parameters
        ----------
        x : torch.Tensor, shape (n, input_dim), values in [0, 1]
        generator : torch.Generator, optional
            Source of the noise ``eps``; the global generator if omitted.

        Returns
        -------
        reconstruction, kl : torch.Tensor, shape (n,)
        """
        return self._loss_terms(_images(x, self.input_dim), generator)

    def _loss_terms(self, x, generator=None):
        # unchecked path used inside the training loop (x validated once)
        h = self.encoder(x)
        mean, logvar = self.to_mean(h), self.to_logvar(h)
        z = self.sample_latent(mean, logvar, generator)
        logits = self.decoder(z)
        kl = 0.5 * (mean.pow(2) + logvar.exp() - logvar - 1).sum(dim=-1)
        return F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(dim=1), kl


class Autoencoder(nn.Module):
    """A plain (deterministic) autoencoder with the sizes of :class:`VAE`.

    Encoder ``input_dim → hidden (ReLU) → latent_dim``; decoder
    ``latent_dim → hidden (ReLU) → input_dim`` logits. Nothing ties the
    latent codes to a prior, which is why decoding ``z ~ N(0, I)`` mostly
    gives non-digits (chapter 04, section 4.1, "Autoencoder vs VAE").

    Parameters
    ----------
    latent_dim : int, default 2
    hidden : int, default 256
    input_dim : int, default 64
    loss : {"bce", "mse"}, default "bce"
        Per-image reconstruction loss: binary cross-entropy with logits
        summed over pixels (nats), or squared error of ``sigmoid(logits)``
        summed over pixels.
    seed : int, optional (keyword only)
        As in :class:`VAE`.
    """

    def __init__(self, latent_dim=2, hidden=256, input_dim=64, loss="bce", *, seed=None):
        super().__init__()
        self.latent_dim = _positive_int(latent_dim, "latent_dim")
        self.hidden = _positive_int(hidden, "hidden")
        self.input_dim = _positive_int(input_dim, "input_dim")
        if loss not in ("bce", "mse"):
            raise ValueError(f"loss must be 'bce' or 'mse', got {loss!r}")
        self.loss = loss
        d, h, k = self.input_dim, self.hidden, self.latent_dim
        with seeded(seed):
            self.encoder = nn.Sequential(nn.Linear(d, h), nn.ReLU(), nn.Linear(h, k))
            self.decoder = nn.Sequential(nn.Linear(k, h), nn.ReLU(), nn.Linear(h, d))

    def encode(self, x):
        """Latent code ``z``, shape ``(n, latent_dim)``."""
        return self.encoder(_images(x, self.input_dim))

    def decode(self, z):
        """Pixel logits, shape ``(n, input_dim)``."""
        return self.decoder(_latents(z, self.latent_dim))

    def forward(self, x):
        """Logits of the reconstruction of ``x``."""
        return self.decode(self.encode(x))

    def loss_terms(self, x):
        """Per-image reconstruction loss (see ``loss``), shape ``(n,)``."""
        x = _images(x, self.input_dim)
        logits = self(x)
        if self.loss == "bce":
            return bernoulli_nll(logits, x)
        return (torch.sigmoid(logits) - x).pow(2).sum(dim=1)


# -------------------------------------------------------------------------- training
def _progress(iterable, progress, desc):
    if not progress:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, desc=desc, leave=False)


def _check_training(epochs, lr, batch_size, seed):
    return (
        _positive_int(epochs, "epochs"),
        _positive_float(lr, "lr"),
        _positive_int(batch_size, "batch_size"),
        _non_negative_int(seed, "seed"),
    )


def _fit(model, x_train, batch_loss, epochs, lr, batch_size, generator, progress, name):
    """Adam on shuffled mini-batches; return the mean training loss of every epoch."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, fused=True)
    n = x_train.shape[0]
    history = []
    model.train()
    for _ in _progress(range(epochs), progress, name):
        order = torch.randperm(n, generator=generator)
        total = 0.0
        for start in range(0, n, batch_size):
            batch = x_train[order[start : start + batch_size]]
            loss = batch_loss(batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * batch.shape[0]
        history.append(total / n)
    model.eval()
    return history


def train_vae(model, x_train, epochs=200, beta=1.0, lr=1e-3, batch_size=64, seed=0, progress=False):
    """Train a :class:`VAE` on ``x_train`` with loss ``reconstruction + beta * KL``.

    Adam with learning rate ``lr``; each epoch visits the images in a random
    order drawn from a ``torch.Generator`` seeded with ``seed``, which also
    draws the reparameterisation noise, so the same call gives the same
    model. ``beta = 1`` is the ELBO; other values give the β-VAE
    (chapter 04, section 4.1).

    Parameters
    ----------
    model : VAE
    x_train : torch.Tensor, shape (n, input_dim), values in [0, 1]
    epochs : int, default 200
    beta : float, default 1.0
        Weight of the KL term, ``>= 0``.
    lr : float, default 1e-3
    batch_size : int, default 64
    seed : int, default 0
    progress : bool, default False
        Show a tqdm progress bar (stderr; keep it off in stored notebooks).

    Returns
    -------
    list of float
        Mean training loss per image (nats) of every epoch.

    Raises
    ------
    ValueError
        If ``model`` is not a VAE, ``x_train`` has the wrong shape or values,
        ``beta < 0``, or ``epochs``, ``lr``, ``batch_size`` are not positive.
    """
    if not isinstance(model, VAE):
        raise ValueError(f"model must be an ilib.models.VAE, got {type(model).__name__}")
    x_train = _images(x_train, model.input_dim, "x_train")
    beta = _non_negative_float(beta, "beta")
    epochs, lr, batch_size, seed = _check_training(epochs, lr, batch_size, seed)
    generator = torch.Generator().manual_seed(seed)

    def batch_loss(batch):
        reconstruction, kl = model._loss_terms(batch, generator)
        return (reconstruction + beta * kl).mean()

    return _fit(model, x_train, batch_loss, epochs, lr, batch_size, generator, progress, "VAE")


@torch.no_grad()
def evaluate_vae(model, x, beta=1.0, seed=0):
    """Mean per-image loss terms of a :class:`VAE` on ``x``, in nats (deterministic).

    One reparameterised sample per image, drawn from a generator seeded with
    ``seed``.

    Returns
    -------
    dict
        ``reconstruction`` (mean BCE), ``kl`` (mean closed-form KL),
        ``neg_elbo`` (= reconstruction + kl, the β-free bound on
        ``-log p(x)``) and ``loss`` (= reconstruction + beta * kl), as floats.
    """
    if not isinstance(model, VAE):
        raise ValueError(f"model must be an ilib.models.VAE, got {type(model).__name__}")
    x = _images(x, model.input_dim)
    beta = _non_negative_float(beta, "beta")
    seed = _non_negative_int(seed, "seed")
    generator = torch.Generator().manual_seed(seed)
    reconstruction, kl = model.loss_terms(x, generator)
    rec, k = float(reconstruction.mean()), float(kl.mean())
    return {"reconstruction": rec, "kl": k, "neg_elbo": rec + k, "loss": rec + beta * k}


def train_autoencoder(model, x_train, epochs=200, lr=1e-3, batch_size=64, seed=0, progress=False):
    """Train an :class:`Autoencoder` (Adam, seeded shuffling); as :func:`train_vae` without KL.

    Returns
    -------
    list of float
        Mean training loss per image of every epoch.
    """
    if not isinstance(model, Autoencoder):
        raise ValueError(f"model must be an ilib.models.Autoencoder, got {type(model).__name__}")
    x_train = _images(x_train, model.input_dim, "x_train")
    epochs, lr, batch_size, seed = _check_training(epochs, lr, batch_size, seed)
    generator = torch.Generator().manual_seed(seed)
    return _fit(model, x_train, lambda batch: model.loss_terms(batch).mean(),
                epochs, lr, batch_size, generator, progress, "AE")


@torch.no_grad()
def evaluate_autoencoder(model, x):
    """Mean per-image reconstruction loss of an :class:`Autoencoder` on ``x`` (float)."""
    if not isinstance(model, Autoencoder):
        raise ValueError(f"model must be an ilib.models.Autoencoder, got {type(model).__name__}")
    return float(model.loss_terms(_images(x, model.input_dim)).mean())
