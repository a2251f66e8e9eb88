"""Sphinx additions for the book's website (loaded from ``_config.yml``).

The site is two books, one per language (``sphinx_ext/build_books.py``). This
extension makes each of them whole for every reader and device:

* **Language.** Japanese labels where the theme's extensions fix English at
  import time (sphinx-togglebutton's hints), a language switch in the header of
  every page that lands on the same page of the other book (and on the same
  section: see ``templates/lang-switch.html``), and links written in the
  chapters to the counterpart file (``[English version](../en/01_entropy.ipynb)``)
  rewritten into links to the other book.
* **Search.** Japanese pages are indexed by overlapping character pairs
  (bigrams) of Japanese text, and queries are split the same way in the
  browser, so a term such as 相互情報量 finds every page that contains it,
  whatever the surrounding words (a word segmenter splits a term differently
  in different sentences). English pages keep Sphinx's English stemming.
* **Alt text.** A figure drawn by ``ilib.show`` carries its description as the
  output's ``text/plain``; myst-nb keeps only the PNG, so the description is
  read back from the notebook and set as the image's alt text.
* **Weight.** Slider frames (base64 PNGs in the HTML fallback of
  ``ilib.widgets``) are written as image files, which the browser fetches only
  when a slider moves; MathJax only on pages with math; theme icons as a small
  CSS file of SVG masks instead of the 1.5 MB Font Awesome script; Japanese
  text in the system's Japanese font when there is one, else in a subset of
  IPAex Gothic holding only the characters the book uses (``sphinx_ext/site_fonts.py``).
* sphinx-thebe adds its inline configuration script twice under Sphinx 7 (once
  to the registry and once to the already-initialised builder); the second
  copy re-declares a ``const`` and the browser reports a SyntaxError on every
  page. Keep only the first copy of each script.
"""

import base64
import hashlib
import json
import posixpath
import re
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.search import languages
from sphinx.search.ja import SearchJapanese
from sphinx.transforms.post_transforms import SphinxPostTransform

HERE = Path(__file__).resolve().parent
LANGS = ("en", "ja")
#: The label of the switch to the other language, in that language.
SWITCH_LABEL = {"en": "English", "ja": "日本語"}
SWITCH_TITLE = {"en": "Read this page in English", "ja": "このページを日本語で読む"}
TOGGLE_HINTS = {"ja": ("クリックして表示", "クリックして非表示")}
FRAMES_DIR = "_images/frames"
SITE_CSS = "site.css"


# --- language -------------------------------------------------------------------

def other_language(lang):
    return LANGS[1 - LANGS.index(lang)]


def counterpart(docname, lang):
    """The docname of the same page in the other language (``chapters/en/x`` → ``chapters/ja/x``).
    """
    parts = docname.split("/")
    other = other_language(lang)
    return "/".join(other if p == lang else p for p in parts)


def url_to_other_book(docname, target, lang, anchor=""):
    """Relative URL from page ``docname`` of the ``lang`` book to ``target`` in the other book."""
    up = "../" * (docname.count("/") + 1)  # up to _build/html/, above both books
    return f"{up}{other_language(lang)}/{target}.html" + (f"#{anchor}" if anchor else "")


class CrossLanguageLinks(SphinxPostTransform):
    """Turn links to a page of the other language into links to the other book.

    Runs before the reference resolvers (priority 10 and up), which would
    otherwise report the other language's files as missing documents.
    """

    default_priority = 5

    def run(self):
        lang = self.config.language
        other = other_language(lang)
        for node in list(self.document.findall(addnodes.pending_xref)):
            target = node.get("reftarget", "")
            if node.get("refdomain") != "doc" or f"/{other}/" not in f"/{target}":
                continue
            uri = url_to_other_book(self.env.docname, target, lang, node.get("reftargetid") or "")
            ref = nodes.reference("", "", *node.children[0].children if node.children else [],
                                  refuri=uri, internal=False)
            ref["classes"].append("ilib-other-language")
            node.replace_self(ref)


def _language_settings(app, config):
    lang = config.language
    if lang in TOGGLE_HINTS:
        config.togglebutton_hint, config.togglebutton_hint_hide = TOGGLE_HINTS[lang]
    if lang == "ja":
        languages["ja"] = SearchJapaneseBigrams
        config.html_search_options = {}


def _math_fonts(app, config):
    """MathJax's own fonts have no Japanese: 「P(\\text{表})」 is drawn with the page's Japanese
    fonts, not with "serif", which shows a blank where no Japanese serif font is installed."""
    import site_fonts

    settings = dict(config.mathjax3_config or {})
    settings["chtml"] = {"unknownFamily": site_fonts.MATH_UNKNOWN, **settings.get("chtml", {})}
    config.mathjax3_config = settings


def _switch_context(app, pagename, templatename, context, doctree):
    lang = app.config.language
    if lang not in LANGS:
        return
    other = other_language(lang)
    context["ilib_lang_switch"] = {
        "href": url_to_other_book(pagename, counterpart(pagename, lang), lang),
        "lang": other,
        "label": SWITCH_LABEL[other],
        "title": SWITCH_TITLE[other],
    }


# --- search ---------------------------------------------------------------------

_JAPANESE = "\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
_TOKENS = re.compile(rf"[{_JAPANESE}]+|[^\W{_JAPANESE}]+")
_IS_JAPANESE = re.compile(rf"[{_JAPANESE}]")


def split_japanese(text):
    """Words of ``text``: Latin words whole, Japanese runs as overlapping bigrams."""
    words = []
    for run in _TOKENS.findall(text):
        if _IS_JAPANESE.match(run) and len(run) > 1:
            words.extend(run[i:i + 2] for i in range(len(run) - 1))
        else:
            words.append(run)
    return words


# The same splitting for the query, in the browser (Sphinx puts it in language_data.js).
_JS_SPLITTER = r"""
function splitQuery(query) {
  const japanese = /[JAPANESE]/u;
  const runs = query.match(/[JAPANESE]+|[^\s\p{P}\p{S}JAPANESE]+/gu) || [];
  const words = [];
  for (const run of runs) {
    if (japanese.test(run) && run.length > 1) {
      for (let i = 0; i + 1 < run.length; i++) words.push(run.slice(i, i + 2));
    } else {
      words.push(run);
    }
  }
  return words;
}
""".replace("JAPANESE", _JAPANESE)


class SearchJapaneseBigrams(SearchJapanese):
    """Sphinx's Japanese search with bigram splitting (see the module docstring)."""

    js_splitter_code = _JS_SPLITTER

    def init(self, options):
        pass

    def split(self, input):
        return split_japanese(input)


# --- alt text -------------------------------------------------------------------

def figure_descriptions(notebook):
    """Map the SHA-256 of each PNG output of ``notebook`` to its ``text/plain`` description.

    myst-nb names the image file of an output by the SHA-256 of its bytes.
    """
    found = {}
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            png, alt = data.get("image/png"), data.get("text/plain")
            if png is None or alt is None:
                continue
            png = png if isinstance(png, str) else "".join(png)
            alt = alt if isinstance(alt, str) else "".join(alt)
            found[hashlib.sha256(base64.b64decode(png)).hexdigest()] = alt.strip()
    return found


def _alt_text(app, doctree):
    source = Path(app.env.doc2path(app.env.docname))
    if source.suffix != ".ipynb":
        return
    descriptions = figure_descriptions(json.loads(source.read_text(encoding="utf-8")))
    for image in doctree.findall(nodes.image):
        stem = posixpath.basename(image.get("uri", "")).rsplit(".", 1)[0]
        if stem in descriptions:
            image["alt"] = descriptions[stem]


# --- slider frames as files -----------------------------------------------------

_FRAMES = re.compile(r'(<script type="application/json" class="ilib-frames">)(.*?)(</script>)',
                     re.S)
_DATA_URI = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)")


def externalise_frames(text, outdir, prefix):
    """Write every base64 PNG of a slider's HTML fallback as a file; return the new HTML.

    ``prefix`` is the relative URL from the page to ``outdir``. Files are named
    by content, so a frame shared by two sliders is stored once.
    """
    def to_file(match):
        png = base64.b64decode(match.group(1))
        name = f"{hashlib.sha256(png).hexdigest()[:20]}.png"
        path = Path(outdir) / FRAMES_DIR / name
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(png)
        return f"{prefix}{FRAMES_DIR}/{name}"

    if 'class="ilib-frames"' not in text:
        return text
    return _DATA_URI.sub(to_file, text)


def _slider_frames(app, doctree, docname):
    if app.builder.format != "html":
        return
    prefix = "../" * docname.count("/")
    for raw in doctree.findall(nodes.raw):
        if "html" in raw.get("format", "") and 'class="ilib-frames"' in raw.astext():
            text = externalise_frames(raw.astext(), app.outdir, prefix)
            # Frames load when the reader moves a slider; the first one when scrolled to.
            text = text.replace('<img class="ilib-frame"', '<img class="ilib-frame" loading="lazy"')
            raw.children = [nodes.Text(text)]


# --- what each page loads ------------------------------------------------------

_MATH = re.compile(r'class="math|\\\(|\\\[|\$\$')


def _trim_assets(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if scripts is None:
        return
    body = context.get("body", "")
    has_math = bool(_MATH.search(body))
    seen, kept = set(), []
    for script in scripts:
        name = script.filename or ""
        key = (name, script.attributes.get("body"))
        if key in seen or "thebe" in name or "thebe" in (script.attributes.get("body") or ""):
            continue
        if not has_math and ("mathjax" in name or "window.MathJax" in
                             (script.attributes.get("body") or "")):
            continue
        seen.add(key)
        kept.append(script)
    scripts[:] = kept
    # No live-code (Thebe) button is configured: its assets would be loaded for nothing.
    context["css_files"][:] = [c for c in context["css_files"] if "thebe" not in c.filename]
    context["body"] = figure_sizes(body)


_IMG_SIZE = re.compile(r'<img ([^>]*?)style="width: (\d+)px; height: (\d+)px;"')


def figure_sizes(body):
    """Give each sized image its natural width as a CSS variable and keep its aspect ratio.

    site.css shows a figure at its natural width where it fits and never shrinks it
    so far that its labels become illegible.
    """
    return _IMG_SIZE.sub(lambda m: f'<img {m.group(1)}style="--natural-width: {m.group(2)}px; '
                         f'aspect-ratio: {m.group(2)} / {m.group(3)};"', body)


# Loaded by the theme's templates on every page: the Font Awesome script (icons.css
# draws the icons instead) and, outside the search page, the search index and
# tools, which serve only a search-as-you-type mode that the book does not use.
_FONTAWESOME = re.compile(r'\s*<script [^>]*src="[^"]*fontawesome/[^"]*\.js[^"]*"></script>'
                          r'|\s*<link rel="preload" as="font"[^>]*fontawesome/[^>]*>')
_SEARCH_TOOLS = re.compile(r'\s*<script src="[^"]*(?:_static/searchtools|_static/language_data|'
                           r'searchindex)\.js"></script>')


def lighten_page(text, search_page=False):
    """The built HTML of a page without the scripts that it does not need."""
    text = _FONTAWESOME.sub("", text)
    return text if search_page else _SEARCH_TOOLS.sub("", text)


#: Tooltips and screen-reader labels that the theme and Sphinx leave in English.
ATTRIBUTE_LABELS = {"ja": {
    "Link to this heading": "この見出しへのリンク",
    "Link to this term": "この用語へのリンク",
    "Link to this equation": "この式へのリンク",
    "Link to this image": "この画像へのリンク",
    "Link to this table": "この表へのリンク",
    "Link to this code": "このコードへのリンク",
    "previous page": "前のページ",
    "next page": "次のページ",
    "light/dark": "ライト／ダーク表示の切り替え",
    "Toggle primary sidebar": "章の一覧の表示切り替え",
    "Toggle secondary sidebar": "ページ内の目次の表示切り替え",
    "Launch on Colab": "Colab で実行",
    "Launch on Binder": "Binder で実行",
    "Launch interactive content": "対話的に実行",
    "Colab logo": "Colab のロゴ",
    "Binder logo": "Binder のロゴ",
    "Version warning": "バージョンの警告",
    "Main": "メイン",
    "Page": "ページ",
    "Site navigation": "サイトのナビゲーション",
    "Section Navigation": "節のナビゲーション",
    "Search": "検索",
    "Toggle hidden content": "隠れた内容の表示切り替え",
}}
#: Visible text of the theme's templates that its Japanese catalogue lacks.
TEXT_LABELS = {"ja": {">Skip to main content<": ">本文へスキップ<"}}
_ATTRIBUTE = re.compile(r'\b(title|aria-label|alt|data-bs-title)="([^"]*)"')


def localise_attributes(text, lang):
    """``text`` with the English tooltips and labels of :data:`ATTRIBUTE_LABELS` translated."""
    labels = ATTRIBUTE_LABELS.get(lang)
    if not labels:
        return text
    for english, translated in TEXT_LABELS[lang].items():
        text = text.replace(english, translated)
    return _ATTRIBUTE.sub(lambda m: f'{m.group(1)}="{labels.get(m.group(2), m.group(2))}"', text)


def _lighten_pages(pages, lang):
    for page in pages:
        text = page.read_text(encoding="utf-8")
        lighter = lighten_page(text, search_page=page.name == "search.html")
        lighter = localise_attributes(lighter, lang)
        if lighter != text:
            page.write_text(lighter, encoding="utf-8")


def _write_static(app, exception):
    """One stylesheet for the book (one request): the fonts, the icons and the layout rules."""
    if exception is not None or app.builder.format != "html":
        return
    import site_fonts

    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    pages = sorted(Path(app.outdir).rglob("*.html"))
    _lighten_pages(pages, app.config.language)
    landing = Path(app.outdir).parent / "index.html"  # written before the books
    texts = pages + sorted((Path(app.outdir) / "_sources").rglob("*.txt")) + (
        [landing] if landing.is_file() else [])
    site_fonts.write_japanese_font(texts, static)
    (static / SITE_CSS).write_text("\n".join([
        site_fonts.font_css(),
        site_fonts.icons_css(pages),
        (HERE / "static" / SITE_CSS).read_text(encoding="utf-8"),
    ]), encoding="utf-8")


def setup(app):
    app.connect("config-inited", _language_settings)
    app.connect("config-inited", _math_fonts)
    # After sphinx.ext.mathjax (priority 500) has added its scripts. (html-page-context
    # stops at the first listener that returns a template; none of the book's does.)
    app.connect("html-page-context", _trim_assets, priority=900)
    app.connect("html-page-context", _switch_context)
    app.connect("doctree-read", _alt_text)
    app.connect("doctree-resolved", _slider_frames)
    app.add_post_transform(CrossLanguageLinks)
    app.add_css_file(SITE_CSS)
    app.connect("build-finished", _write_static)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

