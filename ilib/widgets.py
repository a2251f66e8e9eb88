"""Sliders that work live in Jupyter and as plain HTML on the static website.

:func:`explorer` shows a figure (and a few lines of numbers) for one point of
a grid of slider values. The cell's output carries

* a live ipywidgets view (``application/vnd.jupyter.widget-view+json``) that
  JupyterLab and Binder show: the caption, the sliders, the numbers, then the
  figure at its natural size (frames are drawn at twice the pixels, like
  :func:`ilib.show`, and displayed at half);
* a self-contained HTML fallback (``text/html``): an ``<input type="range">``
  per slider that swaps precomputed PNG frames with a few lines of inline
  JavaScript, no kernel and nothing from a CDN. The website prefers this view
  (``_config.yml``).

When frames are drawn depends on who runs the notebook (:func:`frame_mode`).
Storing a notebook (``make execute``, nbval, the website's source) draws every
frame when the cell runs, so that the static slider has them all. A student in
JupyterLab or on Binder gets the first frame at once and every other one when
a slider first reaches it, so that enlarging a grid costs nothing up front;
the HTML fallback of such a run carries the frames drawn so far and says that
running the cell makes the slider live.

Every chapter uses it; chapter 01, section 1.1 introduces it.
"""

import base64
import html
import io
import json
import os
from typing import NamedTuple

import numpy as np

from ilib import i18n
from ilib.figures import PIXEL_RATIO
from ilib.progress import progress

#: Environment variable that chooses when frames are drawn: ``all`` or ``lazy``.
FRAMES_VARIABLE = "ILIB_FRAMES"

_TEXT = {
    "no_frame": {
        "en": "No picture for {values}: draw({call}) raised {error}. Compute what the figure "
              "needs for this value (for example, train that model) and run the cell again.",
        "ja": "{values} の図はありません。draw({call}) が {error} を送出しました。この値に必要な"
              "計算（たとえばそのモデルの学習）をしてから、セルをもう一度実行してください。",
    },
    "static_js": {
        "en": "Precomputed frames: this slider works without a running kernel.",
        "ja": "事前に描いた図を切り替えるスライダーです。カーネルなしで動きます。",
    },
    "static_nojs": {
        "en": "A stored copy of the output: run this cell to make the slider live.",
        "ja": "保存された出力の写しです。このセルを実行するとスライダーが動くようになります。",
    },
    "partial": {
        "en": "Frames are drawn when a slider reaches them; this stored copy holds {n} of {total}. "
              "Run this cell to make the slider live.",
        "ja": "図はスライダーがその値に来たときに描きます。保存された写しにある図は {total} 枚中 "
              "{n} 枚です。このセルを実行するとスライダーが動くようになります。",
    },
    "drawing": {"en": "drawing the slider's frames", "ja": "スライダーの図を描画"},
}


def _text(key, **fields):
    return _TEXT[key][i18n.language()].format(**fields)


def frame_mode():
    """When an :func:`explorer` draws its frames: ``"all"`` at once, or ``"lazy"``.

    ``ILIB_FRAMES=all`` or ``ILIB_FRAMES=lazy`` decides (the Makefile sets
    ``all`` for ``make execute`` and ``make nbval``). Without it, a kernel
    started by a Jupyter server for a notebook (JupyterLab, Notebook, Binder:
    they set ``JPY_SESSION_NAME``) is ``"lazy"``, and everything else
    (nbclient, nbval, plain Python) is ``"all"``, so a stored notebook and its
    check carry every frame.

    Raises
    ------
    ValueError
        If ``ILIB_FRAMES`` is set to something else.
    """
    mode = os.environ.get(FRAMES_VARIABLE, "")
    if mode in ("all", "lazy"):
        return mode
    if mode:
        raise ValueError(f"{FRAMES_VARIABLE} must be 'all' or 'lazy', got {mode!r}")
    return "lazy" if os.environ.get("JPY_SESSION_NAME") else "all"


class Slider(NamedTuple):
    """One slider of an :func:`explorer`: a keyword of ``draw`` and its values."""

    name: str
    values: tuple
    label: str
    initial: float
    fmt: str


def slider(name, values, *, label=None, initial=None, fmt="{:.2f}"):
    """Describe a slider over the ``values`` of ``draw``'s keyword ``name``.

    Parameters
    ----------
    name : str
        Keyword argument of the ``draw`` function that this slider sets.
    values : sequence of float
        The grid of values the slider steps through (at least two, increasing).
    label : str, optional
        Text shown before the slider, in the notebook's language; defaults to ``name``.
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
    try:
        fmt.format(vals[0])
    except (ValueError, IndexError, KeyError) as error:
        raise ValueError(f"fmt of slider {name!r} must format one number: {error}") from None
    return Slider(name, vals, name if label is None else label, vals[matches[0]], fmt)


def _png_size(png):
    """Width and height in pixels, read from the PNG's IHDR chunk."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def _data_uri(png):
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


# Defined once per page; every explorer's inputs call it. After the first run
# it also swaps each explorer's note for the one that says the slider works,
# which a reader without JavaScript (an untrusted notebook in JupyterLab) never sees.
_SCRIPT = """<script>
window.ilibExplorerUpdate = window.ilibExplorerUpdate || function (input) {
  var root = input.closest('.ilib-explorer');
  var data = JSON.parse(root.querySelector('script.ilib-frames').textContent);
  var inputs = root.querySelectorAll('input.ilib-slider');
  var index = 0;
  for (var i = 0; i < inputs.length; i++) {
    var k = parseInt(inputs[i].value, 10);
    index = index * data.shape[i] + k;
    inputs[i].setAttribute('aria-valuetext', data.labels[i][k]);
    inputs[i].parentElement.querySelector('output').textContent = data.labels[i][k];
  }
  var frame = data.frames[index];
  var image = root.querySelector('img.ilib-frame');
  if (frame) {
    image.src = frame[0];
    image.style.opacity = '';
    root.querySelector('pre.ilib-text').textContent = frame[1];
  } else {
    image.style.opacity = '0.3';
    root.querySelector('pre.ilib-text').textContent = root.getAttribute('data-missing');
  }
};
document.querySelectorAll('.ilib-explorer .ilib-note').forEach(function (note) {
  note.textContent = note.getAttribute('data-js');
});
</script>"""

# A keyboard user must see which slider has the focus: a ring, on the static range
# inputs and on the live widget's handles (ipywidgets only recolours those).
_STYLE = """<style>
.ilib-explorer input.ilib-slider:focus-visible,
.ilib-live .noUi-handle:focus-visible{outline:3px solid #1a73e8;outline-offset:2px}
</style>"""


class Explorer:
    """A figure driven by sliders; see :func:`explorer`."""

    def __init__(self, draw, sliders, caption):
        self.draw = draw
        self.sliders = sliders
        self.caption = caption
        self.shape = tuple(len(s.values) for s in sliders)
        self._frames = {}
        self._widget = None
        start = self._initial_index()
        if frame_mode() == "all":
            total = int(np.prod(self.shape))
            for index in progress(range(total), total=total, desc=_text("drawing")):
                self._frames[index] = self._draw(index, strict=True)
        else:
            self._frames[start] = self._draw(start, strict=True)

    @property
    def frames(self):
        """The frames drawn so far, in grid order: a list of ``(png, text)``."""
        return [self._frames[k] for k in sorted(self._frames)]

    def _point(self, index):
        """Slider values of the grid point ``index`` (last slider fastest)."""
        point = np.unravel_index(index, self.shape)
        return {s.name: s.values[k] for s, k in zip(self.sliders, point, strict=True)}

    def _initial_index(self):
        return int(np.ravel_multi_index(
            [s.values.index(s.initial) for s in self.sliders], self.shape))

    def _draw(self, index, *, strict):
        """The frame at ``index``: (png, text), or (None, message) if ``draw`` fails there.

        ``strict`` turns the failure into a ValueError with the same message, for
        frames drawn when the cell runs (the student sees it as the cell's error).
        """
        import matplotlib.pyplot as plt

        params = self._point(index)
        try:
            result = self.draw(**params)
        except LookupError as error:  # KeyError, IndexError: nothing computed for this value
            values = ", ".join(f"{s.label} = {s.fmt.format(params[s.name])}" for s in self.sliders)
            call = ", ".join(f"{k}={v!r}" for k, v in params.items())
            message = _text("no_frame", values=values, call=call,
                            error=f"{type(error).__name__}: {error}")
            if strict:
                raise ValueError(message) from error
            return None, message
        fig, text = result if isinstance(result, tuple) else (result, "")
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=PIXEL_RATIO * fig.dpi, bbox_inches="tight",
                    metadata={"Software": None})
        plt.close(fig)
        return buffer.getvalue(), str(text)

    def frame(self, index):
        """The frame at grid ``index``, drawn on first use: ``(png or None, text)``."""
        if index not in self._frames:
            self._frames[index] = self._draw(index, strict=False)
        return self._frames[index]

    def _repr_html_(self):
        start = self._initial_index()
        png, text = self._frames[start]
        width, height = _png_size(png)
        total = int(np.prod(self.shape))
        complete = len(self._frames) == total
        partial = _text("partial", n=len(self._frames), total=total)
        controls = []
        for s in self.sliders:
            k = s.values.index(s.initial)
            shown = s.fmt.format(s.initial)
            controls.append(
                '<label style="display:block;margin:0.2em 0">'
                f"{html.escape(s.label)} "
                f'<input class="ilib-slider" type="range" min="0" max="{len(s.values) - 1}" '
                f'step="1" value="{k}" aria-valuetext="{html.escape(shown)}" '
                'oninput="ilibExplorerUpdate(this)" style="width:16em;vertical-align:middle"> '
                f"<output>{html.escape(shown)}</output></label>"
            )
        data = {
            "shape": list(self.shape),
            "labels": [[s.fmt.format(v) for v in s.values] for s in self.sliders],
            "frames": [
                [_data_uri(self._frames[k][0]), self._frames[k][1]]
                if k in self._frames and self._frames[k][0] is not None else None
                for k in range(total)
            ],
        }
        payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
        caption = f"<p><strong>{html.escape(self.caption)}</strong></p>" if self.caption else ""
        note_js = _text("static_js") if complete else partial
        return (
            f'<div class="ilib-explorer" lang="{i18n.language()}" '
            f'data-missing="{html.escape(partial)}">'
            f"{_STYLE}{caption}{''.join(controls)}"
            f'<pre class="ilib-text" aria-live="polite">{html.escape(text)}</pre>'
            f'<img class="ilib-frame" alt="{html.escape(self.caption or text)}" '
            f'src="{_data_uri(png)}" width="{width // PIXEL_RATIO}" '
            f'height="{height // PIXEL_RATIO}" style="max-width:100%;height:auto">'
            f'<script type="application/json" class="ilib-frames">{payload}</script>'
            f'<p class="ilib-note" data-js="{html.escape(note_js)}" '
            f'style="font-size:80%;opacity:0.7">{html.escape(_text("static_nojs"))}</p>'
            f"{_SCRIPT}"
            "</div>"
        )

    def widget(self):
        """The live ipywidgets view: caption, sliders, numbers, then the figure."""
        if self._widget is None:
            self._widget = self._build_widget()
        return self._widget

    def _build_widget(self):
        import ipywidgets as widgets

        png, text = self._frames[self._initial_index()]
        width, height = _png_size(png)
        image = widgets.Image(
            value=png, format="png",
            layout=widgets.Layout(width=f"{width // PIXEL_RATIO}px", max_width="100%",
                                  height="auto", object_fit="contain"),
        )
        def numbers(lines):
            return f"{_STYLE}<pre style='margin:0' aria-live='polite'>{html.escape(lines)}</pre>"

        readout = widgets.HTML(value=numbers(text))
        controls = [
            widgets.SelectionSlider(
                options=[(s.fmt.format(v), k) for k, v in enumerate(s.values)],
                value=s.values.index(s.initial), description=s.label,
                continuous_update=False, style={"description_width": "initial"},
                layout=widgets.Layout(width="28em", max_width="100%"),
            )
            for s in self.sliders
        ]

        def redraw(_change=None):
            index = int(np.ravel_multi_index([c.value for c in controls], self.shape))
            new_png, new_text = self.frame(index)
            if new_png is None:
                image.layout.opacity = "0.3"
            else:
                image.value = new_png
                image.layout.opacity = "1"
            readout.value = numbers(new_text)

        for control in controls:
            control.observe(redraw, names="value")
        parts = [*controls, readout, image]
        if self.caption:
            parts.insert(0, widgets.HTML(value=f"<strong>{html.escape(self.caption)}</strong>"))
        box = widgets.VBox(parts, layout=widgets.Layout(align_items="flex-start"))
        box.add_class("ilib-live")
        return box

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
    """Interactive figure: ``draw(**values)`` for the sliders' values.

    ``draw`` returns a matplotlib figure, or a pair ``(figure, text)`` whose
    text (a few lines of numbers) is shown above the figure. A stored notebook
    carries a frame for every combination of the sliders' values, so that the
    static website can swap them without a kernel: keep the grid small (tens
    of frames). In a live JupyterLab session frames are drawn on first use
    (:func:`frame_mode`). Where ``draw`` has nothing for a value (it raises
    ``KeyError``, ``IndexError`` or another ``LookupError``, e.g. a model not
    trained for it) the slider says so in the notebook's language.

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

    Raises
    ------
    ValueError
        If ``sliders`` is empty or has repeated names, ``draw`` is not callable,
        or ``draw`` has nothing for a value whose frame is drawn when the cell runs.
    """
    if not sliders:
        raise ValueError("sliders must name at least one slider")
    if not all(isinstance(s, Slider) for s in sliders):
        raise ValueError("sliders must be made with ilib.widgets.slider")
    if not callable(draw):
        raise ValueError("draw must be callable")
    names = [s.name for s in sliders]
    if len(set(names)) != len(names):
        raise ValueError(f"sliders must have distinct names, got {names}")
    return Explorer(draw, list(sliders), caption)
