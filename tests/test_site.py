"""The built website, as a reader meets it: offline, in headless Chromium.

Run after `make book` (``make test`` does both). Every request that does not go
to the local server is blocked and counted as a failure, and so is any console
error. The pages come from _toc.yml: every page of the English and 日本語 parts
(chapters, glossary, notation, teachers' page) typesets its math and links to
the same page in the other language; every slider of a chapter changes its
picture and numbers; chapters carry Binder and Colab links to their notebook;
the landing page leads to both languages; search finds Japanese terms.
"""

import functools
import http.server
import os
import re
import shutil
import threading
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


def _toc_files(part):
    return [entry["file"] for entry in part.get("chapters", [])]


# Every page of the two language parts of _toc.yml (chapters and the pages/ of both
# languages), as built HTML paths; the chapters alone; the other pages of the book.
PAGES = [f"{f}.html" for part in TOC["parts"] if part["caption"] in PARTS for f in _toc_files(part)]
CHAPTER_PAGES = [p for p in PAGES if p.startswith("chapters/")]
OTHER_PAGES = [f"{TOC['root']}.html"] + [f"{f}.html" for part in TOC["parts"]
                                         if part["caption"] not in PARTS for f in _toc_files(part)]


def _source(page):
    stem = ROOT / page.removesuffix(".html")
    for suffix in (".ipynb", ".md"):
        if stem.with_suffix(suffix).is_file():
            return stem.with_suffix(suffix).read_text(encoding="utf-8")
    return ""  # listed in _toc.yml but missing: test_every_chapter_page_is_built says so


MATH_PAGES = [p for p in PAGES if "$" in _source(p)]


@pytest.fixture(scope="module")
def built():
    assert (HTML / "index.html").is_file(), "build the site first: make book"
    return HTML


def test_every_chapter_page_is_built(built):
    expected = [f"chapters/{lang}/{name.removesuffix('.ipynb')}.html"
                for lang in LANGUAGES for name in chapter_names(lang)]
    assert sorted(CHAPTER_PAGES) == sorted(expected), "every chapter is in _toc.yml"
    for page in PAGES + OTHER_PAGES:
        assert (built / page).is_file(), page


def test_each_language_part_has_the_same_pages():
    parts = {PARTS[p["caption"]]: _toc_files(p) for p in TOC["parts"] if p["caption"] in PARTS}
    assert [f.replace("/en/", "/ja/") for f in parts["en"]] == parts["ja"]
    for lang in LANGUAGES:
        for page in ("glossary", "notation", "teaching"):
            assert f"pages/{lang}/{page}" in parts[lang]


def test_chapter_pages_carry_binder_and_colab_links_to_their_notebook(built):
    owner_repo = CONFIG["repository"]["url"].removeprefix("https://github.com/").strip("/")
    branch = CONFIG["repository"]["branch"]
    launch = CONFIG["launch_buttons"]
    assert launch["notebook_interface"] == "jupyterlab"
    for page in CHAPTER_PAGES:
        notebook = page.removesuffix(".html") + ".ipynb"
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


ESTABLISHED = ["自己情報量", "エントロピー", "条件付きエントロピー", "同時エントロピー",
               "交差エントロピー", "KLダイバージェンス", "相互情報量", "変分オートエンコーダ",
               "情報ボトルネック", "証拠下界 (ELBO)", "ラベルスムージング"]


def test_glossaries_carry_the_established_terms():
    ja = (ROOT / "pages" / "ja" / "glossary.md").read_text(encoding="utf-8")
    en = (ROOT / "pages" / "en" / "glossary.md").read_text(encoding="utf-8")
    for term in ESTABLISHED:
        assert f"\n{term}\n" in ja, f"{term} is a term of the Japanese glossary"
        assert f"**Japanese:** {term}" in en, f"the English glossary gives {term}"


def test_citations_link_to_the_bibliography(built):
    entries = set(re.findall(r'<div class="citation" id="([^"]+)"',
                             (built / "references.html").read_text(encoding="utf-8")))
    cited = set()
    for page in PAGES:
        for keys in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", _source(page)):
            cited |= {key.strip() for key in keys.split(",")}
        html = (built / page).read_text(encoding="utf-8")
        for target in re.findall(r'href="(?:\.\./)*references\.html#([^"]+)"', html):
            assert target in entries, f"{page} cites a missing entry #{target}"
    assert cited, "the chapters cite references.bib"
    assert len(entries) == len(cited), "the bibliography lists each cited work once"


def test_math_is_served_by_the_book(built):
    assert (built / "_static" / "mathjax" / "tex-chtml-full.js").is_file()
    fonts = built / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2"
    assert any(fonts.glob("*.woff"))


@pytest.fixture(scope="module")
def server(built):
    handler = functools.partial(_QuietHandler, directory=str(built))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


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
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"],
            # Every request to another host goes to a proxy that does not exist, and fails;
            # the local server is reached directly. (Blocking with page.route would
            # switch off the HTTP cache and make every page load the theme and MathJax anew.)
            proxy={"server": "http://127.0.0.1:9", "bypass": "127.0.0.1"},
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def context(browser, server):
    context = browser.new_context()
    yield context
    context.close()


@pytest.fixture
def page(context, server):
    blocked, errors = [], []

    def request(req):
        if not req.url.startswith(server):
            blocked.append(req.url)

    tab = context.new_page()
    tab.on("request", request)
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab, server
    tab.close()
    assert blocked == [], f"requests left the machine: {blocked}"
    assert errors == [], f"console errors: {errors}"


def _typesets_math(tab, chapter):
    tab.wait_for_selector("mjx-container", timeout=20000)
    if chapter:
        assert tab.locator("mjx-container[display='true']").count() > 0, "display math"
    assert tab.locator("mjx-merror").count() == 0, "a formula failed to typeset"


def _links_to_counterpart(tab, server, path):
    lang = path.split("/")[1]
    other = path.replace(f"/{lang}/", f"/{'ja' if lang == 'en' else 'en'}/")
    link = tab.locator(f"article a[href$='{Path(other).name}']").first
    assert link.count() == 1, f"no link to {other}"
    assert link.evaluate("a => a.href") == f"{server}/{other}"
    assert (HTML / other).is_file()


# Move every slider of the page to its other end and report what did not change; in one
# call into the page, since a chapter has several sliders.
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
    });
  });
  return {count: boxes.length, problems};
}"""


def _every_slider_changes_the_picture(tab):
    result = tab.evaluate(_MOVE_SLIDERS)
    assert result["count"] > 0, "the chapter has a slider"
    assert result["problems"] == []


# One visit per page (a chapter page takes seconds to typeset): math, the link to the
# same page in the other language, every slider; the `page` fixture adds no console
# errors and no request to another host.
@pytest.mark.parametrize("path", PAGES)
def test_page_in_the_browser(page, path):
    tab, server = page
    assert (HTML / path).is_file(), f"{path} is not built: make book"
    tab.goto(f"{server}/{path}")
    chapter = path in CHAPTER_PAGES
    if path in MATH_PAGES:
        _typesets_math(tab, chapter)
    _links_to_counterpart(tab, server, path)
    if chapter:
        _every_slider_changes_the_picture(tab)


@pytest.mark.parametrize("path", OTHER_PAGES)
def test_other_page_in_the_browser(page, path):
    tab, server = page
    tab.goto(f"{server}/{path}")
    assert tab.locator("article h1").count() == 1
    if path == f"{TOC['root']}.html":  # the landing page leads to both languages
        for lang in LANGUAGES:
            first = f"chapters/{lang}/{chapter_names(lang)[0].removesuffix('.ipynb')}.html"
            assert tab.locator(f"article a[href$='{first}']").count() > 0, first
            for name in ("glossary", "notation", "teaching"):
                assert tab.locator(f"article a[href$='pages/{lang}/{name}.html']").count() > 0


@pytest.mark.parametrize(("query", "expected"), [
    ("エントロピー", "chapters/ja/01_entropy.html"),
    ("相互情報量", "pages/ja/glossary.html"),
    ("entropy", "chapters/en/01_entropy.html"),
])
def test_search_finds_terms_in_both_languages(page, query, expected):
    tab, server = page
    tab.goto(f"{server}/search.html?q={quote(query)}")
    # Results appear one by one; the summary line is written when the search has finished.
    tab.wait_for_function(
        "() => document.querySelector('#search-results p.search-summary')?.innerText.trim()",
        timeout=20000,
    )
    hrefs = tab.locator("#search-results ul.search li a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))")
    assert hrefs, f"no result for {query}"
    assert any(h.split("?")[0].split("#")[0].endswith(expected) for h in hrefs), hrefs
