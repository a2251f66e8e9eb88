"""ilib.figures: what the website shows of a figure."""

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from ilib import figures  # noqa: E402


def _figure():
    fig, ax = plt.subplots(figsize=(3, 2), dpi=50)
    x = np.linspace(0, 1, 50)
    ax.plot(x, x**2, label="x²")
    ax.imshow(np.arange(16).reshape(4, 4), extent=(0, 0.3, 0, 0.3))
    ax.legend()
    return fig


def test_png_has_twice_the_pixels_and_a_palette():
    fig = _figure()
    reference = io.BytesIO()
    fig.savefig(reference, format="png", dpi=100, bbox_inches="tight")
    full = Image.open(reference)
    png = figures.to_png(fig)
    plt.close(fig)
    image = Image.open(io.BytesIO(png))
    assert image.size == full.size, "drawn at PIXEL_RATIO x dpi"
    assert image.mode == "P" and len(png) < len(reference.getvalue())
    # Colours stay close: no channel of any pixel moves by more than a few levels on average.
    error = np.abs(np.asarray(image.convert("RGB"), float) - np.asarray(full.convert("RGB"), float))
    assert error.mean() < 2.0


def test_png_is_deterministic():
    fig = _figure()
    assert figures.to_png(fig) == figures.to_png(fig)
    plt.close(fig)


def test_show_displays_png_with_alt_text_at_natural_size(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: shown.append((a, k)))
    fig = _figure()
    figures.show(fig, alt="A parabola.")
    (data,), options = shown[0]
    assert data["text/plain"] == "A parabola."
    size = options["metadata"]["image/png"]
    image = Image.open(io.BytesIO(__import__("base64").b64decode(data["image/png"])))
    assert (size["width"], size["height"]) == (image.size[0] // 2, image.size[1] // 2)


@pytest.mark.parametrize("alt", ["", "  ", None])
def test_show_needs_a_description(alt):
    fig = _figure()
    with pytest.raises(ValueError, match="alt"):
        figures.show(fig, alt=alt)
    plt.close(fig)
