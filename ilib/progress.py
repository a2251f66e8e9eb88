"""Progress for loops a reader waits on (training runs, sweeps).

:func:`progress` wraps an iterable. It is the single place where the book's
progress bars are made, so that chapters and ilib's training loops show the
same kind of bar, labelled in the notebook's language.
"""


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
    """
    del total, desc  # the bar itself is drawn by the students' edition (see CONTRIBUTING.md)
    return iterable
