"""The built website, as readers meet it: offline, in headless Chromium.

Run after `make book` (``make test`` does both). The site is two books,
``_build/html/en/`` and ``_build/html/ja/``, made from the two language parts of
_toc.yml, and a page that leads to both (``_build/html/index.html``). Every
request that does not go to the local server is blocked and counted as a
failure, and so is any console error. Pages are checked at a phone width
(390 px) and a desktop width (1366 px); navigation at 390, 768, 1024 and 1366 px.
"""

import functools
import gzip
import http.server
import os
import re
import shutil
import subprocess
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml

from notebooks import LANGUAGES, ROOT, chapter_names

HTML = ROOT / "_build" / "html"
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
EXTERNAL = re.compile(r"""<(script|link|img|iframe)\b[^>]*?(src|href)=["'](https?:)?//""", re.I)
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
PARTS = {"English": "en", "日本語": "ja"}
MAX_BYTES, MAX_REQUESTS = 1_500_000, 50
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 900}
WIDTHS = [390, 768, 1024, 1366]


def _docs(lang):
    part = next(p for p in TOC["parts"] if PARTS.get(p["caption"]) == lang)
    return [f"pages/{lang}/index"] + [entry["file"] for entry in part["chapters"]]


# Every page of each book, as a path under _build/html; the chapters alone.
PAGES = {lang: [f"{lang}/{doc}.html" for doc in _docs(lang)] for lang in LANGUAGES}
ALL_PAGES = PAGES["en"] + PAGES["ja"]
CHAPTERS = {lang: [p for p in PAGES[lang] if f"/chapters/{lang}/" in p] for lang in LANGUAGES}


def _source(page):
    stem = ROOT / page.split("/", 1)[1].removesuffix(".html")
    for suffix in (".ipynb", ".md"):
        if stem.with_suffix(suffix).is_file():
            return stem.with_suffix(suffix).read_text(encoding="utf-8")
    return ""


MATH_PAGES = [p for p in ALL_PAGES if "$" in _source(p)]


def _other(page):
    lang = page.split("/")[0]
    other = "ja" if lang == "en" else "en"
    return page.replace(f"{lang}/", f"{other}/")


class _Text(HTMLParser):
    """The visible text of a page's article, without scripts, styles and math."""

    def __init__(self):
        super().__init__()
        self.skip, self.parts = 0, []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style") or self.skip:
            self.skip += 1

    def handle_endtag(self, tag):
        if self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def _article_text(page):
    html = (HTML / page).read_text(encoding="utf-8")
    start = html.find("<article")
    end = html.find("</article>")
    parser = _Text()
    parser.feed(html[start:end])
    return "".join(parser.parts)


# --- the built files ------------------------------------------------------------

@pytest.fixture(scope="module")
def built():
    assert (HTML / "index.html").is_file(), "build the site first: make book"
    return HTML


def test_every_page_of_both_books_is_built(built):
    for lang in LANGUAGES:
        expected = [f"{lang}/chapters/{lang}/{n.removesuffix('.ipynb')}.html"
                    for n in chapter_names(lang)]
        assert CHAPTERS[lang] == expected, "every chapter is in _toc.yml, in order"
        for page in PAGES[lang] + [f"{lang}/search.html"]:
            assert (built / page).is_file(), page
    assert [p.replace("en/", "ja/") for p in PAGES["en"]] == PAGES["ja"]


def test_pages_declare_their_language(built):
    for lang in LANGUAGES:
        for page in PAGES[lang] + [f"{lang}/search.html"]:
            head = (built / page).read_text(encoding="utf-8")[:300]
            assert f'<html lang="{lang}"' in head, page


def test_previous_and_next_stay_in_the_same_book(built):
    for lang in LANGUAGES:
        for page in PAGES[lang]:
            html = (built / page).read_text(encoding="utf-8")
            for href in re.findall(r'<link rel="(?:prev|next)"[^>]*href="([^"]+)"', html):
                assert not href.startswith("../" * (page.count("/") + 1)), (page, href)
            for href in re.findall(r'<a class="(?:left-prev|right-next)"\s+href="([^"]+)"', html):
                assert not href.startswith("../" * (page.count("/") + 1)), (page, href)


_ENGLISH_LABELS = ["Contents", "Previous", "Next", "Click to show", "Click to hide",
                   "Solution to", "Exercise ", "Search this book", "Skip to main content"]


# English on Japanese pages on purpose: the switch to the English edition (lang="en").
# (Tooltips of citations quote the bibliography: they have digits and full stops.)
ENGLISH_ON_PURPOSE = {"Read this page in English"}


def test_japanese_pages_carry_japanese_labels(built):
    for page in PAGES["ja"]:
        html = (built / page).read_text(encoding="utf-8")
        visible = re.sub(r"<script.*?</script>|<style.*?</style>", "", html, flags=re.S)
        visible = re.sub(r"<[^>]+>", " ", visible)
        for label in _ENGLISH_LABELS:
            assert label not in visible, f"{page} shows {label!r}"
        for attr, value in re.findall(r'\b(title|aria-label|alt)="([A-Za-z][A-Za-z /-]*)"', html):
            assert value in ENGLISH_ON_PURPOSE, f"{page}: {attr}={value!r}"
        if page in CHAPTERS["ja"]:
            assert "練習 " in html and "解答" in html, page
            assert "toggleHintShow = 'クリックして表示'" in html


def _exercise_numbers(page):
    html = (HTML / page).read_text(encoding="utf-8")
    return [int(n) for n in re.findall(r'class="caption-number">(?:Exercise|練習) (\d+)', html)]


def test_exercises_are_numbered_from_one_in_each_book(built):
    for lang in LANGUAGES:
        numbers = [n for page in CHAPTERS[lang] for n in _exercise_numbers(page)]
        assert numbers and numbers == list(range(1, len(numbers) + 1)), (lang, numbers)
    assert [_exercise_numbers(p) for p in CHAPTERS["en"]] == [
        _exercise_numbers(p) for p in CHAPTERS["ja"]]


def test_chapter_pages_carry_binder_and_colab_links_to_their_notebook(built):
    owner_repo = CONFIG["repository"]["url"].removeprefix("https://github.com/").strip("/")
    branch = CONFIG["repository"]["branch"]
    launch = CONFIG["launch_buttons"]
    assert launch["notebook_interface"] == "jupyterlab"
    for page in CHAPTERS["en"] + CHAPTERS["ja"]:
        notebook = page.split("/", 1)[1].removesuffix(".html") + ".ipynb"
        binder = (f"{launch['binderhub_url']}/v2/gh/{owner_repo}/{branch}"
                  f"?urlpath=lab/tree/{notebook}")
        colab = f"{launch['colab_url']}/github/{owner_repo}/blob/{branch}/{notebook}"
        html = (built / page).read_text(encoding="utf-8").replace("&amp;", "&")
        for url in (binder, colab):
            assert f'href="{url}"' in html, f"{page} has no launch link {url}"


def test_no_page_loads_anything_from_another_host(built):
    for page in built.rglob("*.html"):
        found = EXTERNAL.search(page.read_text(encoding="utf-8"))
        assert found is None, f"{page.relative_to(built)} loads {found.group(0)}"


def test_slider_frames_are_files_not_page_text(built):
    for page in ALL_PAGES:
        html = (built / page).read_text(encoding="utf-8")
        assert "data:image/png;base64" not in html, page
        for src in re.findall(r'"(\.\./[^"]*_images/frames/[^"]+\.png)"', html):
            assert (built / page).parent.joinpath(src).resolve().is_file(), (page, src)


def test_mathjax_only_on_pages_with_math(built):
    for page in ALL_PAGES:
        html = (built / page).read_text(encoding="utf-8")
        loads = "tex-chtml" in html
        has_math = 'class="math' in html
        assert loads == has_math, f"{page}: MathJax {'without' if loads else 'missing for'} math"
    assert (built / "en" / "_static" / "mathjax" / "tex-chtml-full.js").is_file()


_ALT = re.compile(r'<img\b[^>]*?\balt="([^"]*)"')


def _bad_alt(alt):
    alt = alt.strip()
    path_like = re.fullmatch(r"\S*/\S*", alt)  # one token with a slash: a file path, not prose
    return (not alt or path_like or re.search(r"\.(png|svg|jpe?g|gif)$", alt, re.I)
            or alt.startswith("&lt;Figure") or alt.startswith("<Figure"))


def test_every_figure_has_a_description_as_alt_text(built):
    bad = []
    for page in ALL_PAGES:
        html = (built / page).read_text(encoding="utf-8")
        images = re.findall(r"<img\b[^>]*>", html)
        for img in images:
            match = _ALT.search(img)
            if match is None or _bad_alt(match.group(1)):
                bad.append((page, match.group(1) if match else None))
    assert bad == [], f"{len(bad)} images without a description, e.g. {bad[:3]}"


def test_every_figure_is_shown_at_its_natural_size(built):
    """Figures drawn by ilib.show carry their natural size, which site.css keeps legible."""
    bad = []
    for page in CHAPTERS["en"] + CHAPTERS["ja"]:
        html = (built / page).read_text(encoding="utf-8")
        # Output figures live in _images/; slider frames (ilib-frame) size themselves.
        for img in re.findall(r'<img\b[^>]*src="[^"]*_images/[^"]*"[^>]*>', html):
            if "ilib-frame" not in img and "--natural-width" not in img:
                bad.append((page, img[:80]))
    assert bad == [], f"{len(bad)} figures not drawn by ilib.show, e.g. {bad[:2]}"


def test_same_alt_texts_carry_the_same_numbers_in_both_languages(built):
    for en, ja in zip(CHAPTERS["en"], CHAPTERS["ja"], strict=True):
        numbers = [re.findall(r"\d+(?:\.\d+)?", alt) for alt in
                   _ALT.findall((built / en).read_text(encoding="utf-8"))]
        numbers_ja = [re.findall(r"\d+(?:\.\d+)?", alt) for alt in
                      _ALT.findall((built / ja).read_text(encoding="utf-8"))]
        assert numbers == numbers_ja, en


def test_the_web_font_covers_every_japanese_character_of_the_site(built):
    from fontTools.ttLib import TTFont

    import_path = str(ROOT / "sphinx_ext")
    import sys

    sys.path.insert(0, import_path)
    import site_fonts

    for lang in LANGUAGES:
        cmap = TTFont(built / lang / "_static" / site_fonts.FONT_FILE).getBestCmap()
        covered = {chr(c) for c in cmap}
        files = list((built / lang).rglob("*.html")) + [built / "index.html"]
        missing = site_fonts.japanese_characters(files) - covered
        assert not missing, f"{lang}: no glyph for {''.join(sorted(missing))}"


ESTABLISHED = ["自己情報量", "エントロピー", "条件付きエントロピー", "同時エントロピー",
               "交差エントロピー", "相互情報量", "情報ボトルネック", "ラベルスムージング"]


def test_glossaries_carry_the_established_terms():
    ja = (ROOT / "pages" / "ja" / "glossary.md").read_text(encoding="utf-8")
    en = (ROOT / "pages" / "en" / "glossary.md").read_text(encoding="utf-8")
    for term in ESTABLISHED:
        assert term in ja, f"{term} is a term of the Japanese glossary"
        assert term in en, f"the English glossary gives {term}"


def test_citations_link_to_each_books_bibliography(built):
    for lang in LANGUAGES:
        refs = built / lang / "pages" / lang / "references.html"
        entries = set(re.findall(r'<div class="citation" id="([^"]+)"',
                                 refs.read_text(encoding="utf-8")))
        cited = set()
        for page in PAGES[lang]:
            for keys in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", _source(page)):
                cited |= {key.strip() for key in keys.split(",")}
            html = (built / page).read_text(encoding="utf-8")
            for target in re.findall(r'href="[^"#]*references\.html#([^"]+)"', html):
                assert target in entries, f"{page} cites a missing entry #{target}"
        assert cited, "the chapters cite references.bib"
        assert len(entries) == len(cited), "the bibliography lists each cited work once"


# --- in the browser ---------------------------------------------------------------

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/favicon.ico":  # asked for by the browser itself, not by the book
            self.send_response(204)
            self.end_headers()
            return
        super().do_GET()


@pytest.fixture(scope="module")
def server(built):
    handler = functools.partial(_QuietHandler, directory=str(built))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def _launch(pw, env=None):
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium (.ci/run does)")
    return pw.chromium.launch(
        executable_path=CHROMIUM,
        args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update",
              "--disable-sync"],
        # Every request to another host goes to a proxy that does not exist, and fails;
        # the local server is reached directly.
        proxy={"server": "http://127.0.0.1:9", "bypass": "127.0.0.1"},
        env=env,
    )


@pytest.fixture(scope="module")
def playwright():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="module")
def browser(playwright):
    browser = _launch(playwright)
    yield browser
    browser.close()


def _watch(tab, server):
    blocked, errors = [], []
    tab.on("request", lambda req: None if req.url.startswith(server) else blocked.append(req.url))
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    return blocked, errors


@pytest.fixture(params=[PHONE, DESKTOP], ids=["phone", "desktop"])
def page(request, browser, server):
    # A new context per test: an empty cache, so that every page's weight is measured whole.
    context = browser.new_context(viewport=request.param)
    tab = context.new_page()
    blocked, errors = _watch(tab, server)
    tab.loaded = []
    tab.on("requestfinished", lambda r: tab.loaded.append(r))
    yield tab, server
    context.close()
    assert blocked == [], f"requests left the machine: {blocked}"
    assert errors == [], f"console errors: {errors}"


def _typesets_math(tab, chapter):
    tab.wait_for_selector("mjx-container", timeout=20000)
    if chapter:
        assert tab.locator("mjx-container[display='true']").count() > 0, "display math"
    assert tab.locator("mjx-merror").count() == 0, "a formula failed to typeset"
    tab.wait_for_function("() => window.MathJax?.startup?.promise", timeout=20000)
    tab.evaluate("() => MathJax.startup.promise")


_MOVE_SLIDERS = """() => {
  const boxes = [...document.querySelectorAll('.ilib-explorer')];
  const problems = [];
  boxes.forEach((box, i) => {
    const img = box.querySelector('img.ilib-frame'), text = box.querySelector('pre.ilib-text');
    if (!img || !text) { problems.push(`explorer ${i}: no picture or no numbers`); return; }
    box.querySelectorAll('input.ilib-slider').forEach((slider, j) => {
      const before = [img.getAttribute('src'), text.innerText];
      slider.value = String(Number(slider.value) !== 0 ? 0 : Number(slider.max));
      slider.dispatchEvent(new Event('input'));
      if (img.getAttribute('src') === before[0])
        problems.push(`explorer ${i}, slider ${j}: the picture did not change`);
      if (text.innerText === before[1])
        problems.push(`explorer ${i}, slider ${j}: the numbers did not change`);
      const said = slider.getAttribute('aria-valuetext');
      const shown = slider.parentElement.querySelector('output')?.textContent;
      if (!said || !shown || !said.includes(shown.trim()))
        problems.push(`explorer ${i}, slider ${j}: aria-valuetext ${said} does not say ${shown}`);
    });
  });
  return {count: boxes.length, problems};
}"""

# Display formulas wider than their column, and whether each can be scrolled to its end.
_WIDE_MATH = """() => [...document.querySelectorAll(
  'article div.math, article div.math mjx-container[display="true"]')].filter(
  box => box.scrollWidth > box.clientWidth + 1).map(box => ({
    scrolls: ['auto', 'scroll'].includes(getComputedStyle(box).overflowX),
    cue: getComputedStyle(box).backgroundImage.includes('gradient')}))"""

_PAGE_WIDER_THAN_WINDOW = """() => document.documentElement.scrollWidth >
  document.documentElement.clientWidth + 1"""

_TAB_STOPS_IN_MATH = """() => document.querySelectorAll(
  'mjx-container[tabindex]:not([tabindex="-1"]), .math [tabindex]:not([tabindex="-1"])').length"""

_PAGE_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('article code.literal')].filter(
    c => c.getBoundingClientRect().right > width + 1).map(c => c.textContent.slice(0, 40));
}"""

# Rendered width / natural width of each sized figure: its labels scale with it.
_FIGURE_SCALES = """() => [...document.querySelectorAll('div.cell_output img')].filter(
  img => img.style.getPropertyValue('--natural-width')).map(img =>
  img.getBoundingClientRect().width / parseFloat(img.style.getPropertyValue('--natural-width')))"""


def _label_px():
    """CSS pixels of a figure's tick labels at natural size (ilib.notebook's style)."""
    from ilib.notebook import _STYLE

    return _STYLE["font.size"] * _STYLE["figure.dpi"] / 72


# One visit per page and width: math typesets and is not a tab stop, wide formulas
# scroll, inline code stays in the column, figures keep legible labels, the link to the
# same page in the other language works, every slider changes its picture and numbers.
@pytest.mark.parametrize("path", ALL_PAGES)
def test_page_in_the_browser(page, path):
    tab, server = page
    tab.goto(f"{server}/{path}", wait_until="networkidle")
    _within_budget(tab, path)
    chapter = "/chapters/" in path
    phone = tab.viewport_size["width"] < 600
    if path in MATH_PAGES:
        _typesets_math(tab, chapter)
        assert tab.evaluate(_TAB_STOPS_IN_MATH) == 0, "formulas are tab stops"
        wide = tab.evaluate(_WIDE_MATH)
        assert all(w["scrolls"] and w["cue"] for w in wide), wide
    assert tab.evaluate(_PAGE_OVERFLOW) == [], "inline code wider than the page"
    assert not tab.evaluate(_PAGE_WIDER_THAN_WINDOW), "the page scrolls sideways"
    minimum = 8 if phone else 11
    for scale in tab.evaluate(_FIGURE_SCALES):
        assert scale * _label_px() >= minimum - 0.05, f"figure labels {scale * _label_px():.1f} px"
    link = tab.locator("article a.ilib-other-language").first
    assert link.count() == 1, "a link to the same page in the other language"
    assert link.evaluate("a => a.href") == f"{server}/{_other(path)}"
    switch = tab.locator("a.ilib-lang-switch")
    assert switch.count() == 1 and switch.evaluate("a => a.href") == f"{server}/{_other(path)}"
    if chapter:
        result = tab.evaluate(_MOVE_SLIDERS)
        assert result["count"] > 0, "the chapter has a slider"
        assert result["problems"] == []


def test_landing_page_leads_to_both_books(page):
    tab, server = page
    tab.goto(f"{server}/index.html")
    for lang in LANGUAGES:
        link = tab.locator(f"a[href='{lang}/pages/{lang}/index.html']").first
        assert link.is_visible()
    tab.locator("a[href='ja/pages/ja/index.html']").first.click()
    assert tab.evaluate("document.documentElement.lang") == "ja"


# --- weight ------------------------------------------------------------------------

def _within_budget(tab, path):
    """The page's load so far: bytes gzip-compressed (as a static host serves them), requests."""
    size = 0
    for request in tab.loaded:
        response = request.response()
        size += len(gzip.compress(response.body(), 6)) if response else 0
    WEIGHTS[path] = max(WEIGHTS.get(path, (0, 0)), (size, len(tab.loaded)))
    assert size <= MAX_BYTES, f"{path}: {size / 1e6:.2f} MB transferred"
    assert len(tab.loaded) <= MAX_REQUESTS, f"{path}: {len(tab.loaded)} requests"


#: Heaviest load of each page seen by the tests (bytes, requests), for the summary.
WEIGHTS = {}


@pytest.mark.parametrize("path", ["index.html", "en/search.html", "ja/search.html"])
def test_other_pages_within_budget(page, path):
    tab, server = page
    tab.goto(f"{server}/{path}", wait_until="networkidle")
    _within_budget(tab, path)


def test_slider_frames_load_only_when_a_slider_moves(browser, server):
    context = browser.new_context(viewport=DESKTOP)
    tab = context.new_page()
    frames = []
    tab.on("request", lambda r: frames.append(r.url) if "/_images/frames/" in r.url else None)
    tab.goto(f"{server}/{CHAPTERS['en'][0]}", wait_until="networkidle")
    loaded = len(frames)
    slider = tab.locator("input.ilib-slider").first
    slider.scroll_into_view_if_needed()
    slider.focus()
    tab.keyboard.press("End")
    tab.wait_for_load_state("networkidle")
    assert len(frames) > loaded, "moving a slider loads its frame"
    assert loaded <= tab.locator(".ilib-explorer").count(), "at most the first frame of each"
    context.close()


# --- navigation ------------------------------------------------------------------

@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_navigation_at_every_width(browser, server, width, lang):
    context = browser.new_context(viewport={"width": width, "height": 800})
    tab = context.new_page()
    blocked, errors = _watch(tab, server)
    tab.goto(f"{server}/{CHAPTERS[lang][1]}")
    toc = tab.locator(".bd-sidebar-primary")
    toggle = tab.locator(".bd-header-article button.primary-toggle, "
                         ".bd-header-article label.sidebar-toggle.primary-toggle").first
    assert toggle.is_visible(), "☰ is shown"
    link = tab.locator(f".bd-sidebar-primary a[href$='{CHAPTERS[lang][0].rsplit('/', 1)[1]}']")
    was_open = link.first.is_visible()
    toggle.click()
    tab.wait_for_timeout(400)
    assert link.first.is_visible() != was_open, "☰ opens or closes the chapter list"
    if not was_open:
        tab.keyboard.press("Escape")
        tab.wait_for_timeout(400)
        if link.first.is_visible():  # a click outside the drawer closes it too
            tab.mouse.click(width - 5, 700)
            tab.wait_for_timeout(400)
    else:
        toggle.click()
        tab.wait_for_timeout(400)
    assert link.first.is_visible() == was_open, "☰ again restores the chapter list"
    assert toc.count() == 1
    # "On this page": shown beside the article, or opened from the header.
    contents = tab.locator(".bd-sidebar-secondary nav.bd-toc-nav a, .bd-sidebar-secondary a")
    if not contents.first.is_visible():
        tab.locator(".bd-header-article .secondary-toggle").first.click()
        tab.wait_for_timeout(400)
    assert contents.first.is_visible(), "the page contents can be opened"
    visible_headers = tab.evaluate("""() => [...document.querySelectorAll(
        '.bd-header, .bd-header-article')].filter(e => e.getBoundingClientRect().height > 0 &&
        getComputedStyle(e).visibility !== 'hidden').length""")
    assert visible_headers == 1, "one header"
    searches = tab.evaluate("""() => [...document.querySelectorAll(
        'form.bd-search, .search-button-field, button.search-button')].filter(e => {
          const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 &&
          getComputedStyle(e).visibility !== 'hidden'; }).length""")
    assert searches <= 1, f"{searches} search boxes"
    context.close()
    assert blocked == [] and errors == [], (blocked, errors)


_SECTION_NUMBER = """() => { const s = document.getElementById(
  decodeURIComponent(location.hash.slice(1))); return s && s.querySelector('h2, h3')
  ?.textContent.trim().split(/\\s/)[0]; }"""


def test_language_switch_lands_on_the_same_section(page):
    tab, server = page
    path = CHAPTERS["en"][0]
    tab.goto(f"{server}/{path}")
    heading = tab.locator("article.bd-article section > h2").nth(1)
    number = heading.text_content().strip().split()[0]  # "1.2"
    heading.evaluate("h => h.scrollIntoView({behavior: 'instant'})")
    tab.locator("a.ilib-lang-switch").evaluate("a => a.click()")  # where the reader is
    tab.wait_for_url(f"{server}/{_other(path)}#*")
    tab.wait_for_load_state("load")
    assert tab.evaluate("document.documentElement.lang") == "ja"
    assert tab.evaluate(_SECTION_NUMBER) == number, "the same section in the other language"


# --- search ------------------------------------------------------------------------

def _search(tab, server, lang, query):
    tab.goto(f"{server}/{lang}/search.html?q={quote(query)}")
    # The title changes from "Searching" to "Search Results" when the search has finished.
    tab.wait_for_function(
        "() => ['Search Results', '検索結果'].includes("
        "document.querySelector('#search-results h2')?.innerText.trim())",
        timeout=20000,
    )
    hrefs = tab.locator("#search-results ul.search li a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))")
    return {h.split("?")[0].split("#")[0] for h in hrefs}


def test_english_search_stems(page):
    tab, server = page
    entropy = _search(tab, server, "en", "entropy")
    assert f"chapters/en/{chapter_names('en')[0].removesuffix('.ipynb')}.html" in entropy
    assert _search(tab, server, "en", "entropies") == entropy
    assert all(not h.startswith("../ja/") for h in entropy)


@pytest.mark.parametrize("term", ["相互情報量", "エントロピー", "交差エントロピー"])
def test_japanese_search_finds_every_page_with_the_term(page, term):
    tab, server = page
    found = _search(tab, server, "ja", term)
    expected = {p.removeprefix("ja/") for p in PAGES["ja"] if term in _article_text(p)}
    assert expected, term
    assert expected <= found, f"{term}: not found on {sorted(expected - found)}"


# --- keyboard, print, labels --------------------------------------------------------

def test_every_control_shows_focus(page):
    tab, server = page
    tab.goto(f"{server}/{CHAPTERS['ja'][0]}")
    missing = []
    for _ in range(12):
        tab.keyboard.press("Tab")
        state = tab.evaluate("""() => { const e = document.activeElement;
            const s = getComputedStyle(e); return {tag: e.tagName, cls: e.className,
            ring: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) ||
                  s.boxShadow !== 'none'}; }""")
        if state["tag"] != "BODY" and not state["ring"]:
            missing.append(state)
    assert missing == [], missing
    slider = tab.locator("input.ilib-slider").first
    slider.focus()
    assert tab.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0; }""")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_printed_chapter_shows_solutions_and_wraps_code(browser, server, lang):
    context = browser.new_context(viewport=DESKTOP)
    tab = context.new_page()
    tab.goto(f"{server}/{CHAPTERS[lang][0]}", wait_until="networkidle")
    tab.emulate_media(media="print")
    state = tab.evaluate("""() => ({
      solutions: [...document.querySelectorAll('.solution')].map(s =>
        [...s.children].filter(c => !c.classList.contains('admonition-title'))
          .every(c => c.offsetHeight > 0)),
      hints: [...document.querySelectorAll('.toggle-button, .toggle-hidden-label')].filter(
        e => e.offsetParent !== null).length,
      pre: [...document.querySelectorAll('article pre')].map(p => getComputedStyle(p).whiteSpace),
      sidebar: document.querySelector('.bd-sidebar-primary')?.offsetParent !== null,
    })""")
    assert state["solutions"] and all(state["solutions"]), "every solution prints in full"
    assert state["hints"] == 0, "no 'click to show' in print"
    assert set(state["pre"]) == {"pre-wrap"}, "code wraps"
    assert not state["sidebar"]
    pdf = tab.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    context.close()


def test_japanese_pages_show_japanese_controls(browser, server):
    context = browser.new_context(viewport=DESKTOP)
    tab = context.new_page()
    tab.goto(f"{server}/{CHAPTERS['ja'][0]}", wait_until="networkidle")
    text = tab.locator("body").inner_text()
    for label in _ENGLISH_LABELS:
        assert label not in text, label
    assert tab.locator(".solution .toggle-button, button.toggle-button").count() > 0
    context.close()


# --- Japanese glyphs with and without a system Japanese font ------------------------

_PLATFORM_FONTS = """async () => {
  await document.fonts.ready;
  return [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family);
}"""

# Elements holding Japanese text, whose fonts the DevTools protocol reports.
_JAPANESE_ELEMENTS = ["a.navbar-brand", "p.caption", "article h1", "article p",
                      "article a.ilib-other-language"]


def _fonts_of(tab, selector):
    cdp = tab.context.new_cdp_session(tab)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    if not node:
        return None
    return {(f["familyName"], f["isCustomFont"])
            for f in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]}


def _system_japanese_fonts():
    found = subprocess.run(["fc-list", ":lang=ja", "family"], capture_output=True, text=True)
    return found.stdout.strip()


def test_japanese_text_without_a_system_japanese_font(browser, server, tmp_path):
    if _system_japanese_fonts():
        pytest.skip("this machine has a Japanese font; the next test covers it")
    context = browser.new_context(viewport=DESKTOP)
    tab = context.new_page()
    fonts = []
    tab.on("request", lambda r: fonts.append(r.url) if ".woff" in r.url else None)
    tab.goto(f"{server}/{CHAPTERS['ja'][0]}", wait_until="networkidle")
    tab.evaluate(_PLATFORM_FONTS)
    assert any("ipaexg-subset" in url for url in fonts), "the web font is fetched"
    for selector in _JAPANESE_ELEMENTS:
        used = _fonts_of(tab, selector)
        assert used and ("IPAexGothic", True) in used, f"{selector} is drawn with {used}"
    tab.screenshot(path=str(tmp_path / "ja-no-system-font.png"))
    context.close()


def test_japanese_text_with_a_system_japanese_font(playwright, server, tmp_path):
    import matplotlib_fontja

    fonts_dir = tmp_path / "fonts"
    fonts_dir.mkdir()
    shutil.copy(matplotlib_fontja.get_font_ttf_path(), fonts_dir / "ipaexg.ttf")
    conf = tmp_path / "fonts.conf"
    conf.write_text(f"""<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><include ignore_missing="yes">/etc/fonts/fonts.conf</include>
<dir>{fonts_dir}</dir><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>""")
    browser = _launch(playwright, env={**os.environ, "FONTCONFIG_FILE": str(conf)})
    try:
        tab = browser.new_page(viewport=DESKTOP)
        requested = []
        tab.on("request", lambda r: requested.append(r.url))
        tab.goto(f"{server}/{CHAPTERS['ja'][0]}", wait_until="networkidle")
        tab.evaluate(_PLATFORM_FONTS)
        assert not any("ipaexg-subset" in url for url in requested), "no web font needed"
        for selector in _JAPANESE_ELEMENTS:
            used = _fonts_of(tab, selector)
            assert used and ("IPAexGothic", False) in used, f"{selector} is drawn with {used}"
    finally:
        browser.close()


def test_japanese_inside_formulas_is_drawn_with_a_japanese_font(browser, server):
    """MathJax's fonts have no Japanese: 「\\text{確信度}」 needs the page's Japanese fonts."""
    chapter = next(p for p in CHAPTERS["ja"] if "05_" in p)
    context = browser.new_context(viewport=DESKTOP)
    tab = context.new_page()
    tab.goto(f"{server}/{chapter}", wait_until="networkidle")
    tab.evaluate("() => MathJax.startup.promise")
    marked = tab.evaluate("""() => {
      const text = [...document.querySelectorAll('mjx-container mjx-utext')]
        .find(e => /[\\u3040-\\u30ff\\u4e00-\\u9fff]/.test(e.textContent));
      if (text) text.id = 'ilib-japanese-in-math';
      return text ? text.textContent : null;
    }""")
    assert marked, "a formula of chapter 05 holds Japanese (\\text{…})"
    used = _fonts_of(tab, "#ilib-japanese-in-math")
    assert used and any(family == "IPAexGothic" for family, _ in used), (
        f"{marked!r} inside a formula is drawn with {used}")
    context.close()
