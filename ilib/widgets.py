"""Sliders that work live in Jupyter and as plain HTML on the static website.

:func:`explorer` draws a figure (and a few lines of text) for every point of a
grid of slider values once, when the cell runs. The cell's output then carries

* a live ipywidgets view (``application/vnd.jupyter.widget-view+json``) that
  Jupyter and Binder show, and that redraws for any value the slider reaches;
* a self-contained HTML fallback (``text/html``): an ``<input type="range">``
  that swaps precomputed PNG frames with a few lines of inline JavaScript, no
  kernel and nothing from a CDN. The website prefers this view (``_config.yml``).

Every chapter uses it; chapter 01, section 1.1 introduces it.
"""

import base64
import html
import io
import itertools
import json
from typing import NamedTuple

import numpy as np

from ilib import i18n


class Slider(NamedTuple):
    """One slider of an :func:`explorer`: a keyword of ``draw`` and its values."""

    name: str
    values: tuple
    label: str
    initial: float
    fmt: str


def slider(name, values, *, label=None, initial=None, fmt="{:.2f}"):
    """Describe a slider over the precomputed ``values`` of ``draw``'s keyword ``name``.

    Parameters
    ----------
    name : str
        Keyword argument of the ``draw`` function that this slider sets.
    values : sequence of float
        The grid of values (at least two, increasing) precomputed for the site.
    label : str, optional
        Text shown before the slider; defaults to ``name``.
    initial : float, optional
        Starting value; must be one of ``values``. Defaults to the middle one.
    fmt : str
        Format of the value shown beside the slider.
    """
    vals = tuple(float(v) for v in np.asarray(values, dtype=float).ravel())
    if len(vals) < 2:
        raise ValueError(f"values of slider {name!r} must hold at least two numbers")
    if not np.all(np.isfinite(vals)) or np.any(np.diff(vals) <= 0):
        raise ValueError(f"values of slider {name!r} must be finite and strictly increasing")
    if initial is None:
        initial = vals[len(vals) // 2]
    matches = np.flatnonzero(np.isclose(vals, float(initial)))
    if matches.size == 0:
        raise ValueError(f"initial of slider {name!r} must be one of its values, got {initial!r}")
    return Slider(name, vals, name if label is None else label, vals[matches[0]], fmt)


def _render(draw, params):
    import matplotlib.pyplot as plt

    result = draw(**params)
    fig, text = result if isinstance(result, tuple) else (result, "")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue(), str(text)


def _data_uri(png):
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


_SCRIPT = """<script>
window.ilibExplorerUpdate = window.ilibExplorerUpdate || function (input) {
  var root = input.closest('.ilib-explorer');
  var data = JSON.parse(root.querySelector('script.ilib-frames').textContent);
  var inputs = root.querySelectorAll('input.ilib-slider');
  var index = 0;
  for (var i = 0; i < inputs.length; i++) {
    var k = parseInt(inputs[i].value, 10);
    index = index * data.shape[i] + k;
    inputs[i].parentElement.querySelector('output').textContent = data.labels[i][k];
  }
  root.querySelector('img.ilib-frame').src = data.frames[index][0];
  root.querySelector('pre.ilib-text').textContent = data.frames[index][1];
};
</script>"""


class Explorer:
    """A figure driven by sliders; see :func:`explorer`."""

    def __init__(self, draw, sliders, caption):
        self.draw = draw
        self.sliders = sliders
        self.caption = caption
        grid = itertools.product(*(s.values for s in sliders))
        self.frames = [
            _render(draw, dict(zip((s.name for s in sliders), point, strict=True)))
            for point in grid
        ]
        self._widget = None

    def _initial_index(self):
        index = 0
        for s in self.sliders:
            index = index * len(s.values) + s.values.index(s.initial)
        return index

    def _repr_html_(self):
        start = self._initial_index()
        png, text = self.frames[start]
        controls = []
        for s in self.sliders:
            k = s.values.index(s.initial)
            controls.append(
                '<label style="display:block;margin:0.2em 0">'
                f"{html.escape(s.label)} "
                f'<input class="ilib-slider" type="range" min="0" max="{len(s.values) - 1}" '
                f'step="1" value="{k}" oninput="ilibExplorerUpdate(this)" '
                'style="width:16em;vertical-align:middle"> '
                f"<output>{html.escape(s.fmt.format(s.initial))}</output></label>"
            )
        data = {
            "shape": [len(s.values) for s in self.sliders],
            "labels": [[s.fmt.format(v) for v in s.values] for s in self.sliders],
            "frames": [[_data_uri(p), t] for p, t in self.frames],
        }
        payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
        caption = f"<p><strong>{html.escape(self.caption)}</strong></p>" if self.caption else ""
        return (
            '<div class="ilib-explorer">'
            f"{caption}{''.join(controls)}"
            f'<img class="ilib-frame" alt="{html.escape(self.caption or "")}" '
            f'src="{_data_uri(png)}" style="max-width:100%">'
            f'<pre class="ilib-text">{html.escape(text)}</pre>'
            f'<script type="application/json" class="ilib-frames">{payload}</script>'
            f"{_SCRIPT}"
            f'<p style="font-size:80%;opacity:0.7">{html.escape(i18n.label("static_note"))}</p>'
            "</div>"
        )

    def widget(self):
        """The live ipywidgets view: sliders, the figure and the text."""
        if self._widget is None:
            self._widget = self._build_widget()
        return self._widget

    def _build_widget(self):
        import ipywidgets as widgets

        png, text = self.frames[self._initial_index()]
        image = widgets.Image(value=png, format="png")
        readout = widgets.HTML(value=f"<pre>{html.escape(text)}</pre>")
        controls = []
        for s in self.sliders:
            steps = np.diff(s.values)
            if np.allclose(steps, steps[0]):
                control = widgets.FloatSlider(
                    value=s.initial, min=s.values[0], max=s.values[-1], step=float(steps[0]),
                    description=s.label, readout_format=s.fmt.strip("{}:") or ".2f",
                    continuous_update=True, style={"description_width": "initial"},
                )
            else:
                control = widgets.SelectionSlider(
                    options=[(s.fmt.format(v), v) for v in s.values], value=s.initial,
                    description=s.label, style={"description_width": "initial"},
                )
            controls.append(control)

        def redraw(_change=None):
            params = {s.name: float(c.value) for s, c in zip(self.sliders, controls, strict=True)}
            new_png, new_text = _render(self.draw, params)
            image.value = new_png
            readout.value = f"<pre>{html.escape(new_text)}</pre>"

        for control in controls:
            control.observe(redraw, names="value")
        return widgets.VBox([*controls, image, readout])

    def __repr__(self):
        sizes = ", ".join(f"{s.name}: {len(s.values)} values" for s in self.sliders)
        return f"Explorer({sizes})"

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/plain": repr(self), "text/html": self._repr_html_()}
        try:
            view = self.widget()._repr_mimebundle_()
        except Exception:  # no kernel with comms (e.g. plain Python): HTML only
            view = None
        if view:
            bundle["application/vnd.jupyter.widget-view+json"] = view[
                "application/vnd.jupyter.widget-view+json"
            ]
        return bundle


def explorer(draw, *sliders, caption=None):
    """Interactive figure: ``draw(**values)`` for every combination of slider values.

    ``draw`` returns a matplotlib figure, or a pair ``(figure, text)`` whose
    text (a few lines of numbers) is shown under the figure. Every combination
    of the sliders' values is drawn once so that the static website can swap
    the frames without a kernel; keep the grid small (tens of frames).

    See chapter 01, section 1.1, for the first use.

    Parameters
    ----------
    draw : callable
        Function of the sliders' keywords returning a figure or ``(figure, text)``.
    *sliders : Slider
        Made with :func:`slider`.
    caption : str, optional
        Title shown above the sliders.

    Returns
    -------
    Explorer
        Displaying it shows the live widget in Jupyter and the HTML fallback elsewhere.
    """
    if not sliders:
        raise ValueError("sliders must name at least one slider")
    if not callable(draw):
        raise ValueError("draw must be callable")
    names = [s.name for s in sliders]
    if len(set(names)) != len(names):
        raise ValueError(f"sliders must have distinct names, got {names}")
    return Explorer(draw, list(sliders), caption)
