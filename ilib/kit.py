"""The teaching kit, generated from the chapter notebooks at build time.

Three generators, one per make target, each writing ``<out>/en/`` and ``<out>/ja/``:

``python -m ilib.kit answer-key --out _build/answer-key chapters/*/*.ipynb`` (``make answer-key``)
    Every exercise with its worked solution (the cells between its
    ``solution-start`` and ``solution-end`` directives, code with its outputs) and
    the value, unit and tolerance of every self-check key (``ilib/answers/NN.toml``):
    ``answer_key.md`` and ``answer_key.html``.
``python -m ilib.kit lesson-plans --out _build/lesson-plans chapters/*/*.ipynb``
    One plan per chapter (``NN_name.md`` and ``.html``): the chapter's learning
    goals, sections, exercises and pitfall boxes (the misconceptions it targets),
    read from the notebook; the prerequisites, the split of the exercises into
    class work and homework and an exam question with its answer, read from
    ``ilib/lesson_plans/NN.toml``; and the notebook's measured run time, read
    from ``benchmarks/chapters.json`` (``benchmarks/chapters.py --json``).
``python -m ilib.kit slides --out _build/slides chapters/*/*.ipynb``
    One deck per chapter (``NN_name.html``, 10 to 15 slides, arrow keys to move):
    the title and goals; for each section its first display formulas, its first
    figure and a "predict, then check" question (from the lesson-plan file, by the
    section's English title); the misconceptions; the exercises; the summary.
    A cell tagged ``slide`` overrides the automatic choice for its section: the
    section then shows the tagged cells (markdown, or a code cell's figures).
``python -m ilib.kit pdf --out _build/pdf [--solutions omit] chapters/*/*.ipynb`` (``make pdf``)
    A4 PDFs printed by headless Chromium (``/usr/bin/chromium``, through
    Playwright): the whole book, ``book.pdf``, with the worked solutions in an
    appendix (the answer key) or, with ``--solutions omit``, without them;
    ``answer_key.pdf``; and a handout of each chapter without its worked
    solutions, ``NN_name.pdf``.

Nothing is copied by hand: when a chapter changes, re-running the target brings
its kit up to date. Every HTML page works offline: figures are embedded, and
math is typeset by the MathJax the repository vendors (copied to
``<out>/mathjax``), and Japanese falls back on the IPAex font of the figures (copied
to ``<out>/fonts``). The rule that finds a solution is the one of the student
copies (:mod:`ilib.student_copies`). The teachers' page of the book
(``pages/en/teaching.md``) explains the kit.
"""

import argparse
import base64
import html
import json
import re
import shutil
import sys
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import matplotlib_fontja
import nbformat
from markdown_it import MarkdownIt
from mdit_py_plugins.amsmath import amsmath_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin

from ilib import _validate, i18n, selfcheck
from ilib.student_copies import (
    is_solution_end,
    is_tagged_solution,
    solution_label,
    source,
    student_notebook,
)

ROOT = Path(__file__).resolve().parents[1]
MATHJAX = ROOT / "vendor" / "mathjax"
BENCHMARK = ROOT / "benchmarks" / "chapters.json"
#: Headings that close a chapter rather than open a section (CONTRIBUTING.md: a
#: chapter ends with a summary, the exercises and the references).
CLOSING = {"Summary", "Exercises", "References", "まとめ", "演習問題", "参考文献"}
SUMMARY = {"Summary", "まとめ"}
#: A slide deck has this many slides at least and at most.
DECK_SIZE = (10, 15)
#: Figures are added to a deck until it has this many slides (if the chapter has them).
FILL = 12

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
_SECTION_NUMBER = re.compile(r"^(\d+\.\d+)\s+")
_DIRECTIVE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w-]+)\}\s*(?P<arg>.*)$")
_OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*)$")
_ROLE = re.compile(r"\{(?P<role>[\w:-]+)\}`(?P<text>[^`]*)`")
_DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.S)
_WIDE = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")

WORDS = {
    "en": {
        "answer_key": "Answer key", "solution": "Worked solution", "keys": "Self-check keys",
        "key": "key", "value": "value", "unit": "unit", "tolerance": "tolerance",
        "asks": "what it asks",
        "answer_intro": "For teachers: every exercise of the book with its worked solution, and "
                        "the expected answer of every self-check. Generated from the notebooks "
                        "and ilib/answers; do not hand it to students.",
        "no_keys": "This exercise has no self-check key.",
        "lesson_plan": "Lesson plan", "prerequisites": "Prerequisites",
        "goals": "Learning goals", "sections": "Sections", "runtime": "Run time",
        "runtime_text": "The notebook runs top to bottom in {wall:.0f} s wall-clock time "
                        "({cpu:.0f} s of CPU time) on {machine}, measured on {date}.",
        "machine": "{cpu}, {cores} cores, {threads} thread(s) for the numerical libraries, "
                   "load average {load} at the start",
        "no_runtime": "Not measured yet: run benchmarks/chapters.py --json.",
        "exercises": "Exercises", "in_class": "In class", "homework": "Homework",
        "misconceptions": "Misconceptions the chapter targets (its pitfall boxes)",
        "exam": "Suggested exam question", "exam_answer": "Answer",
        "predict": "Predict, then check", "check": "Then check: run the cells of section "
                   "{section} in the notebook and compare.",
        "predict_default": "Before running the first code cell of section {section}, write "
                           "down what you expect it to print or draw, and why.",
        "summary": "Summary", "slides": "Slides", "of": "of",
        "book": "Information Theory for Machine Learning", "appendix": "Appendix: solutions",
        "no_pitfalls": "This chapter has no pitfall box.",
    },
    "ja": {
        "answer_key": "解答集", "solution": "解答例", "keys": "自己チェックのキー",
        "key": "キー", "value": "値", "unit": "単位", "tolerance": "許容誤差",
        "asks": "問うこと",
        "answer_intro": "教員向けの資料です。本書のすべての演習問題とその解答例、"
                        "すべての自己チェックの正解を載せています。ノートブックと ilib/answers "
                        "から生成したもので、学生には配らないでください。",
        "no_keys": "この演習には自己チェックのキーがありません。",
        "lesson_plan": "授業計画", "prerequisites": "前提知識",
        "goals": "この章の目標", "sections": "節", "runtime": "実行時間",
        "runtime_text": "ノートブックを最初から最後まで実行すると、{machine}で経過時間 "
                        "{wall:.0f} 秒（CPU 時間 {cpu:.0f} 秒）かかります（{date} に測定）。",
        "machine": "{cpu}（{cores} コア、数値計算ライブラリのスレッド数 {threads}、"
                   "開始時のロードアベレージ {load}）",
        "no_runtime": "まだ測定していません。benchmarks/chapters.py --json を実行してください。",
        "exercises": "演習問題", "in_class": "授業中に解く", "homework": "宿題",
        "misconceptions": "この章が取り上げる誤解（落とし穴の囲み）",
        "exam": "試験問題の例", "exam_answer": "解答",
        "predict": "予想してから確かめる", "check": "確かめ方: ノートブックの {section} 節の"
                   "セルを実行し、予想と比べます。",
        "predict_default": "{section} 節の最初のコードセルを実行する前に、何が表示・描画される"
                           "かを予想し、その理由とともに書き留めてください。",
        "summary": "まとめ", "slides": "スライド", "of": "/",
        "book": "機械学習のための情報理論", "appendix": "付録: 演習問題の解答",
        "no_pitfalls": "この章には落とし穴の囲みがありません。",
    },
}
_UNIT_WORDS = {"en": {"bits": "bits", "nats": "nats", "": "—"},
               "ja": {"bits": "ビット", "nats": "ナット", "": "—"}}


# --- reading a chapter --------------------------------------------------------------------

@dataclass
class Figure:
    """A PNG output of a code cell, base64-encoded, with its alt text."""

    png: str
    alt: str


@dataclass
class Exercise:
    """One exercise: its label, title, statement and the cells of its worked solution."""

    label: str
    title: str
    statement: str
    solution: list = field(default_factory=list)

    @property
    def slug(self):
        return self.label[3:]


@dataclass
class Section:
    """A ``##`` section of a chapter: its number (``"1.2"`` or ``None``), title, cells."""

    number: str | None
    title: str
    blocks: list = field(default_factory=list)  # markdown strings and code cells, in order


@dataclass
class Chapter:
    """The parts of a chapter notebook the kit uses."""

    path: Path
    lang: str
    title: str
    goals: list
    sections: list
    pitfalls: list
    exercises: list
    summary: str

    @property
    def number(self):
        return self.path.name[:2]

    @property
    def stem(self):
        return self.path.stem


def figures(cell):
    """The PNG figures of a code cell's outputs, in order."""
    found = []
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        if "image/png" in data:
            alt = data.get("text/plain", "")
            alt = alt if isinstance(alt, str) else "".join(alt)
            # A figure left to the inline backend has no alt text, only its repr.
            alt = "" if alt.startswith("<Figure") else alt.strip().strip("'\"")
            found.append(Figure(data["image/png"].replace("\n", ""), alt))
    return found


def _directive(text):
    """``(name, argument, options, body)`` of a markdown cell that is one MyST directive."""
    lines = text.strip().splitlines()
    opened = _DIRECTIVE.match(lines[0]) if lines else None
    if not opened or lines[-1].strip() != opened["fence"]:
        return None
    options, body = {}, lines[1:-1]
    while body and _OPTION.match(body[0]):
        option = _OPTION.match(body.pop(0))
        options[option["key"]] = option["value"]
    return opened["name"], opened["arg"].strip(), options, "\n".join(body).strip()


def _goals(text):
    """The items of the first bullet list of ``text`` (continuation lines joined)."""
    items, started = [], False
    for line in text.splitlines():
        if re.match(r"^[-*]\s+", line):
            items.append(re.sub(r"^[-*]\s+", "", line).strip())
            started = True
        elif started and line.startswith((" ", "\t")) and line.strip():
            items[-1] += " " + line.strip()
        elif started:
            break
    return items


def _admonitions(text):
    """``(title, class)`` of every admonition directive in a markdown text."""
    found, lines = [], text.splitlines()
    for i, line in enumerate(lines):
        opened = _DIRECTIVE.match(line)
        if opened and opened["name"] == "admonition":
            options = {}
            for following in lines[i + 1:]:
                option = _OPTION.match(following)
                if not option:
                    break
                options[option["key"]] = option["value"]
            found.append((opened["arg"].strip(), options.get("class", "")))
    return found


def read_chapter(path):
    """Read a chapter notebook (``chapters/<lang>/NN_name.ipynb``) into a :class:`Chapter`.

    Raises
    ------
    ValueError
        If the notebook is not in a language folder, has no ``#`` title, or an
        exercise has no label or no closed solution.
    """
    path = Path(path)
    lang = _validate.one_of(path.parent.name, "the folder of a notebook", i18n.LANGUAGES)
    nb = nbformat.read(path, as_version=4)
    title, goals, sections, pitfalls, exercises = None, [], [], [], []
    summary_lines, current, in_summary, solving = [], None, False, None
    for cell in nb.cells:
        text = source(cell)
        if solving is not None:
            if is_solution_end(cell):
                solving = None
            else:
                solving.solution.append(cell)
            continue
        opened = solution_label(cell)
        if opened:
            matching = [e for e in exercises if e.label == opened]
            if not matching:
                raise ValueError(f"{path.name}: solution {opened!r} follows no exercise")
            solving = matching[0]
            continue
        if cell.cell_type == "markdown":
            directive = _directive(text)
            if directive and directive[0] == "exercise":
                label = directive[2].get("label")
                if not label:
                    raise ValueError(f"{path.name}: exercise {directive[1]!r} has no :label:")
                exercises.append(Exercise(label, directive[1], directive[3]))
                current, in_summary = None, False
                continue
            pitfalls += [t for t, cls in _admonitions(text) if "warning" in cls.split()]
            if not goals:
                goals = _goals(text)
            segment = []
            for line in text.splitlines():
                heading = _HEADING.match(line)
                if heading and len(heading[1]) == 1 and title is None:
                    title = heading[2]
                    continue
                if heading and len(heading[1]) == 2:
                    if current is not None and segment:
                        current.blocks.append("\n".join(segment))
                    segment, name = [], heading[2]
                    in_summary = name in SUMMARY
                    if name in CLOSING or exercises:
                        current = None
                    else:
                        number = _SECTION_NUMBER.match(name)
                        current = Section(number[1] if number else None,
                                          _SECTION_NUMBER.sub("", name), [])
                        sections.append(current)
                    continue
                if in_summary:
                    summary_lines.append(line)
                segment.append(line)
            if current is not None and segment:
                current.blocks.append("\n".join(segment))
            if current is not None and _tagged(cell):
                current.blocks.append(cell)  # the slide shows the whole cell
        elif cell.cell_type == "code" and current is not None and not is_tagged_solution(cell):
            current.blocks.append(cell)
    if solving is not None:
        raise ValueError(f"{path.name}: solution {solving.label!r} is never closed")
    if title is None:
        raise ValueError(f"{path.name}: the notebook has no '# ' title")
    return Chapter(path, lang, title, goals, sections, pitfalls, exercises,
                   "\n".join(summary_lines).strip())


# --- markdown for the kit: MyST directives and roles made plain ----------------------------

def plain_markdown(text):
    """``text`` (MyST markdown of a notebook) as CommonMark with dollar math.

    A directive becomes its content, with its title in bold for an admonition
    or exercise and its body in ``$$`` for a ``math`` directive; a role
    (``{cite}`key```) becomes its text in brackets.
    """
    lines, out, i = text.splitlines(), [], 0
    while i < len(lines):
        opened = _DIRECTIVE.match(lines[i])
        if not opened:
            out.append(_ROLE.sub(_role, lines[i]))
            i += 1
            continue
        end = i + 1
        while end < len(lines) and lines[end].strip() != opened["fence"]:
            end += 1
        body = lines[i + 1:end]
        while body and _OPTION.match(body[0]):
            body.pop(0)
        inner = plain_markdown("\n".join(body)).strip()
        name, arg = opened["name"], opened["arg"].strip()
        if name == "math":
            out += ["$$", inner, "$$"]
        elif name in ("solution-start", "solution-end"):
            pass
        elif arg and name not in ("code-cell", "code"):
            out += ["", f"> **{_ROLE.sub(_role, arg)}**", ">"] + [
                f"> {line}" if line else ">" for line in inner.splitlines()] + [""]
        else:
            out += ["", inner, ""]
        i = end + 1
    return "\n".join(out)


def _role(found):
    text = found["text"]
    return f"[{text}]" if found["role"] in ("cite", "cite:p", "cite:t") else f"`{text}`"


def _markdown_renderer(lang, images):
    def math(content, options):
        content = html.escape(content)
        return f"<div class='math'>\\[{content}\\]</div>" if options.get("display_mode") \
            else f"\\({content}\\)"

    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    dollarmath_plugin(md, renderer=math, allow_digits=False)
    amsmath_plugin(md, renderer=lambda content: f"<div class='math'>{html.escape(content)}</div>")

    def image(renderer, tokens, idx, options, env):
        token = tokens[idx]
        src = token.attrGet("src")
        alt = html.escape(token.content or "", quote=True)
        if src in images:
            src = f"data:image/png;base64,{images[src]}"
        return f"<img src='{html.escape(src, quote=True)}' alt='{alt}'>"

    def softbreak(renderer, tokens, idx, options, env):
        # A line break inside a Japanese paragraph is no space in Japanese.
        return "" if lang == "ja" else "\n"

    md.add_render_rule("image", image)
    md.add_render_rule("softbreak", softbreak)
    return md


def markdown_to_html(text, lang, images=None):
    """The HTML body of the markdown ``text``; an image whose src is a key of
    ``images`` is embedded as that base64 PNG."""
    return _markdown_renderer(lang, images or {}).render(text)


CSS = """
body { font-family: "Noto Sans", "DejaVu Sans", "Noto Sans CJK JP", "IPAexGothic", sans-serif;
       max-width: 52em; margin: 2em auto; padding: 0 1em; line-height: 1.55; color: #222; }
h1, h2, h3 { line-height: 1.25; } h2 { border-bottom: 1px solid #ccc; margin-top: 2em; }
pre { background: #f5f5f5; padding: .6em; overflow-x: auto; white-space: pre-wrap;
      word-break: break-word; font-size: .9em; }
img { max-width: 100%; } td code { white-space: nowrap; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #bbb; padding: .25em .6em; text-align: left; vertical-align: top; }
blockquote { border-left: 4px solid #d9a441; margin-left: 0; padding-left: 1em; }
@media print { pre, img, table { break-inside: avoid; } }
"""


#: On paper, each chapter of the answer key starts on a new page.
ANSWER_KEY_CSS = "@media print { h2 ~ h2 { break-before: page; } }"


def page(title, body, lang, mathjax="../mathjax", css=CSS, script=""):
    """A complete HTML page that typesets its math with the vendored MathJax."""
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{FONT_FACE}{css}</style>
<script>
window.MathJax = {{ tex: {{ inlineMath: [["\\\\(", "\\\\)"]], displayMath: [["\\\\[", "\\\\]"]],
                           tags: "none" }},
                   startup: {{ typeset: true }} }};
</script>
<script defer src="{mathjax}/tex-chtml-full.js"></script>
</head>
<body>
{body}
{script}
</body>
</html>
"""


#: Japanese pages use a Japanese font throughout (a browser falling back per character
#: on a machine without one draws boxes); where the system has none, IPAex Gothic, which
#: matplotlib-fontja ships for the figures, is loaded from the kit's folder.
FONT_FACE = """
@font-face { font-family: "IPAexGothic"; src: local("IPAexGothic"), url("../fonts/ipaexg.ttf"); }
html[lang="ja"] body { font-family: "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic",
  "IPAexGothic", sans-serif; }
pre, code { font-family: "DejaVu Sans Mono", monospace; }
html[lang="ja"] pre, html[lang="ja"] code { font-family: "Noto Sans Mono CJK JP",
  "IPAexGothic", monospace; }
"""


def copy_assets(out):
    """Copy the vendored MathJax to ``out/mathjax`` and the Japanese font with its licence
    to ``out/fonts`` (once), so that the pages in ``out/<lang>/`` work offline."""
    out = Path(out)
    if not (out / "mathjax").exists():
        shutil.copytree(MATHJAX, out / "mathjax")
    fonts = Path(matplotlib_fontja.__file__).parent / "fonts"
    (out / "fonts").mkdir(parents=True, exist_ok=True)
    for name in ("ipaexg.ttf", "IPA_Font_License_Agreement_v1.0.txt"):
        if not (out / "fonts" / name).exists():
            shutil.copy2(fonts / name, out / "fonts" / name)


# --- the answer key -----------------------------------------------------------------------

def _fenced(text, info):
    """``text`` in a code fence longer than any run of backticks inside it."""
    runs = [len(r) for r in re.findall(r"`+", text)]
    fence = "`" * max(3, max(runs, default=0) + 1)
    return f"{fence}{info}\n{text.rstrip()}\n{fence}"


def _cell_markdown(cell, stem, images):
    """A solution cell as markdown: text as is, code fenced with its outputs and figures."""
    if cell.cell_type == "markdown":
        return plain_markdown(source(cell))
    parts = [_fenced(source(cell), "python")]
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            text = out["text"] if isinstance(out["text"], str) else "".join(out["text"])
            parts += ["", _fenced(text, "text")]
        elif out.get("output_type") == "execute_result" and "image/png" not in out["data"]:
            text = out["data"].get("text/plain", "")
            text = text if isinstance(text, str) else "".join(text)
            parts += ["", _fenced(text, "text")]
    for figure in figures(cell):
        name = f"figures/{stem}-{len(images) + 1}.png"
        images[name] = figure.png
        parts += ["", f"![{figure.alt}]({name})"]
    return "\n".join(parts)


def _tolerance(answer):
    parts = []
    if answer.rtol:
        parts.append(f"rtol {answer.rtol:g}")
    if answer.atol:
        parts.append(f"atol {answer.atol:g}")
    return ", ".join(parts)


def answer_key_markdown(chapters, lang, answers, appendix=False):
    """The answer key of ``chapters`` in ``lang`` as markdown, and its images ``{name: png}``.

    ``answers`` is ``{key: selfcheck.Answer}``. Every exercise appears with its
    statement and worked solution, then the table of its self-check keys. As the
    ``appendix`` of the book it is headed "Solutions", without the note to teachers.
    """
    w, images = WORDS[lang], {}
    if appendix:
        lines = [f"# {w['appendix']}", ""]
    else:
        lines = [f"# {w['answer_key']}", "", w["answer_intro"], ""]
    for chapter in chapters:
        lines += [f"## {chapter.title}", ""]
        for exercise in chapter.exercises:
            lines += [f"### {exercise.title} ({exercise.label})", "",
                      plain_markdown(exercise.statement), "", f"#### {w['solution']}", ""]
            stem = exercise.label
            lines += [_cell_markdown(c, stem, images) + "\n" for c in exercise.solution]
            keys = [k for k, a in answers.items() if a.exercise == exercise.slug]
            if keys:
                lines += [f"#### {w['keys']}", "",
                          f"| {w['key']} | {w['value']} | {w['unit']} | {w['tolerance']} "
                          f"| {w['asks']} |", "| --- | --- | --- | --- | --- |"]
                for key in keys:
                    a = answers[key]
                    lines.append(f"| `{key}` | {a.value!r} | {_UNIT_WORDS[lang][a.unit]} | "
                                 f"{_tolerance(a)} ({a.precision_text(lang)}) | "
                                 f"{a.what[lang].replace('|', '/')} |")
                lines.append("")
            else:
                lines += [w["no_keys"], ""]
    return "\n".join(lines), images


def build_answer_key(notebooks, out):
    """Write ``out/<lang>/answer_key.{md,html}`` (and the md's figures); return the paths."""
    out, written = Path(out), []
    answers = {k: selfcheck.answer_for(k) for k in selfcheck.answer_keys()}
    for lang, chapters in _by_language(notebooks).items():
        text, images = answer_key_markdown(chapters, lang, answers)
        folder = out / lang
        (folder / "figures").mkdir(parents=True, exist_ok=True)
        for name, png in images.items():
            (folder / name).write_bytes(base64.b64decode(png))
        (folder / "answer_key.md").write_text(text + "\n", encoding="utf-8")
        body = markdown_to_html(text, lang, images)
        (folder / "answer_key.html").write_text(
            page(WORDS[lang]["answer_key"], body, lang, css=CSS + ANSWER_KEY_CSS),
            encoding="utf-8")
        written += [folder / "answer_key.md", folder / "answer_key.html"]
    copy_assets(out)
    return written


def _by_language(notebooks):
    chapters = {}
    for path in sorted(map(Path, notebooks)):
        chapter = read_chapter(path)
        chapters.setdefault(chapter.lang, []).append(chapter)
    return chapters


# --- lesson plans -------------------------------------------------------------------------

def read_plan(number, folder=None):
    """The lesson-plan facts of chapter ``number`` (``"01"``) from ``ilib/lesson_plans/NN.toml``.

    Raises
    ------
    ValueError
        If the chapter has no plan file.
    """
    folder = Path(folder) if folder else resources.files("ilib").joinpath("lesson_plans")
    path = folder / f"{number}.toml"
    if not path.is_file():
        raise ValueError(
            f"chapter {number} has no lesson plan: add ilib/lesson_plans/{number}.toml")
    return tomllib.loads(path.read_text(encoding="utf-8"))


def read_benchmark(path=BENCHMARK):
    """The benchmark data file (``benchmarks/chapters.json``), or ``None`` if there is none."""
    path = Path(path)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def runtime_text(chapter, benchmark):
    """The sentence of a lesson plan that states the notebook's measured run time."""
    w = WORDS[chapter.lang]
    key = f"chapters/{chapter.lang}/{chapter.path.name}"
    figures_ = (benchmark or {}).get("notebooks", {}).get(key)
    if not figures_:
        return w["no_runtime"]
    m = benchmark["machine"]
    machine = w["machine"].format(cpu=m["cpu"], cores=m["cores"], threads=m["threads"],
                                  load=m["load_average_1min_at_start"])
    return w["runtime_text"].format(wall=figures_["wall_s"], cpu=figures_["cpu_s"],
                                    machine=machine, date=benchmark["measured"])


def classify(chapter, plan):
    """``(in_class, homework)``: the chapter's exercises, split as the plan says.

    Raises
    ------
    ValueError
        If an exercise of the chapter is in neither list or in both, or the
        plan names an exercise the chapter does not have.
    """
    slugs = [e.slug for e in chapter.exercises]
    in_class, homework = plan.get("in_class", []), plan.get("homework", [])
    for slug in slugs:
        if (slug in in_class) == (slug in homework):
            raise ValueError(
                f"exercise {slug!r} of {chapter.path.name} must be in exactly one of in_class "
                f"and homework in ilib/lesson_plans/{chapter.number}.toml")
    unknown = sorted(set(in_class + homework) - set(slugs))
    if unknown:
        raise ValueError(f"ilib/lesson_plans/{chapter.number}.toml names exercises "
                         f"{chapter.path.name} does not have: {unknown}")
    by_slug = {e.slug: e for e in chapter.exercises}
    return [by_slug[s] for s in slugs if s in in_class], [by_slug[s] for s in slugs
                                                          if s in homework]


def lesson_plan_markdown(chapter, plan, benchmark):
    """The lesson plan of one chapter, in the chapter's language, as markdown."""
    lang, w = chapter.lang, WORDS[chapter.lang]
    in_class, homework = classify(chapter, plan)
    lines = [f"# {w['lesson_plan']}: {chapter.title}", "",
             f"## {w['prerequisites']}", ""]
    lines += [f"- {item}" for item in plan["prerequisites"][lang]] + [""]
    lines += [f"## {w['goals']}", ""] + [f"- {g}" for g in chapter.goals] + [""]
    lines += [f"## {w['sections']}", ""]
    lines += [f"- {s.number + ' ' if s.number else ''}{s.title}" for s in chapter.sections]
    lines += ["", f"## {w['runtime']}", "", runtime_text(chapter, benchmark), ""]
    lines += [f"## {w['exercises']}", ""]
    for heading, chosen in ((w["in_class"], in_class), (w["homework"], homework)):
        lines += [f"**{heading}**", ""]
        lines += [f"- {e.title} (`{e.label}`)" for e in chosen] or ["- —"]
        lines.append("")
    lines += [f"## {w['misconceptions']}", ""]
    lines += [f"- {plain_markdown(_pitfall(t))}" for t in chapter.pitfalls] or [w["no_pitfalls"]]
    exam = plan["exam"]
    lines += ["", f"## {w['exam']}", "", exam["question"][lang].strip(), "",
              f"**{w['exam_answer']}**", "", exam["answer"][lang].strip(), ""]
    return "\n".join(lines)


def _pitfall(title):
    """A pitfall box's title without its lead-in ("Common pitfall: ")."""
    return re.sub(r"^(Common pitfall|よくある落とし穴)\s*[:：]\s*", "", title)


def build_lesson_plans(notebooks, out, benchmark=BENCHMARK):
    """Write ``out/<lang>/NN_name.{md,html}`` for each notebook; return the paths."""
    out, written, data = Path(out), [], read_benchmark(benchmark)
    for lang, chapters in _by_language(notebooks).items():
        folder = out / lang
        folder.mkdir(parents=True, exist_ok=True)
        for chapter in chapters:
            text = lesson_plan_markdown(chapter, read_plan(chapter.number), data)
            (folder / f"{chapter.stem}.md").write_text(text, encoding="utf-8")
            title = f"{WORDS[lang]['lesson_plan']}: {chapter.title}"
            (folder / f"{chapter.stem}.html").write_text(
                page(title, markdown_to_html(text, lang), lang), encoding="utf-8")
            written += [folder / f"{chapter.stem}.md", folder / f"{chapter.stem}.html"]
    copy_assets(out)
    return written


# --- slides -------------------------------------------------------------------------------

@dataclass
class Slide:
    """One slide: a title and a body in markdown (images keyed into the deck's images)."""

    title: str
    body: str
    kind: str


def _tagged(cell):
    return "slide" in cell.get("metadata", {}).get("tags", [])


def _section_slides(chapter, section, question, images):
    """``(required, optional)`` slides of a section. Required: its first display
    formulas (or, if none, its first figure), or else the cells tagged ``slide``;
    and the predict-then-check question, last. Optional: its figures, in order, then
    its further formulas, two a slide."""
    w = WORDS[chapter.lang]
    heading = f"{section.number + ' ' if section.number else ''}{section.title}"
    required, optional = [], []
    tagged = [b for b in section.blocks if not isinstance(b, str) and _tagged(b)]
    if tagged:
        required = [Slide(heading, _slide_cell(cell, images), "tagged") for cell in tagged]
    else:
        formulas = [m.strip() for b in section.blocks if isinstance(b, str)
                    for m in _DISPLAY_MATH.findall(b)]
        formulas, more = formulas[:2], formulas[2:]
        for figure in [f for b in section.blocks if not isinstance(b, str) for f in figures(b)]:
            name = f"figure-{len(images) + 1}"
            images[name] = figure.png
            optional.append(Slide(heading, f"![{figure.alt}]({name})\n\n{figure.alt}", "figure"))
        if formulas:
            required.append(Slide(heading, "\n\n".join(f"$$\n{f}\n$$" for f in formulas),
                                  "formula"))
        elif optional:
            required.append(optional.pop(0))
        optional += [Slide(heading, "\n\n".join(f"$$\n{f}\n$$" for f in more[i:i + 2]),
                           "formula") for i in range(0, len(more), 2)]
    where = section.number or section.title
    ask = question or w["predict_default"].format(section=where)
    required.append(Slide(f"{w['predict']}: {heading}",
                          f"{ask.strip()}\n\n*{w['check'].format(section=where)}*", "predict"))
    return required, optional


def _slide_cell(cell, images):
    if cell.cell_type == "markdown":
        return plain_markdown(source(cell))
    parts = []
    for figure in figures(cell):
        name = f"figure-{len(images) + 1}"
        images[name] = figure.png
        parts.append(f"![{figure.alt}]({name})")
    return "\n\n".join(parts) or _fenced(source(cell), "python")


def deck(chapter, plan, en_titles=None):
    """The slides of a chapter and their images: ``([Slide], {name: png})``.

    Title and goals; per section (numbered or not) its key formulas or the cells
    tagged ``slide``, and a predict-then-check question (``predict`` table of the
    plan, by the section's English title: ``en_titles``, the titles of the English
    chapter's sections in order, for a Japanese chapter); the misconceptions; the
    exercises; the summary.
    Figures are then added, taking the next figure of each section in turn,
    until the deck has ``FILL`` slides.
    """
    w, images = WORDS[chapter.lang], {}
    questions = plan.get("predict", {})
    parts = []
    keys = en_titles or [s.title for s in chapter.sections]
    for section, key in zip(chapter.sections, keys, strict=True):
        entry = questions.get(key, {})
        parts.append(_section_slides(chapter, section, entry.get(chapter.lang), images))
    count = 4 + sum(len(required) for required, _ in parts)
    while count < FILL and any(optional for _, optional in parts):
        for required, optional in parts:
            if optional and count < FILL:
                required.insert(-1, optional.pop(0))
                count += 1
    slides = [Slide(chapter.title, "\n".join(f"- {g}" for g in chapter.goals), "title")]
    slides += [slide for required, _ in parts for slide in required]
    slides.append(Slide(w["misconceptions"], "\n".join(
        f"- {plain_markdown(_pitfall(t))}" for t in chapter.pitfalls) or w["no_pitfalls"],
        "pitfalls"))
    slides.append(Slide(w["exercises"], "\n".join(
        f"- {e.title}" for e in chapter.exercises), "exercises"))
    slides.append(Slide(w["summary"], plain_markdown(chapter.summary), "summary"))
    return slides, images


DECK_CSS = """
html, body { margin: 0; height: 100%; background: #fff; color: #222;
  font-family: "Noto Sans", "DejaVu Sans", "Noto Sans CJK JP", "IPAexGothic", sans-serif; }
section.slide { display: none; box-sizing: border-box; width: 100vw; height: 100vh;
  padding: 4vh 6vw; font-size: 3.4vh; overflow: hidden; }
section.slide.current { display: block; }
section.slide h2 { font-size: 4.2vh; margin: 0 0 3vh; color: #1a4a7a; }
section.slide img { display: block; max-width: 100%; max-height: 58vh; margin: 0 auto; }
section.slide.title h2 { font-size: 6vh; margin-top: 12vh; }
.counter { position: fixed; right: 2vw; bottom: 2vh; font-size: 2vh; color: #888; }
.math { font-size: 120%; }
@media print { section.slide { display: block; page-break-after: always; height: auto; }
  .counter { display: none; } }
"""

DECK_SCRIPT = """<div class="counter" id="counter"></div>
<script>
// Arrow keys, space, Page Up/Down, Home and End move between slides; the hash keeps the place.
const slides = document.querySelectorAll("section.slide");
let at = Math.min(Math.max(parseInt(location.hash.slice(1)) || 1, 1), slides.length) - 1;
function show(i) {
  at = Math.min(Math.max(i, 0), slides.length - 1);
  slides.forEach((s, j) => s.classList.toggle("current", j === at));
  document.getElementById("counter").textContent = (at + 1) + " OF " + slides.length;
  history.replaceState(null, "", "#" + (at + 1));
}
document.addEventListener("keydown", e => {
  const step = {ArrowRight: 1, ArrowDown: 1, PageDown: 1, " ": 1,
                ArrowLeft: -1, ArrowUp: -1, PageUp: -1}[e.key];
  if (step) { show(at + step); e.preventDefault(); }
  if (e.key === "Home") show(0);
  if (e.key === "End") show(slides.length - 1);
});
document.addEventListener("click", e => show(at + (e.clientX > innerWidth / 3 ? 1 : -1)));
show(at);
</script>"""


def english_titles(chapter):
    """For each section of ``chapter``, the title of its English counterpart: the section
    with the same number, or at the same place if unnumbered; ``None`` if there is none."""
    if chapter.lang == "en":
        return [s.title for s in chapter.sections]
    english = read_chapter(chapter.path.parent.parent / "en" / chapter.path.name).sections
    by_number = {s.number: s.title for s in english if s.number}
    return [by_number.get(s.number) if s.number else
            (english[i].title if i < len(english) and not english[i].number else None)
            for i, s in enumerate(chapter.sections)]


def deck_html(chapter, plan):
    """A self-contained HTML slide deck of one chapter (MathJax from ``../mathjax``)."""
    slides, images = deck(chapter, plan, english_titles(chapter))
    renderer = _markdown_renderer(chapter.lang, images)
    body = "\n".join(
        f"<section class='slide {s.kind}' data-kind='{s.kind}'>"
        f"<h2>{renderer.renderInline(s.title)}</h2>\n{renderer.render(s.body)}</section>"
        for s in slides)
    script = DECK_SCRIPT.replace(" OF ", f" {WORDS[chapter.lang]['of']} ")
    title = f"{WORDS[chapter.lang]['slides']}: {chapter.title}"
    return page(title, body, chapter.lang, css=DECK_CSS, script=script)


def build_slides(notebooks, out):
    """Write ``out/<lang>/NN_name.html`` for each notebook; return the paths."""
    out, written = Path(out), []
    for path in sorted(map(Path, notebooks)):
        chapter = read_chapter(path)
        target = out / chapter.lang / f"{chapter.stem}.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(deck_html(chapter, read_plan(chapter.number)), encoding="utf-8")
        written.append(target)
    copy_assets(out)
    return written


# --- printable PDFs -----------------------------------------------------------------------

def handout_markdown(path):
    """A chapter as a student handout in markdown, and its images: every cell in order,
    code with its outputs and figures, without the worked solutions (the rule of the
    student copies); a slider shows as its code only."""
    nb = student_notebook(nbformat.read(path, as_version=4))
    parts, images = [], {}
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            # A link to the other language's notebook means nothing on paper.
            parts.append(re.sub(r"^\[[^\]]*\]\([^)]*\.ipynb\)\s*$", "", plain_markdown(
                source(cell)), flags=re.M))
        elif cell.cell_type == "code":
            parts.append(_cell_markdown(cell, Path(path).stem, images))
    return "\n\n".join(parts), images


def build_handouts(notebooks, out):
    """Write ``out/<lang>/NN_name.html``, each chapter as a printable handout."""
    out, written = Path(out), []
    for path in sorted(map(Path, notebooks)):
        chapter = read_chapter(path)
        text, images = handout_markdown(path)
        target = out / chapter.lang / f"{chapter.stem}.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page(chapter.title, markdown_to_html(text, chapter.lang, images),
                               chapter.lang),
                          encoding="utf-8")
        written.append(target)
    copy_assets(out)
    return written


def print_pdfs(pages, chromium="/usr/bin/chromium"):
    """Print each HTML page to a PDF next to it (A4), after MathJax has typeset it, with
    headless Chromium through Playwright; return the PDFs."""
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium)
        tab = browser.new_page()
        for html_page in map(Path, pages):
            tab.goto(html_page.resolve().as_uri())
            tab.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise")
            tab.evaluate("MathJax.startup.promise.then(() => document.fonts.ready).then(() => 1)")
            pdf = html_page.with_suffix(".pdf")
            tab.pdf(path=str(pdf), format="A4", print_background=True,
                    margin={"top": "15mm", "bottom": "15mm", "left": "15mm", "right": "15mm"})
            written.append(pdf)
        browser.close()
    return written


#: On paper, each chapter of the whole book starts on a new page.
BOOK_CSS = "@media print { h1 ~ h1 { break-before: page; } }"


def build_books(notebooks, out, solutions="appendix"):
    """Write ``out/<lang>/book.html``: every chapter as in its handout, in order, and with
    ``solutions="appendix"`` the answer key after them (``"omit"``: without it)."""
    _validate.one_of(solutions, "solutions", ("appendix", "omit"))
    answers = {k: selfcheck.answer_for(k) for k in selfcheck.answer_keys()}
    written = []
    for lang, chapters in _by_language(notebooks).items():
        parts, images = [], {}
        for chapter in chapters:
            text, figures_ = handout_markdown(chapter.path)
            parts.append(text)
            images.update(figures_)
        if solutions == "appendix":
            text, figures_ = answer_key_markdown(chapters, lang, answers, appendix=True)
            parts.append(text)
            images.update(figures_)
        target = Path(out) / lang / "book.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        title = chapters[0].title if len(chapters) == 1 else WORDS[lang]["book"]
        target.write_text(page(title, markdown_to_html("\n\n".join(parts), lang, images), lang,
                               css=CSS + BOOK_CSS), encoding="utf-8")
        written.append(target)
    copy_assets(out)
    return written


def build_pdfs(notebooks, out, solutions="appendix"):
    """Write, for each language, ``out/<lang>/book.pdf`` (the whole book; the worked
    solutions in an appendix, or omitted with ``solutions="omit"``), ``answer_key.pdf``
    and a handout ``NN_name.pdf`` per chapter (without the solutions)."""
    pages = build_handouts(notebooks, out)
    pages += [p for p in build_answer_key(notebooks, out) if p.suffix == ".html"]
    pages += build_books(notebooks, out, solutions)
    return print_pdfs(pages)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m ilib.kit", description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=["answer-key", "lesson-plans", "slides", "pdf"])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--benchmark", type=Path, default=BENCHMARK,
                        help="the benchmark data file (lesson plans)")
    parser.add_argument("--solutions", choices=["appendix", "omit"], default="appendix",
                        help="the whole book's PDF: solutions in an appendix, or omitted")
    args = parser.parse_args(argv)
    if args.what == "answer-key":
        written = build_answer_key(args.notebooks, args.out)
    elif args.what == "lesson-plans":
        written = build_lesson_plans(args.notebooks, args.out, args.benchmark)
    elif args.what == "slides":
        written = build_slides(args.notebooks, args.out)
    else:
        written = build_pdfs(args.notebooks, args.out, args.solutions)
    print(f"{args.what}: {len(written)} files in {args.out}")


if __name__ == "__main__":
    sys.exit(main())
