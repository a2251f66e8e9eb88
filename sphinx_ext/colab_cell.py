"""Give every chapter notebook a first code cell that installs what Colab lacks.

A chapter opened from the website's Colab button runs on a machine without the
book's helper package ``ilib`` (and, for the Japanese figures, without
``matplotlib-fontja``). The cell installs both from the repository named in
``_config.yml``, and only where ``import ilib`` fails: locally, on Binder and
under nbval it does nothing and prints nothing.

Usage: ``python sphinx_ext/colab_cell.py chapters/*/*.ipynb`` (idempotent: a
notebook that has the cell keeps it, updated to the current text).
"""

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
MARKER = "ilib-colab-install"

COMMENTS = {
    "en": ("# Colab and other machines without the book's package: install ilib (and the",
           "# Japanese font for figures) from the book's repository. Elsewhere: nothing."),
    "ja": ("# Colab など本書のパッケージがない環境では、ilib（と図の日本語フォント）を",
           "# 本書のリポジトリからインストールします。それ以外の環境では何もしません。"),
}

_CODE = """{comment0}
{comment1}
try:
    import ilib  # noqa: F401
except ImportError:
    import importlib
    import subprocess
    import sys

    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                    "ilib @ git+{repository}", "matplotlib-fontja"], check=True)
    importlib.invalidate_caches()"""


def repository_url():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    return config["repository"]["url"]


def cell_source(lang):
    comment0, comment1 = COMMENTS[lang]
    return _CODE.format(comment0=comment0, comment1=comment1, repository=repository_url())


def install_cell(lang):
    import nbformat

    cell = nbformat.v4.new_code_cell(cell_source(lang), metadata={"tags": ["colab"]})
    cell["id"] = MARKER
    return cell


def add_install_cell(notebook, lang):
    """Put the install cell before the notebook's first code cell (or refresh it)."""
    cells = notebook["cells"]
    for cell in cells:
        if cell.get("id") == MARKER:
            cell["source"] = cell_source(lang)
            return notebook
    first_code = next(i for i, cell in enumerate(cells) if cell["cell_type"] == "code")
    cells.insert(first_code, install_cell(lang))
    return notebook


def main(paths):
    import nbformat

    for path in map(Path, paths):
        notebook = nbformat.read(path, as_version=4)
        add_install_cell(notebook, path.parent.name)
        nbformat.write(notebook, path)


if __name__ == "__main__":
    main(sys.argv[1:])
