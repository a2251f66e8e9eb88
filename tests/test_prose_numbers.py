"""Numbers in a chapter's prose come from its outputs, never typed in by hand.

Every decimal number with three or more significant digits in a chapter's
markdown must equal, at the precision the prose gives it, a number printed by
that chapter's code cells (or a number the code itself sets as an input), or be
listed with its source in ``tests/prose_numbers_allowed.toml`` (constants from
the literature, such as ln 2). A result typed into the prose that the code does
not reproduce then fails this test.
"""

import re
import tomllib
from pathlib import Path

import pytest

from notebooks import LANGUAGES, chapter_names, code_cells, load, output_text, source

ALLOWED_FILE = Path(__file__).with_name("prose_numbers_allowed.toml")
DECIMAL = re.compile(r"(?<![\w.])(\d+\.\d+)(?![\w.])")
ANY_NUMBER = re.compile(r"(?<![A-Za-z_])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
URL = re.compile(r"https?://\S+")


def significant_digits(text):
    return len(text.replace(".", "").lstrip("0"))


def prose_numbers(nb):
    """Decimal numbers with at least three significant digits in the markdown cells."""
    text = "\n".join(source(c) for c in nb["cells"] if c["cell_type"] == "markdown")
    text = URL.sub("", text)
    return sorted({n for n in DECIMAL.findall(text) if significant_digits(n) >= 3})


def reference_values(nb):
    """Every number the chapter prints, and every number literal in its code."""
    values = []
    for cell in code_cells(nb):
        for text in (output_text(cell), source(cell)):
            for token in ANY_NUMBER.findall(text):
                try:
                    values.append(abs(float(token)))
                except ValueError:
                    continue
    return values


def matches(number, values):
    decimals = len(number.split(".")[1])
    return any(f"{v:.{decimals}f}" == number for v in values)


def allowed(chapter):
    entries = tomllib.loads(ALLOWED_FILE.read_text(encoding="utf-8"))["allowed"]
    for entry in entries:
        assert entry.get("source"), f"allow-list entry {entry} names no source"
    return {e["number"] for e in entries if e["chapter"] in ("*", chapter)}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", chapter_names(), ids=str)
def test_prose_numbers_come_from_outputs(lang, name):
    nb = load(lang, name)
    values = reference_values(nb)
    exempt = allowed(name.split("_")[0])
    typed = [n for n in prose_numbers(nb) if n not in exempt and not matches(n, values)]
    assert not typed, (
        f"{lang}/{name}: numbers in the prose that no output prints: {typed}; print them "
        f"from a code cell, or list a literature constant in {ALLOWED_FILE.name}"
    )


def test_a_typed_result_is_caught():
    nb = {"cells": [
        {"cell_type": "markdown", "source": "The loss falls to 21.2 nats and H = 0.8813 bits."},
        {"cell_type": "code", "source": "print(h)", "outputs": [
            {"output_type": "stream", "name": "stdout", "text": "H = 0.881291 bits\n"}]},
    ]}
    typed = [n for n in prose_numbers(nb) if not matches(n, reference_values(nb))]
    assert typed == ["21.2"]


def test_precision_is_the_prose_precision():
    assert matches("0.8813", [0.881291])
    assert not matches("0.8812", [0.881291])
    assert significant_digits("0.0081") == 2
    assert significant_digits("24.77") == 4
