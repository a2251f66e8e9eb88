"""Student copies of the chapter notebooks: the exercises without their worked solutions.

``python -m ilib.student_copies student --out _build/student chapters/*/*.ipynb``
(``make student``) writes ``<out>/en/`` and ``<out>/ja/``. The rule is
structural (CONTRIBUTING.md, "Exercises and self-checks"): a solution is whole
cells, from a markdown cell that is exactly a ``solution-start`` directive to the
markdown cell that is exactly a ``solution-end`` directive. Those cells are
removed, with any other cell tagged ``solution``; in place of each solution
comes one code cell to answer in, with one variable per self-check key of the
exercise and the ``ilib.check`` calls. Nothing else changes. A notebook that
breaks the rule (a solution directive sharing its cell with other text, a
solution that is not closed) is refused with a ``ValueError``.

``python -m ilib.student_copies keys`` lists the self-check keys (not their
answers). The teachers' page of the book (``pages/en/teaching.md``) explains both.
"""

import argparse
import re
import sys
from pathlib import Path

import nbformat

from ilib import _validate, i18n, selfcheck

#: A markdown cell that opens a solution: the directive, its options, its closing fence.
SOLUTION_START = re.compile(r"```\{solution-start\} (?P<label>\S+)\n(?::[a-z-]+:[^\n]*\n)*```")
#: A markdown cell that closes a solution.
SOLUTION_END = "```{solution-end}\n```"
#: Any line that opens a solution directive, to refuse one that is not a cell of its own.
_ANY_SOLUTION = re.compile(r"^\s*(`{3,}|:{3,})\{solution(-start|-end)?\}", re.M)

_SCAFFOLD = {
    "en": "# Your answer to exercise {label}.",
    "ja": "# 演習 {label} の解答欄です。",
}
_SCAFFOLD_KEYS = {
    "en": "# Replace each None by your number, then run the cell to check it.",
    "ja": "# それぞれの None を求めた数値に置き換えてから、このセルを実行して確かめます。",
}


def source(cell):
    """The text of a notebook cell (stored as one string or as a list of lines)."""
    text = cell.get("source", "")
    return text if isinstance(text, str) else "".join(text)


def solution_label(cell):
    """The exercise label if ``cell`` is a ``solution-start`` cell, else ``None``."""
    if cell.get("cell_type") != "markdown":
        return None
    found = SOLUTION_START.fullmatch(source(cell).strip())
    return found["label"] if found else None


def is_solution_end(cell):
    """Whether ``cell`` is a ``solution-end`` cell."""
    return cell.get("cell_type") == "markdown" and source(cell).strip() == SOLUTION_END


def is_tagged_solution(cell):
    """Whether ``cell`` carries the tag ``solution``."""
    return "solution" in cell.get("metadata", {}).get("tags", [])


def scaffold_source(label):
    """The answer cell of exercise ``label`` (``en-01-die``), in the label's language."""
    lang = label[:2] if label[:3] in ("en-", "ja-") else "en"
    lines = [_SCAFFOLD[lang].format(label=label)]
    keys = selfcheck.keys_for(label)
    if keys:
        lines.append(_SCAFFOLD_KEYS[lang])
        for key in keys:
            expected = selfcheck.answer_for(key)
            separator = "、" if lang == "ja" else "; "
            lines.append(
                f"{selfcheck.variable_name(key)} = None  # {expected.what[lang]}{separator}"
                f"{expected.precision_text(lang)}"
            )
        lines.append("")
        lines += [f'ilib.check("{key}", {selfcheck.variable_name(key)})' for key in keys]
    return "\n".join(lines)


def _new_id(taken, stem):
    stem = re.sub(r"[^A-Za-z0-9_-]", "-", stem)[:48]
    candidate, n = stem, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}-{n}"
    taken.add(candidate)
    return candidate


def student_notebook(nb):
    """A student copy of the notebook ``nb`` (an ``nbformat`` node; not modified).

    See the module docstring for what is removed and what is inserted.

    Raises
    ------
    ValueError
        If a solution directive is not a cell of its own, a ``solution-start``
        opens inside another solution or is never closed, or a
        ``solution-end`` closes nothing.
    """
    nb = nbformat.from_dict(nb)
    taken = {c.get("id") for c in nb.cells if c.get("id")}
    cells, label = [], None
    for index, cell in enumerate(nb.cells):
        opened = solution_label(cell)
        if opened:
            if label:
                raise ValueError(f"cell {index}: solution {opened!r} opens inside {label!r}")
            label = opened
        elif is_solution_end(cell):
            if not label:
                raise ValueError(f"cell {index}: a solution-end closes no solution")
            scaffold = nbformat.v4.new_code_cell(scaffold_source(label))
            scaffold.metadata["tags"] = ["scaffold"]
            scaffold.id = _new_id(taken, f"{label}-answer")
            cells.append(scaffold)
            label = None
        elif cell.cell_type == "markdown" and _ANY_SOLUTION.search(source(cell)):
            raise ValueError(
                f"cell {index}: a solution directive must be a markdown cell of its own "
                "(CONTRIBUTING.md, 'Exercises and self-checks')"
            )
        elif not label and not is_tagged_solution(cell):
            cells.append(cell)
    if label:
        raise ValueError(f"solution {label!r} has a solution-start without a solution-end")
    nb.cells = cells
    return nb


def write_student_copies(notebooks, out):
    """Write the student copy of each notebook to ``out/<lang>/<name>``; return the paths.

    ``<lang>`` is the folder the notebook is in (``chapters/en``, ``chapters/ja``).
    """
    written = []
    for path in map(Path, notebooks):
        lang = _validate.one_of(path.parent.name, "the folder of a notebook", i18n.LANGUAGES)
        student = student_notebook(nbformat.read(path, as_version=4))
        nbformat.validate(student)
        target = Path(out) / lang / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(student, target)
        written.append(target)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m ilib.student_copies",
                                     description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    student = commands.add_parser("student", help="write student copies without solutions")
    student.add_argument("--out", default="_build/student",
                         help="output folder (default: %(default)s)")
    student.add_argument("notebooks", nargs="+", help="chapter notebooks (chapters/en/*.ipynb ...)")
    commands.add_parser("keys", help="list the self-check keys (not their answers)")
    args = parser.parse_args(argv)
    if args.command == "keys":
        for key in selfcheck.answer_keys():
            answer = selfcheck.answer_for(key)
            print(f"{key:<20} {answer.what['en']} ({answer.precision_text('en')})")
        return 0
    for target in write_student_copies(args.notebooks, args.out):
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
