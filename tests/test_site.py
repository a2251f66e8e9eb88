"""The built website, as a reader meets it: offline, in headless Chromium.

Run after `make book` (``make test`` does both). Every request that does not go
to the local server is blocked and counted as a failure.
"""

import functools
import http.server
import os
import re
import shutil
import threading
from pathlib import Path

import pytest

from notebooks import LANGUAGES, ROOT, chapter_names

HTML = ROOT / "_build" / "html"
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
EXTERNAL = re.compile(r"""<(script|link|img|iframe)\b[^>]*?(src|href)=["'](https?:)?//""", re.I)
PAGES = [f"chapters/{lang}/{name.removesuffix('.ipynb')}.html"
         for lang in LANGUAGES for name in chapter_names(lang)]


@pytest.fixture(scope="module")
def built():
    assert (HTML / "index.html").is_file(), "build the site first: make book"
    return HTML


def test_every_chapter_page_is_built(built):
    for page in PAGES:
        assert (built / page).is_file(), page


def test_no_page_loads_anything_from_another_host(built):
    for page in built.rglob("*.html"):
        found = EXTERNAL.search(page.read_text(encoding="utf-8"))
        assert found is None, f"{page.relative_to(built)} loads {found.group(0)}"


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
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context()
    blocked, errors = [], []

    def route(route_obj):
        if route_obj.request.url.startswith(server):
            route_obj.continue_()
        else:
            blocked.append(route_obj.request.url)
            route_obj.abort()

    context.route("**/*", route)
    tab = context.new_page()
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab, server
    context.close()
    assert blocked == [], f"requests left the machine: {blocked}"
    assert errors == [], f"console errors: {errors}"


@pytest.mark.parametrize("path", PAGES)
def test_chapter_page_typesets_math(page, path):
    tab, server = page
    tab.goto(f"{server}/{path}")
    tab.wait_for_selector("mjx-container", timeout=20000)
    assert tab.locator("mjx-container[display='true']").count() > 0
    assert tab.locator("mjx-merror").count() == 0, "a formula failed to typeset"


@pytest.mark.parametrize("path", PAGES)
def test_chapter_page_links_to_its_counterpart(page, path):
    tab, server = page
    lang = path.split("/")[1]
    other = path.replace(f"/{lang}/", f"/{'ja' if lang == 'en' else 'en'}/")
    tab.goto(f"{server}/{path}")
    link = tab.locator(f"article a[href$='{Path(other).name}']").first
    link.click()
    tab.wait_for_load_state()
    assert tab.url == f"{server}/{other}"


@pytest.mark.parametrize("path", PAGES)
def test_every_slider_changes_the_picture(page, path):
    tab, server = page
    tab.goto(f"{server}/{path}")
    explorers = tab.locator(".ilib-explorer")
    assert explorers.count() > 0, "the chapter has a slider"
    for i in range(explorers.count()):
        box = explorers.nth(i)
        for j in range(box.locator("input.ilib-slider").count()):
            slider = box.locator("input.ilib-slider").nth(j)
            before = (box.locator("img.ilib-frame").get_attribute("src"),
                      box.locator("pre.ilib-text").inner_text())
            top = int(slider.get_attribute("max"))
            target = 0 if int(slider.input_value()) != 0 else top
            slider.evaluate(
                "(el, v) => { el.value = v; el.dispatchEvent(new Event('input')); }", str(target)
            )
            after = (box.locator("img.ilib-frame").get_attribute("src"),
                     box.locator("pre.ilib-text").inner_text())
            assert after[0] != before[0], f"explorer {i}, slider {j}: the picture did not change"
            assert after[1] != before[1], f"explorer {i}, slider {j}: the numbers did not change"
