"""Figures as readers meet them: sharp on high-density screens, with a description.

Chapters draw a figure with matplotlib and hand it to :func:`show` with a
description in the notebook's language. The output carries the PNG (drawn at
twice the figure's dpi and displayed at its natural size) and the description
as ``text/plain``, which nbval compares and the website uses as alt text.

The PNG is reduced to a palette of 256 colours: a plot has few distinct colours,
and a 2x figure then weighs less than a 1x one with full colour, which keeps the
website's pages light. :func:`to_png` is the same conversion for other callers
(the frames of a slider).

Chapter 01, section 1.1, shows the first figure.
"""

import base64
import io

#: Pixels drawn per displayed pixel: 2 keeps labels sharp on high-density screens.
PIXEL_RATIO = 2


def show(fig, alt):
    """Display ``fig`` as a PNG with the description ``alt``, then close it.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to show.
    alt : str
        What the figure shows, in the notebook's language (one or two sentences,
        not a file name): the website's alt text and the output's plain text.

    Raises
    ------
    ValueError
        If ``alt`` is not a non-empty string, or ``fig`` is not a matplotlib figure.
    """
    import matplotlib.pyplot as plt
    from IPython.display import display
    from matplotlib.figure import Figure

    if not isinstance(fig, Figure):
        raise ValueError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError("alt must be a non-empty description of what the figure shows")
    png = to_png(fig)
    plt.close(fig)
    width, height = _png_size(png)
    display(
        {"image/png": base64.b64encode(png).decode("ascii"), "text/plain": alt.strip()},
        raw=True,
        metadata={"image/png": {"width": width // PIXEL_RATIO, "height": height // PIXEL_RATIO}},
    )


def to_png(fig):
    """The PNG bytes of ``fig`` at :data:`PIXEL_RATIO` times its dpi, with a 256-colour palette.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to draw (left open).

    Returns
    -------
    bytes
        A palette PNG, deterministic for a given figure (no dithering, no timestamp).
    """
    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=PIXEL_RATIO * fig.dpi, bbox_inches="tight",
                metadata={"Software": None})
    buffer.seek(0)
    image = Image.open(buffer).convert("RGB")
    palette = image.quantize(colors=256, method=Image.Quantize.FASTOCTREE,
                             dither=Image.Dither.NONE)
    out = io.BytesIO()
    palette.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _png_size(png):
    """Width and height in pixels, read from the PNG's IHDR chunk."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
