"""Self-checks for the exercises: ``ilib.check(key, answer)``.

A self-check says whether a student's number is the answer to an exercise, in
the notebook's language, without revealing it. Keys are the exercise labels of
the chapters without their language prefix (``en-01-die`` / ``ja-01-die`` →
``"01-die"``), with extra keys where one exercise asks for several numbers
(``"01-coin"``). The expected answers are data, one file a chapter:
``ilib/answers/NN.toml`` (its header explains the fields).

Each key expects a precision, derived from its tolerance: a relative tolerance
``rtol`` asks for the smallest number of significant digits whose rounding
error stays within it (``rtol = 1e-3``: 4 significant digits), an absolute
tolerance ``atol`` (used where the answer is 0) for decimal places. The verdicts,
in order: right (within the tolerance); close (the answer rounded or cut to
fewer digits: "give more digits"); the answer in the other unit (nats for bits
or bits for nats); wrong. ``None`` means "not answered yet", so that the
student copies (``ilib/student_copies.py``) run with empty answers.

The teachers' page of the book (``pages/en/teaching.md``) explains the kit.
"""

import math
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources

import numpy as np

from ilib import _validate, i18n

__all__ = [
    "Answer", "answer_for", "answer_keys", "check", "keys_for", "read_answers", "variable_name",
]

_PREFIX = re.compile(r"^(en|ja)-")
_UNITS = {"bits": {"en": "bits", "ja": "ビット"}, "nats": {"en": "nats", "ja": "ナット"}}
#: The factor that turns an answer into the other unit: x bits = x ln 2 nats.
_OTHER_UNIT = {"bits": ("nats", math.log(2)), "nats": ("bits", 1 / math.log(2))}


def _round(x, digits, decimals):
    """``x`` rounded and cut (towards zero) to ``digits`` significant digits or ``decimals``."""
    if decimals:
        places = digits
    else:
        places = digits - 1 - math.floor(math.log10(abs(x)))
    scale = 10.0**places
    return round(x, places), math.trunc(x * scale) / scale


@dataclass(frozen=True)
class Answer:
    """The expected answer of one self-check (its value is left out of ``repr``)."""

    value: float = field(repr=False)
    unit: str  # "bits", "nats" or "" (a probability, a count)
    exercise: str
    what: dict = field(compare=False)
    rtol: float = 1e-3
    atol: float = 0.0

    @property
    def precision(self):
        """``(n, decimals)``: the answer wants ``n`` decimal places if ``decimals``, else
        ``n`` significant digits; the fewest whose rounding error the tolerance accepts."""
        if self.atol > 0 and self.atol >= self.rtol * abs(self.value):
            return math.ceil(-math.log10(2 * self.atol)), True
        return math.ceil(1 - math.log10(2 * self.rtol)), False

    def precision_text(self, lang):
        """The precision asked for, in words of the language ``lang``."""
        n, decimals = self.precision
        if decimals:
            return {"en": f"{n} decimal places", "ja": f"小数点以下 {n} 桁"}[lang]
        return {"en": f"{n} significant digits", "ja": f"有効数字 {n} 桁"}[lang]

    def accepts(self, number, factor=1.0):
        """Whether ``number`` is the answer (times ``factor``) within the tolerance."""
        return math.isclose(
            number, self.value * factor, rel_tol=self.rtol, abs_tol=self.atol * factor
        )

    def is_short(self, number, factor=1.0, least=1):
        """Whether ``number`` is the answer (times ``factor``) rounded or cut to fewer
        digits, but to at least ``least`` of them."""
        target = self.value * factor
        if target == 0 or number == 0:
            return False
        n, decimals = self.precision
        for fewer in range(least - (1 if decimals else 0), n):
            if any(math.isclose(number, r, rel_tol=1e-9) for r in _round(target, fewer, decimals)):
                return True
        return False


def read_answers(paths):
    """The keys of the answer files ``paths`` (``ilib/answers/NN.toml``), as ``{key: Answer}``.

    Raises
    ------
    ValueError
        If a key is defined twice, or an entry has an unknown unit, a negative
        tolerance, or no tolerance at all.
    """
    answers = {}
    for path in paths:
        for key, entry in tomllib.loads(path.read_text(encoding="utf-8")).items():
            if key in answers:
                raise ValueError(f"self-check key {key!r} is defined twice ({path.name})")
            where = f"{path.name} [{key!r}]"
            rtol = _validate.non_negative_float(entry.get("rtol", 1e-3), f"rtol of {where}")
            atol = _validate.non_negative_float(entry.get("atol", 0.0), f"atol of {where}")
            if rtol == 0 and atol == 0:
                raise ValueError(f"{where} needs rtol or atol > 0 to state a precision")
            answers[key] = Answer(
                float(entry["value"]),
                _validate.one_of(entry["unit"], f"unit of {where}", tuple(_UNITS) + ("",)),
                entry["exercise"], {"en": entry["en"], "ja": entry["ja"]}, rtol, atol,
            )
    return answers


# Expected answers: key -> Answer, kept as data in ilib/answers/NN.toml, one file a chapter.
_ANSWERS = read_answers(sorted(
    p for p in resources.files("ilib").joinpath("answers").iterdir() if p.name.endswith(".toml")
))


def answer_keys():
    """The keys :func:`check` knows, sorted."""
    return sorted(_ANSWERS)


def answer_for(key):
    """The :class:`Answer` of ``key`` (a label with a language prefix is the same key).

    Raises
    ------
    ValueError
        If ``key`` is not a known key; the message, in the notebook's language,
        lists the known keys.
    """
    try:
        return _ANSWERS[_PREFIX.sub("", key)]
    except (KeyError, TypeError):
        raise ValueError(_unknown_key(key)) from None


def keys_for(exercise):
    """The self-check keys of one exercise (its label with or without language prefix)."""
    slug = _PREFIX.sub("", exercise)
    return [key for key in _ANSWERS if _ANSWERS[key].exercise == slug]


def variable_name(key):
    """The variable a student copy gives the answer of ``key``: ``"01-die"`` → ``answer_die``."""
    return "answer_" + re.sub(r"^\d\d-", "", _PREFIX.sub("", key)).replace("-", "_")


def _unknown_key(key):
    exercise = keys_for(key) if isinstance(key, str) else []
    if exercise:
        listed = ", ".join(exercise)
        return i18n.choose(
            f"key {key!r} names an exercise, not a self-check; its keys: {listed}",
            f"キー {key!r} は演習の名前で、自己チェックのキーではありません。"
            f"この演習のキー: {listed}",
        )
    known = ", ".join(answer_keys())
    return i18n.choose(
        f"key {key!r} is not a known self-check; known keys: {known}",
        f"キー {key!r} の自己チェックはありません。使えるキー: {known}",
    )


def _number(answer):
    kind = type(answer).__name__
    problem = i18n.choose(
        f"answer must be a single real number, got {kind}",
        f"answer には実数を 1 つ渡してください（渡されたのは {kind} です）",
    )
    if isinstance(answer, (str, bytes)):
        raise ValueError(problem)
    try:
        array = np.asarray(answer, dtype=float)
    except (TypeError, ValueError, RuntimeError):
        try:  # e.g. a torch tensor that requires grad
            array = np.asarray(float(answer))
        except (TypeError, ValueError, RuntimeError):
            raise ValueError(problem) from None
    if array.size != 1:
        raise ValueError(problem + i18n.choose(f" of shape {array.shape}", f"（形 {array.shape}）"))
    return float(array.reshape(-1)[0])


def check(key, answer):
    """Say whether ``answer`` is the answer of the exercise ``key``, without revealing it.

    Prints one short line in the notebook's language (set by ``ilib.setup``)
    and returns the verdict: right (within the key's tolerance, stated as a
    number of significant digits or decimal places); close (right to fewer
    digits: give more); the answer in the other unit (nats instead of bits);
    wrong; or not answered yet (``None``). Used in the exercises of every
    chapter; the student copies (``make student``) put the calls to make in
    each exercise's answer cell.

    Parameters
    ----------
    key : str
        The exercise's key, e.g. ``"01-die"``; a label with a language prefix
        (``"ja-01-die"``) is the same key.
    answer : float or None
        The student's number (a Python or NumPy number, or a one-element array
        or tensor); ``None`` while the exercise is not answered.

    Returns
    -------
    bool
        True if the answer is right.

    Raises
    ------
    ValueError
        If ``key`` is not a known key (the message lists the known keys), or
        ``answer`` is neither ``None`` nor a single real number; the message is
        in the notebook's language.
    """
    expected = answer_for(key)
    name = _PREFIX.sub("", key)
    lang = i18n.language()
    digits = expected.precision_text(lang)
    unit = _UNITS[expected.unit][lang] if expected.unit else ""
    wanted = (i18n.choose(f"{digits}, in {unit}", f"{digits}、{unit}") if unit else digits)
    if answer is None:
        print(i18n.choose(
            f"… {name}: no answer yet: replace None by your number ({wanted}).",
            f"… {name}: まだ答えがありません。"
            f"None をあなたの数値に置き換えてください（{wanted}）。",
        ))
        return False
    number = _number(answer)
    finite = math.isfinite(number)
    if finite and expected.accepts(number):
        print(i18n.choose(f"✓ {name}: correct.", f"✓ {name}: 正解です。"))
        return True
    if finite and expected.is_short(number):
        print(i18n.choose(
            f"~ {name}: close — give more digits: the self-check wants {digits}.",
            f"~ {name}: 惜しいです。桁数が足りません。{digits}で答えてください。",
        ))
        return False
    if finite and expected.unit and number != 0:
        other, factor = _OTHER_UNIT[expected.unit]
        if expected.accepts(number, factor) or expected.is_short(number, factor, least=2):
            other = _UNITS[other][lang]
            print(i18n.choose(
                f"✗ {name}: not quite: this looks like the answer in {other}; "
                f"the exercise asks for {unit}.",
                f"✗ {name}: 惜しいです。{other}での値のようです。"
                f"この問題は{unit}で答えてください。",
            ))
            return False
    if unit:
        print(i18n.choose(
            f"✗ {name}: not yet: check your steps and the unit ({unit}), then try again "
            f"(the self-check wants {digits}).",
            f"✗ {name}: まだ違います。計算の手順と単位（{unit}）を確かめて、もう一度試してください"
            f"（{digits}で答えます）。",
        ))
    else:
        print(i18n.choose(
            f"✗ {name}: not yet: check your steps, then try again "
            f"(the self-check wants {digits}).",
            f"✗ {name}: まだ違います。計算の手順を確かめて、もう一度試してください"
            f"（{digits}で答えます）。",
        ))
    return False
