"""Speed of ilib.measures against SciPy, scikit-learn and a bare NumPy pass.

Run with ``python benchmarks/measures.py``. It prints figures; it is not a test.
All timings are best-of-N wall-clock times (``time.perf_counter``) in one
process on the same data, with validation included in ilib's times. The
acceptance target of issue 3: ilib at least as fast as each library
(ratio <= 1.0) and within 1.5x of the bare NumPy pass.

Workloads
---------
entropy
    ``H(P)`` of a 10**7-outcome distribution (10 % of its entries are 0).
conditional
    ``H(X | Y)`` of a 2000 x 2000 joint table (10 % zeros); SciPy computes it as
    ``H(X, Y) - H(Y)`` with ``scipy.stats.entropy``.
samples
    Plug-in ``I(X; Y)`` of two 10**6-long samples with 100 levels each.
permutation test
    1000 permutations of 100 paired binary samples (target: well under 1 s).
"""

import math
import sys
import time
from pathlib import Path

import numpy as np
import scipy.stats
from sklearn.metrics import mutual_info_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import ilib  # noqa: E402

REPEATS = 15


def best_of(fn, repeats=REPEATS):
    """Best wall-clock time of ``fn()`` over ``repeats`` calls, and its value."""
    value = fn()  # warm-up
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best, value


def make_data(rng):
    p = rng.random(10**7)
    p[rng.random(p.size) < 0.1] = 0.0
    p /= p.sum()

    pxy = rng.random((2000, 2000))
    pxy[rng.random(pxy.shape) < 0.1] = 0.0
    pxy /= pxy.sum()

    n, levels = 10**6, 100
    x = rng.integers(0, levels, n)
    y = (x + rng.integers(0, 30, n)) % levels  # dependent on x
    return p, pxy, x, y, levels


def bare_entropy(p):
    return -(p[p > 0] * np.log2(p[p > 0])).sum()


def bare_conditional(pxy):
    py = pxy.sum(axis=0)
    return -(pxy[pxy > 0] * np.log2(pxy[pxy > 0])).sum() + (py[py > 0] * np.log2(py[py > 0])).sum()


def bare_mi(x, y, levels):
    c = np.bincount(x * levels + y, minlength=levels * levels).reshape(levels, levels)
    pxy = c / x.size
    outer = np.outer(pxy.sum(axis=1), pxy.sum(axis=0))
    m = pxy > 0
    return (pxy[m] * np.log2(pxy[m] / outer[m])).sum()


def scipy_conditional(pxy):
    return scipy.stats.entropy(pxy.ravel(), base=2) - scipy.stats.entropy(pxy.sum(axis=0), base=2)


def main():
    rng = np.random.default_rng(0)
    p, pxy, x, y, levels = make_data(rng)

    cases = [
        (
            "entropy, 10^7 outcomes",
            lambda: ilib.entropy(p),
            {
                "scipy.stats.entropy": lambda: scipy.stats.entropy(p, base=2),
                "bare NumPy": lambda: bare_entropy(p),
            },
        ),
        (
            "H(X|Y), 2000x2000 table",
            lambda: ilib.conditional_entropy(pxy, given="y"),
            {
                "scipy H(X,Y)-H(Y)": lambda: scipy_conditional(pxy),
                "bare NumPy": lambda: bare_conditional(pxy),
            },
        ),
        (
            "plug-in MI, 2 x 10^6 samples, 100 levels",
            lambda: ilib.mutual_information_from_samples(x, y),
            {
                "sklearn mutual_info_score": lambda: mutual_info_score(x, y) / math.log(2),
                "bare NumPy": lambda: bare_mi(x, y, levels),
            },
        ),
    ]

    print(f"numpy {np.__version__}, best of {REPEATS} runs, times in ms")
    header = (
        f"{'workload':<42} {'implementation':<27} {'time':>9} {'ilib/other':>10}"
        f" {'value (bits)':>18}"
    )
    print(header)
    print("-" * len(header))
    ok = True
    for name, ours, others in cases:
        t_ours, v_ours = best_of(ours)
        print(f"{name:<42} {'ilib':<27} {t_ours * 1e3:9.2f} {'':>10} {v_ours:18.12f}")
        for label, fn in others.items():
            repeats = 3 if label.startswith("sklearn") else REPEATS
            t_other, v_other = best_of(fn, repeats)
            ratio = t_ours / t_other
            limit = 1.5 if label == "bare NumPy" else 1.0
            ok &= ratio <= limit
            assert math.isclose(v_ours, v_other, rel_tol=1e-9), (label, v_ours, v_other)
            print(
                f"{'':<42} {label:<27} {t_other * 1e3:9.2f} {ratio:10.2f} {float(v_other):18.12f}"
            )
    print()
    weather = np.tile([0, 0, 0, 0, 1, 1, 1, 1, 0, 1], 10)
    umbrella = rng.integers(0, 2, 100)
    t_perm, res = best_of(lambda: ilib.permutation_test_mutual_information(weather, umbrella))
    print(
        f"permutation test, 1000 permutations of 100 samples: {t_perm * 1e3:.2f} ms"
        f" (p = {res.pvalue:.3f})"
    )
    print(
        "target: ratio <= 1.0 against libraries, <= 1.5 against bare NumPy:",
        "met" if ok else "NOT met",
    )


if __name__ == "__main__":
    main()
