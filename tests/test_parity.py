"""The English and Japanese notebooks are one program in two languages.

Code cells may differ only in string literals and comments; outputs print the
same numbers; cells show the same number of figures; the math is the same,
apart from the words inside ``\\text{…}`` (``p_{\\text{data}}`` and ``p_{\\text{データ}}``).
"""

import io
import re
import tokenize

import pytest

from ilib import student_copies

from notebooks import (
    NUMBER,
    chapter_names,
    code_cells,
    exercise_labels,
    figure_count,
    load,
    output_text,
    source,
)

DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.S)
INLINE_MATH = re.compile(r"(?<!\$)\$(?!\$)(.+?)(?<!\$)\$(?!\$)", re.S)
TEXT_IN_MATH = re.compile(r"\\text\{[^{}]*\}")


FENCED = re.compile(r"^(```+|:::+).*?^\1\s*$", re.S | re.M)
HEADING = re.compile(r"^(#{1,6}) ", re.M)


def headings(nb):
    """(cell index, level) of each markdown heading outside fenced blocks: the table of contents."""
    found = []
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "markdown":
            text = FENCED.sub("", source(cell))
            found += [(index, len(m.group(1))) for m in HEADING.finditer(text)]
    return found


def without_words(formula):
    """A formula with the words inside \\text{…} masked: they are in the page's language."""
    return TEXT_IN_MATH.sub(r"\\text{…}", " ".join(formula.split()))


def code_signature(text):
    """Tokens of a code cell with comments dropped and string literals masked."""
    magics = [line.strip() for line in text.splitlines() if line.lstrip().startswith(("%", "!"))]
    python = "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in text.splitlines()
    )
    tokens, in_fstring = [], 0
    for tok in tokenize.generate_tokens(io.StringIO(python + "\n").readline):
        kind = tokenize.tok_name[tok.type]
        if kind in ("COMMENT", "NL", "ENCODING", "ENDMARKER"):
            continue
        if kind == "FSTRING_START":  # Python 3.12+: an f-string is several tokens
            in_fstring += 1
            continue
        if kind == "FSTRING_END":
            in_fstring -= 1
            tokens.append("<str>")
            continue
        if in_fstring:
            continue
        tokens.append("<str>" if kind == "STRING" else tok.string)
    return magics, tokens


def numbers(text):
    return NUMBER.findall(text)


def math(nb):
    text = "\n".join(source(c) for c in nb["cells"] if c["cell_type"] == "markdown")
    display = [without_words(m) for m in DISPLAY_MATH.findall(text)]
    inline = {without_words(m) for m in INLINE_MATH.findall(DISPLAY_MATH.sub("", text))}
    return display, inline


def exercises(nb):
    """The exercises and solutions in order, by label without language prefix.

    Labels are unique in the whole book: "en-01-die" and "ja-01-die" are the same exercise.
    """
    found = []
    for cell in nb["cells"]:
        solution = student_copies.solution_label(cell)
        if solution:
            found.append(("solution", solution))
        else:
            found += [("exercise", label) for label in exercise_labels({"cells": [cell]})]
    return [(kind, re.sub(r"^(en|ja)-", "", label)) for kind, label in found]


@pytest.fixture(params=chapter_names(), ids=str)
def pair(request):
    return load("en", request.param), load("ja", request.param)


def test_same_code_apart_from_strings_and_comments(pair):
    en, ja = (code_cells(nb) for nb in pair)
    assert len(en) == len(ja), "the two languages have a different number of code cells"
    for k, (a, b) in enumerate(zip(en, ja, strict=True)):
        assert code_signature(source(a)) == code_signature(source(b)), f"code cell {k} differs"


def test_same_tags_on_code_cells(pair):
    en, ja = (code_cells(nb) for nb in pair)
    for k, (a, b) in enumerate(zip(en, ja, strict=True)):
        tags_en = a.get("metadata", {}).get("tags", [])
        tags_ja = b.get("metadata", {}).get("tags", [])
        assert tags_en == tags_ja, f"code cell {k} has tags {tags_en} vs {tags_ja}"


def test_same_printed_numbers(pair):
    en, ja = (code_cells(nb) for nb in pair)
    for k, (a, b) in enumerate(zip(en, ja, strict=True)):
        same = numbers(output_text(a)) == numbers(output_text(b))
        assert same, f"code cell {k} prints other numbers"


def test_same_figures(pair):
    en, ja = (code_cells(nb) for nb in pair)
    for k, (a, b) in enumerate(zip(en, ja, strict=True)):
        assert figure_count(a) == figure_count(b), f"code cell {k} shows another number of figures"


def test_same_math(pair):
    (display_en, inline_en), (display_ja, inline_ja) = (math(nb) for nb in pair)
    assert display_en == display_ja, "display math differs"
    assert inline_en == inline_ja, (
        f"inline math differs: only English {sorted(inline_en - inline_ja)}, "
        f"only Japanese {sorted(inline_ja - inline_en)}"
    )


def test_same_headings(pair):
    en, ja = (headings(nb) for nb in pair)
    assert en == ja, (
        "the tables of contents differ: (cell, level) only in English "
        f"{sorted(set(en) - set(ja))}, only in Japanese {sorted(set(ja) - set(en))}"
    )


def test_same_exercises(pair):
    en, ja = (exercises(nb) for nb in pair)
    assert en == ja
    assert en, "a chapter has exercises"


def test_signature_masks_strings_and_comments_only():
    a = 'print(f"H = {h:.4f} bits")  # entropy\nx = 1\n'
    b = 'print(f"H = {h:.4f} ビット")  # エントロピー\nx = 1\n'
    c = 'print(f"H = {h:.4f} bits")\nx = 2\n'
    assert code_signature(a) == code_signature(b)
    assert code_signature(a) != code_signature(c)


def test_headings_skip_code_and_fenced_blocks():
    text = "## 1.1 A\n```python\n# comment\n```\n### B"
    nb = {"cells": [{"cell_type": "markdown", "source": text},
                    {"cell_type": "code", "source": "# not a heading"}]}
    assert headings(nb) == [(0, 2), (0, 3)]


def test_only_words_inside_text_may_differ():
    assert without_words(r"p_{\text{data}}(x)") == without_words(r"p_{\text{データ}}(x)")
    assert without_words(r"p_{\text{data}}(x)") != without_words(r"q_{\text{データ}}(x)")
    assert without_words(r"\mathrm{KL}") != without_words(r"\mathrm{JS}")


def test_numbers_are_extracted_with_signs_and_exponents():
    assert numbers("H = 0.8813 bits, -1.5e-3 and x1 = 7") == ["0.8813", "-1.5e-3", "7"]
