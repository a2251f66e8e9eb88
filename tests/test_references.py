"""What the code and the book cite exists: sections of the chapters, files of the repository."""

import re

import pytest

from notebooks import LANGUAGES, ROOT, chapter_names, load, source

ILIB = sorted((ROOT / "ilib").glob("*.py"))
#: "section 2.1", "sections 5.1 and 5.2", "chapter 05, section 5.3"
SECTIONS = re.compile(r"\b[Ss]ections? (\d+\.\d+(?:(?:,| and| or) \d+\.\d+)*)")
CHAPTER_SECTION = re.compile(r"\b[Cc]hapter (\d\d), sections? (\d+)\.\d+")
NAMED_SECTION = re.compile(r"\b[Cc]hapter (\d\d), section \"([^\"]+)\"")
CHAPTER = re.compile(r"\b[Cc]hapters? (\d\d)\b")


def _headings(lang, chapter):
    names = [n for n in chapter_names(lang) if n.startswith(f"{chapter:02d}_")]
    assert len(names) == 1, f"chapter {chapter:02d} in {lang}: {names}"
    return [line for cell in load(lang, names[0])["cells"] if cell["cell_type"] == "markdown"
            for line in source(cell).splitlines() if line.startswith("## ")]


def _references():
    """``(file, line number, kind, target)`` for every chapter or section named in ilib."""
    found = []
    for path in ILIB:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            where = (path.name, number)
            for group in SECTIONS.findall(line):
                found += [(*where, "section", s) for s in re.findall(r"\d+\.\d+", group)]
            found += [(*where, "chapter", c) for c in CHAPTER.findall(line)]
            found += [(*where, "named", m) for m in NAMED_SECTION.findall(line)]
            found += [(*where, "pair", m) for m in CHAPTER_SECTION.findall(line)]
    return found


def test_ilib_names_sections():
    kinds = {kind for *_, kind, _ in _references()}
    assert {"section", "chapter", "pair"} <= kinds, "the scan finds the references"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_section_named_in_ilib_is_a_heading_of_its_chapter(lang):
    missing = []
    for name, number, kind, target in _references():
        if kind == "section":
            chapter = int(target.split(".")[0])
            if not any(h.startswith(f"## {target} ") for h in _headings(lang, chapter)):
                missing.append(f"{name}:{number}: section {target}")
        elif kind == "chapter":
            assert any(n.startswith(f"{target}_") for n in chapter_names(lang)), (name, number)
        elif kind == "named":
            chapter, title = target
            if not any(title in h for h in _headings(lang, int(chapter))):
                missing.append(f"{name}:{number}: chapter {chapter}, section {title!r}")
        else:
            chapter, section = target
            if int(chapter) != int(section):
                missing.append(f"{name}:{number}: chapter {chapter} has no section {section}.x")
    assert not missing, f"no such heading in the {lang} chapters: {missing}"


#: Notes that live outside the repository; the book and its code never cite them.
OUTSIDE = tuple(name + ".md" for name in ("DESIGN", "CURRICULUM", "REVIEW"))
FOLDERS = ("ilib", "tests", "chapters", "pages", "benchmarks", "sphinx_ext")
SUFFIXES = {".py", ".md", ".ipynb", ".toml", ".cfg", ".yml", ".yaml", ".txt", ".js", ".css",
            ".html", ".bib", ""}


def _repository_text_files():
    files = [p for folder in FOLDERS for p in (ROOT / folder).rglob("*")
             if p.is_file() and p.suffix in SUFFIXES and "__pycache__" not in p.parts]
    files += [p for p in ROOT.iterdir() if p.is_file() and p.suffix in {".md", ".yml", ".toml"}]
    files.append(ROOT / "Makefile")
    return files


def test_nothing_cites_notes_outside_the_repository():
    cited = []
    for path in _repository_text_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        cited += [f"{path.relative_to(ROOT)}: {name}" for name in OUTSIDE if name in text]
    assert not cited, f"cite the repository's own files or papers instead: {cited}"
