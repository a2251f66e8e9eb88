"""Tests of ilib.models and ilib.infoplane: shapes, loss terms by hand, the closed-form KL
against torch.distributions, training, determinism and bad input
(chapter 04, sections 4.1–4.3; chapter 05, section 5.3)."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch.distributions import Normal, kl_divergence

from ilib.infoplane import (
    InfoPlaneNet,
    _patterns,
    binned_information,
    information_plane,
    information_planes,
    twelve_bit_task,
)
from ilib.models import (
    VAE,
    Autoencoder,
    bernoulli_nll,
    elbo_terms,
    evaluate_autoencoder,
    evaluate_vae,
    train_autoencoder,
    train_vae,
    train_vaes,
)


@pytest.fixture
def images():
    g = torch.Generator().manual_seed(1)
    return torch.rand(40, 64, generator=g)


def test_shapes(images):
    model = VAE(latent_dim=3, hidden=16, seed=0)
    mean, logvar = model.encode(images)
    assert mean.shape == logvar.shape == (40, 3)
    assert model.decode(mean).shape == (40, 64)
    logits, m2, lv2 = model(images)
    assert logits.shape == (40, 64) and torch.equal(m2, mean) and torch.equal(lv2, logvar)
    reconstruction, kl = model.loss_terms(images)
    assert reconstruction.shape == kl.shape == (40,)
    ae = Autoencoder(latent_dim=3, hidden=16, seed=0)
    assert ae.encode(images).shape == (40, 3) and ae(images).shape == (40, 64)
    assert ae.loss_terms(images).shape == (40,)


def test_loss_terms_by_hand(images):
    model = VAE(latent_dim=2, hidden=8, seed=0)
    reconstruction, kl = model.loss_terms(images, torch.Generator().manual_seed(5))
    mean, logvar = model.encode(images)
    eps = torch.randn(mean.shape, generator=torch.Generator().manual_seed(5))
    z = mean + torch.exp(logvar / 2) * eps
    p = torch.sigmoid(model.decode(z))
    by_hand = -(images * torch.log(p) + (1 - images) * torch.log1p(-p)).sum(dim=1)
    torch.testing.assert_close(reconstruction, by_hand, rtol=1e-4, atol=1e-4)
    var = logvar.exp()
    torch.testing.assert_close(kl, 0.5 * (mean**2 + var - logvar - 1).sum(dim=1))
    assert bool((kl >= 0).all())


def test_kl_term_matches_torch_distributions(images):
    model = VAE(latent_dim=5, hidden=16, seed=2)
    _, kl = model.loss_terms(images)
    mean, logvar = model.encode(images)
    q = Normal(mean, torch.exp(logvar / 2))
    p = Normal(torch.zeros_like(mean), torch.ones_like(mean))
    torch.testing.assert_close(kl, kl_divergence(q, p).sum(dim=1))


def test_elbo_terms_average_single_draws(images):
    model = VAE(latent_dim=3, hidden=16, seed=0)
    reconstruction, kl = elbo_terms(model, images, n_samples=4, seed=7)
    mean, logvar = model.encode(images)
    eps = torch.randn((4, *mean.shape), generator=torch.Generator().manual_seed(7))
    draws = [model.decode(mean + torch.exp(logvar / 2) * e) for e in eps]
    by_hand = torch.stack([bernoulli_nll(d, images) for d in draws]).mean(dim=0)
    torch.testing.assert_close(reconstruction, by_hand)
    # evaluate_vae is the one-draw case
    r = evaluate_vae(model, images, seed=7)
    one, _ = elbo_terms(model, images, n_samples=1, seed=7)
    assert math.isclose(r["reconstruction"], float(one.mean()), rel_tol=1e-12)
    assert math.isclose(r["kl"], float(kl.mean()), rel_tol=1e-12)


def test_train_vaes_with_one_model_matches_train_vae(images):
    alone, stacked = VAE(latent_dim=2, hidden=16, seed=0), VAE(latent_dim=2, hidden=16, seed=0)
    history = train_vae(alone, images, epochs=5, beta=2.0, lr=1e-2, batch_size=8, seed=3)
    history_stacked = train_vaes([stacked], images, [2.0], epochs=5, lr=1e-2, batch_size=8, seed=3)
    np.testing.assert_allclose(history_stacked[:, 0], history, rtol=1e-5)
    for p, q in zip(alone.parameters(), stacked.parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=1e-4, atol=1e-5)


def test_train_vaes_keeps_the_models_independent(images):
    # model 0 sees the same batches and noise whatever model 1 is, so its result cannot change
    runs = []
    for other_seed, other_beta in ((1, 0.5), (5, 8.0)):
        pair = [VAE(latent_dim=2, hidden=16, seed=0), VAE(latent_dim=2, hidden=16, seed=other_seed)]
        history = train_vaes(pair, images, [1.0, other_beta], epochs=4, batch_size=8, seed=2)
        runs.append((pair[0], history))
    (a, ha), (b, hb) = runs
    np.testing.assert_array_equal(ha[:, 0], hb[:, 0])
    assert not np.array_equal(ha[:, 1], hb[:, 1])
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    assert ha.shape == (4, 2) and ha[-1, 0] < ha[0, 0]


def test_bernoulli_nll_matches_functional():
    x = torch.tensor([[0.0, 0.5, 1.0]])
    logits = torch.tensor([[0.3, -1.0, 2.0]])
    expected = F.binary_cross_entropy(torch.sigmoid(logits), x, reduction="sum")
    torch.testing.assert_close(bernoulli_nll(logits, x)[0], expected)
    # fractional targets: the minimum is the binary entropy of the pixel, ln 2 at 0.5
    half = float(bernoulli_nll(torch.zeros(1, 1), torch.full((1, 1), 0.5))[0])
    assert math.isclose(half, math.log(2), rel_tol=1e-6)


def test_training_decreases_loss_and_is_deterministic(images):
    runs = []
    for _ in range(2):
        model = VAE(latent_dim=2, hidden=16, seed=0)
        history = train_vae(model, images, epochs=15, batch_size=8, lr=1e-2, seed=3)
        runs.append((history, evaluate_vae(model, images, seed=1)))
    (history, result), (history2, result2) = runs
    assert len(history) == 15 and history[-1] < history[0]
    assert history == history2 and result == result2
    assert set(result) == {"reconstruction", "kl", "neg_elbo", "loss"}
    assert math.isclose(result["neg_elbo"], result["reconstruction"] + result["kl"])


def test_beta_weights_the_kl(images):
    model = VAE(latent_dim=2, hidden=16, seed=0)
    r1 = evaluate_vae(model, images, beta=1.0)
    r4 = evaluate_vae(model, images, beta=4.0)
    assert r1["neg_elbo"] == r4["neg_elbo"]
    assert math.isclose(r4["loss"], r4["reconstruction"] + 4 * r4["kl"])


def test_autoencoder_training(images):
    for loss in ("bce", "mse"):
        model = Autoencoder(latent_dim=2, hidden=16, loss=loss, seed=0)
        before = evaluate_autoencoder(model, images)
        history = train_autoencoder(model, images, epochs=15, batch_size=8, lr=1e-2)
        assert history[-1] < history[0] and evaluate_autoencoder(model, images) < before


def test_seed_leaves_global_generator_alone():
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    a = VAE(seed=4)
    assert torch.equal(torch.rand(3), expected)
    b = VAE(seed=4)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))


@pytest.mark.parametrize(
    ("factory", "name"),
    [
        (lambda: VAE(latent_dim=0), "latent_dim"),
        (lambda: VAE(hidden=-3), "hidden"),
        (lambda: VAE(input_dim=2.5), "input_dim"),
        (lambda: Autoencoder(loss="l1"), "loss"),
    ],
)
def test_bad_sizes(factory, name):
    with pytest.raises(ValueError, match=name):
        factory()


def test_bad_input(images):
    model = VAE(seed=0)
    with pytest.raises(ValueError, match="x"):
        model.encode(torch.rand(5, 10))
    with pytest.raises(ValueError, match="x"):
        model.loss_terms(images * 2)
    with pytest.raises(ValueError, match="x"):
        model.loss_terms(torch.full((2, 64), float("nan")))
    with pytest.raises(ValueError, match="z"):
        model.decode(torch.zeros(3, 5))
    with pytest.raises(ValueError, match="beta"):
        train_vae(model, images, epochs=1, beta=-1)
    with pytest.raises(ValueError, match="x_train"):
        train_vae(model, images[:, :10], epochs=1)
    with pytest.raises(ValueError, match="epochs"):
        train_vae(model, images, epochs=0)
    with pytest.raises(ValueError, match="lr"):
        train_vae(model, images, epochs=1, lr=0)
    with pytest.raises(ValueError, match="batch_size"):
        train_vae(model, images, epochs=1, batch_size=0)
    with pytest.raises(ValueError, match="model"):
        train_vae(Autoencoder(), images, epochs=1)
    with pytest.raises(ValueError, match="model"):
        train_autoencoder(model, images, epochs=1)
    with pytest.raises(ValueError, match="beta"):
        evaluate_vae(model, images, beta=float("nan"))
    with pytest.raises(ValueError, match="n_samples"):
        elbo_terms(model, images, n_samples=0)
    with pytest.raises(ValueError, match="models"):
        train_vaes([], images, [])
    with pytest.raises(ValueError, match="models"):
        train_vaes([model, VAE(latent_dim=3)], images, [1.0, 1.0])
    with pytest.raises(ValueError, match="betas"):
        train_vaes([model], images, [1.0, 2.0])
    with pytest.raises(ValueError, match="betas"):
        train_vaes([model], images, 1.0)
    with pytest.raises(ValueError, match="betas"):
        train_vaes([model], images, [-1.0])


# ----------------------------------------------------------------- ilib.infoplane (section 4.3)
def test_patterns_label_equal_rows_alike():
    rng = np.random.default_rng(0)
    bins = rng.integers(0, 3, size=(500, 12))
    labels = _patterns(bins, 3)
    _, reference = np.unique(bins, axis=0, return_inverse=True)
    # the same partition of the rows, whatever the numbering
    pairs = set(zip(labels.tolist(), reference.reshape(-1).tolist(), strict=True))
    assert len(pairs) == len(set(labels.tolist())) == len(set(reference.reshape(-1).tolist()))


def test_twelve_bit_task_is_complete_and_balanced():
    x, y, train, test = twelve_bit_task(seed=0)
    assert x.shape == (4096, 12) and y.shape == (4096,)
    assert len({tuple(row) for row in x.int().tolist()}) == 4096
    assert int(y.sum()) == 2048
    assert train.size == 3072 and test.size == 1024
    assert np.intersect1d(train, test).size == 0


def test_binned_information_of_simple_layers():
    x, y, _, _ = twelve_bit_task(seed=0)
    logits = torch.stack([1.0 - 2.0 * y.float(), 2.0 * y.float() - 1.0], dim=1)
    # the inputs themselves (±1: 2 bins per unit) identify every input: I(X;T) = 12 bits;
    # a constant layer carries nothing; logits that copy the label carry exactly 1 bit
    ixt, ity = binned_information([x, torch.zeros(4096, 3), logits], y.numpy(), "tanh", 30)
    np.testing.assert_allclose(ixt, [12.0, 0.0, 1.0], atol=1e-12)
    np.testing.assert_allclose(ity, [1.0, 0.0, 1.0], atol=1e-12)


def test_information_plane_is_deterministic_and_bounded():
    a = information_plane("tanh", epochs=20, n_records=5, seed=1)
    b = information_plane("tanh", epochs=20, n_records=5, seed=1)
    assert a["epochs"][0] == 1 and a["epochs"][-1] == 20
    assert a["ixt"].shape == (a["epochs"].size, 6)
    np.testing.assert_array_equal(a["ixt"], b["ixt"])
    assert np.all(a["ixt"] <= 12 + 1e-9) and np.all(a["ity"] <= a["ixt"] + 1e-9)
    r = information_plane("relu", epochs=5, n_records=2, seed=1)
    assert np.all(r["ity"] <= 1 + 1e-9)


def test_infoplane_bad_input():
    with pytest.raises(ValueError, match="activation"):
        InfoPlaneNet(activation="sigmoid")
    with pytest.raises(ValueError, match="n_bins"):
        binned_information([torch.zeros(4, 2)], [0, 1, 0, 1], "tanh", n_bins=1)
    with pytest.raises(ValueError, match="epochs"):
        information_plane(epochs=0)
    with pytest.raises(ValueError, match="train_fraction"):
        twelve_bit_task(train_fraction=1.5)


def test_information_planes_side_by_side_match_one_at_a_time():
    both = information_planes(("tanh", "relu"), epochs=12, n_records=4, seed=2)
    for act in ("tanh", "relu"):
        alone = information_plane(act, epochs=12, n_records=4, seed=2)
        np.testing.assert_array_equal(both[act]["epochs"], alone["epochs"])
        # binned values can only move if a float-rounding difference flips a bin
        np.testing.assert_allclose(both[act]["ixt"], alone["ixt"], atol=0.01)
        np.testing.assert_allclose(both[act]["test_accuracy"], alone["test_accuracy"], atol=0.01)
    with pytest.raises(ValueError, match="activations"):
        information_planes(("tanh", "tanh"))
    with pytest.raises(ValueError, match="activation"):
        information_planes(("tanh", "sigmoid"))
