"""The notebooks as students read them: a real JupyterLab from .venv, in headless Chromium.

One JupyterLab serves the repository (so both languages are inside its root)
for the whole file. Every request that leaves the machine is blocked and
counted as a failure. Checked:

* chapter 01 in both languages and one student copy: exercises, admonitions,
  math and citations render (no raw MyST text is visible) and every cell of a
  worked solution is folded (needs `make fold`, see ilib/folding.py);
* a slider as stored (nobody ran the cell) says that running the cell makes it
  live; run in the live kernel it shows the caption, the numbers above a
  figure at its natural size, and draws a new frame when the slider moves;
* the HTML fallback's JavaScript (as on the website): moving the slider swaps
  the frame, updates ``aria-valuetext``, and the note says it works without a kernel.
"""

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from ilib.folding import solution_cells

from notebooks import ROOT

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
SCRATCH = ROOT / "_build" / "jupyterlab-test"
CHAPTER = "01_entropy.ipynb"
RAW_MYST = re.compile(r"```\{|:label:|:class:|\{cite[a-z:]*\}|\{ref\}|\{numref\}")
RAW_MATH = re.compile(r"\$[^$\n]+\$")
CELL = ".jp-NotebookPanel .jp-Notebook .jp-Cell"
SLIDER_CELLS = [
    "import ilib\nimport matplotlib.pyplot as plt\nfrom ilib.widgets import explorer, slider\n"
    "ilib.setup('en')",
    "def draw(p):\n    fig, ax = plt.subplots(figsize=(4, 2.5))\n    ax.bar([0, 1], [p, 1 - p])\n"
    "    return fig, f'P(heads) = {p:.2f}: H = {float(ilib.entropy([p, 1 - p])):.4f} bits'\n\n"
    "explorer(draw, slider('p', [0.1, 0.3, 0.5, 0.7, 0.9], label='P(heads)', initial=0.5),\n"
    "         caption='Entropy of a coin')",
]
# What JupyterLab must not do in a test: fetch news, check for updates, or lazily
# render only the cells on screen (every cell must be in the page to be read).
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
}


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def scratch():
    """A stored slider notebook and a student copy of chapter 01, inside the lab's root."""
    shutil.rmtree(SCRATCH, ignore_errors=True)
    SCRATCH.mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in SLIDER_CELLS]
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT)}}).execute()
    nbformat.write(nb, SCRATCH / "slider.ipynb")
    subprocess.run([sys.executable, "-m", "ilib.student_copies", "student", "--out",
                    str(SCRATCH / "student"), str(ROOT / "chapters" / "en" / CHAPTER)],
                   check=True, capture_output=True, cwd=ROOT)
    yield SCRATCH
    shutil.rmtree(SCRATCH, ignore_errors=True)


@pytest.fixture(scope="module")
def lab(tmp_path_factory, scratch):
    """A JupyterLab from .venv serving the repository; yields its base URL and token."""
    home = tmp_path_factory.mktemp("lab")
    for name, value in SETTINGS.items():
        path = home / "settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value), encoding="utf-8")
    port, token = _free_port(), secrets.token_hex(16)
    env = {k: v for k, v in os.environ.items() if k != "ILIB_FRAMES"}
    env.update(PYTHONPATH=str(ROOT), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               JUPYTER_DATA_DIR=str(home / "data"), OMP_NUM_THREADS="1")
    command = [str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser",
               f"--port={port}", "--ip=127.0.0.1", f"--ServerApp.token={token}",
               f"--ServerApp.root_dir={ROOT}", f"--LabApp.user_settings_dir={home / 'settings'}",
               f"--LabApp.workspaces_dir={home / 'workspaces'}",
               "--LabApp.extension_manager=readonly", "--ServerApp.open_browser=False"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log = (home / "lab.log").open("w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if server.poll() is not None:
                    pytest.fail((home / "lab.log").read_text(encoding="utf-8")[-3000:])
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start in 120 s")
        yield base, token
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"],
            # Every request to another host goes to a proxy that does not exist.
            proxy={"server": "http://127.0.0.1:9", "bypass": "127.0.0.1"},
        )
        yield browser
        browser.close()


@pytest.fixture
def open_notebook(browser, lab):
    """Open a notebook (path relative to the repository) in a fresh JupyterLab tab."""
    base, token = lab
    pages, blocked = [], []

    def opener(relative, cells):
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.on("request", lambda r: None if r.url.startswith(base) or r.url.startswith(
            "data:") or r.url.startswith("blob:") else blocked.append(r.url))
        pages.append(page)
        workspace = f"w{len(pages)}{secrets.token_hex(4)}"
        page.goto(f"{base}/lab/workspaces/{workspace}/tree/{relative}?reset&token={token}")
        page.wait_for_function(f"() => document.querySelectorAll('{CELL}').length == {cells}",
                               timeout=120_000)
        page.wait_for_timeout(3000)  # markdown and math render asynchronously
        return page

    yield opener
    for page in pages:
        page.close()
    assert blocked == [], f"requests left the machine: {blocked}"


def _cells(page):
    """Per notebook cell: its kind, whether it is folded, and its visible text."""
    return page.evaluate(f"""() => [...document.querySelectorAll('{CELL}')].map(c => {{
        const placeholder = c.querySelector('.jp-InputPlaceholder');
        return {{
          markdown: c.classList.contains('jp-MarkdownCell'),
          folded: !!placeholder && placeholder.offsetParent !== null,
          text: c.innerText,  // what is on screen: hidden editors and folded cells excluded
          math: c.querySelectorAll('{MATH}').length,
        }};
    }})""")


MATH = ".katex, mjx-container, .MathJax"


def _check_rendered(page, relative):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    nb = json.loads((ROOT / relative).read_text(encoding="utf-8"))
    folded = solution_cells(nb)
    with_math = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "markdown"
                 and "$" in "".join(c["source"]) and i not in folded]
    try:  # typesetting is asynchronous and slow on a loaded machine
        page.wait_for_function(
            f"""() => {{ const cells = document.querySelectorAll('{CELL}');
                return {json.dumps(with_math)}.every(i => cells[i] &&
                    cells[i].querySelectorAll('{MATH}').length > 0); }}""",
            timeout=90_000)
    except PlaywrightTimeout:
        pass  # the assertions below say which cell is not typeset
    cells = _cells(page)
    assert len(cells) == len(nb["cells"]), "every cell is on the page"
    for index, (cell, source) in enumerate(zip(cells, nb["cells"], strict=True)):
        if not cell["markdown"]:
            continue
        assert not RAW_MYST.search(cell["text"]), f"cell {index} shows raw MyST: {cell['text']!r}"
        assert not RAW_MATH.search(cell["text"]), f"cell {index} shows raw math: {cell['text']!r}"
        text = "".join(source["source"])
        if "$" in text and not cell["folded"]:
            assert cell["math"] > 0, f"cell {index} has math that is not typeset"
    return cells


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_chapter_renders_myst_and_folds_solutions(open_notebook, lang):
    relative = f"chapters/{lang}/{CHAPTER}"
    nb = json.loads((ROOT / relative).read_text(encoding="utf-8"))
    page = open_notebook(relative, len(nb["cells"]))
    cells = _check_rendered(page, relative)
    solutions = solution_cells(nb)
    assert solutions, "the chapter has worked solutions"
    for index in solutions:
        assert cells[index]["folded"], f"solution cell {index} is open by default"
    exercises = [i for i, c in enumerate(nb["cells"])
                 if "".join(c["source"]).startswith("```{exercise}")]
    assert exercises and not any(cells[i]["folded"] for i in exercises)
    assert all(cells[i]["text"].strip() for i in exercises), "exercises are shown"
    # a click opens a folded solution
    first = min(solutions)
    page.locator(CELL).nth(first).locator(".jp-InputPlaceholder").click()
    page.wait_for_timeout(1000)
    opened = _cells(page)[first]
    assert not opened["folded"] and opened["text"].strip()
    assert not opened["text"].lstrip().startswith("%"), "the hint is a MyST comment, not shown"


def test_student_copy_renders_its_exercises(open_notebook, scratch):
    relative = f"{scratch.relative_to(ROOT)}/student/en/{CHAPTER}"
    nb = json.loads((ROOT / relative).read_text(encoding="utf-8"))
    page = open_notebook(relative, len(nb["cells"]))
    cells = _check_rendered(page, relative)
    exercises = [i for i, c in enumerate(nb["cells"])
                 if "".join(c["source"]).startswith("```{exercise}")]
    assert exercises and all(cells[i]["text"].strip() for i in exercises)


def test_stored_slider_says_run_the_cell_then_runs_live(open_notebook, scratch):
    from playwright.sync_api import expect

    page = open_notebook(f"{scratch.relative_to(ROOT)}/slider.ipynb", len(SLIDER_CELLS))
    output = page.locator(CELL).nth(1).locator(".jp-OutputArea")
    assert "run this cell to make the slider live" in output.inner_text()
    assert "works without a running kernel" not in output.inner_text()
    # run both cells in the kernel, as a student does
    page.locator(CELL).nth(0).click()
    for _ in range(2):
        page.keyboard.press("Shift+Enter")
    image = output.locator(".widget-image")
    image.wait_for(timeout=120_000)
    page.wait_for_timeout(1000)
    widget = output.locator(".jupyter-widgets.widget-vbox").first
    assert "Entropy of a coin" in widget.inner_text()
    readout = output.locator(".widget-html pre")
    assert readout.inner_text() == "P(heads) = 0.50: H = 1.0000 bits"
    natural = page.evaluate("img => img.naturalWidth", image.element_handle())
    shown = image.bounding_box()
    assert abs(shown["width"] - natural / 2) <= 1, "the frame is shown at half its pixels"
    assert readout.bounding_box()["y"] < shown["y"], "the numbers are above the figure"
    # move the slider with the keyboard: a frame not drawn before is drawn now
    handle = output.locator(".widget-slider .noUi-handle").first
    handle.focus()
    page.keyboard.press("ArrowRight")
    outline = page.evaluate("el => getComputedStyle(el).outlineStyle", handle.element_handle())
    assert outline == "solid", "keyboard focus on the live slider is visible"
    expect(readout).to_have_text("P(heads) = 0.70: H = 0.8813 bits", timeout=90_000)


def test_html_fallback_works_without_a_kernel_and_announces_values(browser, scratch):
    nb = nbformat.read(scratch / "slider.ipynb", as_version=4)
    html = nb.cells[1].outputs[-1]["data"]["text/html"]
    page = browser.new_page()
    try:
        page.set_content(f"<!doctype html><html><body>{html}</body></html>")
        note = page.locator(".ilib-note")
        works = "Precomputed frames: this slider works without a running kernel."
        assert note.inner_text() == works
        slider = page.locator("input.ilib-slider")
        assert slider.get_attribute("aria-valuetext") == "0.50"
        first = page.locator("img.ilib-frame").get_attribute("src")
        slider.focus()
        outline = page.evaluate("el => getComputedStyle(el).outlineStyle", slider.element_handle())
        page.keyboard.press("ArrowRight")
        assert slider.get_attribute("aria-valuetext") == "0.70"
        assert page.locator("pre.ilib-text").inner_text() == "P(heads) = 0.70: H = 0.8813 bits"
        assert page.locator("img.ilib-frame").get_attribute("src") != first
        assert outline == "solid", "keyboard focus is visible"
    finally:
        page.close()
