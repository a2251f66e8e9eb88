"""ilib.folding: worked solutions folded in JupyterLab, exercises never."""

import json
import subprocess
import sys

import nbformat
import pytest

from ilib.folding import fold_solutions, main, solution_cells

from notebooks import LANGUAGES, ROOT, chapter_names


def _notebook(lang="en"):
    cell = nbformat.v4
    nb = cell.new_notebook()
    nb.cells = [
        cell.new_markdown_cell("# Title"),
        cell.new_markdown_cell(f"```{{exercise}} Die\n:label: {lang}-01-die\n\nCompute $H$.\n```"),
        cell.new_markdown_cell(f"```{{solution-start}} {lang}-01-die\n:class: dropdown\n```"),
        cell.new_markdown_cell("So $H = \\log_2 6 = 2.5850$ bits."),
        cell.new_code_cell("print(2.585)", metadata={"tags": ["solution"]}),
        cell.new_markdown_cell("```{solution-end}\n```"),
        cell.new_code_cell("x = 1"),
    ]
    return json.loads(json.dumps(nb))  # plain dicts, as json.load gives


def test_solution_cells_are_those_between_the_markers():
    assert solution_cells(_notebook()) == {3: "en", 4: "en"}
    assert solution_cells(_notebook("ja")) == {3: "ja", 4: "ja"}


@pytest.mark.parametrize(("lang", "hint"), [
    ("en", "Solution (folded: click to open)"), ("ja", "解答（折りたたみ中：クリックで開きます）"),
])
def test_fold_hides_solution_cells_behind_a_hint_in_the_language(lang, hint):
    nb = _notebook(lang)
    assert fold_solutions(nb) is True
    cells = nb["cells"]
    assert cells[3]["metadata"]["jupyter"] == {"source_hidden": True}
    assert cells[4]["metadata"]["jupyter"] == {"source_hidden": True, "outputs_hidden": True}
    assert cells[4]["metadata"]["tags"] == ["solution"], "other metadata is kept"
    # JupyterLab's placeholder shows the first line: a comment, not the answer or raw MyST
    assert cells[3]["source"] == f"% {hint}\nSo $H = \\log_2 6 = 2.5850$ bits."
    assert cells[4]["source"] == f"# {hint}\nprint(2.585)"
    for index in (0, 1, 2, 5, 6):
        assert "jupyter" not in cells[index]["metadata"], f"cell {index} is not a solution"


def test_fold_is_idempotent_and_undone_outside_solutions():
    nb = _notebook()
    fold_solutions(nb)
    folded = json.loads(json.dumps(nb))
    assert fold_solutions(nb) is False and nb == folded
    # a cell moved out of the solution loses its flags and its hint
    nb["cells"].insert(6, nb["cells"].pop(4))
    assert fold_solutions(nb) is True
    moved = nb["cells"][6]
    assert moved["source"] == "print(2.585)" and "jupyter" not in moved["metadata"]


@pytest.mark.parametrize(("sources", "match"), [
    (["```{solution-end}\n```"], "without a solution-start"),
    (["```{solution-start} en-01-a\n:class: dropdown\n```"], "never closed"),
    (["```{solution-start} en-01-a\n```", "```{solution-start} en-01-b\n```"], "inside"),
    (["```{solution-start} 01-a\n:class: dropdown\n```", "```{solution-end}\n```"], "label"),
])
def test_unpaired_markers_are_refused(sources, match):
    nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": s} for s in sources]}
    with pytest.raises(ValueError, match=match):
        solution_cells(nb)


def test_command_line_folds_in_place_and_checks(tmp_path, capsys):
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(_notebook()), encoding="utf-8")
    assert main(["--check", str(path)]) == 1
    assert "not folded" in capsys.readouterr().out
    assert main([str(path)]) == 0
    assert main(["--check", str(path)]) == 0
    nbformat.validate(nbformat.read(path, as_version=4))
    run = subprocess.run([sys.executable, "-m", "ilib.folding", "--check", str(path)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_chapter_is_folded(lang):
    stale = [name for name in chapter_names(lang)
             if main(["--check", str(ROOT / "chapters" / lang / name)]) != 0]
    assert stale == [], f"run `make fold` for {stale}"
