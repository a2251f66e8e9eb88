"""ilib._validate: every rule returns the value to compute with or names the argument."""

import math

import numpy as np
import pytest

from ilib import _validate


@pytest.mark.parametrize(
    ("check", "good", "expected"),
    [
        (_validate.positive_int, np.int64(3), 3),
        (_validate.non_negative_int, 0, 0),
        (_validate.non_negative_float, "0.5", 0.5),
        (_validate.positive_float, 2, 2.0),
    ],
)
def test_numbers_come_back_as_python_numbers(check, good, expected):
    value = check(good, "n")
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(
    ("check", "bad", "problem"),
    [
        (_validate.positive_int, 0, "n must be a positive integer, got 0"),
        (_validate.positive_int, True, "n must be a positive integer, got True"),
        (_validate.positive_int, 2.0, "n must be a positive integer, got 2.0"),
        (_validate.non_negative_int, -1, "n must be an integer of at least 0, got -1"),
        (_validate.non_negative_float, -0.5, "n must be finite and >= 0, got -0.5"),
        (_validate.non_negative_float, math.inf, "n must be finite and >= 0, got inf"),
        (_validate.non_negative_float, "x", "n must be a number, got 'x'"),
        (_validate.positive_float, 0.0, "n must be > 0, got 0.0"),
        (_validate.float_array, [], "n is empty"),
        (_validate.float_array, ["a"], "n must be an array of numbers"),
        (_validate.finite_array, [1.0, math.nan], "n has a NaN or infinite entry"),
        (_validate.finite_1d, [[1.0, 2.0]], r"n must be 1-D, got shape \(1, 2\)"),
        (_validate.finite_1d, [1.0], "n must hold at least 2 samples, got 1"),
    ],
)
def test_bad_values_are_refused_with_the_argument_named(check, bad, problem):
    with pytest.raises(ValueError, match=f"^{problem}$"):
        check(bad, "n")


def test_positive_array_says_what_the_entries_are():
    np.testing.assert_array_equal(_validate.positive_array([1, 2], "var", "a variance"), [1, 2])
    with pytest.raises(ValueError, match=r"^var must be positive \(a variance\), got -1.0$"):
        _validate.positive_array([1, -1], "var", "a variance")


def test_one_of_lists_the_options():
    assert _validate.one_of("x", "given", ("x", "y")) == "x"
    for bad in ("z", None, ["x"]):
        with pytest.raises(ValueError, match=r"^given must be one of 'x', 'y', got "):
            _validate.one_of(bad, "given", ("x", "y"))


def test_distribution_names_the_sum_and_suggests_normalising():
    arr, pmin = _validate.distribution([0.25, 0.75], "p", 1)
    assert pmin == 0.25 and arr.dtype == np.float64
    with pytest.raises(ValueError, match=r"^p must sum to 1 \(within 1e-06\), but its entries "
                                         r"sum to 40; if they are counts or weights, normalise"):
        _validate.distribution([30, 10], "p", 1)
    with pytest.raises(ValueError, match=r"^p must be 1-D, got shape \(1, 2\)$"):
        _validate.distribution([[0.5, 0.5]], "p", 1)
    with pytest.raises(ValueError, match=r"^pxy must be 2-D, got shape \(2,\)$"):
        _validate.distribution([0.5, 0.5], "pxy", 2)


def test_a_zero_sum_gets_no_hint_to_normalise():
    with pytest.raises(ValueError) as error:
        _validate.distribution([0.0, 0.0], "p", 1)
    assert str(error.value) == "p must sum to 1 (within 1e-06), but its entries sum to 0"


@pytest.mark.parametrize(
    ("base", "hint"),
    [("e", "base=math.e"), ("nats", "base=math.e"), ("ln", "base=math.e"), ("bits", "base=2"),
     ("2", "base=2"), ("two", "pass a number: base=2 for bits, base=math.e for nats")],
)
def test_a_base_given_as_a_word_says_which_number_to_pass(base, hint):
    with pytest.raises(ValueError, match=f"^base must be a positive number other than 1, "
                                         f"got '{base}'; .*{hint}"):
        _validate.log_base(base)


def test_logs_are_exact_in_the_common_bases():
    for base, probe in ((2, 8.0), (math.e, math.e**3), (10, 1000.0)):
        array_log, scalar_log, divisor = _validate.logs(base)
        assert divisor == 1.0 and scalar_log(probe) == 3.0 and array_log(np.array(probe)) == 3.0
    array_log, scalar_log, divisor = _validate.logs(3)
    assert scalar_log(27.0) / divisor == pytest.approx(3.0, rel=1e-15)


def test_same_shape_names_both_arguments():
    with pytest.raises(ValueError, match=r"^p and q must have the same shape, got \(2,\) and"):
        _validate.same_shape(np.zeros(2), np.zeros(3))
