"""ilib.losses: label smoothing, calibration, distillation and ELBO pieces (chapter 05)."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy.optimize import minimize
from scipy.special import logsumexp

from ilib.losses import (
    confidence_penalty_loss,
    distillation_loss,
    expected_calibration_error,
    fit_temperature,
    importance_weighted_bound,
    iwae_from_log_weights,
    log_importance_weights,
    monte_carlo_kl,
    monte_carlo_reconstruction,
    reliability_bins,
    smooth_targets,
    soft_cross_entropy,
)


@pytest.fixture
def seeded():
    torch.manual_seed(42)
    logits = torch.randn(4, 3) * 2
    return logits, torch.tensor([0, 1, 2, 1])


# ------------------------------------------------------------------ label smoothing
def test_smoothed_targets_put_eps_over_k_on_every_class():
    t = smooth_targets(torch.tensor([0, 2]), 4, 0.2)
    assert torch.allclose(t[0], torch.tensor([0.85, 0.05, 0.05, 0.05], dtype=torch.float64))
    assert torch.allclose(t.sum(dim=1), torch.ones(2, dtype=torch.float64))
    assert torch.equal(
        smooth_targets([1], 3, 0.0)[0], torch.tensor([0.0, 1.0, 0.0], dtype=torch.float64)
    )
    assert torch.allclose(
        smooth_targets([1], 3, 1.0)[0], torch.full((3,), 1 / 3, dtype=torch.float64)
    )


@pytest.mark.parametrize(("eps", "expected"), [(0.0, 2.18608), (0.1, 2.14219), (0.3, 2.05441)])
def test_curriculum_values_match_torch(seeded, eps, expected):
    logits, targets = seeded
    by_hand = float(soft_cross_entropy(logits, smooth_targets(targets, 3, eps)))
    by_torch = float(F.cross_entropy(logits, targets, label_smoothing=eps))
    assert by_hand == pytest.approx(by_torch, abs=1e-6)
    assert round(by_hand, 5) == expected


@pytest.mark.parametrize("eps", [0.05, 0.2, 0.5])
def test_smoothing_matches_torch_on_random_logits(eps):
    g = torch.Generator().manual_seed(3)
    logits = torch.randn(50, 7, generator=g, dtype=torch.float64) * 3
    labels = torch.randint(0, 7, (50,), generator=g)
    mine = soft_cross_entropy(logits, smooth_targets(labels, 7, eps))
    assert float(mine) == pytest.approx(
        float(F.cross_entropy(logits, labels, label_smoothing=eps)), rel=1e-12
    )


def test_smoothed_loss_is_mixture_with_uniform_cross_entropy(seeded):
    logits, targets = seeded
    onehot = F.one_hot(targets, 3).double()
    uniform = torch.full((4, 3), 1 / 3, dtype=torch.float64)
    for eps in (0.1, 0.3):
        split = (1 - eps) * soft_cross_entropy(logits, onehot) + eps * soft_cross_entropy(
            logits, uniform
        )
        assert float(split) == pytest.approx(
            float(soft_cross_entropy(logits, smooth_targets(targets, 3, eps)))
        )


def test_soft_cross_entropy_reductions(seeded):
    logits, targets = seeded
    t = smooth_targets(targets, 3, 0.1)
    per_row = soft_cross_entropy(logits, t, reduction="none")
    assert per_row.shape == (4,)
    assert float(soft_cross_entropy(logits, t, reduction="sum")) == pytest.approx(
        float(per_row.sum())
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (([0, 1], 3, 1.5), "epsilon"),
        (([0, 3], 3, 0.1), "labels"),
        (([0.0, 1.0], 3, 0.1), "labels"),
        (([0], 1, 0.1), "num_classes"),
    ],
)
def test_smooth_targets_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        smooth_targets(*args)


def test_soft_cross_entropy_rejects_bad_input(seeded):
    logits, targets = seeded
    with pytest.raises(ValueError, match="target_probs"):
        soft_cross_entropy(logits, torch.ones(4, 3))
    with pytest.raises(ValueError, match="target_probs"):
        soft_cross_entropy(logits, smooth_targets([0, 1], 3, 0.1))
    with pytest.raises(ValueError, match="reduction"):
        soft_cross_entropy(logits, smooth_targets(targets, 3, 0.1), reduction="avg")


# ---------------------------------------------------------------------- calibration
def test_ece_by_hand():
    probs = torch.tensor([[0.9, 0.1], [0.9, 0.1], [0.6, 0.4], [0.3, 0.7]], dtype=torch.float64)
    labels = torch.tensor([0, 1, 0, 1])
    # bins of width 0.1: {0.9, 0.9} acc 0.5; {0.6} acc 1; {0.7} acc 1
    expected = 0.5 * abs(0.5 - 0.9) + 0.25 * abs(1 - 0.6) + 0.25 * abs(1 - 0.7)
    assert expected_calibration_error(probs, labels, n_bins=10) == pytest.approx(expected)
    bins = reliability_bins(probs, labels, n_bins=10)
    assert bins["count"].sum() == 4
    assert bins["count"][8] == 2 and bins["accuracy"][8] == pytest.approx(0.5)
    assert np.isnan(bins["accuracy"][0])


def test_ece_is_zero_for_a_calibrated_classifier_and_confidence_one_goes_to_last_bin():
    probs = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    labels = torch.tensor([0, 1])
    assert expected_calibration_error(probs, labels) == 0.0
    assert reliability_bins(probs, labels, n_bins=15)["count"][-1] == 2


def test_ece_rejects_bad_input():
    with pytest.raises(ValueError, match="probs"):
        expected_calibration_error(torch.tensor([[0.5, 0.6]]), torch.tensor([0]))
    with pytest.raises(ValueError, match="labels"):
        expected_calibration_error(torch.tensor([[0.5, 0.5]]), torch.tensor([0, 1]))
    with pytest.raises(ValueError, match="n_bins"):
        expected_calibration_error(torch.tensor([[0.5, 0.5]]), torch.tensor([0]), n_bins=0)


# ----------------------------------------------------------------------- distillation
def test_distillation_loss_is_t_squared_kl():
    g = torch.Generator().manual_seed(0)
    s = torch.randn(8, 5, generator=g, dtype=torch.float64)
    t = torch.randn(8, 5, generator=g, dtype=torch.float64) * 3
    for temperature in (1.0, 2.0, 4.0):
        p = F.softmax(t / temperature, dim=1)
        q = F.softmax(s / temperature, dim=1)
        kl = float((p * (p.log() - q.log())).sum(dim=1).mean())
        assert float(distillation_loss(s, t, temperature, scale=False)) == pytest.approx(
            kl, rel=1e-10
        )
        assert float(distillation_loss(s, t, temperature)) == pytest.approx(
            temperature**2 * kl, rel=1e-10
        )
    assert float(distillation_loss(t, t, 3.0)) == pytest.approx(0.0, abs=1e-12)


def test_distillation_loss_rejects_bad_input():
    x = torch.zeros(2, 3)
    with pytest.raises(ValueError, match="temperature"):
        distillation_loss(x, x, 0.0)
    with pytest.raises(ValueError, match="same shape"):
        distillation_loss(x, torch.zeros(2, 4), 1.0)


# ----------------------------------------------------------------------- ELBO pieces
def test_monte_carlo_kl_agrees_with_closed_form():
    g = torch.Generator().manual_seed(0)
    mean = torch.randn(5, 2, generator=g, dtype=torch.float64)
    logvar = 0.5 * torch.randn(5, 2, generator=g, dtype=torch.float64)
    closed = 0.5 * (mean.pow(2) + logvar.exp() - logvar - 1).sum(-1)
    estimate, error = monte_carlo_kl(mean, logvar, n_samples=20000, generator=g)
    assert torch.all((estimate - closed).abs() < 5 * error)


class _ToyVAE(torch.nn.Module):
    """Linear-Gaussian encoder and a fixed decoder, enough to test the bounds."""

    latent_dim = 2

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.enc = torch.nn.Linear(6, 4)
        self.dec = torch.nn.Linear(2, 6)

    def encode(self, x):
        h = self.enc(x)
        return h[:, :2] + 1.0, h[:, 2:] - 2.0  # a deliberately poor q(z|x)

    def decode(self, z):
        return self.dec(z)


def test_reconstruction_decodes_samples_and_weights_average_to_elbo():
    model = _ToyVAE()
    x = torch.rand(10, 6, generator=torch.Generator().manual_seed(1))
    rec = monte_carlo_reconstruction(
        model, x, n_samples=4000, generator=torch.Generator().manual_seed(2)
    )
    mean, logvar = model.encode(x)
    at_mean = -F.binary_cross_entropy_with_logits(model.decode(mean), x, reduction="none").sum(-1)
    assert rec.shape == (10,)
    assert not torch.allclose(rec, at_mean, atol=1e-4)  # it really decodes samples
    kl = 0.5 * (mean.pow(2) + logvar.exp() - logvar - 1).sum(-1)
    log_w = log_importance_weights(model, x, 4000, generator=torch.Generator().manual_seed(3))
    assert log_w.shape == (4000, 10)
    assert torch.allclose(log_w.mean(0), rec - kl, atol=0.05)


def test_importance_weighted_bounds_increase_with_k():
    model = _ToyVAE()
    x = torch.rand(30, 6, generator=torch.Generator().manual_seed(1))
    means = [
        float(
            importance_weighted_bound(
                model, x, k, generator=torch.Generator().manual_seed(k), batch_size=7
            ).mean()
        )
        for k in (1, 10, 100, 1000)
    ]
    assert all(a < b for a, b in zip(means, means[1:], strict=False))
    one = importance_weighted_bound(model, x, 1, generator=torch.Generator().manual_seed(5))
    assert one.shape == (30,)
    log_w = log_importance_weights(model, x, 1, generator=torch.Generator().manual_seed(5))
    np.testing.assert_allclose(one, log_w[0].double().numpy())
    batched = log_importance_weights(model, x, 3, generator=torch.Generator().manual_seed(6),
                                     batch_size=4)
    assert batched.shape == (3, 30)


def test_iwae_from_log_weights_matches_scipy_logsumexp():
    rng = np.random.default_rng(0)
    log_w = rng.normal(-30, 2, size=(60, 5))
    for k in (1, 4, 7, 60):
        groups = 60 // k
        expected = np.mean(
            [logsumexp(log_w[g * k : (g + 1) * k], axis=0) - math.log(k) for g in range(groups)],
            axis=0,
        )
        np.testing.assert_allclose(iwae_from_log_weights(log_w, k), expected, rtol=1e-13)
    np.testing.assert_allclose(iwae_from_log_weights(log_w, 1), log_w.mean(axis=0))


def test_iwae_from_log_weights_keeps_tiny_weights_and_zero_weights():
    # exp(-1000) underflows even in float64; the bound must not
    log_w = np.array([[-1000.0, 0.0], [-1000.0 + math.log(3), -math.inf]])
    bound = iwae_from_log_weights(log_w, 2)
    assert bound[0] == pytest.approx(-1000 + math.log(2), rel=1e-15)
    assert bound[1] == pytest.approx(-math.log(2))
    assert iwae_from_log_weights(np.full((2, 1), -math.inf), 2)[0] == -math.inf
    assert iwae_from_log_weights(torch.zeros(4, 3), 2).shape == (3,)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((np.zeros(4), 1), "log_weights must have shape"),
        ((np.zeros((4, 2)), 5), "k must be at most"),
        ((np.zeros((4, 2)), 0), "k must be"),
        ((np.full((4, 2), np.nan), 1), "NaN"),
    ],
)
def test_iwae_from_log_weights_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        iwae_from_log_weights(*args)


# ------------------------------------------------------ temperature and confidence penalty
def test_fit_temperature_recovers_the_temperature_of_calibrated_logits():
    g = torch.Generator().manual_seed(0)
    logits = 2 * torch.randn(20000, 5, generator=g, dtype=torch.float64)
    labels = torch.multinomial(F.softmax(logits, dim=1), 1, generator=g)[:, 0]
    assert fit_temperature(3 * logits, labels) == pytest.approx(3, rel=0.03)
    assert fit_temperature(logits / 2, labels) == pytest.approx(0.5, rel=0.03)


def test_fit_temperature_minimises_nll_and_meets_the_optimality_condition():
    g = torch.Generator().manual_seed(1)
    logits = 3 * torch.randn(300, 4, generator=g, dtype=torch.float64)
    labels = torch.multinomial(F.softmax(logits / 2, dim=1), 1, generator=g)[:, 0]
    t = fit_temperature(logits, labels)
    result = minimize(lambda v: float(F.cross_entropy(logits / v[0], labels)), x0=[1.0],
                      method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-14})
    assert t == pytest.approx(result.x[0], rel=1e-5)
    p = F.softmax(logits / t, dim=1)
    # d NLL / d(1/T) = mean(E_p[z] - z_y) = 0 at the optimum
    assert float((p * logits).sum(dim=1).mean()) == pytest.approx(
        float(logits[torch.arange(300), labels].mean()), abs=1e-6)


def test_fit_temperature_rejects_bad_input():
    logits = torch.tensor([[2.0, 0.0], [0.0, 2.0]])
    with pytest.raises(ValueError, match="no minimum"):
        fit_temperature(logits, [0, 1])  # every prediction right: T -> 0
    with pytest.raises(ValueError, match="labels"):
        fit_temperature(logits, [0, 1, 1])
    with pytest.raises(ValueError, match="bounds"):
        fit_temperature(logits, [1, 1], bounds=(2.0, 1.0))
    with pytest.raises(ValueError, match="bounds"):
        fit_temperature(logits, [1, 1], bounds=(0.0, 1.0))


def test_confidence_penalty_is_cross_entropy_minus_entropy_and_a_reverse_kl(seeded):
    logits, targets = seeded
    logits = logits.double()
    p = F.softmax(logits, dim=1)
    entropy = -(p * p.log()).sum(dim=1)
    loss = confidence_penalty_loss(logits, targets, 0.3)
    expected = F.cross_entropy(logits, targets) - 0.3 * entropy.mean()
    assert float(loss) == pytest.approx(float(expected), rel=1e-12)
    kl_to_uniform = (p * (p * 3).log()).sum(dim=1).mean()
    assert float(loss) == pytest.approx(
        float(F.cross_entropy(logits, targets) + 0.3 * kl_to_uniform - 0.3 * math.log(3)),
        rel=1e-12)
    assert float(confidence_penalty_loss(logits, targets, 0)) == pytest.approx(
        float(F.cross_entropy(logits, targets)))
    with pytest.raises(ValueError, match="beta"):
        confidence_penalty_loss(logits, targets, -1)
    with pytest.raises(ValueError, match="labels"):
        confidence_penalty_loss(logits, targets[:2], 0.1)


def test_elbo_pieces_reject_bad_input():
    model = _ToyVAE()
    x = torch.rand(3, 6)
    with pytest.raises(ValueError, match="n_samples"):
        importance_weighted_bound(model, x, 0)
    with pytest.raises(ValueError, match="VAE"):
        monte_carlo_reconstruction(object(), x)
    with pytest.raises(ValueError, match="same shape"):
        monte_carlo_kl(torch.zeros(2, 2), torch.zeros(2, 3))
    assert math.isnan(
        float(monte_carlo_kl(torch.zeros(1, 2), torch.zeros(1, 2), n_samples=1)[1][0])
    )


def test_reconstruction_in_batches_estimates_the_same_expectation():
    model = _ToyVAE()
    x = torch.rand(10, 6, generator=torch.Generator().manual_seed(1))
    whole = monte_carlo_reconstruction(model, x, n_samples=4000,
                                       generator=torch.Generator().manual_seed(2))
    batched = monte_carlo_reconstruction(model, x, n_samples=4000,
                                         generator=torch.Generator().manual_seed(2), batch_size=3)
    assert batched.shape == (10,)
    assert torch.allclose(whole, batched, atol=0.05)
    with pytest.raises(ValueError, match="batch_size"):
        monte_carlo_reconstruction(model, x, batch_size=0)
