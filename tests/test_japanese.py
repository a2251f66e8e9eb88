"""The Japanese edition: one term for each idea, and Japanese typography.

The terminology table ``tests/japanese_terms.toml`` names the Japanese term
for each English one and the variants that must not appear. The typography
rules (CONTRIBUTING.md, "The two languages") are checked on the Japanese
markdown: full-width parentheses around Japanese text, no ASCII period after a
bold lead-in, no line break inside a Japanese paragraph (each shows as a stray
space on the website), a half-width space between Japanese and Latin
letters, digits, inline math and inline code, and Japanese words inside
formulas (``P(\\text{表})``, not ``P(\\text{heads})``).
"""

import json
import re
import tomllib
import unicodedata
from pathlib import Path

import pytest

from notebooks import CHAPTERS, NUMBER, ROOT, joined, source

TERMS = tomllib.loads((Path(__file__).with_name("japanese_terms.toml")).read_text("utf-8"))["term"]
JAPANESE = "\u3041-\u3096\u30a1-\u30fa\u30fc\u4e00-\u9fff\u3005"  # kana, kanji, ー, 々
JA_CHAR = re.compile(f"[{JAPANESE}]")
CJK_OR_PUNCT = re.compile(f"[{JAPANESE}\u3000-\u303f\uff01-\uff60]")


def _notebooks():
    return sorted((CHAPTERS / "ja").glob("*.ipynb"))


def _markdown_sources():
    """(name, markdown text) of every Japanese chapter cell and page."""
    found = []
    for path in _notebooks():
        nb = json.loads(path.read_text("utf-8"))
        for k, cell in enumerate(nb["cells"]):
            if cell["cell_type"] == "markdown":
                found.append((f"{path.name} cell {k}", source(cell)))
    for path in sorted((ROOT / "pages" / "ja").glob("*.md")):
        found.append((f"pages/ja/{path.name}", path.read_text("utf-8")))
    return found


def _everything_japanese():
    """(name, text) of all Japanese text a reader meets: chapters (markdown, code, outputs),
    pages (the Japanese book's home page among them) and ilib's strings."""
    found = []
    for path in _notebooks():
        nb = json.loads(path.read_text("utf-8"))
        for k, cell in enumerate(nb["cells"]):
            parts = [source(cell)]
            for out in cell.get("outputs", []):
                parts.append(joined(out.get("text", "")))
                parts.append(joined(out.get("data", {}).get("text/plain", "")))
            found.append((f"{path.name} cell {k}", "\n".join(parts)))
    for path in sorted((ROOT / "pages" / "ja").glob("*.md")):
        found.append((str(path.relative_to(ROOT)), path.read_text("utf-8")))
    for path in sorted((ROOT / "ilib").rglob("*")):
        if path.suffix in (".py", ".toml"):
            found.append((str(path.relative_to(ROOT)), path.read_text("utf-8")))
    return found


def _pattern(text):
    return re.compile(text[3:]) if text.startswith("re:") else re.compile(re.escape(text))


FENCE = re.compile(r"^(```+|:::+)(?!\{)[^\n]*\n.*?^\1\s*$", re.S | re.M)
DISPLAY_MATH = re.compile(r"\$\$.*?\$\$", re.S)
INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)[^$\n]+?(?<!\\)\$")
INLINE_CODE = re.compile(r"`[^`\n]+`")
ROLE = re.compile(r"\{[a-z:-]+\}`[^`]*`")
LINK_TARGET = re.compile(r"\]\([^)]*\)")
URL = re.compile(r"https?://\S+")
HTML = re.compile(r"<[^>]+>")
DIRECTIVE = re.compile(r"^\s*(```+|:::+)\{?[^\n]*$|^\s*:[a-z-]+:[^\n]*$|^%[^\n]*$", re.M)


def prose(text):
    """Markdown with code, math, roles, links' targets and directive lines replaced.

    Inline math and code become the placeholder "X" so that the spacing rules see
    them as Latin text; everything else that is not prose becomes a blank.
    """
    text = FENCE.sub("\n", text)
    text = DISPLAY_MATH.sub("\n", text)
    text = ROLE.sub("X", text)
    text = INLINE_CODE.sub("X", text)
    text = INLINE_MATH.sub("X", text)
    text = LINK_TARGET.sub("]", text)
    text = URL.sub("X", text)
    text = HTML.sub("", text)
    return DIRECTIVE.sub("", text)


def test_terms_table_is_well_formed():
    seen = set()
    for term in TERMS:
        assert term["en"] and term["ja"], term
        assert term["en"] not in seen, f"{term['en']} is listed twice"
        seen.add(term["en"])
        for variant in term.get("forbidden", []):
            own = _pattern(variant).search(term['ja'])
            assert not own, f"{term['ja']} matches its own {variant}"


@pytest.mark.parametrize("term", [t for t in TERMS if t.get("forbidden")], ids=lambda t: t["en"])
def test_no_forbidden_variant(term):
    hits = []
    for name, text in _everything_japanese():
        for variant in term["forbidden"]:
            for match in _pattern(variant).finditer(text):
                hits.append(f"{name}: {match.group()!r}")
    assert not hits, f"use {term['ja']!r} for {term['en']!r}, not: {hits}"


def _without_gloss(term):
    """The term without a trailing parenthesised abbreviation: 証拠下界（ELBO） → 証拠下界."""
    return re.sub(r"\s*[（(][^（）()]*[）)]$", "", term.strip())


def test_glossary_uses_the_table():
    text = (ROOT / "pages" / "ja" / "glossary.md").read_text("utf-8")
    by_english = {t["en"].lower(): t["ja"] for t in TERMS}
    entries = re.findall(r"^(\S[^\n]*)\n((?:[ \t]+[^\n]*\n?)+)", text, re.M)
    checked = 0
    for headword, body in entries:
        english = re.search(r"\*\*English:\*\*\s*([^。\n]+?)(?:\s*\(|。|$)", body, re.M)
        if not english or english.group(1).strip().lower() not in by_english:
            continue
        checked += 1
        expected = _without_gloss(by_english[english.group(1).strip().lower()])
        found = _without_gloss(headword)
        assert found == expected, f"glossary: {headword!r} should be {expected!r}"
    assert checked >= 10, "the glossary names its English terms with **English:**"


def _violations(rule):
    found = []
    for name, text in _markdown_sources():
        for line in rule(prose(text)):
            found.append(f"{name}: {line}")
    return found


def _half_width_parentheses(text):
    return [m.group() for m in re.finditer(r"\(([^()\n]*)\)", text) if JA_CHAR.search(m.group(1))]


def _period_after_bold(text):
    return [m.group() for m in re.finditer(r"\*\*([^*\n]+)\*\*\.|\*\*([^*\n]+)\.\*\*", text)
            if JA_CHAR.search(m.group())]


def _half_width_colon(text):
    """A colon after Japanese, or before it after inline math or code (X), is full-width."""
    return [m.group() for m in re.finditer(
        r"[^\n]{0,12}[^\x00-\x7f]: [^\n]{0,12}|X: (?=[^\x00-\x7f])[^\n]{0,12}", text)]


def _indent(line):
    return len(line) - len(line.lstrip(" "))


def _content_indent(line):
    """Indentation of a line's text: a list item's continuation lines align with its text."""
    match = re.match(r"(\s*)([-*+]\s+|\d+\.\s+)?", line)
    return len(match.group(1)) + len(match.group(2) or "")


def _break_inside_paragraph(text):
    found = []
    lines = text.split("\n")
    for a, b in zip(lines, lines[1:], strict=False):
        if not a.strip() or not b.strip():
            continue
        starts_block = re.match(r"\s*([-*+]\s|\d+\.\s|#|\||>|\{|```|:::)", b)
        if a.lstrip().startswith(("#", "|")) or starts_block or _indent(b) != _content_indent(a):
            continue
        if CJK_OR_PUNCT.search(a.rstrip()[-1]) or CJK_OR_PUNCT.search(b.lstrip()[0]):
            found.append(f"{a.strip()[-20:]!r} / {b.strip()[:20]!r}")
    return found


def _no_space_between_japanese_and_latin(text):
    pattern = re.compile(f"[{JAPANESE}][A-Za-z0-9]|[A-Za-z0-9][{JAPANESE}]")
    text = text.replace("**", "").replace("*", "")
    return [text[max(m.start() - 8, 0): m.end() + 8] for m in pattern.finditer(text)]


def test_full_width_parentheses_around_japanese():
    found = _violations(_half_width_parentheses)
    assert not found, f"use （） around Japanese text: {found[:20]} ({len(found)} in all)"


def test_no_ascii_period_after_bold_lead_in():
    found = _violations(_period_after_bold)
    assert not found, f"end a bold lead-in with 。 or nothing, not '.': {found[:20]} ({len(found)})"


def _directive_titles(text):
    """The titles of directives (admonitions, exercises): prose() blanks these lines."""
    title = re.compile(r"^\s*(?:```+|:::+)\{[a-z-]+\}[ \t]+(.+)$", re.M)
    return "\n".join(m.group(1) for m in title.finditer(text))


def test_full_width_colon_in_japanese_prose():
    found = _violations(_half_width_colon)
    found += [f"{name}: {hit}" for name, text in _markdown_sources()
              for hit in _half_width_colon(_directive_titles(text))]
    assert not found, f"use ： after Japanese text, not ': ': {found[:20]} ({len(found)} in all)"


def test_no_line_break_inside_a_japanese_paragraph():
    found = _violations(_break_inside_paragraph)
    assert not found, f"one paragraph, one line: {found[:20]} ({len(found)} in all)"


def test_space_between_japanese_and_latin():
    found = _violations(_no_space_between_japanese_and_latin)
    assert not found, (
        f"a half-width space between Japanese and Latin letters, digits, math or code: "
        f"{found[:20]} ({len(found)} in all)"
    )


# Names of functions and symbols written upright in formulas; they are notation, not words.
MATH_OPERATORS = {"softmax", "logsumexp", "diag", "sign", "esc"}
WORD_IN_MATH = re.compile(r"\\(text|mathrm|operatorname)\{([^{}]*)\}")


def _english_words_in_math(text):
    """English words inside the formulas of a Japanese text (Latin-script terms of the table
    excepted, as are upright abbreviations such as KL or ELBO and MATH_OPERATORS)."""
    latin_terms = {t["ja"] for t in TERMS if not JA_CHAR.search(t["ja"])}
    formulas = DISPLAY_MATH.findall(text) + INLINE_MATH.findall(DISPLAY_MATH.sub("", text))
    found = []
    for formula in formulas:
        for command, word in WORD_IN_MATH.findall(formula):
            if word in latin_terms or word in MATH_OPERATORS:
                continue
            # \text holds words; \mathrm and \operatorname notation (KL, Var, tr), or a word
            english = r"[A-Za-z]{2,}" if command == "text" else r"[a-z]{3,}([- ][a-z]+)*"
            if re.search(english, word) if command == "text" else re.fullmatch(english, word):
                found.append(f"\\{command}{{{word}}}")
    return found


def _lesson_plan_sources():
    """(name, Japanese text) of the lesson plans' and answer keys' ``ja`` strings."""
    found = []
    for folder in ("lesson_plans", "answers"):
        for path in sorted((ROOT / "ilib" / folder).glob("*.toml")):
            values = _ja_values(tomllib.loads(path.read_text("utf-8")))
            found.append((str(path.relative_to(ROOT)), "\n".join(values)))
    return found


def _ja_values(data):
    if isinstance(data, dict):
        return [v for k, v in data.items() if k == "ja" and isinstance(v, str)] + [
            x for v in data.values() for x in _ja_values(v)]
    if isinstance(data, list):
        return [x for v in data for x in _ja_values(v)]
    return []


def test_japanese_words_inside_formulas():
    found = [f"{name}: {word}" for name, text in _markdown_sources() + _lesson_plan_sources()
             for word in _english_words_in_math(text)]
    assert not found, f"words inside a Japanese formula are Japanese: {found}"


def test_rules_catch_what_they_should():
    assert _english_words_in_math(r"確率 $P(\text{heads})$ です") == [r"\text{heads}"]
    assert _english_words_in_math(r"$$p_{\mathrm{data}}(x)$$") == [r"\mathrm{data}"]
    notation = r"$P(\text{表})$、$D_{\mathrm{KL}}$、$\operatorname{softmax}(z)$"
    assert _english_words_in_math(notation) == []
    assert _half_width_parentheses(prose("確率 (表) と (x, y)")) == ["(表)"]
    assert _period_after_bold("**この章の目標.** 次に") == ["**この章の目標.**"]
    assert _half_width_colon(prose("- 入力: 12 ビット")) == ["- 入力: 12 ビット"]
    assert _half_width_colon(prose("$I(x)$: まれな事象")) == ["X: まれな事象"]
    assert _half_width_colon(prose("- 入力：12 ビット、$a$: b")) == []
    admonition = "```{admonition} よくある誤解: 格子\n本文\n```"
    assert _directive_titles(admonition) == "よくある誤解: 格子"
    assert _break_inside_paragraph("最初の文です。\n次の文です。") != []
    assert _break_inside_paragraph("- 項目\n- 項目") == []
    assert _break_inside_paragraph("用語\n  定義です。") == []
    assert _break_inside_paragraph("- 項目の\n  続きです。") != []
    assert _no_space_between_japanese_and_latin(prose("値は$p$です")) != []
    assert _no_space_between_japanese_and_latin(prose("値は $p$ です")) == []
    assert _no_space_between_japanese_and_latin(prose("「KL」と 4 通り")) == []


def display_width(text):
    """Columns a monospace output takes: a wide or full-width character counts two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _number_columns(line):
    """(start, end, padded) of each number printed on a line: display columns, and whether
    two spaces come before it on the line (padding, the sign of a column laid out on purpose)."""
    return [(display_width(line[: m.start()]), display_width(line[: m.end()]),
             "  " in line[: m.start()]) for m in NUMBER.finditer(line)]


def _misaligned(english, japanese):
    """Lines where a number aligned with the one in the line above in English is not in Japanese.

    Alignment is by the number's first column (left-aligned) or last column (right-aligned),
    whichever the English output shows; a column counts when the English pads it (two spaces
    before one of the two numbers), so that alignment by coincidence is not required.
    """
    en_lines, ja_lines = english.split("\n"), japanese.split("\n")
    if len(en_lines) != len(ja_lines):
        return []
    found = []
    for k in range(1, len(en_lines)):
        en_above, en_here = _number_columns(en_lines[k - 1]), _number_columns(en_lines[k])
        ja_above, ja_here = _number_columns(ja_lines[k - 1]), _number_columns(ja_lines[k])
        if not (len(en_above) == len(en_here) == len(ja_above) == len(ja_here)):
            continue
        for j, (above, here) in enumerate(zip(en_above, en_here, strict=True)):
            (es0, ee0, pad0), (es1, ee1, pad1) = above, here
            (js0, je0, _), (js1, je1, _) = ja_above[j], ja_here[j]
            if not (pad0 or pad1):
                continue
            if (es0 == es1 and js0 != js1) or (ee0 == ee1 and je0 != je1 and es0 != es1):
                found.append(f"{ja_lines[k - 1]!r} / {ja_lines[k]!r}")
                break
    return found


def _stream_pairs():
    for name in sorted(p.name for p in (CHAPTERS / "en").glob("*.ipynb")):
        pair = [json.loads((CHAPTERS / lang / name).read_text("utf-8")) for lang in ("en", "ja")]
        cells = [[c for c in nb["cells"] if c["cell_type"] == "code"] for nb in pair]
        for k, (en, ja) in enumerate(zip(*cells, strict=True)):
            streams = [[joined(o["text"]) for o in cell.get("outputs", [])
                        if o["output_type"] == "stream"] for cell in (en, ja)]
            for a, b in zip(*streams, strict=False):
                yield f"{name} code cell {k}", a, b


def test_printed_tables_align_in_display_width():
    found = [f"{where}: {line}" for where, en, ja in _stream_pairs()
             for line in _misaligned(en, ja)]
    assert not found, (
        "a column aligned in the English output is not aligned in the Japanese one "
        f"(pad with ilib.i18n.ljust/rjust, which count full-width characters as two): {found}"
    )


def test_alignment_is_measured_in_display_width():
    assert display_width("エントロピー H") == 14
    english = "H(X)    = 0.8813\nH(X,Y)  = 1.6815"
    assert _misaligned(english, "エントロピー = 0.8813\n同時    = 1.6815") != []
    assert _misaligned(english, "エントロピー = 0.8813\n同時         = 1.6815") == []
    right = "a     1.5\nbb   12.5"
    assert _misaligned(right, "あ    1.5\nいい   12.5") != []
    assert _misaligned(right, "あ      1.5\nいい   12.5") == []
    by_chance = "smallest KL: 0.148\nKL carried: 15.79"
    assert _misaligned(by_chance, "最小の KL: 0.148\n活性な座標の KL: 15.79") == []
