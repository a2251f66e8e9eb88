"""Progress for loops a reader waits on (training runs, sweeps).

:func:`progress` wraps an iterable. It is the single place where the book's
progress bars are made, so that chapters and ilib's training loops show the
same kind of bar, labelled in the notebook's language.

In a Jupyter kernel the bar is a tqdm bar drawn as HTML in the cell's output
while the loop runs, and it leaves nothing visible behind: the output it
occupied ends as an empty, hidden element (:data:`DONE`), the same on every
run, so nbval compares it like any other output and the website shows nothing
for it. Outside a kernel it is tqdm's terminal bar on stderr, shown only when
stderr is a terminal.
"""

import html
import io
import sys

from tqdm.std import tqdm

from ilib import i18n
from ilib._validate import non_negative_int

#: What a finished bar leaves in the cell's output (the stored notebook holds it).
DONE = '<div class="ilib-progress" hidden></div>'

# tqdm's fields, worded in the notebook's language; rates are left out (they
# change from run to run and say little to a reader).
_FORMAT = {
    ("en", True): "{desc}: {percentage:3.0f}% ({n_fmt} of {total_fmt}, {elapsed} elapsed, "
                  "about {remaining} left)",
    ("ja", True): "{desc}： {percentage:3.0f}%（{total_fmt} 件中 {n_fmt} 件、経過 {elapsed}、"
                  "残り約 {remaining}）",
    ("en", False): "{desc}: {n_fmt} done ({elapsed} elapsed)",
    ("ja", False): "{desc}： {n_fmt} 件完了（経過 {elapsed}）",
}


class _HtmlBar(tqdm):
    """tqdm that draws into one display output of the running cell."""

    def __init__(self, iterable, *, handle, **kwargs):
        self._handle = handle
        # tqdm writes a carriage return to its file on close; nothing must reach stderr.
        super().__init__(iterable, file=io.StringIO(), **kwargs)

    def display(self, msg=None, pos=None):
        text = str(self)
        done, total = self.n, self.total
        bar = (f'<progress value="{done}" max="{total}" style="vertical-align:middle"></progress> '
               if total else "")
        self._handle.update(
            {"text/html": f'<div class="ilib-progress">{bar}<code>{html.escape(text)}</code></div>',
             "text/plain": text},
            raw=True,
        )
        return True


def _kernel_shell():
    """The IPython shell of a Jupyter kernel running this code, or None."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell if getattr(shell, "kernel", None) is not None else None


def progress(iterable, *, total=None, desc=None):
    """Iterate over ``iterable``, showing progress to a reader who waits for it.

    Parameters
    ----------
    iterable : iterable
        What the loop goes over.
    total : int, optional
        Number of items, when ``len(iterable)`` does not say.
    desc : str, optional
        Short label in the notebook's language ("training", 「学習」).

    Returns
    -------
    iterable
        The same items in the same order.

    Raises
    ------
    ValueError
        If ``total`` is not a non-negative integer or ``desc`` is not a string.
    """
    if total is not None:
        total = non_negative_int(total, "total")
    elif hasattr(iterable, "__len__"):
        total = len(iterable)
    if desc is None:
        desc = i18n.choose("progress", "進行状況")
    if not isinstance(desc, str):
        raise ValueError(f"desc must be a string, got {type(desc).__name__}")
    options = {"total": total, "desc": desc, "leave": False, "mininterval": 0.5,
               "bar_format": _FORMAT[i18n.language(), bool(total)]}
    if _kernel_shell() is None:
        return tqdm(iterable, disable=None, **options)
    return _in_cell(iterable, options)


def _in_cell(iterable, options):
    from IPython.display import display

    handle = display({"text/html": DONE}, raw=True, display_id=True)
    bar = _HtmlBar(iterable, handle=handle, **options)
    try:
        yield from bar
    finally:
        bar.close()
        handle.update({"text/html": DONE}, raw=True)
