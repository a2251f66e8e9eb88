"""Words that ilib shows, in the notebook's language.

``ilib.setup(lang=...)`` sets the language once per notebook; ilib's messages
then pick their wording with :func:`choose`, and :func:`ljust` / :func:`rjust`
align printed tables by display width (a Japanese character takes two columns).
"""

import unicodedata

from ilib import _validate

LANGUAGES = ("en", "ja")

_state = {"lang": "en"}


def set_language(lang):
    """Set the language of ilib's labels (``"en"`` or ``"ja"``)."""
    _state["lang"] = _validate.one_of(lang, "lang", LANGUAGES)


def language():
    """The language set by :func:`ilib.setup` (``"en"`` by default)."""
    return _state["lang"]


def choose(en, ja):
    """Return ``en`` or ``ja`` according to the current language."""
    return ja if _state["lang"] == "ja" else en


def width(text):
    """Columns ``text`` takes in a monospaced font: 2 for each wide (East Asian) character."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in str(text))


def ljust(text, columns):
    """``text`` padded with spaces on the right to ``columns`` display columns."""
    text = str(text)
    return text + " " * max(columns - width(text), 0)


def rjust(text, columns):
    """``text`` padded with spaces on the left to ``columns`` display columns."""
    text = str(text)
    return " " * max(columns - width(text), 0) + text
