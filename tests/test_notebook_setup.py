"""ilib.setup and ilib.i18n: the plumbing every chapter uses (widgets: test_widgets.py)."""

import random

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

import ilib
from ilib import i18n


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
    assert i18n.choose("a", "b") == "a"
    i18n.set_language("ja")
    assert i18n.choose("a", "b") == "b"
