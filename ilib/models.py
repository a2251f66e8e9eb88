"""Small torch models of the book: a variational autoencoder and a plain one.

Chapter 04, sections 4.1 and 4.2 train them on the scikit-learn digits
(:func:`ilib.data.digits`, binarised); chapter 05, section 5.3 reuses the VAE
to compare the ELBO with importance-weighted bounds.

Conventions
-----------
* Images are float tensors of shape ``(n, input_dim)`` with values in [0, 1].
  The decoder returns the **logits** of a Bernoulli likelihood per pixel;
  ``-log p(x|z)`` is the binary cross-entropy with logits summed over pixels.
  On binary images (``digits(binarize=True)``) this is a normalised
  likelihood, so ``-ELBO`` is an upper bound on ``-log p(x)``; fractional
  targets are accepted but then bound no proper likelihood.
* Every loss is **per image, in nats** (natural logarithm).
* All randomness (initial weights, shuffling, the reparameterisation noise)
  comes from seeds, so a re-run prints the same numbers (:func:`ilib.setup`
  fixes one thread).
"""

import contextlib

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ilib import i18n
from ilib._validate import non_negative_float, non_negative_int, positive_float, positive_int
from ilib.gaussian import kl_to_standard_normal, reparameterise
from ilib.progress import progress as _progress_bar

__all__ = [
    "VAE",
    "Autoencoder",
    "bernoulli_nll",
    "elbo_terms",
    "evaluate_autoencoder",
    "evaluate_vae",
    "seeded",
    "train_autoencoder",
    "train_vae",
    "train_vaes",
]


# --------------------------------------------------------------------------- checks
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


def _vae(model, name="model"):
    if not isinstance(model, VAE):
        raise ValueError(f"{name} must be an ilib.models.VAE, got {type(model).__name__}")
    return model


def seeded(seed):
    """Context in which layers are built from ``seed`` (global generator left untouched)."""
    if seed is None:
        return contextlib.nullcontext()
    seed = non_negative_int(seed, "seed")
    stack = contextlib.ExitStack()
    stack.enter_context(torch.random.fork_rng(devices=[]))
    torch.manual_seed(seed)
    return stack


# ----------------------------------------------------------------------- loss pieces
def bernoulli_nll(logits, x):
    """``-log p(x|z)`` per image in nats: binary cross-entropy with logits, summed over pixels.

    For binary ``x`` this is the negative log-likelihood of independent
    Bernoulli pixels. Fractional targets in [0, 1] are accepted, but then the
    minimum over the logits is the binary entropy of the pixels, not zero, and
    the value is no log-likelihood of a normalised density. See chapter 04,
    section 4.1.

    Parameters
    ----------
    logits : torch.Tensor, shape (..., d)
    x : torch.Tensor, same shape as ``logits``

    Returns
    -------
    torch.Tensor
        The shape of ``logits`` without its last axis.
    """
    if logits.shape != x.shape:
        raise ValueError(
            f"logits and x must have the same shape, got {tuple(logits.shape)} and {tuple(x.shape)}"
        )
    return F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(dim=-1)


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
        self.latent_dim = positive_int(latent_dim, "latent_dim")
        self.hidden = positive_int(hidden, "hidden")
        self.input_dim = positive_int(input_dim, "input_dim")
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
        """Reparameterised sample of ``q(z|x)``: :func:`ilib.gaussian.reparameterise`."""
        return reparameterise(mean, logvar, generator=generator)

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
        :func:`ilib.gaussian.kl_to_standard_normal`.

        Parameters
        ----------
        x : torch.Tensor, shape (n, input_dim), values in [0, 1]
        generator : torch.Generator, optional
            Source of the noise ``eps``; the global generator if omitted.

        Returns
        -------
        reconstruction, kl : torch.Tensor, shape (n,)
        """
        x = _images(x, self.input_dim)
        logits, mean, logvar = self(x, generator)
        return bernoulli_nll(logits, x), kl_to_standard_normal(mean, logvar)


class Autoencoder(nn.Module):
    """A plain (deterministic) autoencoder with the sizes of :class:`VAE`.

    Encoder ``input_dim → hidden (ReLU) → latent_dim``; decoder
    ``latent_dim → hidden (ReLU) → input_dim`` logits. Nothing ties the
    latent codes to a prior, which is why decoding ``z ~ N(0, I)`` mostly
    gives non-digits (chapter 04, section 4.2, "Why a plain autoencoder cannot generate").

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
        self.latent_dim = positive_int(latent_dim, "latent_dim")
        self.hidden = positive_int(hidden, "hidden")
        self.input_dim = positive_int(input_dim, "input_dim")
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
def _check_training(epochs, lr, batch_size, seed):
    return (
        positive_int(epochs, "epochs"),
        positive_float(lr, "lr"),
        positive_int(batch_size, "batch_size"),
        non_negative_int(seed, "seed"),
    )


def _epochs(epochs, progress):
    if not progress:
        return range(epochs)
    return _progress_bar(range(epochs), total=epochs, desc=i18n.choose("training", "学習"))


def _fit(model, x_train, batch_loss, epochs, lr, batch_size, generator, progress):
    """Adam on shuffled mini-batches; return the mean training loss of every epoch."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, fused=True)
    n = x_train.shape[0]
    history = []
    model.train()
    for _ in _epochs(epochs, progress):
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


def train_vae(model, x_train, epochs=200, beta=1.0, lr=1e-3, batch_size=64, seed=0, progress=True):
    """Train a :class:`VAE` on ``x_train`` with loss ``reconstruction + beta * KL``.

    Adam with learning rate ``lr``; each epoch visits the images in a random
    order drawn from a ``torch.Generator`` seeded with ``seed``, which also
    draws the reparameterisation noise, so the same call gives the same
    model. ``beta = 1`` is the ELBO; other values give the β-VAE
    (chapter 04, section 4.2). :func:`train_vaes` trains several at once.

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
    progress : bool, default True
        Wrap the epochs in :func:`ilib.progress` (labelled in the notebook's language).

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
    _vae(model)
    x_train = _images(x_train, model.input_dim, "x_train")
    beta = non_negative_float(beta, "beta")
    epochs, lr, batch_size, seed = _check_training(epochs, lr, batch_size, seed)
    generator = torch.Generator().manual_seed(seed)

    def batch_loss(batch):
        reconstruction, kl = model.loss_terms(batch, generator)
        return (reconstruction + beta * kl).mean()

    return _fit(model, x_train, batch_loss, epochs, lr, batch_size, generator, progress)


def _stacked(models):
    """The models' weights stacked along a new first axis, as ``(in, out)`` matrices.

    Returns ``[w_in, b_in, w_code, b_code, w_hidden, b_hidden, w_out, b_out]``;
    ``w_code`` holds the mean and the log-variance heads side by side.
    """
    def stack(get):
        return torch.stack([get(m).detach() for m in models]).clone().requires_grad_(True)

    return [
        stack(lambda m: m.encoder[0].weight.T),
        stack(lambda m: m.encoder[0].bias[None]),
        stack(lambda m: torch.cat([m.to_mean.weight, m.to_logvar.weight]).T),
        stack(lambda m: torch.cat([m.to_mean.bias, m.to_logvar.bias])[None]),
        stack(lambda m: m.decoder[0].weight.T),
        stack(lambda m: m.decoder[0].bias[None]),
        stack(lambda m: m.decoder[2].weight.T),
        stack(lambda m: m.decoder[2].bias[None]),
    ]


@torch.no_grad()
def _unstack(models, weights):
    """Copy the trained stacked weights back into the individual models."""
    w_in, b_in, w_code, b_code, w_hidden, b_hidden, w_out, b_out = weights
    for i, m in enumerate(models):
        k = m.latent_dim
        m.encoder[0].weight.copy_(w_in[i].T)
        m.encoder[0].bias.copy_(b_in[i, 0])
        m.to_mean.weight.copy_(w_code[i, :, :k].T)
        m.to_logvar.weight.copy_(w_code[i, :, k:].T)
        m.to_mean.bias.copy_(b_code[i, 0, :k])
        m.to_logvar.bias.copy_(b_code[i, 0, k:])
        m.decoder[0].weight.copy_(w_hidden[i].T)
        m.decoder[0].bias.copy_(b_hidden[i, 0])
        m.decoder[2].weight.copy_(w_out[i].T)
        m.decoder[2].bias.copy_(b_out[i, 0])


def train_vaes(models, x_train, betas, epochs=40, lr=2e-3, batch_size=64, seed=0, progress=True):
    """Train several :class:`VAE` of the same sizes at once, model ``i`` with ``betas[i]``.

    The weights of all models are stacked into one tensor per layer and
    every step runs batched matrix products over the stack, so ``M`` models
    cost little more than one on a CPU. The models stay independent: the
    loss is the sum of their β-VAE losses, so each model's gradient is its own,
    and Adam's update is elementwise. All models see the same shuffled
    mini-batches; each draws its own reparameterisation noise. The trained
    weights are copied back into ``models``. See chapter 04, section 4.2.

    Parameters
    ----------
    models : sequence of VAE
        Equal ``latent_dim``, ``hidden`` and ``input_dim``; trained in place.
    x_train : torch.Tensor, shape (n, input_dim), values in [0, 1]
    betas : sequence of float
        One weight ``>= 0`` of the KL term per model.
    epochs : int, default 40
    lr : float, default 2e-3
    batch_size : int, default 64
    seed : int, default 0
        Seeds the shuffling and the noise.
    progress : bool, default True
        Wrap the epochs in :func:`ilib.progress`.

    Returns
    -------
    numpy.ndarray, shape (epochs, len(models))
        Mean training loss per image (nats, with each model's β) of every epoch.

    Raises
    ------
    ValueError
        If ``models`` is empty, holds something other than a VAE or VAEs of
        different sizes, ``betas`` does not give one non-negative number per
        model, or a training setting is invalid.
    """
    models = list(models)
    if not models:
        raise ValueError("models must hold at least one VAE")
    for m in models:
        _vae(m, "models")
    sizes = {(m.input_dim, m.hidden, m.latent_dim) for m in models}
    if len(sizes) != 1:
        raise ValueError(f"models must all have the same sizes, got {sorted(sizes)}")
    try:
        betas = [non_negative_float(b, "betas") for b in betas]
    except TypeError:
        raise ValueError(f"betas must be a sequence of numbers, got {betas!r}") from None
    if len(betas) != len(models):
        raise ValueError(f"betas must give one value per model: {len(betas)} for {len(models)}")
    first = models[0]
    x_train = _images(x_train, first.input_dim, "x_train")
    epochs, lr, batch_size, seed = _check_training(epochs, lr, batch_size, seed)

    weights = _stacked(models)
    w_in, b_in, w_code, b_code, w_hidden, b_hidden, w_out, b_out = weights
    optimizer = torch.optim.Adam(weights, lr=lr, fused=True)
    generator = torch.Generator().manual_seed(seed)
    beta = torch.tensor(betas, dtype=torch.float32)[:, None]
    k, n = first.latent_dim, x_train.shape[0]
    history = np.zeros((epochs, len(models)))
    for epoch in _epochs(epochs, progress):
        order = torch.randperm(n, generator=generator)
        for start in range(0, n, batch_size):
            batch = x_train[order[start : start + batch_size]]
            h = torch.relu(torch.matmul(batch, w_in) + b_in)
            code = torch.baddbmm(b_code, h, w_code)
            mean, logvar = code[..., :k], code[..., k:]
            z = reparameterise(mean, logvar, generator=generator)
            logits = torch.baddbmm(b_out, torch.relu(torch.baddbmm(b_hidden, z, w_hidden)), w_out)
            reconstruction = bernoulli_nll(logits, batch.expand_as(logits))
            losses = (reconstruction + beta * kl_to_standard_normal(mean, logvar)).mean(dim=1)
            optimizer.zero_grad()
            losses.sum().backward()
            optimizer.step()
            history[epoch] += losses.detach().numpy() * batch.shape[0]
    history /= n
    _unstack(models, weights)
    for m in models:
        m.eval()
    return history


@torch.no_grad()
def elbo_terms(model, x, n_samples=1, seed=0):
    """Per-image reconstruction and KL terms of a :class:`VAE` on ``x``, in nats.

    ``reconstruction[i]`` averages ``-log p(x_i|z)`` over ``n_samples``
    reparameterised draws ``z ~ q(z|x_i)`` (from a generator seeded with
    ``seed``); ``kl[i]`` is the closed form. ``reconstruction + kl`` is an
    unbiased estimate of ``-ELBO(x_i)``; its mean and standard error over the
    images support comparisons between models (chapter 04, section 4.1).

    Returns
    -------
    reconstruction, kl : torch.Tensor, shape (n,)
    """
    _vae(model)
    x = _images(x, model.input_dim)
    n_samples = positive_int(n_samples, "n_samples")
    generator = torch.Generator().manual_seed(non_negative_int(seed, "seed"))
    mean, logvar = model.encode(x)
    z = reparameterise(mean, logvar, n_samples=n_samples, generator=generator)
    logits = model.decode(z.reshape(-1, model.latent_dim)).reshape(n_samples, *x.shape)
    reconstruction = bernoulli_nll(logits, x.expand_as(logits)).mean(dim=0)
    return reconstruction, kl_to_standard_normal(mean, logvar)


def evaluate_vae(model, x, beta=1.0, seed=0):
    """Mean per-image loss terms of a :class:`VAE` on ``x``, in nats (deterministic).

    One reparameterised sample per image, drawn from a generator seeded with
    ``seed`` (:func:`elbo_terms` with ``n_samples=1``).

    Returns
    -------
    dict
        ``reconstruction`` (mean BCE), ``kl`` (mean closed-form KL),
        ``neg_elbo`` (= reconstruction + kl, the β-free bound on
        ``-log p(x)``) and ``loss`` (= reconstruction + beta * kl), as floats.
    """
    beta = non_negative_float(beta, "beta")
    reconstruction, kl = elbo_terms(model, x, n_samples=1, seed=seed)
    rec, k = float(reconstruction.mean()), float(kl.mean())
    return {"reconstruction": rec, "kl": k, "neg_elbo": rec + k, "loss": rec + beta * k}


def train_autoencoder(model, x_train, epochs=200, lr=1e-3, batch_size=64, seed=0, progress=True):
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
                epochs, lr, batch_size, generator, progress)


@torch.no_grad()
def evaluate_autoencoder(model, x):
    """Mean per-image reconstruction loss of an :class:`Autoencoder` on ``x`` (float)."""
    if not isinstance(model, Autoencoder):
        raise ValueError(f"model must be an ilib.models.Autoencoder, got {type(model).__name__}")
    return float(model.loss_terms(_images(x, model.input_dim)).mean())
