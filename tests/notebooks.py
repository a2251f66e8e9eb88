"""Reading the chapter notebooks, for the tests (not a test module itself)."""

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
LANGUAGES = ("en", "ja")
DATA_URI = re.compile(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=]+")
#: A number as printed: sign, digits, decimal point, exponent.
NUMBER = re.compile(r"(?<![A-Za-z_])[-+]?(?:\d+\.\d+|\.\d+|\d+)(?:[eE][-+]?\d+)?")
# Markup of an HTML output that is not what it says: styles, and attributes (image sizes differ
# between languages because labels do; the text and the slider's frame data are compared).
STYLE = re.compile(r"<style\b.*?</style>", re.S)
ATTRIBUTES = re.compile(r"<([a-zA-Z][\w-]*)\s[^<>]*>")
LABEL = re.compile(r"^:label:\s*(\S+)", re.M)


def chapter_names(lang="en"):
    return sorted(p.name for p in (CHAPTERS / lang).glob("*.ipynb"))


def load(lang, name):
    return json.loads((CHAPTERS / lang / name).read_text(encoding="utf-8"))


def source(cell):
    text = cell["source"]
    return text if isinstance(text, str) else "".join(text)


def joined(value):
    return value if isinstance(value, str) else "".join(value)


def exercise_labels(nb):
    """The labels of a notebook's exercises, in order."""
    return [label for cell in nb["cells"] if cell["cell_type"] == "markdown"
            and source(cell).startswith("```{exercise}") for label in LABEL.findall(source(cell))]


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def output_text(cell):
    """All compared text of a code cell's outputs, image bytes removed."""
    parts = []
    for out in cell.get("outputs", []):
        if out["output_type"] == "stream":
            parts.append(joined(out["text"]))
        elif out["output_type"] in ("execute_result", "display_data"):
            data = out["data"]
            for mime in ("text/plain", "text/html", "text/latex", "text/markdown"):
                if mime in data:
                    text = DATA_URI.sub("IMG", joined(data[mime]))
                    if mime == "text/html":
                        text = ATTRIBUTES.sub(r"<\1>", STYLE.sub("", text))
                    parts.append(text)
        elif out["output_type"] == "error":
            parts.append(out["ename"] + ": " + out["evalue"])
    return "\n".join(parts)


def figure_count(cell):
    """PNG figures of a cell, counting each frame of a slider's HTML fallback."""
    count = 0
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        if "image/png" in data:
            count += 1
        if "text/html" in data:
            count += len(DATA_URI.findall(joined(data["text/html"])))
    return count
