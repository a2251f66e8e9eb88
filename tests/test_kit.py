"""The teaching kit (ilib/kit.py): answer key, lesson plans and slides, built from the notebooks.

The tests check structure, not the chapters' current wording: every exercise and
self-check key is in the answer key, every exercise is placed in class or as homework,
every plan states the benchmark's run time, every deck has 10 to 15 slides and works
offline in a browser.
"""

import html
import json
import re
import subprocess
import tomllib

import nbformat
import pytest

from ilib import kit, selfcheck

from notebooks import CHAPTERS, LANGUAGES, ROOT, chapter_names, exercise_labels, load, source

NOTEBOOKS = sorted(CHAPTERS.glob("*/*.ipynb"))
START = re.compile(r"^```\{solution-start\} (\S+)")
PLANS = ROOT / "ilib" / "lesson_plans"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("kit")
    kit.build_answer_key(NOTEBOOKS, out / "answer-key")
    kit.build_lesson_plans(NOTEBOOKS, out / "lesson-plans")
    kit.build_slides(NOTEBOOKS, out / "slides")
    return out


def solutions(nb):
    """``{label: [cells]}``: the cells between each solution's directives, read here
    independently of ilib."""
    found, label = {}, None
    for cell in nb["cells"]:
        text = source(cell).strip()
        opened = START.match(text) if cell["cell_type"] == "markdown" else None
        if opened:
            label = opened[1]
            found[label] = []
        elif cell["cell_type"] == "markdown" and text == "```{solution-end}\n```":
            label = None
        elif label:
            found[label].append(cell)
    return found


def plan(name):
    return tomllib.loads((PLANS / f"{name[:2]}.toml").read_text(encoding="utf-8"))


# --- answer key -----------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGUAGES)
def test_answer_key_has_every_exercise_with_its_solution(built, lang):
    text = (built / "answer-key" / lang / "answer_key.md").read_text(encoding="utf-8")
    html = (built / "answer-key" / lang / "answer_key.html").read_text(encoding="utf-8")
    for name in chapter_names(lang):
        nb = load(lang, name)
        labels = exercise_labels(nb)
        assert labels, f"{name} has no exercise"
        cells = solutions(nb)
        for label in labels:
            assert f"({label})" in text and f"({label})" in html, f"{label} missing"
            assert cells.get(label), f"{label} has no worked solution in {name}"
            after = text[text.index(f"({label})"):]
            for cell in cells[label]:
                if cell["cell_type"] == "code":
                    assert source(cell).rstrip() in after, f"code of {label} missing"
                    for out in cell.get("outputs", []):
                        if out["output_type"] == "stream":
                            printed = "".join(out["text"]).rstrip()
                            assert printed in after, f"output of {label} missing"
                else:
                    prose = re.sub(r"^:[\w-]+:.*$", "", source(cell), flags=re.M)
                    words = re.findall(r"\w{4,}", prose)
                    assert all(w in after for w in words), f"text of {label} missing"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_answer_key_gives_every_self_check_value_unit_and_tolerance(built, lang):
    text = (built / "answer-key" / lang / "answer_key.md").read_text(encoding="utf-8")
    for key in selfcheck.answer_keys():
        answer = selfcheck.answer_for(key)
        row = next((line for line in text.splitlines() if line.startswith(f"| `{key}` |")), None)
        assert row, f"self-check {key} missing from the {lang} answer key"
        assert f"| {answer.value!r} |" in row
        assert f"rtol {answer.rtol:g}" in row or f"atol {answer.atol:g}" in row
        assert answer.precision_text(lang) in row


# --- lesson plans ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", chapter_names("en"))
def test_every_exercise_is_placed_in_class_or_as_homework(name):
    facts = plan(name)
    slugs = {label[3:] for lang in LANGUAGES for label in exercise_labels(load(lang, name))}
    in_class, homework = set(facts["in_class"]), set(facts["homework"])
    assert not in_class & homework, f"{sorted(in_class & homework)} in class and as homework"
    assert slugs == in_class | homework, (
        f"ilib/lesson_plans/{name[:2]}.toml must place exactly the exercises {sorted(slugs)}")


@pytest.mark.parametrize("name", chapter_names("en"))
def test_plan_data_is_complete_with_a_question_for_every_numbered_section(name):
    facts = plan(name)
    for lang in LANGUAGES:
        assert facts["prerequisites"][lang]
        assert facts["exam"]["question"][lang].strip() and facts["exam"]["answer"][lang].strip()
        assert all(q[lang].strip() for q in facts["predict"].values())
    for section in kit.read_chapter(CHAPTERS / "en" / name).sections:
        if section.number:
            assert section.title in facts["predict"], (
                f"ilib/lesson_plans/{name[:2]}.toml has no predict question for "
                f"{section.number} {section.title!r}")


def test_benchmark_file_describes_the_machine_and_every_notebook():
    data = json.loads((ROOT / "benchmarks" / "chapters.json").read_text(encoding="utf-8"))
    assert {"cpu", "cores", "threads"} <= set(data["machine"])
    for path in NOTEBOOKS:
        figures = data["notebooks"][path.relative_to(ROOT).as_posix()]
        assert figures["wall_s"] > 0 and figures["cpu_s"] > 0


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_plan_states_the_benchmark_run_time_and_places_every_exercise(built, lang):
    data = json.loads((ROOT / "benchmarks" / "chapters.json").read_text(encoding="utf-8"))
    for name in chapter_names(lang):
        text = (built / "lesson-plans" / lang / name.replace(".ipynb", ".md")).read_text(
            encoding="utf-8")
        figures = data["notebooks"][f"chapters/{lang}/{name}"]
        wall, cpu = f"{figures['wall_s']:.0f}", f"{figures['cpu_s']:.0f}"
        stated = {"en": f"{wall} s wall-clock time ({cpu} s of CPU time)",
                  "ja": f"経過時間 {wall} 秒（CPU 時間 {cpu} 秒）"}[lang]
        assert stated in text and data["machine"]["cpu"] in text
        for label in exercise_labels(load(lang, name)):
            assert f"(`{label}`)" in text, f"{label} missing from the plan of {name}"
        for title in kit.read_chapter(CHAPTERS / lang / name).pitfalls:
            assert kit.plain_markdown(kit._pitfall(title)) in text


def test_a_new_exercise_fails_until_the_plan_places_it(tmp_path):
    chapter = kit.read_chapter(CHAPTERS / "en" / chapter_names("en")[0])
    chapter.exercises.append(kit.Exercise("en-01-new", "New", "?"))
    with pytest.raises(ValueError, match="01-new"):
        kit.classify(chapter, plan(chapter.path.name))


def test_plan_without_a_benchmark_says_so(tmp_path):
    chapter = kit.read_chapter(CHAPTERS / "ja" / chapter_names("ja")[0])
    text = kit.lesson_plan_markdown(chapter, plan(chapter.path.name), None)
    assert kit.WORDS["ja"]["no_runtime"] in text


# --- slides ---------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_deck_has_10_to_15_slides_and_works_offline(built, lang):
    low, high = kit.DECK_SIZE
    assert (built / "slides" / "mathjax" / "tex-chtml-full.js").is_file()
    for name in chapter_names(lang):
        html = (built / "slides" / lang / name.replace(".ipynb", ".html")).read_text(
            encoding="utf-8")
        slides = re.findall(r"<section class='slide (\w+)'", html)
        assert low <= len(slides) <= high, f"{name}: {len(slides)} slides"
        assert slides[0] == "title" and "predict" in slides and "formula" in slides
        assert slides.count("predict") == len(kit.read_chapter(CHAPTERS / lang / name).sections)
        assert '<script defer src="../mathjax/tex-chtml-full.js">' in html
        assert not re.search(r"(src|href)=['\"](https?:)?//", html), "nothing from the network"
        for src in re.findall(r"<img src='([^']*)'", html):
            assert src.startswith("data:image/png;base64,")


def _chapter(tmp_path, cells):
    nb = nbformat.v4.new_notebook(cells=cells)
    path = tmp_path / "chapters" / "en" / "01_test.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(nb, path)
    return path


def test_a_cell_tagged_slide_overrides_the_automatic_choice(tmp_path):
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    tagged = md("Tagged **slide** text.")
    tagged.metadata["tags"] = ["slide"]
    path = _chapter(tmp_path, [
        md("# 1. Test\n\n**Learning goals.**\n\n- one\n- two"),
        md("## 1.1 First\n\n$$\na = b\n$$"), tagged,
        md("## 1.2 Second\n\n$$\nc = d\n$$"), code("1 + 1"),
        md("## Summary\n\n- done\n\n## Exercises"),
    ])
    chapter = kit.read_chapter(path)
    assert chapter.goals == ["one", "two"]
    assert [s.number for s in chapter.sections] == ["1.1", "1.2"]
    slides, _ = kit.deck(chapter, {"predict": {"Second": {"en": "Guess c."}}})
    kinds = [s.kind for s in slides]
    assert kinds == ["title", "tagged", "predict", "formula", "predict",
                     "pitfalls", "exercises", "summary"]
    assert "Tagged **slide** text." in slides[1].body and "a = b" not in slides[1].body
    assert "Guess c." in slides[4].body and "1.1" in slides[2].body


def test_an_unclosed_solution_is_refused(tmp_path):
    md = nbformat.v4.new_markdown_cell
    path = _chapter(tmp_path, [
        md("# 1. Test"), md("```{exercise} E\n:label: en-01-e\n\nDo it.\n```"),
        md("```{solution-start} en-01-e\n:class: dropdown\n```"), md("Answer."),
    ])
    with pytest.raises(ValueError, match="never closed"):
        kit.read_chapter(path)


def test_myst_becomes_plain_markdown():
    text = "```{admonition} Pitfall\n:class: warning\n\nBody {cite}`key`.\n```\n"
    assert kit.plain_markdown(text).strip() == "> **Pitfall**\n>\n> Body [key]."
    assert kit.plain_markdown("```{math}\nx\n```").strip() == "$$\nx\n$$"


def test_a_deck_moves_with_the_keyboard_and_typesets_math_offline(built):
    sync_api = pytest.importorskip("playwright.sync_api")
    deck = built / "slides" / "ja" / chapter_names("ja")[0].replace(".ipynb", ".html")
    total = len(re.findall(r"<section class='slide", deck.read_text(encoding="utf-8")))
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page(viewport={"width": 1024, "height": 640})
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(deck.as_uri())
        page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise")
        page.evaluate("MathJax.startup.promise")
        assert page.locator("section.slide.current").count() == 1
        page.keyboard.press("ArrowRight")
        assert page.inner_text("#counter") == f"2 / {total}"
        page.keyboard.press("End")
        assert page.inner_text("#counter") == f"{total} / {total}"
        assert page.locator("mjx-container").count() > 0
        browser.close()
    assert all(url.startswith(("file:", "data:")) for url in requests)


# --- PDFs -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    out = tmp_path_factory.mktemp("pdf")
    return {(p.parent.name, p.name): p for p in kit.build_pdfs(NOTEBOOKS, out)}


def _poppler(tool, pdf):
    return subprocess.run([tool, str(pdf)] + (["-"] if tool == "pdftotext" else []), check=True,
                          capture_output=True, text=True).stdout


#: A line of a paragraph (not a heading, list item, table row, directive or math) up to `$`.
PROSE = r"^(?![-*+] |\d+\. )[^#$`>:|\n][^$\n]{12,}"


def _squeezed(text):
    return re.sub(r"\s+", "", text)


def test_every_pdf_has_pages_and_embeds_all_its_fonts(pdfs):
    assert len(pdfs) == len(NOTEBOOKS) + 2 * len(LANGUAGES)
    for (lang, name), pdf in pdfs.items():
        pages = int(re.search(r"^Pages:\s+(\d+)", _poppler("pdfinfo", pdf), re.M)[1])
        assert 1 <= pages <= 200, f"{lang}/{name}: {pages} pages"
        fonts = _poppler("pdffonts", pdf).splitlines()[2:]
        assert fonts, f"{lang}/{name} has no text"
        assert all(line.split()[-5] == "yes" for line in fonts), f"{lang}/{name}: not embedded"
        if lang == "ja":
            assert any("IPAex" in line or "CJK" in line for line in fonts), "no Japanese font"


def test_each_handout_has_its_title_and_a_formula_paragraph_but_no_solution(pdfs):
    for path in NOTEBOOKS:
        lang = path.parent.name
        text = _squeezed(_poppler("pdftotext", pdfs[(lang, path.stem + ".pdf")]))
        chapter = kit.read_chapter(path)
        assert _squeezed(re.sub(r"^\d+\.\s*", "", chapter.title)) in text
        nb = load(lang, path.name)
        with_math = next(source(c) for c in nb["cells"] if c["cell_type"] == "markdown"
                         and re.search(PROSE + r"\$[^$]", source(c), re.M))
        lead = re.search(PROSE + r"(?=\$[^$])", with_math, re.M)[0]
        # Bold and code may come out of order in the PDF's text: compare the plain pieces.
        for piece in re.split(r"\*\*.*?\*\*|\{[\w:-]+\}|`.*?`|\[.*?\]\(.*?\)|[*_]", lead):
            if len(_squeezed(piece)) >= 6:
                assert _squeezed(piece) in text, f"{path.name}: formula paragraph missing"
        for cells in solutions(nb).values():
            code = [source(c) for c in cells if c["cell_type"] == "code"]
            assert all(_squeezed(c)[:40] not in text for c in code), "a solution in a handout"


def test_the_answer_key_pdfs_have_every_exercise(pdfs):
    for lang in LANGUAGES:
        text = _squeezed(_poppler("pdftotext", pdfs[(lang, "answer_key.pdf")]))
        for name in chapter_names(lang):
            for label in exercise_labels(load(lang, name)):
                # A label broken across lines at a hyphen loses it in the PDF's text.
                assert label.replace("-", "") in text.replace("-", "")


def test_the_book_pdfs_have_every_chapter_and_the_solutions_appendix(pdfs):
    for lang in LANGUAGES:
        text = _squeezed(_poppler("pdftotext", pdfs[(lang, "book.pdf")]))
        appendix = text.index(_squeezed(kit.WORDS[lang]["appendix"]))
        for name in chapter_names(lang):
            title = kit.read_chapter(CHAPTERS / lang / name).title
            assert _squeezed(re.sub(r"^\d+\.\s*", "", title)) in text[:appendix]
            for label in exercise_labels(load(lang, name)):
                assert label.replace("-", "") in text[appendix:].replace("-", "")


def test_the_book_without_solutions_has_none(tmp_path):
    english = [p for p in NOTEBOOKS if p.parent.name == "en"]
    code = [source(c).rstrip() for name in chapter_names("en")
            for cells in solutions(load("en", name)).values() for c in cells
            if c["cell_type"] == "code"]
    assert code
    for choice, present in (("appendix", True), ("omit", False)):
        (page,) = kit.build_books(english, tmp_path / choice, choice)
        text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))
        assert (kit.WORDS["en"]["appendix"] in text) == present
        assert all((c in text) == present for c in code), choice
    with pytest.raises(ValueError, match="solutions"):
        kit.build_books(NOTEBOOKS, tmp_path, "inline")
