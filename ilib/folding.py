"""Fold worked solutions in JupyterLab, so that a student sees the exercise first.

On the website sphinx-exercise folds a solution into a dropdown. JupyterLab
(with jupyterlab-myst) renders the gated directives ```` ```{solution-start} ````
and ```` ```{solution-end} ```` as two labelled markers and shows every cell
between them open. JupyterLab folds a cell whose metadata says
``jupyter.source_hidden`` (and, for a code cell, ``jupyter.outputs_hidden``):
the cell shows as a one-line placeholder that a click opens. The placeholder
repeats the first line of the cell's source, which would show raw MyST and
often the answer itself; so every folded cell starts with a comment line
(``%`` in MyST, ``#`` in Python) that says, in the notebook's language, how to
open it. The website and the rendered cell do not show MyST comments.

This module sets those flags and comment lines on the cells strictly between
the two markers, and removes them everywhere else.

Contributors run it after editing a chapter (``make fold``); ``--check``
reports notebooks that are not folded yet. CONTRIBUTING.md, "Exercises",
describes the exercise format it relies on.
"""

import argparse
import json
import re
import sys
from pathlib import Path

_START = re.compile(r"\A\s*```\{solution-start\}[^\n]*\n(?::class: dropdown\n)?```\s*\Z")
_END = re.compile(r"\A\s*```\{solution-end\}\s*\n```\s*\Z")
_LABEL = re.compile(r"\A\s*```\{solution-start\}\s*(en|ja)-")
_FLAGS = {"markdown": ("source_hidden",), "code": ("source_hidden", "outputs_hidden")}
_COMMENT = {"markdown": "%", "code": "#"}
_HINT = {"en": "Solution (folded: click to open)", "ja": "解答（折りたたみ中：クリックで開きます）"}
_HINTS = {f"{mark} {hint}" for mark in _COMMENT.values() for hint in _HINT.values()}


def _source(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _set_source(cell, text):
    cell["source"] = text.splitlines(keepends=True) if isinstance(cell["source"], list) else text


def solution_cells(notebook):
    """Indices and languages of the cells strictly between solution-start and solution-end.

    Parameters
    ----------
    notebook : dict
        A notebook as read by :func:`json.load` (nbformat 4).

    Returns
    -------
    dict of int to str
        The index of every cell a student should see folded, and the language
        (``"en"`` or ``"ja"``) of the exercise label its solution-start names.

    Raises
    ------
    ValueError
        If ``notebook`` has markers that do not pair up (a start inside a
        solution, an end without a start, or a start never closed), or a
        solution-start whose label does not begin with ``en-`` or ``ja-``.
    """
    inside, lang, found = None, None, {}
    for index, cell in enumerate(notebook.get("cells", [])):
        text = _source(cell) if cell.get("cell_type") == "markdown" else ""
        if _START.match(text):
            if inside is not None:
                raise ValueError(f"notebook: solution-start in cell {index} inside the "
                                 f"solution opened in cell {inside}")
            label = _LABEL.match(text)
            if label is None:
                raise ValueError(f"notebook: the solution-start in cell {index} names no "
                                 "en- or ja- exercise label")
            inside, lang = index, label.group(1)
        elif _END.match(text):
            if inside is None:
                raise ValueError(f"notebook: solution-end in cell {index} without a solution-start")
            inside = None
        elif inside is not None:
            found[index] = lang
    if inside is not None:
        raise ValueError(f"notebook: the solution opened in cell {inside} is never closed")
    return found


def fold_solutions(notebook):
    """Fold the solution cells of ``notebook`` for JupyterLab, in place.

    Cells of a solution get ``metadata.jupyter.source_hidden`` (code cells also
    ``outputs_hidden``) and a first comment line saying how to open them; every
    other cell loses those flags and that line, so an exercise is never folded
    by accident. Other metadata and the rest of the source are kept as they are.

    Parameters
    ----------
    notebook : dict
        A notebook as read by :func:`json.load`.

    Returns
    -------
    bool
        Whether anything changed.
    """
    folded = solution_cells(notebook)
    changed = False
    for index, cell in enumerate(notebook["cells"]):
        kind = cell.get("cell_type")
        text = _source(cell)
        first, _, rest = text.partition("\n")
        body = rest if first in _HINTS else text
        wanted_text = body
        if index in folded and kind in _COMMENT:
            wanted_text = f"{_COMMENT[kind]} {_HINT[folded[index]]}\n{body}"
        if wanted_text != text:
            changed = True
            _set_source(cell, wanted_text)
        metadata = cell.setdefault("metadata", {})
        jupyter = metadata.get("jupyter", {})
        wanted = dict(jupyter)
        for flag in ("source_hidden", "outputs_hidden"):
            wanted.pop(flag, None)
        if index in folded:
            wanted.update(dict.fromkeys(_FLAGS.get(kind, ()), True))
        if wanted != jupyter:
            changed = True
            if wanted:
                metadata["jupyter"] = wanted
            else:
                metadata.pop("jupyter", None)
    return changed


def main(argv=None):
    """``python -m ilib.folding [--check] NOTEBOOK...``: fold solutions in place."""
    parser = argparse.ArgumentParser(prog="python -m ilib.folding", description=main.__doc__)
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 and name the notebooks that need folding")
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    stale = []
    for path in args.notebooks:
        text = path.read_text(encoding="utf-8")
        notebook = json.loads(text)
        if not fold_solutions(notebook):
            continue
        stale.append(path)
        if not args.check:
            # The layout nbformat writes (sorted keys, one-space indent, non-ASCII
            # kept), as `make execute` would.
            text = json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False)
            path.write_text(text + "\n", encoding="utf-8")
    verb = "not folded" if args.check else "folded"
    for path in stale:
        print(f"{verb}: {path}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
