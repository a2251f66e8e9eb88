"""The information-plane experiment of Shwartz-Ziv & Tishby (2017), small and deterministic.

All 4096 inputs of 12 bits, a fixed nonlinear labelling rule that gives
balanced labels, a network 12-10-7-5-4-3-2 trained full batch with Adam, and
after selected epochs the plug-in mutual informations ``I(X;T)`` and
``I(T;Y)`` of every layer ``T`` whose activations are binned into 30 equal
bins. See chapter 04, section 4.3 (The information bottleneck), including why
the numbers depend on the activation and on the binning (Saxe et al. 2018).
"""

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ilib import i18n
from ilib._validate import non_negative_int, positive_float, positive_int
from ilib.estimators import mutual_information_from_samples
from ilib.progress import progress

__all__ = [
    "InfoPlaneNet",
    "binned_information",
    "information_plane",
    "information_planes",
    "twelve_bit_task",
]

#: Layer widths of the original experiment.
SIZES = (12, 10, 7, 5, 4, 3, 2)


def _patterns(bins, n_bins):
    """One integer label per row of ``bins``: equal rows get equal labels.

    Rows are folded in one column at a time, and the labels are renumbered
    after each column, so that the running code stays below ``len(bins) * n_bins``
    and never overflows, whatever the layer width.
    """
    labels = np.zeros(bins.shape[0], dtype=np.int64)
    for column in bins.T:
        _, labels = np.unique(labels * n_bins + column, return_inverse=True)
    return labels.reshape(-1)


def twelve_bit_task(seed=0, train_fraction=0.75):
    """All 4096 inputs of 12 bits (as ±1), balanced labels and a seeded train/test split.

    The label of ``s`` is 1 when ``(w · s)**2`` exceeds its median over the
    4096 inputs, with ``w`` drawn from N(0, I) by ``numpy.random.default_rng(seed)``:
    a fixed nonlinear rule (symmetric under ``s → -s``) with exactly 2048
    inputs in each class.

    Returns
    -------
    x : torch.Tensor, float32, shape (4096, 12)
    y : torch.Tensor, int64, shape (4096,)
    train, test : numpy.ndarray of int
        Indices of the training and test inputs.
    """
    seed = non_negative_int(seed, "seed")
    if not 0 < train_fraction < 1:
        raise ValueError(f"train_fraction must lie in (0, 1), got {train_fraction!r}")
    bits = (np.arange(4096)[:, None] >> np.arange(11, -1, -1)) & 1
    s = (2 * bits - 1).astype(np.float32)
    rng = np.random.default_rng(seed)
    w = rng.normal(size=12)
    score = (s @ w) ** 2
    y = (score > np.median(score)).astype(np.int64)
    order = rng.permutation(4096)
    n_train = int(round(train_fraction * 4096))
    return (
        torch.from_numpy(s),
        torch.from_numpy(y),
        np.sort(order[:n_train]),
        np.sort(order[n_train:]),
    )


class InfoPlaneNet(nn.Module):
    """A fully connected network whose ``forward`` returns every layer's output.

    Hidden layers use ``activation`` ("tanh" or "relu"); the last layer
    returns logits. Weights come from ``seed`` without touching the global
    torch generator.
    """

    def __init__(self, sizes=SIZES, activation="tanh", seed=0):
        super().__init__()
        if activation not in ("tanh", "relu"):
            raise ValueError(f"activation must be 'tanh' or 'relu', got {activation!r}")
        sizes = tuple(int(s) for s in sizes)
        if len(sizes) < 2 or min(sizes) <= 0:
            raise ValueError(f"sizes must hold at least two positive widths, got {sizes!r}")
        seed = non_negative_int(seed, "seed")
        self.activation = activation
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.layers = nn.ModuleList(
                nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:], strict=True)
            )

    def forward(self, x):
        act = torch.tanh if self.activation == "tanh" else torch.relu
        outputs = []
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = act(x)
            outputs.append(x)
        return outputs


def binned_information(outputs, y, activation="tanh", n_bins=30, base=2):
    """``I(X;T)`` and ``I(T;Y)`` of each layer from binned activations (plug-in, in bits).

    Every unit's activation is cut into ``n_bins`` equal bins: on [-1, 1] for
    tanh, on [0, largest activation of the layer] for ReLU, and on [0, 1] for
    the softmax probabilities of the last layer. ``T`` is the tuple of bin
    indices of a layer. ``X`` is the index of the input, uniform over all
    inputs, so ``T`` is a function of ``X`` and ``I(X;T) = H(T)``.

    Parameters
    ----------
    outputs : list of torch.Tensor
        Layer outputs for all inputs (the last one holds logits).
    y : array_like of int
        Labels of the inputs.

    Returns
    -------
    ixt, ity : numpy.ndarray, shape (n_layers,)
    """
    if activation not in ("tanh", "relu"):
        raise ValueError(f"activation must be 'tanh' or 'relu', got {activation!r}")
    n_bins = positive_int(n_bins, "n_bins", minimum=2)
    y = np.asarray(y)
    index = np.arange(y.size)
    ixt, ity = [], []
    for i, out in enumerate(outputs):
        a = out.detach()
        if i == len(outputs) - 1:
            a, low, high = torch.softmax(a, dim=1), 0.0, 1.0
        elif activation == "tanh":
            low, high = -1.0, 1.0
        else:
            low, high = 0.0, max(float(a.max()), 1e-12)
        a = a.numpy().astype(np.float64)
        bins = np.clip(np.floor((a - low) / (high - low) * n_bins), 0, n_bins - 1).astype(np.int64)
        t = _patterns(bins, n_bins)
        ixt.append(mutual_information_from_samples(index, t, base=base))
        ity.append(mutual_information_from_samples(t, y, base=base))
    return np.array(ixt), np.array(ity)


_ACTIVATIONS = {"tanh": torch.tanh, "relu": torch.relu}


def _activations(activations):
    activations = (activations,) if isinstance(activations, str) else tuple(activations)
    if not activations or len(set(activations)) != len(activations):
        raise ValueError(f"activations must be distinct names, got {activations!r}")
    for a in activations:
        if a not in _ACTIVATIONS:
            raise ValueError(f"activation must be 'tanh' or 'relu', got {a!r}")
    return activations


def information_planes(activations=("tanh", "relu"), epochs=1000, n_records=50, lr=0.01,
                       n_bins=30, seed=0):
    """:func:`information_plane` for several activations, trained side by side.

    One :class:`InfoPlaneNet` per activation, all built from ``seed``; their
    weights are stacked layer by layer and every step runs batched matrix
    products, which costs little more than one network. The networks stay
    independent: the loss is the sum of their losses and Adam's update is
    elementwise. See chapter 04, section 4.3.

    Returns
    -------
    dict
        For each activation, the dictionary :func:`information_plane` returns.
    """
    activations = _activations(activations)
    epochs = positive_int(epochs, "epochs")
    n_records = positive_int(n_records, "n_records", minimum=2)
    lr = positive_float(lr, "lr")
    n_bins = positive_int(n_bins, "n_bins", minimum=2)
    x, y, train, test = twelve_bit_task(seed)
    nets = [InfoPlaneNet(SIZES, a, seed) for a in activations]
    weights = [torch.stack([net.layers[i].weight.T.detach() for net in nets]).requires_grad_()
               for i in range(len(SIZES) - 1)]
    biases = [torch.stack([net.layers[i].bias[None].detach() for net in nets]).requires_grad_()
              for i in range(len(SIZES) - 1)]
    optimizer = torch.optim.Adam(weights + biases, lr=lr, fused=True)

    def forward(inputs):
        h = inputs.expand(len(nets), *inputs.shape)
        outputs = []
        for i, (w, b) in enumerate(zip(weights, biases, strict=True)):
            h = torch.baddbmm(b, h, w)
            if i < len(weights) - 1:
                h = torch.stack([_ACTIVATIONS[a](h[m]) for m, a in enumerate(activations)])
            outputs.append(h)
        return outputs

    record = set(np.unique(np.geomspace(1, epochs, n_records).round().astype(int)))
    rows = {a: {"epochs": [], "ixt": [], "ity": [], "train_accuracy": [], "test_accuracy": []}
            for a in activations}
    x_train, y_train = x[train], y[train]
    for epoch in progress(range(1, epochs + 1), total=epochs, desc=i18n.choose("training", "学習")):
        logits = forward(x_train)[-1]
        loss = sum(F.cross_entropy(logits[m], y_train) for m in range(len(nets)))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if epoch in record:
            with torch.no_grad():
                outputs = forward(x)
            for m, a in enumerate(activations):
                layers = [out[m] for out in outputs]
                ixt, ity = binned_information(layers, y.numpy(), a, n_bins)
                correct = (layers[-1].argmax(dim=1) == y).numpy()
                row = rows[a]
                row["epochs"].append(epoch)
                row["ixt"].append(ixt)
                row["ity"].append(ity)
                row["train_accuracy"].append(float(correct[train].mean()))
                row["test_accuracy"].append(float(correct[test].mean()))
    return {a: {k: np.array(v) for k, v in row.items()} for a, row in rows.items()}


def information_plane(activation="tanh", epochs=1000, n_records=50, lr=0.01, n_bins=30, seed=0):
    """Train :class:`InfoPlaneNet` on :func:`twelve_bit_task` and record the information plane.

    Full batch (all training inputs every step), Adam with learning rate
    ``lr``, cross-entropy loss. After about ``n_records`` epochs spaced
    logarithmically between 1 and ``epochs`` it records, for every layer,
    :func:`binned_information` over all 4096 inputs, and the train and test
    accuracy. Deterministic for a given ``seed``. :func:`information_planes`
    trains several activations at once.

    Returns
    -------
    dict
        ``epochs`` (int array), ``ixt`` and ``ity`` (arrays of shape
        (n_recorded, n_layers), bits), ``train_accuracy``, ``test_accuracy``.
    """
    return information_planes((activation,), epochs, n_records, lr, n_bins, seed)[activation]
