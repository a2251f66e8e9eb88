"""The website's build helpers (sphinx_ext/), without building the site."""

import base64
import hashlib
import io
import json
import re
import sys

import pytest

from notebooks import ROOT

sys.path.insert(0, str(ROOT / "sphinx_ext"))

import build_books  # noqa: E402
import colab_cell  # noqa: E402
import landing  # noqa: E402
import site_fixes  # noqa: E402
import site_fonts  # noqa: E402


def _png(seed=0):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(1, 1), dpi=20)
    ax.plot([0, 1], [seed, 1])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def test_each_book_is_one_part_of_the_toc_with_its_own_home_page():
    for lang in ("en", "ja"):
        toc = build_books.book_toc(lang)
        files = [entry["file"] for entry in toc["parts"][0]["chapters"]]
        assert toc["root"] == f"pages/{lang}/index"
        assert files and all(f"/{lang}/" in f for f in files), files
    en = [e["file"] for e in build_books.book_toc("en")["parts"][0]["chapters"]]
    ja = [e["file"] for e in build_books.book_toc("ja")["parts"][0]["chapters"]]
    assert [f.replace("/en/", "/ja/") for f in en] == ja


def test_books_differ_only_in_language_settings():
    en, ja = (build_books.overrides(lang, ROOT / "_build" / "toc" / f"{lang}.yml")
              for lang in ("en", "ja"))
    assert (en["language"], en["html_search_language"]) == ("en", "en")
    assert (ja["language"], ja["html_search_language"]) == ("ja", "ja")
    assert set(en) == set(ja)


def test_counterpart_and_links_to_the_other_book():
    assert site_fixes.counterpart("chapters/en/01_entropy", "en") == "chapters/ja/01_entropy"
    assert site_fixes.counterpart("pages/ja/index", "ja") == "pages/en/index"
    assert site_fixes.counterpart("search", "ja") == "search"
    # _build/html/en/chapters/en/01_entropy.html -> _build/html/ja/chapters/ja/01_entropy.html
    assert (site_fixes.url_to_other_book("chapters/en/01_entropy", "chapters/ja/01_entropy", "en")
            == "../../../ja/chapters/ja/01_entropy.html")
    assert site_fixes.url_to_other_book("search", "search", "ja", "x") == "../en/search.html#x"


def test_japanese_search_splits_into_bigrams_and_keeps_latin_words():
    assert site_fixes.split_japanese("相互情報量") == ["相互", "互情", "情報", "報量"]
    assert site_fixes.split_japanese("KL ダイバージェンス") == [
        "KL", "ダイ", "イバ", "バー", "ージ", "ジェ", "ェン", "ンス"]
    assert site_fixes.split_japanese("量 と entropy") == ["量", "と", "entropy"]
    # Every bigram of a term occurs in any text containing it: a search for the term
    # (all its bigrams) finds the text, whatever surrounds the term.
    text = set(site_fixes.split_japanese("この章では相互情報量を定義します。"))
    assert set(site_fixes.split_japanese("相互情報量")) <= text


def test_the_browser_splits_queries_as_the_index_does():
    code = site_fixes.SearchJapaneseBigrams.js_splitter_code
    assert "function splitQuery" in code and "slice(i, i + 2)" in code


def test_figure_descriptions_map_each_png_to_its_text():
    png = _png()
    notebook = {"cells": [{"cell_type": "code", "outputs": [
        {"output_type": "display_data",
         "data": {"image/png": base64.b64encode(png).decode(), "text/plain": "A line.\n"}},
        {"output_type": "stream", "text": "1.000 bits\n"},
    ]}]}
    assert site_fixes.figure_descriptions(notebook) == {hashlib.sha256(png).hexdigest(): "A line."}


def test_slider_frames_become_files(tmp_path):
    first, second = _png(0), _png(1)
    uris = [f"data:image/png;base64,{base64.b64encode(p).decode()}" for p in (first, second)]
    payload = json.dumps({"shape": [2], "labels": [["0", "1"]], "frames": [[u, "t"] for u in uris]})
    html = (f'<div class="ilib-explorer"><img class="ilib-frame" src="{uris[0]}">'
            f'<script type="application/json" class="ilib-frames">{payload}</script></div>')
    out = site_fixes.externalise_frames(html, tmp_path, "../../")
    assert "data:image" not in out
    files = sorted((tmp_path / site_fixes.FRAMES_DIR).iterdir())
    assert len(files) == 2 and {f.read_bytes() for f in files} == {first, second}
    frames = json.loads(re.search(r'class="ilib-frames">(.*?)</script>', out).group(1))["frames"]
    assert all(src.startswith(f"../../{site_fixes.FRAMES_DIR}/") for src, _ in frames)
    assert site_fixes.externalise_frames("<p>data:image/png;base64,AAAA</p>", tmp_path, "") == (
        "<p>data:image/png;base64,AAAA</p>"), "only slider payloads are rewritten"


def test_pages_lose_the_scripts_they_do_not_need():
    head = ('<script src="../_static/vendor/fontawesome/6.5.2/js/all.min.js?digest=1"></script>\n'
            '<link rel="preload" as="font" type="font/woff2" crossorigin '
            'href="../_static/vendor/fontawesome/6.5.2/webfonts/fa-brands-400.woff2" />\n'
            '<script src="../_static/searchtools.js"></script>\n'
            '<script src="../searchindex.js"></script>\n'
            '<script src="../_static/doctools.js"></script>')
    page = site_fixes.lighten_page(head)
    assert "fontawesome" not in page and "searchindex" not in page and "searchtools" not in page
    assert "doctools.js" in page
    search = site_fixes.lighten_page(head, search_page=True)
    assert "searchindex.js" in search and "searchtools.js" in search


def test_figure_sizes_keep_the_natural_width_and_the_aspect_ratio():
    body = '<img alt="A." src="a.png" style="width: 640px; height: 360px;" />'
    assert site_fixes.figure_sizes(body) == (
        '<img alt="A." src="a.png" style="--natural-width: 640px; aspect-ratio: 640 / 360;" />')


def test_icons_come_from_the_themes_font_awesome():
    paths = site_fonts.icon_paths({"bars", "github", "magnifying-glass", "no-such-icon"})
    assert set(paths) == {"bars", "github", "magnifying-glass"}
    width, height, path = paths["bars"]
    assert (width, height) == (448, 512) and path.startswith("M")


def test_font_stacks_put_local_japanese_fonts_before_the_web_font():
    for stack in (site_fonts.SANS, site_fonts.MONO):
        families = [f.strip().strip('"') for f in stack.split(",")]
        web = families.index(site_fonts.WEB_FAMILY)
        for local in ("Hiragino Sans", "Yu Gothic", "Noto Sans CJK JP", "IPAexGothic"):
            assert families.index(local) < web
        assert families.index("Liberation Sans" if stack is site_fonts.SANS
                              else "Liberation Mono") > web
    assert "unicode-range: U+3000-303F" in site_fonts.font_css()


def test_font_subset_covers_the_characters_it_was_made_for(tmp_path):
    from fontTools.ttLib import TTFont

    page = tmp_path / "page.html"
    page.write_text("<p>相互情報量 と English（括弧）</p>", encoding="utf-8")
    chars = site_fonts.write_japanese_font([page], tmp_path)
    assert chars == set("相互情報量と括弧（）")
    cmap = TTFont(tmp_path / site_fonts.FONT_FILE).getBestCmap()
    assert {chr(c) for c in cmap} >= chars


def test_landing_page_leads_to_both_books():
    page = landing.page()
    assert '<html lang="en">' in page and '<section lang="ja">' in page
    for book in landing.BOOKS:
        assert f'href="{book["href"]}"' in page
    assert "<script" not in page


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_japanese_labels_for_togglebutton(lang):
    class Config:
        language = lang
        togglebutton_hint = "Click to show"
        togglebutton_hint_hide = "Click to hide"
        html_search_options = {}

    config = Config()
    site_fixes._language_settings(None, config)
    expected = ("クリックして表示", "クリックして非表示") if lang == "ja" else (
        "Click to show", "Click to hide")
    assert (config.togglebutton_hint, config.togglebutton_hint_hide) == expected


def test_mathjax_draws_japanese_with_the_pages_fonts():
    class Config:
        mathjax3_config = {"tex": {"inlineMath": [["\\(", "\\)"]]}}

    config = Config()
    site_fixes._math_fonts(None, config)
    assert config.mathjax3_config["tex"] == {"inlineMath": [["\\(", "\\)"]]}
    family = config.mathjax3_config["chtml"]["unknownFamily"]
    assert '"IPAexGothic Web"' in family and family.endswith("serif")


def test_japanese_pages_get_japanese_tooltips():
    text = '<a class="headerlink" href="#x" title="Link to this heading">#</a>'
    assert 'title="この見出しへのリンク"' in site_fixes.localise_attributes(text, "ja")
    assert site_fixes.localise_attributes(text, "en") == text
    cited = '<a title="Thomas M. Cover. Elements of Information Theory.">'
    assert site_fixes.localise_attributes(cited, "ja") == cited


def test_colab_cell_installs_only_where_ilib_is_missing(tmp_path):
    import nbformat

    path = tmp_path / "ja" / "01_x.ipynb"
    path.parent.mkdir()
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 1. 題"), nbformat.v4.new_code_cell("import ilib")])
    nbformat.write(notebook, path)
    colab_cell.main([path])
    colab_cell.main([path])  # idempotent
    cells = nbformat.read(path, as_version=4).cells
    assert [c.cell_type for c in cells] == ["markdown", "code", "code"]
    source = cells[1].source
    assert cells[1].id == colab_cell.MARKER and "except ImportError:" in source
    assert f"ilib @ git+{colab_cell.repository_url()}" in source and "matplotlib-fontja" in source
    assert "インストール" in source
    # Where ilib imports, the cell runs silently and installs nothing.
    code = compile(source, "cell", "exec")
    namespace = {}
    exec(code, namespace)
    assert "subprocess" not in namespace
    en, ja = colab_cell.cell_source("en"), colab_cell.cell_source("ja")
    strip = [re.sub(r"#.*", "", s) for s in (en, ja)]
    assert strip[0] == strip[1], "the two languages differ only in comments"
