"""ilib.neural: the toy problem, the DV, NWJ and InfoNCE bounds, trained critics (chapter 03)."""

import math

import numpy as np
import pytest
import torch
from scipy import integrate, stats

from ilib.estimators import gaussian_mutual_information
from ilib.neural import (
    MINE,
    TOY_NOISE_VARIANCE,
    CriticEstimator,
    dv_bound,
    infonce_bound,
    nwj_bound,
    toy_log_density_ratio,
    toy_mutual_information,
    toy_pairs,
    toy_population_bound,
)

SD = math.sqrt(TOY_NOISE_VARIANCE)


def _log_ratio_scipy(x, y):
    """log p(y|x) - log p(y) from scipy's normal densities, independent of ilib."""
    log_mix = np.logaddexp(stats.norm.logpdf(y, -1, SD), stats.norm.logpdf(y, 1, SD)) - math.log(2)
    return stats.norm.logpdf(y, x, SD) - log_mix


# ---------------------------------------------------------------------------
# the toy problem
# ---------------------------------------------------------------------------


def test_toy_pairs_follow_the_model():
    x, y = toy_pairs(200_000, seed=7)
    assert set(np.unique(x)) == {-1.0, 1.0}
    assert abs(x.mean()) < 4 / math.sqrt(x.size)
    noise = y - x
    assert noise.mean() == pytest.approx(0.0, abs=4 * SD / math.sqrt(x.size))
    assert noise.var() == pytest.approx(TOY_NOISE_VARIANCE, rel=0.01)
    again = toy_pairs(200_000, seed=7)
    np.testing.assert_array_equal(again[1], y)


def test_toy_log_density_ratio_matches_scipy():
    y = np.linspace(-8, 8, 101)
    for x in (-1.0, 1.0):
        np.testing.assert_allclose(toy_log_density_ratio(x, y), _log_ratio_scipy(x, y),
                                   rtol=1e-10, atol=1e-10)


def test_toy_truth_by_monte_carlo():
    # I = E[log p(y|x)/p(y)] over the joint: a Monte Carlo mean with its standard error,
    # the log-ratio from scipy's densities, checks the quadrature of toy_mutual_information
    x, y = toy_pairs(400_000, seed=11)
    terms = _log_ratio_scipy(x, y)
    se = terms.std(ddof=1) / math.sqrt(terms.size)
    assert abs(terms.mean() - toy_mutual_information()) < 4 * se
    assert se < 2e-3


def test_toy_truth_by_entropies():
    # a second integral: I = h(Y) - h(Y|X), h(Y|X) = (1/2) ln(2 pi e v) in closed form
    def neg_p_log_p(v):
        log_p = np.logaddexp(stats.norm.logpdf(v, -1, SD),
                             stats.norm.logpdf(v, 1, SD)) - math.log(2)
        return -math.exp(log_p) * log_p

    h_y = integrate.quad(neg_p_log_p, -1 - 12 * SD, 1 + 12 * SD, points=[-1, 0, 1])[0]
    h_y_given_x = 0.5 * math.log(2 * math.pi * math.e * TOY_NOISE_VARIANCE)
    assert toy_mutual_information() == pytest.approx(h_y - h_y_given_x, abs=1e-9)
    assert toy_mutual_information() == pytest.approx(0.658734, abs=5e-7)


def test_population_bounds_of_the_optimal_critic_equal_the_truth_and_others_fall_below():
    truth = toy_mutual_information()
    assert toy_population_bound(toy_log_density_ratio) == pytest.approx(truth, abs=1e-7)
    # NWJ's optimal critic is 1 + log ratio
    assert toy_population_bound(lambda x, y: 1 + toy_log_density_ratio(x, y), "nwj") == (
        pytest.approx(truth, abs=1e-7))
    for critic in (lambda x, y: 0.5 * toy_log_density_ratio(x, y), lambda x, y: x * y,
                   lambda x, y: np.tanh(3 * x * y)):
        assert toy_population_bound(critic) < truth
        assert toy_population_bound(critic, "nwj") < truth
        # DV >= NWJ for the same critic, since log m <= m / e
        assert toy_population_bound(critic) >= toy_population_bound(critic, "nwj")


# ---------------------------------------------------------------------------
# the bounds
# ---------------------------------------------------------------------------


def test_bounds_match_numpy_formulas():
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(6, 6)) * 3
    t = torch.from_numpy(scores)
    tj, tm = t.diagonal(), t[~torch.eye(6, dtype=torch.bool)]
    off = scores[~np.eye(6, dtype=bool)]
    assert float(dv_bound(tj, tm)) == pytest.approx(
        np.diag(scores).mean() - math.log(np.exp(off).mean()))
    assert float(nwj_bound(tj, tm)) == pytest.approx(
        np.diag(scores).mean() - np.exp(off - 1).mean())
    rows = [scores[i, i] - math.log(np.exp(scores[i]).mean()) for i in range(6)]
    assert float(infonce_bound(t)) == pytest.approx(np.mean(rows))


@pytest.mark.parametrize("n", [2, 5, 64])
def test_infonce_never_exceeds_log_n(n):
    rng = np.random.default_rng(n)
    for scale in (1.0, 10.0, 1000.0):
        scores = torch.from_numpy(rng.normal(size=(n, n)) * scale)
        assert float(infonce_bound(scores)) <= math.log(n) + 1e-9
    # a critic that recognises every pair reaches the ceiling
    perfect = torch.eye(n, dtype=torch.float64) * 1000.0
    assert float(infonce_bound(perfect)) == pytest.approx(math.log(n))


def test_dv_bound_is_stable_for_large_statistics():
    # logsumexp: a statistic of 1000 would overflow exp() in float32
    t = torch.full((10,), 1000.0)
    assert float(dv_bound(t, t)) == pytest.approx(0.0, abs=1e-3)


# ---------------------------------------------------------------------------
# trained critics
# ---------------------------------------------------------------------------


def _gaussian_pairs(n, rho, seed):
    z = np.random.default_rng(seed).standard_normal((2, n))
    return z[0], rho * z[0] + math.sqrt(1 - rho**2) * z[1]


@pytest.mark.parametrize("bound", ["dv", "nwj", "infonce"])
def test_critics_recover_gaussian_mutual_information(bound):
    torch.set_num_threads(1)
    rho = 0.8
    truth = gaussian_mutual_information(rho)  # 0.5108 nats
    x, y = _gaussian_pairs(8000, rho, seed=1)
    state = torch.random.get_rng_state()
    critic = CriticEstimator(bound, hidden=16, seed=0).fit(x, y, steps=250, batch_size=128,
                                                          lr=1e-2)
    assert torch.equal(state, torch.random.get_rng_state()), "global torch RNG untouched"
    xf, yf = _gaussian_pairs(4096, rho, seed=2)
    estimates = critic.batch_estimates(xf, yf, 256)
    assert estimates.shape == (16,)
    se = estimates.std(ddof=1) / math.sqrt(estimates.size)
    assert abs(estimates.mean() - truth) < 0.08 * truth + 3 * se
    # InfoNCE of the same critic at a tiny batch is held under log 2
    assert (critic.batch_estimates(xf, yf, 2, bound="infonce") <= math.log(2) + 1e-6).all()


def test_critic_is_reproducible():
    x, y = toy_pairs(1000, seed=3)
    a = CriticEstimator("nwj", hidden=8, seed=4).fit(x, y, steps=10, batch_size=32)
    b = CriticEstimator("nwj", hidden=8, seed=4).fit(x, y, steps=10, batch_size=32)
    np.testing.assert_array_equal(a.history_, b.history_)
    np.testing.assert_array_equal(a.batch_estimates(x, y, 100), b.batch_estimates(x, y, 100))


def test_mine_statistic_and_population_bound_below_truth():
    x, y = toy_pairs(5000, seed=1)
    model = MINE(hidden=16, seed=0).fit(x, y, steps=80, lr=3e-2)
    t = model.statistic(x[:10], y[:10])
    assert t.shape == (10,)
    population = toy_population_bound(model.statistic)
    assert population <= toy_mutual_information() + 1e-6
    assert population > 0.9 * toy_mutual_information()


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda: CriticEstimator("mine"), "bound"),
        (lambda: CriticEstimator("dv", hidden=0), "hidden"),
        (lambda: CriticEstimator("dv", seed=-1), "seed"),
        (lambda: CriticEstimator("dv").fit([1.0, 2.0, 3.0], [1.0, 2.0]), "same number"),
        (lambda: CriticEstimator("dv").fit([1.0, 2.0], [1.0, 2.0], batch_size=3), "batch_size"),
        (lambda: CriticEstimator("dv").fit([1.0, 2.0], [1.0, 2.0], steps=0), "steps"),
        (lambda: CriticEstimator("dv").fit([1.0, 2.0], [1.0, 2.0], batch_size=2, lr=0.0), "lr"),
        (lambda: CriticEstimator("dv").batch_estimates([1.0, 2.0], [1.0, 2.0], 2), "fit"),
        (lambda: CriticEstimator("dv").fit([1.0, 2.0], [1.0, 2.0], steps=1, batch_size=2)
         .batch_estimates([1.0, 2.0], [1.0, 2.0], 3), "batch_size"),
        (lambda: CriticEstimator("dv").fit([1.0, 2.0], [1.0, 2.0], steps=1, batch_size=2)
         .batch_estimates([1.0, 2.0], [1.0, 2.0], 2, bound="js"), "bound"),
        (lambda: toy_pairs(0), "n"),
        (lambda: toy_pairs(5, seed=-1), "seed"),
        (lambda: toy_log_density_ratio([0.0], [1.0]), "x"),
        (lambda: toy_log_density_ratio([1.0], [np.nan]), "y"),
        (lambda: toy_population_bound(toy_log_density_ratio, "infonce"), "bound"),
        (lambda: toy_population_bound(lambda x, y: x[:3]), "statistic"),
    ],
)
def test_bad_input(make, name):
    with pytest.raises(ValueError, match=name):
        make()
