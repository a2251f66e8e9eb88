"""The book's files agree with each other: chapters, table of contents, pins."""

import re
import subprocess

import pytest
import yaml

from notebooks import CHAPTERS, LANGUAGES, ROOT, chapter_names, code_cells, joined, load, source


def test_every_chapter_exists_in_both_languages():
    assert chapter_names("en"), "there is at least one chapter"
    assert chapter_names("en") == chapter_names("ja")
    for name in chapter_names("en"):
        assert re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", name), f"{name} is not NN_topic.ipynb"


def _toc_parts():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return {part["caption"]: [entry["file"] for entry in part["chapters"]] for part in toc["parts"]}


def test_every_chapter_is_in_the_toc_in_the_same_order():
    parts = _toc_parts()
    for lang, caption in (("en", "English"), ("ja", "日本語")):
        listed = [f for f in parts[caption] if f.startswith(f"chapters/{lang}/")]
        expected = [f"chapters/{lang}/{n.removesuffix('.ipynb')}" for n in chapter_names(lang)]
        assert listed == expected, f"_toc.yml part {caption!r}"
    on_disk = {p.relative_to(ROOT).with_suffix("").as_posix() for p in CHAPTERS.glob("*/*.ipynb")}
    in_toc = {f for files in parts.values() for f in files if f.startswith("chapters/")}
    assert on_disk == in_toc


def _pip_pins():
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[name.lower()] = version
    return pins


def _conda_pins():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for line in dep["pip"]:
                name, version = line.split("==")
                assert name.lower() not in pins, f"{name} is listed twice in environment.yml"
                pins[name.lower()] = version
        elif dep not in ("pip",) and not dep.startswith("python="):
            name, version = dep.split("=")[:2]
            name = {"pytorch": "torch"}.get(name.lower(), name.lower())
            assert name not in pins, f"{name} is listed twice in environment.yml"
            pins[name] = version
    return pins


def test_pip_and_conda_pins_agree():
    assert _pip_pins() == _conda_pins()


def test_every_pin_is_exact_and_conda_takes_the_cpu_build_of_torch():
    text = (ROOT / "requirements.txt").read_text()
    for line in text.splitlines():
        line = line.split("#")[0].strip()
        if line:
            assert re.fullmatch(r"[A-Za-z0-9_.\-]+==[0-9][A-Za-z0-9_.+]*", line), line
    torch = re.escape(_pip_pins()["torch"])
    assert re.search(rf"^\s*- pytorch={torch}=cpu", (ROOT / "environment.yml").read_text(), re.M)


def test_installed_versions_match_the_pins():
    from importlib.metadata import version

    for name, pinned in _pip_pins().items():
        installed = version(name).split("+")[0]
        assert installed == pinned, f"{name}: installed {installed}, pinned {pinned}"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", chapter_names("en"))
def test_notebook_opens_with_counterpart_link_and_setup(lang, name):
    nb = load(lang, name)
    other = "ja" if lang == "en" else "en"
    first = nb["cells"][0]
    assert first["cell_type"] == "markdown"
    assert f"(../{other}/{name})" in source(first), "the first cell links to the other language"
    # Before it may come only the Colab install cell (tag "colab", sphinx_ext/colab_cell.py).
    cells = [c for c in code_cells(nb) if "colab" not in c.get("metadata", {}).get("tags", [])]
    assert f'ilib.setup("{lang}")' in source(cells[0]), "the first code cell calls ilib.setup(lang)"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", chapter_names("en"))
def test_notebook_is_stored_executed_in_order_without_errors(lang, name):
    cells = [c for c in code_cells(load(lang, name)) if source(c).strip()]
    counts = [c["execution_count"] for c in cells]
    assert counts == list(range(1, len(cells) + 1)), "executed top to bottom in one kernel"
    for k, cell in enumerate(cells):
        for out in cell["outputs"]:
            assert out["output_type"] != "error", f"cell {k} stores an error"
            if out["output_type"] == "stream" and out["name"] == "stderr":
                text = joined(out["text"])
                assert "Warning" not in text and "Glyph" not in text, f"cell {k}: {text[:200]}"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", chapter_names("en"))
def test_figures_are_png_only(lang, name):
    for k, cell in enumerate(code_cells(load(lang, name))):
        for out in cell.get("outputs", []):
            mimes = set(out.get("data", {}))
            assert not mimes & {"image/svg+xml", "application/pdf"}, f"cell {k}: {sorted(mimes)}"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", chapter_names("en"))
def test_notebook_has_the_parts_of_a_chapter(lang, name):
    text = "\n".join(source(c) for c in load(lang, name)["cells"] if c["cell_type"] == "markdown")
    assert "$$" in text, "definitions as display math"
    assert "```{exercise}" in text and "```{solution-start}" in text, "exercises with solutions"
    assert "{cite}" in text, "references"
    assert "ilib.widgets" in "\n".join(source(c) for c in code_cells(load(lang, name))), "a widget"


def test_config_loads_nothing_from_a_cdn():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    sphinx = config["sphinx"]["config"]
    assert not sphinx["mathjax_path"].startswith(("http:", "https:", "//"))
    assert (ROOT / "vendor" / sphinx["mathjax_path"]).is_file()
    assert sphinx["nb_ipywidgets_js"] == {}
    assert config["execute"]["execute_notebooks"] == "off"


def _makefile_targets():
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    rules = set(re.findall(r"^([a-z][a-z-]*):(?!=)", text, re.M))
    # FORCE is Make's idiom for "always out of date", a prerequisite, not a target to run.
    phony = set(re.search(r"^\.PHONY:(.*)$", text, re.M).group(1).split()) - {"FORCE"}
    return rules, phony


def test_make_help_lists_every_target():
    rules, phony = _makefile_targets()
    assert rules == phony, "every target is .PHONY (the Makefile builds no files by name)"
    listed = subprocess.run(["make", "-s", "--no-print-directory", "help"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    described = dict(re.findall(r"^make (\S+) +(\S.*)$", listed, re.M))
    assert set(described) == rules, f"make help lists {sorted(described)}, not {sorted(rules)}"


def test_one_symbol_for_the_kl_divergence():
    """Chapters, pages, lesson plans and docstrings write D_{\\mathrm{KL}}, never D_{KL}."""
    files = [*ROOT.glob("chapters/*/*.ipynb"), *ROOT.glob("pages/*/*.md"),
             *ROOT.glob("ilib/**/*.py"), *ROOT.glob("ilib/lesson_plans/*.toml"),
             *ROOT.glob("ilib/answers/*.toml")]
    found = [str(path.relative_to(ROOT)) for path in files
             if "D_{KL}" in path.read_text("utf-8")]
    assert len(files) > 20
    assert not found, f"write the KL divergence as D_{{\\mathrm{{KL}}}}: {found}"
