"""Tests of ilib.measures: textbook values, the book's numbers, properties,
cross-checks against SciPy, scikit-learn, dit and PyTorch, and bad input."""

import itertools
import math

import dit
import numpy as np
import pytest
import scipy.spatial.distance
import scipy.special
import scipy.stats
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import mutual_info_score

import ilib
from ilib._validate import SUM_TOLERANCE
from ilib.estimators import (
    PermutationTestResult,
    miller_madow_mutual_information,
    mutual_information_from_samples,
    permutation_test_mutual_information,
)
from ilib.measures import (
    conditional_entropy,
    cross_entropy,
    entropy,
    gaussian_kl,
    huffman_code,
    joint_entropy,
    js_divergence,
    kl_divergence,
    mutual_information,
)

LN2 = math.log(2)

# Deterministic and quick property tests: the same examples on every run.
prop = settings(max_examples=40, derandomize=True, deadline=None)


def approx(value, tol=1e-12):
    """Equality up to rounding: relative and absolute tolerance ``tol``."""
    return pytest.approx(value, rel=tol, abs=tol)


# ---------------------------------------------------------------------------
# strategies
# ---------------------------------------------------------------------------

_weight = st.one_of(st.just(0.0), st.floats(1e-3, 1.0))


@st.composite
def distributions(draw, min_size=1, max_size=8, size=None):
    n = size if size is not None else draw(st.integers(min_size, max_size))
    w = np.array(draw(st.lists(_weight, min_size=n, max_size=n)))
    if w.sum() == 0.0:
        w[draw(st.integers(0, n - 1))] = 1.0
    return w / w.sum()


@st.composite
def joint_tables(draw, max_side=5):
    r = draw(st.integers(1, max_side))
    c = draw(st.integers(1, max_side))
    return draw(distributions(size=r * c)).reshape(r, c)


@st.composite
def distribution_pairs(draw, max_size=8):
    n = draw(st.integers(1, max_size))
    return draw(distributions(size=n)), draw(distributions(size=n))


@st.composite
def label_pairs(draw):
    n = draw(st.integers(1, 60))
    kx = draw(st.integers(1, 5))
    ky = draw(st.integers(1, 5))
    x = draw(st.lists(st.integers(0, kx - 1), min_size=n, max_size=n))
    y = draw(st.lists(st.integers(0, ky - 1), min_size=n, max_size=n))
    return np.array(x), np.array(y)


# ---------------------------------------------------------------------------
# Cover & Thomas, Example 2.2.1
# ---------------------------------------------------------------------------

# In the book the rows are Y and the columns X; ilib wants pxy[x, y].
COVER_THOMAS_YX = np.array(
    [
        [1 / 8, 1 / 16, 1 / 32, 1 / 32],
        [1 / 16, 1 / 8, 1 / 32, 1 / 32],
        [1 / 16, 1 / 16, 1 / 16, 1 / 16],
        [1 / 4, 0, 0, 0],
    ]
)
COVER_THOMAS = COVER_THOMAS_YX.T


def test_cover_thomas_example_2_2_1():
    pxy = COVER_THOMAS
    assert entropy(pxy.sum(axis=1)) == 7 / 4  # H(X), exact in bits
    assert entropy(pxy.sum(axis=0)) == 2  # H(Y)
    assert joint_entropy(pxy) == approx(27 / 8)
    assert conditional_entropy(pxy, given="y") == approx(11 / 8)  # H(X|Y)
    assert conditional_entropy(pxy, given="x") == approx(13 / 8)  # H(Y|X)
    assert mutual_information(pxy) == approx(3 / 8)


def test_cover_thomas_orientation_matters():
    # Passing the book's table as it is printed swaps the roles of X and Y.
    assert conditional_entropy(COVER_THOMAS_YX, given="y") == approx(13 / 8)
    assert conditional_entropy(COVER_THOMAS_YX, given="x") == approx(11 / 8)
    assert mutual_information(COVER_THOMAS_YX) == approx(3 / 8)


# ---------------------------------------------------------------------------
# chapter 01
# ---------------------------------------------------------------------------

TABLE_2X2 = np.array([[0.20, 0.10], [0.15, 0.55]])  # rows X, columns Y


def test_chapter01_joint_table_values():
    pxy = TABLE_2X2
    assert entropy(pxy.sum(axis=1)) == pytest.approx(0.881291, abs=5e-7)
    assert entropy(pxy.sum(axis=0)) == pytest.approx(0.934068, abs=5e-7)
    assert joint_entropy(pxy) == pytest.approx(1.681496, abs=5e-7)
    assert conditional_entropy(pxy, given="y") == pytest.approx(0.747428, abs=5e-7)
    assert conditional_entropy(pxy, given="x") == pytest.approx(0.800205, abs=5e-7)
    assert mutual_information(pxy) == pytest.approx(0.133863, abs=5e-7)


def test_chapter01_chain_rule_exact_to_printed_precision():
    pxy = TABLE_2X2
    hx, hy = entropy(pxy.sum(axis=1)), entropy(pxy.sum(axis=0))
    hxy = joint_entropy(pxy)
    assert f"{hxy - hx - conditional_entropy(pxy, given='x'):.6f}" in ("0.000000", "-0.000000")
    assert f"{hxy - hy - conditional_entropy(pxy, given='y'):.6f}" in ("0.000000", "-0.000000")


def test_chapter01_pitfall_wrong_axis_is_not_what_we_compute():
    # The source normalised each slice by the wrong marginal and printed these.
    wrong_x_given_y, wrong_y_given_x = 0.7391, 0.7921
    assert conditional_entropy(TABLE_2X2, given="y") != pytest.approx(wrong_x_given_y, abs=1e-3)
    assert conditional_entropy(TABLE_2X2, given="x") != pytest.approx(wrong_y_given_x, abs=1e-3)


def test_conditional_entropy_is_average_of_slice_entropies():
    pxy = TABLE_2X2
    py = pxy.sum(axis=0)
    by_definition = sum(py[j] * entropy(pxy[:, j] / py[j]) for j in range(2))
    assert conditional_entropy(pxy, given="y") == approx(by_definition)


def test_die_and_coin():
    assert entropy(np.full(6, 1 / 6)) == pytest.approx(2.584963, abs=5e-7)
    assert entropy(np.full(6, 1 / 6), base=math.e) == pytest.approx(1.791759, abs=5e-7)
    assert entropy([0.8, 0.2]) == pytest.approx(0.721928, abs=5e-7)
    assert entropy([0.8, 0.2], base=math.e) == pytest.approx(0.500402, abs=5e-7)
    assert entropy([0.5, 0.5]) == 1.0
    assert entropy([1.0, 0.0]) == 0.0
    assert entropy([0.1] * 10, base=10) == approx(1.0)


WEATHER_A = [1 / 4, 1 / 4, 1 / 4, 1 / 4]
WEATHER_B = [1 / 2, 1 / 4, 1 / 8, 1 / 8]  # sunny, cloudy, rain, snow
WEATHER_C = [1.0, 0.0, 0.0, 0.0]


def test_weather_entropies_and_codes():
    assert entropy(WEATHER_A) == 2.0
    assert entropy(WEATHER_B) == 1.75
    assert entropy(WEATHER_C) == 0.0
    code = huffman_code(WEATHER_B)
    assert code == ["0", "10", "110", "111"]
    average = sum(p * len(w) for p, w in zip(WEATHER_B, code, strict=True))
    assert average == entropy(WEATHER_B) == 1.75


def test_huffman_small_cases():
    assert huffman_code([1.0]) == ["0"]
    assert huffman_code([0.5, 0.5]) == ["0", "1"]
    assert [len(w) for w in huffman_code([0.125, 0.125, 0.25, 0.5])] == [3, 3, 2, 1]
    assert huffman_code(WEATHER_A) == ["00", "01", "10", "11"]
    code = huffman_code([0.7, 0.3, 0.0])  # zero probability still gets a word
    assert len(code) == 3 and all(code)
    assert _is_prefix_free(code)
    assert isinstance(code, list) and all(isinstance(w, str) for w in code)


def test_huffman_non_dyadic_bounds():
    p = np.array([0.4, 0.3, 0.2, 0.1])
    lengths = np.array([len(w) for w in huffman_code(p)])
    h = entropy(p)
    assert h < p @ lengths < h + 1


def _is_prefix_free(code):
    return not any(a != b and b.startswith(a) for a, b in itertools.permutations(code, 2))


def _best_average_length(p):
    """Brute force: the shortest average length over all lengths obeying Kraft."""
    k = len(p)
    best = math.inf
    for lengths in itertools.product(range(1, k), repeat=k):
        if sum(2.0**-n for n in lengths) <= 1.0:
            best = min(best, float(np.dot(p, lengths)))
    return best


@prop
@given(distributions(min_size=2, max_size=5))
def test_huffman_is_optimal_prefix_code(p):
    code = huffman_code(p)
    assert len(code) == len(p)
    assert set("".join(code)) <= {"0", "1"}
    assert _is_prefix_free(code)
    lengths = np.array([len(w) for w in code])
    assert sum(2.0**-lengths) == 1.0  # a full binary tree
    average = float(p @ lengths)
    assert average == pytest.approx(_best_average_length(p), abs=1e-12)
    h = entropy(p)
    assert h - 1e-12 <= average
    # strict upper bound, except that a certain outcome still costs 1 bit
    assert average < h + 1 or (p.max() == 1.0 and average == 1.0)


def test_huffman_is_deterministic_for_many_outcomes():
    p = np.random.default_rng(1).dirichlet(np.ones(2000))
    code = huffman_code(p)
    assert code == huffman_code(p.copy())
    lengths = np.array([len(w) for w in code])
    assert entropy(p) <= p @ lengths < entropy(p) + 1


# ---------------------------------------------------------------------------
# chapter 02
# ---------------------------------------------------------------------------


def test_coin_kl():
    p, q = [0.5, 0.5], [0.7, 0.3]
    assert kl_divergence(p, q, base=math.e) == pytest.approx(0.0871767, abs=5e-8)
    assert kl_divergence(p, q) == pytest.approx(0.125769, abs=5e-7)
    assert kl_divergence(q, p, base=math.e) == pytest.approx(0.0822829, abs=5e-8)
    # the sum of the two terms the chapter prints, 0.5 ln(0.5/0.7) and 0.5 ln(0.5/0.3)
    assert kl_divergence(p, q, base=math.e) == pytest.approx(-0.168236 + 0.255413, abs=1e-6)


def test_coin_kl_against_torch_kl_div():
    p = torch.tensor([0.5, 0.5], dtype=torch.float64)
    q = torch.tensor([0.7, 0.3], dtype=torch.float64)
    ours = kl_divergence(p.numpy(), q.numpy(), base=math.e)
    assert F.kl_div(q.log(), p, reduction="sum").item() == approx(ours)
    # "batchmean" matches the definition only with a batch dimension: on a 1-D
    # tensor it divides by the number of outcomes, like "mean"
    batched = F.kl_div(q.log()[None], p[None], reduction="batchmean").item()
    assert batched == approx(ours)
    assert F.kl_div(q.log(), p, reduction="batchmean").item() == approx(ours / 2)
    # the default reduction "mean" divides by the number of outcomes: a pitfall
    # (0.04358835: exactly half of the sum over the two outcomes)
    with pytest.warns(UserWarning, match="batchmean"):
        mean = F.kl_div(q.log(), p, reduction="mean").item()
    assert mean == pytest.approx(0.0435884, abs=1e-7)
    assert mean == approx(ours / 2)


@pytest.mark.parametrize(
    ("args", "forward", "backward"),
    [
        ((0.0, 1.0, 1.0, 1.0), 0.5, 0.5),
        ((0.0, 1.0, 2.0, 4.0), 0.818147, 2.806853),
        ((0.0, 1.0, 1.0, 4.0), 0.443147, 1.306853),
        ((0.0, 1.0, 2.0, 2.0), 1.096574, 2.153426),
    ],
)
def test_gaussian_kl_book_values(args, forward, backward):
    mp, vp, mq, vq = args
    assert gaussian_kl(mp, vp, mq, vq) == pytest.approx(forward, abs=5e-7)
    assert gaussian_kl(mq, vq, mp, vp) == pytest.approx(backward, abs=5e-7)
    assert type(gaussian_kl(mp, vp, mq, vq)) is float


def test_gaussian_kl_exercise_and_units():
    assert gaussian_kl(0, 1, 2, 2) == approx(0.5 * math.log(2) + 5 / 4 - 0.5)
    # 1.0965736 nats / ln 2 = 1.5820213 bits
    assert gaussian_kl(0, 1, 2, 2, base=2) == pytest.approx(1.582021, abs=5e-7)
    # variances, not standard deviations: sigma = 2 means variance 4
    assert gaussian_kl(0, 1, 2, 2**2) == pytest.approx(0.818147, abs=5e-7)
    assert gaussian_kl(3.0, 2.5, 3.0, 2.5) == 0.0


def test_gaussian_kl_against_torch_distributions():
    rng = np.random.default_rng(3)
    mp, mq = rng.normal(size=(2, 7))
    vp, vq = rng.uniform(0.1, 3.0, size=(2, 7))
    ours = gaussian_kl(mp, vp, mq, vq)
    assert isinstance(ours, np.ndarray) and ours.shape == (7,)
    normal = torch.distributions.Normal
    P = normal(torch.tensor(mp), torch.tensor(vp).sqrt())
    Q = normal(torch.tensor(mq), torch.tensor(vq).sqrt())
    theirs = torch.distributions.kl_divergence(P, Q).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    # a diagonal Gaussian: sum over the coordinates
    diag = torch.distributions.kl_divergence(
        torch.distributions.Independent(P, 1), torch.distributions.Independent(Q, 1)
    )
    assert ours.sum(axis=-1) == pytest.approx(diag.item(), rel=1e-12)


def test_gaussian_kl_broadcasts_and_vae_prior_term():
    mu = np.array([[0.5, -1.0], [0.0, 2.0]])
    var = np.array([[0.5, 2.0], [1.0, 0.1]])
    ours = gaussian_kl(mu, var, 0.0, 1.0).sum(axis=-1)
    closed_form = 0.5 * (mu**2 + var - np.log(var) - 1).sum(axis=-1)
    np.testing.assert_allclose(ours, closed_form, rtol=1e-12)


def test_js_gaussians_by_fine_discretisation():
    x = np.linspace(-12.0, 13.0, 200_001)
    p = scipy.stats.norm.pdf(x, 0.0, 1.0)
    q = scipy.stats.norm.pdf(x, 1.0, 1.0)
    p, q = p / p.sum(), q / q.sum()
    assert js_divergence(p, q, base=math.e) == pytest.approx(0.111421, abs=2e-6)
    assert js_divergence(p, q) == pytest.approx(0.160747, abs=2e-6)


def test_js_bounds():
    assert js_divergence([1, 0], [0, 1]) == 1.0
    assert js_divergence([1, 0], [0, 1], base=math.e) == approx(LN2)
    assert js_divergence(WEATHER_B, WEATHER_B) == 0.0
    assert js_divergence(WEATHER_A, WEATHER_C) < 1.0


def test_weather_cross_entropies():
    A, B, C = WEATHER_A, WEATHER_B, WEATHER_C
    assert cross_entropy(A, B) == 2.25
    assert kl_divergence(A, B) == 0.25
    assert cross_entropy(B, A) == 2.0
    assert kl_divergence(B, A) == 0.25
    assert cross_entropy(C, A) == kl_divergence(C, A) == 2.0
    assert cross_entropy(C, B) == kl_divergence(C, B) == 1.0
    for p in (A, B):
        assert cross_entropy(p, C) == math.inf
        assert kl_divergence(p, C) == math.inf
    assert int(8000 / cross_entropy(A, B)) == 3555


def test_infinite_is_not_epsilon_clipped():
    # Clipping Q with an epsilon gives finite numbers that mean nothing.
    assert cross_entropy(WEATHER_A, WEATHER_C, base=math.e) == math.inf
    assert kl_divergence(WEATHER_B, WEATHER_C, base=math.e) == math.inf
    # but zeros of P where Q is 0 are fine: 0 log 0 = 0
    assert cross_entropy([0.5, 0.5, 0.0], [0.5, 0.5, 0.0]) == 1.0
    assert kl_divergence([0.5, 0.5, 0.0], [0.5, 0.5, 0.0]) == 0.0


@pytest.mark.parametrize(
    ("logits", "softmax", "loss"),
    [
        ([1.0, 3.5, 0.5, 0.8], [0.0684568, 0.833974, 0.0415211, 0.0560477], 0.181553),
        # -ln 0.1015357 = 2.2873387
        ([2.0, 0.5, 1.5, 1.0], [0.455054, 0.101536, 0.276004, 0.167405], 2.287339),
    ],
)
def test_classification_cross_entropy(logits, softmax, loss):
    q = scipy.special.softmax(np.array(logits))
    np.testing.assert_allclose(q, softmax, atol=5e-7)
    onehot = [0.0, 1.0, 0.0, 0.0]
    ours = cross_entropy(onehot, q, base=math.e)
    assert ours == pytest.approx(loss, abs=5e-7)
    torch_loss = F.cross_entropy(torch.tensor([logits], dtype=torch.float64), torch.tensor([1]))
    assert ours == pytest.approx(torch_loss.item(), rel=1e-12)


# ---------------------------------------------------------------------------
# chapter 03
# ---------------------------------------------------------------------------

WEATHER_DAYS = np.tile([0, 0, 0, 0, 1, 1, 1, 1, 0, 1], 10)
UMBRELLA = np.tile([0, 0, 0, 1, 1, 1, 1, 1, 0, 1], 10)


def _random_umbrella():
    np.random.seed(42)  # noqa: NPY002 - the legacy seeding the book prints
    return np.random.randint(0, 2, 100)  # noqa: NPY002


def test_weather_umbrella_mutual_information():
    mi = mutual_information_from_samples(WEATHER_DAYS, UMBRELLA)
    assert mi == pytest.approx(0.609987, abs=5e-7)
    assert mutual_information([[0.4, 0.1], [0.0, 0.5]]) == approx(mi)
    assert mutual_info_score(WEATHER_DAYS, UMBRELLA) / LN2 == approx(mi)


def test_random_umbrella_bias_and_permutation_test():
    umbrella = _random_umbrella()
    mi = mutual_information_from_samples(WEATHER_DAYS, umbrella)
    assert mi == pytest.approx(0.0105665, abs=5e-8)
    bias = (2 - 1) * (2 - 1) / (2 * 100 * LN2)  # first-order bias under independence
    result = permutation_test_mutual_information(WEATHER_DAYS, umbrella)
    assert isinstance(result, PermutationTestResult)
    assert result.statistic == approx(mi)
    assert 0.25 < result.pvalue < 0.37  # the book says p ~ 0.31
    assert result.null_mean == pytest.approx(bias, rel=0.3)
    assert result.null_distribution.shape == (1000,)
    assert (result.null_distribution >= 0).all()
    # the same seed gives the same answer
    again = permutation_test_mutual_information(WEATHER_DAYS, umbrella)
    assert again.pvalue == result.pvalue
    np.testing.assert_array_equal(again.null_distribution, result.null_distribution)


def test_permutation_test_pvalue_definition():
    x = np.repeat([0, 1], 50)
    strong = permutation_test_mutual_information(x, x, n_permutations=199, seed=1)
    assert strong.pvalue == 1 / 200  # never 0, and no permutation reaches 1 bit
    assert strong.statistic == 1.0
    const = permutation_test_mutual_information(x, np.zeros(100, int), n_permutations=50)
    assert const.statistic == 0.0
    assert const.pvalue == 1.0  # every permuted MI ties with the observed 0
    # the null distribution matches recomputing each shuffle by hand
    rng = np.random.default_rng(7)
    y = rng.integers(0, 3, 40)
    x = rng.integers(0, 4, 40)
    res = permutation_test_mutual_information(x, y, n_permutations=20, seed=5)
    shuffles = np.random.default_rng(5).permuted(np.broadcast_to(y, (20, 40)), axis=1)
    by_hand = [mutual_information_from_samples(x, s) for s in shuffles]
    np.testing.assert_allclose(res.null_distribution, by_hand, atol=1e-12)
    exceed = sum(v >= res.statistic - 1e-12 for v in by_hand)
    assert res.pvalue == (1 + exceed) / 21


def test_permutation_test_in_nats_and_with_string_labels():
    umbrella = _random_umbrella()
    bits = permutation_test_mutual_information(WEATHER_DAYS, umbrella, n_permutations=200)
    nats = permutation_test_mutual_information(
        np.where(WEATHER_DAYS == 1, "rain", "sun"), umbrella, n_permutations=200, base=math.e
    )
    assert nats.pvalue == bits.pvalue
    assert nats.statistic == approx(bits.statistic * LN2)


def test_miller_madow():
    umbrella = _random_umbrella()
    plug_in = mutual_information_from_samples(WEATHER_DAYS, umbrella)
    mm = miller_madow_mutual_information(WEATHER_DAYS, umbrella)
    # m_X = m_Y = 2, m_XY = 4: correction (2 + 2 - 4 - 1) / (2N) nats
    assert mm == approx(plug_in - 1 / (2 * 100 * LN2))
    assert miller_madow_mutual_information(WEATHER_DAYS, umbrella, base=math.e) == approx(
        plug_in * LN2 - 1 / 200
    )


def test_miller_madow_reduces_bias_under_independence():
    rng = np.random.default_rng(11)
    x = rng.integers(0, 4, size=(200, 150))
    y = rng.integers(0, 3, size=(200, 150))
    plug = np.mean([mutual_information_from_samples(a, b) for a, b in zip(x, y, strict=True)])
    mm = np.mean([miller_madow_mutual_information(a, b) for a, b in zip(x, y, strict=True)])
    assert abs(mm) < 0.2 * plug


@pytest.mark.parametrize("seed", range(5))
def test_samples_against_sklearn(seed):
    rng = np.random.default_rng(seed)
    n = 500
    x = rng.integers(0, 7, n)
    y = (x + rng.integers(0, 3, n)) % 5
    expected = mutual_info_score(x, y)
    assert mutual_information_from_samples(x, y, base=math.e) == approx(expected)
    # labels of any kind give the same estimate
    letters = np.array(list("abcdefg"))[x]
    assert mutual_information_from_samples(letters, y - 10, base=math.e) == approx(expected)
    assert mutual_information_from_samples(x * 1e6, y.tolist(), base=math.e) == approx(expected)
    assert mutual_information_from_samples(x + 10**12, y, base=math.e) == approx(expected)
    assert mutual_information_from_samples(x.astype(np.uint8), y, base=math.e) == approx(expected)
    assert mutual_information_from_samples(x.astype(np.int8) - 3, y, base=math.e) == approx(
        expected
    )


def test_samples_many_labels_use_sparse_counting():
    rng = np.random.default_rng(2)
    x = rng.integers(0, 10**5, 3000)
    y = rng.integers(0, 10**5, 3000) * 7
    assert mutual_information_from_samples(x, y, base=math.e) == approx(mutual_info_score(x, y))


def test_samples_boolean_labels():
    x = np.array([True, False, True, True])
    assert mutual_information_from_samples(x, x) == approx(entropy([0.75, 0.25]))


@prop
@given(label_pairs())
def test_samples_equal_plug_in_table(pair):
    x, y = pair
    counts = np.zeros((x.max() + 1, y.max() + 1))
    np.add.at(counts, (x, y), 1)
    table = counts / len(x)
    assert mutual_information_from_samples(x, y) == approx(mutual_information(table))
    assert mutual_information_from_samples(y, x) == approx(mutual_information(table))


# ---------------------------------------------------------------------------
# cross-checks on random distributions
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_against_scipy(seed):
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.ones(50))
    q = rng.dirichlet(np.ones(50))
    p[::7] = 0.0
    p /= p.sum()
    for base in (2, math.e, 10, 3.5):
        assert entropy(p, base=base) == approx(scipy.stats.entropy(p, base=base))
        assert kl_divergence(p, q, base=base) == approx(scipy.stats.entropy(p, q, base=base))
        assert cross_entropy(p, q, base=base) == approx(
            scipy.stats.entropy(p, base=base) + scipy.stats.entropy(p, q, base=base)
        )
        js = scipy.spatial.distance.jensenshannon(p, q, base=base) ** 2
        assert js_divergence(p, q, base=base) == approx(js)


def _dit_distribution(pxy):
    outcomes = [(i, j) for i in range(pxy.shape[0]) for j in range(pxy.shape[1])]
    return dit.Distribution(outcomes, pxy.ravel().tolist())


@pytest.mark.parametrize("seed", range(4))
def test_against_dit(seed):
    rng = np.random.default_rng(seed)
    pxy = rng.dirichlet(np.ones(12)).reshape(3, 4)
    pxy[0, 1] = 0.0
    pxy /= pxy.sum()
    d = _dit_distribution(pxy)
    assert joint_entropy(pxy) == approx(dit.shannon.entropy(d))
    assert mutual_information(pxy) == approx(dit.multivariate.coinformation(d))
    assert mutual_information(pxy) == approx(dit.shannon.mutual_information(d, [0], [1]))
    assert conditional_entropy(pxy, given="y") == approx(dit.multivariate.entropy(d, [0], [1]))
    assert conditional_entropy(pxy, given="x") == approx(dit.multivariate.entropy(d, [1], [0]))


def test_cover_thomas_against_dit():
    d = _dit_distribution(COVER_THOMAS)
    assert mutual_information(COVER_THOMAS) == approx(dit.shannon.mutual_information(d, [0], [1]))
    assert conditional_entropy(COVER_THOMAS, given="y") == approx(
        dit.shannon.conditional_entropy(d, [0], [1])
    )


@pytest.mark.parametrize("seed", range(4))
def test_kl_against_torch(seed):
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.ones(20))
    q = rng.dirichlet(np.ones(20))
    p[3] = 0.0
    p /= p.sum()
    expected = F.kl_div(torch.tensor(q).log(), torch.tensor(p), reduction="sum").item()
    assert kl_divergence(p, q, base=math.e) == approx(expected)


# ---------------------------------------------------------------------------
# properties
# ---------------------------------------------------------------------------


@prop
@given(distributions(max_size=10))
def test_entropy_bounds(p):
    h = entropy(p)
    assert 0.0 <= h <= math.log2(len(p)) + 1e-12
    assert entropy(p, base=math.e) == approx(h * LN2)
    assert type(h) is float


@prop
@given(joint_tables())
def test_chain_rule_and_mi_bounds(pxy):
    hx, hy = entropy(pxy.sum(axis=1)), entropy(pxy.sum(axis=0))
    hxy = joint_entropy(pxy)
    hx_y = conditional_entropy(pxy, given="y")
    hy_x = conditional_entropy(pxy, given="x")
    mi = mutual_information(pxy)
    assert hx_y >= 0.0 and hy_x >= 0.0 and mi >= 0.0
    assert hxy == approx(hx + hy_x) and hxy == approx(hy + hx_y)
    assert mi == approx(hx - hx_y, tol=1e-10) and mi == approx(hy - hy_x, tol=1e-10)
    assert mi <= min(hx, hy)
    assert mutual_information(pxy.T) == approx(mi)  # symmetry
    assert hxy <= hx + hy + 1e-12


@prop
@given(joint_tables())
def test_mi_is_kl_from_product_of_marginals(pxy):
    product = np.outer(pxy.sum(axis=1), pxy.sum(axis=0))
    assert mutual_information(pxy) == approx(kl_divergence(pxy.ravel(), product.ravel()))


@prop
@given(distributions(max_size=6), distributions(max_size=6))
def test_mi_zero_for_independent(px, py):
    assert mutual_information(np.outer(px, py)) == approx(0.0)


@prop
@given(distribution_pairs())
def test_gibbs_and_js(pair):
    p, q = pair
    kl = kl_divergence(p, q)
    assert kl >= 0.0
    assert kl_divergence(p, p) == 0.0
    assert cross_entropy(p, q) >= entropy(p) - 1e-12
    if math.isfinite(kl):
        assert cross_entropy(p, q) == approx(entropy(p) + kl)
    else:
        assert cross_entropy(p, q) == math.inf
    js = js_divergence(p, q)
    assert 0.0 <= js <= 1.0
    assert js == js_divergence(q, p)
    m = (p + q) / 2
    assert js == approx(0.5 * kl_divergence(p, m) + 0.5 * kl_divergence(q, m))


@prop
@given(joint_tables(max_side=4), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_data_processing_inequality(pxy, nz, seed):
    channel = np.random.default_rng(seed).dirichlet(np.ones(nz), size=pxy.shape[1])
    pxz = pxy @ channel  # X -> Y -> Z
    pxz /= pxz.sum()
    assert mutual_information(pxz) <= mutual_information(pxy) + 1e-12


# ---------------------------------------------------------------------------
# output types, tolerance and base
# ---------------------------------------------------------------------------


def test_public_api_exported_and_returns_python_floats():
    for name in ilib.__all__:
        assert callable(getattr(ilib, name)), name
    values = [
        ilib.entropy([0.5, 0.5]),
        ilib.joint_entropy(TABLE_2X2),
        ilib.conditional_entropy(TABLE_2X2, "y"),
        ilib.mutual_information(TABLE_2X2),
        ilib.cross_entropy([0.5, 0.5], [0.5, 0.5]),
        ilib.kl_divergence([0.5, 0.5], [0.5, 0.5]),
        ilib.js_divergence([0.5, 0.5], [0.5, 0.5]),
        ilib.gaussian_kl(0, 1, 0, 1),
        ilib.mutual_information_from_samples([0, 1], [1, 0]),
        ilib.miller_madow_mutual_information([0, 1], [1, 0]),
    ]
    assert all(type(v) is float for v in values)
    res = ilib.permutation_test_mutual_information([0, 1], [1, 0], n_permutations=3)
    assert type(res.statistic) is float and type(res.pvalue) is float
    assert type(res.null_mean) is float


def test_sum_tolerance():
    # rounding within the tolerance is accepted and the distribution is used as given
    almost = [0.5, 0.5 + 0.5 * SUM_TOLERANCE]
    assert entropy(almost) == pytest.approx(-sum(p * math.log2(p) for p in almost), rel=1e-15)
    with pytest.raises(ValueError, match="p must sum to 1"):
        entropy([0.5, 0.5 + 2 * SUM_TOLERANCE])


def test_counts_are_refused_with_a_hint_to_normalise():
    with pytest.raises(ValueError, match=r"^p must sum to 1 .* entries sum to 40; .*normalise"):
        entropy([30, 10])
    with pytest.raises(ValueError, match=r"^pxy must sum to 1 .* sum to 1\.1;.*normalise"):
        mutual_information([[0.5, 0.1], [0.25, 0.25]])
    assert entropy(np.array([30, 10]) / 40) == approx(entropy([0.75, 0.25]))


@pytest.mark.parametrize(("word", "number"), [("e", "math.e"), ("nats", "math.e"), ("bits", "2")])
def test_a_base_given_as_a_word_gets_the_number_to_pass(word, number):
    for call in (lambda: entropy(GOOD_P, base=word), lambda: gaussian_kl(0, 1, 0, 1, base=word)):
        with pytest.raises(ValueError, match=rf"^base must be .*got '{word}'; .*base={number}"):
            call()


@pytest.mark.parametrize("base", [2, math.e, 10, 3, 0.5, 1e-3])
def test_any_base(base):
    assert entropy(WEATHER_B, base=base) == approx(1.75 * LN2 / math.log(base))


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------

GOOD_P = [0.5, 0.5]
BAD_DISTRIBUTIONS = [
    ([-0.1, 1.1], "has a negative entry"),
    ([math.nan, 1.0], "has a NaN entry"),
    ([math.inf, 1.0], "has an infinite entry"),
    ([-math.inf, math.inf], "has a NaN entry|has an infinite entry"),
    ([], "is empty"),
    ([0.5, 0.4], "must sum to 1"),
    (["a", "b"], "must be an array of numbers"),
]


@pytest.mark.parametrize(("bad", "problem"), BAD_DISTRIBUTIONS)
def test_bad_distribution(bad, problem):
    with pytest.raises(ValueError, match=f"^p ({problem})"):
        entropy(bad)
    for fn in (cross_entropy, kl_divergence, js_divergence):
        with pytest.raises(ValueError, match=f"^p ({problem})"):
            fn(bad, GOOD_P)
        with pytest.raises(ValueError, match=f"^q ({problem})"):
            fn(GOOD_P, bad)
    with pytest.raises(ValueError, match=f"^probs ({problem})"):
        huffman_code(bad)


@pytest.mark.parametrize("fn", [joint_entropy, mutual_information])
@pytest.mark.parametrize(("bad", "problem"), BAD_DISTRIBUTIONS[:3] + BAD_DISTRIBUTIONS[5:6])
def test_bad_joint_table(fn, bad, problem):
    table = [bad, [0.0, 0.0]]
    with pytest.raises(ValueError, match=f"^pxy {problem}"):
        fn(table)
    with pytest.raises(ValueError, match=f"^pxy {problem}"):
        conditional_entropy(table, given="x")


def test_joint_table_must_be_2d():
    for fn in (joint_entropy, mutual_information):
        with pytest.raises(ValueError, match=r"pxy must be 2-D, got shape \(2,\)"):
            fn([0.5, 0.5])
    with pytest.raises(ValueError, match=r"pxy must be 2-D, got shape \(1, 2, 2\)"):
        conditional_entropy([TABLE_2X2], given="y")
    with pytest.raises(ValueError, match="pxy is empty"):
        joint_entropy(np.zeros((0, 3)))


def test_distribution_must_be_1d():
    with pytest.raises(ValueError, match=r"p must be 1-D, got shape \(2, 2\)"):
        entropy(TABLE_2X2)
    with pytest.raises(ValueError, match=r"probs must be 1-D"):
        huffman_code(TABLE_2X2)


@pytest.mark.parametrize("given_", ["z", "X", None, 0])
def test_unknown_given(given_):
    with pytest.raises(ValueError, match=r"^given must be one of 'x', 'y', got"):
        conditional_entropy(TABLE_2X2, given=given_)


@pytest.mark.parametrize("fn", [cross_entropy, kl_divergence, js_divergence])
def test_mismatched_shapes(fn):
    with pytest.raises(
        ValueError, match=r"p and q must have the same shape, got \(2,\) and \(3,\)"
    ):
        fn(GOOD_P, [1 / 3] * 3)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((0, 0, 0, 1), "var_p must be positive"),
        ((0, 1, 0, -1), "var_q must be positive"),
        ((0, [1, 0], 0, 1), "var_p must be positive"),
        ((math.nan, 1, 0, 1), "mean_p has a NaN or infinite entry"),
        ((0, 1, math.inf, 1), "mean_q has a NaN or infinite entry"),
        ((0, math.inf, 0, 1), "var_p has a NaN or infinite entry"),
        ((0, 1, [], 1), "mean_q is empty"),
        ((0, 1, "a", 1), "mean_q must be an array of numbers"),
        (([0, 1], [1, 1, 1], 0, 1), "must broadcast"),
    ],
)
def test_gaussian_kl_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        gaussian_kl(*args)


SAMPLE_FUNCTIONS = [
    mutual_information_from_samples,
    miller_madow_mutual_information,
    permutation_test_mutual_information,
]


@pytest.mark.parametrize("fn", SAMPLE_FUNCTIONS)
def test_bad_samples(fn):
    with pytest.raises(ValueError, match="x and y must have the same length, got 3 and 2"):
        fn([0, 1, 0], [1, 0])
    with pytest.raises(ValueError, match="x is empty"):
        fn([], [])
    with pytest.raises(ValueError, match="y is empty"):
        fn([1], [])
    with pytest.raises(ValueError, match=r"x must be a 1-D sequence of labels, got shape \(2, 2\)"):
        fn([[0, 1], [1, 0]], [0, 1])
    with pytest.raises(ValueError, match="y has a NaN or infinite label"):
        fn([0, 1], [0.0, math.nan])
    with pytest.raises(ValueError, match="base must be"):
        fn([0, 1], [0, 1], base=1)


@pytest.mark.parametrize("n_permutations", [0, -5, 2.5, True, "10"])
def test_bad_n_permutations(n_permutations):
    with pytest.raises(ValueError, match="n_permutations must be a positive integer"):
        permutation_test_mutual_information([0, 1], [0, 1], n_permutations=n_permutations)


@pytest.mark.parametrize("base", [1, 1.0, 0, -2, math.nan, math.inf, "two", None])
def test_bad_base(base):
    calls = [
        lambda: entropy(GOOD_P, base=base),
        lambda: joint_entropy(TABLE_2X2, base=base),
        lambda: conditional_entropy(TABLE_2X2, "y", base=base),
        lambda: mutual_information(TABLE_2X2, base=base),
        lambda: cross_entropy(GOOD_P, GOOD_P, base=base),
        lambda: kl_divergence(GOOD_P, GOOD_P, base=base),
        lambda: js_divergence(GOOD_P, GOOD_P, base=base),
        lambda: gaussian_kl(0, 1, 0, 1, base=base),
        lambda: mutual_information_from_samples([0, 1], [0, 1], base=base),
        lambda: miller_madow_mutual_information([0, 1], [0, 1], base=base),
        lambda: permutation_test_mutual_information([0, 1], [0, 1], 5, base=base),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="base must be a positive number other than 1"):
            call()


def test_certain_outcome_has_positive_zero_entropy():
    for value in (ilib.entropy([1.0, 0.0]), ilib.joint_entropy([[0.0, 1.0], [0.0, 0.0]])):
        assert value == 0.0 and math.copysign(1.0, value) == 1.0
