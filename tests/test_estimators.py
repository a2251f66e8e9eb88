"""ilib.estimators: the Gaussian truth, binned MI, mRMR, the refusal of continuous floats,
and ilib.neural.MINE (chapter 03)."""

import math

import numpy as np
import pytest
import torch
from scipy import stats

from ilib.estimators import (
    binned_mutual_information,
    gaussian_mutual_information,
    miller_madow_mutual_information,
    mrmr,
    mutual_information_from_samples,
    permutation_test_mutual_information,
)
from ilib.neural import MINE, toy_mutual_information, toy_pairs

# ---------------------------------------------------------------------------
# Gaussian truth and binned plug-in estimate
# ---------------------------------------------------------------------------


def test_gaussian_mutual_information_values():
    assert gaussian_mutual_information(0.0) == 0.0
    assert gaussian_mutual_information(0.6) == pytest.approx(-0.5 * math.log(0.64))
    assert gaussian_mutual_information(-0.6) == gaussian_mutual_information(0.6)
    assert gaussian_mutual_information(0.6, base=2) == pytest.approx(
        gaussian_mutual_information(0.6) / math.log(2)
    )
    arr = gaussian_mutual_information([0.0, 0.5, 0.9])
    assert isinstance(arr, np.ndarray) and arr.shape == (3,)
    assert np.all(np.diff(arr) > 0)


def test_gaussian_mutual_information_matches_differential_entropies():
    # I = h(X) + h(Y) - h(X, Y) for a standard bivariate normal
    rho = 0.7
    cov = np.array([[1.0, rho], [rho, 1.0]])
    h_joint = stats.multivariate_normal(cov=cov).entropy()
    h_marg = stats.norm().entropy()
    assert gaussian_mutual_information(rho) == pytest.approx(2 * h_marg - h_joint)


@pytest.mark.parametrize("rho", [0.3, 0.6, 0.9])
def test_binned_mi_close_to_gaussian_truth(rho):
    z = np.random.default_rng(1).standard_normal((2, 20000))
    x, y = z[0], rho * z[0] + math.sqrt(1 - rho**2) * z[1]
    est = binned_mutual_information(x, y, bins=20, strategy="quantile")
    truth = gaussian_mutual_information(rho)
    assert abs(est - truth) < 0.05 + 0.05 * truth


def test_binned_mi_independent_is_small_and_bits_scale():
    z = np.random.default_rng(2).standard_normal((2, 5000))
    nats = binned_mutual_information(z[0], z[1], bins=8)
    assert 0.0 <= nats < 0.02
    assert binned_mutual_information(z[0], z[1], bins=8, base=2) == pytest.approx(
        nats / math.log(2)
    )


def test_binned_mi_of_a_variable_with_itself_is_log_bins_for_quantile_bins():
    x = np.random.default_rng(3).standard_normal(1000)
    assert binned_mutual_information(x, x, bins=4, strategy="quantile") == pytest.approx(
        math.log(4)
    )


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"rho": 1.0}, "rho"),
        ({"rho": float("nan")}, "rho"),
        ({"rho": "a"}, "rho"),
        ({"rho": 0.5, "base": 1}, "base"),
    ],
)
def test_gaussian_mi_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name):
        gaussian_mutual_information(**kwargs)


@pytest.mark.parametrize(
    ("x", "y", "kwargs", "name"),
    [
        ([1.0, 2.0, 3.0], [1.0, 2.0], {}, "same length"),
        ([[1.0, 2.0]], [1.0, 2.0], {}, "x"),
        ([1.0, np.nan, 3.0], [1.0, 2.0, 3.0], {}, "x"),
        ([1.0, 2.0, 3.0], [1.0, 2.0, np.inf], {}, "y"),
        ([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], {"bins": 1}, "bins"),
        ([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], {"bins": 2.5}, "bins"),
        ([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], {"strategy": "kmeans"}, "strategy"),
    ],
)
def test_binned_mi_bad_input(x, y, kwargs, name):
    with pytest.raises(ValueError, match=name):
        binned_mutual_information(x, y, **kwargs)


# ---------------------------------------------------------------------------
# mRMR
# ---------------------------------------------------------------------------


def _copies_problem():
    """Two independent signals a (strong) and b (weaker); columns 0-2 are copies of a."""
    rng = np.random.default_rng(0)
    n = 600
    a, b = rng.standard_normal(n), rng.standard_normal(n)
    y = (a + 0.7 * b > 0).astype(int)
    noise = 0.05 * rng.standard_normal((n, 3))
    X = np.column_stack([a + noise[:, 0], a + noise[:, 1], a + noise[:, 2], b,
                         rng.standard_normal(n)])
    return X, y


@pytest.mark.parametrize("redundancy", ["knn", "binned"])
def test_mrmr_skips_copies(redundancy):
    X, y = _copies_problem()
    result = mrmr(X, y, 2, redundancy=redundancy, random_state=0)
    assert result.selected[0] in (0, 1, 2)
    assert result.selected[1] == 3, result
    # the plain relevance ranking takes a second copy instead
    assert set(np.argsort(result.relevance)[::-1][:2]) <= {0, 1, 2}
    assert len(result.scores) == 2


def test_mrmr_uses_given_relevance_and_selects_k_distinct():
    X, y = _copies_problem()
    rel = np.array([0.1, 0.2, 0.3, 0.4, 0.5])
    result = mrmr(X, y, 5, relevance=rel, redundancy="binned")
    assert result.selected[0] == 4
    assert sorted(result.selected) == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(
    ("args", "kwargs", "name"),
    [
        ((np.ones(5), np.zeros(5), 1), {}, "X"),
        ((np.full((5, 2), np.nan), np.zeros(5), 1), {}, "X"),
        ((np.ones((5, 2)), np.zeros(4), 1), {}, "y"),
        ((np.ones((5, 2)), np.zeros(5), 3), {}, "k"),
        ((np.ones((5, 2)), np.zeros(5), 0), {}, "k"),
        ((np.ones((5, 2)), np.zeros(5), 1), {"relevance": [1.0]}, "relevance"),
        ((np.ones((5, 2)), np.zeros(5), 1), {"redundancy": "pearson"}, "redundancy"),
        ((np.ones((5, 2)), np.zeros(5), 1), {"bins": 1}, "bins"),
    ],
)
def test_mrmr_bad_input(args, kwargs, name):
    with pytest.raises(ValueError, match=name):
        mrmr(*args, **kwargs)


# ---------------------------------------------------------------------------
# discrete estimators refuse continuous floats
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fn",
    [mutual_information_from_samples, miller_madow_mutual_information,
     permutation_test_mutual_information],
)
def test_discrete_estimators_refuse_continuous_floats(fn):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(200)
    with pytest.raises(ValueError, match="x holds non-integer floats.*binned_mutual_information"):
        fn(x, rng.integers(0, 2, 200))
    with pytest.raises(ValueError, match="y holds non-integer floats.*mutual_info_regression"):
        fn(rng.integers(0, 2, 200), [0.5] * 199 + [1.0])


def test_float_labels_with_integer_values_are_accepted():
    # the toy problem's x = sign(z) is a float array of -1.0 and +1.0
    x = np.sign(np.random.default_rng(1).standard_normal(400))
    labels = (x > 0).astype(int)
    assert mutual_information_from_samples(x, x) == pytest.approx(
        mutual_information_from_samples(labels, labels))


def test_the_refused_input_would_have_given_log_n():
    # why the rule exists: N distinct continuous values make N singleton cells
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal(100), rng.standard_normal(100)
    codes = np.argsort(np.argsort(x)), np.argsort(np.argsort(y))
    assert mutual_information_from_samples(*codes) == pytest.approx(math.log2(100))


# ---------------------------------------------------------------------------
# MINE
# ---------------------------------------------------------------------------


def test_mine_recovers_toy_mutual_information_within_5_percent():
    torch.set_num_threads(1)
    truth = toy_mutual_information()
    x, y = toy_pairs(5000, seed=1)
    state = torch.random.get_rng_state()
    model = MINE(hidden=16, seed=0).fit(x, y, steps=150, lr=1e-2)
    assert torch.equal(state, torch.random.get_rng_state()), "global torch RNG untouched"
    assert model.history_.shape == (150,)
    xf, yf = toy_pairs(50000, seed=2)
    est = model.evaluate(xf, yf, seed=3)
    assert abs(est - truth) / truth < 0.05
    assert abs(model.estimate_ - truth) / truth < 0.05


def test_mine_is_reproducible_and_moving_average_runs():
    x, y = toy_pairs(2000, seed=4)
    a = MINE(hidden=8, seed=5).fit(x, y, steps=20, batch_size=256)
    b = MINE(hidden=8, seed=5).fit(x, y, steps=20, batch_size=256)
    np.testing.assert_array_equal(a.history_, b.history_)
    c = MINE(hidden=8, seed=5, moving_average=0.1).fit(x, y, steps=20, batch_size=256)
    assert np.isfinite(c.history_).all()
    # vector inputs of shape (n, d)
    d = MINE(hidden=8).fit(np.column_stack([x, x]), y[:, None], steps=5, n_average=5)
    assert np.isfinite(d.estimate_)


def test_mine_bound_is_stable_for_large_statistics():
    # logsumexp: a statistic of 1000 would overflow exp() in float32
    from ilib.neural import dv_bound

    t = torch.full((10,), 1000.0)
    assert float(dv_bound(t, t)) == pytest.approx(0.0, abs=1e-3)


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda: MINE(hidden=0), "hidden"),
        (lambda: MINE(seed=-1), "seed"),
        (lambda: MINE(moving_average=0.0), "moving_average"),
        (lambda: MINE(moving_average="fast"), "moving_average"),
        (lambda: MINE().fit([1.0, 2.0, 3.0], [1.0, 2.0]), "same number"),
        (lambda: MINE().fit([1.0, np.nan, 3.0], [1.0, 2.0, 3.0]), "x"),
        (lambda: MINE().fit([1.0, 2.0, 3.0], [[[1.0]]]), "y"),
        (lambda: MINE().fit([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], steps=0), "steps"),
        (lambda: MINE().fit([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], batch_size=4), "batch_size"),
        (lambda: MINE().fit([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], lr=-1.0), "lr"),
        (lambda: MINE().fit([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], steps=2, n_average=3),
         "n_average"),
        (lambda: MINE().evaluate([1.0, 2.0], [1.0, 2.0]), "fit"),
    ],
)
def test_mine_bad_input(make, name):
    with pytest.raises(ValueError, match=name):
        make()
