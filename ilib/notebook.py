"""Set-up shared by every chapter notebook: seeds, threads, fonts, style.

Every notebook's first code cell is ``ilib.setup(lang)``. Each step serves
determinism (CONTRIBUTING.md): the same numbers on every run and every machine,
so that nbval can compare a fresh run with the stored outputs.
"""

import os
import random

import numpy as np

from ilib import _validate, i18n

#: Threads used by NumPy's BLAS and by torch; fixed so that a 2-core laptop and
#: a 64-core server sum floating-point numbers in the same order.
THREADS = 1

_STYLE = {
    "figure.figsize": (6.4, 3.6),
    # At 100 dpi a figure shown at its natural size on the website (ilib.figures draws
    # it at 2x pixels) has 11-point labels of 15 CSS px, larger than the site's small
    # text; the site shrinks no figure below 55% of that width (labels >= 8 px).
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 11,
    "svg.hashsalt": "ilib",
}


def _limit_threads():
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(THREADS)
    from threadpoolctl import threadpool_limits

    threadpool_limits(THREADS)


def setup(lang="en", seed=0):
    """Prepare a chapter notebook: language, seeds, threads, fonts and style.

    Seeds Python's ``random``, NumPy's legacy global generator and torch;
    asks torch for deterministic algorithms; limits NumPy and torch to
    :data:`THREADS` threads so printed numbers do not depend on the core
    count; sets a common matplotlib style and, for Japanese, a font with
    Japanese glyphs (IPAex Gothic from ``matplotlib-fontja``).

    See the preface of every chapter (its first code cell).

    Parameters
    ----------
    lang : {"en", "ja"}
        Language of the notebook; labels drawn by ilib follow it.
    seed : int, default 0
        Seed for Python, NumPy and torch.

    Raises
    ------
    ValueError
        If ``lang`` is not ``"en"`` or ``"ja"``, or ``seed`` is not a
        non-negative integer.
    """
    i18n.set_language(lang)
    seed = _validate.non_negative_int(seed, "seed")
    _limit_threads()

    import matplotlib
    import matplotlib.pyplot as plt
    import torch

    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 -- chapters use the legacy global generator, as the sources do
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(THREADS)
    if torch.get_num_interop_threads() != THREADS:
        try:
            torch.set_num_interop_threads(THREADS)
        except RuntimeError:  # only allowed before torch's first parallel work
            pass

    matplotlib.rcParams.update(_STYLE)
    if lang == "ja":
        import matplotlib_fontja

        matplotlib_fontja.japanize()
    _png_figures()
    plt.close("all")


def _png_figures():
    """Inline figures as PNG only: SVG embeds a date and differs on every run."""
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: no inline figures to configure
        return
    shell = get_ipython()
    if shell is not None and hasattr(shell, "kernel"):
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("png")
