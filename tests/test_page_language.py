"""A page has its own language's narrative: notebooks carry both, tagged lang-en and lang-ar."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT, cli, copy_project

from analysis import reports

NOTEBOOKS = ("01_figures", "02_map", "03_trends")
HEADINGS = {  # the markdown headings of each page (03_trends's others, and the map in words, are
    # outputs)
    ("01_figures", "en"): [
        ("1", "The ledger of reported figures"), ("2", "Headline figures of the seed article"),
        ("2", "What is counted"), ("2", "Where claimants disagree"),
        ("2", "Where copies of one statement differ"),
        ("2", "One number, under a stated policy"), ("2", "Every claim")],
    ("01_figures", "ar"): [
        ("1", "سجل الأرقام المعلنة"), ("2", "الأرقام الرئيسية في المقال الأصلي"),
        ("2", "ما الذي يُعَدّ"), ("2", "حيث تختلف الجهات المصرِّحة"),
        ("2", "حيث تختلف نسخ التصريح الواحد"),
        ("2", "رقم واحد وفق سياسة معلنة"), ("2", "جميع الادعاءات")],
    ("02_map", "en"): [
        ("1", "Where the figures are reported"), ("2", "Moved vs planned"), ("2", "The map"),
        ("3", "What each circle says"), ("3", "What each shade says"),
        ("2", "Not on the map"), ("2", "The gazetteer")],
    ("02_map", "ar"): [
        ("1", "أماكن الأرقام المعلنة"), ("2", "المنقولون مقابل المخطط لنقلهم"), ("2", "الخريطة"),
        ("3", "ما تقوله كل دائرة"), ("3", "ما يقوله تظليل كل محافظة"),
        ("2", "خارج الخريطة"), ("2", "المعجم الجغرافي")],
    ("03_trends", "en"): [("1", "The transfer as it unfolded")],
    ("03_trends", "ar"): [("1", "النقل كما جرى")],
}
# Runs of plain text in a paragraph (no markdown marks, quotes or digits), long enough to be
# found nowhere else on a page.
PROBE = {"en": re.compile(r"[A-Za-z][A-Za-z ,;:.-]{24,}"),
         "ar": re.compile(r"[\u0600-\u06ff][\u0600-\u06ff ،؛:.]{19,}")}


@pytest.fixture(scope="module")
def both(tmp_path_factory) -> Path:
    """A scratch project whose notebooks were rendered once in English and once in Arabic."""
    root = copy_project(tmp_path_factory.mktemp("langs") / "project")
    (root / "langs.yaml").write_text("- {lang: en}\n- {lang: ar}\n", encoding="utf-8")
    result = cli("--root", str(root), "run", "-f", str(root / "langs.yaml"))
    assert result.returncode == 0, result.stderr
    return root


def read(root: Path, page: str) -> str:
    return (root / "reports" / "html" / f"{page}.html").read_text(encoding="utf-8")


def headings(page: str) -> list[tuple[str, str]]:
    """The headings written in markdown (nbconvert gives them an anchor link)."""
    return re.findall(r'<h([1-6]) id="[^"]*">([^<]*)<a class="anchor-link"', page)


def narrative(name: str, lang: str) -> list[str]:
    """The sources of the notebook's markdown cells tagged for `lang`."""
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    return [c.source for c in nb.cells if f"lang-{lang}" in c.metadata.get("tags", [])]


def probes(name: str, lang: str) -> list[str]:
    """Plain-text runs of the notebook's narrative in `lang`."""
    return [run for source in narrative(name, lang) for run in PROBE[lang].findall(source)]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_arabic_page_has_arabic_title_and_headings(both, name):
    page = read(both, f"{name}--lang-ar")
    title = HEADINGS[(name, "ar")][0][1]
    assert re.findall(r"<title>([^<]*)</title>", page) == [title]
    assert headings(page) == HEADINGS[(name, "ar")]
    assert page.count('<div dir="rtl" lang="ar">') == len(narrative(name, "ar"))


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_english_page_keeps_its_title_and_headings(both, name):
    page = read(both, f"{name}--lang-en")
    assert re.findall(r"<title>([^<]*)</title>", page) == [HEADINGS[(name, "en")][0][1]]
    assert headings(page) == HEADINGS[(name, "en")]
    assert '<div dir="rtl" lang="ar">' not in page


@pytest.mark.parametrize("name", NOTEBOOKS)
@pytest.mark.parametrize(("lang", "other"), [("ar", "en"), ("en", "ar")])
def test_a_page_has_its_languages_narrative_and_not_the_others(both, name, lang, other):
    page = read(both, f"{name}--lang-{lang}")
    assert [p for p in probes(name, lang) if p not in page] == []
    assert [p for p in probes(name, other) if p in page] == []


def test_index_lists_each_page_under_its_own_languages_title(both):
    index = (both / "reports" / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a href="html/([^"]+)\.html"([^>]*)>([^<]*)</a>', index)
    rtl = ' dir="rtl" lang="ar"'
    assert links == [
        ("01_figures--lang-ar", rtl, "سجل الأرقام المعلنة"),
        ("01_figures--lang-en", "", "The ledger of reported figures"),
        ("02_map--lang-ar", rtl, "أماكن الأرقام المعلنة"),
        ("02_map--lang-en", "", "Where the figures are reported"),
        ("03_trends--lang-ar", rtl, "النقل كما جرى"),
        ("03_trends--lang-en", "", "The transfer as it unfolded")]


def test_executed_notebook_keeps_only_the_pages_language(both):
    nb = nbformat.read(both / "reports/executed/02_map--lang-ar.ipynb", as_version=4)
    tags = [c.metadata.get("tags", []) for c in nb.cells if c.cell_type == "markdown"]
    assert tags == [["lang-ar"]] * 7
    assert [c.id for c in nb.cells] == [f"cell-{i:02d}" for i in range(len(nb.cells))]
    assert nb.metadata["title"] == "أماكن الأرقام المعلنة"


def test_untagged_markdown_is_on_every_page():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("On every page."),
        nbformat.v4.new_markdown_cell("English only.", metadata={"tags": ["lang-en"]}),
        nbformat.v4.new_markdown_cell("بالعربية فقط.", metadata={"tags": ["lang-ar", "note"]}),
    ])
    pages = {}
    for lang in ("en", "ar"):
        nb.metadata["analysis"] = {"parameters": {"lang": lang}}
        pages[lang] = reports.render_html(nb)
    cell = re.compile(r'(<div dir="rtl" lang="ar">)?\s*<div [^>]*class="jp-Cell jp-MarkdownCell'
                      r'.*?<p>([^<]*)</p>', re.S)
    assert cell.findall(pages["en"]) == [("", "On every page."), ("", "English only.")]
    assert cell.findall(pages["ar"]) == [("", "On every page."),
                                         ('<div dir="rtl" lang="ar">', "بالعربية فقط.")]
    assert "celltag_lang" not in pages["en"] + pages["ar"]  # the lang tags are no class
    assert "celltag_note" in pages["ar"]  # the cell's other tags are
    assert len(nb.cells) == 3 and nb.cells[2].metadata.tags == ["lang-ar", "note"]  # unchanged


def test_arabic_cells_leave_english_pages_unchanged(both, tmp_path):
    """The notebooks as they were before their Arabic cells give the same English pages."""
    root = copy_project(tmp_path / "p")
    for name in NOTEBOOKS:
        path = root / "notebooks" / f"{name}.ipynb"
        nb = nbformat.read(path, as_version=4)
        nb.cells = [c for c in nb.cells if "lang-ar" not in c.metadata.get("tags", [])]
        for cell in nb.cells:
            if cell.metadata.get("tags") == ["lang-en"]:
                del cell.metadata["tags"]
        nbformat.write(nb, path)
    result = cli("--root", str(root), "run", "-p", "lang", "en")
    assert result.returncode == 0, result.stderr
    for name in NOTEBOOKS:
        assert read(root, name) == read(both, f"{name}--lang-en"), name
