"""The teaching kit: self-checks for the exercises and student copies of the notebooks.

Self-checks
    ``ilib.check("01-die", answer)`` says whether a student's number is the
    answer to an exercise, in the notebook's language, without revealing it.
    Keys are the exercise labels of the chapters without their language prefix
    (``en-01-die`` / ``ja-01-die`` → ``"01-die"``), with extra keys where one
    exercise asks for several numbers (``"01-coin"``).

Student copies
    ``python -m ilib.teaching student --out _build/student chapters/*/*.ipynb``
    (``make student``) writes ``<out>/en/`` and ``<out>/ja/``: every notebook
    with its exercises and without its worked solutions. Removed: everything
    from the directive ```` ```{solution-start} ```` to the directive
    ```` ```{solution-end} ```` (inclusive; text before the first and after the
    second in the same markdown cell is kept), any ```` ```{solution} ````
    block, and every cell tagged ``solution``. In place of each removed
    solution comes a code cell to answer in, with the self-check calls of the
    exercise as comments. Nothing else changes.

The teachers' page of the book (``pages/en/teaching.md``) explains both.
"""

import argparse
import math
import re
import sys
import tomllib
import uuid
import warnings
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from ilib import i18n

# ``ilib`` imports this module (for ``ilib.check``), so ``python -m ilib.teaching``
# finds it imported already and runpy warns that it "may result in unpredictable
# behaviour". Running it is safe (the CLI keeps no state), so silence exactly that.
warnings.filterwarnings(
    "ignore", message="'ilib.teaching' found in sys.modules", category=RuntimeWarning
)


@dataclass(frozen=True)
class Answer:
    """The expected answer of one self-check (its value is left out of ``repr``)."""

    value: float = field(repr=False)
    rtol: float
    unit: str  # "bits", "nats" or "" (a probability, a count)
    exercise: str
    what: dict = field(compare=False)
    atol: float = 0.0

    def accepts(self, number):
        return math.isclose(number, self.value, rel_tol=self.rtol, abs_tol=self.atol)


def _load_answers():
    """Every chapter's keys, from the data files ``ilib/answers/NN.toml``."""
    answers = {}
    for path in sorted(resources.files("ilib").joinpath("answers").iterdir()):
        if not path.name.endswith(".toml"):
            continue
        for key, entry in tomllib.loads(path.read_text(encoding="utf-8")).items():
            if key in answers:
                raise ValueError(f"self-check key {key!r} is defined twice ({path.name})")
            answers[key] = Answer(
                float(entry["value"]), float(entry.get("rtol", 1e-3)), entry["unit"],
                entry["exercise"], {"en": entry["en"], "ja": entry["ja"]},
                float(entry.get("atol", 0.0)),
            )
    return answers


# Expected answers: key -> Answer, kept as data in ilib/answers/NN.toml, one file a chapter.
_ANSWERS = _load_answers()

_UNITS = {"bits": {"en": "bits", "ja": "ビット"}, "nats": {"en": "nats", "ja": "ナット"}}
_OTHER_UNIT = {"bits": ("nats", math.log(2)), "nats": ("bits", 1 / math.log(2))}


def answer_keys():
    """The keys :func:`check` knows, sorted."""
    return sorted(_ANSWERS)


def keys_for(exercise):
    """The self-check keys of one exercise (its label with or without language prefix)."""
    slug = re.sub(r"^(en|ja)-", "", exercise)
    return [key for key in _ANSWERS if _ANSWERS[key].exercise == slug]


def _number(answer):
    problem = f"answer must be a single real number, got {type(answer).__name__}"
    if isinstance(answer, (str, bytes)) or answer is None:
        raise ValueError(problem)
    try:
        array = np.asarray(answer, dtype=float)
    except (TypeError, ValueError, RuntimeError):
        try:  # e.g. a torch tensor that requires grad
            array = np.asarray(float(answer))
        except (TypeError, ValueError, RuntimeError):
            raise ValueError(problem) from None
    if array.size != 1:
        raise ValueError(f"{problem} of shape {array.shape}")
    return float(array.reshape(-1)[0])


def check(key, answer):
    """Say whether ``answer`` is the answer of the exercise ``key``, without revealing it.

    Prints one short line in the notebook's language (set by ``ilib.setup``)
    and returns the verdict. An answer within the key's tolerance (relative
    1e-3 for most keys: four significant digits are enough) is right. An answer
    that would be right in the other unit (nats instead of bits) is wrong, with
    a hint about the unit. Used in the exercises of every chapter; the student
    copies (``make student``) show the calls to make.

    Parameters
    ----------
    key : str
        The exercise's key, e.g. ``"01-die"``: its label without ``en-``/``ja-``.
    answer : float
        The student's number (a Python or NumPy number, or a one-element array
        or tensor).

    Returns
    -------
    bool
        True if the answer is right.

    Raises
    ------
    ValueError
        If ``key`` is not a known key (the message lists the known keys), or
        ``answer`` is not a single real number.
    """
    try:
        expected = _ANSWERS[key]
    except (KeyError, TypeError):
        raise ValueError(
            f"key {key!r} is not a known self-check; known keys: {', '.join(answer_keys())}"
        ) from None
    number = _number(answer)
    if math.isfinite(number) and expected.accepts(number):
        print(i18n.choose(f"✓ {key}: correct.", f"✓ {key}: 正解です。"))
        return True
    if not expected.unit:
        print(i18n.choose(
            f"✗ {key}: not yet: check your steps, then try again.",
            f"✗ {key}: まだ違います。計算の手順を確かめて、もう一度試してください。",
        ))
        return False
    unit = i18n.choose(_UNITS[expected.unit]["en"], _UNITS[expected.unit]["ja"])
    other, factor = _OTHER_UNIT[expected.unit]
    if math.isfinite(number) and expected.accepts(number / factor) and number != 0:
        other = i18n.choose(_UNITS[other]["en"], _UNITS[other]["ja"])
        print(i18n.choose(
            f"✗ {key}: not quite: this looks like the answer in {other}; "
            f"the exercise asks for {unit}.",
            f"✗ {key}: 惜しいです。{other}での値のようです。この問題は{unit}で答えてください。",
        ))
        return False
    print(i18n.choose(
        f"✗ {key}: not yet: check your steps and the unit ({unit}), then try again.",
        f"✗ {key}: まだ違います。計算の手順と単位（{unit}）を確かめて、もう一度試してください。",
    ))
    return False


# --- student copies -------------------------------------------------------------

_START = re.compile(r"^\s*(?P<fence>`{3,}|:{3,})\{solution-start\}\s*(?P<label>\S*)")
_END = re.compile(r"^\s*(?P<fence>`{3,}|:{3,})\{solution-end\}")
_SOLUTION = re.compile(r"^\s*(?P<fence>`{3,}|:{3,})\{solution\}\s*(?P<label>\S*)")

_SCAFFOLD = {
    "en": {"answer": "# Your answer here",
           "check": "# Self-check: put your number in `answer`, then uncomment the line:"},
    "ja": {"answer": "# ここに解答を書いてください",
           "check": "# 自己チェック: 求めた数値を `answer` に入れ、"
                    "次の行のコメントを外して実行します。"},
}


def _closes(line, fence):
    """Whether ``line`` closes a directive opened with ``fence`` (CommonMark rule)."""
    stripped = line.strip()
    return (len(stripped) >= len(fence) and set(stripped) == {fence[0]})


def _source(cell):
    text = cell.get("source", "")
    return text if isinstance(text, str) else "".join(text)


def _tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def _split(text, in_solution, label):
    """Split one markdown cell into kept text and scaffold markers.

    Returns (pieces, in_solution, label): pieces are ("md", text) or
    ("scaffold", label) in order.
    """
    pieces, kept = [], []
    lines = text.splitlines(keepends=True)
    i = 0

    def flush():
        if "".join(kept).strip():
            pieces.append(("md", "".join(kept).strip("\n")))
        kept.clear()

    while i < len(lines):
        line = lines[i]
        if in_solution:
            end = _END.match(line)
            if end:
                # the directive's closing fence follows (``{solution-end}`` has no body)
                if i + 1 < len(lines) and _closes(lines[i + 1], end["fence"]):
                    i += 1
                in_solution = False
                pieces.append(("scaffold", label))
            i += 1
            continue
        start, whole = _START.match(line), _SOLUTION.match(line)
        if start:
            flush()
            in_solution, label = True, start["label"]
            # skip the start directive's own options up to its closing fence
            j = i + 1
            while j < len(lines) and not _closes(lines[j], start["fence"]):
                j += 1
            i = j + 1
            continue
        if whole:
            flush()
            j = i + 1
            while j < len(lines) and not _closes(lines[j], whole["fence"]):
                j += 1
            pieces.append(("scaffold", whole["label"]))
            i = j + 1
            continue
        kept.append(line)
        i += 1
    flush()
    return pieces, in_solution, label


def _scaffold_source(label, lang):
    words = _SCAFFOLD[lang]
    lines = [words["answer"], ""]
    keys = keys_for(label)
    if keys:
        lines.append(words["check"])
        for key in keys:
            lines.append(f'# ilib.check("{key}", answer)  # {_ANSWERS[key].what[lang]}')
    return "\n".join(lines).rstrip("\n")


def _new_id(taken, stem):
    stem = re.sub(r"[^A-Za-z0-9_-]", "-", stem)[:48] or uuid.uuid4().hex[:8]
    candidate, n = stem, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}-{n}"
    taken.add(candidate)
    return candidate


def student_notebook(nb, lang="en"):
    """A student copy of the notebook ``nb`` (an ``nbformat`` node; not modified).

    See the module docstring for what is removed and what is inserted.

    Raises
    ------
    ValueError
        If a ``solution-start`` has no matching ``solution-end``.
    """
    import nbformat

    if lang not in _SCAFFOLD:
        raise ValueError(f"lang must be one of {tuple(_SCAFFOLD)}, got {lang!r}")
    nb = nbformat.from_dict(nb)
    taken = {c.get("id") for c in nb.cells if c.get("id")}
    cells, in_solution, label = [], False, ""
    for cell in nb.cells:
        if "solution" in _tags(cell):
            continue
        if cell.cell_type != "markdown":
            if not in_solution:
                cells.append(cell)
            continue
        pieces, in_solution, label = _split(_source(cell), in_solution, label)
        first = True
        for kind, value in pieces:
            if kind == "scaffold":
                scaffold = nbformat.v4.new_code_cell(_scaffold_source(value, lang))
                scaffold.metadata["tags"] = ["scaffold"]
                scaffold.id = _new_id(taken, f"{value or 'exercise'}-answer")
                cells.append(scaffold)
            elif first:
                kept = nbformat.from_dict(dict(cell))
                kept.source = value
                cells.append(kept)
                first = False
            else:
                extra = nbformat.v4.new_markdown_cell(value)
                extra.id = _new_id(taken, f"{cell.get('id', 'cell')}-after")
                cells.append(extra)
    if in_solution:
        raise ValueError(f"solution {label!r} has a solution-start without a solution-end")
    nb.cells = cells
    return nb


def _language(path, nb):
    if path.parent.name in _SCAFFOLD:
        return path.parent.name
    code = "\n".join(_source(c) for c in nb.cells if c.cell_type == "code")
    found = re.search(r"""ilib\.setup\(\s*["'](en|ja)["']""", code)
    return found.group(1) if found else "en"


def write_student_copies(notebooks, out):
    """Write the student copy of each notebook to ``out/<lang>/<name>``; return the paths."""
    import nbformat

    written = []
    for path in map(Path, notebooks):
        nb = nbformat.read(path, as_version=4)
        lang = _language(path, nb)
        student = student_notebook(nb, lang)
        nbformat.validate(student)
        target = Path(out) / lang / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(student, target)
        written.append(target)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m ilib.teaching",
                                     description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    student = commands.add_parser("student", help="write student copies without solutions")
    student.add_argument("--out", default="_build/student",
                         help="output folder (default: %(default)s)")
    student.add_argument("notebooks", nargs="+", help="chapter notebooks (chapters/en/*.ipynb ...)")
    commands.add_parser("keys", help="list the self-check keys (not their answers)")
    args = parser.parse_args(argv)
    if args.command == "keys":
        for key in answer_keys():
            print(f"{key:<20} {_ANSWERS[key].what['en']}")
        return 0
    for target in write_student_copies(args.notebooks, args.out):
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
