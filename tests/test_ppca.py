"""ilib.ppca: closed forms of probabilistic PCA against independent computations."""

import math

import numpy as np
import pytest
from scipy.stats import multivariate_normal
from sklearn.decomposition import PCA

from ilib import ppca
from ilib.losses import iwae_from_log_weights


def random_model(seed, d=6, k=2):
    rng = np.random.default_rng(seed)
    return ppca.PPCA(rng.normal(size=d), rng.normal(size=(d, k)), float(rng.uniform(0.2, 1.5)))


def random_q(seed, n, k):
    rng = np.random.default_rng(seed + 100)
    a = rng.normal(size=(n, k, k))
    return rng.normal(size=(n, k)), a @ np.swapaxes(a, 1, 2) + 0.1 * np.eye(k)


def marginal_cov(model):
    return model.weight @ model.weight.T + model.noise_variance * np.eye(model.data_dim)


@pytest.mark.parametrize("seed", range(5))
def test_log_marginal_matches_scipy(seed):
    model = random_model(seed)
    x = np.random.default_rng(seed).normal(size=(7, 6)) * 2
    expected = multivariate_normal(model.mean, marginal_cov(model)).logpdf(x)
    np.testing.assert_allclose(ppca.log_marginal(model, x), expected, rtol=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_posterior_is_bayes_rule(seed):
    """log p(z|x) = log p(x|z) + log p(z) - log p(x), each density from scipy."""
    model = random_model(seed)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(3, 6))
    mean, cov = ppca.posterior(model, x)
    for i in range(3):
        z = rng.normal(size=(4, 2))
        bayes = (
            np.array([multivariate_normal(model.weight @ zi + model.mean,
                                          model.noise_variance * np.eye(6)).logpdf(x[i])
                      for zi in z])
            + multivariate_normal(np.zeros(2), np.eye(2)).logpdf(z)
            - multivariate_normal(model.mean, marginal_cov(model)).logpdf(x[i])
        )
        np.testing.assert_allclose(multivariate_normal(mean[i], cov).logpdf(z), bayes, rtol=1e-10)


def test_posterior_by_gaussian_conditioning():
    model = random_model(7)
    x = np.random.default_rng(7).normal(size=(5, 6))
    c_inv = np.linalg.inv(marginal_cov(model))
    mean, cov = ppca.posterior(model, x)
    np.testing.assert_allclose(mean, (model.weight.T @ c_inv @ (x - model.mean).T).T, atol=1e-12)
    np.testing.assert_allclose(cov, np.eye(2) - model.weight.T @ c_inv @ model.weight, atol=1e-12)


@pytest.mark.parametrize("seed", range(6))
def test_gap_is_kl_to_posterior_on_random_models(seed):
    model = random_model(seed, d=5 + seed, k=1 + seed % 3)
    x = np.random.default_rng(seed).normal(size=(4, model.data_dim))
    q_mean, q_cov = random_q(seed, 4, model.latent_dim)
    gap = ppca.log_marginal(model, x) - ppca.elbo(model, x, q_mean, q_cov)
    kl = ppca.kl_to_posterior(model, x, q_mean, q_cov)
    assert (kl > 0).all()
    np.testing.assert_allclose(gap, kl, rtol=1e-9, atol=1e-10)
    shared = ppca.elbo(model, x, q_mean, q_cov[0])
    np.testing.assert_allclose(
        ppca.log_marginal(model, x) - shared, ppca.kl_to_posterior(model, x, q_mean, q_cov[0]),
        rtol=1e-9, atol=1e-10)


def test_elbo_is_tight_at_the_posterior():
    model = random_model(3)
    x = np.random.default_rng(3).normal(size=(6, 6))
    mean, cov = ppca.posterior(model, x)
    np.testing.assert_allclose(ppca.elbo(model, x, mean, cov), ppca.log_marginal(model, x),
                               rtol=1e-12)
    np.testing.assert_allclose(ppca.kl_to_posterior(model, x, mean, cov), 0, atol=1e-12)
    # every importance weight then equals p(x): zero variance
    log_w = ppca.log_importance_weights(model, x, mean, cov, 50, np.random.default_rng(0))
    np.testing.assert_allclose(log_w, np.broadcast_to(ppca.log_marginal(model, x), log_w.shape),
                               rtol=1e-10)


def test_elbo_matches_monte_carlo_with_scipy_densities():
    model = random_model(11, d=4, k=2)
    x = np.random.default_rng(11).normal(size=(1, 4))
    q_mean, q_cov = random_q(11, 1, 2)
    rng = np.random.default_rng(5)
    z = multivariate_normal(q_mean[0], q_cov[0]).rvs(size=200_000, random_state=rng)
    residual = ((x[0] - model.mean - z @ model.weight.T) ** 2).sum(axis=1)
    terms = (
        -0.5 * (4 * math.log(2 * math.pi * model.noise_variance) + residual / model.noise_variance)
        + multivariate_normal(np.zeros(2), np.eye(2)).logpdf(z)
        - multivariate_normal(q_mean[0], q_cov[0]).logpdf(z)
    )
    se = terms.std() / math.sqrt(len(terms))
    assert abs(terms.mean() - ppca.elbo(model, x, q_mean, q_cov)[0]) < 4 * se
    log_w = ppca.log_importance_weights(model, x, q_mean, q_cov, 200_000,
                                        np.random.default_rng(6))
    se = log_w.std() / math.sqrt(200_000)
    assert abs(log_w.mean() - ppca.elbo(model, x, q_mean, q_cov)[0]) < 4 * se


def test_iwae_rises_towards_log_marginal():
    model = random_model(2, d=8, k=3)
    x = np.random.default_rng(2).normal(size=(40, 8))
    mean, cov = ppca.posterior(model, x)
    log_w = ppca.log_importance_weights(model, x, mean + 0.7, 2.0 * cov, 5000,
                                        np.random.default_rng(1))
    log_p = ppca.log_marginal(model, x)
    bounds = [iwae_from_log_weights(log_w, k).mean() for k in (1, 10, 100)]
    assert bounds == sorted(bounds)
    assert bounds[-1] < log_p.mean()
    assert bounds[0] == pytest.approx(ppca.elbo(model, x, mean + 0.7, 2.0 * cov).mean(), abs=0.05)


def test_fit_matches_scikit_learn():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 3)) @ rng.normal(size=(3, 7)) + 0.3 * rng.normal(size=(300, 7))
    model = ppca.fit_ppca(x, 3)
    pca = PCA(n_components=3).fit(x)
    # scikit-learn divides the covariance by n - 1, the maximum-likelihood fit by n
    scale = (len(x) - 1) / len(x)
    np.testing.assert_allclose(model.mean, pca.mean_)
    assert model.noise_variance == pytest.approx(pca.noise_variance_ * scale, rel=1e-10)
    np.testing.assert_allclose(model.weight @ model.weight.T,
                               scale * pca.get_covariance() - model.noise_variance * np.eye(7),
                               atol=1e-10)
    loading = pca.components_.T * np.sqrt(pca.explained_variance_ - pca.noise_variance_)
    sk = ppca.PPCA(pca.mean_, loading, float(pca.noise_variance_))
    np.testing.assert_allclose(ppca.log_marginal(sk, x), pca.score_samples(x), rtol=1e-10)


def test_fit_is_a_maximum_of_the_likelihood():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(200, 5)) @ rng.normal(size=(5, 5))
    model = ppca.fit_ppca(x, 2)
    best = ppca.log_marginal(model, x).mean()
    for _ in range(20):
        nudged = ppca.PPCA(model.mean + 0.01 * rng.normal(size=5),
                           model.weight + 0.01 * rng.normal(size=(5, 2)),
                           model.noise_variance * float(np.exp(0.01 * rng.normal())))
        assert ppca.log_marginal(nudged, x).mean() < best


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda m, x: ppca.fit_ppca(x, 0), "latent_dim"),
        (lambda m, x: ppca.fit_ppca(x, 6), "latent_dim"),
        (lambda m, x: ppca.fit_ppca(x[:1], 2), "x must have shape"),
        (lambda m, x: ppca.fit_ppca(np.zeros((5, 4)), 2), "subspace"),
        (lambda m, x: ppca.log_marginal("model", x), "model"),
        (lambda m, x: ppca.log_marginal(m, x[:, :3]), "x must have shape"),
        (lambda m, x: ppca.log_marginal(m, np.full((2, 6), np.nan)), "NaN"),
        (lambda m, x: ppca.elbo(m, x, np.zeros((4, 2)), np.eye(2)), "q_mean must have 3 rows"),
        (lambda m, x: ppca.elbo(m, x, np.zeros((3, 2)), np.eye(3)), "q_cov must have shape"),
        (lambda m, x: ppca.elbo(m, x, np.zeros((3, 2)), -np.eye(2)), "positive definite"),
        (lambda m, x: ppca.elbo(m, x, np.zeros((3, 2)), [[1, 0.5], [0, 1]]), "symmetric"),
        (lambda m, x: ppca.kl_to_posterior(m, x, np.zeros((3, 1)), np.eye(2)), "q_mean"),
        (lambda m, x: ppca.log_importance_weights(m, x, np.zeros((3, 2)), np.eye(2), 0,
                                                  np.random.default_rng(0)), "n_samples"),
        (lambda m, x: ppca.log_importance_weights(m, x, np.zeros((3, 2)), np.eye(2), 5, 0), "rng"),
    ],
)
def test_bad_input_names_the_argument(call, message):
    model = random_model(0)
    x = np.random.default_rng(0).normal(size=(3, 6))
    with pytest.raises(ValueError, match=message):
        call(model, x)
