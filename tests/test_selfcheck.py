"""The exercises' self-checks: right, close, other unit, wrong; never the answer itself."""

import math

import numpy as np
import pytest

import ilib
from ilib import i18n, selfcheck

from notebooks import (
    LANGUAGES,
    NUMBER,
    chapter_names,
    exercise_labels,
    load,
    output_text,
    source,
)

KEYS = selfcheck.answer_keys()


@pytest.fixture
def language():
    before = i18n.language()
    yield i18n.set_language
    i18n.set_language(before)


def _significant(x, n):
    return float(f"{x:.{n}g}")


@pytest.mark.parametrize("key", KEYS)
def test_right_answers_pass_and_wrong_ones_fail(key, capsys, language):
    expected = selfcheck.answer_for(key)
    value, slack = expected.value, max(expected.rtol * abs(expected.value), expected.atol)
    assert ilib.check(key, value) is True
    assert ilib.check(key, value + 0.5 * slack) is True
    assert ilib.check(key, np.float64(value - 0.5 * slack)) is True
    assert ilib.check(key, np.array([value])) is True
    assert ilib.check(key, value + 3 * slack + 1e-9) is False
    assert ilib.check(key, -value - 1) is False
    assert ilib.check(key, math.nan) is False
    printed = capsys.readouterr().out
    assert printed.count("✓") == 4 and printed.count("✗") == 3
    if expected.unit and value != 0:
        # bits for nats or nats for bits is wrong, with a hint about the unit
        factor = math.log(2) if expected.unit == "bits" else 1 / math.log(2)
        assert ilib.check(key, value * factor) is False
        assert "this looks like the answer in" in capsys.readouterr().out
    told = printed.replace(key, "")
    assert f"{value:.3f}" not in told and f"{value:.3g}" not in told, "the answer is not told"
    language("ja")
    assert ilib.check(key, value) is True
    assert ilib.check(key, value * 2 + 1) is False
    printed = capsys.readouterr().out
    assert "正解です" in printed and "まだ違います" in printed


@pytest.mark.parametrize("key", KEYS)
def test_the_stated_precision_is_enough_and_fewer_digits_are_close(key, capsys):
    expected = selfcheck.answer_for(key)
    n, decimals = expected.precision
    value = expected.value
    rounded = round(value, n) if decimals else _significant(value, n)
    assert ilib.check(key, rounded) is True, f"{key}: {n} digits are enough"
    capsys.readouterr()
    shorter = round(value, n - 1) if decimals else _significant(value, n - 1)
    if value != 0 and not expected.accepts(shorter):
        assert ilib.check(key, shorter) is False
        printed = capsys.readouterr().out
        assert "close — give more digits" in printed and expected.precision_text("en") in printed
        assert "✗" not in printed and "unit" not in printed


@pytest.mark.parametrize(
    ("rtol", "atol", "value", "precision"),
    [
        (1e-3, 0.0, 2.584963, (4, False)),
        (5e-3, 0.0, 0.03246064, (3, False)),
        (1e-4, 0.0, 123.4567, (5, False)),
        (1e-3, 1e-6, 0.0, (6, True)),
        (0.0, 5e-3, 0.7, (2, True)),
    ],
)
def test_precision_is_derived_from_the_tolerance(rtol, atol, value, precision):
    answer = selfcheck.Answer(value, "bits", "99-x", {"en": "", "ja": ""}, rtol, atol)
    assert answer.precision == precision
    n, decimals = precision
    assert answer.accepts(round(value, n) if decimals else _significant(value, n))


def test_close_is_told_apart_from_wrong_and_from_the_other_unit(capsys, language):
    # 01-die: log2(6) = 2.5849625 bits = 1.7917595 nats
    checks = [
        (2.585, "✓"), (2.58, "close — give more digits"), (2.6, "close — give more digits"),
        (2.5, "close — give more digits"),  # cut instead of rounded
        (2.59, "not yet"), (2.57, "not yet"), (2.4, "not yet"),
        (1.792, "this looks like the answer in nats"), (1.8, "this looks like the answer in nats"),
        (1.6, "not yet"),  # 2 is one digit of 1.79 nats: too few to guess at
    ]
    for number, verdict in checks:
        assert ilib.check("01-die", number) is (verdict == "✓")
        printed = capsys.readouterr().out
        assert verdict in printed, (number, printed)
    assert "4 significant digits" in (ilib.check("01-die", 2.58), capsys.readouterr().out)[1]
    language("ja")
    ilib.check("01-die", 2.58)
    assert "惜しいです。桁数が足りません。有効数字 4 桁で答えてください" in capsys.readouterr().out
    ilib.check("01-die", 1.792)
    assert "ナットでの値のようです" in capsys.readouterr().out


def test_zero_answers_are_asked_to_decimal_places(capsys):
    assert ilib.check("03-independence", 0.0) is True
    assert ilib.check("03-independence", 3e-7) is True
    assert ilib.check("03-independence", 0.01) is False
    assert "6 decimal places" in capsys.readouterr().out


def test_no_answer_yet_is_not_an_error(capsys, language):
    assert ilib.check("01-die", None) is False
    printed = capsys.readouterr().out
    assert "no answer yet" in printed and "4 significant digits, in bits" in printed
    language("ja")
    assert ilib.check("02-minimise-q", None) is False
    assert "まだ答えがありません" in capsys.readouterr().out


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_label_with_its_language_prefix_is_the_key(lang, capsys):
    assert ilib.check(f"{lang}-01-die", math.log2(6)) is True
    assert "✓ 01-die" in capsys.readouterr().out
    assert selfcheck.keys_for(f"{lang}-02-gauss") == selfcheck.keys_for("02-gauss")


def test_unknown_keys_and_bad_answers_are_errors_in_the_notebook_language(language):
    with pytest.raises(ValueError, match=r"'99-nope' is not a known self-check.*01-die"):
        ilib.check("99-nope", 1.0)
    with pytest.raises(ValueError, match=r"an exercise, not a self-check; its keys: 02-gauss"):
        ilib.check("en-02-gauss", 1.0)
    with pytest.raises(ValueError, match=r"its keys: 04-mi-bound-ceiling$"):
        ilib.check("04-mi-bound", 1.0)
    for bad in ("2.58", [1.0, 2.0], object()):
        with pytest.raises(ValueError, match="answer must be a single real number"):
            ilib.check("01-die", bad)
    language("ja")
    with pytest.raises(ValueError, match="自己チェックはありません"):
        ilib.check("99-nope", 1.0)
    with pytest.raises(ValueError, match="answer には実数を 1 つ"):
        ilib.check("01-die", "2.58")


def test_answers_are_not_shown_by_repr():
    expected = selfcheck.answer_for("01-die")
    assert "2.58" not in repr(expected)


def test_variable_names_are_identifiers_and_distinct():
    names = [selfcheck.variable_name(key) for key in KEYS]
    assert all(name.isidentifier() for name in names)
    assert len(set(names)) == len(names)
    assert selfcheck.variable_name("ja-01-die") == "answer_die"


def _exact_values():
    """Every key's answer, recomputed here from its definition."""
    table = np.array([[0.1, 0.3], [0.4, 0.2]])
    uniform4, sunny = np.full(4, 0.25), np.array([1.0, 0.0, 0.0, 0.0])
    mu, var = np.array([1.0, -0.5]), np.array([0.5, 2.0])
    smoothed = np.array([0.91] + [0.01] * 9)  # (1 - 0.1) one-hot + 0.1 / 10

    def kl_normal(m1, v1, m2, v2):  # closed form, written out independently of ilib
        return 0.5 * (math.log(v2 / v1) + (v1 + (m1 - m2) ** 2) / v2 - 1)

    return {
        "01-die": math.log2(6),
        "01-coin": -(0.8 * math.log(0.8) + 0.2 * math.log(0.2)),
        "01-chain": ilib.entropy(table.ravel()) - ilib.entropy(table.sum(axis=0)),
        "01-huffman": 1.0,
        "01-logk": math.log2(26),
        "01-shannon": float(np.dot([0.6, 0.3, 0.1], np.ceil(-np.log2([0.6, 0.3, 0.1])))),
        "02-gauss-kl": kl_normal(0, 1, 2, 2),
        "02-gauss-reverse": kl_normal(2, 2, 0, 1),
        "02-gauss-std": kl_normal(0, 1, 2, 4),
        "02-minimise-q": 0.7,
        "02-minimise": ilib.entropy([0.7, 0.3]),
        "02-js": ilib.js_divergence(uniform4, sunny),
        "03-independence": ilib.mutual_information(np.outer([0.3, 0.7], [0.35, 0.65])),
        "03-bias": 3 * 3 / (2 * 200 * math.log(2)),
        "03-function": math.log2(6),
        "03-function-parity": 1.0,
        "03-miller-madow": 8 / (2 * 100 * math.log(2)),
        "03-dv-kl": ilib.kl_divergence([0.5, 0.5], [0.7, 0.3], base=math.e),
        "03-dv-half": 0.5 * ilib.kl_divergence([0.5, 0.5], [0.7, 0.3], base=math.e)
        - math.log(math.sqrt(0.35) + math.sqrt(0.15)),
        "04-kl-hand": float(0.5 * (mu**2 + var - np.log(var) - 1).sum()),
        "04-mi-bound-ceiling": math.log(360),
        "04-reparam-var-mu": 4 * 1.5**2,  # Var(2z) = 4 sigma^2
        "04-reparam-var-sigma": 4 * 2.0**2 + 8 * 1.5**2,  # Var(2 z eps) = 4 mu^2 + 8 sigma^2
        "05-smoothing-p": 0.91,
        "05-smoothing-gap": math.log(0.91 / 0.01),
        "05-smoothing-loss": ilib.entropy(smoothed, base=math.e),
        "05-temperature": math.log(10),
        "05-gaussian-nll": 0.5 * math.log(2 * math.pi * math.e * 0.25),
        "05-elbo-gap": 4 / 2 * (2 - 1 - math.log(2)),
    }


def test_stored_answers_are_the_exact_values():
    values = _exact_values()
    assert sorted(values) == KEYS, "every key is recomputed here"
    for key, value in values.items():
        expected = selfcheck.answer_for(key)
        assert expected.accepts(value), key
        assert math.isclose(expected.value, value, rel_tol=1e-6, abs_tol=1e-9), key


def test_every_key_belongs_to_an_exercise_of_the_book():
    labels = {lang: {label for name in chapter_names(lang)
                     for label in exercise_labels(load(lang, name))} for lang in LANGUAGES}
    for key in KEYS:
        exercise = selfcheck.answer_for(key).exercise
        assert key.startswith(exercise[:3]), f"{key} is a key of chapter {exercise[:2]}"
        for lang in LANGUAGES:
            assert f"{lang}-{exercise}" in labels[lang], f"{key}: no exercise {lang}-{exercise}"


def _told(value, precision, text):
    """The numbers in ``text`` that equal ``value`` at the key's ``precision``."""
    n, decimals = precision
    found = []
    for token in NUMBER.findall(text):
        digits = token.lstrip("+-").split("e")[0].split("E")[0]
        if decimals:
            shown = len(digits.partition(".")[2])
            if shown >= n and round(float(token), n) == round(value, n):
                found.append(token)
        else:
            significant = len(digits.replace(".", "").lstrip("0"))
            if significant >= n and value != 0 and math.isclose(
                _significant(float(token), n), _significant(value, n), rel_tol=1e-12
            ):
                found.append(token)
    return found


def _before_exercise(lang, key):
    """Prose and outputs of a key's chapter up to (not including) its exercise's cell."""
    exercise = selfcheck.answer_for(key).exercise
    name = next(n for n in chapter_names(lang) if n.startswith(exercise[:2] + "_"))
    parts = []
    for cell in load(lang, name)["cells"]:
        if cell["cell_type"] == "markdown" and f":label: {lang}-{exercise}" in source(cell):
            return parts
        parts.append(source(cell) if cell["cell_type"] == "markdown" else output_text(cell))
    raise AssertionError(f"no exercise {lang}-{exercise} in {name}")


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("key", KEYS)
def test_no_answer_is_printed_before_its_exercise(key, lang):
    expected = selfcheck.answer_for(key)
    if expected.value == round(expected.value):
        pytest.skip("a whole number (1 bit) is printed for other reasons and gives nothing away")
    told = [(k, found) for k, text in enumerate(_before_exercise(lang, key))
            if (found := _told(expected.value, expected.precision, text))]
    assert not told, (
        f"{key}: the answer ({expected.precision_text('en')}) appears before its exercise, "
        f"as (cell index, numbers): {told}"
    )


def test_the_told_detector_matches_at_the_precision_only():
    assert _told(2.5849625, (4, False), "H = 2.585 bits") == ["2.585"]
    assert _told(2.5849625, (4, False), "H = 2.58496 bits, 2.58 or 3") == ["2.58496"]
    assert _told(2.5849625, (4, False), "H = 2.586 bits and x1 = 2585") == []
    assert _told(0.0, (6, True), "I = 0.000000 bits, 0.0 and 0.0000004") == [
        "0.000000", "0.0000004"]


ENTRY = 'value = 1.5\nunit = "bits"\nexercise = "99-x"\nen = "x"\nja = "x"\n'


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ("rtol = -0.1\n", r"rtol of 99\.toml \['99-x'\] must be finite and >= 0"),
        ("rtol = 0.0\n", "needs rtol or atol > 0"),
    ],
)
def test_answer_files_with_a_mistake_are_refused(tmp_path, extra, problem):
    path = tmp_path / "99.toml"
    path.write_text('["99-x"]\n' + ENTRY + extra, encoding="utf-8")
    with pytest.raises(ValueError, match=problem):
        selfcheck.read_answers([path])


def test_a_key_in_two_files_is_refused(tmp_path):
    for name in ("98.toml", "99.toml"):
        (tmp_path / name).write_text('["99-x"]\n' + ENTRY, encoding="utf-8")
    with pytest.raises(ValueError, match=r"key '99-x' is defined twice \(99\.toml\)"):
        selfcheck.read_answers(sorted(tmp_path.iterdir()))


def test_an_unknown_unit_is_refused(tmp_path):
    path = tmp_path / "99.toml"
    path.write_text('["99-x"]\n' + ENTRY.replace('"bits"', '"bit"'), encoding="utf-8")
    with pytest.raises(ValueError, match=r"unit of 99\.toml \['99-x'\] must be one of 'bits'"):
        selfcheck.read_answers([path])
    path.write_text('["99-x"]\n' + ENTRY, encoding="utf-8")
    assert selfcheck.read_answers([path])["99-x"].precision == (4, False)
