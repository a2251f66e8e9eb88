"""ilib.setup, ilib.i18n and ilib.widgets: the plumbing every chapter uses."""

import random

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

import ilib
from ilib import i18n
from ilib.widgets import explorer, slider


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    i18n.set_language("en")


def test_setup_seeds_python_numpy_and_torch():
    ilib.setup("en", seed=3)
    first = (random.random(), np.random.rand(), torch.rand(1).item())  # noqa: NPY002
    ilib.setup("en", seed=3)
    again = (random.random(), np.random.rand(), torch.rand(1).item())  # noqa: NPY002
    assert again == first


def test_setup_fixes_threads_and_determinism():
    ilib.setup("en")
    assert torch.get_num_threads() == 1
    assert torch.are_deterministic_algorithms_enabled()
    from threadpoolctl import threadpool_info

    assert all(pool["num_threads"] == 1 for pool in threadpool_info())


def test_setup_japanese_uses_a_font_with_japanese_glyphs():
    from matplotlib import font_manager

    ilib.setup("ja")
    family = matplotlib.rcParams["font.family"][0]
    path = font_manager.findfont(family, fallback_to_default=False)
    assert "ipaex" in path.lower()
    fig, ax = plt.subplots()
    ax.set_title("エントロピー")
    fig.canvas.draw()  # would warn "Glyph missing" without the font
    plt.close(fig)
    assert i18n.language() == "ja"


@pytest.mark.parametrize("lang", ["fr", "", None, "EN"])
def test_setup_rejects_an_unknown_language(lang):
    with pytest.raises(ValueError, match=r"^lang must be one of 'en', 'ja', got"):
        ilib.setup(lang)


@pytest.mark.parametrize("seed", [-1, 1.5, "0", True])
def test_setup_rejects_a_bad_seed(seed):
    with pytest.raises(ValueError, match="^seed must be"):
        ilib.setup("en", seed=seed)


def test_labels_follow_the_language():
    i18n.set_language("en")
    assert i18n.label("static_note").startswith("Precomputed frames")
    assert i18n.choose("a", "b") == "a"
    i18n.set_language("ja")
    assert i18n.label("static_note").startswith("事前計算したフレーム")
    assert i18n.choose("a", "b") == "b"
    with pytest.raises(ValueError, match="key"):
        i18n.label("no such label")


def _draw(p, q=0.0):
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, 1], [p, q])
    return fig, f"p = {p:.2f}, q = {q:.2f}"


def test_explorer_precomputes_every_combination():
    ex = explorer(_draw, slider("p", [0.1, 0.2, 0.3]), slider("q", [0.0, 1.0], initial=1.0))
    assert len(ex.frames) == 6
    assert ex.frames[3][1] == "p = 0.20, q = 1.00"
    assert ex.frames[ex._initial_index()][1] == "p = 0.20, q = 1.00"
    assert len({png for png, _ in ex.frames}) == 6, "every frame is a different picture"
    assert repr(ex) == "Explorer(p: 3 values, q: 2 values)"


def test_explorer_html_is_self_contained_and_has_a_slider_per_parameter():
    ex = explorer(_draw, slider("p", [0.1, 0.2, 0.3], label="P"), caption="demo")
    page = ex._repr_html_()
    assert page.count('type="range"') == 1
    assert page.count("data:image/png;base64,") == 1 + 3
    assert "http" not in page and "<script src" not in page
    assert "ilibExplorerUpdate" in page and "p = 0.20, q = 0.00" in page


def test_explorer_bundle_offers_html_without_a_kernel():
    ex = explorer(_draw, slider("p", [0.1, 0.2]))
    bundle = ex._repr_mimebundle_()
    assert bundle["text/plain"] == "Explorer(p: 2 values)"
    assert "text/html" in bundle


def test_explorer_live_widget_redraws_for_any_value():
    ex = explorer(_draw, slider("p", [0.0, 0.5, 1.0]))
    box = ex.widget()
    control, image, readout = box.children
    control.value = 0.25  # between precomputed values: drawn anew
    assert "p = 0.25" in readout.value
    assert image.value[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("values", "initial", "match"),
    [([0.1], None, "at least two"), ([0.2, 0.1], None, "increasing"),
     ([0.1, np.nan], None, "finite"), ([0.1, 0.2], 0.15, "initial")],
)
def test_slider_rejects_bad_values(values, initial, match):
    with pytest.raises(ValueError, match=match):
        slider("p", values, initial=initial)


def test_explorer_rejects_bad_arguments():
    with pytest.raises(ValueError, match="sliders"):
        explorer(_draw)
    with pytest.raises(ValueError, match="draw"):
        explorer(42, slider("p", [0, 1]))
    with pytest.raises(ValueError, match="distinct"):
        explorer(_draw, slider("p", [0, 1]), slider("p", [0, 1]))


def test_tables_align_by_display_width():
    # a Japanese character takes two columns of a monospaced font (East Asian width W or F)
    assert i18n.width("エントロピー") == 12 and i18n.width("H(X)") == 4
    assert i18n.width("ｱ") == 1, "half-width katakana takes one column"
    rows = [i18n.ljust("エントロピー", 14) + "|", i18n.ljust("entropy", 14) + "|"]
    assert [i18n.width(row) for row in rows] == [15, 15]
    assert i18n.rjust("確率", 6) == "  確率" and i18n.rjust("too long", 3) == "too long"
