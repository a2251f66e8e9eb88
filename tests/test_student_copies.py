"""Exercises and solutions have one structure; student copies drop the solutions and run."""

import re

import nbformat
import pytest

from ilib import selfcheck, student_copies

from notebooks import CHAPTERS, LANGUAGES, chapter_names, exercise_labels, load, source

NOTEBOOKS = [(lang, name) for lang in LANGUAGES for name in chapter_names(lang)]
IDS = [f"{lang}/{name}" for lang, name in NOTEBOOKS]
LABEL = re.compile(r"(en|ja)-(\d\d)-[a-z0-9-]+")


def _blocks(nb):
    """``[(label, start index, end index)]`` of the notebook's solutions."""
    blocks, opened = [], None
    for index, cell in enumerate(nb["cells"]):
        label = student_copies.solution_label(cell)
        if label:
            assert opened is None, f"cell {index}: solution {label} opens inside {opened[0]}"
            opened = (label, index)
        elif student_copies.is_solution_end(cell):
            assert opened, f"cell {index}: a solution-end closes no solution"
            blocks.append((*opened, index))
            opened = None
    assert opened is None, f"solution {opened} is not closed"
    return blocks


@pytest.mark.parametrize(("lang", "name"), NOTEBOOKS, ids=IDS)
def test_exercises_and_solutions_have_the_structure(lang, name):
    nb = load(lang, name)
    cells = nb["cells"]
    blocks = _blocks(nb)
    inside = {k for _, start, end in blocks for k in range(start, end + 1)}
    exercises = {}
    for index, cell in enumerate(cells):
        text = source(cell)
        if student_copies.solution_label(cell):
            assert ":class: dropdown" in text, f"cell {index}: a solution is folded"
        if index in inside or cell["cell_type"] != "markdown":
            continue
        assert not re.search(r"\{solution(-start|-end)?\}", text), (
            f"cell {index}: a solution directive shares its cell with other text"
        )
        if "{exercise}" in text:
            assert text.startswith("```{exercise}"), f"cell {index}: the exercise opens the cell"
            labels = exercise_labels({"cells": [cell]})
            assert len(labels) == 1, f"cell {index}: one label an exercise"
            exercises[labels[0]] = index
    for label in exercises:
        found = LABEL.fullmatch(label)
        assert found and found[1] == lang and found[2] == name[:2], f"{label} in {lang}/{name}"
    solutions = [label for label, _, _ in blocks]
    assert sorted(solutions) == sorted(exercises), "every exercise has exactly one solution"
    assert len(set(solutions)) == len(solutions)
    for label, start, end in blocks:
        assert start > exercises[label], f"the solution of {label} follows its exercise"
        assert end > start + 1, f"the solution of {label} has a worked answer"
        for k in range(start + 1, end):
            if cells[k]["cell_type"] == "code":
                assert student_copies.is_tagged_solution(cells[k]), f"cell {k} is tagged solution"
    for index, cell in enumerate(cells):
        if index not in inside:
            assert not student_copies.is_tagged_solution(cell), (
                f"cell {index} is tagged solution outside a solution"
            )


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    paths = [str(CHAPTERS / lang / name) for lang, name in NOTEBOOKS]
    assert student_copies.main(["student", "--out", str(out), *paths]) == 0
    return out


@pytest.mark.parametrize(("lang", "name"), NOTEBOOKS, ids=IDS)
def test_student_copy_keeps_exercises_and_drops_solutions(student, lang, name):
    original = nbformat.read(CHAPTERS / lang / name, as_version=4)
    copy = nbformat.read(student / lang / name, as_version=4)
    nbformat.validate(copy)
    blocks = _blocks(original)
    removed = {k for _, start, end in blocks for k in range(start, end + 1)}
    kept = [c for k, c in enumerate(original["cells"]) if k not in removed]
    assert exercise_labels(copy) == exercise_labels(original), "every exercise is kept"

    # the copy is the kept cells, unchanged and in order, with one answer cell a solution
    scaffolds = [c for c in copy.cells if "scaffold" in c.metadata.get("tags", [])]
    others = [c for c in copy.cells if "scaffold" not in c.metadata.get("tags", [])]
    assert others == kept
    assert len(scaffolds) == len(blocks)

    # no text of a solution survives (lines the chapter also has elsewhere are not a solution's)
    elsewhere = {line for c in kept for line in source(c).splitlines()}
    copied = "\n".join(source(c) for c in copy.cells)
    for k in sorted(removed):
        for line in source(original["cells"][k]).splitlines():
            if len(line.strip()) > 20 and line not in elsewhere:
                assert line not in copied, f"solution text left: {line!r}"


@pytest.mark.parametrize(("lang", "name"), NOTEBOOKS, ids=IDS)
def test_each_solution_becomes_an_answer_cell_with_its_self_checks(student, lang, name):
    original = load(lang, name)
    copy = nbformat.read(student / lang / name, as_version=4)
    for label, _, _ in _blocks(original):
        cell = next(c for c in copy.cells if c.get("id", "").startswith(f"{label}-answer"))
        index = copy.cells.index(cell)
        assert f":label: {label}" in source(copy.cells[index - 1]), "it follows its exercise"
        assert cell.cell_type == "code" and cell.outputs == [] and cell.execution_count is None
        text = source(cell)
        assert label in text
        keys = selfcheck.keys_for(label)
        for key in keys:
            variable = selfcheck.variable_name(key)
            assert re.search(rf"^{variable} = None  # ", text, re.M), (key, text)
            assert f'ilib.check("{key}", {variable})' in text
        assert text.count("ilib.check(") == len(keys)
        japanese = re.search(r"[぀-ヿ一-鿿]", text)
        assert (japanese is not None) == (lang == "ja"), "comments in the language"


def _notebook(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(c) if isinstance(c, str) else c for c in cells]
    return nb


EXERCISE = "```{exercise} Q\n:label: en-01-die\nAsk.\n```"
START = "```{solution-start} en-01-die\n:class: dropdown\n```"
END = "```{solution-end}\n```"


def test_the_rule_is_whole_cells():
    code = nbformat.v4.new_code_cell("secret = 2")
    code.metadata["tags"] = ["solution"]
    stray = nbformat.v4.new_code_cell("print('stray')")
    stray.metadata["tags"] = ["solution"]
    nb = _notebook(EXERCISE, START, "Secret one.", code, END, "## References", stray)
    copy = student_copies.student_notebook(nb)
    nbformat.validate(copy)
    text = "\n".join(source(c) for c in copy.cells).lower()
    assert "secret" not in text and "stray" not in text
    assert [c.cell_type for c in copy.cells] == ["markdown", "code", "markdown"]
    assert source(copy.cells[1]) == (
        "# Your answer to exercise en-01-die.\n"
        "# Replace each None by your number, then run the cell to check it.\n"
        "answer_die = None  # entropy of a fair six-sided die, in bits; 4 significant digits\n"
        "answer_coin = None  # entropy of the coin with P(heads) = 0.8, in nats; "
        "4 significant digits\n"
        "\n"
        'ilib.check("01-die", answer_die)\n'
        'ilib.check("01-coin", answer_coin)'
    )
    assert len(nb.cells) == 7, "the original is not modified"


@pytest.mark.parametrize(
    ("cells", "problem"),
    [
        ((EXERCISE, START, "No end."), "without a solution-end"),
        ((EXERCISE, END), "closes no solution"),
        ((EXERCISE, START, START, END), "opens inside"),
        ((EXERCISE, START + "\nWorked answer.", END), "markdown cell of its own"),
        ((EXERCISE, "```{solution} en-01-die\nAnswer.\n```"), "markdown cell of its own"),
    ],
)
def test_a_notebook_that_breaks_the_rule_is_refused(cells, problem):
    with pytest.raises(ValueError, match=problem):
        student_copies.student_notebook(_notebook(*cells))


def test_the_keys_command_lists_keys_but_not_answers(capsys):
    assert student_copies.main(["keys"]) == 0
    listed = capsys.readouterr().out
    assert "01-die" in listed and "4 significant digits" in listed
    assert "2.58" not in listed


@pytest.mark.slow
@pytest.mark.parametrize(("lang", "name"), NOTEBOOKS, ids=IDS)
def test_student_copy_runs_top_to_bottom_with_empty_answers(student, lang, name):
    from nbclient import NotebookClient

    copy = nbformat.read(student / lang / name, as_version=4)
    NotebookClient(copy, timeout=600, kernel_name="python3").execute()
    answers = [c for c in copy.cells if "scaffold" in c.metadata.get("tags", [])]
    waiting = "no answer yet" if lang == "en" else "まだ答えがありません"
    for cell in answers:
        printed = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        keys = [k for k in selfcheck.answer_keys() if f'"{k}"' in source(cell)]
        assert printed.count(waiting) == len(keys), printed
