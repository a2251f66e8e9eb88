"""Build the website: one book per language from one configuration, and a landing page.

``make book`` runs this script. ``_config.yml`` and ``_toc.yml`` are the one
configuration base: ``_toc.yml`` lists the English and the 日本語 part with the
same pages in the same order; each part becomes its own book, built by Jupyter
Book 1 (Sphinx) with the same ``_config.yml`` and a few per-language settings
(:data:`BOOKS`). Two builds rather than one book with two parts, because a
Sphinx build has a single ``language``: only separate builds give Japanese
theme and exercise labels, ``<html lang="ja">``, exercises numbered from 1 in
each language, Previous/Next that stay within one language, and a search index
per language (English stemming, Japanese word splitting).

Output: ``_build/html/en/`` and ``_build/html/ja/`` (each a complete book), and
``_build/html/index.html``, the page where a reader chooses a language.

Usage: ``python sphinx_ext/build_books.py [--all] [en] [ja]`` (both by default;
``--all`` rewrites every page instead of the changed ones).
"""

import argparse
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
HTML = BUILD / "html"

#: The part of ``_toc.yml`` each book is made of, and what differs between the books.
BOOKS = {
    "en": {
        "caption": "English",
        "title": "Information Theory for Machine Learning",
        "search": "Search this book…",
        "contents": "Chapters",
    },
    "ja": {
        "caption": "日本語",
        "title": "機械学習のための情報理論",
        "search": "本書を検索…",
        "contents": "目次",
    },
}


def book_toc(lang):
    """The table of contents of one language's book, taken from ``_toc.yml``.

    The book's home page is ``pages/<lang>/index``; its chapters and pages are
    those of the ``_toc.yml`` part captioned ``BOOKS[lang]["caption"]``.
    """
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    parts = {part["caption"]: part["chapters"] for part in toc["parts"]}
    return {
        "format": "jb-book",
        "root": f"pages/{lang}/index",
        "parts": [{"caption": BOOKS[lang]["contents"], "chapters": parts[BOOKS[lang]["caption"]]}],
    }


def overrides(lang, toc_path):
    """Sphinx settings of one language's book, on top of ``_config.yml``."""
    book = BOOKS[lang]
    return {
        "external_toc_path": toc_path.relative_to(ROOT).as_posix(),
        "language": lang,
        "html_search_language": lang,
        "html_title": book["title"],
        "project": book["title"],
        "html_theme_options": {"search_bar_text": book["search"]},
        "latex_individualpages": False,
        "nitpicky": True,
    }


def build(lang, force_all=False):
    from jupyter_book.sphinx import build_sphinx

    toc_path = BUILD / "toc" / f"{lang}.yml"
    toc_path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(book_toc(lang), allow_unicode=True, sort_keys=False)
    if not toc_path.is_file() or toc_path.read_text(encoding="utf-8") != text:
        toc_path.write_text(text, encoding="utf-8")
    return build_sphinx(
        ROOT,
        HTML / lang,
        noconfig=True,
        path_config=str(ROOT / "_config.yml"),
        confoverrides=overrides(lang, toc_path),
        doctreedir=BUILD / "doctrees" / lang,
        builder="html",
        warningiserror=True,
        keep_going=True,
        force_all=force_all,
        quiet=True,
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("langs", nargs="*", help="en, ja (default: both)")
    parser.add_argument("--all", action="store_true", help="write every page anew")
    args = parser.parse_args(argv)
    unknown = set(args.langs) - set(BOOKS)
    if unknown:
        parser.error(f"unknown language {sorted(unknown)}: choose from {list(BOOKS)}")
    import landing  # next to this script

    landing.write(HTML)  # first: each book's font subset covers its characters too
    failed = [lang for lang in (args.langs or list(BOOKS)) if build(lang, args.all)]
    if failed:
        print(f"the {', '.join(failed)} book did not build without warnings", file=sys.stderr)
        return 1
    print(f"built {HTML / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
