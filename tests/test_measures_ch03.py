"""ilib.measures.conditional_mutual_information (chapter 03, section 3.2)."""

import math

import numpy as np
import pytest

from ilib.measures import conditional_mutual_information, entropy, mutual_information


def _cmi_by_definition(p):
    """sum over x, y, z of P(x,y,z) ln [P(z) P(x,y,z) / (P(x,z) P(y,z))], term by term."""
    pxz, pyz, pz = p.sum(axis=1), p.sum(axis=0), p.sum(axis=(0, 1))
    total = 0.0
    for (x, y, z), v in np.ndenumerate(p):
        if v > 0:
            total += v * math.log(pz[z] * v / (pxz[x, z] * pyz[y, z]))
    return total


@pytest.mark.parametrize("seed", range(5))
def test_matches_the_definition_on_random_tables(seed):
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.full(3 * 4 * 2, 0.5)).reshape(3, 4, 2)
    p[0, 0, 0] = 0.0  # an empty cell: 0 log 0 = 0
    p /= p.sum()
    assert conditional_mutual_information(p, base=math.e) == pytest.approx(
        _cmi_by_definition(p), rel=1e-12, abs=1e-15)
    assert conditional_mutual_information(p) == pytest.approx(
        _cmi_by_definition(p) / math.log(2), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("seed", range(5))
def test_chain_rule(seed):
    # I(X; Y, Z) = I(X; Z) + I(X; Y | Z), the left side as the MI of X with the pair (Y, Z)
    p = np.random.default_rng(10 + seed).dirichlet(np.ones(2 * 3 * 3)).reshape(2, 3, 3)
    left = mutual_information(p.reshape(2, 9))
    right = mutual_information(p.sum(axis=1)) + conditional_mutual_information(p)
    assert left == pytest.approx(right, rel=1e-12)


def test_markov_chain_gives_zero_and_xor_gives_one_bit():
    # X -> Z -> Y: P(x, y, z) = P(x) P(z|x) P(y|z), so X and Y are independent given Z
    px = np.array([0.3, 0.7])
    pz_x = np.array([[0.9, 0.1], [0.2, 0.8]])
    py_z = np.array([[0.6, 0.3, 0.1], [0.1, 0.2, 0.7]])
    p = np.einsum("x,xz,zy->xyz", px, pz_x, py_z)
    assert conditional_mutual_information(p) == pytest.approx(0.0, abs=1e-12)
    xor = np.zeros((2, 2, 2))
    for x in (0, 1):
        for y in (0, 1):
            xor[x, y, x ^ y] = 0.25
    assert mutual_information(xor.sum(axis=2)) == pytest.approx(0.0, abs=1e-12)
    assert conditional_mutual_information(xor) == pytest.approx(1.0)


def test_z_constant_reduces_to_mutual_information_and_bounded_by_entropy():
    pxy = np.array([[0.2, 0.1], [0.15, 0.55]])
    assert conditional_mutual_information(pxy[:, :, None]) == pytest.approx(
        mutual_information(pxy), rel=1e-12)
    p = np.random.default_rng(3).dirichlet(np.ones(8)).reshape(2, 2, 2)
    assert conditional_mutual_information(p) <= entropy(p.sum(axis=(1, 2))) + 1e-12


@pytest.mark.parametrize(
    ("pxyz", "kwargs", "match"),
    [
        (np.full((2, 2), 0.25), {}, "pxyz must be 3-D"),
        (np.full((2, 2, 2), 0.2), {}, "pxyz must sum to 1"),
        (np.array([[[1.5, -0.5]]]), {}, "pxyz has a negative"),
        (np.full((2, 2, 2), np.nan), {}, "pxyz has a NaN"),
        ([[["a"]]], {}, "pxyz must be an array"),
        (np.full((2, 2, 2), 0.125), {"base": 1}, "base"),
    ],
)
def test_bad_input(pxyz, kwargs, match):
    with pytest.raises(ValueError, match=match):
        conditional_mutual_information(pxyz, **kwargs)
