"""The teaching kit: student copies without solutions, and the exercises' self-checks."""

import math
import re

import nbformat
import numpy as np
import pytest

import ilib
from ilib import i18n, teaching

from notebooks import CHAPTERS, LANGUAGES, chapter_names, load, source

NOTEBOOKS = [CHAPTERS / lang / name for lang in LANGUAGES for name in chapter_names(lang)]
LABEL = re.compile(r"^:label:\s*(\S+)", re.M)


def _exercise_labels(nb):
    labels = []
    for cell in nb["cells"]:
        text = source(cell)
        if cell["cell_type"] == "markdown" and "{exercise}" in text:
            labels += LABEL.findall(text)
    return labels


def _solutions(nb):
    """Per cell: (removed lines, kept lines), scanning solution-start ... solution-end.

    Cells tagged solution are removed whole.
    """
    inside, result = False, []
    for cell in nb["cells"]:
        removed, kept = [], []
        tagged = "solution" in cell.get("metadata", {}).get("tags", [])
        closing = False
        for line in source(cell).splitlines():
            if "{solution-start}" in line:
                inside = True
            (removed if inside or tagged or closing else kept).append(line)
            closing = "{solution-end}" in line  # the next line closes the directive
            if closing:
                inside = False
        result.append((removed, kept))
    return result


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    assert teaching.main(["student", "--out", str(out), *map(str, NOTEBOOKS)]) == 0
    return out


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_student_copy_keeps_exercises_and_drops_solutions(student, path):
    lang = path.parent.name
    original = nbformat.read(path, as_version=4)
    copy_path = student / lang / path.name
    assert copy_path.is_file()
    copy = nbformat.read(copy_path, as_version=4)
    nbformat.validate(copy)

    assert _exercise_labels(copy) == _exercise_labels(original), "every exercise is kept"
    assert _exercise_labels(original), "the chapter has exercises"
    for cell in copy.cells:
        text = source(cell)
        assert "solution" not in cell.metadata.get("tags", [])
        assert not re.search(r"\{solution(-start|-end)?\}", text), text[:200]

    solutions = _solutions(original)
    kept_text = "\n".join(source(c) for c in copy.cells)
    # No line of a removed solution survives (short lines such as ``` are too common to test,
    # and a line that the chapter also has outside its solutions is not a solution's).
    outside = {line for _, kept in solutions for line in kept}
    for removed, kept in solutions:
        for line in removed:
            if len(line.strip()) > 30 and line not in outside:
                assert line not in kept_text, f"solution text left: {line!r}"
        # what follows a solution-end in its cell is kept
        if removed and "\n".join(kept).strip():
            assert "\n".join(kept).strip() in kept_text

    # Every cell without solution lines is kept, in order, with outputs and execution count.
    kept = [c for c, (removed, _) in zip(original["cells"], solutions, strict=True) if not removed]
    copied = {c.get("id"): c for c in copy.cells}
    order = [c.get("id") for c in copy.cells]
    positions = []
    for cell in kept:
        assert cell["id"] in copied, f"cell {cell['id']} was dropped"
        twin = copied[cell["id"]]
        assert source(twin) == source(cell)
        if cell["cell_type"] == "code":
            assert twin.get("outputs") == cell.get("outputs")
            assert twin.get("execution_count") == cell.get("execution_count")
        positions.append(order.index(cell["id"]))
    assert positions == sorted(positions)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_each_removed_solution_leaves_a_scaffold_with_its_self_checks(student, path):
    lang = path.parent.name
    original = nbformat.read(path, as_version=4)
    copy = nbformat.read(student / lang / path.name, as_version=4)
    labels = [m.group(1) for c in original["cells"]
              for m in re.finditer(r"\{solution-start\}\s*(\S+)", source(c))]
    scaffolds = [c for c in copy.cells if "scaffold" in c.metadata.get("tags", [])]
    assert len(scaffolds) == len(labels)
    words = "# Your answer here" if lang == "en" else "# ここに解答を書いてください"
    for label, cell in zip(labels, scaffolds, strict=True):
        assert cell.cell_type == "code" and cell.outputs == [] and cell.execution_count is None
        assert source(cell).startswith(words)
        for key in teaching.keys_for(label):
            assert f'# ilib.check("{key}", answer)' in source(cell)
        # the scaffold follows its exercise
        index = copy.cells.index(cell)
        assert f":label: {label}" in source(copy.cells[index - 1])


def test_split_cells_keep_text_around_the_solution():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(
            "```{exercise} Q\n:label: en-99-x\nAsk.\n```\n\n"
            "```{solution-start} en-99-x\n:class: dropdown\n```\nSecret one."
        ),
        nbformat.v4.new_code_cell("print('secret two')"),
        nbformat.v4.new_markdown_cell("Secret three.\n```{solution-end}\n```\n\n## References"),
        nbformat.v4.new_markdown_cell(
            "````{solution} en-99-x\n```python\nsecret = 4\n```\n````\nAfter."
        ),
        nbformat.v4.new_code_cell("x = 1"),
    ]
    nb.cells[4].metadata["tags"] = ["solution"]
    copy = teaching.student_notebook(nb, "en")
    nbformat.validate(copy)
    text = "\n".join(source(c) for c in copy.cells)
    assert "secret" not in text.lower() and "x = 1" not in text
    assert [c.cell_type for c in copy.cells] == ["markdown", "code", "markdown", "code", "markdown"]
    assert source(copy.cells[0]).endswith("```") and "Ask." in source(copy.cells[0])
    assert source(copy.cells[2]) == "## References" and source(copy.cells[4]) == "After."
    assert len({c.id for c in copy.cells}) == len(copy.cells)
    assert len(nb.cells) == 5, "the original is not modified"


def test_a_solution_without_an_end_is_an_error():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("```{solution-start} en-99-x\n```\nNo end.")]
    with pytest.raises(ValueError, match="en-99-x"):
        teaching.student_notebook(nb, "en")


@pytest.fixture
def language():
    before = i18n.language()
    yield i18n.set_language
    i18n.set_language(before)


@pytest.mark.parametrize("key", teaching.answer_keys())
def test_self_check_accepts_right_answers_and_rejects_wrong_ones(key, capsys, language):
    expected = teaching._ANSWERS[key]
    value, slack = expected.value, max(expected.rtol * abs(expected.value), expected.atol)
    assert ilib.check(key, value) is True
    assert ilib.check(key, value + 0.5 * slack) is True
    assert ilib.check(key, np.float64(value - 0.5 * slack)) is True
    assert ilib.check(key, np.array([value])) is True
    assert ilib.check(key, value + 3 * slack + 1e-9) is False
    assert ilib.check(key, -value - 1) is False
    assert ilib.check(key, math.nan) is False
    # bits for nats or nats for bits is wrong, with a hint about the unit
    factor = math.log(2) if expected.unit == "bits" else 1 / math.log(2)
    assert ilib.check(key, value * factor) is (value == 0)
    printed = capsys.readouterr().out
    assert printed.count("✓") == 4 + (value == 0)
    if expected.unit and value != 0:
        assert "this looks like the answer in" in printed
    told = printed.replace(key, "")
    assert f"{value:.3f}" not in told and f"{value:.3g}" not in told, "the answer is not told"
    language("ja")
    assert ilib.check(key, value) is True
    assert ilib.check(key, value * 2 + 1) is False
    printed = capsys.readouterr().out
    assert "正解です" in printed and "まだ違います" in printed


def test_self_check_rejects_unknown_keys_and_bad_answers():
    with pytest.raises(ValueError, match=r"'99-nope'.*01-die"):
        ilib.check("99-nope", 1.0)
    for bad in ("2.58", None, [1.0, 2.0], object()):
        with pytest.raises(ValueError, match="answer"):
            ilib.check("01-die", bad)


def test_answers_are_not_shown_by_repr_or_the_keys_command(capsys):
    expected = teaching._ANSWERS["01-die"]
    assert "2.58" not in repr(expected) and "2.58" not in repr(teaching._ANSWERS)
    teaching.main(["keys"])
    listed = capsys.readouterr().out
    assert "01-die" in listed and "2.58" not in listed


def _exact_values():
    """Every key's answer, recomputed here from its definition."""
    table = np.array([[0.1, 0.3], [0.4, 0.2]])
    uniform4, sunny = np.full(4, 0.25), np.array([1.0, 0.0, 0.0, 0.0])
    mu, var = np.array([1.0, -0.5]), np.array([0.5, 2.0])
    smoothed = np.array([0.91] + [0.01] * 9)  # (1 - 0.1) one-hot + 0.1 / 10
    return {
        "01-die": ilib.entropy(np.full(6, 1 / 6)),
        "01-coin": ilib.entropy([0.8, 0.2]),
        "01-chain": ilib.conditional_entropy(table, given="y"),
        "01-huffman": 1.0,
        "02-gauss-kl": ilib.gaussian_kl(0, 1, 2, 2),
        "02-gauss-reverse": ilib.gaussian_kl(2, 2, 0, 1),
        "02-gauss-std": ilib.gaussian_kl(0, 1, 2, 4),
        "02-minimise-q": 0.7,
        "02-minimise": ilib.entropy([0.7, 0.3]),
        "02-js": ilib.js_divergence(uniform4, sunny),
        "03-independence": ilib.mutual_information(np.outer([0.3, 0.7], [0.35, 0.65])),
        "03-bias": 3 * 3 / (2 * 200 * math.log(2)),
        "03-function": ilib.mutual_information(np.diag(np.full(6, 1 / 6))),
        "03-function-parity": 1.0,
        "04-kl-hand": float(0.5 * (mu**2 + var - np.log(var) - 1).sum()),
        "04-mi-bound-ceiling": math.log(360),
        "04-reparam-var-mu": 4 * 1.5**2,  # Var(2z) = 4 sigma^2
        "04-reparam-var-sigma": 4 * 2.0**2 + 8 * 1.5**2,  # Var(2 z eps) = 4 mu^2 + 8 sigma^2
        "05-smoothing-p": 0.91,
        "05-smoothing-gap": math.log(0.91 / 0.01),
        "05-smoothing-loss": ilib.entropy(smoothed, base=math.e),
        "05-temperature": math.log(10),
    }


def test_stored_answers_are_the_exact_values():
    values = _exact_values()
    assert sorted(values) == teaching.answer_keys(), "every key is recomputed here"
    for key, value in values.items():
        expected = teaching._ANSWERS[key]
        assert expected.accepts(value), key
        assert math.isclose(expected.value, value, rel_tol=1e-6, abs_tol=1e-9), key


def test_every_key_belongs_to_an_exercise_of_the_book():
    labels = {lang: {label for name in chapter_names(lang)
                     for label in _exercise_labels(load(lang, name))} for lang in LANGUAGES}
    for key in teaching.answer_keys():
        exercise = teaching._ANSWERS[key].exercise
        for lang in LANGUAGES:
            assert f"{lang}-{exercise}" in labels[lang], f"{key}: no exercise {lang}-{exercise}"
