"""ilib.widgets (sliders) and ilib.progress (bars), without a browser.

The live widget is driven through ipywidgets in this process; a small notebook
is executed by nbclient and checked by nbval to show what a stored notebook
holds. The JavaScript of the HTML fallback runs in Chromium in
test_jupyterlab.py.
"""

import importlib
import json
import subprocess
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

import ilib
from ilib import i18n
from ilib.figures import PIXEL_RATIO
from ilib.progress import DONE, progress
from ilib.widgets import FRAMES_VARIABLE, explorer, frame_mode, slider

ROOT = Path(__file__).resolve().parents[1]
# `ilib.progress` is the function (exported by ilib); the module is reached by name.
progress_module = importlib.import_module("ilib.progress")


@pytest.fixture(autouse=True)
def english_and_all_frames(monkeypatch):
    monkeypatch.setenv(FRAMES_VARIABLE, "all")
    i18n.set_language("en")
    yield
    i18n.set_language("en")


class Recorder:
    """A draw function that remembers which values it was asked for."""

    def __init__(self, missing=()):
        self.calls = []
        self.missing = missing

    def __call__(self, p, q=0.0):
        self.calls.append((p, q))
        if p in self.missing:
            raise KeyError(p)
        fig, ax = plt.subplots(figsize=(2, 1))
        ax.plot([0, 1], [p, q])
        return fig, f"p = {p:.2f}, q = {q:.2f}"


def _png_size(png):
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


# --- when frames are drawn


@pytest.mark.parametrize(("value", "session", "mode"), [
    ("all", "", "all"), ("lazy", "", "lazy"), ("", "chapters/en/01_entropy.ipynb", "lazy"),
    ("", "", "all"), ("all", "chapters/en/01_entropy.ipynb", "all"),
])
def test_frame_mode_follows_the_variable_then_the_jupyter_session(monkeypatch, value, session,
                                                                   mode):
    monkeypatch.setenv(FRAMES_VARIABLE, value)
    monkeypatch.setenv("JPY_SESSION_NAME", session)
    assert frame_mode() == mode


def test_frame_mode_rejects_an_unknown_value(monkeypatch):
    monkeypatch.setenv(FRAMES_VARIABLE, "some")
    with pytest.raises(ValueError, match=FRAMES_VARIABLE):
        frame_mode()


def test_explorer_draws_every_combination_for_a_stored_notebook():
    draw = Recorder()
    ex = explorer(draw, slider("p", [0.1, 0.2, 0.3]), slider("q", [0.0, 1.0], initial=1.0))
    assert len(draw.calls) == 6 and len(ex.frames) == 6
    assert draw.calls[3] == (0.2, 1.0), "last slider varies fastest"
    assert ex.frames[3][1] == "p = 0.20, q = 1.00"
    assert ex.frames[ex._initial_index()][1] == "p = 0.20, q = 1.00"
    assert len({png for png, _ in ex.frames}) == 6, "every frame is a different picture"
    assert repr(ex) == "Explorer(p: 3 values, q: 2 values)"


def test_explorer_in_a_live_session_draws_the_first_frame_then_on_demand(monkeypatch):
    monkeypatch.setenv(FRAMES_VARIABLE, "lazy")
    draw = Recorder()
    ex = explorer(draw, slider("p", np.linspace(0, 1, 101), initial=0.5))
    assert draw.calls == [(0.5, 0.0)], "only the first position is drawn up front"
    control = ex.widget().children[0]
    control.value = 10
    control.value = 10  # unchanged: nothing to draw
    control.value = 50  # drawn before: from the cache
    assert draw.calls == [(0.5, 0.0), (0.1, 0.0)]
    page = ex._repr_html_()
    data = json.loads(page.split('class="ilib-frames">')[1].split("</script>")[0])
    assert sum(frame is not None for frame in data["frames"]) == 2
    assert "holds 2 of 101" in page and "Run this cell" in page


# --- the static HTML fallback


def _payload(page):
    return json.loads(page.split('class="ilib-frames">')[1].split("</script>")[0])


def test_explorer_html_is_self_contained_with_a_slider_per_parameter():
    ex = explorer(Recorder(), slider("p", [0.1, 0.2, 0.3], label="P"),
                  slider("q", [0.0, 1.0]), caption="demo")
    page = ex._repr_html_()
    assert page.count('class="ilib-slider" type="range"') == 2
    assert page.count("data:image/png;base64,") == 1 + 6
    assert "http" not in page and "<script src" not in page
    assert "ilibExplorerUpdate" in page and "p = 0.20, q = 1.00" in page
    data = _payload(page)
    assert data["shape"] == [3, 2]
    assert data["labels"] == [["0.10", "0.20", "0.30"], ["0.00", "1.00"]]
    assert [text for _, text in data["frames"]][:2] == ["p = 0.10, q = 0.00", "p = 0.10, q = 1.00"]
    # the numbers come before the picture: a reader sees them while moving the slider
    assert page.index('<pre class="ilib-text"') < page.index('<img class="ilib-frame"')
    assert '<pre class="ilib-text" aria-live="polite">' in page, "new numbers are announced"
    assert page.index("<strong>demo</strong>") < page.index('class="ilib-slider"')


def test_explorer_html_shows_frames_at_natural_size_of_twice_the_pixels():
    ex = explorer(Recorder(), slider("p", [0.1, 0.2]))
    png, _ = ex.frames[ex._initial_index()]
    width, height = _png_size(png)
    assert width > 2 * 80  # a 2-inch figure at 80 dpi, drawn at twice the pixels
    page = ex._repr_html_()
    assert f'width="{width // PIXEL_RATIO}" height="{height // PIXEL_RATIO}"' in page
    assert "max-width:100%;height:auto" in page


def test_explorer_html_announces_values_and_shows_focus():
    ex = explorer(Recorder(), slider("p", [0.1, 0.25], label="P", fmt="{:.3f}", initial=0.25))
    page = ex._repr_html_()
    assert 'aria-valuetext="0.250"' in page
    assert ":focus-visible{outline:3px solid" in page


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_explorer_html_note_says_run_the_cell_until_javascript_runs(lang):
    i18n.set_language(lang)
    page = explorer(Recorder(), slider("p", [0.1, 0.2], label="p"))._repr_html_()
    note = page.split('<p class="ilib-note"')[1].split("</p>")[0]
    visible = note.split(">", 1)[1]
    if lang == "en":
        assert "run this cell to make the slider live" in visible
        assert 'data-js="Precomputed frames: this slider works without a running kernel."' in note
    else:
        assert "このセルを実行するとスライダーが動く" in visible
        assert "カーネルなしで動きます" in note
    assert f'lang="{lang}"' in page


# --- the live widget


def test_live_widget_puts_caption_sliders_and_numbers_above_a_natural_size_figure():
    ex = explorer(Recorder(), slider("p", [0.0, 0.5, 1.0], label="P(heads)"), caption="coin")
    caption, control, readout, image = ex.widget().children
    assert "coin" in caption.value
    assert control.description == "P(heads)"
    assert [label for label, _ in control.options] == ["0.00", "0.50", "1.00"]
    assert "p = 0.50" in readout.value
    width, _ = _png_size(image.value)
    assert image.layout.width == f"{width // PIXEL_RATIO}px"
    control.value = 2
    assert "p = 1.00" in readout.value
    assert image.value == ex.frames[2][0]
    assert "ilib-live" in ex.widget()._dom_classes
    assert ".ilib-live .noUi-handle:focus-visible{outline:3px solid" in readout.value


@pytest.mark.parametrize(("lang", "words"), [
    ("en", "No picture for P = 0.50"), ("ja", "P = 0.50 の図はありません"),
])
def test_live_widget_explains_a_value_without_a_frame(monkeypatch, lang, words):
    monkeypatch.setenv(FRAMES_VARIABLE, "lazy")
    i18n.set_language(lang)
    ex = explorer(Recorder(missing=(0.5,)), slider("p", [0.0, 0.5], label="P", initial=0.0))
    _, readout, image = ex.widget().children
    before = image.value
    ex.widget().children[0].value = 1  # p = 0.5: draw raises KeyError
    assert words in readout.value and "KeyError" in readout.value
    assert image.value == before and image.layout.opacity == "0.3"
    ex.widget().children[0].value = 0
    assert image.layout.opacity == "1"


def test_stored_notebook_refuses_a_value_without_a_frame_in_words():
    with pytest.raises(ValueError, match="No picture for p = 0.50: draw.*KeyError"):
        explorer(Recorder(missing=(0.5,)), slider("p", [0.0, 0.5], initial=0.0))


def test_bundle_offers_html_without_a_kernel():
    bundle = explorer(Recorder(), slider("p", [0.1, 0.2]))._repr_mimebundle_()
    assert bundle["text/plain"] == "Explorer(p: 2 values)"
    assert "text/html" in bundle


@pytest.mark.parametrize(
    ("values", "initial", "fmt", "match"),
    [([0.1], None, "{:.2f}", "at least two"), ([0.2, 0.1], None, "{:.2f}", "increasing"),
     ([0.1, np.nan], None, "{:.2f}", "finite"), ([0.1, 0.2], 0.15, "{:.2f}", "initial"),
     ([0.1, 0.2], None, "{:d}", "fmt"), ([0.1, 0.2], None, "{0} {1}", "fmt")],
)
def test_slider_rejects_bad_values(values, initial, fmt, match):
    with pytest.raises(ValueError, match=match):
        slider("p", values, initial=initial, fmt=fmt)


def test_explorer_rejects_bad_arguments():
    with pytest.raises(ValueError, match="sliders"):
        explorer(Recorder())
    with pytest.raises(ValueError, match="sliders"):
        explorer(Recorder(), ("p", (0, 1), "p", 0, "{}"))
    with pytest.raises(ValueError, match="draw"):
        explorer(42, slider("p", [0, 1]))
    with pytest.raises(ValueError, match="distinct"):
        explorer(Recorder(), slider("p", [0, 1]), slider("p", [0, 1]))


# --- progress


def test_progress_outside_a_kernel_yields_the_same_items():
    assert list(progress(range(5), desc="x")) == [0, 1, 2, 3, 4]
    assert list(progress(iter("abc"), total=3)) == ["a", "b", "c"]
    assert list(progress(iter("abc"))) == ["a", "b", "c"]


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"total": -1}, "total"), ({"total": 2.5}, "total"), ({"desc": 3}, "desc"),
])
def test_progress_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        progress(range(3), **kwargs)


class Handle:
    def __init__(self):
        self.updates = []

    def update(self, bundle, raw):
        assert raw
        self.updates.append(bundle)


@pytest.mark.parametrize(("lang", "words"), [
    ("en", ["training: ", "(3 of 3,", "elapsed"]), ("ja", ["学習： ", "3 件中 3 件", "経過"]),
])
def test_progress_in_a_kernel_draws_a_bar_in_the_language_and_leaves_no_trace(
        monkeypatch, lang, words):
    import IPython.display

    i18n.set_language(lang)
    shown = []

    def display(bundle, raw, display_id):
        assert raw and display_id
        shown.append(bundle)
        return handle

    handle = Handle()
    monkeypatch.setattr(progress_module, "_kernel_shell", lambda: object())
    monkeypatch.setattr(IPython.display, "display", display)
    items = list(progress([1, 2, 3], desc=i18n.choose("training", "学習")))
    assert items == [1, 2, 3]
    assert shown == [{"text/html": DONE}]
    texts = [bundle["text/plain"] for bundle in handle.updates if "text/plain" in bundle]
    assert texts and all(word in texts[-1] for word in words), texts
    assert "<progress" in handle.updates[-2]["text/html"]
    assert handle.updates[-1] == {"text/html": DONE}, "the finished bar leaves an empty element"


NOTEBOOK_CELLS = [
    "import ilib\nfrom ilib.widgets import explorer, slider\nimport matplotlib.pyplot as plt\n"
    "ilib.setup('ja')",
    "total = 0\nfor k in ilib.progress(range(4), desc='学習'):\n    total += k\nprint(total)",
    "def draw(p):\n    fig, ax = plt.subplots(figsize=(2, 1))\n    ax.plot([0, 1], [0, p])\n"
    "    return fig, f'p = {p:.1f}'\n\n"
    "explorer(draw, slider('p', [0.0, 0.5, 1.0], label='確率 p'), caption='例')",
]


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """A small notebook with a bar and a slider, executed as `make execute` does."""
    path = tmp_path_factory.mktemp("nb") / "progress.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in NOTEBOOK_CELLS]
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={
        "metadata": {"path": str(ROOT)}}).execute()
    nbformat.write(nb, path)
    return path, nb


def test_stored_notebook_holds_an_empty_trace_of_the_bar_and_every_frame(executed):
    _, nb = executed
    loop = nb.cells[1].outputs
    assert [o.output_type for o in loop] == ["display_data", "stream"]
    assert loop[0].data == {"text/html": DONE}
    assert loop[1].name == "stdout" and loop[1].text == "6\n"
    slider_output = nb.cells[2].outputs[-1]
    page = slider_output.data["text/html"]
    assert all(frame is not None for frame in _payload(page)["frames"])
    assert "確率 p" in page and "application/vnd.jupyter.widget-view+json" in slider_output.data


def test_nbval_passes_on_the_stored_notebook_twice(executed):
    path, _ = executed
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval",
               "--nbval-current-env", "--nbval-sanitize-with",
               str(ROOT / "tests" / "nbval_sanitize.cfg"), str(path)]
    for _ in range(2):
        run = subprocess.run(command, cwd=path.parent, capture_output=True, text=True,
                             check=False)
        assert run.returncode == 0, run.stdout[-3000:]


def test_ilib_exports_progress():
    assert ilib.progress is progress
